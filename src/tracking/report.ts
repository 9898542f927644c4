import type { Database } from 'sql.js';
import { seriesLabel, seriesSummaries } from '../store';
import { optionalNumber, optionalString, rows } from './queries';

export interface StoreCounts {
  readonly experiments: number;
  readonly runs: number;
  readonly runsDeleted: number;
  readonly metricPoints: number;
  readonly params: number;
  readonly sources: Record<string, number>;
}

/** The counts `model-ledger scan` reports: runs not deleted vs deleted, and what the live runs hold. */
export function storeCounts(db: Database): StoreCounts {
  const one = (sql: string) => Number(db.exec(sql)[0]?.values[0]?.[0] ?? 0);
  const sources: Record<string, number> = {};
  for (const [format, count] of rows(db, "SELECT format, count(*) FROM sources WHERE kind = 'unit' GROUP BY format ORDER BY format", [], (r) => [String(r[0]), Number(r[1])] as const)) {
    sources[format] = count;
  }
  return {
    experiments: one("SELECT count(*) FROM experiments WHERE lifecycle = 'active'"),
    runs: one('SELECT count(*) FROM runs WHERE deleted = 0'),
    runsDeleted: one('SELECT count(*) FROM runs WHERE deleted = 1'),
    metricPoints: one('SELECT coalesce(sum(s.point_count), 0) FROM metric_series s JOIN runs r ON r.id = s.run_id WHERE r.deleted = 0'),
    params: one('SELECT count(*) FROM params p JOIN runs r ON r.id = p.run_id WHERE r.deleted = 0'),
    sources,
  };
}

export interface RunListing {
  readonly id: string;
  readonly uid: string;
  readonly name: string | undefined;
  readonly status: string;
  readonly experiment: string;
  readonly source: string | undefined;
  readonly format: string;
  readonly startTime: number | undefined;
  readonly endTime: number | undefined;
  readonly deleted: boolean;
  readonly params: Record<string, string>;
  /** Last value per key, as MLflow defines "latest" (max by step, then timestamp, then value). */
  readonly metrics: Record<string, number>;
}

export function listAllRuns(db: Database, options: { includeDeleted?: boolean } = {}): RunListing[] {
  const where = options.includeDeleted ? '' : 'WHERE r.deleted = 0';
  const runs = rows(
    db,
    `SELECT r.id, r.uid, r.external_id, r.name, r.status, e.name, r.source_path, r.format, r.start_time, r.end_time, r.deleted
       FROM runs r JOIN experiments e ON e.id = r.experiment_id ${where} ORDER BY e.name, r.start_time, r.uid`,
    [],
    (r) => r,
  );
  return runs.map((r) => {
    const runId = Number(r[0]);
    const params: Record<string, string> = {};
    for (const [k, v] of rows(db, 'SELECT key, value FROM params WHERE run_id = ? ORDER BY key', [runId], (p) => [String(p[0]), String(p[1])] as const)) params[k] = v;
    const metrics: Record<string, number> = {};
    for (const s of seriesSummaries(db, runId)) if (s.last) metrics[seriesLabel(s.key, s.dataset)] = s.last.value;
    return {
      id: optionalString(r[2]) ?? String(r[1]),
      uid: String(r[1]),
      name: optionalString(r[3]),
      status: String(r[4]),
      experiment: String(r[5]),
      source: optionalString(r[6]),
      format: String(r[7]),
      startTime: optionalNumber(r[8]),
      endTime: optionalNumber(r[9]),
      deleted: Boolean(r[10]),
      params,
      metrics,
    };
  });
}
