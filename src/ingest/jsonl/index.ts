import path from 'node:path';
import { completeLines, readNewBytes } from '../tail';
import type { FileCursor, ImportContext, Importer, RunRecord, RunStatus } from '../types';
import { parseRunLogLine, RUN_LOG_VERSION, setOwn, type RunLogRecord } from './parser';

export { metricValueOf, parseRunLogLine, RUN_LOG_FORMAT, RUN_LOG_VERSION } from './parser';
export type { RunLogRecord, ParsedLine } from './parser';

/** Longer lines are reported and skipped unparsed (a runaway or binary line must not stall the reader). */
export const MAX_LINE_BYTES = 1024 * 1024;
/** Per import: more malformed lines than this are summarised in one diagnostic. */
const MAX_LINE_DIAGNOSTICS = 20;
/** Bytes read per pass, so that a huge file is never held in memory at once. */
const READ_CHUNK_BYTES = 64 * 1024 * 1024;
const RUN_LOG_SUFFIX = '.mlrun.jsonl';
const DEFAULT_EXPERIMENT = 'Default';
const ERROR_TAG = 'model_ledger.error';
const STATE_SCHEMA = 1;

/** What one file's cursor carries between imports: everything a run record needs, and the line reached. */
export interface JsonlRunState {
  readonly schema: typeof STATE_SCHEMA;
  /** Complete lines consumed so far (the next line's 1-based number is `lines + 1`). */
  lines: number;
  /** Inside a line longer than MAX_LINE_BYTES whose end has not arrived yet: drop bytes up to the next newline. */
  skippingLongLine: boolean;
  /** At least one valid record was read: the file is a run. */
  hasRecords: boolean;
  headerSeen: boolean;
  /** Warned that the file starts without a header (once per file). */
  warnedNoHeader: boolean;
  formatVersion: number;
  runId?: string;
  name?: string;
  experiment: string;
  startTime?: number;
  endTime?: number;
  status: RunStatus;
  error?: string;
  user?: string;
  gitCommit?: string;
  params: Record<string, string>;
  tags: Record<string, string>;
}

export function runUidOf(root: string, file: string): string {
  return `jsonl:${path.relative(root, file).split(path.sep).join('/')}`;
}

export function experimentUidOf(experimentName: string): string {
  return `jsonl:${experimentName}`;
}

/** Model Ledger's own run log (docs/run-log-format.md): one `*.mlrun.jsonl` file is one run. */
export const jsonlImporter: Importer = {
  format: 'jsonl',
  runsInWorker: true,
  patterns: ['**/*' + RUN_LOG_SUFFIX],
  unitOf(matchedFile: string): string | undefined {
    return matchedFile.endsWith(RUN_LOG_SUFFIX) ? matchedFile : undefined;
  },
  importUnit(unit: string, context: ImportContext): Promise<string[]> {
    return importRunLog(unit, context);
  },
};

