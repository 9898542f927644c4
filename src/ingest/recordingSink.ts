import type { Diagnostic, ExperimentRecord, ImportSink, LoggedModelRecord, MetricBatch, RunRecord } from './types';

/** An operation an importer emitted, kept in order until the engine applies them in one transaction. */
export type SinkOperation =
  | { readonly op: 'experiment'; readonly record: ExperimentRecord }
  | { readonly op: 'run'; readonly record: RunRecord }
  | { readonly op: 'metrics'; readonly batch: MetricBatch }
  | { readonly op: 'resetMetrics'; readonly runUid: string; readonly key?: string }
  | { readonly op: 'removeRun'; readonly uid: string }
  | { readonly op: 'loggedModel'; readonly record: LoggedModelRecord }
  | { readonly op: 'removeLoggedModels'; readonly which: { readonly uid: string } | { readonly uidPrefix: string } };

/** Buffers what an importer emits: importers are async, a store transaction must not span awaits. */
export class RecordingSink implements ImportSink {
  readonly operations: SinkOperation[] = [];
  readonly diagnostics: Diagnostic[] = [];

  experiment(record: ExperimentRecord): void {
    this.operations.push({ op: 'experiment', record });
  }

  run(record: RunRecord): void {
    this.operations.push({ op: 'run', record });
  }

  metrics(batch: MetricBatch): void {
    if (batch.values.length > 0) this.operations.push({ op: 'metrics', batch });
  }

  resetMetrics(runUid: string, key?: string): void {
    this.operations.push(key === undefined ? { op: 'resetMetrics', runUid } : { op: 'resetMetrics', runUid, key });
  }

  removeRun(uid: string): void {
    this.operations.push({ op: 'removeRun', uid });
  }

  diagnostic(diagnostic: Diagnostic): void {
    this.diagnostics.push(diagnostic);
  }

  loggedModel(record: LoggedModelRecord): void {
    this.operations.push({ op: 'loggedModel', record });
  }

  removeLoggedModels(which: { readonly uid: string } | { readonly uidPrefix: string }): void {
    this.operations.push({ op: 'removeLoggedModels', which });
  }
}
