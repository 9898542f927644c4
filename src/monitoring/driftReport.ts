/**
 * The drift panel's data, built on the host (host-free, so tests and the browser check use exactly
 * this): per-feature drift with Evidently's defaults and bins, drift per time window, performance per
 * window and the alert rules' breaches. The result is compact: shares per bin, scores per window.
 */
import { driftValues, timeWindows, type Dataset, type DatasetColumn, type WindowSpec } from '../datasets';
import { binColumn, columnDrift, datasetDrift, DRIFT_METHODS, type ColumnDriftResult, type DriftMethodName } from '../drift';
import { cleanCategorical, cleanNumeric, withSortCache } from '../drift/stats/arrays';
import type { DriftOverTime, DriftReportModel, FeatureDrift, FeatureHistogram, PerformanceView, WindowChoice } from '../shared/driftProtocol';
import { performanceOverTime } from './performance';
import { evaluateRule, formatRule, type AlertRule } from './rules';

const MAX_CATEGORIES = 20;
/** A numerical column with ≤ 20 distinct reference values is binned per value; at most this many bars. */
const MAX_VALUE_BINS = 60;

export interface DriftReportOptions {
  readonly referenceLabel: string;
  readonly currentLabel: string;
  readonly version?: string;
  /** Share of drifted features that means dataset drift (Evidently: 0.5). */
  readonly driftShare?: number;
  readonly method?: DriftMethodName;
  readonly timestampColumn?: string;
  readonly window?: WindowChoice;
  readonly labelColumn?: string;
  /** Prediction columns are this name and any `<name>_…` (e.g. `prediction_v2`: a challenger on the same rows). */
  readonly predictionColumn?: string;
  readonly rules?: readonly AlertRule[];
  readonly notes?: readonly string[];
}

export function windowSpec(window: WindowChoice): WindowSpec {
  if (window === 'day' || window === 'week') return window;
  return { ms: Number(window.slice(0, -1)) * 3_600_000 };
}

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** How far a score is past its threshold (> 1: drifted), to sort the features by. */
function severity(result: ColumnDriftResult): number {
  if (!Number.isFinite(result.score)) return -1;
  if (result.kind === 'pvalue') return result.score > 0 ? result.threshold / result.score : Number.MAX_VALUE;
  return result.threshold > 0 ? result.score / result.threshold : result.score;
}

/** Evidently's bins for the column (Sturges on reference ∪ current, or one per value), as shares of each side. */
export function featureHistogram(reference: readonly (number | string | null)[], current: readonly (number | string | null)[], type: 'numerical' | 'categorical'): FeatureHistogram {
  const clean = type === 'numerical' ? cleanNumeric : cleanCategorical;
  const binning = binColumn(clean(reference), clean(current), type);
  if (binning.mode === 'sturges_on_combined') {
    return { kind: 'bins', edges: binning.edges ?? [], reference: binning.referenceShares, current: binning.currentShares };
  }
  const keys = (binning.keys ?? []).map(String);
  // Categories: the most frequent first; numbers binned per value: in value order. The rest become "other".
  const indices = keys.map((_, i) => i);
  const order = type === 'categorical' ? indices.sort((a, b) => binning.referenceCounts[b] + binning.currentCounts[b] - (binning.referenceCounts[a] + binning.currentCounts[a])) : indices;
  const limit = type === 'categorical' ? MAX_CATEGORIES : MAX_VALUE_BINS;
  const kept = type === 'categorical' ? order.slice(0, limit) : order.length > limit ? order.filter((i) => binning.referenceCounts[i] + binning.currentCounts[i] > 0).slice(0, limit) : order;
  const keptSet = new Set(kept);
  const rest = order.filter((i) => !keptSet.has(i));
  const sum = (shares: readonly number[], picked: number[]) => picked.reduce((s, i) => s + shares[i], 0);
  return {
    kind: 'categories',
    labels: [...kept.map((i) => keys[i]), ...(rest.length ? [`other (${rest.length})`] : [])],
    reference: [...kept.map((i) => binning.referenceShares[i]), ...(rest.length ? [sum(binning.referenceShares, rest)] : [])],
    current: [...kept.map((i) => binning.currentShares[i]), ...(rest.length ? [sum(binning.currentShares, rest)] : [])],
  };
}

