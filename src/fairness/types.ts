/**
 * Group-fairness results in Fairlearn's terms (v0.14.0; see test/fixtures/fairness/DEFINITIONS.md for
 * the definitions as Fairlearn implements them, surprises included). Host-free.
 */

/** The per-group (and overall) metrics of a Fairlearn MetricFrame, as this product reports them. */
export type GroupMetricName = 'count' | 'selectionRate' | 'tpr' | 'fpr' | 'accuracy' | 'rocAuc';

export type DisparityMethod = 'between_groups' | 'to_overall';
export type EqualizedOddsAgg = 'worst_case' | 'mean';

/** One row per group: count (unweighted rows), the rates, and ROC AUC when a score was given. */
export interface GroupRow {
  readonly count: number;
  readonly selectionRate: number;
  readonly tpr: number;
  readonly fpr: number;
  readonly accuracy: number;
  readonly rocAuc?: number;
}

/** A group: one value per sensitive column (an intersection when there are several). */
export interface GroupResult extends GroupRow {
  readonly group: Readonly<Record<string, string>>;
}

/** Fairlearn's MetricFrame aggregates of one metric (group_min/max, difference, ratio). */
export interface MetricAggregates {
  readonly groupMin: number;
  readonly groupMax: number;
  readonly difference: Readonly<Record<DisparityMethod, number>>;
  readonly ratio: Readonly<Record<DisparityMethod, number>>;
}

export interface Disparities {
  readonly demographic_parity_difference: Readonly<Record<DisparityMethod, number>>;
  readonly demographic_parity_ratio: Readonly<Record<DisparityMethod, number>>;
  readonly equal_opportunity_difference: Readonly<Record<DisparityMethod, number>>;
  readonly equal_opportunity_ratio: Readonly<Record<DisparityMethod, number>>;
  readonly equalized_odds_difference: Readonly<Record<EqualizedOddsAgg, Readonly<Record<DisparityMethod, number>>>>;
  readonly equalized_odds_ratio: Readonly<Record<EqualizedOddsAgg, Readonly<Record<DisparityMethod, number>>>>;
}

export type DisparityName = keyof Disparities;

export interface FairnessResult {
  readonly sensitiveColumns: readonly string[];
  /** The positive label as the data spells it. */
  readonly posLabel: string;
  readonly weighted: boolean;
  readonly overall: GroupRow;
  readonly byGroup: readonly GroupResult[];
  readonly aggregates: Readonly<Record<GroupMetricName, MetricAggregates | undefined>>;
  readonly disparities: Disparities;
  /** Rows left out of every group because a sensitive value is missing (Fairlearn: still in `overall`). */
  readonly rowsWithoutGroup: number;
  /** Plain-language notes on choices the numbers depend on (for reports and the CLI's stderr). */
  readonly notes: readonly string[];
}

/** Input the metrics cannot be computed from; the message names the column and the reason. */
export class FairnessInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FairnessInputError';
  }
}
