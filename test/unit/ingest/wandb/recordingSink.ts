import type { Diagnostic, ExperimentRecord, FileCursor, ImportContext, ImportSink, MetricBatch, RunRecord } from '../../../../src/ingest/types';

type Operation =
  | { op: 'experiment'; record: ExperimentRecord }
  | { op: 'run'; record: RunRecord }
  | { op: 'metrics'; batch: MetricBatch }
  | { op: 'reset'; runUid: string; key?: string }
  | { op: 'remove'; uid: string };

/** Everything an importer emitted, in order; cursors go through JSON as the store keeps them. */
export class RecordingSink implements ImportSink {
  readonly operations: Operation[] = [];
  readonly diagnostics: Diagnostic[] = [];

  experiment(record: ExperimentRecord): void { this.operations.push({ op: 'experiment', record }); }
  run(record: RunRecord): void { this.operations.push({ op: 'run', record }); }
  metrics(batch: MetricBatch): void {
    if (batch.steps.length !== batch.values.length || batch.timestamps.length !== batch.values.length) throw new Error(`batch ${batch.key}: arrays of different lengths`);
    this.operations.push({ op: 'metrics', batch });
  }
  resetMetrics(runUid: string, key?: string): void { this.operations.push({ op: 'reset', runUid, ...(key === undefined ? {} : { key }) }); }
  removeRun(uid: string): void { this.operations.push({ op: 'remove', uid }); }
  diagnostic(diagnostic: Diagnostic): void { this.diagnostics.push(diagnostic); }

  get runs(): RunRecord[] { return this.operations.flatMap((o) => (o.op === 'run' ? [o.record] : [])); }
  get experiments(): ExperimentRecord[] { return this.operations.flatMap((o) => (o.op === 'experiment' ? [o.record] : [])); }
  get batches(): MetricBatch[] { return this.operations.flatMap((o) => (o.op === 'metrics' ? [o.batch] : [])); }
  get resets(): { runUid: string; key?: string }[] { return this.operations.flatMap((o) => (o.op === 'reset' ? [{ runUid: o.runUid, ...(o.key === undefined ? {} : { key: o.key }) }] : [])); }

  lastRun(uid: string): RunRecord | undefined {
    return this.runs.filter((run) => run.uid === uid).pop();
  }

  /** [step, timestamp, value] of one series, in arrival order. */
  points(runUid: string, key: string): [number, number, number][] {
    return this.batches.filter((b) => b.runUid === runUid && b.key === key).flatMap((b) => Array.from(b.steps).map((step, i): [number, number, number] => [step, b.timestamps[i], b.values[i]]));
  }

  pointCounts(runUid: string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const batch of this.batches) if (batch.runUid === runUid) counts[batch.key] = (counts[batch.key] ?? 0) + batch.values.length;
    return counts;
  }

  clear(): void {
    this.operations.length = 0;
    this.diagnostics.length = 0;
  }
}

export function recordingContext(root: string): ImportContext & { readonly sink: RecordingSink; readonly cursors: Map<string, FileCursor> } {
  const cursors = new Map<string, FileCursor>();
  const sink = new RecordingSink();
  return {
    root,
    sink,
    cursors,
    cursor: (file) => cursors.get(file),
    setCursor: (file, cursor) => cursors.set(file, JSON.parse(JSON.stringify(cursor)) as FileCursor),
  };
}
