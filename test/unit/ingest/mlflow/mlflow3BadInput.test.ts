import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mlflowFileStoreImporter } from '../../../../src/ingest/mlflow/fileStore';
import { mlflowSqliteImporter } from '../../../../src/ingest/mlflow/sqliteStore';
import { loadSqlJs } from '../../../../src/store';
import { listLoggedModels } from '../../../../src/tracking/loggedModels';
import { useTempDir } from '../../helpers';
import { copyFixture, scanWith } from '../engineHelpers';

const FIXTURE = 'mlflow/mlflow-3.11-generated';
const BASELINE = '901843683440962061';
const LOGREG_RUN = '0cd39b16e8114842a898fc5df8d8a4ed';
const LOGREG_MODEL = 'm-41b13f166e514f35a2e9a2f759ecde05';

describe('MLflow 3 bad input: one diagnostic each, the rest imported', () => {
  const tmp = useTempDir();

  it('file store: 7 fields, a digest with spaces, a model folder without meta.yaml, an unknown status', async () => {
    const root = copyFixture(path.join(FIXTURE, 'file-store'), tmp.path);
    const experiment = path.join(root, 'mlruns', BASELINE);
    const lossFile = path.join(experiment, LOGREG_RUN, 'metrics', 'train_loss');
    appendFileSync(lossFile, '1796527440999 0.05 10 churn_eval 03b8250c extra\n'); // 7 fields
    const aucFile = path.join(experiment, LOGREG_RUN, 'metrics', 'val_auc');
    appendFileSync(aucFile, '1796527440999 0.9 5 churn_eval 03b8 250c\n'); // a digest with a space: 6 fields in a run's file
    mkdirSync(path.join(experiment, 'models', 'm-00000000000000000000000000000000', 'params'), { recursive: true });
    writeFileSync(path.join(experiment, 'models', 'm-00000000000000000000000000000000', 'params', 'C'), '1.0');
    const modelMeta = path.join(experiment, 'models', LOGREG_MODEL, 'meta.yaml');
    writeFileSync(modelMeta, readFileSync(modelMeta, 'utf8').replace('status: 2', 'status: 7'));

    const scanned = await scanWith(root, [mlflowFileStoreImporter]);
    const diagnostics = scanned.summary.diagnostics.map((d) => `${path.relative(root, d.file)}${d.position ? `:${d.position}` : ''}`).sort();
    assert.deepEqual(diagnostics, [
      `mlruns/${BASELINE}/${LOGREG_RUN}/metrics/train_loss:line 11`,
      `mlruns/${BASELINE}/${LOGREG_RUN}/metrics/val_auc:line 3`,
      `mlruns/${BASELINE}/models/m-00000000000000000000000000000000`,
      `mlruns/${BASELINE}/models/${LOGREG_MODEL}/meta.yaml`,
    ]);
    // Everything else: the 10 good train_loss points, both models' worth of LoggedModels (6, the broken status read as UNSPECIFIED).
    const logreg = scanned.runs().find((r) => r.id === LOGREG_RUN)!;
    assert.equal(logreg.metrics.train_loss, 0.1);
    const models = listLoggedModels(scanned.store.db);
    assert.equal(models.length, 6);
    assert.equal(models.find((m) => m.modelId === LOGREG_MODEL)!.status, 'UNSPECIFIED');
    await scanned.store.close();
  });

  it('SQLite: an unknown status and a logged_model_metrics row pointing at a missing model', async () => {
    const dir = path.join(tmp.path, 'db');
    mkdirSync(dir);
    const file = path.join(dir, 'mlflow.db');
    const SQL = await loadSqlJs();
    const db = new SQL.Database(readFileSync(path.join(copyFixture(path.join(FIXTURE, 'sqlite-store'), tmp.path), 'mlflow.db')));
    db.run("UPDATE logged_models SET status = 9 WHERE name = 'churn-gbm'");
    db.run("INSERT INTO logged_model_metrics VALUES ('m-missing', 'val_auc', 1, 0, 0.5, 1, '3e029d698c114a5dbe844b4acd616d40', NULL, NULL, NULL)");
    writeFileSync(file, db.export());
    db.close();

    const scanned = await scanWith(dir, [mlflowSqliteImporter]);
    const diagnostics = scanned.summary.diagnostics.map((d) => `${path.basename(d.file)}:${d.position}`);
    assert.equal(diagnostics.length, 2, diagnostics.join('\n'));
    assert.match(diagnostics.find((d) => d.includes('logged_models,'))!, /^mlflow\.db:table logged_models, row \d+$/);
    assert.match(diagnostics.find((d) => d.includes('logged_model_metrics'))!, /^mlflow\.db:table logged_model_metrics, row \d+$/);
    const models = listLoggedModels(scanned.store.db);
    assert.equal(models.length, 6);
    assert.equal(models.find((m) => m.name === 'churn-gbm')!.status, 'UNSPECIFIED');
    assert.equal(scanned.counts.runs, 11);
    await scanned.store.close();
  });
});
