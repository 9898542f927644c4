import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';
import { removeStaleTempFiles, writeFileAtomic } from './atomicFile';
import { acquireFileLock, type HeldLock } from './fileLock';
import { LATEST_SCHEMA_VERSION, migrate, schemaVersionOf, StoreTooNewError } from './schema';
import { loadSqlJs } from './sqlJs';

const SQLITE_HEADER = 'SQLite format 3\0';

/**
 * SQLite's `PRAGMA application_id` of a Model Ledger store ("MLdg"), at byte 68 of the header: a
 * file given as a store is recognised as ours without trusting its name or opening it.
 */
export const STORE_APPLICATION_ID = 0x4d4c6467;

/** Tables only a Model Ledger store has together: stores from before the application id count as ours by them. */
const OUR_TABLES = ['meta', 'sources', 'metric_series', 'metric_chunks'];

/** The file given as a store is not one (another tool's database, a ledger, a text file): left untouched. */
export class NotAStoreError extends Error {}

export interface OpenStoreOptions {
  /** Where sql.js's WASM is; defaults to beside the bundle or the sql.js package. */
  readonly wasmPath?: string;
  /** Debounce for `changed()` saves, in ms. */
  readonly saveDelayMs?: number;
  /** Clock for the name of a moved-aside corrupt file (tests pin it). */
  readonly now?: () => Date;
  /**
   * True (the default) when the path is one Model Ledger chose (workspace storage, its cache): any
   * file there is ours, and an unreadable one is moved aside. False for a path the user named
   * (`--store`): a file that is not recognisably a store is refused (`NotAStoreError`), untouched.
   */
  readonly owned?: boolean;
  /**
   * Hold `<file>.lock` from open to close, so that two processes writing one store serialise
   * instead of the last save winning. `onWait` is told what the wait is for after 2 s.
   */
  readonly lock?: { readonly timeoutMs?: number; readonly onWait?: (message: string) => void };
}

/** What happened while opening, for the caller to tell the user about. */
export interface OpenReport {
  /** Set when the file was unreadable or corrupt and was moved aside before a fresh store was built. */
  readonly recovered?: { readonly movedTo: string; readonly reason: string };
  /** The schema version the file had, when it was migrated up. */
  readonly migratedFrom?: number;
  /** True when the file did not exist and a new store was created. */
  readonly created: boolean;
}

/**
 * One sql.js database backed by one file. Writes happen in memory; `changed()` schedules a
 * debounced atomic save, `save()` saves now. The file is never written in place.
 */
export class Store {
  private saveTimer: NodeJS.Timeout | undefined;
  private saving: Promise<void> | undefined;
  private dirty = false;
  private generation = 0;
  private closed = false;
  /** The lock held from open to close (`OpenStoreOptions.lock`). */
  private lock: HeldLock | undefined;

  private constructor(
    readonly db: Database,
    /** undefined: in memory only (never saved). */
    readonly file: string | undefined,
    private readonly saveDelayMs: number,
  ) {
    applyConnectionPragmas(db);
  }