async function importRunLog(file: string, context: ImportContext): Promise<string[]> {
  const { sink } = context;
  const runUid = runUidOf(context.root, file);
  const previous = context.cursor(file);
  const previousState = previous ? validState(previous.state) : undefined;
  // A cursor whose state this version cannot use (older schema, damaged store): read the file again.
  const mustRestart = previous !== undefined && previousState === undefined;
  let state = previousState ?? freshState();
  let cursor: FileCursor | undefined = mustRestart ? undefined : previous;
  let reset = mustRestart;
  let lineDiagnostics = 0;
  let suppressedDiagnostics = 0;
  let emitted = false;

  const report = (lineNumber: number, message: string, severity: 'error' | 'warning' = 'error'): void => {
    if (lineDiagnostics >= MAX_LINE_DIAGNOSTICS) {
      suppressedDiagnostics++;
      return;
    }
    lineDiagnostics++;
    sink.diagnostic({ file, position: `line ${lineNumber}`, line: lineNumber - 1, message, severity });
  };

  for (;;) {
    if (context.signal?.aborted) break;
    let chunk;
    try {
      chunk = await readNewBytes(file, cursor, READ_CHUNK_BYTES);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return []; // the file is gone, and its run with it
      sink.diagnostic({ file, message: `cannot read the run log: ${(error as Error).message}`, severity: 'error' });
      break;
    }
    if (!chunk) break;
    if (chunk.restarted || reset) {
      if (previous !== undefined || emitted) sink.resetMetrics(runUid);
      state = freshState();
      reset = false;
    }

    let bytes = chunk.bytes;
    let base = chunk.start;
    if (state.skippingLongLine) {
      const newline = bytes.indexOf(0x0a);
      if (newline < 0) {
        base += bytes.length;
        bytes = bytes.subarray(bytes.length);
      } else {
        base += newline + 1;
        bytes = bytes.subarray(newline + 1);
        state.skippingLongLine = false;
        state.lines++;
      }
    }

    const { lines, consumed } = completeLines(bytes);
    const series = new Map<string, { steps: number[]; timestamps: number[]; values: number[] }>();
    for (const line of lines) {
      state.lines++;
      applyLine(line, state.lines, state, series, report);
    }

    let offset = base + consumed;
    const tailBytes = bytes.length - consumed;
    if (!state.skippingLongLine && tailBytes > MAX_LINE_BYTES) {
      // An unterminated line already too long to be a record: skip it now rather than re-read it forever.
      report(state.lines + 1, `line is longer than ${MAX_LINE_BYTES} bytes (no end yet); skipped`, 'warning');
      state.skippingLongLine = true;
      offset += tailBytes;
    } else if (state.skippingLongLine) {
      offset += tailBytes;
    }

    // The run goes first: its points belong to it.
    emitted = emitRun(context, file, runUid, state) || emitted;
    for (const [key, points] of series) sink.metrics({ runUid, key, ...points });

    const next: FileCursor = { size: chunk.size, mtimeMs: chunk.mtimeMs, offset, head: chunk.head, state: snapshot(state) };
    context.setCursor(file, next);
    const readUpTo = chunk.start + chunk.bytes.length;
    if (readUpTo >= chunk.size) break;
    // More than one pass is needed: size -1 makes readNewBytes continue although size and mtime are unchanged.
    cursor = { ...next, size: -1 };
  }

  if (suppressedDiagnostics > 0) {
    sink.diagnostic({ file, message: `${suppressedDiagnostics} more malformed lines were skipped`, severity: 'error' });
  }
  // Upsert on every call, also when nothing changed, as the engine expects.
  if (!emitted) emitRun(context, file, runUid, state);
  return state.hasRecords ? [runUid] : [];
}

