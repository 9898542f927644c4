/**
 * Model performance from logged predictions and labels (host-free), with scikit-learn's definitions:
 * accuracy; precision, recall and F1 for the positive label (binary) or macro-averaged over the
 * labels present in either labels or predictions (multiclass); MAE and RMSE (regression). A ratio
 * whose denominator is 0 is 0, as sklearn's `zero_division="warn"` returns.
 */
import { timeWindows, type Dataset, type DatasetColumn, type WindowSpec } from '../datasets';

export type Task = 'classification' | 'regression';
export const CLASSIFICATION_METRICS = ['accuracy', 'precision', 'recall', 'f1'] as const;
export const REGRESSION_METRICS = ['mae', 'rmse'] as const;
export type MetricName = (typeof CLASSIFICATION_METRICS)[number] | (typeof REGRESSION_METRICS)[number];

export interface ClassificationScores {
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly average: 'binary' | 'macro';
  readonly count: number;
}

export interface RegressionScores {
  readonly mae: number;
  readonly rmse: number;
  readonly count: number;
}

/** Labels as text so that 1, "1" and 1.0 from different readers are one class. */
function labelText(value: string | number): string {
  return typeof value === 'number' ? String(value) : value;
}

/**
 * Pairs with a missing label or prediction are skipped. Binary when at most two distinct labels
 * occur and one of them is the positive label (default "1", also "true"/"yes"); macro otherwise.
 */
export function classificationScores(labels: readonly (string | number | null)[], predictions: readonly (string | number | null)[], positive?: string): ClassificationScores {
  const pairs: [string, string][] = [];
  for (let i = 0; i < Math.min(labels.length, predictions.length); i++) {
    const y = labels[i];
    const p = predictions[i];
    if (y === null || p === null || (typeof y === 'number' && !Number.isFinite(y)) || (typeof p === 'number' && !Number.isFinite(p))) continue;
    pairs.push([labelText(y), labelText(p)]);
  }
  const classes = [...new Set(pairs.flatMap(([y, p]) => [y, p]))].sort();
  const positiveLabel = positive ?? ['1', 'true', 'True', 'yes'].find((c) => classes.includes(c));
  const binary = positiveLabel !== undefined && classes.length <= 2 && classes.includes(positiveLabel);
  let correct = 0;
  for (const [y, p] of pairs) if (y === p) correct++;
  const perClass = (c: string) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const [y, p] of pairs) {
      if (p === c && y === c) tp++;
      else if (p === c) fp++;
      else if (y === c) fn++;
    }
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    const f1 = 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
    return { precision, recall, f1 };
  };
  const count = pairs.length;
  const accuracy = count === 0 ? NaN : correct / count;
  if (count === 0) return { accuracy, precision: NaN, recall: NaN, f1: NaN, average: binary ? 'binary' : 'macro', count };
  if (binary) return { accuracy, ...perClass(positiveLabel), average: 'binary', count };
  const scores = classes.map(perClass);
  const meanOf = (key: 'precision' | 'recall' | 'f1') => scores.reduce((sum, s) => sum + s[key], 0) / scores.length;
  return { accuracy, precision: meanOf('precision'), recall: meanOf('recall'), f1: meanOf('f1'), average: 'macro', count };
}

export function regressionScores(labels: ArrayLike<number>, predictions: ArrayLike<number>): RegressionScores {
  let absolute = 0;
  let squared = 0;
  let count = 0;
  for (let i = 0; i < Math.min(labels.length, predictions.length); i++) {
    const error = predictions[i] - labels[i];
    if (!Number.isFinite(error)) continue;
    absolute += Math.abs(error);
    squared += error * error;
    count++;
  }
  return count === 0 ? { mae: NaN, rmse: NaN, count } : { mae: absolute / count, rmse: Math.sqrt(squared / count), count };
}

/** Categorical labels, or numbers with at most 20 distinct integer values, are classes; other numbers are a regression target. */
export function inferTask(label: DatasetColumn): Task {
  if (label.type === 'categorical') return 'classification';
  if (label.type === 'datetime') return 'regression';
  const distinct = new Set<number>();
  for (let i = 0; i < label.values.length; i++) {
    const v = label.values[i];
    if (!Number.isFinite(v)) continue;
    if (!Number.isInteger(v)) return 'regression';
    distinct.add(v);
    if (distinct.size > 20) return 'regression';
  }
  return 'classification';
}

function cellsOf(column: DatasetColumn, rows: ArrayLike<number>): (string | number | null)[] {
  const out = new Array<string | number | null>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    if (column.type === 'categorical') {
      const code = column.codes[rows[i]];
      out[i] = code < 0 ? null : column.categories[code];
    } else {
      const v = column.values[rows[i]];
      out[i] = Number.isFinite(v) ? v : null;
    }
  }
  return out;
}

function numbersOf(column: DatasetColumn, rows: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = column.type === 'categorical' ? NaN : column.values[rows[i]];
  return out;
}

export interface PerformanceOptions {
  readonly timestampColumn: string;
  readonly labelColumn: string;
  /** One series per prediction column (e.g. champion `prediction` and challenger `prediction_v2`). */
  readonly predictionColumns: readonly string[];
  readonly window: WindowSpec;
  readonly task?: Task;
  readonly positiveLabel?: string;
}

export interface PerformanceSeries {
  readonly predictionColumn: string;
  /** Per metric, one value per window (NaN when a window has no usable pair). */
  readonly values: Readonly<Record<string, number[]>>;
}

export interface PerformanceOverTime {
  readonly task: Task;
  readonly metrics: readonly MetricName[];
  readonly windows: readonly { readonly start: number; readonly end: number; readonly rows: number }[];
  readonly series: readonly PerformanceSeries[];
}

/** Metrics per time window for each prediction column, on the same windows (a backtest of two versions). */
export function performanceOverTime(dataset: Dataset, options: PerformanceOptions): PerformanceOverTime {
  const label = dataset.column(options.labelColumn);
  if (!label) throw new Error(`The current data has no label column "${options.labelColumn}".`);
  const predictions = options.predictionColumns.map((name) => {
    const column = dataset.column(name);
    if (!column) throw new Error(`The current data has no prediction column "${name}".`);
    return column;
  });
  const task = options.task ?? inferTask(label);
  const metrics: MetricName[] = task === 'classification' ? [...CLASSIFICATION_METRICS] : [...REGRESSION_METRICS];
  const windows = timeWindows(dataset, options.timestampColumn, options.window);
  const series = predictions.map((prediction) => {
    const values: Record<string, number[]> = Object.fromEntries(metrics.map((m) => [m, [] as number[]]));
    for (const window of windows) {
      if (task === 'classification') {
        const scores = classificationScores(cellsOf(label, window.rowIndices), cellsOf(prediction, window.rowIndices), options.positiveLabel);
        for (const m of metrics) values[m].push(scores[m as keyof ClassificationScores] as number);
      } else {
        const scores = regressionScores(numbersOf(label, window.rowIndices), numbersOf(prediction, window.rowIndices));
        for (const m of metrics) values[m].push(scores[m as keyof RegressionScores] as number);
      }
    }
    return { predictionColumn: prediction.name, values };
  });
  return { task, metrics, windows: windows.map((w) => ({ start: w.start, end: w.end, rows: w.rowIndices.length })), series };
}
