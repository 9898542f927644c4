import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { appendMetricPoints, LATEST_SCHEMA_VERSION, readMetricSeries, seriesSummaries, Store } from '../../../src/store';
import { fixturePath } from '../../fixturePath';
import { useTempDir } from '../helpers';

/**
 * Schema 4 rebuilds metric_series (a series becomes (run, key, dataset)). The store below was written
 * by the code before it (schema 3); its counts were read with the sqlite3 shell: 76 series, 10,860 points.
 */
describe('Store migration to MLflow 3 (schema 4)', () => {
  const tmp = useTempDir();

  it('opens a schema-3 store, migrates it, and keeps every series and every point', async () => {
    const file = path.join(tmp.path, 'store.sqlite');
    copyFileSync(fixturePath('store', 'schema-v3-mlflow-2.12.sqlite'), file);
    const { store, report } = await Store.open(file);
    assert.equal(report.migratedFrom, 3);
    assert.equal(store.schemaVersion, LATEST_SCHEMA_VERSION);
    const one = (sql: string) => Number(store.db.exec(sql)[0].values[0][0]);
    assert.equal(one('SELECT count(*) FROM metric_series'), 76);
    assert.equal(one('SELECT sum(point_count) FROM metric_series'), 10860);
    assert.equal(one("SELECT count(*) FROM metric_series WHERE dataset = ''"), 76);
    assert.equal(store.db.exec('PRAGMA foreign_key_check').length, 0);
    // Every chunk still belongs to its series: decoding all of them gives every point back.
    let decoded = 0;
    for (const [runId] of store.db.exec('SELECT id FROM runs')[0].values) {
      for (const s of seriesSummaries(store.db, Number(runId))) {
        const points = readMetricSeries(store.db, Number(runId), s.key);
        assert.equal(points.values.length, s.pointCount, s.key);
        decoded += points.values.length;
      }
    }
    assert.equal(decoded, 10860);
    assert.equal(one('SELECT count(*) FROM runs'), 30);
    assert.equal(one('SELECT count(*) FROM models'), 2);
    await store.close();
    // Reopened: nothing to migrate, nothing lost.
    const again = await Store.open(file);
    assert.equal(again.report.migratedFrom, undefined);
    assert.equal(Number(again.store.db.exec('SELECT sum(point_count) FROM metric_series')[0].values[0][0]), 10860);
    await again.store.close();
  });

  it('keeps a key logged against two datasets and without one as three series', async () => {
    const { store } = await Store.open(undefined);
    store.db.run("INSERT INTO experiments(uid, name, format) VALUES ('e', 'e', 'mlflow-file')");
    store.db.run("INSERT INTO runs(uid, experiment_id, format) VALUES ('r', 1, 'mlflow-file')");
    appendMetricPoints(store.db, 1, 'val_auc', { steps: [0, 1], timestamps: [1, 2], values: [0.7, 0.8] });
    appendMetricPoints(store.db, 1, 'val_auc', { steps: [1], timestamps: [3], values: [0.83] }, 'churn_eval');
    appendMetricPoints(store.db, 1, 'val_auc', { steps: [1], timestamps: [3], values: [0.79] }, 'churn_test');
    const summaries = seriesSummaries(store.db, 1);
    assert.deepEqual(
      summaries.map((s) => [s.key, s.dataset, s.pointCount, s.last?.value]),
      [
        ['val_auc', '', 2, 0.8],
        ['val_auc', 'churn_eval', 1, 0.83],
        ['val_auc', 'churn_test', 1, 0.79],
      ],
    );
    assert.deepEqual([...readMetricSeries(store.db, 1, 'val_auc', undefined, 'churn_test').values], [0.79]);
    await store.close();
  });
});
