/**
 * Weights & Biases local run folders: `wandb/run-<date>_<time>-<id>/` and `wandb/offline-run-.../`
 * (and 0.8's `wandb/dryrun-.../`). One folder is one run.
 *
 * - `run-<id>.wandb`: the transaction log (leveldbLog.ts framing, records.ts decoding): run info,
 *   config, history (the metrics), summary and the exit record. Read incrementally.
 * - `files/config.yaml`: params (wins over the log's config records: it is what the user sees).
 * - `files/wandb-summary.json`: the last values. A numeric summary key with no history becomes one
 *   point (at the summary's `_step`), so values set only through `run.summary` are not lost.
 * - `files/wandb-metadata.json`: start time, program and git commit ONLY. It also holds the user's
 *   e-mail, host and username, which never reach a record; RunRecord.host and the settings record
 *   in the log are never decoded either.
 * - wandb 0.8 wrote `wandb-history.jsonl` (one JSON object per line, values sometimes as strings)
 *   and kept config.yaml / wandb-summary.json / wandb-metadata.json in the run folder itself.
 *
 * Status: the exit record says FINISHED (exit code 0) or FAILED. Without one, the run is RUNNING
 * while its log changed within the last 2 minutes (wandb's system-metrics records keep a live
 * run's log growing every few seconds), else KILLED: the process ended without finishing. A run
 * whose process dies while the workspace is watched stays RUNNING until its folder is imported
 * again (the next scan re-evaluates it, since nothing is written after a death). A folder with no
 * log, or only an empty (0-byte) one, says nothing about its status: FINISHED, and — unless it has
 * 0.8's wandb-history.jsonl — it is tagged `model_ledger.incomplete` with a warning naming the
 * missing or empty `run-<id>.wandb` (the run was read from its summary and config only).
 *
 * Experiment: the W&B project from the log's run record, else `project` in `wandb/settings`, else
 * the folder that holds `wandb/`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { completeLines, readNewBytes } from '../tail';
import type { NewBytes } from '../tail';
import type { Diagnostic, FileCursor, ImportContext, Importer, RunRecord, RunStatus } from '../types';
import { parseConfigYaml } from './configYaml';
import { flattenJson, metricNumber, paramText, tryParseJson } from './jsonValues';
import type { JsonValue } from './jsonValues';
import { checkFileHeader, FILE_HEADER_BYTES, scanLog } from './leveldbLog';
import { decodeRecord } from './records';
import type { HistoryRecord, KeyedJson, RunInfoRecord, UpdateRecord } from './records';
import { readRegularFile } from '../regularFile';

const FORMAT = 'wandb';
const DEFAULT_MAX_CHUNK_BYTES = 64 * 1024 * 1024;
const MAX_SIDE_FILE_BYTES = 16 * 1024 * 1024;
const DEFAULT_RUNNING_WINDOW_MS = 2 * 60 * 1000;
/** A file replaced while being read is read again from the start, a few times at most. */
const MAX_ATTEMPTS = 3;

const RUN_FOLDER = /^(?:offline-|dry)?run-/;
const RUN_FOLDER_ID = /^(?:offline-|dry)?run-\d{8}_\d{6}-(.+)$/;
const LOG_FILE = /^run-.*\.wandb$/;
const HISTORY_JSONL = 'wandb-history.jsonl';
const CONFIG_YAML = 'config.yaml';
const SUMMARY_JSON = 'wandb-summary.json';
const METADATA_JSON = 'wandb-metadata.json';
const SIDE_FILES = new Set([HISTORY_JSONL, CONFIG_YAML, SUMMARY_JSON, METADATA_JSON]);
/**
 * Not a file: the key of the run folder's own cursor, which carries the summary points emitted so
 * far and the metric sources seen (the folder path itself is the unit's key in the store).
 */
const UNIT_STATE_KEY = '#wandb-import-state';
/** Tag of a run read from part of its files: says which file is missing and what that leaves out. */
export const INCOMPLETE_TAG = 'model_ledger.incomplete';

export interface WandbImporterOptions {
  /** Largest slice of a log held in memory at once (tests use small ones). */
  readonly maxChunkBytes?: number;
  /** Clock for the RUNNING/KILLED decision (tests). */
  readonly now?: () => number;
  readonly runningWindowMs?: number;
}

interface RunInfoState {
  runId?: string;
  project?: string;
  displayName?: string;
  group?: string;
  jobType?: string;
  notes?: string;
  tags?: string[];
  sweepId?: string;
  startTimeMs?: number;
  gitCommit?: string;
}

/** What one metric source's cursor carries between imports (JSON). */
interface SourceState {
  readonly version: 1;
  run: RunInfoState;
  /** Flattened config key → value as written. */
  config: [string, string][];
  /** Summary key path (dotted) → its JSON text as written. */
  summary: [string, string][];
  exit?: { exitCode: number; runtimeSeconds: number };
  /** The step a history row without `_step` gets. */
  nextStep: number;
  lastTimestampMs?: number;
  historyKeys: string[];
  /** Lines read so far (history JSONL), for line numbers in diagnostics. */
  lines: number;
  /** The file is not a W&B log: appended bytes are ignored until it is replaced. */
  invalid?: boolean;
  /** The last scan ended right after damage (see LogScan.afterDamage). */
  afterDamage?: boolean;
  /** History keys whose text values were read as numbers (reported once per key). */
  convertedKeys?: string[];
}

