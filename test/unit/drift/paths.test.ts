/** Code paths the fixtures do not reach, against SciPy values (see scipyPaths.ts). */
import assert from 'node:assert/strict';
import { cramerVonMises2Samp } from '../../../src/drift/stats/cramer_von_mises';
import { ks2samp } from '../../../src/drift/stats/ks';
import { mannWhitneyU } from '../../../src/drift/stats/mannw';
import { tTest } from '../../../src/drift/stats/t_test';
import { assertPValue, assertStatistic } from './assertions';
import { mulberry32, sha256Float64LE } from './fixtures';
import { CVM_EXACT, KS_BIG, KS_SMALL, MANNW_EXACT, WELCH } from './scipyPaths';

/** Irwin–Hall "normal" from mulberry32: exact additions only, so Python and V8 agree bit for bit. */
function irwinHall(seed: number, n: number, mu: number, sigma: number): number[] {
  const rand = mulberry32(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < 12; k++) s += rand();
    out.push(mu + sigma * (s - 6));
  }
  return out;
}

describe('drift statistics: paths beyond the fixtures', () => {
  KS_SMALL.forEach((c, i) => {
    it(`ks exact and forced-asymptotic, small samples #${i} (n = ${c.a.length}/${c.b.length})`, () => {
      const exact = ks2samp(c.a, c.b, 'exact');
      assert.equal(exact.mode, 'exact');
      assertStatistic(exact.statistic, c.d, 'D exact');
      assertPValue(exact.pvalue, c.pExact, 'p exact');
      assert.deepEqual(ks2samp(c.a, c.b).pvalue, exact.pvalue, "'auto' is exact for small samples");
      const asymp = ks2samp(c.a, c.b, 'asymp');
      assertStatistic(asymp.statistic, c.dAsymp, 'D asymp');
      assertPValue(asymp.pvalue, c.pAsymp, 'p asymp');
    });
  });

  KS_BIG.forEach((c) => {
    it(`ks auto → asymptotic for ${c.nA}/${c.nB} (kstwo with n = round(${c.nA}·${c.nB}/${c.nA + c.nB}))`, () => {
      const a = irwinHall(c.seedA, c.nA, 0, 1);
      const b = irwinHall(c.seedB, c.nB, c.mu, 1);
      assert.equal(sha256Float64LE(a), c.sha256A, 'generated sample matches the Python one bit for bit');
      const result = ks2samp(a, b);
      assert.equal(result.mode, 'asymp');
      assertStatistic(result.statistic, c.d, 'D');
      assertPValue(result.pvalue, c.p, 'p');
      assert.ok(Math.abs(result.pvalue - c.p) <= 1e-10 * c.p, `relative ${Math.abs(result.pvalue - c.p) / c.p}`);
    });
  });

  CVM_EXACT.forEach((c, i) => {
    it(`cramer_von_mises exact p-value #${i} (n = ${c.a.length}/${c.b.length})`, () => {
      const result = cramerVonMises2Samp(c.a, c.b);
      assert.equal(result.mode, 'exact');
      assertStatistic(result.statistic, c.t, 'T');
      assertPValue(result.pvalue, c.p, 'p');
    });
  });

  MANNW_EXACT.forEach((c, i) => {
    it(`mannw exact distribution #${i} (n = ${c.a.length}/${c.b.length}, no ties)`, () => {
      const less = mannWhitneyU(c.a, c.b, 'less');
      assert.equal(less.mode, 'exact');
      assertStatistic(less.statistic, c.u, 'U');
      assertPValue(less.pvalue, c.less, 'less');
      assertPValue(mannWhitneyU(c.a, c.b, 'greater').pvalue, c.greater, 'greater');
      assertPValue(mannWhitneyU(c.a, c.b, 'two-sided').pvalue, c.twoSided, 'two-sided');
    });
  });

  it("t_test with Welch's option", () => {
    const result = tTest(WELCH.a, WELCH.b, false);
    assertStatistic(result.statistic, WELCH.t, 't');
    assertStatistic(result.df, WELCH.df, 'df');
    assertPValue(result.pvalue, WELCH.p, 'p');
  });
});
