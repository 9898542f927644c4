/**
 * Every reference case in test/fixtures/drift, every value it lists: statistics to 1e-9
 * relative, p-values to 1e-9 absolute (Cramér–von Mises asymptotic p-values below 1e-7 as
 * "< 1e-6"), Evidently's default method and verdicts, binning, errors and warnings.
 */
import assert from 'node:assert/strict';
import { binColumn, fillEmptyBins } from '../../../src/drift/binning';
import { columnDrift, defaultMethodFor, DRIFT_METHODS, isDriftMethodName } from '../../../src/drift/methods';
import { andersonKSamp } from '../../../src/drift/stats/anderson';
import { cleanCategorical, cleanNumeric } from '../../../src/drift/stats/arrays';
import { chisquareDrift } from '../../../src/drift/stats/chisquare';
import { cramerVonMises2Samp } from '../../../src/drift/stats/cramer_von_mises';
import { energyDistance } from '../../../src/drift/stats/energy_distance';
import { hellingerDistance } from '../../../src/drift/stats/hellinger';
import { jensenShannon } from '../../../src/drift/stats/jensenshannon';
import { klDiv } from '../../../src/drift/stats/kl_div';
import { ks2samp } from '../../../src/drift/stats/ks';
import { mannWhitneyU } from '../../../src/drift/stats/mannw';
import { psi } from '../../../src/drift/stats/psi';
import { kolmogorovLimitSf } from '../../../src/drift/stats/special';
import { tTest } from '../../../src/drift/stats/t_test';
import { wassersteinNormed } from '../../../src/drift/stats/wasserstein';
import { twoProportionZTest } from '../../../src/drift/stats/z';
import { DriftComputationError, type RawValue } from '../../../src/drift/types';
import { assertCvmPValue, assertPValue, assertStatistic } from './assertions';
import { asNumbers, caseColumns, type DriftCase, expectedFor, loadCases, loadIndex, sha256Float64LE } from './fixtures';

type Columns = { reference: RawValue[]; current: RawValue[] };
type Checker = (cols: Columns, c: DriftCase) => number | string | (number | string)[];

/** What each fixture key is computed by; p-value keys are recognised by their name. */
const CHECKERS: Record<string, Checker> = {
  n_reference_clean: (cols, c) => (c.kind === 'numerical' ? cleanNumeric(cols.reference) : cleanCategorical(cols.reference)).length,
  n_current_clean: (cols, c) => (c.kind === 'numerical' ? cleanNumeric(cols.current) : cleanCategorical(cols.current)).length,
  ks_statistic: (cols) => ks2samp(asNum(cols.reference), asNum(cols.current)).statistic,
  ks_pvalue: (cols) => ks2samp(asNum(cols.reference), asNum(cols.current)).pvalue,
  ks_pvalue_mode: (cols) => ks2samp(asNum(cols.reference), asNum(cols.current)).mode,
  ks_pvalue_asymp_scipy: (cols) => ks2samp(asNum(cols.reference), asNum(cols.current), 'asymp').pvalue,
  ks_pvalue_kolmogorov_limit: (cols) => {
    const n1 = cleanNumeric(cols.reference).length;
    const n2 = cleanNumeric(cols.current).length;
    const d = ks2samp(asNum(cols.reference), asNum(cols.current), 'asymp').statistic;
    return kolmogorovLimitSf(Math.sqrt((n1 * n2) / (n1 + n2)) * d);
  },
  wasserstein: (cols) => wassersteinNormed(asNum(cols.reference), asNum(cols.current)).distance,
  reference_std_ddof0: (cols) => wassersteinNormed(asNum(cols.reference), asNum(cols.current)).referenceStd,
  wasserstein_normed: (cols) => wassersteinNormed(asNum(cols.reference), asNum(cols.current)).normed,
  psi: (cols, c) => psi(cols.reference, cols.current, c.kind),
  kl_div: (cols, c) => klDiv(cols.reference, cols.current, c.kind),
  jensenshannon: (cols, c) => jensenShannon(cols.reference, cols.current, c.kind),
  hellinger: (cols, c) => hellingerDistance(cols.reference, cols.current, c.kind),
  anderson_statistic: (cols) => andersonKSamp(asNum(cols.reference), asNum(cols.current)).statistic,
  anderson_pvalue: (cols) => andersonKSamp(asNum(cols.reference), asNum(cols.current)).pvalue,
  cramer_von_mises_statistic: (cols) => cramerVonMises2Samp(asNum(cols.reference), asNum(cols.current)).statistic,
  cramer_von_mises_pvalue: (cols) => cramerVonMises2Samp(asNum(cols.reference), asNum(cols.current)).pvalue,
  cramer_von_mises_mode: (cols) => cramerVonMises2Samp(asNum(cols.reference), asNum(cols.current)).mode,
  mannwhitneyu_U_reference: (cols) => mannWhitneyU(asNum(cols.reference), asNum(cols.current)).statistic,
  mannwhitneyu_pvalue_two_sided: (cols) => mannWhitneyU(asNum(cols.reference), asNum(cols.current), 'two-sided').pvalue,
  mannwhitneyu_pvalue_less: (cols) => mannWhitneyU(asNum(cols.reference), asNum(cols.current), 'less').pvalue,
  energy_distance: (cols) => energyDistance(asNum(cols.reference), asNum(cols.current)),
  t_test_statistic: (cols) => tTest(asNum(cols.reference), asNum(cols.current)).statistic,
  t_test_pvalue: (cols) => tTest(asNum(cols.reference), asNum(cols.current)).pvalue,
  z_pvalue: (cols) => twoProportionZTest(cols.reference, cols.current).pvalue,
  chisquare_statistic: (cols) => chisquareDrift(cols.reference, cols.current).statistic,
  chisquare_pvalue: (cols) => chisquareDrift(cols.reference, cols.current).pvalue,
  categories: (cols) => chisquareDrift(cols.reference, cols.current).categories as (number | string)[],
  reference_counts: (cols) => chisquareDrift(cols.reference, cols.current).referenceCounts,
  current_counts: (cols) => chisquareDrift(cols.reference, cols.current).currentCounts,
};

