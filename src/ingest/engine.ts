import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Store } from '../store';
import { rows } from '../tracking/queries';
import type { FileFinder } from './fsFinder';
import { globToRegExp, matchesAny } from './glob';
import { RecordingSink, type SinkOperation } from './recordingSink';
import { StoreWriter } from './storeWriter';
import type { Diagnostic, FileCursor, ImportContext, Importer } from './types';
import { unitWorkerPool } from './workerPool';

export interface UnitRef {
  readonly importer: Importer;
  /** Absolute path of the unit. */
  readonly unit: string;
}

export interface ImportSummary {
  readonly unitsImported: number;
  readonly runsRemoved: number;
  readonly diagnostics: readonly Diagnostic[];
  readonly durationMs: number;
  readonly cancelled: boolean;
  /** True when the store was changed (and one save scheduled); a rescan of unchanged files leaves it false. */
  readonly changed: boolean;
}

/** Units read ahead of the one being applied: enough to hide file-system latency, few enough to bound memory. */
const READ_AHEAD = 16;
/** Units in one import from which reading them in worker threads beats starting the workers. */
const WORKER_MIN_UNITS = 8;

interface ReadUnit {
  readonly ref: UnitRef;
  readonly sink: RecordingSink;
  /** The cursors the unit was read with, to tell a changed cursor from one set again unchanged. */
  readonly previousCursors: ReadonlyMap<string, FileCursor>;
  readonly changedCursors: Map<string, FileCursor>;
  /** undefined when the importer failed. */
  readonly runUids: string[] | undefined;
  readonly failure?: string;
}

interface KnownUnit {
  readonly path: string;
  readonly format: string;
  readonly runUids: readonly string[];
  readonly experimentUids: readonly string[];
  /** Hash of the experiment and run records the unit emitted last time (see recordsFingerprint). */
  readonly fingerprint?: string;
}

export interface ImportProgress {
  report(done: number, total: number, unit: string): void;
}

/**
 * Drives the importers for one workspace folder and one store: discovers units, imports each
 * incrementally (cursors in the `sources` table), applies each unit's records in one transaction,
 * and removes runs whose files are gone. Calls are serialised: one import at a time per store.
 */
export class ImportEngine {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly watchRegExps: { importer: Importer; patterns: RegExp[] }[];
  /** Units a crashed import worker could not finish (they were then read on the main thread). */
  readonly workerFailures: string[] = [];

  constructor(
    readonly store: Store,
    readonly root: string,
    readonly importers: readonly Importer[],
  ) {
    this.watchRegExps = importers.map((importer) => ({
      importer,
      patterns: [...importer.patterns, ...(importer.watchPatterns ?? [])].map(globToRegExp),
    }));
  }

  /** Discovers every unit under the root, imports them, and forgets units that no longer exist. */
  scan(finder: FileFinder, options: { signal?: AbortSignal; progress?: ImportProgress } = {}): Promise<ImportSummary> {
    return this.serialised(async () => {
      const started = performance.now();
      const units = await this.discover(finder, options.signal);
      const result = await this.importAll(units, options);
      let runsRemoved = result.runsRemoved;
      let changed = result.changed;
      if (!result.cancelled) {
        const live = new Set(units.map((u) => `${u.importer.format}\n${u.unit}`));
        const scanned = new Set<string>(this.importers.map((i) => i.format));
        for (const vanished of this.knownUnits().filter((u) => scanned.has(u.format) && !live.has(`${u.format}\n${u.path}`) && isInside(this.root, u.path))) {
          runsRemoved += this.forgetUnit(vanished);
          changed = true;
        }
      }
      // One save per scan, whatever the number of units (and none when nothing changed).
      if (changed) this.store.changed();
      return { ...result, runsRemoved, changed, durationMs: performance.now() - started };
    });
  }

