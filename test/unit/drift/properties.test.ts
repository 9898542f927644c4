/** Properties every method must keep, on random data (fast-check). */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { columnDrift, DRIFT_METHODS, type DriftMethodName } from '../../../src/drift/methods';
import { andersonKSamp } from '../../../src/drift/stats/anderson';
import { cramerVonMises2Samp } from '../../../src/drift/stats/cramer_von_mises';
import { energyDistance } from '../../../src/drift/stats/energy_distance';
import { hellingerDistance } from '../../../src/drift/stats/hellinger';
import { jensenShannonDistance } from '../../../src/drift/stats/jensenshannon';
import { ks2samp } from '../../../src/drift/stats/ks';
import { mannWhitneyU } from '../../../src/drift/stats/mannw';
import { psiFromShares } from '../../../src/drift/stats/psi';
import { tTest } from '../../../src/drift/stats/t_test';
import { wassersteinDistance } from '../../../src/drift/stats/wasserstein';
import { twoProportionZTest } from '../../../src/drift/stats/z';
import { DriftComputationError, type RawValue } from '../../../src/drift/types';

const NUMERIC_METHODS = Object.keys(DRIFT_METHODS) as DriftMethodName[];
const CATEGORICAL_METHODS = NUMERIC_METHODS.filter((m) => DRIFT_METHODS[m].columnTypes.includes('categorical'));

/** Small integers make ties and few-unique columns common; the scale spreads them out. */
const numericColumn = fc
  .tuple(fc.array(fc.integer({ min: -40, max: 40 }), { minLength: 2, maxLength: 60 }), fc.constantFrom(1, 0.37, 1e-3, 1e6))
  .map(([values, scale]) => values.map((v) => v * scale));
const categoricalColumn = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 1, maxLength: 60 });
const withMissing = (column: fc.Arbitrary<RawValue[]>) =>
  fc.tuple(column, fc.array(fc.constantFrom<RawValue>(NaN, null, Infinity, -Infinity), { maxLength: 5 })).map(([values, missing]) => [...values, ...missing]);

function relativelyEqual(a: number, b: number, rtol = 1e-12): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  return Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b), 1e-300) || Math.abs(a - b) <= 1e-15;
}

/** Only Anderson–Darling refuses data (a single distinct value), as SciPy does. */
function tryColumnDrift(reference: RawValue[], current: RawValue[], columnType: 'numerical' | 'categorical', method: DriftMethodName) {
  try {
    return columnDrift(reference, current, { columnType, method });
  } catch (error) {
    if (error instanceof DriftComputationError && method === 'anderson') return undefined;
    throw error;
  }
}

