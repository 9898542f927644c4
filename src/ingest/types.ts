/**
 * The one model every source format is mapped to. Importers (one module per format) are host-free:
 * they read files and emit records into an ImportSink; the store writer and the CLI consume them.
 */

export type SourceFormat = 'mlflow-file' | 'mlflow-sqlite' | 'tensorboard' | 'dvclive' | 'csv' | 'wandb' | 'jsonl';

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

/** A problem with one input, shown in the Output channel and the Problems view; the input is skipped. */
export interface Diagnostic {
  /** Absolute path of the file. */
  readonly file: string;
  /** Where in the file, human-readable: "line 12", "byte 4096", "record 3 (byte 120)". */
  readonly position?: string;
  readonly message: string;
  readonly severity: 'error' | 'warning' | 'info';
  /** 0-based line, when known, for the Problems view. */
  readonly line?: number;
}

export interface ExperimentRecord {
  /** Stable across re-imports, unique in the store: `<format>:<workspace-relative path or id>`. */
  readonly uid: string;
  readonly name: string;
  readonly format: SourceFormat;
  readonly externalId?: string;
  readonly artifactLocation?: string;
  readonly lifecycle: 'active' | 'deleted';
  readonly createdAt?: number;
  readonly updatedAt?: number;
  readonly tags?: Readonly<Record<string, string>>;
  /** MLflow 3's `workspace` (experiments and registry rows carry it; 'default' unless configured). */
  readonly workspace?: string;
  /** MLflow 3 traces (`tr-*` folders, `trace_info` rows) in this experiment: counted, not imported. */
  readonly traceCount?: number;
}

export interface ArtifactRecord {
  /** Relative to the run's artifact root, '/' separated. */
  readonly path: string;
  readonly size?: number;
  readonly isDir: boolean;
}

export interface RunRecord {
  readonly uid: string;
  readonly experimentUid: string;
  readonly format: SourceFormat;
  readonly externalId?: string;
  readonly name?: string;
  readonly status: RunStatus;
  /** Milliseconds since the epoch. */
  readonly startTime?: number;
  readonly endTime?: number;
  readonly user?: string;
  /** The run's folder or file, relative to the workspace folder, '/' separated. */
  readonly sourcePath: string;
  readonly parentUid?: string;
  readonly gitCommit?: string;
  readonly artifactUri?: string;
  readonly deleted: boolean;
  /** Values exactly as written (no float round trip): "1e-08" stays "1e-08". */
  readonly params: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly artifacts?: readonly ArtifactRecord[];
}

/** New points of one series, in file order. Timestamps in ms since the epoch (0 when the format has none). */
export interface MetricBatch {
  readonly runUid: string;
  readonly key: string;
  readonly steps: ArrayLike<number>;
  readonly timestamps: ArrayLike<number>;
  readonly values: ArrayLike<number>;
  /**
   * The dataset the points were logged against (MLflow 3 `dataset_name`); absent or '' for none.
   * A series is (run, key, dataset): `val_auc` on churn_eval and on churn_test are two series.
   */
  readonly dataset?: string;
  readonly datasetDigest?: string;
}

/** MLflow 3 LoggedModel status (the file store writes it as an int: 0..3). */
export type LoggedModelStatus = 'UNSPECIFIED' | 'PENDING' | 'READY' | 'FAILED';

/** One metric point of a LoggedModel; `dataset` is '' when it was not logged against a dataset. */
export interface LoggedModelMetric {
  readonly key: string;
  readonly dataset: string;
  readonly datasetDigest?: string;
  readonly step: number;
  readonly timestamp: number;
  readonly value: number;
  /** The run that logged the point (an evaluation run may log onto another run's model). */
  readonly runId?: string;
}

/** An MLflow 3 LoggedModel (`m-<id>`): a checkpoint or model with its own params, tags, metrics and artifacts. */
export interface LoggedModelRecord {
  /** `<format>:<store>#model:<m-id>`. */
  readonly uid: string;
  readonly experimentUid: string;
  readonly format: SourceFormat;
  /** MLflow's model_id, `m-<32 hex>`. */
  readonly externalId: string;
  readonly name: string;
  /** runs.uid of the run that produced it; absent for models logged without a run. */
  readonly sourceRunUid?: string;
  readonly status: LoggedModelStatus;
  readonly statusMessage?: string;
  readonly modelType?: string;
  readonly artifactLocation?: string;
  /** The model's folder or the database, relative to the workspace folder. */
  readonly sourcePath: string;
  readonly createdAt?: number;
  readonly updatedAt?: number;
  readonly deleted: boolean;
  readonly params: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  /** Every point the origin holds (the file store keeps all lines; MLflow's reader returns only the latest). */
  readonly metrics: readonly LoggedModelMetric[];
  readonly artifacts?: readonly ArtifactRecord[];
}

export interface ImportSink {
  experiment(record: ExperimentRecord): void;
  /** Insert or replace the run's attributes, params and tags (metrics are kept). */
  run(record: RunRecord): void;
  /** Append points to a series. */
  metrics(batch: MetricBatch): void;
  /** Drop a run's points (all keys, or one) before a file is re-read from the start. */
  resetMetrics(runUid: string, key?: string): void;
  removeRun(uid: string): void;
  diagnostic(diagnostic: Diagnostic): void;
  /** Insert or replace a LoggedModel with its params, tags, metrics and artifacts (sinks that keep no models omit it). */
  loggedModel?(record: LoggedModelRecord): void;
  /** Remove LoggedModels: one by uid, or every one whose uid starts with `uidPrefix` (a re-read database). */
  removeLoggedModels?(which: { readonly uid: string } | { readonly uidPrefix: string }): void;
}

/** Where the previous import of one file stopped. */
export interface FileCursor {
  readonly size: number;
  readonly mtimeMs: number;
  /** Bytes consumed: complete lines/records. An appended file resumes here. */
  readonly offset: number;
  /** Hex of the first bytes (up to 64): a file replaced by another one is re-read from the start. */
  readonly head: string;
  /** Importer-specific state to carry to the next read (e.g. a CSV header), JSON-serialisable. */
  readonly state?: unknown;
}

export interface ImportContext {
  /** The workspace folder (absolute). Source paths in records are relative to it. */
  readonly root: string;
  readonly sink: ImportSink;
  cursor(file: string): FileCursor | undefined;
  setCursor(file: string, cursor: FileCursor): void;
  readonly signal?: AbortSignal;
}

/**
 * One source format. Discovery is glob-based (the extension asks VS Code, which respects
 * files.exclude; the CLI walks the disk), never a watch of the whole workspace.
 */
export interface Importer {
  readonly format: SourceFormat;
  /** Workspace-relative globs whose matches identify this format's units (watched for changes too). */
  readonly patterns: readonly string[];
  /** Globs of files whose changes mean a unit must be re-imported (default: `patterns`). Narrow, never `**` alone. */
  readonly watchPatterns?: readonly string[];
  /**
   * True when importUnit only reads files (no sql.js, no state shared between calls), so the engine
   * may run it in a worker thread with the unit's cursors and apply what it emitted on the main one.
   */
  readonly runsInWorker?: boolean;
  /** The unit (a run folder, a store root, a file) that a matched file belongs to; undefined to ignore it. */
  unitOf(matchedFile: string): string | undefined;
  /**
   * Imports one unit, incrementally: reads only what changed since the cursors in `context`, emits
   * records into `context.sink`, and reports bad input as diagnostics (never throws for bad input).
   * Returns the uids of every run the unit holds now (so the engine can remove vanished ones).
   */
  importUnit(unit: string, context: ImportContext): Promise<string[]>;
}