  /**
   * Every unit under the root, importer by importer. One walk for all importers (a rescan's cost is
   * mostly file-system round trips): each file found goes to the importers whose patterns it matches.
   */
  private async discover(finder: FileFinder, signal: AbortSignal | undefined): Promise<UnitRef[]> {
    const files = await finder.find(this.root, [...new Set(this.importers.flatMap((i) => i.patterns))], signal);
    const units: UnitRef[] = [];
    for (const importer of this.importers) {
      const patterns = importer.patterns.map(globToRegExp);
      const seen = new Set<string>();
      for (const file of files) {
        const relative = toRelative(this.root, file);
        if (relative === undefined || !matchesAny(relative, patterns)) continue;
        const unit = importer.unitOf(file);
        if (unit !== undefined && !seen.has(unit)) {
          seen.add(unit);
          units.push({ importer, unit });
        }
      }
    }
    return units;
  }

  /** The units a changed (created, modified, deleted) file belongs to. */
  unitsOf(file: string): UnitRef[] {
    const relative = toRelative(this.root, file);
    if (relative === undefined) return [];
    const out: UnitRef[] = [];
    for (const { importer, patterns } of this.watchRegExps) {
      if (!matchesAny(relative, patterns)) continue;
      const unit = importer.unitOf(file);
      if (unit !== undefined) out.push({ importer, unit });
    }
    return out;
  }

  /** Imports the given units (e.g. after file changes); a unit that no longer exists is forgotten. */
  importUnits(units: readonly UnitRef[], options: { signal?: AbortSignal } = {}): Promise<ImportSummary> {
    return this.serialised(async () => {
      const started = performance.now();
      const result = await this.importAll(units, options);
      if (result.changed) this.store.changed();
      return { ...result, durationMs: performance.now() - started };
    });
  }

  private async importAll(units: readonly UnitRef[], options: { signal?: AbortSignal; progress?: ImportProgress }): Promise<Omit<ImportSummary, 'durationMs'>> {
    const diagnostics: Diagnostic[] = [];
    let runsRemoved = 0;
    let changed = false;
    // Reading is mostly waiting on small file operations: read up to READ_AHEAD units at once, and
    // apply them to the store one at a time, in order (each in its own transaction).
    const reads: Promise<ReadUnit>[] = [];
    // A worker pays off over many units; a single tailed file is quicker here unless workers are up.
    const useWorkers = units.length >= WORKER_MIN_UNITS || unitWorkerPool()?.started === true;
    const startRead = (index: number) => {
      if (index >= units.length) return;
      reads[index] = this.readUnit(units[index], options.signal, useWorkers);
      // If applying an earlier unit fails, reads already in flight are never awaited: keep their failure quiet.
      reads[index].catch(() => undefined);
    };
    for (let i = 0; i < Math.min(READ_AHEAD, units.length); i++) startRead(i);
    for (let done = 0; done < units.length; done++) {
      options.progress?.report(done, units.length, units[done].unit);
      if (options.signal?.aborted) {
        await Promise.allSettled(reads.slice(done)); // let reads in flight finish; their results are dropped
        return { unitsImported: done, runsRemoved, diagnostics, cancelled: true, changed };
      }
      const read = await reads[done];
      startRead(done + READ_AHEAD);
      const outcome = this.applyUnit(read);
      diagnostics.push(...outcome.diagnostics);
      runsRemoved += outcome.runsRemoved;
      changed ||= outcome.changed;
    }
    return { unitsImported: units.length, runsRemoved, diagnostics, cancelled: false, changed };
  }

  /** Runs the importer for one unit, buffering what it emits (nothing touches the store yet). */
  private async readUnit(ref: UnitRef, signal: AbortSignal | undefined, useWorkers: boolean): Promise<ReadUnit> {
    const { importer, unit } = ref;
    const cursors = this.loadCursors(importer.format, unit);
    const pool = useWorkers && importer.runsInWorker ? unitWorkerPool() : undefined;
    if (pool) {
      try {
        const result = await pool.run({ format: importer.format, unit, root: this.root, cursors: [...cursors] });
        const sink = new RecordingSink();
        sink.operations.push(...result.operations);
        sink.diagnostics.push(...result.diagnostics);
        return { ref, sink, previousCursors: cursors, changedCursors: new Map(result.changedCursors), runUids: result.runUids, ...(result.failure ? { failure: result.failure } : {}) };
      } catch (error) {
        // The worker itself died (not bad input, which the importer reports): read this unit here.
        this.workerFailures.push(`${unit}: ${(error as Error).message}`);
      }
    }
    const changedCursors = new Map<string, FileCursor>();
    const sink = new RecordingSink();
    const context: ImportContext = {
      root: this.root,
      sink,
      cursor: (file) => changedCursors.get(file) ?? cursors.get(file),
      setCursor: (file, cursor) => changedCursors.set(file, cursor),
      ...(signal ? { signal } : {}),
    };
    try {
      const runUids = await importer.importUnit(unit, context);
      return { ref, sink, previousCursors: cursors, changedCursors, runUids };
    } catch (error) {
      // An importer bug must not take the rest down, nor apply half a unit.
      return { ref, sink, previousCursors: cursors, changedCursors, runUids: undefined, failure: `${importer.format} import failed: ${(error as Error).message}` };
    }
  }