interface UnitState {
  readonly version: 1;
  /** Metric source files (relative to the run folder) at the last import: one missing now means data vanished. */
  readonly sources: string[];
  /** Key → "step|timestamp|value" of the summary points emitted. */
  readonly summaryPoints: [string, string][];
}

interface Point {
  readonly key: string;
  readonly step: number;
  readonly timestamp: number;
  readonly value: number;
}

type SourceKind = 'log' | 'history';

interface MetricSource {
  readonly file: string;
  readonly name: string;
  readonly kind: SourceKind;
}

type SourceOutcome =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'replaced' }
  | {
      readonly kind: 'read';
      readonly restarted: boolean;
      readonly points: Point[];
      readonly state: SourceState;
      readonly cursor: Omit<FileCursor, 'state'>;
      readonly diagnostics: Diagnostic[];
    };

interface SideFiles {
  readonly params: Map<string, string>;
  readonly configStartTimeSeconds?: number;
  readonly summary: Map<string, JsonValue>;
  readonly metadata: MetadataFacts;
}

interface MetadataFacts {
  startTimeMs?: number;
  program?: string;
  gitCommit?: string;
}

export function createWandbImporter(options: WandbImporterOptions = {}): Importer {
  const settings: Settings = {
    maxChunkBytes: Math.max(64, options.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES),
    now: options.now ?? Date.now,
    runningWindowMs: options.runningWindowMs ?? DEFAULT_RUNNING_WINDOW_MS,
  };
  const patterns = [
    '**/wandb/*run-*/run-*.wandb',
    '**/wandb/*run-*/files/wandb-summary.json',
    '**/wandb/*run-*/files/config.yaml',
    '**/wandb/*run-*/files/wandb-history.jsonl',
    '**/wandb/*run-*/wandb-history.jsonl',
    '**/wandb/*run-*/wandb-summary.json',
    '**/wandb/*run-*/config.yaml',
  ];
  return {
    format: FORMAT,
    patterns,
    watchPatterns: [...patterns, '**/wandb/*run-*/files/wandb-metadata.json', '**/wandb/*run-*/wandb-metadata.json'],
    unitOf: runFolderOf,
    async importUnit(unit: string, context: ImportContext): Promise<string[]> {
      const runDir = path.resolve(context.root, unit);
      const runUid = uidOf(context.root, runDir);
      try {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          const result = await importRun(runDir, context, settings, attempt > 0);
          if (result !== 'retry') return result;
        }
        context.sink.diagnostic({ file: runDir, severity: 'warning', message: 'W&B files kept being replaced while they were read; they will be read on their next change' });
        return [runUid];
      } catch (error) {
        // Everything expected is handled below; this keeps a bug in one run from stopping the others.
        context.sink.diagnostic({ file: runDir, severity: 'error', message: `W&B import failed: ${messageOf(error)}` });
        return [runUid];
      }
    },
  };
}

export const wandbImporter: Importer = { ...createWandbImporter(), runsInWorker: true };

interface Settings {
  readonly maxChunkBytes: number;
  readonly now: () => number;
  readonly runningWindowMs: number;
}

/**
 * The run folder a matched file belongs to: the `<...>run-...` folder right under a `wandb` folder,
 * else (files matched by a user's extra glob) the folder of the log or of `files/`. A path through
 * `wandb/latest-run` (a symbolic link to the newest run) is ignored so no run is imported twice.
 */
export function runFolderOf(matchedFile: string): string | undefined {
  const resolved = path.resolve(matchedFile);
  const parts = resolved.split(path.sep);
  for (let index = 1; index < parts.length - 1; index++) {
    if (parts[index - 1] === 'wandb' && parts[index] === 'latest-run') return undefined;
  }
  for (let index = parts.length - 2; index >= Math.max(1, parts.length - 3); index--) {
    if (parts[index - 1] === 'wandb' && RUN_FOLDER.test(parts[index])) return parts.slice(0, index + 1).join(path.sep);
  }
  const name = path.basename(resolved);
  const folder = path.dirname(resolved);
  if (LOG_FILE.test(name)) return folder;
  if (!SIDE_FILES.has(name)) return undefined;
  return path.basename(folder) === 'files' ? path.dirname(folder) : folder;
}

