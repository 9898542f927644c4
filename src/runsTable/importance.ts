// Parameter importance for one metric over the shown runs, the two numbers W&B's parameter-importance
// panel reports (docs.wandb.ai, "Parameter importance"):
//  - correlation: the linear (Pearson) correlation between a hyperparameter and the metric, in [-1, 1];
//  - importance: W&B trains a random forest with the hyperparameters as inputs and the metric as the
//    target and reports the forest's feature-importance values (the fast.ai approach of Jeremy Howard):
//    the mean decrease in impurity (variance) each feature brings over all splits of all trees, per tree
//    normalised to sum 1, then averaged over trees (scikit-learn's `feature_importances_`).
// Text params are one-hot encoded, one feature per value ("optimizer = adam"), so both numbers exist for
// them. Here: 30 trees, bootstrap samples, every feature considered at each split (scikit-learn's
// regressor default), trees at most MAX_DEPTH deep, at most MAX_TRAINING_ROWS runs (evenly spaced) and the
// FOREST_FEATURES features with the largest |correlation| in the forest, so a 10,000-run sweep with hundreds
// of params answers in about a second; the other features' importance is reported as not computed.
// Missing values: correlation uses the runs that have both; the forest reads a missing number as the
// feature's mean (it needs a value for every run).
import type { ImportanceResult, ImportanceRow } from '../shared/runsTableProtocol';
import { cellValue, columnInfo, metricColumnId } from './columns';
import type { RunsTableData } from './tableData';
import { seededRandom } from '../shared/seededRandom';

export const CORRELATION_METHOD = 'Pearson correlation with the metric (runs having both values)';
export const IMPORTANCE_METHOD = 'Random forest (30 regression trees, bootstrap), mean decrease in variance, normalised to sum 1';

const TREES = 30;
const MAX_TRAINING_ROWS = 1000;
const MAX_CATEGORIES = 10;
const MAX_FEATURES = 200;
const FOREST_FEATURES = 24;
const MIN_PRESENT_SHARE = 0.5;
const MAX_DEPTH = 12;

export function pearson(x: readonly (number | null)[], y: readonly (number | null)[]): number | null {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    n++;
    sx += a;
    sy += b;
  }
  if (n < 2) return null;
  const mx = sx / n;
  const my = sy / n;
  let cov = 0;
  let vx = 0;
  let vy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    cov += (a - mx) * (b - my);
    vx += (a - mx) ** 2;
    vy += (b - my) ** 2;
  }
  return vx === 0 || vy === 0 ? null : cov / Math.sqrt(vx * vy);
}

/**
 * Impurity-based importances of a random forest of regression trees (features × rows in `columns`).
 * Returns one value per feature, summing to 1 (all 0 when no split reduces the variance).
 */
export function forestImportance(columns: readonly Float64Array[], target: Float64Array, options: { trees?: number; seed?: number } = {}): number[] {
  const featureCount = columns.length;
  const total = new Float64Array(featureCount);
  const random = seededRandom(options.seed ?? 1);
  const n = target.length;
  const trees = options.trees ?? TREES;
  for (let t = 0; t < trees; t++) {
    const sample = Array.from({ length: n }, () => Math.floor(random() * n));
    const gains = new Float64Array(featureCount);
    growTree(columns, target, sample, gains);
    const sum = gains.reduce((a, b) => a + b, 0);
    if (sum > 0) for (let f = 0; f < featureCount; f++) total[f] += gains[f] / sum;
  }
  const sum = total.reduce((a, b) => a + b, 0);
  return [...total].map((v) => (sum > 0 ? v / sum : 0));
}

/** Grows one tree on `rows` (indices, repeats allowed), adding each split's weighted variance decrease to `gains`. */
function growTree(columns: readonly Float64Array[], target: Float64Array, rowsIn: number[], gains: Float64Array): void {
  const stack: { rows: number[]; depth: number }[] = [{ rows: rowsIn, depth: 0 }];
  while (stack.length) {
    const { rows, depth } = stack.pop()!;
    if (rows.length < 2 || depth >= MAX_DEPTH) continue;
    const split = bestSplit(columns, target, rows);
    if (!split) continue;
    gains[split.feature] += split.gain;
    const values = columns[split.feature];
    stack.push({ rows: rows.filter((r) => values[r] <= split.threshold), depth: depth + 1 }, { rows: rows.filter((r) => values[r] > split.threshold), depth: depth + 1 });
  }
}

