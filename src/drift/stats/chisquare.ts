/**
 * Evidently's `chisquare` drift test: a goodness-of-fit test of the current counts against the
 * reference counts rescaled to the current size (not a contingency table), via scipy.stats.chisquare.
 */
import { type Category, type RawValue } from '../types';
import { categoryCounts, cleanCategorical, pairwiseSum, requireNonEmpty } from './arrays';
import { chi2Sf } from './special';

export interface ChiSquareResult {
  readonly statistic: number;
  readonly pvalue: number;
  readonly dof: number;
  readonly categories: Category[];
  readonly referenceCounts: number[];
  readonly currentCounts: number[];
  readonly warnings: string[];
}

/** scipy.stats.chisquare(observed, expected): Σ (o − e)²/e with k − 1 degrees of freedom. */
export function chisquareGoodnessOfFit(observed: readonly number[], expected: readonly number[]): { statistic: number; pvalue: number; dof: number } {
  const terms = observed.map((o, i) => {
    const e = expected[i];
    const diff = o - e;
    return (diff * diff) / e;
  });
  const statistic = pairwiseSum(terms);
  const dof = observed.length - 1;
  return { statistic, pvalue: chi2Sf(statistic, dof), dof };
}

/**
 * A category present only in the current data has expected count 0, so the statistic is +inf
 * and p = 0 (SciPy warns "divide by zero"); one category in total gives dof 0 and p = NaN.
 */
export function chisquareDrift(reference: readonly RawValue[], current: readonly RawValue[]): ChiSquareResult {
  const ref = cleanCategorical(reference);
  const cur = cleanCategorical(current);
  requireNonEmpty(ref, 'reference', reference.length);
  requireNonEmpty(cur, 'current', current.length);
  const { keys, referenceCounts, currentCounts } = categoryCounts(ref, cur);
  const scale = cur.length / ref.length;
  const expected = referenceCounts.map((count) => count * scale);
  const warnings: string[] = [];
  if (expected.some((e) => e === 0)) {
    warnings.push('divide by zero encountered in divide: a category appears only in the current data (expected count 0), so the statistic is infinite');
  }
  const { statistic, pvalue, dof } = chisquareGoodnessOfFit(currentCounts, expected);
  return { statistic, pvalue, dof, categories: keys, referenceCounts, currentCounts, warnings };
}
