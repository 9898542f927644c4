import assert from 'node:assert/strict';
import path from 'node:path';
import { COMPARE_COMMAND } from '../../../src/cli/compareCommand';
import type { CliContext } from '../../../src/cli/context';
import { CliError } from '../../../src/cli/cliError';
import { appendMetricPoints, Store } from '../../../src/store';
import { useTempDir } from '../helpers';

async function run(positionals: string[], values: Record<string, string | boolean | undefined>): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const context: CliContext = { values, positionals, stdout: (t) => (stdout += t), stderr: () => undefined, cwd: '/', env: {} };
  const code = await COMPARE_COMMAND.run(context);
  return { code, stdout };
}

describe('model-ledger compare', () => {
  const tmp = useTempDir();

  async function makeStore(): Promise<string> {
    const file = path.join(tmp.path, 'store.sqlite');
    const { store } = await Store.open(file, { saveDelayMs: 0 });
    store.db.run("INSERT INTO experiments(uid, name, format) VALUES ('e', 'E', 'mlflow-file')");
    store.db.run("INSERT INTO runs(uid, experiment_id, external_id, name, format) VALUES ('mlflow-file:mlruns/0/aaa', 1, 'aaa', 'first', 'mlflow-file'), ('mlflow-file:mlruns/0/bbb', 1, 'bbb', 'second', 'mlflow-file')");
    store.db.run("INSERT INTO params(run_id, key, value) VALUES (1, 'lr', '0.1'), (2, 'lr', '0.2'), (1, 'seed', '7'), (2, 'seed', '7')");
    appendMetricPoints(store.db, 1, 'loss', { steps: [0, 1], timestamps: [0, 0], values: [1, 0.5] });
    appendMetricPoints(store.db, 2, 'loss', { steps: [0, 1], timestamps: [0, 0], values: [1, 0.25] });
    await store.save();
    await store.close();
    return file;
  }

  it('compares runs named by external id, name and uid, with deltas vs the first', async () => {
    const store = await makeStore();
    const json = await run(['aaa', 'second'], { store, json: true });
    assert.equal(json.code, 0);
    const parsed = JSON.parse(json.stdout);
    assert.deepEqual(parsed.runs.map((r: { uid: string }) => r.uid), ['mlflow-file:mlruns/0/aaa', 'mlflow-file:mlruns/0/bbb']);
    assert.equal(parsed.metrics[0].cells[1].deltaAbs, -0.25);
    assert.equal(parsed.metrics[0].cells[1].deltaPct, -50);
    assert.equal(parsed.series, undefined);

    const text = await run(['mlflow-file:mlruns/0/bbb', 'first'], { store });
    assert.match(text.stdout, /lr\s+0\.2\s+0\.1/);
    assert.doesNotMatch(text.stdout, /seed/);
    assert.match(text.stdout, /\+0\.25, \+100\.0%/);

    const md = await run(['aaa', 'bbb'], { store, md: true });
    assert.match(md.stdout, /^### Comparison of 2 runs/);
  });

  it('exits 2 for fewer than two runs or an unknown id', async () => {
    const store = await makeStore();
    for (const positionals of [['aaa'], ['aaa', 'nope'], ['aaa', 'aaa']]) {
      await assert.rejects(run(positionals, { store }), (e: unknown) => e instanceof CliError && e.exitCode === 2, positionals.join(' '));
    }
  });
});
