import type { Database, Statement } from 'sql.js';
import { decodeChunk, encodeChunk, type DecodedChunk } from './seriesCodec';

/** Points per chunk. Appending re-encodes at most one chunk, so a tail's cost is bounded by this, not by the store. */
export const CHUNK_POINTS = 4096;

export interface PointBatch {
  readonly steps: ArrayLike<number>;
  readonly timestamps: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

/**
 * How a series is named where one string must say which: `val_auc` for the series without a
 * dataset, `val_auc[churn_eval]` for the one logged against churn_eval (the filter language, the
 * CLI's metric maps and the comparison's series names use this form).
 */
export function seriesLabel(key: string, dataset: string | undefined): string {
  return dataset ? `${key}[${dataset}]` : key;
}

/** The inverse of seriesLabel: `val_auc[churn_eval]` → key val_auc, dataset churn_eval. */
export function parseSeriesLabel(label: string): { readonly key: string; readonly dataset: string } {
  const match = /^(.+)\[([^[\]]+)\]$/.exec(label);
  return match ? { key: match[1], dataset: match[2] } : { key: label, dataset: '' };
}

export interface SeriesSummary {
  readonly key: string;
  /** The dataset the points were logged against (MLflow 3); '' for none. */
  readonly dataset: string;
  readonly datasetDigest: string | undefined;
  readonly pointCount: number;
  /** The point MLflow calls "latest": largest (step, timestamp, value). */
  readonly last: { readonly step: number; readonly timestamp: number; readonly value: number } | undefined;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly minStep: number | undefined;
  readonly maxStep: number | undefined;
}

interface SeriesRow {
  id: number;
  pointCount: number;
  chunkCount: number;
  lastStep: number | null;
  lastTimestamp: number | null;
  lastValue: number;
  min: number | null;
  max: number | null;
  minStep: number | null;
  maxStep: number | null;
  firstTimestamp: number | null;
  maxTimestamp: number | null;
}

/**
 * Prepared statements for appending, reused across many series: preparing a statement in sql.js
 * parses its SQL each time, which costs as much as the insert itself for small batches. Free it
 * before the database is exported (export() closes every statement).
 */
export class MetricWriter {
  private readonly statements = new Map<string, Statement>();

  constructor(readonly db: Database) {}

  statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Appends to the series (run, key, dataset); `dataset` '' (the default) is the series without one. */
  append(runId: number, key: string, batch: PointBatch, dataset = '', datasetDigest?: string): void {
    appendWith(this, { runId, key, dataset, datasetDigest }, batch);
  }