function applyLine(
  line: string,
  lineNumber: number,
  state: JsonlRunState,
  series: Map<string, { steps: number[]; timestamps: number[]; values: number[] }>,
  report: (lineNumber: number, message: string, severity?: 'error' | 'warning') => void,
): void {
  if (line.length > MAX_LINE_BYTES / 4 && Buffer.byteLength(line, 'utf8') > MAX_LINE_BYTES) {
    report(lineNumber, `line is longer than ${MAX_LINE_BYTES} bytes; skipped`, 'warning');
    return;
  }
  const parsed = parseRunLogLine(line);
  if (parsed.kind === 'blank') return;
  if (parsed.kind === 'invalid') {
    report(lineNumber, `${parsed.message}; line skipped`);
    return;
  }
  const record: RunLogRecord = parsed.record;
  if (record.type === 'header') {
    if (state.headerSeen) {
      report(lineNumber, 'a second header; ignored', 'warning');
      return;
    }
    state.headerSeen = true;
    state.hasRecords = true;
    state.formatVersion = record.version;
    state.runId = record.runId;
    state.name = record.name;
    state.experiment = record.experiment || DEFAULT_EXPERIMENT;
    state.startTime = record.startTime ?? (record.time || undefined);
    state.user = record.user;
    state.gitCommit = record.gitCommit;
    if (record.version > RUN_LOG_VERSION) {
      report(lineNumber, `written in format version ${record.version}, newer than ${RUN_LOG_VERSION}: unknown records are ignored`, 'warning');
    }
    return;
  }
  if (!state.headerSeen && !state.warnedNoHeader) {
    state.warnedNoHeader = true;
    report(lineNumber, 'the run log does not start with a header: the run is named after the file', 'warning');
  }
  switch (record.type) {
    case 'params':
    case 'tags': {
      const target = record.type === 'params' ? state.params : state.tags;
      for (const [key, value] of Object.entries(record.values)) setOwn(target, key, value);
      break;
    }
    case 'metrics': {
      for (const [key, value] of record.points) {
        let points = series.get(key);
        if (!points) {
          points = { steps: [], timestamps: [], values: [] };
          series.set(key, points);
        }
        points.steps.push(record.step);
        points.timestamps.push(record.time);
        points.values.push(value);
      }
      if (record.rejectedKeys.length > 0) {
        report(lineNumber, `metric values that are not numbers skipped: ${record.rejectedKeys.map((key) => JSON.stringify(key)).join(', ')}`, 'warning');
      }
      break;
    }
    case 'status':
      state.status = record.status;
      if (record.status === 'RUNNING' || record.status === 'SCHEDULED') {
        state.endTime = undefined;
        state.error = undefined;
      }
      break;
    case 'end':
      state.status = record.status;
      state.endTime = record.time || undefined;
      state.error = record.error;
      break;
    case 'unknown':
      if (state.formatVersion <= RUN_LOG_VERSION) report(lineNumber, `unknown record type ${JSON.stringify(record.recordType)}; ignored`, 'warning');
      return;
  }
  state.hasRecords = true;
}

function emitRun(context: ImportContext, file: string, runUid: string, state: JsonlRunState): boolean {
  if (!state.hasRecords) return false;
  const experimentUid = experimentUidOf(state.experiment);
  context.sink.experiment({ uid: experimentUid, name: state.experiment, format: 'jsonl', lifecycle: 'active' });
  const tags: Record<string, string> = { ...state.tags };
  if (state.error !== undefined) setOwn(tags, ERROR_TAG, state.error);
  const record: RunRecord = {
    uid: runUid,
    experimentUid,
    format: 'jsonl',
    externalId: state.runId,
    name: state.name ?? path.basename(file).slice(0, -RUN_LOG_SUFFIX.length),
    status: state.status,
    startTime: state.startTime,
    endTime: state.endTime,
    user: state.user,
    sourcePath: path.relative(context.root, file).split(path.sep).join('/'),
    gitCommit: state.gitCommit,
    deleted: false,
    params: copyOwn(state.params),
    tags,
  };
  context.sink.run(record);
  return true;
}

function freshState(): JsonlRunState {
  return {
    schema: STATE_SCHEMA,
    lines: 0,
    skippingLongLine: false,
    hasRecords: false,
    headerSeen: false,
    warnedNoHeader: false,
    formatVersion: RUN_LOG_VERSION,
    experiment: DEFAULT_EXPERIMENT,
    status: 'RUNNING',
    params: {},
    tags: {},
  };
}

/** The state as stored in the cursor: a deep copy, so later changes don't reach the stored one. */
function snapshot(state: JsonlRunState): JsonlRunState {
  return { ...state, params: copyOwn(state.params), tags: copyOwn(state.tags) };
}

function copyOwn(values: Readonly<Record<string, string>>): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) setOwn(copy, key, value);
  return copy;
}

function validState(value: unknown): JsonlRunState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const state = value as Partial<JsonlRunState>;
  if (state.schema !== STATE_SCHEMA || typeof state.lines !== 'number' || typeof state.experiment !== 'string') return undefined;
  if (typeof state.params !== 'object' || state.params === null || typeof state.tags !== 'object' || state.tags === null) return undefined;
  const copy = snapshot(state as JsonlRunState);
  return { ...copy, skippingLongLine: Boolean(copy.skippingLongLine), hasRecords: Boolean(copy.hasRecords), headerSeen: Boolean(copy.headerSeen) };
}
