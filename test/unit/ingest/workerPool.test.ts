import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FsFileFinder, ImportEngine, type Importer } from '../../../src/ingest';
import { mlflowFileStoreImporter } from '../../../src/ingest/mlflow/fileStore';
import { UnitWorkerPool, unitWorkerPool } from '../../../src/ingest/workerPool';
import { Store } from '../../../src/store';
import { useTempDir } from '../helpers';

/** Everything the store holds about runs and metrics, in a stable order, for comparing two imports. */
function snapshot(store: Store): unknown {
  const all = (sql: string) => store.db.exec(sql)[0]?.values ?? [];
  return {
    runs: all('SELECT uid, name, status, start_time, end_time, deleted FROM runs ORDER BY uid'),
    params: all('SELECT r.uid, p.key, p.value FROM params p JOIN runs r ON r.id = p.run_id ORDER BY 1, 2'),
    series: all('SELECT r.uid, s.key, s.point_count, s.last_step, s.last_value, s.min_value, s.max_value FROM metric_series s JOIN runs r ON r.id = s.run_id ORDER BY 1, 2'),
  };
}

/** A synthetic MLflow file store with `runs` runs (each one unit) and known metric contents. */
function writeStore(root: string, runs: number): { points: number } {
  const exp = path.join(root, 'mlruns', '7');
  mkdirSync(exp, { recursive: true });
  writeFileSync(path.join(exp, 'meta.yaml'), "artifact_location: mlruns/7\nexperiment_id: '7'\nlifecycle_stage: active\nname: workers\n");
  let points = 0;
  for (let r = 0; r < runs; r++) {
    const id = `r${r}`;
    const dir = path.join(exp, id);
    mkdirSync(path.join(dir, 'metrics'), { recursive: true });
    writeFileSync(path.join(dir, 'meta.yaml'), `experiment_id: '7'\nlifecycle_stage: active\nrun_id: ${id}\nrun_uuid: ${id}\nrun_name: ${id}\nstart_time: 1700000000000\nstatus: 3\n`);
    const lines: string[] = [];
    for (let s = 0; s <= r * 10; s++) lines.push(`${1700000000000 + s} ${s / 10} ${s}`);
    writeFileSync(path.join(dir, 'metrics', 'loss'), lines.join('\n') + '\n');
    points += lines.length;
  }
  return { points };
}

describe('Import worker threads', () => {
  const tmp = useTempDir();
  const inThread: Importer = { ...mlflowFileStoreImporter, runsInWorker: false };

  it('is available to the tests (the compiled worker script sits next to the pool)', () => {
    assert.ok(unitWorkerPool(), 'no worker pool: out/src/ingest/unitWorker.js missing?');
  });

  it('imports a store of 30 runs in workers to exactly what the main thread imports, and with the points written', async () => {
    const { points } = writeStore(tmp.path, 30);
    const viaWorkers = (await Store.open(undefined)).store;
    const viaMain = (await Store.open(undefined)).store;
    await new ImportEngine(viaWorkers, tmp.path, [mlflowFileStoreImporter]).scan(new FsFileFinder());
    assert.equal(unitWorkerPool()?.started, true, 'the 30 units were not read in a worker');
    await new ImportEngine(viaMain, tmp.path, [inThread]).scan(new FsFileFinder());
    assert.equal(Number(viaWorkers.db.exec('SELECT sum(point_count) FROM metric_series')[0].values[0][0]), points);
    assert.deepEqual(snapshot(viaWorkers), snapshot(viaMain));
    // Incremental through the worker too: the cursors came back and only the new line is read.
    const engine = new ImportEngine(viaWorkers, tmp.path, [mlflowFileStoreImporter]);
    appendFileSync(path.join(tmp.path, 'mlruns', '7', 'r29', 'metrics', 'loss'), '1700000009999 42 1000\n');
    await engine.scan(new FsFileFinder());
    assert.equal(Number(viaWorkers.db.exec('SELECT sum(point_count) FROM metric_series')[0].values[0][0]), points + 1);
  });

  it('brings bad input back from the worker as diagnostics with their lines', async () => {
    writeStore(tmp.path, 12);
    appendFileSync(path.join(tmp.path, 'mlruns', '7', 'r3', 'metrics', 'loss'), 'garbage line\n');
    const { store } = await Store.open(undefined);
    const summary = await new ImportEngine(store, tmp.path, [mlflowFileStoreImporter]).scan(new FsFileFinder());
    const bad = summary.diagnostics.filter((d) => d.file.endsWith(path.join('r3', 'metrics', 'loss')));
    assert.equal(bad.length, 1);
    assert.equal(bad[0].position, 'line 32'); // r3 has 31 good lines (steps 0..30)
  });

  it('rejects the jobs of a worker that dies instead of hanging', async () => {
    const script = path.join(tmp.path, 'dies.js');
    writeFileSync(script, 'process.exit(3);\n');
    const pool = new UnitWorkerPool(script, 1);
    await assert.rejects(pool.run({ format: 'mlflow-file', unit: tmp.path, root: tmp.path, cursors: [] }), /stopped/);
    pool.stop();
  });

  it('falls back to the main thread for a unit whose worker died', async () => {
    writeStore(tmp.path, 10);
    const { store } = await Store.open(undefined);
    const engine = new ImportEngine(store, tmp.path, [mlflowFileStoreImporter]);
    const pool = unitWorkerPool();
    assert.ok(pool);
    const original = pool.run.bind(pool);
    pool.run = () => Promise.reject(new Error('the import worker stopped'));
    try {
      await engine.scan(new FsFileFinder());
    } finally {
      pool.run = original;
    }
    assert.equal(Number(store.db.exec('SELECT count(*) FROM runs')[0].values[0][0]), 10);
    assert.equal(engine.workerFailures.length, 11); // 10 runs and their experiment, each a unit
  });
});
