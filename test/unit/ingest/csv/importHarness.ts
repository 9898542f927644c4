import type { Diagnostic, ExperimentRecord, FileCursor, ImportContext, ImportSink, MetricBatch, RunRecord } from '../../../../src/ingest/types';

/** Collects everything an importer emits, and folds metric operations into per-series points. */
export class CollectingSink implements ImportSink {
  readonly experiments: ExperimentRecord[] = [];
  readonly runs: RunRecord[] = [];
  readonly batches: MetricBatch[] = [];
  readonly resets: { runUid: string; key?: string }[] = [];
  readonly removed: string[] = [];
  readonly diagnostics: Diagnostic[] = [];
  /** Points per `runUid key` after applying resets in order, as the store would hold them. */
  readonly series = new Map<string, { step: number; timestamp: number; value: number }[]>();

  experiment(record: ExperimentRecord): void {
    this.experiments.push(record);
  }

  run(record: RunRecord): void {
    this.runs.push(record);
  }

  metrics(batch: MetricBatch): void {
    if (batch.steps.length !== batch.values.length || batch.timestamps.length !== batch.values.length) {
      throw new Error(`ragged batch for ${batch.key}`);
    }
    this.batches.push(batch);
    const id = `${batch.runUid} ${batch.key}`;
    const points = this.series.get(id) ?? [];
    Array.from(batch.values).forEach((value, i) => points.push({ step: batch.steps[i], timestamp: batch.timestamps[i], value }));
    this.series.set(id, points);
  }

  resetMetrics(runUid: string, key?: string): void {
    this.resets.push(key === undefined ? { runUid } : { runUid, key });
    for (const id of [...this.series.keys()]) {
      if (key === undefined ? id.startsWith(`${runUid} `) : id === `${runUid} ${key}`) this.series.delete(id);
    }
  }

  removeRun(uid: string): void {
    this.removed.push(uid);
  }

  diagnostic(diagnostic: Diagnostic): void {
    this.diagnostics.push(diagnostic);
  }

  points(runUid: string, key: string): { step: number; timestamp: number; value: number }[] {
    return this.series.get(`${runUid} ${key}`) ?? [];
  }

  keys(runUid: string): string[] {
    return [...this.series.keys()].filter((id) => id.startsWith(`${runUid} `)).map((id) => id.slice(runUid.length + 1)).sort();
  }

  /** Forgets what was emitted so far (the series are kept: they are the store's state). */
  clearEmitted(): void {
    this.experiments.length = 0;
    this.runs.length = 0;
    this.batches.length = 0;
    this.resets.length = 0;
    this.diagnostics.length = 0;
  }

  newPointCount(): number {
    return this.batches.reduce((sum, batch) => sum + batch.values.length, 0);
  }
}

/** A context whose cursors survive a JSON round trip, as the engine stores them. */
export function makeContext(root: string, sink: CollectingSink = new CollectingSink()): ImportContext & { sink: CollectingSink; cursors: Map<string, FileCursor> } {
  const cursors = new Map<string, FileCursor>();
  return {
    root,
    sink,
    cursors,
    cursor: (file) => cursors.get(file),
    setCursor: (file, cursor) => cursors.set(file, JSON.parse(JSON.stringify(cursor)) as FileCursor),
  };
}
