// Expected values are counted by hand from the confusion matrices (scikit-learn's definitions:
// precision tp/(tp+fp), recall tp/(tp+fn), F1 2tp/(2tp+fp+fn), macro = unweighted mean over the
// labels in y_true ∪ y_pred, 0 for a 0/0 ratio as zero_division=0 gives), checked with python3.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readDataset } from '../../../src/datasets';
import { classificationScores, performanceOverTime, regressionScores } from '../../../src/monitoring/performance';
import { useTempDir } from '../helpers';

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} vs ${expected}`);

describe('monitoring: performance metrics', () => {
  const tmp = useTempDir();

  it('binary: tp 4, fp 2, fn 2, tn 2', () => {
    const y = [1, 0, 1, 1, 0, 1, 0, 0, 1, 1];
    const p = [1, 0, 0, 1, 1, 1, 0, 1, 1, 0];
    const s = classificationScores(y, p);
    assert.equal(s.average, 'binary');
    close(s.accuracy, 0.6, 'accuracy');
    close(s.precision, 4 / 6, 'precision');
    close(s.recall, 4 / 6, 'recall');
    close(s.f1, 0.6666666666666666, 'f1');
  });

  it('binary with string labels and missing pairs skipped', () => {
    const s = classificationScores(['1', '0', null, '1'], ['1', '1', '1', null]);
    // Pairs (1,1) and (0,1): tp 1, fp 1, fn 0.
    assert.equal(s.count, 2);
    close(s.precision, 0.5, 'precision');
    close(s.recall, 1, 'recall');
    close(s.f1, 2 / 3, 'f1');
  });

  it('multiclass: macro average over labels in either column, a label never true scores 0', () => {
    const y = ['cat', 'dog', 'bird', 'cat', 'dog', 'bird', 'cat', 'cat'];
    const p = ['cat', 'cat', 'bird', 'dog', 'dog', 'cat', 'cat', 'fish'];
    const s = classificationScores(y, p);
    assert.equal(s.average, 'macro');
    close(s.accuracy, 0.5, 'accuracy');
    // bird P 1 R 0.5 F 2/3; cat P .5 R .5 F .5; dog P .5 R .5 F .5; fish P 0 R 0 F 0.
    close(s.precision, 0.5, 'precision');
    close(s.recall, 0.375, 'recall');
    close(s.f1, 0.41666666666666663, 'f1');
  });

  it('regression: MAE and RMSE', () => {
    const s = regressionScores([3, -0.5, 2, 7], [2.5, 0, 2, 8]);
    close(s.mae, 0.5, 'mae');
    close(s.rmse, 0.6123724356957945, 'rmse');
  });

  it('an empty window gives NaN, not a crash', () => {
    assert.ok(Number.isNaN(classificationScores([], []).f1));
    assert.ok(Number.isNaN(regressionScores([], []).rmse));
  });

  it('per day and per prediction column (a backtest on the same windows)', async () => {
    const file = path.join(tmp.path, 'current.csv');
    writeFileSync(
      file,
      [
        'timestamp,x,label,prediction,prediction_v2',
        // Day 1: champion tp 2 fp 0 fn 0 → F1 1; challenger tp 1 fp 0 fn 1 → F1 2/3.
        '2026-11-01T01:00:00,1,1,1,1',
        '2026-11-01T05:00:00,2,1,1,0',
        '2026-11-01T09:00:00,3,0,0,0',
        // Day 2: champion tp 1 fp 1 fn 1 → F1 0.5; challenger tp 2 fp 0 fn 0 → F1 1.
        '2026-11-02T01:00:00,4,1,1,1',
        '2026-11-02T02:00:00,5,1,0,1',
        '2026-11-02T03:00:00,6,0,1,0',
        // No timestamp: in no window.
        ',7,1,0,0',
      ].join('\n') + '\n',
    );
    const { dataset } = await readDataset(file, { timestampColumn: 'timestamp' });
    const perf = performanceOverTime(dataset, { timestampColumn: 'timestamp', labelColumn: 'label', predictionColumns: ['prediction', 'prediction_v2'], window: 'day' });
    assert.equal(perf.task, 'classification');
    assert.deepEqual(
      perf.windows.map((w) => [new Date(w.start).toISOString(), w.rows]),
      [
        ['2026-11-01T00:00:00.000Z', 3],
        ['2026-11-02T00:00:00.000Z', 3],
      ],
    );
    assert.deepEqual(perf.series[0].values.f1, [1, 0.5]);
    close(perf.series[1].values.f1[0], 2 / 3, 'challenger day 1');
    assert.equal(perf.series[1].values.f1[1], 1);
  });

  it('a missing label column is a clear error', async () => {
    const file = path.join(tmp.path, 'c.csv');
    writeFileSync(file, 'timestamp,prediction\n2026-11-01T00:00:00,1\n');
    const { dataset } = await readDataset(file, { timestampColumn: 'timestamp' });
    assert.throws(() => performanceOverTime(dataset, { timestampColumn: 'timestamp', labelColumn: 'label', predictionColumns: ['prediction'], window: 'day' }), /no label column "label"/);
  });
});
