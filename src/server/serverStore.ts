/**
 * Server data in the store: experiments, runs, params, tags and the latest metric values in the
 * ordinary tables (uids `mlflow-server:<server id>:...`), registry rows with origin
 * `mlflow-server:<server id>`, and in `servers` / `server_fetches` when each was fetched. Host-free;
 * call the writers inside a transaction.
 */
import { createHash } from 'node:crypto';
import type { Database, SqlValue, Statement } from 'sql.js';
import { MetricWriter } from '../store';
import { optionalNumber, optionalString, rows } from '../tracking/queries';
import { replaceRegistry, type ProjectedModel } from '../registry/storeProjection';
import type { MlflowExperiment, MlflowLoggedModel, MlflowMetric, MlflowModelVersion, MlflowRegisteredModel, MlflowRun, MlflowTag } from './api';
import { loggedModelStatus } from '../ingest/mlflow/loggedModels';
import type { SinkOperation } from '../ingest/recordingSink';
import { StoreWriter } from '../ingest/storeWriter';
import type { SourceFormat } from '../ingest/types';
import { displayUrl } from './client';

export const SERVER_FORMAT = 'mlflow-server';
export const SERVER_UID_PREFIX = 'mlflow-server:';

/** A stable short id for a server URL (credentials, query and trailing slash ignored). */
export function serverIdFor(url: string): string {
  return createHash('sha256').update(displayUrl(url).toLowerCase()).digest('hex').slice(0, 12);
}

export const runUidFor = (serverId: string, runId: string) => `${SERVER_UID_PREFIX}${serverId}:${runId}`;
export const experimentUidFor = (serverId: string, experimentId: string) => `${SERVER_UID_PREFIX}${serverId}:experiment:${experimentId}`;
export const registryOriginFor = (serverId: string) => `${SERVER_UID_PREFIX}${serverId}`;

/** The server id and MLflow run id of a server run uid, or undefined for any other uid. */
export function parseServerRunUid(uid: string): { serverId: string; runId: string } | undefined {
  const match = /^mlflow-server:([0-9a-f]{12}):([^:]+)$/.exec(uid);
  return match ? { serverId: match[1], runId: match[2] } : undefined;
}

export function isServerUid(uid: string): boolean {
  return uid.startsWith(SERVER_UID_PREFIX);
}

export interface ServerRow {
  readonly id: string;
  readonly url: string;
  readonly name: string | undefined;
  readonly lastOkAt: number | undefined;
  readonly lastError: string | undefined;
  readonly lastErrorAt: number | undefined;
}

export function upsertServer(db: Database, id: string, url: string, name: string | undefined): void {
  db.run('INSERT INTO servers(id, url, name) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET url = excluded.url, name = excluded.name', [id, displayUrl(url), name ?? null]);
}

export function serverRow(db: Database, id: string): ServerRow | undefined {
  return rows(db, 'SELECT id, url, name, last_ok_at, last_error, last_error_at FROM servers WHERE id = ?', [id], (r) => ({
    id: String(r[0]),
    url: String(r[1]),
    name: optionalString(r[2]),
    lastOkAt: optionalNumber(r[3]),
    lastError: optionalString(r[4]),
    lastErrorAt: optionalNumber(r[5]),
  }))[0];
}

export function markServerOk(db: Database, id: string, now: number): void {
  db.run('UPDATE servers SET last_ok_at = ?, last_error = NULL, last_error_at = NULL WHERE id = ?', [now, id]);
}

/** Records a failed refresh: the cached rows stay, and are shown as stale. */
export function markServerError(db: Database, id: string, message: string, now: number): void {
  db.run('UPDATE servers SET last_error = ?, last_error_at = ? WHERE id = ?', [message, now, id]);
}

/** Removes everything cached from a server (on disconnect). */
export function forgetServer(db: Database, id: string): void {
  db.run("DELETE FROM runs WHERE uid LIKE ? ESCAPE '\\'", [`${SERVER_UID_PREFIX}${id}:%`]);
  db.run("DELETE FROM experiments WHERE uid LIKE ? ESCAPE '\\'", [`${SERVER_UID_PREFIX}${id}:%`]);
  db.run('DELETE FROM models WHERE origin = ?', [registryOriginFor(id)]);
  db.run('DELETE FROM servers WHERE id = ?', [id]);
}

