/**
 * Array helpers shared by the statistics. Sums follow NumPy's pairwise summation so that
 * results agree with NumPy/SciPy to the last few bits, not just to the test tolerance.
 */
import { type Category, DriftInputError, type RawValue } from '../types';

/**
 * Evidently replaces ±inf by NaN and drops NaN before any test; non-numbers in a numerical
 * column count as missing too (what a pandas numeric coercion would make of them).
 */
export function cleanNumeric(values: readonly RawValue[]): number[] {
  let kept = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value === 'number' && Number.isFinite(value)) kept++;
  }
  const out = new Array<number>(kept);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value === 'number' && Number.isFinite(value)) out[j++] = value;
  }
  return out;
}

/** True when every value is a finite number (nothing for `cleanNumeric` to drop). */
export function allFinite(values: readonly RawValue[]): boolean {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  }
  return true;
}

/** Categorical cleaning: null/undefined and non-finite numbers are missing; strings are kept as they are. */
export function cleanCategorical(values: readonly RawValue[]): Category[] {
  const out: Category[] = [];
  for (const value of values) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'number' && !Number.isFinite(value)) continue;
    out.push(value);
  }
  return out;
}

export function requireNonEmpty<T>(values: readonly T[], side: 'reference' | 'current', rawLength: number): void {
  if (values.length === 0) {
    const detail = rawLength === 0 ? 'it has no rows' : `all ${rawLength} values are missing (null, NaN or ±inf)`;
    throw new DriftInputError(`The ${side} column is empty after removing missing values: ${detail}.`);
  }
}

/** The cleaned numbers; the input array itself when it is already clean (it is never modified). */
export function requireNumbers(values: readonly number[], side: 'reference' | 'current'): number[] {
  const cleaned = allFinite(values) ? (values as number[]) : cleanNumeric(values);
  requireNonEmpty(cleaned, side, values.length);
  return cleaned;
}

/**
 * Sorted copies made while `withSortCache` runs, keyed by the array they were made from: one
 * column's statistics (distinct count, binning, the test itself) sort each sample only once.
 * Outside it nothing is cached, so a caller that mutates its arrays never sees a stale copy; the
 * arrays must not change while it runs.
 */
let sortCache: WeakMap<object, Float64Array> | undefined;

export function withSortCache<T>(fn: () => T): T {
  // Nested: the outer scope's cache serves (e.g. one reference column tested against many windows).
  if (sortCache) return fn();
  sortCache = new WeakMap();
  try {
    return fn();
  } finally {
    sortCache = undefined;
  }
}

/** Ascending copy as a Float64Array. Callers must not modify it (it may be shared, see `withSortCache`). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const cached = sortCache?.get(values as object);
  if (cached) return cached;
  const sorted = Float64Array.from(values);
  sorted.sort();
  sortCache?.set(values as object, sorted);
  return sorted;
}

/** Number of distinct values over two ascending arrays (SameValueZero, as a Set counts them; no NaN). */
export function distinctCountSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let i = 0;
  let j = 0;
  let count = 0;
  let last = NaN;
  while (i < a.length || j < b.length) {
    const value = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    // NaN (sorted last) counts once, as in a Set.
    if (value !== last && !(Number.isNaN(value) && Number.isNaN(last))) {
      count++;
      last = value;
    }
  }
  return count;
}

/** Merges two ascending arrays into one. */
export function mergeSorted(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/** numpy.searchsorted on an ascending array. */
export function searchSorted(sorted: ArrayLike<number>, value: number, side: 'left' | 'right'): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const goesRight = side === 'left' ? sorted[mid] < value : sorted[mid] <= value;
    if (goesRight) low = mid + 1;
    else high = mid;
  }
  return low;
}

const PAIRWISE_BLOCK = 128;

function pairwiseRange(values: ArrayLike<number>, start: number, count: number): number {
  if (count < 8) {
    let sum = -0;
    for (let i = start; i < start + count; i++) sum += values[i];
    return sum;
  }
  if (count <= PAIRWISE_BLOCK) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let k = 0; k < 8; k++) r[k] = values[start + k];
    let i = 8;
    for (; i < count - (count % 8); i += 8) {
      for (let k = 0; k < 8; k++) r[k] += values[start + i + k];
    }
    let sum = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < count; i++) sum += values[start + i];
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return pairwiseRange(values, start, half) + pairwiseRange(values, start + half, count - half);
}

/** NumPy's pairwise summation (np.sum / np.add.reduce on a contiguous float64 array). */
export function pairwiseSum(values: ArrayLike<number>): number {
  return values.length === 0 ? 0 : pairwiseRange(values, 0, values.length);
}

export function mean(values: ArrayLike<number>): number {
  return pairwiseSum(values) / values.length;
}

/** numpy.var(values, ddof): mean of squared deviations from the pairwise mean, over n - ddof. */
export function variance(values: ArrayLike<number>, ddof = 0): number {
  const m = mean(values);
  const squared = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - m;
    squared[i] = d * d;
  }
  return pairwiseSum(squared) / (values.length - ddof);
}

export interface Ranking {
  /** Average ranks (1-based) in input order. */
  readonly ranks: Float64Array;
  /** Multiplicity of each distinct value. */
  readonly tieCounts: number[];
}

/** scipy.stats.rankdata(method='average'), plus the tie counts that mannwhitneyu uses. */
export function rankAverage(values: ArrayLike<number>): Ranking {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => values[a] - values[b] || a - b);
  const ranks = new Float64Array(n);
  const tieCounts: number[] = [];
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && values[order[j]] === values[order[i]]) j++;
    // Ranks i+1..j share their average.
    const average = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) ranks[order[k]] = average;
    tieCounts.push(j - i);
    i = j;
  }
  return { ranks, tieCounts };
}

export function greatestCommonDivisor(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y) [x, y] = [y, x % y];
  return x;
}

/** numpy.round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Python's sort order for the categories of one column (numbers numerically, strings by code unit). */
export function compareCategories(a: Category, b: Category): number {
  const ta = typeof a;
  const tb = typeof b;
  if (ta !== tb) {
    const rank = (t: string) => (t === 'boolean' ? 0 : t === 'number' ? 1 : 2);
    return rank(ta) - rank(tb);
  }
  if (ta === 'number' || ta === 'boolean') return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Distinct values in sorted order, with their counts in each sample. */
export function categoryCounts(
  reference: readonly Category[],
  current: readonly Category[],
): { keys: Category[]; referenceCounts: number[]; currentCounts: number[] } {
  const referenceMap = new Map<Category, number>();
  const currentMap = new Map<Category, number>();
  for (const value of reference) referenceMap.set(value, (referenceMap.get(value) ?? 0) + 1);
  for (const value of current) currentMap.set(value, (currentMap.get(value) ?? 0) + 1);
  const keys = [...new Set<Category>([...referenceMap.keys(), ...currentMap.keys()])].sort(compareCategories);
  return {
    keys,
    referenceCounts: keys.map((key) => referenceMap.get(key) ?? 0),
    currentCounts: keys.map((key) => currentMap.get(key) ?? 0),
  };
}
