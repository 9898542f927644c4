import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { useTempDir } from '../helpers';

describe('model-ledger runs --json', () => {
  const tmp = useTempDir();

  it('every record has every key: a run without a name and a RUNNING run without an end say null', async () => {
    // An MLflow file store as MLflow 2 writes it: one finished run with a name, one running without.
    const experiment = path.join(tmp.path, 'mlruns', '0');
    mkdirSync(experiment, { recursive: true });
    writeFileSync(path.join(experiment, 'meta.yaml'), "artifact_location: file:///tmp/mlruns/0\nexperiment_id: '0'\nlifecycle_stage: active\nname: Default\n");
    const runs = [
      { id: 'aaaa1111', meta: 'end_time: 1700000100000\nrun_name: named-run\nstatus: 3\n' },
      { id: 'bbbb2222', meta: 'end_time: null\nrun_name: \nstatus: 1\n' },
    ];
    for (const run of runs) {
      const dir = path.join(experiment, run.id);
      mkdirSync(path.join(dir, 'metrics'), { recursive: true });
      writeFileSync(
        path.join(dir, 'meta.yaml'),
        `artifact_uri: file:///tmp/mlruns/0/${run.id}/artifacts\nexperiment_id: '0'\nlifecycle_stage: active\nrun_id: ${run.id}\nrun_uuid: ${run.id}\nsource_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: 1700000000000\nuser_id: someone\n${run.meta}`,
      );
    }
    const store = path.join(tmp.path, 'store.sqlite');
    let stdout = '';
    const io = { stdout: (t: string) => (stdout += t), stderr: () => undefined, cwd: tmp.path, env: {} };
    assert.equal(await runCli(['scan', tmp.path, '--store', store], io), 0);
    stdout = '';
    assert.equal(await runCli(['runs', '--store', store, '--json'], io), 0);
    const listed = JSON.parse(stdout) as Record<string, unknown>[];
    assert.equal(listed.length, 2);
    const keys = ['deleted', 'endTime', 'experiment', 'format', 'id', 'loggedModels', 'metrics', 'name', 'params', 'source', 'startTime', 'status', 'uid'];
    for (const record of listed) assert.deepEqual(Object.keys(record).sort(), keys);
    const running = listed.find((r) => r.id === 'bbbb2222')!;
    assert.equal(running.status, 'RUNNING');
    assert.equal(running.name, null);
    assert.equal(running.endTime, null);
    assert.equal(listed.find((r) => r.id === 'aaaa1111')!.endTime, 1700000100000);
  });
});