async function importRun(runDir: string, context: ImportContext, settings: Settings, forceFullRead: boolean): Promise<string[] | 'retry'> {
  const { sink } = context;
  const runUid = uidOf(context.root, runDir);
  let layout: Layout;
  try {
    layout = await readLayout(runDir);
  } catch (error) {
    if (isMissing(error)) return [];
    sink.diagnostic({ file: runDir, severity: 'error', message: `cannot list the run folder: ${messageOf(error)}` });
    return [runUid];
  }
  if (layout.sources.length === 0 && layout.config === undefined && layout.summary === undefined) return [];

  const unitKey = path.join(runDir, UNIT_STATE_KEY);
  const unitCursor = context.cursor(unitKey);
  const unitState = parseUnitState(unitCursor?.state);
  const sourceNames = layout.sources.map((source) => source.name);
  const cursors = layout.sources.map((source) => context.cursor(source.file));
  const states = cursors.map((cursor) => parseSourceState(cursor?.state));
  const sourceVanished = (unitState?.sources ?? []).some((name) => !sourceNames.includes(name));
  const sourceCursorsKept = cursors.some((cursor) => cursor !== undefined);
  const stateLost =
    (unitCursor !== undefined && unitState === undefined) ||
    (sourceCursorsKept && unitCursor === undefined) || // the summary points emitted are unknown
    cursors.some((cursor, index) => cursor !== undefined && states[index] === undefined);

  // Summary points and history share the run's series, so when any source lost data (it vanished,
  // shrank or was replaced) the run's points are dropped and every source is read again.
  let fullRead = forceFullRead || sourceVanished || stateLost;
  let outcomes: SourceOutcome[] = [];
  if (!fullRead) {
    for (let index = 0; index < layout.sources.length; index++) {
      if (context.signal?.aborted) return [runUid];
      outcomes.push(await readSource(layout.sources[index], cursors[index], states[index], settings.maxChunkBytes));
    }
    if (outcomes.some((outcome) => outcome.kind === 'replaced')) return 'retry';
    fullRead = outcomes.some((outcome) => outcome.kind === 'read' && outcome.restarted);
  }
  if (fullRead) {
    outcomes = [];
    for (const source of layout.sources) {
      if (context.signal?.aborted) return [runUid];
      outcomes.push(await readSource(source, undefined, undefined, settings.maxChunkBytes));
    }
    if (outcomes.some((outcome) => outcome.kind === 'replaced')) return 'retry';
  }

  const diagnostics: Diagnostic[] = [];
  const side = await readSideFiles(layout, context, diagnostics);
  const currentStates = outcomes.map((outcome, index) => (outcome.kind === 'read' ? outcome.state : fullRead ? undefined : states[index]));
  const liveStates = currentStates.filter((state): state is SourceState => state !== undefined);
  const runInfo = mergeRunInfo(liveStates);

  const experimentUid = emitExperiment(context, runDir, runInfo, await settingsProject(runDir));
  const logSizes = await logFileSizes(layout);
  const status = statusOf(logSizes, liveStates, settings);
  const incomplete = incompleteReason(layout, runDir, logSizes);
  const record = runRecord(context.root, runDir, experimentUid, runInfo, liveStates, side, status);
  if (incomplete) {
    diagnostics.push({ file: incomplete.file, severity: 'warning', message: `${incomplete.reason}: the run was read from ${readFrom(layout)} only, so it has no history and its status is unknown; marked incomplete (tag ${INCOMPLETE_TAG})` });
  }
  sink.run(incomplete ? { ...record, tags: { ...record.tags, [INCOMPLETE_TAG]: incomplete.reason } } : record);

  if (fullRead && (unitCursor !== undefined || sourceCursorsKept)) sink.resetMetrics(runUid);
  const historyKeys = new Set(liveStates.flatMap((state) => state.historyKeys));
  const previousSummaryPoints = new Map(fullRead ? [] : unitState?.summaryPoints ?? []);
  const wantedSummaryPoints = summaryPoints(mergeSummary(liveStates, side.summary), historyKeys);
  for (const [key, fingerprint] of previousSummaryPoints) {
    if (wantedSummaryPoints.get(key)?.fingerprint !== fingerprint) sink.resetMetrics(runUid, key);
  }
  emitHistory(runUid, outcomes, context);
  for (const [key, point] of wantedSummaryPoints) {
    if (previousSummaryPoints.get(key) === point.fingerprint) continue;
    sink.metrics({ runUid, key, steps: [point.step], timestamps: [point.timestamp], values: [point.value] });
  }

  outcomes.forEach((outcome, index) => {
    if (outcome.kind === 'read') diagnostics.push(...outcome.diagnostics);
    if (outcome.kind === 'failed') diagnostics.push({ file: layout.sources[index].file, severity: 'error', message: `cannot read the file: ${outcome.message}` });
  });
  for (const diagnostic of diagnostics) sink.diagnostic(diagnostic);

  outcomes.forEach((outcome, index) => {
    const file = layout.sources[index].file;
    if (outcome.kind === 'read') {
      context.setCursor(file, { ...outcome.cursor, state: outcome.state });
    } else if (outcome.kind === 'failed' && fullRead) {
      // Its old points were just dropped: read it whole as soon as it can be read.
      context.setCursor(file, { size: -1, mtimeMs: -1, offset: 0, head: '', state: freshState() });
    }
  });
  const newUnitState: UnitState = {
    version: 1,
    sources: sourceNames,
    summaryPoints: [...wantedSummaryPoints].map(([key, point]) => [key, point.fingerprint]),
  };
  context.setCursor(unitKey, { size: 0, mtimeMs: 0, offset: 0, head: '', state: newUnitState });
  return [runUid];
}

interface Layout {
  readonly sources: MetricSource[];
  readonly config?: string;
  readonly summary?: string;
  readonly metadata?: string;
}

