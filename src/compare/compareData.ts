// What the "Compare runs" panel and `model-ledger compare` show, computed from the store in one place.
import { metricDirection } from '../shared/metricDirection';
import type { Database } from 'sql.js';
import { readMetricSeries, seriesLabel, seriesSummaries, type SeriesSummary } from '../store';
import { loggedModelByUid, loggedModelPairs, loggedModelPoints, loggedModelSeries } from '../tracking/loggedModels';
import { optionalNumber, optionalString, rows } from '../tracking/queries';
import {
  seriesId,
  type CompareRun,
  type ComparisonModel,
  type MetricCell,
  type MetricDirection,
  type MetricRow,
  type ParamRow,
  type PointRef,
  type SeriesData,
} from '../shared/compareProtocol';
import { assignColors } from './colors';
import { lttbIndices } from './lttb';

export const DEFAULT_MAX_POINTS_PER_SERIES = 2000;

export interface ComparisonOptions {
  readonly baselineUid?: string;
  /** Per metric key; overrides the name-based guess. */
  readonly directions?: Readonly<Record<string, MetricDirection>>;
  readonly maxPointsPerSeries?: number;
  /** Reuses decoded series whose store summary did not change (the panel keeps one per panel). */
  readonly cache?: ComparisonCache;
  /** False: tables only, no series (the CLI). Default true. */
  readonly includeSeries?: boolean;
}

export { metricDirection };

interface SeriesStats {
  readonly min: PointRef | null;
  readonly max: PointRef | null;
}

interface CachedSeries {
  readonly fingerprint: string;
  readonly maxPoints: number;
  readonly stats: SeriesStats;
  readonly series: SeriesData | undefined;
}

/** Decoded series by (run, key), valid while the store's summary of the series is unchanged. */
export class ComparisonCache {
  readonly entries = new Map<string, CachedSeries>();
}

/** A run, or an MLflow 3 LoggedModel compared beside runs (checkpoint vs checkpoint). */
interface RunRecordRow {
  readonly id: number;
  readonly kind: 'run' | 'loggedModel';
  readonly run: Omit<CompareRun, 'tags' | 'color'>;
}

/** What a compared entry's series come from: the store's chunked series, or a LoggedModel's points. */
interface EntrySeries {
  readonly summary: SeriesSummary;
  points(range?: { fromStep: number; toStep: number }): Points;
}

/** An entry's series by label (`key`, or `key[dataset]` for one logged against a dataset). */
function seriesOf(db: Database, entry: RunRecordRow): Map<string, EntrySeries> {
  if (entry.kind === 'run') {
    return new Map(
      seriesSummaries(db, entry.id).map((summary) => [
        seriesLabel(summary.key, summary.dataset),
        { summary, points: (range?: { fromStep: number; toStep: number }) => readMetricSeries(db, entry.id, summary.key, range, summary.dataset) },
      ]),
    );
  }
  return new Map(
    loggedModelSeries(loggedModelPoints(db, entry.id)).map(({ summary, points }) => [
      seriesLabel(summary.key, summary.dataset),
      {
        summary,
        points: (range?: { fromStep: number; toStep: number }) => {
          const kept = range ? points.filter((p) => p.step >= range.fromStep && p.step <= range.toStep) : points;
          return { steps: kept.map((p) => p.step), timestamps: kept.map((p) => p.timestamp), values: kept.map((p) => p.value) };
        },
      },
    ]),
  );
}

function tagsOf(db: Database, entry: RunRecordRow): [string, string][] {
  if (entry.kind === 'loggedModel') return loggedModelPairs(db, entry.id, 'logged_model_tags');
  return rows(db, 'SELECT key, value FROM run_tags WHERE run_id = ? ORDER BY key', [entry.id], (t) => [String(t[0]), String(t[1])]);
}

