/** Population Stability Index over Evidently's bins: Σ (r − c)·ln(r/c), empty bins filled. */
import { fillEmptyBins } from '../binning';
import { type ColumnType, type RawValue } from '../types';
import { pairwiseSum } from './arrays';
import { binnedColumn } from './shares';

export function psiFromShares(referenceShares: readonly number[], currentShares: readonly number[]): number {
  const r = fillEmptyBins(referenceShares).shares;
  const c = fillEmptyBins(currentShares).shares;
  return pairwiseSum(r.map((ri, i) => (ri - c[i]) * Math.log(ri / c[i])));
}

export function psi(reference: readonly RawValue[], current: readonly RawValue[], columnType: ColumnType): number {
  const bins = binnedColumn(reference, current, columnType);
  return psiFromShares(bins.referenceShares, bins.currentShares);
}
