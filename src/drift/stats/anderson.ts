/**
 * k-sample Anderson–Darling test for two samples, scipy.stats.anderson_ksamp (midrank variant,
 * SciPy 1.10): the p-value is interpolated from Scholz & Stephens' critical values and capped to
 * [0.001, 0.25] with a warning, as SciPy does.
 */
import { DriftComputationError } from '../types';
import { pairwiseSum, requireNumbers, searchSorted, sortedCopy } from './arrays';

export interface AndersonResult {
  readonly statistic: number;
  readonly pvalue: number;
  readonly criticalValues: number[];
  readonly warnings: string[];
}

const SIGNIFICANCE = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];
const B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];

/** Least-squares polynomial fit (numpy.polyfit), highest power first; via Householder QR on the column-scaled Vandermonde matrix. */
export function polyfit(x: readonly number[], y: readonly number[], degree: number): number[] {
  const rows = x.length;
  const cols = degree + 1;
  const a = x.map((xi) => Array.from({ length: cols }, (_, j) => xi ** (degree - j)));
  const scale = Array.from({ length: cols }, (_, j) => Math.sqrt(a.reduce((s, row) => s + row[j] * row[j], 0)));
  for (const row of a) for (let j = 0; j < cols; j++) row[j] /= scale[j];
  const b = [...y];
  for (let k = 0; k < cols; k++) {
    let norm = 0;
    for (let i = k; i < rows; i++) norm += a[i][k] * a[i][k];
    norm = Math.sqrt(norm);
    const alpha = a[k][k] > 0 ? -norm : norm;
    const v = Array.from({ length: rows }, (_, i) => (i < k ? 0 : a[i][k]));
    v[k] -= alpha;
    const vNorm2 = v.reduce((s, vi) => s + vi * vi, 0);
    if (vNorm2 === 0) continue;
    for (let j = k; j < cols; j++) {
      let dot = 0;
      for (let i = k; i < rows; i++) dot += v[i] * a[i][j];
      const f = (2 * dot) / vNorm2;
      for (let i = k; i < rows; i++) a[i][j] -= f * v[i];
    }
    let dot = 0;
    for (let i = k; i < rows; i++) dot += v[i] * b[i];
    const f = (2 * dot) / vNorm2;
    for (let i = k; i < rows; i++) b[i] -= f * v[i];
  }
  const coeffs = new Array<number>(cols).fill(0);
  for (let k = cols - 1; k >= 0; k--) {
    let s = b[k];
    for (let j = k + 1; j < cols; j++) s -= a[k][j] * coeffs[j];
    coeffs[k] = s / a[k][k];
  }
  return coeffs.map((c, j) => c / scale[j]);
}

export function polyval(coeffs: readonly number[], x: number): number {
  let y = 0;
  for (const c of coeffs) y = y * x + c;
  return y;
}

let cachedFit: { critical: number[]; coeffs: number[] } | undefined;

function twoSampleInterpolation(): { critical: number[]; coeffs: number[] } {
  if (!cachedFit) {
    const m = 1; // k − 1 for two samples
    const critical = B0.map((b0, i) => b0 + B1[i] / Math.sqrt(m) + B2[i] / m);
    cachedFit = { critical, coeffs: polyfit(critical, SIGNIFICANCE.map(Math.log), 2) };
  }
  return cachedFit;
}

/** A2akN, equation 7 of Scholz & Stephens (midranks for ties), SciPy's `_anderson_ksamp_midrank`. */
function midrankStatistic(samples: Float64Array[], z: Float64Array, zStar: Float64Array): number {
  const N = z.length;
  const lj = new Float64Array(zStar.length);
  const bj = new Float64Array(zStar.length);
  for (let j = 0; j < zStar.length; j++) {
    const left = searchSorted(z, zStar[j], 'left');
    lj[j] = N === zStar.length ? 1 : searchSorted(z, zStar[j], 'right') - left;
    bj[j] = left + lj[j] / 2;
  }
  let a2 = 0;
  for (const s of samples) {
    const n = s.length;
    const terms = new Float64Array(zStar.length);
    for (let j = 0; j < zStar.length; j++) {
      const right = searchSorted(s, zStar[j], 'right');
      const fij = right - searchSorted(s, zStar[j], 'left');
      const mij = right - fij / 2;
      const diff = N * mij - bj[j] * n;
      terms[j] = ((lj[j] / N) * diff * diff) / (bj[j] * (N - bj[j]) - (N * lj[j]) / 4);
    }
    a2 += pairwiseSum(terms) / n;
  }
  return a2 * ((N - 1) / N);
}

export function andersonKSamp(reference: readonly number[], current: readonly number[]): AndersonResult {
  const samples = [sortedCopy(requireNumbers(reference, 'reference')), sortedCopy(requireNumbers(current, 'current'))];
  const k = samples.length;
  const z = new Float64Array(samples[0].length + samples[1].length);
  z.set(samples[0], 0);
  z.set(samples[1], samples[0].length);
  z.sort();
  const N = z.length;
  const distinct: number[] = [];
  for (let i = 0; i < N; i++) if (i === 0 || z[i] !== z[i - 1]) distinct.push(z[i]);
  if (distinct.length < 2) {
    throw new DriftComputationError('anderson', 'anderson_ksamp needs more than one distinct observation');
  }
  const zStar = Float64Array.from(distinct);
  const a2kn = midrankStatistic(samples, z, zStar);

  const H = samples.reduce((s, sample) => s + 1 / sample.length, 0);
  // hs_cs = cumsum(1 / [N-1, N-2, ..., 2]); h = hs_cs[-1] + 1; g = Σ hs_cs[i] / (i + 2)
  let cumulative = 0;
  const gTerms = new Float64Array(Math.max(N - 2, 0));
  for (let i = 0; i < N - 2; i++) {
    cumulative += 1 / (N - 1 - i);
    gTerms[i] = cumulative / (i + 2);
  }
  const g = pairwiseSum(gTerms);
  const h = cumulative + 1;
  const a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
  const b = (2 * g - 4) * k ** 2 + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
  const c = (6 * h + 2 * g - 2) * k ** 2 + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h;
  const d = (2 * h + 6) * k ** 2 - 4 * h * k;
  const sigmaSquared = (a * N ** 3 + b * N ** 2 + c * N + d) / ((N - 1) * (N - 2) * (N - 3));
  const m = k - 1;
  const statistic = (a2kn - m) / Math.sqrt(sigmaSquared);

  const { critical, coeffs } = twoSampleInterpolation();
  const warnings: string[] = [];
  let pvalue: number;
  if (statistic < Math.min(...critical)) {
    pvalue = Math.max(...SIGNIFICANCE);
    warnings.push(`p-value capped: true value larger than ${pvalue}`);
  } else if (statistic > Math.max(...critical)) {
    pvalue = Math.min(...SIGNIFICANCE);
    warnings.push(`p-value floored: true value smaller than ${pvalue}`);
  } else {
    pvalue = Math.exp(polyval(coeffs, statistic));
  }
  return { statistic, pvalue, criticalValues: critical, warnings };
}
