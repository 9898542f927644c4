/**
 * Jensen–Shannon distance over Evidently's bins, scipy.spatial.distance.jensenshannon with the
 * natural log (so it lies in [0, √ln 2]). Evidently does not fill empty bins for this one.
 */
import { type ColumnType, type RawValue } from '../types';
import { pairwiseSum } from './arrays';
import { binnedColumn, relativeEntropyTerm } from './shares';

export function jensenShannonDistance(p0: readonly number[], q0: readonly number[]): number {
  const pSum = pairwiseSum(p0);
  const qSum = pairwiseSum(q0);
  const p = p0.map((v) => v / pSum);
  const q = q0.map((v) => v / qSum);
  const m = p.map((pi, i) => (pi + q[i]) / 2);
  const left = pairwiseSum(p.map((pi, i) => relativeEntropyTerm(pi, m[i])));
  const right = pairwiseSum(q.map((qi, i) => relativeEntropyTerm(qi, m[i])));
  return Math.sqrt((left + right) / 2);
}

export function jensenShannon(reference: readonly RawValue[], current: readonly RawValue[], columnType: ColumnType): number {
  const bins = binnedColumn(reference, current, columnType);
  return jensenShannonDistance(bins.referenceShares, bins.currentShares);
}