  static async open(file: string | undefined, options: OpenStoreOptions = {}): Promise<{ store: Store; report: OpenReport }> {
    const SQL = await loadSqlJs(options.wasmPath);
    const delay = options.saveDelayMs ?? 500;
    if (file === undefined) {
      const db = new SQL.Database();
      migrate(db);
      return { store: new Store(db, undefined, delay), report: { created: true } };
    }
    if (options.lock) await fs.mkdir(path.dirname(file), { recursive: true });
    const lock = options.lock ? await acquireFileLock(`${file}.lock`, { what: `the store ${file}`, timeoutMs: options.lock.timeoutMs ?? 600_000, ...(options.lock.onWait ? { onWait: options.lock.onWait } : {}) }) : undefined;
    try {
      const opened = await Store.openFile(SQL, file, delay, options);
      opened.store.lock = lock;
      return opened;
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  private static async openFile(SQL: SqlJsStatic, file: string, delay: number, options: OpenStoreOptions): Promise<{ store: Store; report: OpenReport }> {
    await removeStaleTempFiles(file);
    let bytes: Uint8Array | undefined;
    try {
      bytes = await fs.readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        if (options.owned === false) throw new NotAStoreError(`${file}: cannot be read as a Model Ledger store (${(error as Error).message}); left untouched`);
        return Store.recover(SQL, file, `unreadable: ${(error as Error).message}`, delay, options);
      }
    }
    if (bytes === undefined) {
      const db = new SQL.Database();
      migrate(db);
      const store = new Store(db, file, delay);
      await store.save();
      return { store, report: { created: true } };
    }
    if (options.owned === false) refuseUnlessOurs(SQL, file, bytes);
    const problem = checkDatabaseBytes(SQL, bytes);
    if (typeof problem === 'string') {
      return Store.recover(SQL, file, problem, delay, options);
    }
    const db = problem;
    let from: number;
    try {
      from = migrate(db);
    } catch (error) {
      db.close();
      if (error instanceof StoreTooNewError) {
        throw error; // the file is left exactly as it was
      }
      return Store.recover(SQL, file, (error as Error).message, delay, options);
    }
    const store = new Store(db, file, delay);
    if (from < LATEST_SCHEMA_VERSION) {
      await store.save();
      return { store, report: { created: false, migratedFrom: from } };
    }
    return { store, report: { created: false } };
  }

  private static async recover(
    SQL: SqlJsStatic,
    file: string,
    reason: string,
    delay: number,
    options: OpenStoreOptions,
  ): Promise<{ store: Store; report: OpenReport }> {
    const stamp = (options.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-');
    const movedTo = `${file}.corrupt-${stamp}`;
    await fs.rename(file, movedTo);
    const db = new SQL.Database();
    migrate(db);
    const store = new Store(db, file, delay);
    await store.save();
    return { store, report: { created: true, recovered: { movedTo, reason } } };
  }

  get schemaVersion(): number {
    return schemaVersionOf(this.db);
  }

  /** Runs `work` in one transaction: all of it lands or none of it does. */
  transaction<T>(work: () => T): T {
    this.db.exec('BEGIN');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Marks the store as changed and schedules a debounced save. */
  changed(): void {
    this.dirty = true;
    this.generation++;
    if (this.file === undefined || this.closed || this.saveTimer) {
      return;
    }
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.save().catch(() => undefined); // errors surface through the next explicit save()
    }, this.saveDelayMs);
  }

  get hasUnsavedChanges(): boolean {
    return this.dirty;
  }

  /**
   * Saves now (after any save already under way). `db.export()` is the only synchronous part;
   * the write, fsync and rename are asynchronous.
   */
  async save(): Promise<void> {
    if (this.file === undefined) {
      return;
    }
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    while (this.saving) {
      await this.saving;
    }
    const file = this.file;
    const generation = this.generation;
    const bytes = this.db.export();
    // export() closes and reopens the connection: per-connection settings must be set again.
    applyConnectionPragmas(this.db);
    this.saving = writeFileAtomic(file, bytes).finally(() => {
      this.saving = undefined;
    });
    await this.saving;
    if (this.generation === generation) {
      this.dirty = false;
    }
  }

  /** Saves pending changes and releases the database. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    if (this.dirty || this.saveTimer) {
      await this.save();
    }
    while (this.saving) {
      await this.saving;
    }
    this.closed = true;
    this.db.close();
    await this.lock?.release();
  }

  /** Number of rows in `table` (a known table name; never user input). */
  count(table: string): number {
    const result = this.db.exec(`SELECT count(*) FROM ${table}`);
    return Number(result[0]?.values[0]?.[0] ?? 0);
  }

  getMeta(key: string): string | undefined {
    const statement = this.db.prepare('SELECT value FROM meta WHERE key = ?');
    try {
      statement.bind([key]);
      return statement.step() ? (statement.get()[0] as string) : undefined;
    } finally {
      statement.free();
    }
  }

  setMeta(key: string, value: string): void {
    this.db.run('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [key, value]);
    this.changed();
  }
}

function applyConnectionPragmas(db: Database): void {
  db.exec('PRAGMA foreign_keys = ON');
  // Marks the file as ours from its next save on (set on every open, not by a migration: stores of
  // every schema version get it, and reading alone writes nothing).
  db.exec(`PRAGMA application_id = ${STORE_APPLICATION_ID}`);
}

/**
 * A file the user named as the store is used (or, if corrupt, moved aside) only when it is
 * recognisably a Model Ledger store: our application id in its header, or, from before the id,
 * our tables. Anything else is refused before a byte of it changes.
 */
function refuseUnlessOurs(SQL: SqlJsStatic, file: string, bytes: Uint8Array): void {
  const refuse = (what: string) => new NotAStoreError(`${file} is not a Model Ledger store (${what}); it was left untouched. Give --store a new file name or an existing store.`);
  if (bytes.length < 100 || Buffer.from(bytes.subarray(0, 16)).toString('latin1') !== SQLITE_HEADER) throw refuse(bytes.length === 0 ? 'an empty file' : 'not an SQLite database');
  const applicationId = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).readUInt32BE(68);
  if (applicationId === STORE_APPLICATION_ID) return;
  if (applicationId !== 0) throw refuse(`an SQLite database of another application, id 0x${applicationId.toString(16)}`);
  let db: Database | undefined;
  try {
    db = new SQL.Database(bytes);
    const names = new Set((db.exec("SELECT name FROM sqlite_master WHERE type = 'table'")[0]?.values ?? []).map((r) => String(r[0])));
    if (!OUR_TABLES.every((t) => names.has(t))) throw refuse('an SQLite database without Model Ledger\'s tables');
  } catch (error) {
    if (error instanceof NotAStoreError) throw error;
    throw refuse(`an SQLite database that cannot be read: ${(error as Error).message}`);
  } finally {
    db?.close();
  }
}

/** Returns the opened database, or why the bytes are not a usable SQLite database. */
function checkDatabaseBytes(SQL: SqlJsStatic, bytes: Uint8Array): Database | string {
  if (bytes.length === 0) {
    return 'the file is empty';
  }
  if (bytes.length < 100 || Buffer.from(bytes.subarray(0, 16)).toString('latin1') !== SQLITE_HEADER) {
    return 'not an SQLite database (bad header)';
  }
  let db: Database | undefined;
  try {
    db = new SQL.Database(bytes);
    const check = db.exec('PRAGMA quick_check');
    const verdict = String(check[0]?.values[0]?.[0] ?? '');
    if (verdict !== 'ok') {
      db.close();
      return `integrity check failed: ${verdict}`;
    }
    return db;
  } catch (error) {
    db?.close();
    return `corrupt: ${(error as Error).message}`;
  }
}

export { StoreTooNewError };