  free(): void {
    for (const statement of this.statements.values()) statement.free();
    this.statements.clear();
  }
}

/**
 * Appends points to the series (run, key), in arrival order. Call inside a transaction when
 * appending to several series at once. Cost: one chunk re-encode at most, plus new chunks.
 */
export function appendMetricPoints(db: Database, runId: number, key: string, batch: PointBatch, dataset = ''): void {
  const writer = new MetricWriter(db);
  try {
    writer.append(runId, key, batch, dataset);
  } finally {
    writer.free();
  }
}

/** Which series: MLflow 3 keys a series by (run, key, dataset). */
interface SeriesId {
  readonly runId: number;
  readonly key: string;
  readonly dataset: string;
  readonly datasetDigest: string | undefined;
}

function appendWith(w: MetricWriter, which: SeriesId, batch: PointBatch): void {
  const n = batch.values.length;
  if (n === 0) return;
  const series = loadOrCreateSeries(w, which);
  let { steps, timestamps, values } = batch;
  let seq = series.chunkCount;

  // Top up the last chunk first, so chunks stay full and a tail rewrites one bounded chunk.
  if (series.chunkCount > 0) {
    const lastSeq = series.chunkCount - 1;
    const lastChunk = selectChunk(w, series.id, lastSeq);
    if (lastChunk && lastChunk.point_count < CHUNK_POINTS) {
      const take = Math.min(CHUNK_POINTS - lastChunk.point_count, n);
      const old = decodeChunk(lastChunk.data);
      const merged = concat(old, batch, take);
      writeChunk(w, series.id, lastSeq, merged, 0, merged.values.length, 'update');
      steps = sliceFrom(steps, take);
      timestamps = sliceFrom(timestamps, take);
      values = sliceFrom(values, take);
    }
  }
  for (let start = 0; start < values.length; start += CHUNK_POINTS) {
    const end = Math.min(start + CHUNK_POINTS, values.length);
    writeChunk(w, series.id, seq++, { steps, timestamps, values }, start, end, 'insert');
  }
  updateSummary(w, series, batch, seq);
}

/** Summaries of every series of a run, without decoding any chunk. */
export function seriesSummaries(db: Database, runId: number): SeriesSummary[] {
  const statement = db.prepare(
    `SELECT key, point_count, last_step, last_timestamp, last_value, last_is_nan, min_value, max_value, min_step, max_step, dataset, dataset_digest
       FROM metric_series WHERE run_id = ? ORDER BY key, dataset`,
  );
  const out: SeriesSummary[] = [];
  try {
    statement.bind([runId]);
    while (statement.step()) {
      const [k, count, lastStep, lastTimestamp, lastValue, lastIsNan, min, max, minStep, maxStep, dataset, digest] = statement.get();
      out.push({
        key: String(k),
        dataset: String(dataset ?? ''),
        datasetDigest: digest === null ? undefined : String(digest),
        pointCount: Number(count),
        last:
          lastStep === null
            ? undefined
            : { step: Number(lastStep), timestamp: Number(lastTimestamp), value: lastIsNan ? NaN : Number(lastValue) },
        min: min === null ? undefined : Number(min),
        max: max === null ? undefined : Number(max),
        minStep: minStep === null ? undefined : Number(minStep),
        maxStep: maxStep === null ? undefined : Number(maxStep),
      });
    }
  } finally {
    statement.free();
  }
  return out;
}

/**
 * All points of a series in arrival order, or only the chunks that overlap [fromStep, toStep].
 * `dataset` '' (the default) is the series logged without a dataset.
 */
export function readMetricSeries(
  db: Database,
  runId: number,
  key: string,
  range?: { readonly fromStep: number; readonly toStep: number },
  dataset = '',
): DecodedChunk {
  const statement = db.prepare(
    `SELECT c.data FROM metric_chunks c JOIN metric_series s ON s.id = c.series_id
      WHERE s.run_id = ? AND s.key = ? AND s.dataset = ? AND c.max_step >= ? AND c.min_step <= ? ORDER BY c.seq`,
  );
  const chunks: DecodedChunk[] = [];
  try {
    statement.bind([runId, key, dataset, range?.fromStep ?? -Number.MAX_VALUE, range?.toStep ?? Number.MAX_VALUE]);
    while (statement.step()) {
      chunks.push(decodeChunk(statement.get()[0] as Uint8Array));
    }
  } finally {
    statement.free();
  }
  const joined = joinChunks(chunks);
  if (!range) return joined;
  return filterRange(joined, range.fromStep, range.toStep);
}

function loadOrCreateSeries(w: MetricWriter, which: SeriesId): SeriesRow {
  const { runId, key, dataset, datasetDigest } = which;
  const select = w.statement(
    `SELECT id, point_count, chunk_count, last_step, last_timestamp, last_value, last_is_nan,
            min_value, max_value, min_step, max_step, first_timestamp, max_timestamp, dataset_digest
       FROM metric_series WHERE run_id = ? AND key = ? AND dataset = ?`,
  );
  try {
    select.bind([runId, key, dataset]);
    if (select.step()) {
      const r = select.get();
      if (datasetDigest !== undefined && r[13] !== datasetDigest) {
        w.statement('UPDATE metric_series SET dataset_digest = ? WHERE id = ?').run([datasetDigest, Number(r[0])]);
      }
      return {
        id: Number(r[0]),
        pointCount: Number(r[1]),
        chunkCount: Number(r[2]),
        lastStep: r[3] as number | null,
        lastTimestamp: r[4] as number | null,
        lastValue: r[6] ? NaN : (r[5] as number),
        min: r[7] as number | null,
        max: r[8] as number | null,
        minStep: r[9] as number | null,
        maxStep: r[10] as number | null,
        firstTimestamp: r[11] as number | null,
        maxTimestamp: r[12] as number | null,
      };
    }
  } finally {
    select.reset();
  }
  const insert = w.statement('INSERT INTO metric_series(run_id, key, dataset, dataset_digest) VALUES (?, ?, ?, ?) RETURNING id');
  let id: number;
  try {
    insert.bind([runId, key, dataset, datasetDigest ?? null]);
    insert.step();
    id = Number(insert.get()[0]);
  } finally {
    insert.reset();
  }
  return {
    id,
    pointCount: 0,
    chunkCount: 0,
    lastStep: null,
    lastTimestamp: null,
    lastValue: NaN,
    min: null,
    max: null,
    minStep: null,
    maxStep: null,
    firstTimestamp: null,
    maxTimestamp: null,
  };
}

function selectChunk(w: MetricWriter, seriesId: number, seq: number): { point_count: number; data: Uint8Array } | undefined {
  const statement = w.statement('SELECT point_count, data FROM metric_chunks WHERE series_id = ? AND seq = ?');
  try {
    statement.bind([seriesId, seq]);
    if (!statement.step()) return undefined;
    const [count, data] = statement.get();
    return { point_count: Number(count), data: data as Uint8Array };
  } finally {
    statement.reset();
  }
}

function writeChunk(w: MetricWriter, seriesId: number, seq: number, points: PointBatch, start: number, end: number, mode: 'insert' | 'update'): void {
  let minStep = Infinity;
  let maxStep = -Infinity;
  for (let i = start; i < end; i++) {
    const s = points.steps[i];
    if (s < minStep) minStep = s;
    if (s > maxStep) maxStep = s;
  }
  const data = encodeChunk(points.steps, points.timestamps, points.values, start, end);
  if (mode === 'insert') {
    w.statement('INSERT INTO metric_chunks(series_id, seq, point_count, min_step, max_step, data) VALUES (?, ?, ?, ?, ?, ?)').run([
      seriesId,
      seq,
      end - start,
      minStep,
      maxStep,
      data,
    ]);
  } else {
    w.statement('UPDATE metric_chunks SET point_count = ?, min_step = ?, max_step = ?, data = ? WHERE series_id = ? AND seq = ?').run([
      end - start,
      minStep,
      maxStep,
      data,
      seriesId,
      seq,
    ]);
  }
}

/** MLflow's order for "latest": step, then timestamp, then value (NaN lowest). */
function laterThan(step: number, timestamp: number, value: number, than: SeriesRow): boolean {
  if (than.lastStep === null) return true;
  if (step !== than.lastStep) return step > than.lastStep;
  if (timestamp !== than.lastTimestamp) return timestamp > (than.lastTimestamp ?? -Infinity);
  if (Number.isNaN(value)) return false;
  return Number.isNaN(than.lastValue) || value > than.lastValue;
}

function updateSummary(w: MetricWriter, series: SeriesRow, batch: PointBatch, chunkCount: number): void {
  const s = series;
  for (let i = 0; i < batch.values.length; i++) {
    const step = batch.steps[i];
    const timestamp = batch.timestamps[i];
    const value = batch.values[i];
    if (laterThan(step, timestamp, value, s)) {
      s.lastStep = step;
      s.lastTimestamp = timestamp;
      s.lastValue = value;
    }
    if (!Number.isNaN(value)) {
      if (s.min === null || value < s.min) s.min = value;
      if (s.max === null || value > s.max) s.max = value;
    }
    if (s.minStep === null || step < s.minStep) s.minStep = step;
    if (s.maxStep === null || step > s.maxStep) s.maxStep = step;
    if (s.firstTimestamp === null) s.firstTimestamp = timestamp;
    if (s.maxTimestamp === null || timestamp > s.maxTimestamp) s.maxTimestamp = timestamp;
  }
  s.pointCount += batch.values.length;
  w.statement(
    `UPDATE metric_series SET point_count = ?, chunk_count = ?, last_step = ?, last_timestamp = ?, last_value = ?, last_is_nan = ?,
            min_value = ?, max_value = ?, min_step = ?, max_step = ?, first_timestamp = ?, max_timestamp = ? WHERE id = ?`,
  ).run([
      s.pointCount,
      chunkCount,
      s.lastStep,
      s.lastTimestamp,
      Number.isNaN(s.lastValue) ? null : s.lastValue,
      Number.isNaN(s.lastValue) ? 1 : 0,
      s.min,
      s.max,
      s.minStep,
      s.maxStep,
      s.firstTimestamp,
      s.maxTimestamp,
      s.id,
  ]);
}

function sliceFrom(array: ArrayLike<number>, from: number): ArrayLike<number> {
  return Array.prototype.slice.call(array, from) as number[];
}

function concat(old: DecodedChunk, batch: PointBatch, take: number): DecodedChunk {
  const n = old.values.length + take;
  const steps = new Float64Array(n);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  steps.set(old.steps);
  timestamps.set(old.timestamps);
  values.set(old.values);
  for (let i = 0; i < take; i++) {
    steps[old.values.length + i] = batch.steps[i];
    timestamps[old.values.length + i] = batch.timestamps[i];
    values[old.values.length + i] = batch.values[i];
  }
  return { steps, timestamps, values };
}

function joinChunks(chunks: DecodedChunk[]): DecodedChunk {
  if (chunks.length === 1) return chunks[0];
  const n = chunks.reduce((sum, c) => sum + c.values.length, 0);
  const steps = new Float64Array(n);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  let at = 0;
  for (const c of chunks) {
    steps.set(c.steps, at);
    timestamps.set(c.timestamps, at);
    values.set(c.values, at);
    at += c.values.length;
  }
  return { steps, timestamps, values };
}

function filterRange(points: DecodedChunk, fromStep: number, toStep: number): DecodedChunk {
  const keep: number[] = [];
  for (let i = 0; i < points.steps.length; i++) {
    if (points.steps[i] >= fromStep && points.steps[i] <= toStep) keep.push(i);
  }
  return {
    steps: Float64Array.from(keep, (i) => points.steps[i]),
    timestamps: Float64Array.from(keep, (i) => points.timestamps[i]),
    values: Float64Array.from(keep, (i) => points.values[i]),
  };
}
