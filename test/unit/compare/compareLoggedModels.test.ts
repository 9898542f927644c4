import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildComparison, fetchRange } from '../../../src/compare/compareData';
import { mlflowFileStoreImporter } from '../../../src/ingest/mlflow/fileStore';
import { listLoggedModels } from '../../../src/tracking/loggedModels';
import { useTempDir } from '../helpers';
import { copyFixture, FIXTURES, scanWith } from '../ingest/engineHelpers';

const FIXTURE = 'mlflow/mlflow-3.11-generated';

interface ExpectedModel {
  model_id: string;
  params: Record<string, string>;
  metrics: { key: string; value: number; step: number; timestamp: number; dataset_name?: string }[];
}

describe('comparison with MLflow 3 LoggedModels beside runs', () => {
  const tmp = useTempDir();

  it('compares two LoggedModels (checkpoint vs checkpoint) and a run, series per dataset', async () => {
    const root = copyFixture(path.join(FIXTURE, 'file-store'), tmp.path);
    const expected = (JSON.parse(readFileSync(path.join(FIXTURES, FIXTURE, 'expected-file.json'), 'utf8')) as { logged_models: ExpectedModel[] }).logged_models;
    const scanned = await scanWith(root, [mlflowFileStoreImporter]);
    const models = listLoggedModels(scanned.store.db);
    const logreg = models.find((m) => m.name === 'churn-logreg')!;
    const gbm = models.find((m) => m.name === 'churn-gbm')!;
    const run = scanned.runs().find((r) => r.id === logreg.sourceRunId)!;
    const comparison = buildComparison(scanned.store.db, [logreg.uid, gbm.uid, run.uid]);
    assert.deepEqual(comparison.missingUids, []);
    assert.deepEqual(comparison.runs.map((r) => r.id), [logreg.modelId, gbm.modelId, run.id]);
    assert.deepEqual(comparison.runs.map((r) => r.status), ['READY', 'READY', 'FINISHED']);
    // Params of each LoggedModel as MLflow reports them.
    for (const [index, model] of [logreg, gbm].entries()) {
      const want = expected.find((m) => m.model_id === model.modelId)!;
      for (const [key, value] of Object.entries(want.params)) assert.equal(comparison.params.find((p) => p.key === key)!.values[index], value, key);
    }
    // val_auc logged against churn_eval: its own row, the latest value of each model's points.
    const row = comparison.metrics.find((m) => m.key === 'val_auc[churn_eval]')!;
    for (const [index, model] of [logreg, gbm].entries()) {
      const points = expected.find((m) => m.model_id === model.modelId)!.metrics.filter((p) => p.key === 'val_auc' && p.dataset_name === 'churn_eval');
      const latest = points.reduce((a, b) => (b.step > a.step || (b.step === a.step && b.timestamp > a.timestamp) ? b : a));
      assert.equal(row.cells[index]!.last!.value, latest.value);
    }
    const zoom = fetchRange(scanned.store.db, logreg.uid, 'val_auc[churn_eval]', 0, 10, 100)!;
    assert.equal(zoom.totalPoints, 2);
    await scanned.store.close();
  });
});
