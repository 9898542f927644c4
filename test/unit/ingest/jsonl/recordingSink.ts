import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic, ExperimentRecord, FileCursor, ImportContext, ImportSink, MetricBatch, RunRecord } from '../../../../src/ingest/types';

export interface Point {
  readonly step: number;
  readonly timestamp: number;
  readonly value: number;
}

/** Collects everything an importer emits, keeping series the way a store would (resets drop points). */
export class RecordingSink implements ImportSink {
  readonly experiments = new Map<string, ExperimentRecord>();
  readonly runs = new Map<string, RunRecord>();
  readonly series = new Map<string, Map<string, Point[]>>();
  readonly batches: MetricBatch[] = [];
  readonly resets: Array<{ runUid: string; key?: string }> = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly removed: string[] = [];

  experiment(record: ExperimentRecord): void {
    this.experiments.set(record.uid, record);
  }
  run(record: RunRecord): void {
    this.runs.set(record.uid, record);
  }
  metrics(batch: MetricBatch): void {
    assertBatchShape(batch);
    this.batches.push(batch);
    let byKey = this.series.get(batch.runUid);
    if (!byKey) this.series.set(batch.runUid, (byKey = new Map()));
    const points = byKey.get(batch.key) ?? [];
    for (let i = 0; i < batch.steps.length; i++) points.push({ step: batch.steps[i], timestamp: batch.timestamps[i], value: batch.values[i] });
    byKey.set(batch.key, points);
  }
  resetMetrics(runUid: string, key?: string): void {
    this.resets.push({ runUid, key });
    if (key === undefined) this.series.delete(runUid);
    else this.series.get(runUid)?.delete(key);
  }
  removeRun(uid: string): void {
    this.removed.push(uid);
  }
  diagnostic(diagnostic: Diagnostic): void {
    this.diagnostics.push(diagnostic);
  }

  points(runUid: string, key: string): Point[] {
    return this.series.get(runUid)?.get(key) ?? [];
  }
  keys(runUid: string): string[] {
    return [...(this.series.get(runUid)?.keys() ?? [])].sort();
  }
}

function assertBatchShape(batch: MetricBatch): void {
  if (batch.steps.length !== batch.values.length || batch.timestamps.length !== batch.values.length || batch.values.length === 0) {
    throw new Error(`malformed batch for ${batch.key}`);
  }
}

/** An ImportContext whose cursors live in memory, like the engine's between two imports. */
export function makeContext(root: string, sink: ImportSink = new RecordingSink()): ImportContext & { readonly cursors: Map<string, FileCursor> } {
  const cursors = new Map<string, FileCursor>();
  return {
    root,
    sink,
    cursors,
    cursor: (file) => {
      const stored = cursors.get(file);
      // The engine stores cursors as JSON: the importer must cope with a round trip.
      return stored === undefined ? undefined : (JSON.parse(JSON.stringify(stored)) as FileCursor);
    },
    setCursor: (file, cursor) => {
      cursors.set(file, JSON.parse(JSON.stringify(cursor)) as FileCursor);
    },
  };
}

/** The repository root (the loggers live there), also when tests are compiled to another folder. */
export function repositoryRoot(): string {
  let directory = __dirname;
  for (;;) {
    if (existsSync(path.join(directory, 'logger', 'python', 'model_ledger.py'))) return directory;
    const parent = path.dirname(directory);
    if (parent === directory) return process.cwd();
    directory = parent;
  }
}

export const PYTHON_LOGGER_DIR = path.join(repositoryRoot(), 'logger', 'python');
export const JS_LOGGER_FILE = path.join(repositoryRoot(), 'logger', 'js', 'model-ledger.js');
