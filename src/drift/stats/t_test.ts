/**
 * Two-sample t-test as Evidently calls it: scipy.stats.ttest_ind(reference, current), i.e.
 * Student's pooled-variance test (equal_var=True), two-sided. Welch's test is an explicit option.
 */
import { mean, pairwiseSum, requireNumbers } from './arrays';
import { studentTSf } from './special';

export interface TTestResult {
  readonly statistic: number;
  readonly pvalue: number;
  readonly df: number;
  readonly warnings: string[];
}

/** scipy.stats._stats_py._var with ddof=1, including its catastrophic-cancellation check. */
function sampleVariance(values: readonly number[], warnings: string[]): { mean: number; variance: number } {
  const m = mean(values);
  const squared = new Float64Array(values.length);
  let maxDeviation = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - m;
    squared[i] = d * d;
    maxDeviation = Math.max(maxDeviation, Math.abs(d));
  }
  // SciPy warns when every deviation is below 10·resolution(float64) = 1e-14 relative to the mean.
  if (maxDeviation / Math.abs(m) < 1e-14) {
    const message =
      'Precision loss occurred in moment calculation due to catastrophic cancellation. This occurs when the data are nearly identical. Results may be unreliable.';
    if (!warnings.includes(message)) warnings.push(message);
  }
  const n = values.length;
  return { mean: m, variance: (pairwiseSum(squared) / n) * (n / (n - 1)) };
}

export function tTest(reference: readonly number[], current: readonly number[], equalVariance = true): TTestResult {
  const a = requireNumbers(reference, 'reference');
  const b = requireNumbers(current, 'current');
  const warnings: string[] = [];
  const s1 = sampleVariance(a, warnings);
  const s2 = sampleVariance(b, warnings);
  const n1 = a.length;
  const n2 = b.length;
  let df: number;
  let denominator: number;
  if (equalVariance) {
    df = n1 + n2 - 2;
    const pooled = ((n1 - 1) * s1.variance + (n2 - 1) * s2.variance) / df;
    denominator = Math.sqrt(pooled * (1 / n1 + 1 / n2));
  } else {
    const vn1 = s1.variance / n1;
    const vn2 = s2.variance / n2;
    df = (vn1 + vn2) ** 2 / (vn1 ** 2 / (n1 - 1) + vn2 ** 2 / (n2 - 1));
    denominator = Math.sqrt(vn1 + vn2);
  }
  const statistic = (s1.mean - s2.mean) / denominator;
  const pvalue = 2 * studentTSf(Math.abs(statistic), df);
  return { statistic, pvalue, df, warnings };
}