/** The run folder's files; side files in `files/` win over 0.8's copies in the folder itself. */
async function readLayout(runDir: string): Promise<Layout> {
  const top = await fs.readdir(runDir, { withFileTypes: true });
  let inFiles: string[] = [];
  if (top.some((entry) => entry.name === 'files' && (entry.isDirectory() || entry.isSymbolicLink()))) {
    try {
      inFiles = (await fs.readdir(path.join(runDir, 'files'), { withFileTypes: true })).filter((entry) => !entry.isDirectory()).map((entry) => entry.name);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
  const topFiles = top.filter((entry) => !entry.isDirectory()).map((entry) => entry.name);
  const find = (name: string): string | undefined => {
    if (inFiles.includes(name)) return path.join(runDir, 'files', name);
    if (topFiles.includes(name)) return path.join(runDir, name);
    return undefined;
  };
  const sources: MetricSource[] = topFiles
    .filter((name) => LOG_FILE.test(name))
    .sort(compareNames)
    .map((name) => ({ file: path.join(runDir, name), name, kind: 'log' as const }));
  if (topFiles.includes(HISTORY_JSONL)) sources.push({ file: path.join(runDir, HISTORY_JSONL), name: HISTORY_JSONL, kind: 'history' });
  if (inFiles.includes(HISTORY_JSONL)) sources.push({ file: path.join(runDir, 'files', HISTORY_JSONL), name: `files/${HISTORY_JSONL}`, kind: 'history' });
  return { sources, config: find(CONFIG_YAML), summary: find(SUMMARY_JSON), metadata: find(METADATA_JSON) };
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Metric sources: the binary log and the old history JSONL, read from where the last read stopped.

async function readSource(source: MetricSource, cursor: FileCursor | undefined, previous: SourceState | undefined, maxChunkBytes: number): Promise<SourceOutcome> {
  let state: SourceState = freshState();
  const points: Point[] = [];
  const diagnostics: Diagnostic[] = [];
  const consume = source.kind === 'log'
    ? (bytes: Buffer, start: number): number => consumeLog(source.file, bytes, start, state, points, diagnostics)
    : (bytes: Buffer): number => consumeHistoryLines(source.file, bytes, state, points, diagnostics);
  return readAppended(source.file, cursor, maxChunkBytes, (restarted) => {
    state = restarted || previous === undefined ? freshState() : cloneState(previous);
  }, consume, () => ({ points, state, diagnostics }));
}

/**
 * Reads what was appended to `file` since `cursor`, in slices of at most `maxChunkBytes` (a slice
 * grows while nothing in it could be consumed, e.g. a record larger than a slice).
 */
async function readAppended(
  file: string,
  cursor: FileCursor | undefined,
  maxChunkBytes: number,
  begin: (restarted: boolean) => void,
  consume: (bytes: Buffer, start: number) => number,
  result: () => { points: Point[]; state: SourceState; diagnostics: Diagnostic[] },
): Promise<SourceOutcome> {
  let chunk: NewBytes | undefined;
  try {
    chunk = await readNewBytes(file, cursor, maxChunkBytes);
  } catch (error) {
    return { kind: 'failed', message: messageOf(error) };
  }
  if (chunk === undefined) return { kind: 'unchanged' };
  const restarted = chunk.restarted;
  begin(restarted);
  let limit = maxChunkBytes;
  let offset = chunk.start;
  let settledSize = chunk.size;
  for (;;) {
    const consumed = consume(chunk.bytes, chunk.start);
    offset = chunk.start + consumed;
    if (chunk.start + chunk.bytes.length >= chunk.size) break;
    limit = consumed === 0 ? limit * 2 : maxChunkBytes;
    let next: NewBytes | undefined;
    try {
      // size -1 never matches, so the next slice is read even though the file did not change.
      next = await readNewBytes(file, { size: -1, mtimeMs: -1, offset, head: chunk.head }, limit);
    } catch (error) {
      result().diagnostics.push({ file, position: `byte ${offset}`, severity: 'error', message: `read stopped: ${messageOf(error)}` });
      settledSize = -1; // the rest is read on the next import
      break;
    }
    if (next === undefined) break;
    if (next.restarted) return { kind: 'replaced' };
    chunk = next;
    settledSize = chunk.size;
  }
  const { points, state, diagnostics } = result();
  return {
    kind: 'read',
    restarted,
    points,
    state,
    diagnostics,
    cursor: { size: settledSize, mtimeMs: settledSize < 0 ? -1 : chunk.mtimeMs, offset, head: chunk.head },
  };
}

/** Frames and decodes log records; returns how many bytes are settled. */
function consumeLog(file: string, bytes: Buffer, start: number, state: SourceState, points: Point[], diagnostics: Diagnostic[]): number {
  if (state.invalid) return bytes.length;
  let skip = 0;
  if (start === 0) {
    const header = checkFileHeader(bytes);
    if (header === 'incomplete') return 0;
    if (header === 'invalid') {
      state.invalid = true;
      diagnostics.push({ file, position: 'byte 0', severity: 'error', message: 'not a W&B transaction log (no ":W&B" header with magic 0xBEE1 and version 0): file skipped' });
      return bytes.length;
    }
    skip = FILE_HEADER_BYTES;
  }
  const scan = scanLog(bytes.subarray(skip), start + skip, state.afterDamage === true);
  state.afterDamage = scan.afterDamage;
  for (const problem of scan.problems) {
    diagnostics.push({ file, position: `byte ${problem.offset}`, severity: 'error', message: `${problem.message}; the rest of the log was read` });
  }
  for (const record of scan.records) {
    const decoded = decodeRecord(record.data);
    if (!decoded.ok) {
      diagnostics.push({ file, position: `byte ${record.offset}`, severity: 'error', message: `undecodable record skipped: ${decoded.message}; the rest of the log was read` });
      continue;
    }
    const value = decoded.value;
    switch (value.kind) {
      case 'history': applyHistory(value.history, state, points); break;
      case 'config': applyConfig(value.config, state); break;
      case 'summary': applySummary(value.summary, state); break;
      case 'run': applyRun(value.run, state); break;
      case 'exit': state.exit = { exitCode: value.exit.exitCode, runtimeSeconds: value.exit.runtimeSeconds }; break;
      case 'other': break;
    }
  }
  return skip + scan.consumed;
}

/** wandb 0.8's `wandb-history.jsonl`: one JSON object per line. */
function consumeHistoryLines(file: string, bytes: Buffer, state: SourceState, points: Point[], diagnostics: Diagnostic[]): number {
  const { lines, consumed } = completeLines(bytes);
  for (const line of lines) {
    state.lines++;
    if (line.trim() === '') continue;
    const row = tryParseJson(line);
    if (row === undefined || row.kind !== 'object') {
      diagnostics.push({ file, position: `line ${state.lines}`, line: state.lines - 1, severity: 'error', message: 'history line is not a JSON object: skipped' });
      continue;
    }
    const converted = applyRow(row.entries, undefined, state, points, true);
    for (const [key, text] of converted) {
      diagnostics.push({ file, position: `line ${state.lines}`, line: state.lines - 1, severity: 'info', message: `"${key}" is written as text (${JSON.stringify(text)}): its values were read as numbers (said once for this key)` });
    }
  }
  return consumed;
}

const historyKeySets = new WeakMap<SourceState, Set<string>>();

function historyKeySet(state: SourceState): Set<string> {
  let known = historyKeySets.get(state);
  if (known === undefined) {
    known = new Set(state.historyKeys);
    historyKeySets.set(state, known);
  }
  return known;
}

function applyHistory(history: HistoryRecord, state: SourceState, points: Point[]): void {
  const entries: [string, JsonValue][] = [];
  for (const item of history.items) {
    const value = tryParseJson(item.valueJson);
    if (value !== undefined) entries.push([item.path.join('.'), value]);
  }
  applyRow(entries, history.stepNum, state, points, false);
}

/**
 * One history row. Keys starting with '_' are wandb's own (`_step`, `_timestamp`, `_runtime`,
 * `_wandb`); values that are not numbers (media, tables, text) are not metrics. Returns the keys
 * whose text was read as a number for the first time (key, the text), for the caller to report.
 */
function applyRow(entries: [string, JsonValue][], stepNum: number | undefined, state: SourceState, points: Point[], acceptNumericStrings: boolean): [string, string][] {
  let step: number | undefined;
  let timestamp: number | undefined;
  const values: [string, number][] = [];
  const converted: [string, string][] = [];
  for (const [key, value] of entries) {
    if (key === '_step') {
      const number = metricNumber(value, true);
      if (number !== undefined && Number.isFinite(number)) step = number;
      continue;
    }
    if (key === '_timestamp') {
      const number = metricNumber(value, true);
      if (number !== undefined && Number.isFinite(number)) timestamp = Math.round(number * 1000);
      continue;
    }
    if (key.startsWith('_')) continue;
    flattenJson(key, value, (leafKey, leaf) => {
      const number = metricNumber(leaf, acceptNumericStrings);
      if (number === undefined) return;
      values.push([leafKey, number]);
      if (leaf.kind === 'string' && !(state.convertedKeys ??= []).includes(leafKey)) {
        state.convertedKeys.push(leafKey);
        converted.push([leafKey, leaf.value]);
      }
    });
  }
  const rowStep = step ?? stepNum ?? state.nextStep;
  state.nextStep = rowStep + 1;
  if (timestamp !== undefined) state.lastTimestampMs = Math.max(state.lastTimestampMs ?? 0, timestamp);
  const known = historyKeySet(state);
  for (const [key, value] of values) {
    points.push({ key, step: rowStep, timestamp: timestamp ?? 0, value });
    if (!known.has(key)) {
      known.add(key);
      state.historyKeys.push(key);
    }
  }
  return converted;
}

function applyConfig(update: UpdateRecord, state: SourceState): void {
  const config = new Map(state.config);
  for (const removed of update.remove) deletePrefix(config, removed.join('.'));
  for (const item of update.update) {
    const key = item.path.join('.');
    if (item.path[0] === '_wandb' || key === '') continue;
    deletePrefix(config, key);
    const value = tryParseJson(item.valueJson);
    if (value === undefined) {
      config.set(key, item.valueJson);
      continue;
    }
    flattenJson(key, value, (leafKey, leaf) => config.set(leafKey, paramText(leaf)));
  }
  state.config = [...config];
}

function applySummary(update: UpdateRecord, state: SourceState): void {
  const summary = new Map(state.summary);
  for (const removed of update.remove) deletePrefix(summary, removed.join('.'));
  for (const item of update.update) setSummaryItem(summary, item);
  state.summary = [...summary];
}

function setSummaryItem(summary: Map<string, string>, item: KeyedJson): void {
  const key = item.path.join('.');
  if (key === '') return;
  deletePrefix(summary, key);
  summary.set(key, item.valueJson);
}

function applyRun(run: RunInfoRecord, state: SourceState): void {
  // wandb sends the run record again on updates (e.g. a rename): later non-empty fields win.
  const merged: RunInfoState = { ...state.run };
  for (const field of ['runId', 'project', 'displayName', 'group', 'jobType', 'notes', 'sweepId', 'gitCommit'] as const) {
    if (run[field] !== undefined) merged[field] = run[field];
  }
  if (run.startTimeMs !== undefined) merged.startTimeMs = run.startTimeMs;
  if (run.tags.length > 0) merged.tags = [...run.tags];
  state.run = merged;
  if (run.config !== undefined) applyConfig(run.config, state);
  if (run.summary !== undefined) applySummary(run.summary, state);
}

function deletePrefix(map: Map<string, string>, key: string): void {
  for (const existing of [...map.keys()]) {
    if (existing === key || existing.startsWith(`${key}.`)) map.delete(existing);
  }
}

function emitHistory(runUid: string, outcomes: SourceOutcome[], context: ImportContext): void {
  const series = new Map<string, { steps: number[]; timestamps: number[]; values: number[] }>();
  for (const outcome of outcomes) {
    if (outcome.kind !== 'read') continue;
    for (const point of outcome.points) {
      let batch = series.get(point.key);
      if (batch === undefined) {
        batch = { steps: [], timestamps: [], values: [] };
        series.set(point.key, batch);
      }
      batch.steps.push(point.step);
      batch.timestamps.push(point.timestamp);
      batch.values.push(point.value);
    }
  }
  for (const [key, batch] of series) context.sink.metrics({ runUid, key, ...batch });
}

// ---------------------------------------------------------------------------------------------
// Side files: small, read whole when they changed; their cursors carry what was taken from them.

interface ConfigFileState { readonly version: 1; readonly params: [string, string][]; readonly startTimeSeconds?: number }
interface SummaryFileState { readonly version: 1; readonly text: string }
interface MetadataFileState { readonly version: 1; readonly facts: MetadataFacts }

async function readSideFiles(layout: Layout, context: ImportContext, diagnostics: Diagnostic[]): Promise<SideFiles> {
  const config = await readSideFile<ConfigFileState>(layout.config, context, diagnostics, isConfigFileState, (text, file) => {
    const parsed = parseConfigYaml(text);
    for (const problem of parsed.problems) {
      diagnostics.push({ file, severity: problem.severity, message: problem.message, ...(problem.line === undefined ? {} : { position: `line ${problem.line}`, line: problem.line - 1 }) });
    }
    return { version: 1, params: [...parsed.params], ...(parsed.startTimeSeconds === undefined ? {} : { startTimeSeconds: parsed.startTimeSeconds }) };
  });
  const summary = await readSideFile<SummaryFileState>(layout.summary, context, diagnostics, isSummaryFileState, (text, file) => {
    if (text.trim() !== '' && objectEntries(text) === undefined) {
      diagnostics.push({ file, severity: 'error', message: 'wandb-summary.json is not a JSON object: summary values not taken from it' });
    }
    return { version: 1, text };
  });
  const metadata = await readSideFile<MetadataFileState>(layout.metadata, context, diagnostics, isMetadataFileState, (text, file) => {
    const entries = objectEntries(text);
    if (entries === undefined) {
      diagnostics.push({ file, severity: 'warning', message: 'wandb-metadata.json is not a JSON object: start time, program and git commit not taken from it' });
      return { version: 1, facts: {} };
    }
    return { version: 1, facts: metadataFacts(entries) };
  });
  return {
    params: new Map(config?.params ?? []),
    ...(config?.startTimeSeconds === undefined ? {} : { configStartTimeSeconds: config.startTimeSeconds }),
    summary: new Map(summary === undefined ? [] : objectEntries(summary.text) ?? []),
    metadata: metadata?.facts ?? {},
  };
}

async function readSideFile<T>(
  file: string | undefined,
  context: ImportContext,
  diagnostics: Diagnostic[],
  isState: (value: unknown) => value is T,
  parse: (text: string, file: string) => T,
): Promise<T | undefined> {
  if (file === undefined) return undefined;
  const cursor = context.cursor(file);
  const previousState: unknown = cursor?.state;
  const cached = isState(previousState) ? previousState : undefined;
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (error) {
    if (!isMissing(error)) diagnostics.push({ file, severity: 'error', message: `cannot read the file: ${messageOf(error)}` });
    return isMissing(error) ? undefined : cached;
  }
  if (!stat.isFile()) return undefined;
  if (cursor !== undefined && cached !== undefined && cursor.size === stat.size && cursor.mtimeMs === stat.mtimeMs) return cached;
  if (stat.size > MAX_SIDE_FILE_BYTES) {
    diagnostics.push({ file, severity: 'warning', message: `larger than ${MAX_SIDE_FILE_BYTES} bytes: not read` });
    return undefined;
  }
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(file);
  } catch (error) {
    diagnostics.push({ file, severity: 'error', message: `cannot read the file: ${messageOf(error)}` });
    return cached;
  }
  const state = parse(bytes.toString('utf8'), file);
  context.setCursor(file, { size: stat.size, mtimeMs: stat.mtimeMs, offset: bytes.length, head: bytes.subarray(0, 64).toString('hex'), state });
  return state;
}

function objectEntries(text: string): [string, JsonValue][] | undefined {
  const value = tryParseJson(text);
  return value?.kind === 'object' ? value.entries : undefined;
}

/** Only these three facts: the file also holds the user's e-mail, host and username. */
function metadataFacts(entries: [string, JsonValue][]): MetadataFacts {
  const facts: MetadataFacts = {};
  for (const [key, value] of entries) {
    if (key === 'startedAt' && value.kind === 'string') {
      // wandb writes UTC without a zone designator (datetime.utcnow().isoformat()) in older versions.
      const text = /[zZ]|[+-]\d\d:?\d\d$/.test(value.value.slice(10)) ? value.value : `${value.value}Z`;
      const ms = Date.parse(text);
      if (Number.isFinite(ms)) facts.startTimeMs = ms;
    } else if (key === 'program' && value.kind === 'string' && value.value !== '') {
      facts.program = value.value;
    } else if (key === 'git' && value.kind === 'object') {
      const commit = value.entries.find(([name]) => name === 'commit')?.[1];
      if (commit?.kind === 'string' && commit.value !== '') facts.gitCommit = commit.value;
    }
  }
  return facts;
}

function isConfigFileState(value: unknown): value is ConfigFileState {
  const candidate = value as ConfigFileState | undefined;
  return typeof candidate === 'object' && candidate !== null && candidate.version === 1 && isStringPairs(candidate.params);
}

function isSummaryFileState(value: unknown): value is SummaryFileState {
  const candidate = value as SummaryFileState | undefined;
  return typeof candidate === 'object' && candidate !== null && candidate.version === 1 && typeof candidate.text === 'string';
}

function isMetadataFileState(value: unknown): value is MetadataFileState {
  const candidate = value as MetadataFileState | undefined;
  return typeof candidate === 'object' && candidate !== null && candidate.version === 1 && typeof candidate.facts === 'object' && candidate.facts !== null;
}

// ---------------------------------------------------------------------------------------------
// Records.

function mergeRunInfo(states: SourceState[]): RunInfoState {
  const merged: RunInfoState = {};
  for (const state of states) Object.assign(merged, state.run);
  return merged;
}

function mergeSummary(states: SourceState[], fromFile: Map<string, JsonValue>): Map<string, JsonValue> {
  const summary = new Map<string, JsonValue>();
  for (const state of states) {
    for (const [key, text] of state.summary) {
      const value = tryParseJson(text);
      if (value !== undefined) summary.set(key, value);
    }
  }
  // The file is wandb's consolidated summary: it wins over the log's updates.
  for (const [key, value] of fromFile) summary.set(key, value);
  return summary;
}

interface SummaryPoint {
  readonly step: number;
  readonly timestamp: number;
  readonly value: number;
  readonly fingerprint: string;
}

/** One point per numeric summary value whose key has no history: the value's only record. */
function summaryPoints(summary: Map<string, JsonValue>, historyKeys: Set<string>): Map<string, SummaryPoint> {
  const number = (key: string): number | undefined => {
    const value = summary.get(key);
    const n = value === undefined ? undefined : metricNumber(value, false);
    return n !== undefined && Number.isFinite(n) ? n : undefined;
  };
  const step = number('_step') ?? 0;
  const seconds = number('_timestamp');
  const timestamp = seconds === undefined ? 0 : Math.round(seconds * 1000);
  const points = new Map<string, SummaryPoint>();
  for (const [key, value] of summary) {
    if (key.startsWith('_')) continue;
    flattenJson(key, value, (leafKey, leaf) => {
      const n = metricNumber(leaf, false);
      if (n === undefined || historyKeys.has(leafKey)) return;
      points.set(leafKey, { step, timestamp, value: n, fingerprint: `${step}|${timestamp}|${n}` });
    });
  }
  return points;
}

function emitExperiment(context: ImportContext, runDir: string, runInfo: RunInfoState, projectFromSettings: string | undefined): string {
  const project = runInfo.project ?? projectFromSettings;
  if (project !== undefined) {
    const uid = `${FORMAT}:project:${project}`;
    context.sink.experiment({ uid, name: project, format: FORMAT, externalId: project, lifecycle: 'active' });
    return uid;
  }
  const wandbDir = path.dirname(runDir);
  const holder = path.basename(wandbDir) === 'wandb' ? path.dirname(wandbDir) : wandbDir;
  const uid = uidOf(context.root, holder);
  context.sink.experiment({ uid, name: path.basename(holder) || holder, format: FORMAT, lifecycle: 'active' });
  return uid;
}

interface LogFileSize {
  readonly file: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Size and time of each `.wandb` log (a log that vanished meanwhile is left out). */
async function logFileSizes(layout: Layout): Promise<LogFileSize[]> {
  const out: LogFileSize[] = [];
  for (const log of layout.sources.filter((source) => source.kind === 'log')) {
    try {
      const stat = await fs.stat(log.file);
      out.push({ file: log.file, size: stat.size, mtimeMs: stat.mtimeMs });
    } catch {
      // vanished: says nothing
    }
  }
  return out;
}

function statusOf(logs: readonly LogFileSize[], states: SourceState[], settings: Settings): RunStatus {
  const exit = [...states].reverse().find((state) => state.exit !== undefined)?.exit;
  if (exit !== undefined) return exit.exitCode === 0 ? 'FINISHED' : 'FAILED';
  // Without a log holding anything there is nothing to tell a live run from a finished one (a fresh
  // clone or copy makes every file look just written; a 0-byte log is a copy that lost its content).
  const written = logs.filter((log) => log.size > 0);
  if (written.length === 0) return 'FINISHED';
  const latest = Math.max(...written.map((log) => log.mtimeMs));
  return settings.now() - latest <= settings.runningWindowMs ? 'RUNNING' : 'KILLED';
}

/**
 * Why a run folder without usable metric history is incomplete (its `.wandb` log missing or empty),
 * or undefined when the run has its history (a log with content, or 0.8's wandb-history.jsonl).
 */
function incompleteReason(layout: Layout, runDir: string, logs: readonly LogFileSize[]): { file: string; reason: string } | undefined {
  if (layout.sources.some((source) => source.kind === 'history')) return undefined;
  if (logs.some((log) => log.size > 0)) return undefined;
  const empty = logs[0];
  if (empty) return { file: empty.file, reason: `${path.basename(empty.file)} is empty (0 bytes)` };
  const id = RUN_FOLDER_ID.exec(path.basename(runDir))?.[1];
  const expected = `run-${id ?? '<id>'}.wandb`;
  return { file: path.join(runDir, expected), reason: `${expected} is missing` };
}

function readFrom(layout: Layout): string {
  const names = [layout.summary, layout.config, layout.metadata].filter((file): file is string => file !== undefined).map((file) => path.basename(file));
  return names.length > 0 ? names.join(', ') : 'its folder name';
}

/**
 * The project in `wandb/settings` (the INI file `wandb init` writes beside the run folders:
 * `[default]` then `project = name`), for runs whose own log does not name it.
 */
async function settingsProject(runDir: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(path.dirname(runDir), 'settings'), 'utf8');
  } catch {
    return undefined;
  }
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1].trim();
    const entry = /^project\s*[=:]\s*(.+)$/.exec(line);
    if (entry && section === 'default' && entry[1].trim() !== '') return entry[1].trim();
  }
  return undefined;
}