/** Prepared statements reused across a batch (sql.js parses the SQL on every db.run). Free before export. */
class Statements {
  private readonly cache = new Map<string, Statement>();
  constructor(private readonly db: Database) {}
  private get(sql: string): Statement {
    let statement = this.cache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }
  run(sql: string, params: SqlValue[]): void {
    this.get(sql).run(params);
  }
  first(sql: string, params: SqlValue[]): SqlValue[] | undefined {
    const statement = this.get(sql);
    try {
      statement.bind(params);
      return statement.step() ? statement.get() : undefined;
    } finally {
      statement.reset();
    }
  }
  free(): void {
    for (const statement of this.cache.values()) statement.free();
    this.cache.clear();
  }
}

const pairs = (tags: readonly MlflowTag[] | undefined): [string, string][] =>
  (Array.isArray(tags) ? tags : []).filter((t) => t && typeof t.key === 'string').map((t) => [t.key, typeof t.value === 'string' ? t.value : String(t.value ?? '')]);

/** MLflow sends NaN and infinities as strings in JSON. */
export function metricValue(value: number | string): number {
  return typeof value === 'number' ? value : Number(value);
}

const STATUSES = new Set(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);

export interface ApplyRunsResult {
  readonly experiments: number;
  readonly runs: number;
  readonly removed: number;
  /** Cached full histories dropped because the run logged more since (the poller fetches them again). */
  readonly invalidated: readonly { readonly runUid: string; readonly runId: string; readonly key: string }[];
}

/**
 * Writes the server's experiments and runs. `complete`: the list is every active run of the
 * server, so cached runs missing from it are removed (not done for a filtered search).
 */
