import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mlflowSqliteImporter } from '../../../../src/ingest/mlflow/sqliteStore';
import { useTempDir } from '../../helpers';
import { FIXTURES, scanWith } from '../engineHelpers';

const GENERATED = path.join(FIXTURES, 'mlflow', 'mlflow-2.12-generated');

interface RestRun {
  info: { run_id: string; run_name: string; status: string; start_time: number; end_time?: number; lifecycle_stage: string; experiment_id: string };
  data: { metrics?: { key: string; value: number }[]; params?: { key: string; value: string }[]; tags?: { key: string; value: string }[] };
}

describe('MLflow SQLite store importer', () => {
  const tmp = useTempDir();

  it('gives the same runs as the REST responses recorded from the server that wrote mlflow.db', async () => {
    copyFileSync(path.join(GENERATED, 'mlflow.db'), path.join(tmp.path, 'mlflow.db'));
    const rest = (JSON.parse(readFileSync(path.join(GENERATED, 'rest', 'runs_search_all.json'), 'utf8')) as { runs: RestRun[] }).runs;
    const scanned = await scanWith(tmp.path, [mlflowSqliteImporter]);
    assert.deepEqual(scanned.summary.diagnostics, []);
    // The recorded search asked for every run (run_view_type ALL): deleted ones included.
    const all = scanned.runs();
    assert.deepEqual(all.map((r) => r.id).sort(), rest.map((r) => r.info.run_id).sort());
    for (const expected of rest) {
      const actual = all.find((r) => r.id === expected.info.run_id)!;
      assert.equal(actual.deleted, expected.info.lifecycle_stage === 'deleted');
      assert.equal(actual.name, expected.info.run_name);
      assert.equal(actual.status, expected.info.status);
      assert.equal(actual.startTime, expected.info.start_time);
      assert.equal(actual.endTime, expected.info.end_time);
      assert.deepEqual(actual.params, Object.fromEntries((expected.data.params ?? []).map((p) => [p.key, p.value])));
      // The server's "metrics" are its latest_metrics: the same "last value" rule.
      assert.deepEqual(actual.metrics, Object.fromEntries((expected.data.metrics ?? []).map((m) => [m.key, m.value])), actual.name);
    }
    assert.equal(scanned.counts.runsDeleted, 1);
    await scanned.store.close();
  });

  it('leaves the user’s database byte for byte as it was', async () => {
    const file = path.join(tmp.path, 'mlflow.db');
    copyFileSync(path.join(GENERATED, 'mlflow.db'), file);
    const before = readFileSync(file);
    const scanned = await scanWith(tmp.path, [mlflowSqliteImporter]);
    assert.deepEqual(readFileSync(file), before);
    await scanned.store.close();
  });

  it('reports a file named mlflow.db that is not an MLflow database, and imports nothing from it', async () => {
    writeFileSync(path.join(tmp.path, 'mlflow.db'), 'garbage'.repeat(100));
    const scanned = await scanWith(tmp.path, [mlflowSqliteImporter]);
    assert.equal(scanned.counts.runs, 0);
    assert.equal(scanned.summary.diagnostics.length, 1);
    assert.match(scanned.summary.diagnostics[0].message, /cannot import MLflow database/);
    await scanned.store.close();
  });
});
