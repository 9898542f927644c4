/**
 * Fairlearn's MetricFrame aggregates and the fairness functions built on them, with pandas' and
 * Python's NaN rules copied exactly (DEFINITIONS.md §2–§4): group_min/max, difference and ratio skip
 * NaN groups; equalized odds' worst case uses Python's order-dependent built-in max/min.
 */
import type { DisparityMethod, EqualizedOddsAgg, MetricAggregates } from './types';

/** pandas `Series.min()/max()`: NaN entries skipped; NaN only when every entry is NaN. */
function nanSkippingExtreme(values: readonly number[], pickLarger: boolean): number {
  let result = NaN;
  for (const value of values) {
    if (Number.isNaN(value)) continue;
    if (Number.isNaN(result) || (pickLarger ? value > result : value < result)) result = value;
  }
  return result;
}

export function groupMin(values: readonly number[]): number {
  return nanSkippingExtreme(values, false);
}

export function groupMax(values: readonly number[]): number {
  return nanSkippingExtreme(values, true);
}

/** `difference(method)`: max − min, or the largest |v_g − overall|. */
export function difference(values: readonly number[], overall: number, method: DisparityMethod): number {
  if (method === 'between_groups') return groupMax(values) - groupMin(values);
  return groupMax(values.map((value) => Math.abs(value - overall)));
}

/** `ratio_sub_one`: a ratio above 1 is folded back (x → 1/x), so 1 means equal and 0 the worst. */
function ratioSubOne(x: number): number {
  return x > 1 ? 1 / x : x;
}

/** `ratio(method)`: min / max (one division: 0/0 → NaN), or the smallest folded v_g / overall (x/0 → ∞ → 0). */
export function ratio(values: readonly number[], overall: number, method: DisparityMethod): number {
  if (method === 'between_groups') return groupMin(values) / groupMax(values);
  return groupMin(values.map((value) => ratioSubOne(value / overall)));
}

export function metricAggregates(values: readonly number[], overall: number): MetricAggregates {
  return {
    groupMin: groupMin(values),
    groupMax: groupMax(values),
    difference: { between_groups: difference(values, overall, 'between_groups'), to_overall: difference(values, overall, 'to_overall') },
    ratio: { between_groups: ratio(values, overall, 'between_groups'), to_overall: ratio(values, overall, 'to_overall') },
  };
}

/**
 * Python's built-in max/min over `[tpr, fpr]`: the first item is kept unless a later one compares
 * greater (smaller), and any comparison with NaN is false — so a NaN first wins, a NaN second is
 * dropped (fixtures c09 and c10). Math.max or a NaN-skipping max would both be wrong here.
 */
export function pythonBuiltinExtreme(values: readonly number[], pickLarger: boolean): number {
  let current = values[0];
  for (const value of values.slice(1)) {
    if (pickLarger ? value > current : value < current) current = value;
  }
  return current;
}

/** pandas `Series.mean()`: NaN entries skipped; NaN when all are NaN. */
export function nanSkippingMean(values: readonly number[]): number {
  const kept = values.filter((value) => !Number.isNaN(value));
  return kept.length === 0 ? NaN : kept.reduce((sum, value) => sum + value, 0) / kept.length;
}

/** `equalized_odds_difference/_ratio(agg)` from the TPR and FPR statistic of the same method, in that order. */
export function equalizedOdds(tprStat: number, fprStat: number, agg: EqualizedOddsAgg, kind: 'difference' | 'ratio'): number {
  if (agg === 'mean') return nanSkippingMean([tprStat, fprStat]);
  return pythonBuiltinExtreme([tprStat, fprStat], kind === 'difference');
}
