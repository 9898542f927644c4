/**
 * TensorBoard event files. One TensorBoard run is one directory: its `events.out.tfevents.*` files
 * are read in file-name order as one stream, Lightning's `hparams.yaml` beside them gives params,
 * and the parent directory (e.g. `lightning_logs`) is the experiment.
 *
 * Status is always FINISHED: event files record no status, and a guess from the file's age
 * ("RUNNING when written in the last minutes") would go stale, because nothing re-imports a run
 * once its writer stops touching the files.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readNewBytes } from '../tail';
import type { NewBytes } from '../tail';
import type { Diagnostic, FileCursor, ImportContext, Importer, RunRecord } from '../types';
import { contentOf, decodeEvent, decodeHParams } from './events';
import { parseHParamsYaml } from './hparamsYaml';
import { readRecords } from './tfrecord';
import { readRegularFile } from '../regularFile';

const FORMAT = 'tensorboard';
const EVENT_FILE_PREFIX = 'events.out.tfevents.';
const HPARAMS_YAML = 'hparams.yaml';
const MAX_HPARAMS_YAML_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_CHUNK_BYTES = 64 * 1024 * 1024;
/** A file replaced while being read is read again from the start, a few times at most. */
const MAX_ATTEMPTS = 3;

export interface TensorboardImporterOptions {
  /** Largest slice of an event file held in memory at once (tests use small ones). */
  readonly maxChunkBytes?: number;
}

/** What one event file's cursor carries between imports (JSON). */
interface EventFileState {
  readonly version: 1;
  /** The run directory's event file names at that import: a name missing now means a file vanished. */
  readonly files: string[];
  /** Tag → plugin name; TF2 writes a tag's metadata only with its first event. */
  readonly tagPlugins: [string, string][];
  /** Seconds since the epoch. */
  readonly firstWallTime?: number;
  readonly lastWallTime?: number;
  readonly hparams: [string, string][];
  /** Scalar points read from the file so far (absent in states saved before it was counted: some). */
  readonly scalarCount?: number;
}

interface HParamsYamlState {
  readonly version: 1;
  readonly params: [string, string][];
}

interface Point {
  readonly tag: string;
  readonly step: number;
  readonly timestamp: number;
  readonly value: number;
}

type FileOutcome =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'replaced' }
  | {
      readonly kind: 'read';
      readonly restarted: boolean;
      readonly points: Point[];
      readonly state: EventFileState;
      readonly cursor: Omit<FileCursor, 'state'>;
      readonly diagnostics: Diagnostic[];
    };

export function createTensorboardImporter(options: TensorboardImporterOptions = {}): Importer {
  const maxChunkBytes = Math.max(16, options.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES);
  return {
    format: FORMAT,
    patterns: [`**/${EVENT_FILE_PREFIX}*`],
    unitOf(matchedFile: string): string | undefined {
      return path.basename(matchedFile).startsWith(EVENT_FILE_PREFIX) ? path.dirname(matchedFile) : undefined;
    },
    async importUnit(unit: string, context: ImportContext): Promise<string[]> {
      const runDir = path.resolve(context.root, unit);
      const runUid = uidOf(context.root, runDir);
      try {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          const result = await importRun(runDir, context, maxChunkBytes, attempt > 0);
          if (result !== 'retry') return result;
        }
        context.sink.diagnostic({ file: runDir, severity: 'warning', message: 'event files kept being replaced while they were read; they will be read on their next change' });
        return [runUid];
      } catch (error) {
        // Everything expected is handled below; this keeps a bug in one run from stopping the others.
        context.sink.diagnostic({ file: runDir, severity: 'error', message: `TensorBoard import failed: ${messageOf(error)}` });
        return [runUid];
      }
    },
  };
}

export const tensorboardImporter: Importer = { ...createTensorboardImporter(), runsInWorker: true };