  /**
   * Applies one unit's buffered records, its vanished runs and its cursors in one transaction.
   * A unit that emitted the same records as last time, no points and no new cursor is left alone:
   * a rescan of unchanged files writes nothing (and so schedules no save).
   */
  private applyUnit(read: ReadUnit): { diagnostics: Diagnostic[]; runsRemoved: number; changed: boolean } {
    const { ref, sink, runUids } = read;
    const { importer, unit } = ref;
    if (runUids === undefined) {
      return { diagnostics: [{ file: unit, message: read.failure ?? 'import failed', severity: 'error' }], runsRemoved: 0, changed: false };
    }
    const changedCursors = withoutUnchanged(read.changedCursors, read.previousCursors);
    const experimentUids = [...new Set(sink.operations.flatMap((o) => (o.op === 'experiment' ? [o.record.uid] : [])))];
    const previous = this.knownUnit(importer.format, unit);
    const current = new Set(runUids);
    const vanished = (previous?.runUids ?? []).filter((uid) => !current.has(uid));
    if (runUids.length === 0 && previous === undefined && sink.operations.length === 0) {
      // Nothing there (e.g. a folder that only looked like a run): remember nothing either.
      return { diagnostics: sink.diagnostics, runsRemoved: 0, changed: this.persistCursors(unit, importer.format, changedCursors) };
    }
    const fingerprint = recordsFingerprint(sink.operations, runUids);
    const onlyRecords = sink.operations.every(isRecordOperation);
    if (previous?.fingerprint === fingerprint && onlyRecords && vanished.length === 0 && changedCursors.size === 0) {
      return { diagnostics: sink.diagnostics, runsRemoved: 0, changed: false };
    }
    this.store.transaction(() => {
      new StoreWriter(this.store.db).apply(sink.operations);
      for (const uid of vanished) this.store.db.run('DELETE FROM runs WHERE uid = ?', [uid]);
      this.store.db.run(
        `INSERT INTO sources(path, kind, format, state, imported_at) VALUES (?, 'unit', ?, ?, ?)
         ON CONFLICT(kind, format, path) DO UPDATE SET state = excluded.state, imported_at = excluded.imported_at`,
        [unit, importer.format, JSON.stringify({ runUids, experimentUids, fingerprint }), Date.now()],
      );
      this.writeCursors(unit, importer.format, changedCursors);
    });
    return { diagnostics: sink.diagnostics, runsRemoved: vanished.length, changed: true };
  }

  /** Saves cursors of a unit that holds no run (yet); true when there were any to save. */
  private persistCursors(unit: string, format: string, cursors: Map<string, FileCursor>): boolean {
    if (cursors.size === 0) return false;
    this.store.transaction(() => this.writeCursors(unit, format, cursors));
    return true;
  }

  private writeCursors(unit: string, format: string, cursors: Map<string, FileCursor>): void {
    const upsert = this.store.db.prepare(
      `INSERT INTO sources(path, kind, format, unit, size, mtime_ms, offset, head, state, imported_at)
       VALUES (?, 'file', ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(kind, format, path) DO UPDATE SET unit = excluded.unit, size = excluded.size,
         mtime_ms = excluded.mtime_ms, offset = excluded.offset, head = excluded.head, state = excluded.state,
         imported_at = excluded.imported_at`,
    );
    try {
      const now = Date.now();
      for (const [file, c] of cursors) {
        upsert.run([file, format, unit, c.size, c.mtimeMs, c.offset, c.head, c.state === undefined ? null : JSON.stringify(c.state), now]);
      }
    } finally {
      upsert.free();
    }
  }

