import type { Diagnostic, ExperimentRecord, FileCursor, ImportContext, ImportSink, MetricBatch, RunRecord } from '../../../../src/ingest/types';

/** Collects everything an importer emits; cursors go through JSON as a real store would keep them. */
export class RecordingSink implements ImportSink {
  readonly experiments: ExperimentRecord[] = [];
  readonly runs: RunRecord[] = [];
  readonly batches: MetricBatch[] = [];
  readonly resets: { runUid: string; key?: string }[] = [];
  readonly removed: string[] = [];
  readonly diagnostics: Diagnostic[] = [];

  experiment(record: ExperimentRecord): void { this.experiments.push(record); }
  run(record: RunRecord): void { this.runs.push(record); }
  metrics(batch: MetricBatch): void { this.batches.push(batch); }
  resetMetrics(runUid: string, key?: string): void { this.resets.push({ runUid, key }); }
  removeRun(uid: string): void { this.removed.push(uid); }
  diagnostic(diagnostic: Diagnostic): void { this.diagnostics.push(diagnostic); }

  /** Points per key of one run, summed over batches. */
  pointCounts(runUid: string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const batch of this.batches) {
      if (batch.runUid !== runUid) continue;
      assertSameLengths(batch);
      counts[batch.key] = (counts[batch.key] ?? 0) + batch.steps.length;
    }
    return counts;
  }

  /** [step, value] pairs of one series, in arrival order. */
  series(runUid: string, key: string): [number, number][] {
    return this.batches.filter((batch) => batch.runUid === runUid && batch.key === key).flatMap((batch) => Array.from(batch.steps).map((step, index): [number, number] => [step, batch.values[index]]));
  }

  lastRun(uid: string): RunRecord | undefined {
    return [...this.runs].reverse().find((run) => run.uid === uid);
  }

  clear(): void {
    for (const list of [this.experiments, this.runs, this.batches, this.resets, this.removed, this.diagnostics] as unknown[][]) list.length = 0;
  }
}

function assertSameLengths(batch: MetricBatch): void {
  if (batch.timestamps.length !== batch.steps.length || batch.values.length !== batch.steps.length) {
    throw new Error(`batch ${batch.key} has arrays of different lengths`);
  }
}

export function recordingContext(root: string, sink = new RecordingSink()): ImportContext & { readonly sink: RecordingSink; readonly cursors: Map<string, FileCursor> } {
  const cursors = new Map<string, FileCursor>();
  return {
    root,
    sink,
    cursors,
    cursor: (file) => cursors.get(file),
    setCursor: (file, cursor) => cursors.set(file, JSON.parse(JSON.stringify(cursor)) as FileCursor),
  };
}
