/**
 * Per-group and overall metrics from labels already reduced to "is the positive label" flags — the
 * one pass over the rows. Definitions as Fairlearn 0.14 / scikit-learn compute them (DEFINITIONS.md §1):
 * selection rate and accuracy are weighted means (NaN when the weights sum to 0); TPR and FPR come
 * from scikit-learn's row-normalised confusion matrix, whose `nan_to_num` turns an empty row into 0.
 */
import { equalizedOdds, metricAggregates } from './aggregates';
import { rocAuc } from './rocAuc';
import type { Disparities, DisparityMethod, EqualizedOddsAgg, GroupMetricName, GroupRow, MetricAggregates } from './types';

export interface EncodedFairnessData {
  readonly rowCount: number;
  /** 1 where the label is the positive label. */
  readonly labelPositive: Uint8Array;
  /** 1 where the prediction is the positive label. */
  readonly predictionPositive: Uint8Array;
  /** 1 where label and prediction are the same value (accuracy needs no positive label). */
  readonly correct: Uint8Array;
  readonly weights?: Float64Array;
  readonly scores?: Float64Array;
  /** Index into the group list; -1 for a row whose sensitive value is missing (only in `overall`). */
  readonly groupOf: Int32Array;
  readonly groupCount: number;
}

/** Weighted sums of one group. */
class Tally {
  count = 0;
  weight = 0;
  selected = 0;
  positives = 0;
  truePositives = 0;
  negatives = 0;
  falsePositives = 0;
  correct = 0;

  add(data: EncodedFairnessData, row: number): void {
    const weight = data.weights ? data.weights[row] : 1;
    const predicted = data.predictionPositive[row] === 1;
    this.count++;
    this.weight += weight;
    if (predicted) this.selected += weight;
    if (data.correct[row] === 1) this.correct += weight;
    if (data.labelPositive[row] === 1) {
      this.positives += weight;
      if (predicted) this.truePositives += weight;
    } else {
      this.negatives += weight;
      if (predicted) this.falsePositives += weight;
    }
  }

  /** An intersection that never occurs is a row of NaN, count included (Fairlearn reindexes to the full product). */
  row(auc: number | undefined): GroupRow {
    if (this.count === 0) return { count: NaN, selectionRate: NaN, tpr: NaN, fpr: NaN, accuracy: NaN, ...(auc === undefined ? {} : { rocAuc: NaN }) };
    return {
      count: this.count,
      selectionRate: this.selected / this.weight,
      tpr: this.positives === 0 ? 0 : this.truePositives / this.positives,
      fpr: this.negatives === 0 ? 0 : this.falsePositives / this.negatives,
      accuracy: this.correct / this.weight,
      ...(auc === undefined ? {} : { rocAuc: auc }),
    };
  }
}

export interface GroupMetrics {
  readonly overall: GroupRow;
  readonly byGroup: readonly GroupRow[];
}

export function computeGroupMetrics(data: EncodedFairnessData): GroupMetrics {
  const overall = new Tally();
  const tallies = Array.from({ length: data.groupCount }, () => new Tally());
  const rowsByGroup: number[][] | undefined = data.scores ? Array.from({ length: data.groupCount }, () => []) : undefined;
  for (let row = 0; row < data.rowCount; row++) {
    overall.add(data, row);
    const group = data.groupOf[row];
    if (group < 0) continue;
    tallies[group].add(data, row);
    rowsByGroup?.[group].push(row);
  }
  const scores = data.scores;
  const aucOf = (rows: readonly number[] | Int32Array): number | undefined =>
    scores ? rocAuc(rows, scores, data.labelPositive, data.weights) : undefined;
  const allRows = scores ? Int32Array.from({ length: data.rowCount }, (_, i) => i) : [];
  return {
    overall: overall.row(aucOf(allRows)),
    byGroup: tallies.map((tally, group) => tally.row(aucOf(rowsByGroup?.[group] ?? []))),
  };
}

const METRICS: readonly GroupMetricName[] = ['count', 'selectionRate', 'tpr', 'fpr', 'accuracy', 'rocAuc'];

export function aggregatesOf(metrics: GroupMetrics): Record<GroupMetricName, MetricAggregates | undefined> {
  const out = {} as Record<GroupMetricName, MetricAggregates | undefined>;
  for (const name of METRICS) {
    const overall = metrics.overall[name];
    out[name] = overall === undefined ? undefined : metricAggregates(metrics.byGroup.map((row) => row[name] ?? NaN), overall);
  }
  return out;
}

function perMethod(stat: (method: DisparityMethod) => number): Record<DisparityMethod, number> {
  return { between_groups: stat('between_groups'), to_overall: stat('to_overall') };
}

function perAgg(stat: (agg: EqualizedOddsAgg, method: DisparityMethod) => number): Record<EqualizedOddsAgg, Record<DisparityMethod, number>> {
  return { worst_case: perMethod((m) => stat('worst_case', m)), mean: perMethod((m) => stat('mean', m)) };
}

/** Fairlearn's fairness functions: demographic parity on selection rate, equal opportunity on TPR, equalized odds on [TPR, FPR]. */
export function disparitiesOf(aggregates: Record<GroupMetricName, MetricAggregates | undefined>): Disparities {
  const selection = aggregates.selectionRate!;
  const tpr = aggregates.tpr!;
  const fpr = aggregates.fpr!;
  return {
    demographic_parity_difference: selection.difference,
    demographic_parity_ratio: selection.ratio,
    equal_opportunity_difference: tpr.difference,
    equal_opportunity_ratio: tpr.ratio,
    equalized_odds_difference: perAgg((agg, m) => equalizedOdds(tpr.difference[m], fpr.difference[m], agg, 'difference')),
    equalized_odds_ratio: perAgg((agg, m) => equalizedOdds(tpr.ratio[m], fpr.ratio[m], agg, 'ratio')),
  };
}