export function applyRuns(db: Database, serverId: string, experiments: readonly MlflowExperiment[], runs: readonly MlflowRun[], options: { complete: boolean; now: number }): ApplyRunsResult {
  const experimentIds = new Map<string, number>();
  for (const e of experiments) {
    if (!e || typeof e.experiment_id !== 'string') continue;
    const uid = experimentUidFor(serverId, e.experiment_id);
    db.run(
      `INSERT INTO experiments(uid, name, format, external_id, artifact_location, lifecycle, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(uid) DO UPDATE SET name = excluded.name, artifact_location = excluded.artifact_location, lifecycle = excluded.lifecycle,
         created_at = excluded.created_at, updated_at = excluded.updated_at`,
      [uid, String(e.name ?? e.experiment_id), SERVER_FORMAT, e.experiment_id, e.artifact_location ?? null, e.lifecycle_stage === 'deleted' ? 'deleted' : 'active', e.creation_time ?? null, e.last_update_time ?? null],
    );
    const id = idOf(db, 'experiments', uid)!;
    experimentIds.set(e.experiment_id, id);
    db.run('DELETE FROM experiment_tags WHERE experiment_id = ?', [id]);
    for (const [k, v] of pairs(e.tags)) db.run('INSERT OR REPLACE INTO experiment_tags(experiment_id, key, value) VALUES (?, ?, ?)', [id, k, v]);
  }
  const seen = new Set<string>();
  const invalidated: { runUid: string; runId: string; key: string }[] = [];
  const writer = new MetricWriter(db);
  const st = new Statements(db);
  try {
    for (const run of runs) {
      const info = run?.info;
      const runId = info?.run_id ?? info?.run_uuid;
      if (!info || typeof runId !== 'string') continue;
      let experimentId = experimentIds.get(info.experiment_id) ?? idOf(db, 'experiments', experimentUidFor(serverId, info.experiment_id));
      if (experimentId !== undefined) experimentIds.set(info.experiment_id, experimentId);
      if (experimentId === undefined) {
        db.run('INSERT INTO experiments(uid, name, format, external_id, lifecycle) VALUES (?, ?, ?, ?, ?)', [experimentUidFor(serverId, info.experiment_id), `experiment ${info.experiment_id}`, SERVER_FORMAT, info.experiment_id, 'active']);
        experimentId = idOf(db, 'experiments', experimentUidFor(serverId, info.experiment_id))!;
        experimentIds.set(info.experiment_id, experimentId);
      }
      const uid = runUidFor(serverId, runId);
      seen.add(uid);
      const tags = new Map(pairs(run.data?.tags));
      const parent = tags.get('mlflow.parentRunId');
      st.run(
        `INSERT INTO runs(uid, experiment_id, external_id, name, status, start_time, end_time, user, format, source_path, parent_uid, git_commit, artifact_uri, deleted, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)
         ON CONFLICT(uid) DO UPDATE SET experiment_id = excluded.experiment_id, name = excluded.name, status = excluded.status,
           start_time = excluded.start_time, end_time = excluded.end_time, user = excluded.user, parent_uid = excluded.parent_uid,
           git_commit = excluded.git_commit, artifact_uri = excluded.artifact_uri, deleted = excluded.deleted, updated_at = excluded.updated_at`,
        [
          uid,
          experimentId,
          runId,
          info.run_name ?? tags.get('mlflow.runName') ?? null,
          STATUSES.has(String(info.status)) ? String(info.status) : 'FINISHED',
          info.start_time ?? null,
          info.end_time ?? null,
          info.user_id ?? tags.get('mlflow.user') ?? null,
          SERVER_FORMAT,
          parent ? runUidFor(serverId, parent) : null,
          tags.get('mlflow.source.git.commit') ?? null,
          info.artifact_uri ?? null,
          info.lifecycle_stage === 'deleted' ? 1 : 0,
          options.now,
        ],
      );
      const id = Number(st.first('SELECT id FROM runs WHERE uid = ?', [uid])![0]);
      st.run('DELETE FROM params WHERE run_id = ?', [id]);
      for (const [k, v] of pairs(run.data?.params)) st.run('INSERT OR REPLACE INTO params(run_id, key, value) VALUES (?, ?, ?)', [id, k, v]);
      st.run('DELETE FROM run_tags WHERE run_id = ?', [id]);
      for (const [k, v] of tags) st.run('INSERT OR REPLACE INTO run_tags(run_id, key, value) VALUES (?, ?, ?)', [id, k, v]);
      for (const m of Array.isArray(run.data?.metrics) ? run.data!.metrics! : []) {
        if (!m || typeof m.key !== 'string') continue;
        const latest = { step: m.step ?? 0, timestamp: m.timestamp ?? 0, value: metricValue(m.value) };
        const cached = st.first('SELECT last_step, last_timestamp, last_value, last_is_nan FROM metric_series WHERE run_id = ? AND key = ?', [id, m.key]);
        const same =
          cached !== undefined &&
          Number(cached[0]) === latest.step &&
          Number(cached[1]) === latest.timestamp &&
          (Number.isNaN(latest.value) ? Boolean(cached[3]) : Number(cached[2]) === latest.value);
        if (same) continue;
        // The run logged more (or this is the first time): keep only the latest point until the history is fetched again.
        const resource = historyResource(runId, m.key);
        if (st.first('SELECT 1 FROM server_fetches WHERE server_id = ? AND resource = ?', [serverId, resource])) {
          invalidated.push({ runUid: uid, runId, key: m.key });
          st.run('DELETE FROM server_fetches WHERE server_id = ? AND resource = ?', [serverId, resource]);
        }
        st.run('DELETE FROM metric_series WHERE run_id = ? AND key = ?', [id, m.key]);
        writer.append(id, m.key, { steps: [latest.step], timestamps: [latest.timestamp], values: [latest.value] });
      }
    }
  } finally {
    writer.free();
    st.free();
  }
  let removed = 0;
  if (options.complete) {
    const cached = rows(db, "SELECT uid FROM runs WHERE uid LIKE ? ESCAPE '\\'", [`${SERVER_UID_PREFIX}${serverId}:%`], (r) => String(r[0]));
    for (const uid of cached) {
      if (seen.has(uid)) continue;
      db.run('DELETE FROM runs WHERE uid = ?', [uid]);
      const parsed = parseServerRunUid(uid);
      if (parsed) db.run("DELETE FROM server_fetches WHERE server_id = ? AND resource LIKE ? ESCAPE '\\'", [serverId, `history:${parsed.runId}:%`]);
      removed++;
    }
    const liveExperiments = new Set(experiments.map((e) => experimentUidFor(serverId, e.experiment_id)));
    for (const uid of rows(db, "SELECT uid FROM experiments WHERE uid LIKE ? ESCAPE '\\'", [`${SERVER_UID_PREFIX}${serverId}:experiment:%`], (r) => String(r[0]))) {
      if (!liveExperiments.has(uid)) db.run('DELETE FROM experiments WHERE uid = ?', [uid]);
    }
    setFetched(db, serverId, 'runs', options.now, seen.size, false);
  }
  return { experiments: experimentIds.size, runs: seen.size, removed, invalidated };
}

