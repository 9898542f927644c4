/** The registry, default-method table, column/dataset drift API and its errors. */
import assert from 'node:assert/strict';
import { binColumn, fillEmptyBins, histogramCounts, sturgesBinEdges } from '../../../src/drift/binning';
import {
  applyRule,
  type ColumnDriftResult,
  columnDrift,
  datasetDrift,
  defaultMethodFor,
  DRIFT_METHODS,
  type DriftMethodName,
} from '../../../src/drift/methods';
import { ks2samp } from '../../../src/drift/stats/ks';
import { psi } from '../../../src/drift/stats/psi';
import { DriftInputError } from '../../../src/drift/types';

const ALL_METHODS = Object.keys(DRIFT_METHODS) as DriftMethodName[];

describe('drift methods registry and API', () => {
  it("lists Evidently's thresholds and rules", () => {
    const expected: Record<DriftMethodName, [number, string, string]> = {
      ks: [0.05, 'p<=', 'pvalue'],
      chisquare: [0.05, 'p<', 'pvalue'],
      z: [0.05, 'p<', 'pvalue'],
      wasserstein: [0.1, '>=', 'distance'],
      psi: [0.1, '>=', 'distance'],
      kl_div: [0.1, '>=', 'distance'],
      jensenshannon: [0.1, '>=', 'distance'],
      hellinger: [0.1, '>=', 'distance'],
      anderson: [0.1, 'p<', 'pvalue'],
      cramer_von_mises: [0.1, 'p<=', 'pvalue'],
      ed: [0.1, '>', 'distance'],
      mannw: [0.05, 'p<', 'pvalue'],
      t_test: [0.05, 'p<', 'pvalue'],
    };
    assert.deepEqual(Object.keys(DRIFT_METHODS).sort(), Object.keys(expected).sort());
    for (const [name, [threshold, rule, kind]] of Object.entries(expected)) {
      const method = DRIFT_METHODS[name as DriftMethodName];
      assert.equal(method.defaultThreshold, threshold, name);
      assert.equal(method.rule, rule, name);
      assert.equal(method.kind, kind, name);
    }
  });

  it('applies each rule at the boundary exactly as written', () => {
    assert.equal(applyRule('p<=', 0.05, 0.05), true);
    assert.equal(applyRule('p<', 0.05, 0.05), false);
    assert.equal(applyRule('>=', 0.1, 0.1), true);
    assert.equal(applyRule('>', 0.1, 0.1), false);
    assert.equal(applyRule('p<', NaN, 0.05), null);
  });

  it("picks Evidently's default method from type, reference size and unique count", () => {
    const table: [Parameters<typeof defaultMethodFor>, DriftMethodName][] = [
      [['numerical', 1000, 6], 'ks'],
      [['numerical', 1000, 5], 'chisquare'],
      [['numerical', 1000, 3], 'chisquare'],
      [['numerical', 1000, 2], 'z'],
      [['numerical', 1000, 1], 'z'],
      [['numerical', 1001, 6], 'wasserstein'],
      [['numerical', 1001, 5], 'jensenshannon'],
      [['numerical', 1001, 2], 'jensenshannon'],
      [['categorical', 10, 3], 'chisquare'],
      [['categorical', 10, 2], 'z'],
      [['categorical', 5000, 40], 'jensenshannon'],
      [['categorical', 5000, 2], 'jensenshannon'],
    ];
    for (const [args, method] of table) assert.equal(defaultMethodFor(...args), method, JSON.stringify(args));
  });

  it('decides the default on the cleaned reference size (NaN rows do not count)', () => {
    const reference = [...Array.from({ length: 1000 }, (_, i) => i / 10), NaN, Infinity, null];
    const result = columnDrift(reference, [1, 2, 3, 4, 5, 6, 7], { columnType: 'numerical' });
    assert.equal(result.referenceRows, 1000);
    assert.equal(result.method, 'ks');
  });

  it('an empty column after cleaning is a clear error, for every method', () => {
    for (const method of ALL_METHODS) {
      const columnType = DRIFT_METHODS[method].columnTypes.includes('numerical') ? 'numerical' : 'categorical';
      assert.throws(() => columnDrift([NaN, null, Infinity, -Infinity], [1, 2, 3], { columnType, method }), (error: unknown) =>
        error instanceof DriftInputError && /reference column is empty after removing missing values/.test(error.message), method);
      assert.throws(() => columnDrift([1, 2, 3], [], { columnType, method }), (error: unknown) =>
        error instanceof DriftInputError && /current column is empty.*no rows/.test(error.message), method);
    }
    assert.throws(() => ks2samp([], [1]), DriftInputError);
    assert.throws(() => psi([null], ['a'], 'categorical'), DriftInputError);
  });

  it('refuses numerical-only methods on categorical columns', () => {
    assert.throws(() => columnDrift(['a', 'b'], ['a'], { columnType: 'categorical', method: 'ks' }), DriftInputError);
  });

  it('uses an explicit threshold and reports drift by the method rule', () => {
    const reference = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const current = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
    const loose = columnDrift(reference, current, { columnType: 'numerical', method: 'ks', threshold: 0.5 });
    const strict = columnDrift(reference, current, { columnType: 'numerical', method: 'ks', threshold: 1e-6 });
    assert.equal(loose.score, strict.score);
    assert.equal(loose.drifted, true);
    assert.equal(strict.drifted, false);
  });

  it('mannw: the two-sided option catches a shift Evidently\'s one-sided "less" misses', () => {
    const reference = Array.from({ length: 50 }, (_, i) => i);
    const current = reference.map((v) => v - 30);
    assert.equal(columnDrift(reference, current, { columnType: 'numerical', method: 'mannw' }).drifted, false);
    assert.equal(columnDrift(reference, current, { columnType: 'numerical', method: 'mannw', mannWhitneyAlternative: 'two-sided' }).drifted, true);
  });

  it('dataset drift: share of drifted columns ≥ drift share; undecided columns count as not drifted', () => {
    const column = (drifted: boolean | null): ColumnDriftResult => ({
      method: 'ks', kind: 'pvalue', rule: 'p<=', score: 0, threshold: 0.05, drifted, defaultMethod: true,
      referenceRows: 1, currentRows: 1, uniqueCount: 1, details: {}, warnings: [],
    });
    const half = datasetDrift([column(true), column(false), column(true), column(null)]);
    assert.equal(half.share, 0.5);
    assert.equal(half.driftedCount, 2);
    assert.equal(half.drifted, true, '0.5 ≥ 0.5');
    assert.equal(datasetDrift([column(true), column(false), column(false)]).drifted, false);
    assert.equal(datasetDrift([column(true), column(false), column(false)], 0.3).drifted, true);
    assert.deepEqual(datasetDrift([]).drifted, false);
  });

  it('binning helpers agree with NumPy on hand-checked inputs', () => {
    // 8 values: log2(8) + 1 = 4 bins over [0, 8]
    assert.deepEqual(sturgesBinEdges([0, 1, 2, 3, 4, 5, 6, 8]), [0, 2, 4, 6, 8]);
    // One value: numpy widens to [v − 0.5, v + 0.5] with one bin.
    assert.deepEqual(sturgesBinEdges([3, 3, 3]), [2.5, 3.5]);
    // Left-closed bins, last bin closed on the right, outside values dropped.
    assert.deepEqual(histogramCounts([0, 2, 2, 3.9, 4, 8, -1, 9], [0, 2, 4, 6, 8]), [1, 3, 1, 1]);
    const filled = fillEmptyBins([0.5, 0, 0.5]);
    assert.deepEqual(filled.shares, [0.5, 0.0001, 0.5]);
    assert.equal(fillEmptyBins([0.99995, 0.00005, 0]).fill, 0.00005 / 1e6);
    const perValue = binColumn(['b', 'a', 'b'], ['c'], 'categorical');
    assert.deepEqual(perValue.keys, ['a', 'b', 'c']);
    assert.deepEqual(perValue.referenceCounts, [1, 2, 0]);
  });
});
