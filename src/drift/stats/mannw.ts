/**
 * Mann–Whitney U test, scipy.stats.mannwhitneyu(x = reference, y = current) with SciPy 1.10's
 * method choice: exact when one sample has at most 8 values and there are no ties, otherwise the
 * normal approximation with tie correction and continuity correction.
 */
import { pairwiseSum, rankAverage, requireNumbers } from './arrays';
import { ndtr } from './special';

export type MannWhitneyAlternative = 'less' | 'greater' | 'two-sided';

export interface MannWhitneyResult {
  /** U of the reference sample. */
  readonly statistic: number;
  readonly pvalue: number;
  readonly mode: 'exact' | 'asymptotic';
}

/**
 * Null distribution of U for sample sizes m ≤ n: the coefficients of the Gaussian binomial
 * [m+n choose m]_q up to q^maxU, divided by C(m+n, m).
 */
function exactPmf(m: number, n: number, maxU: number): Float64Array {
  const counts = new Float64Array(maxU + 1);
  counts[0] = 1;
  for (let i = 1; i <= m; i++) {
    // Multiply by (1 − q^(n+i)), then divide by (1 − q^i).
    const shift = n + i;
    for (let j = maxU; j >= shift; j--) counts[j] -= counts[j - shift];
    for (let j = i; j <= maxU; j++) counts[j] += counts[j - i];
  }
  let total = 1;
  for (let i = 1; i <= m; i++) total = (total * (n + i)) / i;
  for (let j = 0; j <= maxU; j++) counts[j] /= total;
  return counts;
}

/** P(U ≥ u) under the null, arranged as SciPy's `_MWU.sf` (sums from the nearer tail). */
function exactSf(u: number, n1: number, n2: number): number {
  const m = Math.min(n1, n2);
  const n = Math.max(n1, n2);
  const complement = n1 * n2 - u;
  const k = Math.min(u, complement);
  const pmf = exactPmf(m, n, k);
  let cdf = 0;
  for (let j = 0; j <= k; j++) cdf += pmf[j];
  return u < complement ? 1 - cdf + pmf[k] : cdf;
}

export function mannWhitneyU(
  reference: readonly number[],
  current: readonly number[],
  alternative: MannWhitneyAlternative = 'less',
  method: 'auto' | 'exact' | 'asymptotic' = 'auto',
): MannWhitneyResult {
  const x = requireNumbers(reference, 'reference');
  const y = requireNumbers(current, 'current');
  const n1 = x.length;
  const n2 = y.length;
  const { ranks, tieCounts } = rankAverage([...x, ...y]);
  const r1 = pairwiseSum(ranks.subarray(0, n1));
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const [u, factor] = alternative === 'greater' ? [u1, 1] : alternative === 'less' ? [u2, 1] : [Math.max(u1, u2), 2];
  const ties = tieCounts.some((t) => t > 1);
  const mode = method === 'auto' ? ((n1 > 8 && n2 > 8) || ties ? 'asymptotic' : 'exact') : method;
  let p: number;
  if (mode === 'exact') {
    p = exactSf(Math.round(u), n1, n2);
  } else {
    const mu = (n1 * n2) / 2;
    const n = n1 + n2;
    const tieTerm = pairwiseSum(tieCounts.map((t) => t ** 3 - t));
    const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    const z = (u - mu - 0.5) / s;
    p = ndtr(-z);
  }
  p *= factor;
  return { statistic: u1, pvalue: Math.min(1, Math.max(0, p)), mode };
}