export const historyResource = (runId: string, key: string) => `history:${runId}:${key}`;

export interface FetchRow {
  readonly fetchedAt: number;
  readonly points: number | undefined;
  readonly sampled: boolean;
}

export function fetchOf(db: Database, serverId: string, resource: string): FetchRow | undefined {
  return rows(db, 'SELECT fetched_at, points, sampled FROM server_fetches WHERE server_id = ? AND resource = ?', [serverId, resource], (r) => ({
    fetchedAt: Number(r[0]),
    points: optionalNumber(r[1]),
    sampled: Boolean(r[2]),
  }))[0];
}

export function setFetched(db: Database, serverId: string, resource: string, now: number, points: number | undefined, sampled: boolean): void {
  db.run(
    `INSERT INTO server_fetches(server_id, resource, fetched_at, points, sampled) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(server_id, resource) DO UPDATE SET fetched_at = excluded.fetched_at, points = excluded.points, sampled = excluded.sampled`,
    [serverId, resource, now, points ?? null, sampled ? 1 : 0],
  );
}

/** Replaces a run's series with the history fetched from the server, and records when. */
export function storeHistory(db: Database, serverId: string, runId: string, key: string, points: readonly MlflowMetric[], options: { now: number; sampled: boolean }): number {
  const id = idOf(db, 'runs', runUidFor(serverId, runId));
  if (id === undefined) return 0;
  // MLflow's own order: by step, then timestamp (get-history returns them so; bulk-interval by step).
  const sorted = points.filter((p) => p && p.key === key).slice().sort((a, b) => (a.step ?? 0) - (b.step ?? 0) || (a.timestamp ?? 0) - (b.timestamp ?? 0));
  db.run('DELETE FROM metric_series WHERE run_id = ? AND key = ?', [id, key]);
  const writer = new MetricWriter(db);
  try {
    writer.append(id, key, { steps: sorted.map((p) => p.step ?? 0), timestamps: sorted.map((p) => p.timestamp ?? 0), values: sorted.map((p) => metricValue(p.value)) });
  } finally {
    writer.free();
  }
  setFetched(db, serverId, historyResource(runId, key), options.now, sorted.length, options.sampled);
  return sorted.length;
}