export function buildComparison(db: Database, runUids: readonly string[], options: ComparisonOptions = {}): ComparisonModel {
  const maxPoints = Math.max(2, Math.floor(options.maxPointsPerSeries ?? DEFAULT_MAX_POINTS_PER_SERIES));
  const includeSeries = options.includeSeries !== false;
  const requested = [...new Set(runUids)];
  const found = requested.map((uid) => loadRun(db, uid) ?? loadLoggedModel(db, uid));
  const present = found.filter((r): r is RunRecordRow => r !== undefined);
  const missingUids = requested.filter((_, i) => found[i] === undefined);
  const colours = assignColors(present.map((r) => r.run.uid));
  const runs: CompareRun[] = present.map((r) => ({
    ...r.run,
    tags: tagsOf(db, r),
    color: colours.get(r.run.uid) ?? '#999999',
  }));
  const baselineIndex = Math.max(0, options.baselineUid ? runs.findIndex((r) => r.uid === options.baselineUid) : 0);
  const baselineUid = runs[baselineIndex]?.uid ?? '';

  const params = paramRows(db, present);

  // Per run: its series by label (cheap: no chunk is decoded until a series is loaded).
  const summaries = present.map((r) => seriesOf(db, r));
  const keys = [...new Set(summaries.flatMap((m) => [...m.keys()]))].sort(compareKeys);
  const series: SeriesData[] = [];
  const seenIds = new Set<string>();
  const metrics: MetricRow[] = keys.map((key) => {
    const direction = metricDirection(key, options.directions);
    const stats = present.map((r, i) => {
      const entry = summaries[i].get(key);
      const summary = entry?.summary;
      if (!entry || !summary || summary.pointCount === 0) return undefined;
      const id = seriesId(r.run.uid, key);
      seenIds.add(id);
      const fingerprint = fingerprintOf(summary);
      const cached = options.cache?.entries.get(id);
      if (cached && cached.fingerprint === fingerprint && cached.maxPoints === maxPoints && (cached.series !== undefined || !includeSeries)) {
        if (cached.series) series.push(cached.series);
        return { summary, stats: cached.stats };
      }
      const loaded = loadSeries(entry.points(), r.run.uid, key, maxPoints, fingerprint, summary.pointCount);
      options.cache?.entries.set(id, { fingerprint, maxPoints, stats: loaded.stats, series: includeSeries ? loaded.series : undefined });
      if (includeSeries) series.push(loaded.series);
      return { summary, stats: loaded.stats };
    });
    const cells = stats.map((s) => (s ? cellOf(s.summary, s.stats, direction) : null));
    const baseline = cells[baselineIndex];
    const withDeltas = cells.map((cell, i): MetricCell | null => {
      if (!cell) return null;
      if (i === baselineIndex) return cell;
      const { deltaAbs, deltaPct } = delta(cell.last?.value ?? null, baseline?.last?.value ?? null);
      return { ...cell, deltaAbs, deltaPct };
    });
    return { key, direction, cells: withDeltas, bestRunIndex: bestIndex(withDeltas, direction) };
  });
  if (options.cache) {
    for (const id of [...options.cache.entries.keys()]) if (!seenIds.has(id)) options.cache.entries.delete(id);
  }
  return { runs, baselineUid, params, metrics, series, missingUids, maxPointsPerSeries: maxPoints };
}

/** Full-resolution points of [fromStep, toStep] (decimated only beyond `maxPoints`), for a zoomed chart. */
export function fetchRange(db: Database, runUid: string, key: string, fromStep: number, toStep: number, maxPoints: number): SeriesData | undefined {
  const run = loadRun(db, runUid) ?? loadLoggedModel(db, runUid);
  if (!run) return undefined;
  const entry = seriesOf(db, run).get(key);
  if (!entry) return undefined;
  const points = entry.points({ fromStep: Math.min(fromStep, toStep), toStep: Math.max(fromStep, toStep) });
  return decimate(runUid, key, points, Math.max(2, Math.floor(maxPoints)), fingerprintOf(entry.summary), entry.summary.pointCount);
}

function loadRun(db: Database, uid: string): RunRecordRow | undefined {
  const [found] = rows(
    db,
    `SELECT r.id, r.uid, r.external_id, r.name, e.name, r.status, r.start_time, r.end_time, r.format, r.source_path, r.git_commit
       FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.uid = ?`,
    [uid],
    (r) => r,
  );
  if (!found) return undefined;
  const start = optionalNumber(found[6]) ?? null;
  const end = optionalNumber(found[7]) ?? null;
  const externalId = optionalString(found[2]);
  const name = optionalString(found[3]);
  return {
    id: Number(found[0]),
    kind: 'run',
    run: {
      uid,
      id: externalId ?? uid,
      name: name ?? externalId ?? uid,
      experiment: String(found[4]),
      status: String(found[5]),
      startTime: start,
      endTime: end,
      durationMs: start !== null && end !== null && end >= start ? end - start : null,
      format: String(found[8]),
      sourcePath: optionalString(found[9]) ?? null,
      gitCommit: optionalString(found[10]) ?? null,
    },
  };
}

/** A LoggedModel as a compared entry: its status, its source run's experiment, its folder. */
function loadLoggedModel(db: Database, uid: string): RunRecordRow | undefined {
  const m = loggedModelByUid(db, uid);
  if (!m) return undefined;
  return {
    id: m.id,
    kind: 'loggedModel',
    run: {
      uid,
      id: m.modelId,
      name: m.name,
      experiment: m.experiment,
      status: m.status,
      startTime: m.createdAt ?? null,
      endTime: null,
      durationMs: null,
      format: m.format,
      sourcePath: m.sourcePath ?? null,
      gitCommit: null,
    },
  };
}

