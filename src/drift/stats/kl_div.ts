/** Kullback–Leibler divergence KL(reference ‖ current) over Evidently's bins (scipy.stats.entropy). */
import { fillEmptyBins } from '../binning';
import { type ColumnType, type RawValue } from '../types';
import { pairwiseSum } from './arrays';
import { binnedColumn, relativeEntropyTerm } from './shares';

/** scipy.stats.entropy(p, q): both renormalised to sum 1, natural log. */
export function entropyDivergence(p: readonly number[], q: readonly number[]): number {
  const pSum = pairwiseSum(p);
  const qSum = pairwiseSum(q);
  return pairwiseSum(p.map((pi, i) => relativeEntropyTerm(pi / pSum, q[i] / qSum)));
}

export function klDivFromShares(referenceShares: readonly number[], currentShares: readonly number[]): number {
  return entropyDivergence(fillEmptyBins(referenceShares).shares, fillEmptyBins(currentShares).shares);
}

export function klDiv(reference: readonly RawValue[], current: readonly RawValue[], columnType: ColumnType): number {
  const bins = binnedColumn(reference, current, columnType);
  return klDivFromShares(bins.referenceShares, bins.currentShares);
}