  private loadCursors(format: string, unit: string): Map<string, FileCursor> {
    const map = new Map<string, FileCursor>();
    for (const row of rows(this.store.db, "SELECT path, size, mtime_ms, offset, head, state FROM sources WHERE kind = 'file' AND format = ? AND unit = ?", [format, unit], (r) => r)) {
      const cursor: FileCursor = {
        size: Number(row[1]),
        mtimeMs: Number(row[2]),
        offset: Number(row[3]),
        head: String(row[4]),
        ...(row[5] === null ? {} : { state: JSON.parse(String(row[5])) as unknown }),
      };
      map.set(String(row[0]), cursor);
    }
    return map;
  }

  private knownUnit(format: string, path: string): KnownUnit | undefined {
    return rows(this.store.db, "SELECT path, format, state FROM sources WHERE kind = 'unit' AND format = ? AND path = ?", [format, path], (r) => {
      const state = JSON.parse(String(r[2] ?? '{}')) as { runUids?: string[]; experimentUids?: string[]; fingerprint?: string };
      return { path: String(r[0]), format: String(r[1]), runUids: state.runUids ?? [], experimentUids: state.experimentUids ?? [], ...(state.fingerprint ? { fingerprint: state.fingerprint } : {}) };
    })[0];
  }

  private knownUnits(): KnownUnit[] {
    return rows(this.store.db, "SELECT path, format, state FROM sources WHERE kind = 'unit'", [], (r) => {
      const state = JSON.parse(String(r[2] ?? '{}')) as { runUids?: string[]; experimentUids?: string[] };
      return { path: String(r[0]), format: String(r[1]), runUids: state.runUids ?? [], experimentUids: state.experimentUids ?? [] };
    });
  }

  /** Removes what a vanished unit contributed: its runs, and its experiments once no run is left in them. */
  private forgetUnit(unit: KnownUnit): number {
    const stillClaimed = new Set(this.knownUnits().filter((u) => u.path !== unit.path || u.format !== unit.format).flatMap((u) => u.experimentUids));
    this.store.transaction(() => {
      for (const uid of unit.runUids) this.store.db.run('DELETE FROM runs WHERE uid = ?', [uid]);
      this.store.db.run("DELETE FROM sources WHERE format = ? AND ((kind = 'unit' AND path = ?) OR unit = ?)", [unit.format, unit.path, unit.path]);
      for (const uid of unit.experimentUids.filter((e) => !stillClaimed.has(e))) {
        this.store.db.run('DELETE FROM experiments WHERE uid = ? AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.experiment_id = experiments.id)', [uid]);
      }
    });
    return unit.runUids.length;
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

function toRelative(root: string, file: string): string | undefined {
  const relative = path.relative(root, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}

function isInside(root: string, file: string): boolean {
  return toRelative(root, file) !== undefined;
}

/** The cursors that differ from the ones the unit was read with (an importer may set an unchanged one again). */
function withoutUnchanged(changed: Map<string, FileCursor>, previous: ReadonlyMap<string, FileCursor>): Map<string, FileCursor> {
  const out = new Map<string, FileCursor>();
  for (const [file, cursor] of changed) {
    const before = previous.get(file);
    const same = before !== undefined && before.size === cursor.size && before.mtimeMs === cursor.mtimeMs && before.offset === cursor.offset && before.head === cursor.head && JSON.stringify(before.state) === JSON.stringify(cursor.state);
    if (!same) out.set(file, cursor);
  }
  return out;
}

/** Hash of what a unit says about its experiments and runs (points excluded: they come only when files grew). */
/**
 * Operations that describe what exists (experiments, runs, MLflow 3 LoggedModels and the replacement of
 * a run's set of them) rather than add data: read again unchanged, they change nothing.
 */
function isRecordOperation(o: SinkOperation): boolean {
  return o.op === 'experiment' || o.op === 'run' || o.op === 'loggedModel' || o.op === 'removeLoggedModels';
}

function recordsFingerprint(operations: readonly SinkOperation[], runUids: readonly string[]): string {
  const hash = createHash('sha1');
  hash.update(JSON.stringify(runUids));
  for (const o of operations) {
    if (isRecordOperation(o)) hash.update(JSON.stringify(o));
  }
  return hash.digest('hex');
}