/** The server's registry as store rows (origin `mlflow-server:<id>`), replacing the cached copy. */
export function applyRegistry(db: Database, serverId: string, models: readonly MlflowRegisteredModel[], versionsOf: ReadonlyMap<string, readonly MlflowModelVersion[]>, now: number): number {
  const projected: ProjectedModel[] = models
    .filter((m) => m && typeof m.name === 'string')
    .map((m) => {
      const aliases: Record<string, number> = {};
      for (const a of Array.isArray(m.aliases) ? m.aliases : []) if (a && typeof a.alias === 'string' && Number.isInteger(Number(a.version))) aliases[a.alias] = Number(a.version);
      const versions = versionsOf.get(m.name) ?? m.latest_versions ?? [];
      return {
        name: m.name,
        ...(m.description ? { description: m.description } : {}),
        ...(m.creation_timestamp !== undefined ? { createdAt: m.creation_timestamp } : {}),
        ...(m.last_updated_timestamp !== undefined ? { updatedAt: m.last_updated_timestamp } : {}),
        tags: Object.fromEntries(pairs(m.tags)),
        aliases,
        versions: versions
          .filter((v) => v && Number.isInteger(Number(v.version)))
          .map((v) => ({
            version: Number(v.version),
            stage: ['None', 'Staging', 'Production', 'Archived'].includes(String(v.current_stage)) ? String(v.current_stage) : 'None',
            ...(v.run_id ? { runUid: runUidFor(serverId, v.run_id) } : {}),
            ...(v.source ? { source: v.source } : {}),
            ...(v.description ? { description: v.description } : {}),
            ...(v.user_id ? { createdBy: v.user_id } : {}),
            ...(v.creation_timestamp !== undefined ? { createdAt: v.creation_timestamp } : {}),
            ...(v.last_updated_timestamp !== undefined ? { updatedAt: v.last_updated_timestamp } : {}),
            tags: Object.fromEntries(pairs(v.tags)),
          })),
      };
    });
  replaceRegistry(db, registryOriginFor(serverId), projected);
  setFetched(db, serverId, 'registry', now, projected.length, false);
  return projected.length;
}

function idOf(db: Database, table: 'runs' | 'experiments', uid: string): number | undefined {
  return rows(db, `SELECT id FROM ${table} WHERE uid = ?`, [uid], (r) => Number(r[0]))[0];
}

export const loggedModelUidFor = (serverId: string, modelId: string) => `${SERVER_UID_PREFIX}${serverId}:model:${modelId}`;

/**
 * Replaces the server's cached LoggedModels (MLflow >= 3.0) with `models`: the same rows local
 * stores get, so the Runs view, the comparison and the CLI show them unchanged.
 */
export function applyLoggedModels(db: Database, serverId: string, models: readonly MlflowLoggedModel[]): number {
  const pairs = (list: readonly { key: string; value: string }[] | undefined) => Object.fromEntries((list ?? []).map((t) => [t.key, t.value]));
  const operations: SinkOperation[] = [{ op: 'removeLoggedModels', which: { uidPrefix: loggedModelUidFor(serverId, '') } }];
  for (const { info, data } of models) {
    operations.push({
      op: 'loggedModel',
      record: {
        uid: loggedModelUidFor(serverId, info.model_id),
        experimentUid: experimentUidFor(serverId, info.experiment_id),
        // Runs from a server have the format 'mlflow-server' too (a text column; not a file format).
        format: SERVER_FORMAT as SourceFormat,
        externalId: info.model_id,
        name: info.name,
        ...(info.source_run_id ? { sourceRunUid: runUidFor(serverId, info.source_run_id) } : {}),
        status: loggedModelStatus(info.status) ?? 'UNSPECIFIED',
        ...(info.status_message ? { statusMessage: info.status_message } : {}),
        ...(info.model_type ? { modelType: info.model_type } : {}),
        ...(info.artifact_uri ? { artifactLocation: info.artifact_uri } : {}),
        sourcePath: '',
        ...(info.creation_timestamp_ms !== undefined ? { createdAt: info.creation_timestamp_ms } : {}),
        ...(info.last_updated_timestamp_ms !== undefined ? { updatedAt: info.last_updated_timestamp_ms } : {}),
        deleted: false,
        params: pairs(data?.params),
        tags: pairs(info.tags),
        metrics: (data?.metrics ?? []).map((m) => ({
          key: m.key,
          dataset: m.dataset_name ?? '',
          ...(m.dataset_digest ? { datasetDigest: m.dataset_digest } : {}),
          step: m.step ?? 0,
          timestamp: m.timestamp ?? 0,
          value: metricValue(m.value),
          ...(m.run_id ? { runId: m.run_id } : {}),
        })),
      },
    });
  }
  new StoreWriter(db).apply(operations);
  return models.length;
}
