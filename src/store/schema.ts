import type { Database } from 'sql.js';

/**
 * Numbered migrations. Each runs once, in order, inside one transaction with the `user_version`
 * bump, so a store is always at exactly one version. Never edit a migration that has shipped:
 * add the next one.
 *
 * Layout notes (see docs/architecture.md):
 * - Metric points are not one row each. A series (run, key) has a summary row and its points live
 *   in chunks: compact BLOBs (see seriesCodec.ts) of up to CHUNK_POINTS points. That keeps the store
 *   at a few bytes per point and inserts at millions of points per second, where one row per point
 *   costs ~30 bytes and ~0.37 M rows/s in sql.js.
 * - Runs are re-derivable from the workspace (sources carry per-file import state so re-imports
 *   are incremental). Registry tables are a projection of the ledger file in the workspace.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tracking',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;

      -- What importers read, with where they stopped. kind 'unit': a run folder / store / log file
      -- as a whole (state: the run uids it held); kind 'file': one file of a unit (its cursor).
      CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,                 -- absolute path
        kind TEXT NOT NULL,                 -- unit | file (a file can be a unit of its own too)
        format TEXT NOT NULL,               -- mlflow-file, mlflow-sqlite, tensorboard, dvclive, csv, wandb, jsonl
        unit TEXT,                          -- for a file: the unit it belongs to
        size INTEGER NOT NULL DEFAULT 0,
        mtime_ms REAL NOT NULL DEFAULT 0,
        offset INTEGER NOT NULL DEFAULT 0,  -- bytes consumed; an appended file resumes here
        head TEXT NOT NULL DEFAULT '',      -- first bytes (hex): a replaced file is re-read
        state TEXT,                         -- importer-specific JSON
        imported_at INTEGER,
        UNIQUE (kind, format, path)      -- two formats may read the same folder or file
      );
      CREATE INDEX sources_by_unit ON sources(format, unit);

      CREATE TABLE experiments (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,           -- format-qualified, stable across re-imports
        name TEXT NOT NULL,
        format TEXT NOT NULL,
        external_id TEXT,                   -- the tool's own id (MLflow experiment_id, ...)
        artifact_location TEXT,
        lifecycle TEXT NOT NULL DEFAULT 'active',
        created_at INTEGER,
        updated_at INTEGER
      );

      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
        external_id TEXT,                   -- MLflow run_uuid, W&B run id, ...
        name TEXT,
        status TEXT NOT NULL DEFAULT 'FINISHED', -- RUNNING, SCHEDULED, FINISHED, FAILED, KILLED
        start_time INTEGER,
        end_time INTEGER,
        user TEXT,
        format TEXT NOT NULL,
        source_path TEXT,                   -- the run's folder or file, relative to the workspace folder
        parent_uid TEXT,
        git_commit TEXT,
        artifact_uri TEXT,
        deleted INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER
      );
      CREATE INDEX runs_by_experiment ON runs(experiment_id, start_time);

      CREATE TABLE params (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      ) WITHOUT ROWID;

      CREATE TABLE run_tags (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      ) WITHOUT ROWID;

      CREATE TABLE experiment_tags (
        experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (experiment_id, key)
      ) WITHOUT ROWID;

      -- One row per (run, metric key): the summaries the UI needs without decoding any chunk.
      -- "last" follows MLflow: the point with the largest (step, timestamp, value).
      -- A NULL value with a non-zero count means NaN (SQLite has no NaN; +-Infinity are stored).
      CREATE TABLE metric_series (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        point_count INTEGER NOT NULL DEFAULT 0,
        chunk_count INTEGER NOT NULL DEFAULT 0,
        last_step INTEGER,
        last_timestamp INTEGER,
        last_value REAL,
        last_is_nan INTEGER NOT NULL DEFAULT 0,
        min_value REAL,
        max_value REAL,
        min_step INTEGER,
        max_step INTEGER,
        first_timestamp INTEGER,
        max_timestamp INTEGER,
        UNIQUE (run_id, key)
      );

      -- Points of a series in arrival order, chunk by chunk (seriesCodec.ts).
      CREATE TABLE metric_chunks (
        series_id INTEGER NOT NULL REFERENCES metric_series(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        point_count INTEGER NOT NULL,
        min_step INTEGER NOT NULL,
        max_step INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (series_id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE artifacts (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        path TEXT NOT NULL,                 -- relative to the run's artifact root
        size INTEGER,
        is_dir INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, path)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'registry',
    sql: `
      -- Registry tables are a projection of the ledger (.model-ledger/ledger.jsonl) and of imported
      -- registries (origin says which). Deleting them loses nothing: they are rebuilt on open.
      CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        origin TEXT NOT NULL DEFAULT 'ledger', -- ledger, mlflow-file, mlflow-sqlite, gto, mlflow-server
        description TEXT,
        created_at INTEGER,
        updated_at INTEGER,
        UNIQUE (origin, name)
      );

      CREATE TABLE model_versions (
        id INTEGER PRIMARY KEY,
        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        stage TEXT NOT NULL DEFAULT 'None', -- None, Staging, Production, Archived
        run_uid TEXT,                       -- runs.uid of the source run, when known
        source TEXT,                        -- artifact folder or URI
        description TEXT,
        created_by TEXT,
        created_at INTEGER,
        updated_at INTEGER,
        UNIQUE (model_id, version)
      );

      CREATE TABLE model_tags (
        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (model_id, key)
      ) WITHOUT ROWID;

      CREATE TABLE version_tags (
        version_id INTEGER NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (version_id, key)
      ) WITHOUT ROWID;

      CREATE TABLE aliases (
        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        alias TEXT NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (model_id, alias)
      ) WITHOUT ROWID;

      -- The ledger's events as read, in their verified order. hash chains to prev_hash.
      CREATE TABLE registry_events (
        seq INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        time INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        model TEXT NOT NULL,
        version INTEGER,
        payload TEXT NOT NULL,              -- the whole event as JSON
        hash TEXT NOT NULL,
        prev_hash TEXT,
        ledger_path TEXT NOT NULL,
        line INTEGER NOT NULL
      );
      CREATE INDEX registry_events_by_model ON registry_events(model, time);
    `,
  },
  {
    version: 3,
    name: 'mlflow-server',
    sql: `
      -- MLflow Tracking Servers the runs/models with uid 'mlflow-server:<id>:...' came from, and how
      -- fresh the cached copy is. The cached rows live in the ordinary tables (runs, metric_series,
      -- models...), so trees, filters and comparisons work on them unchanged.
      CREATE TABLE servers (
        id TEXT PRIMARY KEY,                -- stable id derived from the URL
        url TEXT NOT NULL,                  -- without credentials
        name TEXT,
        last_ok_at INTEGER,                 -- last successful refresh
        last_error TEXT,                    -- the last refresh's error; NULL when it succeeded
        last_error_at INTEGER
      ) WITHOUT ROWID;

      -- When each fetched resource was fetched: 'runs' (the run list), 'registry', and
      -- 'history:<run_id>:<key>' (a metric's full history; absent: only the latest value is cached).
      CREATE TABLE server_fetches (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        resource TEXT NOT NULL,
        fetched_at INTEGER NOT NULL,
        points INTEGER,
        sampled INTEGER NOT NULL DEFAULT 0, -- 1: a server-side sample (get-history-bulk-interval), not every point
        PRIMARY KEY (server_id, resource)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'mlflow3',
    sql: `
      -- MLflow 3: a metric point may be logged against a dataset. A series becomes (run, key, dataset),
      -- dataset '' for none. SQLite cannot change a UNIQUE constraint in place: rebuild the table,
      -- keeping every id (metric_chunks points at them; foreign keys are off during migrations).
      CREATE TABLE metric_series_v4 (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        point_count INTEGER NOT NULL DEFAULT 0,
        chunk_count INTEGER NOT NULL DEFAULT 0,
        last_step INTEGER,
        last_timestamp INTEGER,
        last_value REAL,
        last_is_nan INTEGER NOT NULL DEFAULT 0,
        min_value REAL,
        max_value REAL,
        min_step INTEGER,
        max_step INTEGER,
        first_timestamp INTEGER,
        max_timestamp INTEGER,
        dataset TEXT NOT NULL DEFAULT '',   -- MLflow dataset_name; '' when not logged against a dataset
        dataset_digest TEXT,                -- MLflow dataset_digest, as last written
        UNIQUE (run_id, key, dataset)
      );
      INSERT INTO metric_series_v4 (id, run_id, key, point_count, chunk_count, last_step, last_timestamp, last_value, last_is_nan,
                                    min_value, max_value, min_step, max_step, first_timestamp, max_timestamp)
        SELECT id, run_id, key, point_count, chunk_count, last_step, last_timestamp, last_value, last_is_nan,
               min_value, max_value, min_step, max_step, first_timestamp, max_timestamp FROM metric_series;
      DROP TABLE metric_series;
      ALTER TABLE metric_series_v4 RENAME TO metric_series;

      ALTER TABLE experiments ADD COLUMN workspace TEXT;      -- MLflow 3 workspace ('default')
      ALTER TABLE experiments ADD COLUMN trace_count INTEGER; -- MLflow 3 traces in the experiment (counted only)

      -- Registry versions of MLflow 3: the LoggedModel behind the version (source models:/m-...), and
      -- for copy_model_version copies (source models:/<name>/<version>) the version copied.
      ALTER TABLE model_versions ADD COLUMN logged_model_id TEXT;
      ALTER TABLE model_versions ADD COLUMN copied_from_model TEXT;
      ALTER TABLE model_versions ADD COLUMN copied_from_version INTEGER;

      -- MLflow 3 LoggedModels (m-<id>): checkpoints and models with their own params, tags, metrics,
      -- status and artifacts, linked to the run that produced them (none for models logged without one).
      CREATE TABLE logged_models (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,           -- <format>:<store>#model:<m-id>
        experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
        external_id TEXT NOT NULL,          -- m-<32 hex>
        name TEXT NOT NULL,
        source_run_uid TEXT,                -- runs.uid
        status TEXT NOT NULL,               -- UNSPECIFIED, PENDING, READY, FAILED
        status_message TEXT,
        model_type TEXT,
        artifact_location TEXT,
        format TEXT NOT NULL,
        source_path TEXT,
        created_at INTEGER,
        updated_at INTEGER,
        deleted INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX logged_models_by_run ON logged_models(source_run_uid);
      CREATE INDEX logged_models_by_experiment ON logged_models(experiment_id);

      CREATE TABLE logged_model_params (
        model_id INTEGER NOT NULL REFERENCES logged_models(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (model_id, key)
      ) WITHOUT ROWID;

      CREATE TABLE logged_model_tags (
        model_id INTEGER NOT NULL REFERENCES logged_models(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (model_id, key)
      ) WITHOUT ROWID;

      -- One row per point (LoggedModels hold a few points each; runs hold the long series).
      -- A NULL value means NaN, as in metric_series.
      CREATE TABLE logged_model_metrics (
        model_id INTEGER NOT NULL REFERENCES logged_models(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,               -- order in the origin
        key TEXT NOT NULL,
        dataset TEXT NOT NULL DEFAULT '',
        dataset_digest TEXT,
        step INTEGER NOT NULL,
        timestamp INTEGER NOT NULL,
        value REAL,
        run_id TEXT,                        -- MLflow run id that logged the point
        PRIMARY KEY (model_id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE logged_model_artifacts (
        model_id INTEGER NOT NULL REFERENCES logged_models(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        size INTEGER,
        is_dir INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (model_id, path)
      ) WITHOUT ROWID;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export function schemaVersionOf(db: Database): number {
  const result = db.exec('PRAGMA user_version');
  return Number(result[0]?.values[0]?.[0] ?? 0);
}

/**
 * Brings `db` from its version up to `target` (default: latest). Returns the version it started at.
 * Throws before touching anything if the database is newer than this code knows.
 */