function paramRows(db: Database, entries: readonly RunRecordRow[]): ParamRow[] {
  const byKey = new Map<string, (string | null)[]>();
  entries.forEach((entry, index) => {
    const pairs =
      entry.kind === 'loggedModel'
        ? loggedModelPairs(db, entry.id, 'logged_model_params')
        : rows(db, 'SELECT key, value FROM params WHERE run_id = ?', [entry.id], (p) => [String(p[0]), String(p[1])] as const);
    for (const [key, value] of pairs) {
      let values = byKey.get(key);
      if (!values) {
        values = new Array<string | null>(entries.length).fill(null);
        byKey.set(key, values);
      }
      values[index] = value;
    }
  });
  return [...byKey.entries()]
    .sort(([a], [b]) => compareKeys(a, b))
    .map(([key, values]) => ({ key, values, differs: values.some((v) => v !== values[0]) }));
}

/** Natural order, so "layer_10" follows "layer_9". */
function compareKeys(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' }) || (a < b ? -1 : a > b ? 1 : 0);
}

function fingerprintOf(s: SeriesSummary): string {
  return [s.pointCount, s.last?.step, s.last?.timestamp, s.last?.value, s.min, s.max, s.minStep, s.maxStep].join('|');
}

function loadSeries(points: Points, runUid: string, key: string, maxPoints: number, fingerprint: string, total: number): { stats: SeriesStats; series: SeriesData } {
  const sorted = sortByStep(points.steps, points.timestamps, points.values);
  let min: PointRef | null = null;
  let max: PointRef | null = null;
  // Earliest step reaching the extreme: "best at step N" means when it was first reached.
  for (let i = 0; i < sorted.values.length; i++) {
    const value = sorted.values[i];
    if (Number.isNaN(value)) continue;
    if (!min || value < (min.value as number)) min = { value, step: sorted.steps[i] };
    if (!max || value > (max.value as number)) max = { value, step: sorted.steps[i] };
  }
  return { stats: { min, max }, series: decimate(runUid, key, sorted, maxPoints, fingerprint, total, true) };
}

interface Points {
  readonly steps: ArrayLike<number>;
  readonly timestamps: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

/** Arrival order is not always step order (resumed runs): charts and LTTB need ascending x. */
function sortByStep(steps: ArrayLike<number>, timestamps: ArrayLike<number>, values: ArrayLike<number>): Points {
  let ascending = true;
  for (let i = 1; i < steps.length && ascending; i++) ascending = steps[i] >= steps[i - 1];
  if (ascending) return { steps, timestamps, values };
  const order = Array.from({ length: steps.length }, (_, i) => i).sort((a, b) => steps[a] - steps[b] || a - b);
  return {
    steps: Float64Array.from(order, (i) => steps[i]),
    timestamps: Float64Array.from(order, (i) => timestamps[i]),
    values: Float64Array.from(order, (i) => values[i]),
  };
}

function decimate(runUid: string, key: string, points: Points, maxPoints: number, fingerprint: string, total: number, sorted = false): SeriesData {
  const p = sorted ? points : sortByStep(points.steps, points.timestamps, points.values);
  const keep = lttbIndices(p.steps, p.values, maxPoints);
  return {
    runUid,
    key,
    x: keep.map((i) => p.steps[i]),
    y: keep.map((i) => (Number.isFinite(p.values[i]) ? p.values[i] : null)),
    t: keep.map((i) => p.timestamps[i]),
    totalPoints: total,
    fingerprint,
  };
}

function cellOf(summary: SeriesSummary, stats: SeriesStats, direction: MetricDirection): MetricCell {
  const last = summary.last ? { value: Number.isNaN(summary.last.value) ? null : summary.last.value, step: summary.last.step, timestamp: summary.last.timestamp } : null;
  return {
    count: summary.pointCount,
    last,
    min: stats.min,
    max: stats.max,
    best: direction === 'min' ? stats.min : direction === 'max' ? stats.max : null, // neutral: no best
    deltaAbs: null,
    deltaPct: null,
  };
}

function delta(value: number | null, baseline: number | null): { deltaAbs: number | null; deltaPct: number | null } {
  if (value === null || baseline === null || !Number.isFinite(value) || !Number.isFinite(baseline)) return { deltaAbs: null, deltaPct: null };
  const deltaAbs = value - baseline;
  return { deltaAbs, deltaPct: baseline === 0 ? null : (deltaAbs / Math.abs(baseline)) * 100 };
}

function bestIndex(cells: readonly (MetricCell | null)[], direction: MetricDirection): number | null {
  if (direction === 'neutral') return null;
  let best: number | null = null;
  cells.forEach((cell, i) => {
    const value = cell?.best?.value;
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    const current = best === null ? undefined : cells[best]?.best?.value;
    if (current === undefined || current === null || (direction === 'min' ? value < current : value > current)) best = i;
  });
  return best;
}
