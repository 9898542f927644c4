import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { forestImportance, loadRunsTableData, parameterImportance, pearson } from '../../../src/runsTable';
import { fixturePath } from '../../fixturePath';
import { storeWithRuns, type SweepRun } from './storeFixture';

const fixture = JSON.parse(readFileSync(fixturePath('runsTable', 'importance.json'), 'utf8')) as { runs: SweepRun[]; correlation: Record<string, number>; forestRuns: SweepRun[] };

describe('parameter importance (against make_importance.py)', () => {
  it('reports the Pearson correlation numpy computed, text params one-hot', async () => {
    const store = await storeWithRuns(fixture.runs);
    const data = loadRunsTableData(store.db);
    const result = parameterImportance(data, data.runs.map((_, i) => i), 'val_loss');
    assert.equal(result.runs, 60);
    for (const [feature, expected] of Object.entries(fixture.correlation)) {
      const row = result.rows.find((r) => r.feature === feature);
      assert.ok(row, feature);
      assert.ok(Math.abs(row.correlation! - expected) < 1e-9, `${feature}: ${row.correlation} vs ${expected}`);
    }
    assert.equal(result.rows[0].feature, 'lr');
    assert.match(result.importanceMethod, /Random forest/);
    assert.match(result.correlationMethod, /Pearson/);
    const sum = result.rows.reduce((s, r) => s + (r.importance ?? 0), 0);
    assert.ok(Math.abs(sum - 1) < 1e-9);
  });

  it('ranks a param that determines the metric first and an unrelated one near 0', async () => {
    const store = await storeWithRuns(fixture.forestRuns);
    const data = loadRunsTableData(store.db);
    const result = parameterImportance(data, data.runs.map((_, i) => i), 'val_loss');
    assert.deepEqual(result.rows.map((r) => r.feature), ['lr', 'seed']);
    assert.ok(result.rows[0].importance! > 0.9, String(result.rows[0].importance));
    assert.ok(result.rows[1].importance! < 0.1, String(result.rows[1].importance));
  });

  it('a hand case: y = x splits once on x and never on z', () => {
    // x = [0,0,1,1], y = x, z = [0,1,0,1]: one split on x leaves pure leaves, so x gets all of it.
    const importances = forestImportance([Float64Array.of(0, 0, 1, 1), Float64Array.of(0, 1, 0, 1)], Float64Array.of(0, 0, 1, 1), { trees: 20 });
    assert.deepEqual(importances, [1, 0]);
  });

  it('pearson: hand values, constant and missing input', () => {
    // x = 1,2,3, y = 2,4,7: mean 2, 13/3; cov = (-1)(-7/3)+0+(1)(8/3) = 5; vx = 2; vy = 49/9+1/9+64/9 = 38/3.
    assert.ok(Math.abs(pearson([1, 2, 3], [2, 4, 7])! - 5 / Math.sqrt(2 * (38 / 3))) < 1e-12);
    assert.equal(pearson([1, 1, 1], [1, 2, 3]), null);
    assert.equal(pearson([1, null, 3, 4], [1, 5, 3, 4]), 1);
  });

  it('says why when it cannot compute: unknown metric, too few runs, all NaN, no params', async () => {
    const store = await storeWithRuns([
      { uid: 'a', name: 'a', start: 0, params: {}, metrics: { loss: null } },
      { uid: 'b', name: 'b', start: 1, params: {}, metrics: { loss: null } },
      { uid: 'c', name: 'c', start: 2, params: {}, metrics: { loss: null, acc: 1 } },
      { uid: 'd', name: 'd', start: 3, params: {}, metrics: { acc: 2 } },
      { uid: 'e', name: 'e', start: 4, params: {}, metrics: { acc: 3 } },
    ]);
    const data = loadRunsTableData(store.db);
    const all = data.runs.map((_, i) => i);
    assert.match(parameterImportance(data, all, 'nope').note!, /No metric/);
    assert.match(parameterImportance(data, all, 'loss').note!, /at least 3 runs/);
    assert.match(parameterImportance(data, all, 'acc').note!, /No param varies/);
  });
});
