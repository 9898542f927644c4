/**
 * Evidently's Hellinger distance. Categorical: over the shares of each distinct value.
 * Numerical: over density histograms whose Sturges edges come from the DISTINCT values of
 * reference ∪ current (not from the pooled sample as for psi/kl_div/jensenshannon).
 */
import { histogramCounts, sturgesBinEdges } from '../binning';
import { type ColumnType, type RawValue } from '../types';
import { categoryCounts, pairwiseSum } from './arrays';
import { cleanColumn } from './shares';

function densityHistogram(values: readonly number[], edges: readonly number[]): number[] {
  const counts = histogramCounts(values, edges);
  const total = pairwiseSum(counts);
  return counts.map((count, i) => count / (edges[i + 1] - edges[i]) / total);
}

export function hellingerDistance(reference: readonly RawValue[], current: readonly RawValue[], columnType: ColumnType): number {
  const cleaned = cleanColumn(reference, current, columnType);
  let affinity = 0;
  if (columnType === 'categorical') {
    const { referenceCounts, currentCounts } = categoryCounts(cleaned.reference, cleaned.current);
    for (let i = 0; i < referenceCounts.length; i++) {
      affinity += Math.sqrt((referenceCounts[i] / cleaned.reference.length) * (currentCounts[i] / cleaned.current.length));
    }
  } else {
    const ref = cleaned.reference as number[];
    const cur = cleaned.current as number[];
    const distinct = [...new Set([...ref, ...cur])];
    const edges = sturgesBinEdges(distinct);
    const h1 = densityHistogram(ref, edges);
    const h2 = densityHistogram(cur, edges);
    const binWidth = (edges[edges.length - 1] - edges[0]) / (edges.length - 1);
    for (let i = 0; i < h1.length; i++) affinity += Math.sqrt(h1[i] * h2[i]) * binWidth;
  }
  affinity = Math.min(1, Math.max(0, affinity));
  return Math.sqrt(1 - affinity);
}
