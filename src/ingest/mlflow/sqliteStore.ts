import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Database, SqlValue } from 'sql.js';
import { loadSqlJs } from '../../store';
import type { ImportContext, Importer, RunStatus } from '../types';
import { readRegularFile } from '../regularFile';
import { readSqliteLoggedModels } from './sqliteLoggedModels';

const STATUSES = new Set<RunStatus>(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);

export function all(db: Database, sql: string): SqlValue[][] {
  return db.exec(sql)[0]?.values ?? [];
}

function tableNames(db: Database): Set<string> {
  return new Set(all(db, "SELECT name FROM sqlite_master WHERE type = 'table'").map((r) => String(r[0])));
}

export const str = (v: SqlValue | undefined): string | undefined => (v === null || v === undefined ? undefined : String(v));
export const num = (v: SqlValue | undefined): number | undefined => (v === null || v === undefined ? undefined : Number(v));

/**
 * MLflow's SQLite tracking store (`mlflow.db`). Read from an in-memory copy, so the user's file is
 * never modified or locked. A database is not append-only: when the file changes, every run's points
 * are dropped and read again.
 */
export const mlflowSqliteImporter: Importer = {
  format: 'mlflow-sqlite',
  patterns: ['**/mlflow.db'],
  unitOf: (file) => (path.basename(file) === 'mlflow.db' ? file : undefined),
  async importUnit(file, context) {
    const cursor = context.cursor(file);
    let stat;
    let bytes: Uint8Array;
    try {
      stat = await fs.stat(file);
      if (cursor && cursor.size === stat.size && cursor.mtimeMs === stat.mtimeMs) {
        return (cursor.state as { runUids?: string[] } | undefined)?.runUids ?? [];
      }
      bytes = await readRegularFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      context.sink.diagnostic({ file, message: `cannot read: ${(error as Error).message}`, severity: 'error' });
      return (cursor?.state as { runUids?: string[] } | undefined)?.runUids ?? [];
    }
    const SQL = await loadSqlJs();
    let db: Database | undefined;
    try {
      db = new SQL.Database(bytes);
      const tables = tableNames(db);
      for (const needed of ['experiments', 'runs', 'metrics', 'params', 'tags']) {
        if (!tables.has(needed)) throw new Error(`no "${needed}" table: not an MLflow tracking database`);
      }
      const runUids = readAll(db, file, context, tables);
      context.setCursor(file, { size: stat.size, mtimeMs: stat.mtimeMs, offset: stat.size, head: '', state: { runUids } });
      return runUids;
    } catch (error) {
      context.sink.diagnostic({ file, message: `cannot import MLflow database: ${(error as Error).message}`, severity: 'error' });
      return (cursor?.state as { runUids?: string[] } | undefined)?.runUids ?? [];
    } finally {
      db?.close();
    }
  },
};