async function importRun(runDir: string, context: ImportContext, maxChunkBytes: number, forceFullRead: boolean): Promise<string[] | 'retry'> {
  const { sink } = context;
  const runUid = uidOf(context.root, runDir);
  let names: string[];
  try {
    names = await listEventFiles(runDir);
  } catch (error) {
    if (isMissing(error)) return [];
    sink.diagnostic({ file: runDir, severity: 'error', message: `cannot list the run directory: ${messageOf(error)}` });
    return [runUid];
  }
  if (names.length === 0) return [];
  const files = names.map((name) => path.join(runDir, name));
  const cursors = files.map((file) => context.cursor(file));
  const states = cursors.map((cursor) => parseEventFileState(cursor?.state));
  const hadCursors = cursors.some((cursor) => cursor !== undefined);
  const knownNames = new Set(states.flatMap((state) => state?.files ?? []));
  const fileVanished = [...knownNames].some((name) => !names.includes(name));
  const stateLost = cursors.some((cursor, index) => cursor !== undefined && states[index] === undefined);

  // A run's series mix the points of all its files, so when any file lost data (it vanished,
  // shrank or was replaced), the run's points are dropped and every file is read again.
  let fullRead = forceFullRead || fileVanished || stateLost;
  let outcomes: FileOutcome[] = [];
  if (!fullRead) {
    for (let index = 0; index < files.length; index++) {
      if (context.signal?.aborted) return [runUid];
      outcomes.push(await readEventFile(files[index], cursors[index], states[index], maxChunkBytes));
    }
    if (outcomes.some((outcome) => outcome.kind === 'replaced')) return 'retry';
    fullRead = outcomes.some((outcome) => outcome.kind === 'read' && outcome.restarted);
  }
  if (fullRead) {
    outcomes = [];
    for (const file of files) {
      if (context.signal?.aborted) return [runUid];
      outcomes.push(await readEventFile(file, undefined, undefined, maxChunkBytes));
    }
    if (outcomes.some((outcome) => outcome.kind === 'replaced')) return 'retry';
  }

  const diagnostics: Diagnostic[] = [];
  const yamlParams = await readHParamsYaml(path.join(runDir, HPARAMS_YAML), context, diagnostics);

  const currentStates = outcomes.map((outcome, index) => (outcome.kind === 'read' ? outcome.state : fullRead ? undefined : states[index]));
  // Event files with no scalar and no hyperparameter value (TensorBoard's hparams definition folder,
  // `hp.hparams_config`, or a writer that has logged nothing yet) are not a run.
  const isRun = yamlParams.size > 0 || currentStates.some((state) => state === undefined || scalarsBefore(state) > 0 || state.hparams.length > 0);
  if (isRun) {
    const experimentDir = runDir === path.resolve(context.root) ? runDir : path.dirname(runDir);
    const experimentUid = uidOf(context.root, experimentDir);
    sink.experiment({ uid: experimentUid, name: path.basename(experimentDir), format: FORMAT, lifecycle: 'active' });
    sink.run(runRecord(context.root, runDir, experimentUid, currentStates, yamlParams));
    if (fullRead && hadCursors) sink.resetMetrics(runUid);
    emitMetrics(runUid, outcomes, context);
  } else {
    diagnostics.push({ file: runDir, severity: 'info', message: `no scalar and no hyperparameter value in its ${files.length} event file(s) (e.g. the hparams plugin's experiment definition only): not a run, skipped; read again when they change` });
  }

  outcomes.forEach((outcome, index) => {
    if (outcome.kind === 'read') diagnostics.push(...outcome.diagnostics);
    if (outcome.kind === 'failed') diagnostics.push({ file: files[index], severity: 'error', message: `cannot read the event file: ${outcome.message}` });
  });
  for (const diagnostic of diagnostics) sink.diagnostic(diagnostic);

  outcomes.forEach((outcome, index) => {
    const file = files[index];
    if (outcome.kind === 'read') {
      context.setCursor(file, { ...outcome.cursor, state: { ...outcome.state, files: names } });
    } else if (outcome.kind === 'failed' && fullRead) {
      // Its old points were just dropped: read it whole as soon as it can be read.
      context.setCursor(file, { size: -1, mtimeMs: -1, offset: 0, head: '', state: freshState(names) });
    } else if (outcome.kind === 'unchanged') {
      const cursor = cursors[index];
      const state = states[index];
      if (cursor !== undefined && state !== undefined && !sameNames(state.files, names)) {
        context.setCursor(file, { ...cursor, state: { ...state, files: names } });
      }
    }
  });
  return isRun ? [runUid] : [];
}