/** Values the fixtures list for tools this module does not implement (not in the brief's method list). */
const NOT_IMPLEMENTED: Record<string, string> = {
  epps_singleton_statistic: 'Epps–Singleton (Evidently "es") is not implemented',
  epps_singleton_pvalue: 'Epps–Singleton (Evidently "es") is not implemented',
  chi2_contingency_statistic: 'chi² contingency (Alibi/NannyML style) is not implemented',
  chi2_contingency_pvalue: 'chi² contingency is not implemented',
  chi2_contingency_dof: 'chi² contingency is not implemented',
  chi2_contingency_statistic_no_yates: 'chi² contingency is not implemented',
  chi2_contingency_pvalue_no_yates: 'chi² contingency is not implemented',
  g_test_pvalue: 'G-test is not implemented',
  fisher_exact_pvalue: 'Fisher exact test is not implemented',
  tvd: 'TVD is not implemented',
};
const UNSUPPORTED_VERDICTS = new Set(['es', 'g_test', 'fisher_exact', 'TVD']);

function asNum(values: RawValue[]): number[] {
  return values as number[];
}

function columnsOf(c: DriftCase): Columns {
  const raw = caseColumns(c);
  if (c.kind === 'numerical') return { reference: asNumbers(raw.reference), current: asNumbers(raw.current) };
  return { reference: raw.reference, current: raw.current };
}

function compareValue(key: string, actual: ReturnType<Checker>, expected: unknown, label: string): void {
  if (Array.isArray(expected)) {
    assert.deepEqual(actual, expected, label);
  } else if (typeof expected === 'string' && !['inf', '-inf', 'nan'].includes(expected)) {
    assert.equal(actual, expected, label);
  } else if (key.startsWith('cramer_von_mises_pvalue')) {
    assertCvmPValue(actual as number, expected, label);
  } else if (key.includes('pvalue')) {
    assertPValue(actual as number, expected, label);
  } else {
    assertStatistic(actual as number, expected, label);
  }
}

const cases = loadCases();
const columnsCache = new Map<string, Columns>();
function cachedColumns(c: DriftCase): Columns {
  let cols = columnsCache.get(c.name);
  if (!cols) {
    cols = columnsOf(c);
    columnsCache.set(c.name, cols);
  }
  return cols;
}

