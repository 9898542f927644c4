import type { Database, SqlValue } from 'sql.js';
import { orderByFor, type CompiledFilter, type RunSort } from './runFilter';
import { formatDuration } from '../shared/format';

export interface ExperimentRow {
  readonly id: number;
  readonly uid: string;
  readonly name: string;
  readonly format: string;
  readonly runCount: number;
}

export interface RunRow {
  readonly id: number;
  readonly uid: string;
  readonly externalId: string | undefined;
  readonly name: string | undefined;
  readonly status: string;
  readonly startTime: number | undefined;
  readonly endTime: number | undefined;
  readonly format: string;
  readonly sourcePath: string | undefined;
  readonly deleted: boolean;
  /** The experiment's key metric for this run: its last value (MLflow's "latest"), when logged. */
  readonly keyMetric?: { readonly key: string; readonly value: number };
  /** RUNNING runs only: the time of the newest point logged (else the start), to tell a run that stopped logging. */
  readonly lastUpdate?: number;
}

/**
 * "no update for 3d" when a RUNNING run has logged nothing for longer than `afterMs` (a crashed job
 * never writes its end: MLflow shows such runs as running forever); undefined while it looks alive.
 */
export function staleRunning(run: Pick<RunRow, 'status' | 'lastUpdate' | 'startTime'>, now: number, afterMs: number): string | undefined {
  if (run.status !== 'RUNNING' || afterMs <= 0) return undefined;
  const last = run.lastUpdate ?? run.startTime;
  if (last === undefined || now - last <= afterMs) return undefined;
  return `no update for ${formatDuration(now - last).split(' ')[0]}`;
}

/** Metrics preferred as a run's one-number summary, in order, when the user has not chosen one. */
export const PREFERRED_KEY_METRICS = ['val_loss', 'val/loss', 'validation_loss', 'eval/loss', 'val_accuracy', 'val_acc', 'accuracy', 'acc', 'loss', 'train/loss', 'train_loss'];

/** The key metric for an experiment: the configured one, else the first preferred key its runs logged, else the first key. */
export function chooseKeyMetric(db: Database, experimentId: number, configured?: string): string | undefined {
  if (configured) return configured;
  const keys = rows(
    db,
    'SELECT DISTINCT s.key FROM metric_series s JOIN runs r ON r.id = s.run_id WHERE r.experiment_id = ? ORDER BY s.key',
    [experimentId],
    (r) => String(r[0]),
  );
  return PREFERRED_KEY_METRICS.find((k) => keys.includes(k)) ?? keys[0];
}

export function listExperiments(db: Database, options: { includeDeleted?: boolean; filter?: CompiledFilter } = {}): ExperimentRow[] {
  const where = options.includeDeleted ? '' : "WHERE e.lifecycle = 'active'";
  const deletedRuns = options.includeDeleted ? '' : 'AND r.deleted = 0';
  const filter = options.filter ? `AND ${options.filter.sql}` : '';
  return rows(
    db,
    `SELECT e.id, e.uid, e.name, e.format, count(r.id)
       FROM experiments e LEFT JOIN runs r ON r.experiment_id = e.id ${deletedRuns} ${filter}
       ${where} GROUP BY e.id ORDER BY e.name COLLATE NOCASE, e.id`,
    [...(options.filter?.params ?? [])],
    (r) => ({ id: Number(r[0]), uid: String(r[1]), name: String(r[2]), format: String(r[3]), runCount: Number(r[4]) }),
  );
}

export interface ListRunsOptions {
  readonly includeDeleted?: boolean;
  readonly keyMetric?: string;
  readonly filter?: CompiledFilter;
  readonly sort?: RunSort;
}

export function listRuns(db: Database, experimentId: number, options: ListRunsOptions = {}): RunRow[] {
  const deleted = options.includeDeleted ? '' : 'AND r.deleted = 0';
  const filter = options.filter ? `AND ${options.filter.sql}` : '';
  const key = options.keyMetric ?? null;
  // One query for the whole list, key metric included: the tree must stay fast with 10,000 runs.
  return rows(
    db,
    `SELECT r.id, r.uid, r.external_id, r.name, r.status, r.start_time, r.end_time, r.format, r.source_path, r.deleted,
            s.point_count, s.last_value, s.last_is_nan,
            CASE WHEN r.status = 'RUNNING' THEN (SELECT max(m.max_timestamp) FROM metric_series m WHERE m.run_id = r.id) END
       FROM runs r LEFT JOIN metric_series s ON s.run_id = r.id AND s.key = ? AND s.dataset = ''
      WHERE r.experiment_id = ? ${deleted} ${filter} ORDER BY ${orderByFor(options.sort ?? 'newest')}`,
    [key, experimentId, ...(options.filter?.params ?? [])],
    (r) => ({
      id: Number(r[0]),
      uid: String(r[1]),
      externalId: optionalString(r[2]),
      name: optionalString(r[3]),
      status: String(r[4]),
      startTime: optionalNumber(r[5]),
      endTime: optionalNumber(r[6]),
      format: String(r[7]),
      sourcePath: optionalString(r[8]),
      deleted: Boolean(r[9]),
      ...(key !== null && r[10] !== null && Number(r[10]) > 0 ? { keyMetric: { key, value: r[12] ? NaN : Number(r[11]) } } : {}),
      ...(r[13] !== null && r[13] !== undefined ? { lastUpdate: Number(r[13]) } : {}),
    }),
  );
}

export interface RunDetails {
  readonly params: readonly (readonly [string, string])[];
  readonly tags: readonly (readonly [string, string])[];
  readonly experimentName: string;
  readonly gitCommit: string | undefined;
  readonly user: string | undefined;
}

export function runDetails(db: Database, runId: number): RunDetails {
  const pairs = (table: 'params' | 'run_tags') => rows(db, `SELECT key, value FROM ${table} WHERE run_id = ? ORDER BY key`, [runId], (r) => [String(r[0]), String(r[1])] as const);
  const [head] = rows(db, 'SELECT e.name, r.git_commit, r.user FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id = ?', [runId], (r) => r);
  return {
    params: pairs('params'),
    tags: pairs('run_tags'),
    experimentName: head ? String(head[0]) : '',
    gitCommit: head ? optionalString(head[1]) : undefined,
    user: head ? optionalString(head[2]) : undefined,
  };
}

export function runStatusCounts(db: Database): { total: number; running: number } {
  const [r] = rows(db, "SELECT count(*), coalesce(sum(status = 'RUNNING'), 0) FROM runs WHERE deleted = 0", [], (x) => x);
  return { total: Number(r?.[0] ?? 0), running: Number(r?.[1] ?? 0) };
}

/** Runs a query and maps each row; statements are always freed. */
export function rows<T>(db: Database, sql: string, params: SqlValue[], map: (row: SqlValue[]) => T): T[] {
  const statement = db.prepare(sql);
  const out: T[] = [];
  try {
    statement.bind(params);
    while (statement.step()) {
      out.push(map(statement.get()));
    }
  } finally {
    statement.free();
  }
  return out;
}

export function optionalString(value: SqlValue): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

export function optionalNumber(value: SqlValue): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}