export function migrate(db: Database, target: number = LATEST_SCHEMA_VERSION): number {
  const from = schemaVersionOf(db);
  if (from > LATEST_SCHEMA_VERSION) {
    throw new StoreTooNewError(from, LATEST_SCHEMA_VERSION);
  }
  // A migration may rebuild a parent table (4: metric_series): with foreign keys on, dropping it
  // would cascade into its children. The pragma cannot change inside a transaction, so set it here.
  const foreignKeys = Number(db.exec('PRAGMA foreign_keys')[0]?.values[0]?.[0] ?? 0);
  if (foreignKeys) db.exec('PRAGMA foreign_keys = OFF');
  try {
    applyMigrations(db, from, target);
  } finally {
    if (foreignKeys) db.exec('PRAGMA foreign_keys = ON');
  }
  return from;
}

function applyMigrations(db: Database, from: number, target: number): void {
  for (const migration of MIGRATIONS) {
    if (migration.version <= from || migration.version > target) {
      continue;
    }
    db.exec('BEGIN');
    try {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw new Error(`Migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`);
    }
  }
}

export class StoreTooNewError extends Error {
  constructor(
    readonly foundVersion: number,
    readonly supportedVersion: number,
  ) {
    super(
      `The store was written by a newer Model Ledger (schema version ${foundVersion}; this version reads up to ${supportedVersion}). ` +
        'Update Model Ledger to use it; the file was left untouched.',
    );
    this.name = 'StoreTooNewError';
  }
}
