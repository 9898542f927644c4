/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, as `scipy.stats.ks_2samp` (SciPy 1.10):
 * method 'auto' is exact when max(n1, n2) ≤ 10000, else asymptotic via kstwo.sf(D, round(n1·n2/(n1+n2))).
 */
import { greatestCommonDivisor, requireNumbers, roundHalfEven, sortedCopy } from './arrays';
import { kolmogorovSf } from './special';

export type KsMethod = 'auto' | 'exact' | 'asymp';

export interface KsResult {
  readonly statistic: number;
  readonly pvalue: number;
  /** The path that produced the p-value ('auto' resolves to one of these). */
  readonly mode: 'exact' | 'asymp';
  readonly warnings: string[];
}

const MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

/** D = sup |F1 − F2|, computed exactly as SciPy does (searchsorted counts divided by n). */
export function ksStatistic(sorted1: Float64Array, sorted2: Float64Array): number {
  const n1 = sorted1.length;
  const n2 = sorted2.length;
  let i = 0;
  let j = 0;
  let maxDiff = -Infinity;
  let minDiff = Infinity;
  while (i < n1 || j < n2) {
    const value = j >= n2 || (i < n1 && sorted1[i] <= sorted2[j]) ? sorted1[i] : sorted2[j];
    while (i < n1 && sorted1[i] <= value) i++;
    while (j < n2 && sorted2[j] <= value) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
  }
  const minS = Math.min(1, Math.max(0, -minDiff));
  return minS > maxDiff ? minS : maxDiff;
}

/** Pr(D_{n,n} ≥ h/n), SciPy's `_compute_prob_outside_square` (Horner-like, no cancellation). */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
    k -= 1;
  }
  return 2 * p;
}

/**
 * Proportion of lattice paths that leave the band |x/m − y/n| < h/lcm(m, n): SciPy's
 * `_compute_outer_prob_inside_method` (Viehmann's recursion for 1 − p).
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  for (let j = minj; j < maxj; j++) A[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      for (let k = maxj - minj; k < maxj - minj + (lastlen - curlen) && k < lenA; k++) A[k] = 1;
    }
  }
  return A[maxj - minj - 1];
}

/** Two-sample KS test. NaN and ±inf are dropped first; an empty sample is an error. */
export function ks2samp(reference: readonly number[], current: readonly number[], method: KsMethod = 'auto'): KsResult {
  const sorted1 = sortedCopy(requireNumbers(reference, 'reference'));
  const sorted2 = sortedCopy(requireNumbers(current, 'current'));
  const n1 = sorted1.length;
  const n2 = sorted2.length;
  const warnings: string[] = [];
  let d = ksStatistic(sorted1, sorted2);
  const g = greatestCommonDivisor(n1, n2);
  const n1g = n1 / g;
  const n2g = n2 / g;
  let mode: 'exact' | 'asymp';
  if (method === 'auto') {
    mode = Math.max(n1, n2) <= MAX_AUTO_N ? 'exact' : 'asymp';
  } else if (method === 'exact' && n1g >= INT32_MAX / n2g) {
    mode = 'asymp';
    warnings.push(`Exact ks_2samp calculation not possible with samples sizes ${n1} and ${n2}. Switching to 'asymp'.`);
  } else {
    mode = method;
  }
  let prob = NaN;
  if (mode === 'exact') {
    const lcm = n1g * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) return { statistic: d, pvalue: 1, mode, warnings };
    prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
    if (!(prob >= 0 && prob <= 1)) {
      mode = 'asymp';
      warnings.push('ks_2samp: Exact calculation unsuccessful. Switching to method=asymp.');
    }
  }
  if (mode === 'asymp') {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    const en = (m * n) / (m + n);
    prob = kolmogorovSf(roundHalfEven(en), d);
  }
  return { statistic: d, pvalue: Math.min(1, Math.max(0, prob)), mode, warnings };
}
