import type { Database, SqlValue } from 'sql.js';

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
}

export function listExperiments(db: Database, options: { includeDeleted?: boolean } = {}): ExperimentRow[] {
  const where = options.includeDeleted ? '' : "WHERE e.lifecycle = 'active'";
  const deletedRuns = options.includeDeleted ? '' : 'AND r.deleted = 0';
  return rows(
    db,
    `SELECT e.id, e.uid, e.name, e.format, count(r.id)
       FROM experiments e LEFT JOIN runs r ON r.experiment_id = e.id ${deletedRuns}
       ${where} GROUP BY e.id ORDER BY e.name COLLATE NOCASE, e.id`,
    [],
    (r) => ({ id: Number(r[0]), uid: String(r[1]), name: String(r[2]), format: String(r[3]), runCount: Number(r[4]) }),
  );
}

export function listRuns(db: Database, experimentId: number, options: { includeDeleted?: boolean } = {}): RunRow[] {
  const deleted = options.includeDeleted ? '' : 'AND deleted = 0';
  return rows(
    db,
    `SELECT id, uid, external_id, name, status, start_time, end_time, format, source_path, deleted
       FROM runs WHERE experiment_id = ? ${deleted} ORDER BY start_time DESC, id DESC`,
    [experimentId],
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
    }),
  );
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
