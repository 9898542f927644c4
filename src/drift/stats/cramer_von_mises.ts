/**
 * Two-sample Cramér–von Mises test as Evidently ships it (a copy of SciPy's
 * `cramervonmises_2samp`): exact p-value when both samples have at most 20 values, otherwise
 * Anderson's normalisation compared with the limiting one-sample distribution.
 *
 * The asymptotic series stops once a term drops below 1e-7 (as SciPy), so p-values below ~1e-7
 * carry that truncation error and should be read as "< 1e-6".
 */
import { DriftComputationError } from '../types';
import { greatestCommonDivisor, pairwiseSum, rankAverage, requireNumbers, sortedCopy } from './arrays';
import { besselK } from './special';

export type CramerVonMisesMethod = 'auto' | 'exact' | 'asymptotic';

export interface CramerVonMisesResult {
  readonly statistic: number;
  readonly pvalue: number;
  readonly mode: 'exact' | 'asymptotic';
}

/** CDF of the limiting one-sample Cramér–von Mises statistic (Csörgő & Faraway 1996, eq. 1.2). */
export function cvmLimitCdf(x: number): number {
  let total = 0;
  // Γ(k + 1/2) / Γ(k + 1), updated by its recurrence.
  let gammaRatio = Math.sqrt(Math.PI);
  for (let k = 0; k < 100000; k++) {
    const u = gammaRatio / (Math.PI ** 1.5 * Math.sqrt(x));
    const y = 4 * k + 1;
    const q = (y * y) / (16 * x);
    const term = u * Math.sqrt(y) * Math.exp(-q) * besselK(0.25, q);
    total += term;
    if (!(Math.abs(term) >= 1e-7)) break;
    gammaRatio *= (k + 0.5) / (k + 1);
  }
  return total;
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/** A frequency table of partial statistic values; `offset` is added to every value lazily. */
interface PathTable {
  readonly values: Float64Array;
  readonly freqs: Float64Array;
  readonly offset: number;
}

const EMPTY_TABLE: PathTable = { values: new Float64Array(0), freqs: new Float64Array(0), offset: 0 };

/** Union of two sorted tables, frequencies of equal values added. */
function mergeTables(x: PathTable, y: PathTable): PathTable {
  const values = new Float64Array(x.values.length + y.values.length);
  const freqs = new Float64Array(values.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < x.values.length || j < y.values.length) {
    const xv = i < x.values.length ? x.values[i] + x.offset : Infinity;
    const yv = j < y.values.length ? y.values[j] + y.offset : Infinity;
    if (xv === yv) {
      values[k] = xv;
      freqs[k++] = x.freqs[i++] + y.freqs[j++];
    } else if (xv < yv) {
      values[k] = xv;
      freqs[k++] = x.freqs[i++];
    } else {
      values[k] = yv;
      freqs[k++] = y.freqs[j++];
    }
  }
  return { values: values.subarray(0, k), freqs: freqs.subarray(0, k), offset: 0 };
}

/** Exact p-value (Xiao, Gordon & Yakovlev 2006), SciPy's `_pval_cvm_2samp_exact`. */
function exactPValue(u: number, m: number, n: number): number {
  const lcm = (m * n) / greatestCommonDivisor(m, n);
  const a = lcm / m;
  const b = lcm / n;
  const mn = m * n;
  const zeta = Math.floor((lcm ** 2 * (m + n) * (6 * u - mn * (4 * mn - 1))) / (6 * mn ** 2));
  const combinations = factorial(m + n) / (factorial(m) * factorial(n));
  // gs[v]: how many lattice paths reach each value of the partial statistic at (u, v).
  let gs: PathTable[] = [{ values: Float64Array.of(0), freqs: Float64Array.of(1), offset: 0 }];
  for (let v = 0; v < m; v++) gs.push(EMPTY_TABLE);
  for (let uu = 0; uu <= n; uu++) {
    const next: PathTable[] = [];
    let tmp = EMPTY_TABLE;
    for (let v = 0; v < gs.length; v++) {
      const merged = mergeTables(tmp, gs[v]);
      tmp = { values: merged.values, freqs: merged.freqs, offset: (a * v - b * uu) ** 2 };
      next.push(tmp);
    }
    gs = next;
  }
  const last = gs[m];
  let count = 0;
  for (let i = 0; i < last.values.length; i++) if (last.values[i] + last.offset >= zeta) count += last.freqs[i];
  return count / combinations;
}

export function cramerVonMises2Samp(
  reference: readonly number[],
  current: readonly number[],
  method: CramerVonMisesMethod = 'auto',
): CramerVonMisesResult {
  const xa = sortedCopy(requireNumbers(reference, 'reference'));
  const ya = sortedCopy(requireNumbers(current, 'current'));
  if (xa.length <= 1 || ya.length <= 1) {
    throw new DriftComputationError('cramer_von_mises', 'x and y must contain at least two observations.');
  }
  const nx = xa.length;
  const ny = ya.length;
  const mode: 'exact' | 'asymptotic' = method === 'auto' ? (Math.max(nx, ny) > 20 ? 'asymptotic' : 'exact') : method;
  const pooled = new Float64Array(nx + ny);
  pooled.set(xa, 0);
  pooled.set(ya, nx);
  const { ranks } = rankAverage(pooled);
  const squaresX = new Float64Array(nx);
  for (let i = 0; i < nx; i++) squaresX[i] = (ranks[i] - (i + 1)) ** 2;
  const squaresY = new Float64Array(ny);
  for (let i = 0; i < ny; i++) squaresY[i] = (ranks[nx + i] - (i + 1)) ** 2;
  const u = nx * pairwiseSum(squaresX) + ny * pairwiseSum(squaresY);
  const k = nx * ny;
  const N = nx + ny;
  const statistic = u / (k * N) - (4 * k - 1) / (6 * N);
  if (mode === 'exact') return { statistic, pvalue: exactPValue(u, nx, ny), mode };
  const et = (1 + 1 / N) / 6;
  let vt = (N + 1) * (4 * k * N - 3 * (nx ** 2 + ny ** 2) - 2 * k);
  vt = vt / (45 * N ** 2 * 4 * k);
  const tn = 1 / 6 + (statistic - et) / Math.sqrt(45 * vt);
  // Below 0.003 the limiting CDF is < 1.3e-18.
  const pvalue = tn < 0.003 ? 1 : Math.max(0, 1 - cvmLimitCdf(tn));
  return { statistic, pvalue, mode };
}