/** The split with the largest decrease of the sum of squared errors (= n × variance decrease). */
function bestSplit(columns: readonly Float64Array[], target: Float64Array, rows: readonly number[]): { feature: number; threshold: number; gain: number } | undefined {
  const n = rows.length;
  let sum = 0;
  let sumSq = 0;
  for (const r of rows) {
    sum += target[r];
    sumSq += target[r] * target[r];
  }
  const parentSse = sumSq - (sum * sum) / n;
  if (parentSse <= 1e-12 * Math.max(1, sumSq)) return undefined;
  let best: { feature: number; threshold: number; gain: number } | undefined;
  const order = [...rows];
  for (let f = 0; f < columns.length; f++) {
    const values = columns[f];
    order.sort((a, b) => values[a] - values[b]);
    let leftSum = 0;
    let leftSq = 0;
    for (let i = 0; i < n - 1; i++) {
      const y = target[order[i]];
      leftSum += y;
      leftSq += y * y;
      if (values[order[i]] === values[order[i + 1]]) continue;
      const nl = i + 1;
      const nr = n - nl;
      const rightSum = sum - leftSum;
      const sse = leftSq - (leftSum * leftSum) / nl + (sumSq - leftSq) - (rightSum * rightSum) / nr;
      const gain = parentSse - sse;
      if (gain > 1e-12 && (!best || gain > best.gain)) best = { feature: f, threshold: (values[order[i]] + values[order[i + 1]]) / 2, gain };
    }
  }
  return best;
}

interface Feature {
  readonly name: string;
  readonly values: (number | null)[];
}

/** Numeric params as they are; text params one-hot, one feature per value (the most frequent ones). */
function featuresOf(data: RunsTableData, rows: readonly number[]): Feature[] {
  const features: Feature[] = [];
  // Params most of these runs have: a key a few runs logged cannot explain the metric across the sweep.
  const minimum = rows.length * MIN_PRESENT_SHARE;
  for (const key of [...data.params.keys()].sort()) {
    if (data.params.get(key)!.count < minimum) continue;
    const column = columnInfo(data, `p:${key}`)!;
    if (column.numeric) {
      features.push({ name: key, values: rows.map((row) => (cellValue(data, column, row) as number | undefined) ?? null) });
      continue;
    }
    const texts = rows.map((row) => data.params.get(key)!.get(row));
    const counts = new Map<string, number>();
    for (const t of texts) if (t !== undefined) counts.set(t, (counts.get(t) ?? 0) + 1);
    if (counts.size < 2) continue;
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_CATEGORIES);
    for (const [value] of top) features.push({ name: `${key} = ${value}`, values: texts.map((t) => (t === undefined ? null : t === value ? 1 : 0)) });
  }
  return features.filter((f) => new Set(f.values.filter((v) => v !== null)).size > 1).slice(0, MAX_FEATURES);
}

export function parameterImportance(data: RunsTableData, rowsIn: readonly number[], metric: string): ImportanceResult {
  const base = { metric, correlationMethod: CORRELATION_METHOD, importanceMethod: IMPORTANCE_METHOD };
  const column = columnInfo(data, metricColumnId(metric));
  if (!column) return { ...base, runs: 0, rows: [], note: `No metric "${metric}" in these runs.` };
  const rows = rowsIn.filter((row) => {
    const v = cellValue(data, column, row);
    return typeof v === 'number' && Number.isFinite(v);
  });
  if (rows.length < 3) return { ...base, runs: rows.length, rows: [], note: 'Importance needs at least 3 runs with a finite value of the metric.' };
  const target = rows.map((row) => cellValue(data, column, row) as number);
  const features = featuresOf(data, rows);
  if (features.length === 0) return { ...base, runs: rows.length, rows: [], note: 'No param varies across these runs.' };
  const correlations = features.map((f) => pearson(f.values, target));
  const training = sampleRows(rows.length, MAX_TRAINING_ROWS);
  const inForest = features
    .map((_, i) => i)
    .sort((a, b) => Math.abs(correlations[b] ?? 0) - Math.abs(correlations[a] ?? 0))
    .slice(0, FOREST_FEATURES);
  const columns = inForest.map((i) => features[i]).map((f) => {
    const present = f.values.filter((v): v is number => v !== null);
    const mean = present.reduce((a, b) => a + b, 0) / Math.max(1, present.length);
    return Float64Array.from(training, (i) => f.values[i] ?? mean);
  });
  const forest = forestImportance(columns, Float64Array.from(training, (i) => target[i]));
  const importances = new Map(inForest.map((feature, k) => [feature, forest[k]]));
  const out: ImportanceRow[] = features.map((f, i) => ({ feature: f.name, correlation: correlations[i], importance: importances.get(i) ?? null }));
  out.sort((a, b) => (b.importance ?? -1) - (a.importance ?? -1) || Math.abs(b.correlation ?? 0) - Math.abs(a.correlation ?? 0));
  const notes = [
    ...(rows.length > MAX_TRAINING_ROWS ? [`The forest was trained on ${MAX_TRAINING_ROWS} of ${rows.length} runs (evenly spaced).`] : []),
    ...(features.length > FOREST_FEATURES ? [`The forest used the ${FOREST_FEATURES} features most correlated with ${metric}; the other ${features.length - FOREST_FEATURES} show no importance.`] : []),
  ];
  const note = notes.length ? notes.join(' ') : null;
  return { ...base, runs: rows.length, rows: out, note };
}

function sampleRows(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.floor((i * n) / max));
}