function readAll(db: Database, file: string, context: ImportContext, tables: Set<string>): string[] {
  const relativeFile = path.relative(context.root, file).split(path.sep).join('/');
  const experimentUid = (id: string) => `mlflow-sqlite:${relativeFile}#${id}`;
  const runUid = (id: string) => `mlflow-sqlite:${relativeFile}#run:${id}`;

  const experimentTags = new Map<string, Record<string, string>>();
  if (tables.has('experiment_tags')) {
    for (const [key, value, id] of all(db, 'SELECT key, value, experiment_id FROM experiment_tags')) {
      const tags = experimentTags.get(String(id)) ?? {};
      tags[String(key)] = String(value ?? '');
      experimentTags.set(String(id), tags);
    }
  }
  const traceCounts = new Map<string, number>();
  if (tables.has('trace_info')) {
    for (const [id, count] of all(db, 'SELECT experiment_id, count(*) FROM trace_info GROUP BY experiment_id')) traceCounts.set(String(id), Number(count));
  }
  const hasWorkspace = columnNames(db, 'experiments').has('workspace');
  for (const [id, name, artifactLocation, lifecycle, created, updated, workspace] of all(
    db,
    `SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time, ${hasWorkspace ? 'workspace' : 'NULL'} FROM experiments`,
  )) {
    context.sink.experiment({
      uid: experimentUid(String(id)),
      name: String(name),
      format: 'mlflow-sqlite',
      externalId: String(id),
      ...(str(artifactLocation) ? { artifactLocation: str(artifactLocation)! } : {}),
      lifecycle: lifecycle === 'deleted' ? 'deleted' : 'active',
      ...(num(created) !== undefined ? { createdAt: num(created)! } : {}),
      ...(num(updated) !== undefined ? { updatedAt: num(updated)! } : {}),
      tags: experimentTags.get(String(id)) ?? {},
      ...(str(workspace) ? { workspace: str(workspace)! } : {}),
      ...(tables.has('trace_info') ? { traceCount: traceCounts.get(String(id)) ?? 0 } : {}),
    });
  }

  const pairsByRun = (table: 'params' | 'tags') => {
    const map = new Map<string, Record<string, string>>();
    for (const [key, value, run] of all(db, `SELECT key, value, run_uuid FROM ${table}`)) {
      const pairs = map.get(String(run)) ?? {};
      pairs[String(key)] = String(value ?? '');
      map.set(String(run), pairs);
    }
    return map;
  };
  const params = pairsByRun('params');
  const tags = pairsByRun('tags');

  const runUids: string[] = [];
  for (const [runId, name, user, status, start, end, lifecycle, artifactUri, experimentId] of all(
    db,
    'SELECT run_uuid, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri, experiment_id FROM runs',
  )) {
    const id = String(runId);
    const runTags = tags.get(id) ?? {};
    const parent = runTags['mlflow.parentRunId'];
    const statusText = String(status) as RunStatus;
    const uid = runUid(id);
    runUids.push(uid);
    context.sink.run({
      uid,
      experimentUid: experimentUid(String(experimentId)),
      format: 'mlflow-sqlite',
      externalId: id,
      ...(str(name) || runTags['mlflow.runName'] ? { name: str(name) || runTags['mlflow.runName'] } : {}),
      status: STATUSES.has(statusText) ? statusText : 'FINISHED',
      ...(num(start) !== undefined ? { startTime: num(start)! } : {}),
      ...(num(end) !== undefined ? { endTime: num(end)! } : {}),
      ...(str(user) ? { user: str(user)! } : {}),
      sourcePath: relativeFile,
      ...(parent ? { parentUid: runUid(parent) } : {}),
      ...(runTags['mlflow.source.git.commit'] ? { gitCommit: runTags['mlflow.source.git.commit'] } : {}),
      ...(str(artifactUri) ? { artifactUri: str(artifactUri)! } : {}),
      deleted: lifecycle === 'deleted',
      params: params.get(id) ?? {},
      tags: runTags,
    });
    context.sink.resetMetrics(uid);
  }

  // One pass over the metrics table, grouped by (run, key) in history order.
  const statement = db.prepare('SELECT run_uuid, key, step, timestamp, value, is_nan FROM metrics ORDER BY run_uuid, key, timestamp, step');
  try {
    let current: { runUid: string; key: string; steps: number[]; timestamps: number[]; values: number[] } | undefined;
    while (statement.step()) {
      const [run, key, step, timestamp, value, isNan] = statement.get();
      const uid = runUid(String(run));
      if (!current || current.runUid !== uid || current.key !== key) {
        if (current) context.sink.metrics(current);
        current = { runUid: uid, key: String(key), steps: [], timestamps: [], values: [] };
      }
      current.steps.push(Number(step ?? 0));
      current.timestamps.push(Number(timestamp ?? 0));
      current.values.push(isNan ? NaN : Number(value));
    }
    if (current) context.sink.metrics(current);
  } finally {
    statement.free();
  }
  if (tables.has('logged_models')) {
    readSqliteLoggedModels(db, { file, sourcePath: relativeFile, context, tables, experimentUid, runUid, modelUid: (id) => `mlflow-sqlite:${relativeFile}#model:${id}` });
  }
  return runUids;
}

export function columnNames(db: Database, table: string): Set<string> {
  return new Set(all(db, `PRAGMA table_info(${table})`).map((r) => String(r[1])));
}
