// Queries over MLflow 3 LoggedModels in the store (host-free): the Runs view, the comparison and
// `model-ledger logged-models` read them through here.
import type { Database, SqlValue } from 'sql.js';
import type { SeriesSummary } from '../store';
import { optionalNumber, optionalString, rows } from './queries';

export interface LoggedModelRow {
  readonly id: number;
  readonly uid: string;
  /** MLflow's model_id, `m-<32 hex>`. */
  readonly modelId: string;
  readonly name: string;
  readonly experimentId: number;
  readonly experiment: string;
  readonly sourceRunUid: string | undefined;
  /** The source run's MLflow id (from the run in the store, else from its uid). */
  readonly sourceRunId: string | undefined;
  readonly status: string;
  readonly statusMessage: string | undefined;
  readonly modelType: string | undefined;
  readonly artifactLocation: string | undefined;
  readonly sourcePath: string | undefined;
  readonly format: string;
  readonly createdAt: number | undefined;
  readonly deleted: boolean;
}

export interface LoggedModelPoint {
  readonly key: string;
  readonly dataset: string;
  readonly datasetDigest: string | undefined;
  readonly step: number;
  readonly timestamp: number;
  readonly value: number;
}

const SELECT = `SELECT m.id, m.uid, m.external_id, m.name, m.experiment_id, e.name, m.source_run_uid, r.external_id, m.status, m.status_message,
                       m.model_type, m.artifact_location, m.source_path, m.format, m.created_at, m.deleted
                  FROM logged_models m JOIN experiments e ON e.id = m.experiment_id LEFT JOIN runs r ON r.uid = m.source_run_uid`;

function toRow(r: SqlValue[]): LoggedModelRow {
  const sourceRunUid = optionalString(r[6]);
  return {
    id: Number(r[0]),
    uid: String(r[1]),
    modelId: String(r[2]),
    name: String(r[3]),
    experimentId: Number(r[4]),
    experiment: String(r[5]),
    sourceRunUid,
    sourceRunId: optionalString(r[7]) ?? (sourceRunUid ? /[/:#]([^/:#]+)$/.exec(sourceRunUid)?.[1] : undefined),
    status: String(r[8]),
    statusMessage: optionalString(r[9]),
    modelType: optionalString(r[10]),
    artifactLocation: optionalString(r[11]),
    sourcePath: optionalString(r[12]),
    format: String(r[13]),
    createdAt: optionalNumber(r[14]),
    deleted: Boolean(r[15]),
  };
}

/** Every LoggedModel, by experiment then creation time. */
export function listLoggedModels(db: Database, options: { includeDeleted?: boolean } = {}): LoggedModelRow[] {
  const where = options.includeDeleted ? '' : 'WHERE m.deleted = 0';
  return rows(db, `${SELECT} ${where} ORDER BY e.name, m.created_at, m.external_id`, [], toRow);
}

/** The LoggedModels a run produced (its source run), oldest first. */
export function loggedModelsOfRun(db: Database, runUid: string): LoggedModelRow[] {
  return rows(db, `${SELECT} WHERE m.source_run_uid = ? AND m.deleted = 0 ORDER BY m.created_at, m.external_id`, [runUid], toRow);
}

/** LoggedModels of an experiment that have no source run in the store (logged without a run, or the run is gone). */
export function orphanLoggedModels(db: Database, experimentId: number): LoggedModelRow[] {
  return rows(db, `${SELECT} WHERE m.experiment_id = ? AND m.deleted = 0 AND r.id IS NULL ORDER BY m.created_at, m.external_id`, [experimentId], toRow);
}

export function loggedModelByUid(db: Database, uid: string): LoggedModelRow | undefined {
  return rows(db, `${SELECT} WHERE m.uid = ?`, [uid], toRow)[0];
}

/** uids of the LoggedModels produced by each run, for the run list. */
export function loggedModelIdsByRun(db: Database): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [runUid, modelId] of rows(db, 'SELECT source_run_uid, external_id FROM logged_models WHERE source_run_uid IS NOT NULL AND deleted = 0 ORDER BY created_at, external_id', [], (r) => [String(r[0]), String(r[1])] as const)) {
    const list = out.get(runUid);
    if (list) list.push(modelId);
    else out.set(runUid, [modelId]);
  }
  return out;
}

export function loggedModelPairs(db: Database, modelId: number, table: 'logged_model_params' | 'logged_model_tags'): [string, string][] {
  return rows(db, `SELECT key, value FROM ${table} WHERE model_id = ? ORDER BY key`, [modelId], (r) => [String(r[0]), String(r[1])]);
}

/** Every point of a LoggedModel in the origin's order (NULL value = NaN). */
export function loggedModelPoints(db: Database, modelId: number): LoggedModelPoint[] {
  return rows(db, 'SELECT key, dataset, dataset_digest, step, timestamp, value FROM logged_model_metrics WHERE model_id = ? ORDER BY seq', [modelId], (r) => ({
    key: String(r[0]),
    dataset: String(r[1] ?? ''),
    datasetDigest: optionalString(r[2]),
    step: Number(r[3]),
    timestamp: Number(r[4]),
    value: r[5] === null ? NaN : Number(r[5]),
  }));
}

/** MLflow's "latest": the largest (step, timestamp, value), NaN lowest. */
function later(a: LoggedModelPoint, than: LoggedModelPoint): boolean {
  if (a.step !== than.step) return a.step > than.step;
  if (a.timestamp !== than.timestamp) return a.timestamp > than.timestamp;
  if (Number.isNaN(a.value)) return false;
  return Number.isNaN(than.value) || a.value > than.value;
}

/** A LoggedModel's series (key, dataset) with the summaries runs have, computed from its points. */
export function loggedModelSeries(points: readonly LoggedModelPoint[]): { summary: SeriesSummary; points: LoggedModelPoint[] }[] {
  const groups = new Map<string, LoggedModelPoint[]>();
  for (const p of points) {
    const id = `${p.key}\u0000${p.dataset}`;
    const list = groups.get(id);
    if (list) list.push(p);
    else groups.set(id, [p]);
  }
  return [...groups.values()].map((list) => {
    let last = list[0];
    for (const p of list) if (later(p, last)) last = p;
    const finite = list.map((p) => p.value).filter((v) => !Number.isNaN(v));
    const steps = list.map((p) => p.step);
    return {
      summary: {
        key: last.key,
        dataset: last.dataset,
        datasetDigest: last.datasetDigest,
        pointCount: list.length,
        last: { step: last.step, timestamp: last.timestamp, value: last.value },
        min: finite.length ? Math.min(...finite) : undefined,
        max: finite.length ? Math.max(...finite) : undefined,
        minStep: Math.min(...steps),
        maxStep: Math.max(...steps),
      },
      points: list,
    };
  });
}
