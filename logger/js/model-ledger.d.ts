/** Model Ledger run logger for Node: writes a `*.mlrun.jsonl` run log (docs/run-log-format.md). */

export declare const FORMAT: 'model-ledger-run';
export declare const FORMAT_VERSION: 1;

export type EndStatus = 'FINISHED' | 'FAILED' | 'KILLED';

/** Param and tag values are stored as text: strings as they are, objects as JSON, the rest with String(). */
export type TextValue = string | number | boolean | bigint | null | undefined | object;

/** Metric values; NaN and ±Infinity are kept (written as "NaN", "Infinity", "-Infinity"). */
export type MetricValue = number | boolean | bigint;

export interface RunOptions {
  /** Run name, any text. Default: `run-YYYYMMDD-HHMMSS`. */
  name?: string;
  /** Experiment name. Default: `Default`. */
  experiment?: string;
  /** Base folder: the file goes to `<dir>/<experiment>/<name>-<id8>.mlrun.jsonl`. Default: $MODEL_LEDGER_DIR or `runs`. */
  dir?: string;
  /** The exact file to create instead (must not exist). */
  path?: string;
  /** fsync every record (slower; the header and the end record are always fsynced). Default false. */
  fsync?: boolean;
  /** Finish an unfinished run when the process exits (code 0 → FINISHED, else FAILED). Default true. */
  exitHook?: boolean;
}

export type ResumeOptions = Pick<RunOptions, 'fsync' | 'exitHook'>;

export declare class Run {
  private constructor();
  /** The run log file. */
  readonly path: string;
  /** 32 hex characters. */
  readonly runId: string;
  readonly name: string;
  readonly experiment: string;
  readonly finished: boolean;
  logParams(params: Readonly<Record<string, TextValue>>): void;
  logParam(key: string, value: TextValue): void;
  setTags(tags: Readonly<Record<string, TextValue>>): void;
  setTag(key: string, value: TextValue): void;
  /** One point per metric at `step` (an integer). */
  log(step: number, metrics: Readonly<Record<string, MetricValue>>): void;
  /** One point per metric at the previous step + 1 (0 for the first). */
  log(metrics: Readonly<Record<string, MetricValue>>): void;
  /** Writes the end record and closes the file; a second call does nothing. */
  finish(status?: EndStatus, error?: unknown): void;
}

/** Creates a new run log and writes its header. */
export declare function startRun(options?: RunOptions): Run;

/** Appends to an existing run log (after a restart) and marks the run RUNNING again. */
export declare function resumeRun(path: string, options?: ResumeOptions): Run;

/** Runs `body` with a new run: FINISHED when it resolves, FAILED (and rethrown) when it throws. */
export declare function withRun<T>(options: RunOptions, body: (run: Run) => T | Promise<T>): Promise<T>;
