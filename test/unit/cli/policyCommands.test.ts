import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { appendToLedger } from '../../../src/registry/ledgerFile';
import { useTempDir } from '../helpers';
import { copyFixture } from '../ingest/engineHelpers';

async function cli(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: { GIT_CONFIG_NOSYSTEM: '1', HOME: cwd } });
  return { code, stdout, stderr };
}

describe('model-ledger promotion under a policy', () => {
  const tmp = useTempDir();

  it('blocks a promotion whose gates fail (exit 1, gates listed), allows one that passes, and verify --policy catches a bypass', async () => {
    const root = copyFixture('mlflow/mlflow-2.12-generated', tmp.path);
    const store = path.join(tmp.path, 'store.sqlite');
    mkdirSync(path.join(root, '.model-ledger'), { recursive: true });
    writeFileSync(path.join(root, '.model-ledger', 'policy.yaml'), 'version: 1\nmodels:\n  "*":\n    Production:\n      gates:\n        - metric: accuracy >= 0.5\n        - require: description\n');
    assert.equal((await cli(root, 'scan', '--store', store)).code, 0);
    const runs = JSON.parse((await cli(root, 'runs', '--store', store, '--json')).stdout) as { id: string; metrics: Record<string, number> }[];
    const weak = runs.find((r) => r.metrics.accuracy !== undefined && r.metrics.accuracy < 0.5)!;
    const strong = runs.find((r) => r.metrics.accuracy !== undefined && r.metrics.accuracy >= 0.5)!;
    assert.ok(weak && strong, 'the fixture has runs on both sides of the gate');

    assert.equal((await cli(root, 'register', weak.id, '--model', 'clf', '--store', store, '--description', 'weak one')).code, 0);
    assert.equal((await cli(root, 'register', strong.id, '--model', 'clf', '--store', store)).code, 0);
    const blocked = await cli(root, 'promote', 'clf', '1', '--to', 'Production', '--store', store, '--json');
    assert.equal(blocked.code, 1);
    const report = JSON.parse(blocked.stdout) as { gates: { gate: string; status: string }[] };
    assert.deepEqual(report.gates.map((g) => [g.gate, g.status]), [['metric: accuracy >= 0.5', 'fail'], ['require: description', 'pass']]);

    const noDescription = await cli(root, 'promote', 'clf', '2', '--to', 'Production', '--store', store);
    assert.equal(noDescription.code, 1, 'v2 has no description');
    assert.match(noDescription.stdout, /require: description/);
    const noOverride = await cli(root, 'promote', 'clf', '2', '--to', 'Production', '--store', store, '--override', 'hotfix');
    assert.equal(noOverride.code, 1, 'the policy does not allow overrides');

    // Without the store the metric gate cannot be evaluated: it fails, never passes by default.
    assert.equal((await cli(root, 'alias', 'clf', 'x', '2')).code, 0);
    const ok = await cli(root, 'register', strong.id, '--model', 'clf', '--store', store, '--description', 'strong one');
    assert.equal(ok.code, 0);
    assert.equal((await cli(root, 'promote', 'clf', '3', '--to', 'Production')).code, 1);
    const promoted = await cli(root, 'promote', 'clf', '3', '--to', 'Production', '--store', store, '--json');
    assert.equal(promoted.code, 0, promoted.stdout + promoted.stderr);
    assert.equal((JSON.parse(promoted.stdout) as { after: { gates: unknown[] } }).after.gates.length, 2, 'the gate results are recorded');

    assert.equal((await cli(root, 'verify', '--policy', '--store', store)).code, 0);
    // Someone appends a transition to Production of v1 by hand, bypassing the gates.
    await appendToLedger(path.join(root, '.model-ledger', 'ledger.jsonl'), () => [
      { time: new Date().toISOString(), actor: { name: 'mallory' }, action: 'transition', model: 'clf', version: 1, before: { stage: 'None' }, after: { stage: 'Production' } },
    ]);
    const verify = await cli(root, 'verify', '--policy', '--store', store, '--json');
    assert.equal(verify.code, 1);
    const problems = (JSON.parse(verify.stdout) as { problems: { line: number; kind: string; message: string }[] }).problems;
    assert.equal(problems.length, 1);
    assert.equal(problems[0].kind, 'policy');
    assert.match(problems[0].message, /accuracy >= 0\.5/);
  });

  it('an invalid policy blocks promotion with its position', async () => {
    mkdirSync(path.join(tmp.path, '.model-ledger'), { recursive: true });
    writeFileSync(path.join(tmp.path, '.model-ledger', 'policy.yaml'), 'version: 1\nmodels:\n  "*":\n    Production:\n      gates:\n        - colour: blue\n');
    assert.equal((await cli(tmp.path, 'register', '--source', 'm', '--model', 'm')).code, 0);
    const result = await cli(tmp.path, 'promote', 'm', '1');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /policy\.yaml:6:\d+: error:/);
  });
  it('a drift.share gate reads the drift report given with --drift-report: missing fails, above fails, below passes', async () => {
    const root = tmp.path;
    mkdirSync(path.join(root, '.model-ledger'), { recursive: true });
    writeFileSync(path.join(root, '.model-ledger', 'policy.yaml'), 'version: 1\nmodels:\n  "*":\n    Staging:\n      gates:\n        - drift.share <= 0.3\n');
    assert.equal((await cli(root, 'register', '--source', 'm', '--model', 'm')).code, 0);
    // Written the way `model-ledger drift --json` writes them (shares of drifted columns: 2 of 5, 1 of 5).
    writeFileSync(path.join(root, 'drifting.json'), JSON.stringify({ columns: [], driftShare: 0.4, datasetDrift: false }));
    writeFileSync(path.join(root, 'calm.json'), JSON.stringify({ columns: [], driftShare: 0.2, datasetDrift: false }));
    writeFileSync(path.join(root, 'not-a-report.json'), '{"hello": 1}');

    const none = await cli(root, 'promote', 'm', '1', '--to', 'Staging', '--json');
    assert.equal(none.code, 1);
    assert.deepEqual((JSON.parse(none.stdout) as { gates: { status: string }[] }).gates.map((g) => g.status), ['not-evaluable']);
    const high = await cli(root, 'promote', 'm', '1', '--to', 'Staging', '--drift-report', 'drifting.json', '--json');
    assert.equal(high.code, 1);
    assert.deepEqual((JSON.parse(high.stdout) as { gates: { status: string; value?: number }[] }).gates.map((g) => [g.status, g.value]), [['fail', 0.4]]);
    assert.equal((await cli(root, 'promote', 'm', '1', '--to', 'Staging', '--drift-report', 'not-a-report.json')).code, 2);
    const low = await cli(root, 'promote', 'm', '1', '--to', 'Staging', '--drift-report', 'calm.json', '--json');
    assert.equal(low.code, 0, low.stdout + low.stderr);
  });
});