describe('drift properties', () => {
  it('identical samples never drift, for every method (numerical)', () => {
    fc.assert(
      fc.property(withMissing(numericColumn), (column) => {
        for (const method of NUMERIC_METHODS) {
          const result = tryColumnDrift(column, [...column], 'numerical', method);
          if (result) assert.notEqual(result.drifted, true, `${method} flagged identical samples (score ${result.score})`);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('identical samples never drift, for every method (categorical)', () => {
    fc.assert(
      fc.property(withMissing(categoricalColumn), (column) => {
        for (const method of CATEGORICAL_METHODS) {
          const result = columnDrift(column, [...column], { columnType: 'categorical', method });
          assert.notEqual(result.drifted, true, `${method} flagged identical samples (score ${result.score})`);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('scores are finite p-values in [0, 1] or finite distances ≥ 0; NaN only where documented', () => {
    fc.assert(
      fc.property(withMissing(numericColumn), withMissing(numericColumn), (reference, current) => {
        for (const method of NUMERIC_METHODS) {
          const result = tryColumnDrift(reference, current, 'numerical', method);
          if (!result) continue;
          if (Number.isNaN(result.score)) {
            // t-test on two constant columns, chi-square with one category in total.
            assert.ok(method === 't_test' || method === 'chisquare', `${method} gave NaN`);
            assert.equal(result.drifted, null);
            continue;
          }
          assert.ok(Number.isFinite(result.score), `${method}: ${result.score}`);
          if (result.kind === 'pvalue') assert.ok(result.score >= 0 && result.score <= 1, `${method}: p = ${result.score}`);
          else assert.ok(result.score >= 0, `${method}: ${result.score}`);
          if (method === 'jensenshannon') assert.ok(result.score <= Math.sqrt(Math.LN2) + 1e-15);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('categorical scores are finite; a category new in current makes the chi-square statistic +inf and p = 0', () => {
    fc.assert(
      fc.property(withMissing(categoricalColumn), withMissing(categoricalColumn), (reference, current) => {
        for (const method of CATEGORICAL_METHODS) {
          const result = columnDrift(reference, current, { columnType: 'categorical', method });
          if (Number.isNaN(result.score)) {
            assert.equal(method, 'chisquare');
            continue;
          }
          assert.ok(Number.isFinite(result.score), `${method}: ${result.score}`);
          if (method === 'chisquare') {
            const newCategory = (current as RawValue[]).some((c) => typeof c === 'string' && !(reference as RawValue[]).includes(c));
            if (newCategory) {
              assert.equal(result.details.statistic, Infinity);
              assert.equal(result.score, 0);
            } else {
              assert.ok(Number.isFinite(result.details.statistic as number));
            }
          }
        }
      }),
      { numRuns: 80 },
    );
  });

  it('symmetric statistics stay symmetric when reference and current are swapped', () => {
    fc.assert(
      fc.property(numericColumn, numericColumn, (a, b) => {
        const ksAB = ks2samp(a, b);
        const ksBA = ks2samp(b, a);
        assert.equal(ksAB.statistic, ksBA.statistic);
        assert.equal(ksAB.pvalue, ksBA.pvalue);
        assert.ok(relativelyEqual(ks2samp(a, b, 'asymp').pvalue, ks2samp(b, a, 'asymp').pvalue));
        assert.equal(energyDistance(a, b), energyDistance(b, a));
        assert.equal(wassersteinDistance(a, b), wassersteinDistance(b, a));
        assert.ok(relativelyEqual(hellingerDistance(a, b, 'numerical'), hellingerDistance(b, a, 'numerical')));
        const cvmAB = cramerVonMises2Samp(a, b);
        const cvmBA = cramerVonMises2Samp(b, a);
        assert.ok(relativelyEqual(cvmAB.statistic, cvmBA.statistic));
        assert.ok(relativelyEqual(cvmAB.pvalue, cvmBA.pvalue, 1e-9));
        const tAB = tTest(a, b);
        const tBA = tTest(b, a);
        assert.ok(relativelyEqual(tAB.statistic, -tBA.statistic));
        assert.ok(relativelyEqual(tAB.pvalue, tBA.pvalue, 1e-9));
        assert.ok(relativelyEqual(mannWhitneyU(a, b, 'two-sided').pvalue, mannWhitneyU(b, a, 'two-sided').pvalue, 1e-12));
        assert.ok(relativelyEqual(twoProportionZTest(a, b).pvalue, twoProportionZTest(b, a).pvalue));
        if (new Set([...a, ...b]).size > 1) {
          assert.ok(relativelyEqual(andersonKSamp(a, b).statistic, andersonKSamp(b, a).statistic, 1e-10));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('share-based distances are symmetric in their two share vectors', () => {
    const shares = fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 12 }).filter((c) => c.some((v) => v > 0));
    fc.assert(
      fc.property(shares, shares, (x, y) => {
        const length = Math.min(x.length, y.length);
        const p = x.slice(0, length);
        const q = y.slice(0, length);
        if (!p.some((v) => v > 0) || !q.some((v) => v > 0)) return;
        const ps = p.map((v) => v / p.reduce((s, w) => s + w, 0));
        const qs = q.map((v) => v / q.reduce((s, w) => s + w, 0));
        assert.ok(relativelyEqual(jensenShannonDistance(ps, qs), jensenShannonDistance(qs, ps)));
        assert.ok(relativelyEqual(psiFromShares(ps, qs), psiFromShares(qs, ps)));
      }),
      { numRuns: 200 },
    );
  });
});
