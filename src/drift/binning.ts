/**
 * Evidently's binning for the share-based methods (psi, kl_div, jensenshannon):
 * numerical columns whose reference has more than 20 distinct values get equal-width bins from
 * numpy.histogram_bin_edges(concat(reference, current), "sturges"); every other column gets one
 * bin per distinct value over reference ∪ current.
 */
import { categoryCounts, distinctCountSorted, searchSorted, sortedCopy } from './stats/arrays';
import { type Category, type ColumnType } from './types';

export const MAX_PER_VALUE_UNIQUE = 20;

export interface Binning {
  readonly mode: 'sturges_on_combined' | 'per_unique_value';
  /** Bin edges (sturges mode); the last bin is closed on the right. */
  readonly edges?: number[];
  /** One key per bin (per-value mode), in sorted order. */
  readonly keys?: Category[];
  readonly referenceCounts: number[];
  readonly currentCounts: number[];
  /** Counts divided by the sample size, before the empty-bin fill. */
  readonly referenceShares: number[];
  readonly currentShares: number[];
}

/** numpy.histogram_bin_edges(values, "sturges"). */
export function sturgesBinEdges(values: ArrayLike<number>): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < min) min = values[i];
    if (values[i] > max) max = values[i];
  }
  const range = max - min;
  const width = range / (Math.log2(values.length) + 1);
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const binCount = width ? Math.ceil((last - first) / width) : 1;
  // numpy.linspace: i * step + start, with the end point set exactly.
  const step = (last - first) / binCount;
  const edges: number[] = [];
  for (let i = 0; i < binCount; i++) edges.push(i * step + first);
  edges.push(last);
  return edges;
}

/**
 * numpy.histogram(values, edges) counts: bin i holds edges[i] ≤ x < edges[i+1], the last bin
 * also holds x = edges[last]; values outside the edges are not counted.
 */
export function histogramCounts(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const sorted = sortedCopy(values);
  const cumulative = edges.map((edge, i) => searchSorted(sorted, edge, i === edges.length - 1 ? 'right' : 'left'));
  const counts: number[] = [];
  for (let i = 0; i < edges.length - 1; i++) counts.push(cumulative[i + 1] - cumulative[i]);
  return counts;
}

function concatNumbers(a: readonly number[], b: readonly number[]): Float64Array {
  const out = new Float64Array(a.length + b.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i];
  for (let i = 0; i < b.length; i++) out[a.length + i] = b[i];
  return out;
}

export function countDistinct(values: readonly Category[]): number {
  return new Set(values).size;
}

/** The bins Evidently's `get_binned_data` builds, before the empty-bin fill. */
export function binColumn(reference: readonly Category[], current: readonly Category[], columnType: ColumnType): Binning {
  const distinct =
    columnType !== 'numerical' ? 0 : reference.every((v) => typeof v === 'number') ? distinctCountSorted(sortedCopy(reference as readonly number[]), []) : countDistinct(reference);
  if (columnType === 'numerical' && distinct > MAX_PER_VALUE_UNIQUE) {
    const ref = reference as readonly number[];
    const cur = current as readonly number[];
    const edges = sturgesBinEdges(concatNumbers(ref, cur));
    const referenceCounts = histogramCounts(ref, edges);
    const currentCounts = histogramCounts(cur, edges);
    return {
      mode: 'sturges_on_combined',
      edges,
      referenceCounts,
      currentCounts,
      referenceShares: referenceCounts.map((c) => c / ref.length),
      currentShares: currentCounts.map((c) => c / cur.length),
    };
  }
  const { keys, referenceCounts, currentCounts } = categoryCounts(reference, current);
  return {
    mode: 'per_unique_value',
    keys,
    referenceCounts,
    currentCounts,
    referenceShares: referenceCounts.map((c) => c / reference.length),
    currentShares: currentCounts.map((c) => c / current.length),
  };
}

export interface FilledShares {
  readonly shares: number[];
  /** The value given to empty bins. */
  readonly fill: number;
  readonly emptyBins: number;
}

/**
 * Evidently's empty-bin rule, per array: with m the smallest non-zero share, empty bins get
 * m/10⁶ when m ≤ 0.0001, else 0.0001. (The shares are not renormalised afterwards.)
 */
export function fillEmptyBins(shares: readonly number[]): FilledShares {
  let smallest = Infinity;
  let emptyBins = 0;
  for (const share of shares) {
    if (share === 0) emptyBins++;
    else if (share < smallest) smallest = share;
  }
  const fill = smallest <= 0.0001 ? smallest / 10 ** 6 : 0.0001;
  return { shares: shares.map((share) => (share === 0 ? fill : share)), fill, emptyBins };
}