async function listEventFiles(runDir: string): Promise<string[]> {
  const entries = await fs.readdir(runDir, { withFileTypes: true });
  return entries
    .filter((entry) => !entry.isDirectory() && entry.name.startsWith(EVENT_FILE_PREFIX))
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Reads what was appended to one event file since `cursor`, in slices of at most `maxChunkBytes`
 * (a slice grows when a single record is larger). A partial record at the end stays unread.
 */
async function readEventFile(file: string, cursor: FileCursor | undefined, previous: EventFileState | undefined, maxChunkBytes: number): Promise<FileOutcome> {
  let chunk: NewBytes | undefined;
  try {
    chunk = await readNewBytes(file, cursor, maxChunkBytes);
  } catch (error) {
    return { kind: 'failed', message: messageOf(error) };
  }
  if (chunk === undefined) return { kind: 'unchanged' };
  const restarted = chunk.restarted;
  const base = restarted || previous === undefined ? freshState([]) : previous;
  const tagPlugins = new Map(base.tagPlugins);
  const hparams = new Map(base.hparams);
  let firstWallTime = base.firstWallTime;
  let lastWallTime = base.lastWallTime;
  const points: Point[] = [];
  const diagnostics: Diagnostic[] = [];
  let chunkLimit = maxChunkBytes;
  let offset = chunk.start;
  let settledSize = chunk.size;
  for (;;) {
    const framing = readRecords(chunk.bytes, chunk.start);
    for (const problem of framing.problems) {
      diagnostics.push({ file, position: `byte ${problem.offset}`, severity: 'error', message: problem.message });
    }
    for (const record of framing.records) {
      const decoded = decodeEvent(record.data);
      if (!decoded.ok) {
        diagnostics.push({ file, position: `byte ${record.offset}`, severity: 'error', message: `undecodable event record skipped: ${decoded.message}` });
        continue;
      }
      const event = decoded.value;
      const wallTime = Number.isFinite(event.wallTime) && event.wallTime > 0 ? event.wallTime : undefined;
      if (wallTime !== undefined) {
        firstWallTime = firstWallTime === undefined ? wallTime : Math.min(firstWallTime, wallTime);
        lastWallTime = lastWallTime === undefined ? wallTime : Math.max(lastWallTime, wallTime);
      }
      const content = contentOf(event, tagPlugins);
      const timestamp = wallTime === undefined ? 0 : Math.round(wallTime * 1000);
      for (const scalar of content.scalars) points.push({ tag: scalar.tag, step: event.step, timestamp, value: scalar.value });
      for (const payload of content.hparams) {
        const decodedHParams = decodeHParams(payload);
        if (decodedHParams.ok) {
          for (const [key, value] of decodedHParams.value) hparams.set(key, value);
        } else {
          diagnostics.push({ file, position: `byte ${record.offset}`, severity: 'warning', message: `undecodable hparams summary skipped: ${decodedHParams.message}` });
        }
      }
    }
    offset = chunk.start + framing.consumed;
    if (chunk.start + chunk.bytes.length >= chunk.size) break;
    chunkLimit = framing.consumed === 0 ? chunkLimit * 2 : maxChunkBytes;
    let next: NewBytes | undefined;
    try {
      // size -1 never matches, so the next slice is read even though the file did not change.
      next = await readNewBytes(file, { size: -1, mtimeMs: -1, offset, head: chunk.head }, chunkLimit);
    } catch (error) {
      diagnostics.push({ file, position: `byte ${offset}`, severity: 'error', message: `event file read stopped: ${messageOf(error)}` });
      settledSize = -1; // the rest is read on the next import
      break;
    }
    if (next === undefined) break;
    if (next.restarted) return { kind: 'replaced' };
    chunk = next;
    settledSize = chunk.size;
  }
  const state: EventFileState = {
    version: 1,
    files: base.files,
    tagPlugins: [...tagPlugins],
    firstWallTime,
    lastWallTime,
    hparams: [...hparams],
    scalarCount: scalarsBefore(base) + points.length,
  };
  return { kind: 'read', restarted, points, state, diagnostics, cursor: { size: settledSize, mtimeMs: settledSize < 0 ? -1 : chunk.mtimeMs, offset, head: chunk.head } };
}

function emitMetrics(runUid: string, outcomes: FileOutcome[], context: ImportContext): void {
  const series = new Map<string, { steps: number[]; timestamps: number[]; values: number[] }>();
  for (const outcome of outcomes) {
    if (outcome.kind !== 'read') continue;
    for (const point of outcome.points) {
      let batch = series.get(point.tag);
      if (batch === undefined) {
        batch = { steps: [], timestamps: [], values: [] };
        series.set(point.tag, batch);
      }
      batch.steps.push(point.step);
      batch.timestamps.push(point.timestamp);
      batch.values.push(point.value);
    }
  }
  for (const [key, batch] of series) context.sink.metrics({ runUid, key, ...batch });
}

function runRecord(root: string, runDir: string, experimentUid: string, states: (EventFileState | undefined)[], yamlParams: Map<string, string>): RunRecord {
  const params = new Map<string, string>();
  let firstWallTime: number | undefined;
  let lastWallTime: number | undefined;
  for (const state of states) {
    if (state === undefined) continue;
    for (const [key, value] of state.hparams) params.set(key, value);
    if (state.firstWallTime !== undefined) firstWallTime = Math.min(firstWallTime ?? Infinity, state.firstWallTime);
    if (state.lastWallTime !== undefined) lastWallTime = Math.max(lastWallTime ?? -Infinity, state.lastWallTime);
  }
  // hparams.yaml keeps the values as the user's code had them (`false`, `null`); the event
  // summaries hold TensorBoard's conversions (0, "None"), so the YAML wins where both name a key.
  for (const [key, value] of yamlParams) params.set(key, value);
  return {
    uid: uidOf(root, runDir),
    experimentUid,
    format: FORMAT,
    name: path.basename(runDir),
    status: 'FINISHED',
    startTime: firstWallTime === undefined ? undefined : Math.round(firstWallTime * 1000),
    endTime: lastWallTime === undefined ? undefined : Math.round(lastWallTime * 1000),
    sourcePath: relativePath(root, runDir),
    deleted: false,
    params: Object.fromEntries(params),
    tags: {},
  };
}

/**
 * Params of `hparams.yaml`. Read again only when it changed (its cursor carries the params), so its
 * warnings are reported once per change, like damaged event records.
 */
async function readHParamsYaml(file: string, context: ImportContext, diagnostics: Diagnostic[]): Promise<Map<string, string>> {
  const cursor = context.cursor(file);
  const cached = parseYamlState(cursor?.state);
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (error) {
    if (!isMissing(error)) diagnostics.push({ file, severity: 'error', message: `cannot read hparams.yaml: ${messageOf(error)}` });
    return isMissing(error) ? new Map() : cached ?? new Map();
  }
  if (!stat.isFile()) return new Map();
  if (cursor !== undefined && cached !== undefined && cursor.size === stat.size && cursor.mtimeMs === stat.mtimeMs) return cached;
  let params = new Map<string, string>();
  let bytes = Buffer.alloc(0);
  if (stat.size > MAX_HPARAMS_YAML_BYTES) {
    diagnostics.push({ file, severity: 'warning', message: `hparams.yaml is larger than ${MAX_HPARAMS_YAML_BYTES} bytes: not read` });
  } else {
    try {
      bytes = await readRegularFile(file);
    } catch (error) {
      diagnostics.push({ file, severity: 'error', message: `cannot read hparams.yaml: ${messageOf(error)}` });
      return cached ?? new Map();
    }
    const parsed = parseHParamsYaml(bytes.toString('utf8'));
    params = parsed.params;
    for (const problem of parsed.problems) {
      diagnostics.push({
        file,
        severity: problem.severity,
        message: problem.message,
        ...(problem.line === undefined ? {} : { position: `line ${problem.line}`, line: problem.line - 1 }),
      });
    }
  }
  const state: HParamsYamlState = { version: 1, params: [...params] };
  context.setCursor(file, { size: stat.size, mtimeMs: stat.mtimeMs, offset: bytes.length, head: bytes.subarray(0, 64).toString('hex'), state });
  return params;
}

function freshState(files: string[]): EventFileState {
  return { version: 1, files, tagPlugins: [], hparams: [] };
}

function parseEventFileState(value: unknown): EventFileState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Record<string, unknown>;
  if (candidate.version !== 1) return undefined;
  const files = candidate.files;
  if (!Array.isArray(files) || !files.every((name) => typeof name === 'string')) return undefined;
  const tagPlugins = stringPairs(candidate.tagPlugins);
  const hparams = stringPairs(candidate.hparams);
  if (tagPlugins === undefined || hparams === undefined) return undefined;
  const firstWallTime = optionalNumber(candidate.firstWallTime);
  const lastWallTime = optionalNumber(candidate.lastWallTime);
  if (firstWallTime === null || lastWallTime === null) return undefined;
  const scalarCount = typeof candidate.scalarCount === 'number' ? candidate.scalarCount : undefined;
  return { version: 1, files: files as string[], tagPlugins, hparams, firstWallTime, lastWallTime, ...(scalarCount === undefined ? {} : { scalarCount }) };
}

/** A state saved before scalars were counted had some, as far as anyone knows (it was imported as a run). */
function scalarsBefore(state: EventFileState): number {
  return state.scalarCount ?? (state.files.length > 0 ? 1 : 0);
}

function parseYamlState(value: unknown): Map<string, string> | undefined {
  if (typeof value !== 'object' || value === null || (value as Record<string, unknown>).version !== 1) return undefined;
  const params = stringPairs((value as Record<string, unknown>).params);
  return params === undefined ? undefined : new Map(params);
}

function stringPairs(value: unknown): [string, string][] | undefined {
  if (!Array.isArray(value)) return undefined;
  const valid = value.every((pair) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && typeof pair[1] === 'string');
  return valid ? (value as [string, string][]) : undefined;
}

/** undefined when absent, null when present but not a finite number. */
function optionalNumber(value: unknown): number | undefined | null {
  if (value === undefined) return undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, index) => name === b[index]);
}

function uidOf(root: string, directory: string): string {
  return `${FORMAT}:${relativePath(root, directory)}`;
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
