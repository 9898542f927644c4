import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { useTempDir } from '../helpers';
import { copyFixture } from '../ingest/engineHelpers';

async function cli(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: { GIT_CONFIG_NOSYSTEM: '1', HOME: cwd } });
  return { code, stdout, stderr };
}

describe('model-ledger registry commands', () => {
  const tmp = useTempDir();

  it('registers runs, promotes, rolls back, verifies, and reports a tampered ledger with exit 1 and the line', async () => {
    const root = copyFixture('mlflow/mlflow-2.12-generated', tmp.path);
    const store = path.join(tmp.path, 'store.sqlite');
    assert.equal((await cli(root, 'scan', '--store', store)).code, 0);
    const runs = JSON.parse((await cli(root, 'runs', '--store', store, '--json')).stdout) as { id: string; status: string }[];
    const [first, second] = runs.filter((r) => r.status === 'FINISHED');

    const registered = await cli(root, 'register', first.id, '--model', 'churn', '--store', store, '--reason', 'baseline', '--json');
    assert.equal(registered.code, 0, registered.stderr);
    assert.equal((JSON.parse(registered.stdout) as { version: number }).version, 1);
    assert.equal((await cli(root, 'register', second.id, '--model', 'churn', '--store', store)).code, 0);
    assert.equal((await cli(root, 'stage', 'churn', '1', 'production', '--reason', 'first')).code, 0);
    const promoted = await cli(root, 'promote', 'churn', '2', '--reason', 'better');
    assert.match(promoted.stdout, /None → Production \(archived v1\)/);
    assert.equal((await cli(root, 'alias', 'churn', 'champion', '2')).code, 0);
    assert.equal((await cli(root, 'rollback', 'churn', '--reason', 'regressed')).code, 0);

    const models = JSON.parse((await cli(root, 'models', '--json')).stdout) as { name: string; versions: { version: number; stage: string; aliases: string[]; runId: string }[] }[];
    assert.deepEqual(models[0].versions.map((v) => [v.version, v.stage, v.aliases]), [[1, 'Production', []], [2, 'Archived', ['champion']]]);
    assert.equal(models[0].versions[0].runId, first.id);

    // With --store, the registries scan imported (MLflow's, read-only) are listed too, with their origin.
    const all = JSON.parse((await cli(root, 'models', '--store', store, '--json')).stdout) as { name: string; origin: string; versions: { version: number; stage: string; aliases: string[]; runId: string | null }[] }[];
    const mlflow = all.find((m) => m.origin === 'mlflow-file:mlruns')!;
    assert.deepEqual(mlflow.versions.map((v) => [v.version, v.stage, v.aliases]), [[1, 'Archived', []], [2, 'Production', ['champion']], [3, 'Staging', ['challenger']]]);
    assert.ok(mlflow.versions.every((v) => typeof v.runId === 'string' && v.runId.length === 32));

    const ok = await cli(root, 'verify', '--json');
    assert.equal(ok.code, 0);
    assert.deepEqual(JSON.parse(ok.stdout).problems, []);
    const ledger = path.join(root, '.model-ledger', 'ledger.jsonl');
    assert.match(readFileSync(path.join(root, '.model-ledger', '.gitattributes'), 'utf8'), /ledger\.jsonl merge=union/);

    const lines = readFileSync(ledger, 'utf8').trimEnd().split('\n');
    lines[3] = lines[3].replace('"better"', '"because I said so"');
    writeFileSync(ledger, lines.join('\n') + '\n');
    const bad = await cli(root, 'verify', '--json');
    assert.equal(bad.code, 1);
    const report = JSON.parse(bad.stdout) as { ok: boolean; problems: { line: number; kind: string }[] };
    assert.equal(report.ok, false);
    assert.deepEqual(report.problems.map((p) => [p.line, p.kind]), [[4, 'hash']]);
  });

  it('refuses illegal changes with exit 1 and bad usage with exit 2', async () => {
    assert.equal((await cli(tmp.path, 'register', '--source', 'models/a', '--model', 'm')).code, 0);
    const illegal = await cli(tmp.path, 'promote', 'm', '5');
    assert.equal(illegal.code, 1);
    assert.match(illegal.stderr, /no version 5/);
    assert.equal((await cli(tmp.path, 'promote', 'm', 'one')).code, 2);
    assert.equal((await cli(tmp.path, 'promote', 'm', '1', '--stage', 'Prod')).code, 2);
    assert.equal((await cli(tmp.path, 'register', 'no-such-run', '--model', 'm', '--store', path.join(tmp.path, 's.sqlite'))).code, 2);
  });
});