describe('drift fixtures (SciPy 1.10.1 / Evidently reference values)', () => {
  it('has every case listed in _index.json, with the index agreeing on the default method', () => {
    const index = loadIndex();
    assert.equal(cases.length, index.cases.length);
    for (const entry of index.cases) {
      const c = cases.find((k) => `${k.name}.json` === entry.file);
      assert.ok(c, entry.file);
      assert.equal(c.evidently_default.method, entry.default_method);
      assert.equal(c.evidently_default.drifted, entry.default_drifted);
    }
  });

  it('regenerates the PRNG arrays bit-for-bit as V8 makes them (SHA-256) and within 1 ulp of the Python ones', () => {
    const prngCases = cases.filter((c) => c.v8_check);
    assert.ok(prngCases.length > 0);
    for (const c of prngCases) {
      const { reference, current } = caseColumns(c);
      const check = c.v8_check!;
      assert.equal(sha256Float64LE(reference as number[]), check.reference_sha256_f64le_v8, `${c.name} reference`);
      assert.equal(sha256Float64LE(current as number[]), check.current_sha256_f64le_v8, `${c.name} current`);
      const python = c.arrays_check as Record<string, number[] | number>;
      (python.reference_first5 as number[]).forEach((v, i) => assert.ok(Math.abs((reference[i] as number) - v) <= check.max_abs_value_diff));
      (python.current_first5 as number[]).forEach((v, i) => assert.ok(Math.abs((current[i] as number) - v) <= check.max_abs_value_diff));
      const [refMin, refMax] = python.reference_min_max as number[];
      assert.ok(Math.abs(Math.min(...(reference as number[])) - refMin) <= check.max_abs_value_diff);
      assert.ok(Math.abs(Math.max(...(reference as number[])) - refMax) <= check.max_abs_value_diff);
    }
  });

  for (const c of cases) {
    describe(c.name, () => {
      const expected = expectedFor(c);

      for (const [key, value] of Object.entries(expected)) {
        if (NOT_IMPLEMENTED[key]) {
          it.skip(`${key}: ${NOT_IMPLEMENTED[key]}`, () => undefined);
          continue;
        }
        it(key, () => {
          const checker = CHECKERS[key];
          assert.ok(checker, `no checker for fixture key ${key}`);
          compareValue(key, checker(cachedColumns(c), c), value, `${c.name}.${key}`);
        });
      }

      it(`default method is ${c.evidently_default.method} and its verdict matches`, () => {
        const cols = cachedColumns(c);
        const result = columnDrift(cols.reference, cols.current, { columnType: c.kind });
        assert.equal(result.method, c.evidently_default.method);
        assert.equal(defaultMethodFor(c.kind, result.referenceRows, result.uniqueCount), c.evidently_default.method);
        assert.equal(result.threshold, c.evidently_default.threshold);
        assert.equal(result.rule, c.evidently_default.rule);
        assert.equal(result.drifted, c.evidently_default.drifted);
        compareValue(DRIFT_METHODS[result.method].kind === 'pvalue' ? 'pvalue' : 'score', result.score, c.evidently_default.score, 'default score');
      });

      for (const [method, verdict] of Object.entries(c.evidently_verdicts)) {
        if (UNSUPPORTED_VERDICTS.has(method)) {
          it.skip(`verdict ${method}: not implemented`, () => undefined);
          continue;
        }
        it(`verdict ${method}: ${verdict.rule} ${verdict.threshold} → ${String(verdict.drifted)}`, () => {
          assert.ok(isDriftMethodName(method), method);
          const cols = cachedColumns(c);
          const result = columnDrift(cols.reference, cols.current, { columnType: c.kind, method });
          assert.equal(result.rule, verdict.rule);
          assert.equal(result.threshold, verdict.threshold);
          assert.equal(DRIFT_METHODS[method].defaultThreshold, verdict.threshold);
          const key = method === 'cramer_von_mises' ? 'cramer_von_mises_pvalue' : DRIFT_METHODS[method].kind === 'pvalue' ? 'pvalue' : 'score';
          compareValue(key, result.score, verdict.score, `${method} score`);
          assert.equal(result.drifted, verdict.drifted);
        });
      }

      it(`binning: ${c.binning.mode}`, () => {
        const cols = cachedColumns(c);
        const clean = c.kind === 'numerical' ? cleanNumeric : cleanCategorical;
        const binning = binColumn(clean(cols.reference), clean(cols.current), c.kind);
        assert.equal(binning.mode, c.binning.mode);
        if (c.binning.edges) {
          assert.equal(binning.edges!.length - 1, c.binning.n_bins);
          binning.edges!.forEach((edge, i) => assertStatistic(edge, c.binning.edges![i], `edge ${i}`));
        } else {
          assert.deepEqual(binning.keys, c.binning.keys);
        }
        binning.referenceShares.forEach((share, i) => assertStatistic(share, c.binning.ref_pct_raw[i], `ref share ${i}`));
        binning.currentShares.forEach((share, i) => assertStatistic(share, c.binning.cur_pct_raw[i], `cur share ${i}`));
        assert.equal(binning.referenceShares.length, c.binning.ref_pct_raw.length);
        assert.equal(binning.currentShares.length, c.binning.cur_pct_raw.length);
        const refFill = fillEmptyBins(binning.referenceShares);
        const curFill = fillEmptyBins(binning.currentShares);
        assertStatistic(refFill.fill, c.binning.ref_fill_eps, 'ref fill');
        assertStatistic(curFill.fill, c.binning.cur_fill_eps, 'cur fill');
        assert.equal(refFill.emptyBins, c.binning.ref_zero_bins);
        assert.equal(curFill.emptyBins, c.binning.cur_zero_bins);
      });

      for (const [method, message] of Object.entries(c.errors)) {
        if (method === 'anderson') {
          it(`error: anderson raises (${message})`, () => {
            const cols = cachedColumns(c);
            assert.throws(
              () => columnDrift(cols.reference, cols.current, { columnType: c.kind, method: 'anderson' }),
              (error: unknown) => error instanceof DriftComputationError && /more than one distinct observation/.test(error.message),
            );
          });
        } else {
          it.skip(`error: ${method}: not implemented`, () => undefined);
        }
      }

      for (const [method, messages] of Object.entries(c.warnings)) {
        it(`warning: ${method} (${messages.join('; ')})`, () => {
          assert.ok(isDriftMethodName(method), method);
          const cols = cachedColumns(c);
          const result = columnDrift(cols.reference, cols.current, { columnType: c.kind, method });
          for (const message of messages) {
            const needle = message.split(':')[0];
            assert.ok(result.warnings.some((w) => w.includes(needle)), `${method}: missing warning "${needle}" in ${JSON.stringify(result.warnings)}`);
          }
        });
      }
    });
  }
});