function runRecord(root: string, runDir: string, experimentUid: string, runInfo: RunInfoState, states: SourceState[], side: SideFiles, status: RunStatus): RunRecord {
  const params = new Map<string, string>();
  for (const state of states) for (const [key, value] of state.config) params.set(key, value);
  for (const [key, value] of side.params) params.set(key, value);

  const runId = runInfo.runId ?? RUN_FOLDER_ID.exec(path.basename(runDir))?.[1] ?? path.basename(runDir);
  const startTime = runInfo.startTimeMs ?? side.metadata.startTimeMs ?? (side.configStartTimeSeconds === undefined ? undefined : Math.round(side.configStartTimeSeconds * 1000));
  const exit = [...states].reverse().find((state) => state.exit !== undefined)?.exit;
  const summaryTimestamp = side.summary.get('_timestamp');
  const summarySeconds = summaryTimestamp === undefined ? undefined : metricNumber(summaryTimestamp, false);
  const lastTimestamps = [
    ...states.map((state) => state.lastTimestampMs),
    summarySeconds !== undefined && Number.isFinite(summarySeconds) ? Math.round(summarySeconds * 1000) : undefined,
  ].filter((value): value is number => value !== undefined && value > 0);
  let endTime: number | undefined;
  if (status !== 'RUNNING') {
    endTime = exit !== undefined && startTime !== undefined && exit.runtimeSeconds > 0
      ? startTime + exit.runtimeSeconds * 1000
      : lastTimestamps.length > 0 ? Math.max(...lastTimestamps) : undefined;
  }

  const tags: Record<string, string> = {};
  const tag = (key: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') tags[key] = value;
  };
  tag('wandb.project', runInfo.project);
  tag('wandb.group', runInfo.group);
  tag('wandb.jobType', runInfo.jobType);
  tag('wandb.sweepId', runInfo.sweepId);
  tag('wandb.notes', runInfo.notes);
  tag('wandb.tags', runInfo.tags?.join(', '));
  tag('wandb.program', side.metadata.program);
  const gitCommit = runInfo.gitCommit ?? side.metadata.gitCommit;

  return {
    uid: uidOf(root, runDir),
    experimentUid,
    format: FORMAT,
    externalId: runId,
    name: runInfo.displayName ?? runId,
    status,
    ...(startTime === undefined ? {} : { startTime }),
    ...(endTime === undefined ? {} : { endTime }),
    sourcePath: relativePath(root, runDir),
    ...(gitCommit === undefined ? {} : { gitCommit }),
    deleted: false,
    params: Object.fromEntries(params),
    tags,
  };
}