export function buildDriftReport(reference: Dataset, current: Dataset, options: DriftReportOptions): DriftReportModel {
  const driftShare = options.driftShare ?? 0.5;
  const notes = [...(options.notes ?? [])];
  const predictionColumn = options.predictionColumn ?? 'prediction';
  const isPrediction = (name: string) => name === predictionColumn || name.startsWith(`${predictionColumn}_`);
  const monitoring = new Set([options.labelColumn ?? 'label', options.timestampColumn ?? '']);
  const results: { result: ColumnDriftResult; type: 'numerical' | 'categorical'; ref: DatasetColumn; cur: DatasetColumn }[] = [];
  const skipped: { column: string; reason: string }[] = [];
  for (const ref of reference.columns) {
    if (ref.type === 'datetime') continue;
    if (monitoring.has(ref.name) || isPrediction(ref.name)) {
      skipped.push({ column: ref.name, reason: 'a label or prediction column (performance, not a feature)' });
      continue;
    }
    const cur = current.column(ref.name);
    if (!cur) {
      skipped.push({ column: ref.name, reason: 'not in the current data' });
      continue;
    }
    if (cur.type === 'datetime') {
      skipped.push({ column: ref.name, reason: 'a timestamp in the current data' });
      continue;
    }
    const type = ref.type === 'categorical' || cur.type === 'categorical' ? 'categorical' : 'numerical';
    try {
      const result = columnDrift(driftValues(ref), driftValues(cur), { column: ref.name, columnType: type, ...(options.method ? { method: options.method } : {}) });
      results.push({ result, type, ref, cur });
    } catch (error) {
      skipped.push({ column: ref.name, reason: (error as Error).message });
    }
  }
  const dataset = datasetDrift(
    results.map((r) => r.result),
    driftShare,
  );
  const features: FeatureDrift[] = results
    .map(({ result, type, ref, cur }) => ({
      severity: severity(result),
      feature: {
        column: ref.name,
        type,
        method: result.method,
        methodLabel: DRIFT_METHODS[result.method].displayName,
        kind: result.kind,
        score: finite(result.score),
        threshold: result.threshold,
        drifted: result.drifted,
        referenceRows: result.referenceRows,
        currentRows: result.currentRows,
        histogram: featureHistogram(driftValues(ref), driftValues(cur), type),
      },
    }))
    .sort((a, b) => Number(b.feature.drifted === true) - Number(a.feature.drifted === true) || b.severity - a.severity || a.feature.column.localeCompare(b.feature.column))
    .map((f) => f.feature);

  let overTime: DriftOverTime | null = null;
  let performance: PerformanceView | null = null;
  const window = options.window ?? 'day';
  const timestamp = options.timestampColumn ? current.column(options.timestampColumn) : undefined;
  if (options.timestampColumn && !timestamp) notes.push(`No timestamp column "${options.timestampColumn}" in the current data: no drift over time.`);
  else if (timestamp && timestamp.type !== 'datetime') notes.push(`Column "${timestamp.name}" is not a timestamp (${timestamp.type}): no drift over time.`);
  else if (timestamp) {
    const windows = timeWindows(current, timestamp.name, windowSpec(window));
    // One sort cache for every window: each reference column is cleaned and sorted once, not per window.
    const lines = withSortCache(() => results.map(({ result, type, ref, cur }) => {
      const refValues = type === 'numerical' ? cleanNumeric(driftValues(ref)) : driftValues(ref);
      const scores: (number | null)[] = [];
      const drifted: (boolean | null)[] = [];
      for (const w of windows) {
        try {
          const r = columnDrift(refValues, driftValues(cur, w.rowIndices), { columnType: type, method: result.method, threshold: result.threshold });
          scores.push(finite(r.score));
          drifted.push(r.drifted);
        } catch {
          scores.push(null);
          drifted.push(null);
        }
      }
      return { column: ref.name, method: result.method, kind: result.kind, threshold: result.threshold, scores, drifted };
    }));
    const share = windows.map((_, i) => (lines.length === 0 ? 0 : lines.filter((l) => l.drifted[i] === true).length / lines.length));
    const first = share.findIndex((s) => lines.length > 0 && s >= driftShare);
    overTime = {
      timestampColumn: timestamp.name,
      window,
      windows: windows.map((w) => ({ start: w.start, end: w.end, rows: w.rowIndices.length })),
      features: lines,
      share,
      firstDriftWindow: first < 0 ? null : first,
    };
    const labelColumn = options.labelColumn ?? 'label';
    const predictions = current.columns.filter((c) => isPrediction(c.name)).map((c) => c.name);
    if (current.column(labelColumn) && predictions.length > 0) {
      try {
        const perf = performanceOverTime(current, { timestampColumn: timestamp.name, labelColumn, predictionColumns: predictions, window: windowSpec(window) });
        const rules = (options.rules ?? []).filter((r) => perf.metrics.includes(r.metric as never));
        const breaches = rules.flatMap((rule) =>
          perf.series.filter((s) => !rule.series || rule.series === s.predictionColumn).flatMap((s) => evaluateRule(rule, perf.windows, s.values[rule.metric], s.predictionColumn)),
        );
        performance = {
          task: perf.task,
          labelColumn,
          metrics: perf.metrics,
          windows: perf.windows,
          series: perf.series.map((s) => ({ name: s.predictionColumn, values: Object.fromEntries(Object.entries(s.values).map(([k, v]) => [k, v.map(finite)])) })),
          rules: rules.map((r) => ({ text: formatRule(r), metric: r.metric, operator: r.operator, threshold: r.threshold })),
          breaches: breaches.map((b) => ({ rule: formatRule(b.rule), series: b.series, start: b.start, end: b.end, worst: finite(b.worst) })),
        };
      } catch (error) {
        notes.push(`Performance over time: ${(error as Error).message}`);
      }
    }
  }
  return {
    title: options.version ? `Drift: ${options.version}` : 'Drift report',
    version: options.version ?? null,
    referenceLabel: options.referenceLabel,
    currentLabel: options.currentLabel,
    referenceRows: reference.rowCount,
    currentRows: current.rowCount,
    driftShareThreshold: driftShare,
    share: dataset.share,
    driftedCount: dataset.driftedCount,
    columnCount: dataset.columnCount,
    datasetDrift: dataset.drifted,
    features,
    skipped,
    overTime,
    performance,
    notes,
  };
}