// ---------------------------------------------------------------------------------------------
// State (de)serialisation: cursors come back from the store as JSON, possibly from older versions.

function freshState(): SourceState {
  return { version: 1, run: {}, config: [], summary: [], nextStep: 0, historyKeys: [], lines: 0 };
}

function cloneState(state: SourceState): SourceState {
  return JSON.parse(JSON.stringify(state)) as SourceState;
}

function parseSourceState(value: unknown): SourceState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Record<string, unknown>;
  if (candidate.version !== 1) return undefined;
  if (typeof candidate.run !== 'object' || candidate.run === null || Array.isArray(candidate.run)) return undefined;
  if (!isStringPairs(candidate.config) || !isStringPairs(candidate.summary)) return undefined;
  if (typeof candidate.nextStep !== 'number' || !Number.isFinite(candidate.nextStep)) return undefined;
  if (typeof candidate.lines !== 'number') return undefined;
  if (!Array.isArray(candidate.historyKeys) || !candidate.historyKeys.every((key) => typeof key === 'string')) return undefined;
  return cloneState(candidate as unknown as SourceState);
}

function parseUnitState(value: unknown): UnitState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Record<string, unknown>;
  if (candidate.version !== 1 || !Array.isArray(candidate.sources) || !candidate.sources.every((name) => typeof name === 'string')) return undefined;
  if (!isStringPairs(candidate.summaryPoints)) return undefined;
  return { version: 1, sources: candidate.sources as string[], summaryPoints: candidate.summaryPoints };
}

function isStringPairs(value: unknown): value is [string, string][] {
  return Array.isArray(value) && value.every((pair) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && typeof pair[1] === 'string');
}

function uidOf(root: string, target: string): string {
  return `${FORMAT}:${relativePath(root, target)}`;
}

function relativePath(root: string, target: string): string {
  const relative = path.relative(path.resolve(root), target).split(path.sep).join('/');
  return relative === '' ? '.' : relative;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
