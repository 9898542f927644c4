// The runs table's data, loaded once from the store into columns (host-free): one array per param,
// tag and metric statistic, indexed by row. Sorting, filtering and grouping then read arrays, never SQL,
// so a re-sort of 10,000 runs × 500 keys costs milliseconds.
import type { Database } from 'sql.js';
import { metricDirection } from '../compare/compareData';
import { compileRunFilter } from '../tracking/runFilter';
import { optionalNumber, optionalString, rows } from '../tracking/queries';
import type { MetricDirection } from '../shared/compareProtocol';

export interface TableRun {
  /** runs.id in the store. */
  readonly dbId: number;
  readonly uid: string;
  /** The tool's own id when it has one, else the uid. */
  readonly id: string;
  readonly name: string;
  readonly experiment: string;
  readonly status: string;
  readonly start: number | undefined;
  readonly end: number | undefined;
  readonly user: string | undefined;
  readonly format: string;
  readonly gitCommit: string | undefined;
  readonly sourcePath: string | undefined;
  readonly parentUid: string | undefined;
}

/** Per metric key, one slot per row; `present[row]` is 0 when the run never logged the key (NaN is a value). */
export interface MetricColumns {
  readonly direction: MetricDirection;
  readonly present: Uint8Array;
  readonly last: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly step: Float64Array;
}

/**
 * One param's or tag's values by row. Sparse (a Map) while few runs have the key, dense (an array) once
 * more than 1 in 8 do: a sweep's 500 keys cost one array each, and 20,000 keys that one run logged cost
 * 20,000 small maps, not 20,000 arrays as long as the table.
 */
export class TextColumn {
  private sparse: Map<number, string> | undefined = new Map();
  private dense: (string | undefined)[] | undefined;
  private size = 0;

  constructor(private readonly rowCount: number) {}

  get(row: number): string | undefined {
    return this.dense ? this.dense[row] : this.sparse!.get(row);
  }

  set(row: number, value: string): void {
    if (this.get(row) === undefined) this.size++;
    if (this.dense) {
      this.dense[row] = value;
      return;
    }
    this.sparse!.set(row, value);
    if (this.size > this.rowCount / 8) {
      this.dense = new Array<string | undefined>(this.rowCount);
      for (const [r, v] of this.sparse!) this.dense[r] = v;
      this.sparse = undefined;
    }
  }

  /** Runs that have a value. */
  get count(): number {
    return this.size;
  }

  *entries(): Generator<[number, string]> {
    if (this.sparse) {
      yield* this.sparse;
      return;
    }
    for (let row = 0; row < this.dense!.length; row++) if (this.dense![row] !== undefined) yield [row, this.dense![row]!];
  }
}

export interface RunsTableData {
  readonly runs: TableRun[];
  readonly params: Map<string, TextColumn>;
  readonly tags: Map<string, TextColumn>;
  readonly metrics: Map<string, MetricColumns>;
  readonly rowByDbId: Map<number, number>;
}

export interface LoadOptions {
  /** Only this experiment's runs (else every experiment). */
  readonly experimentId?: number;
  readonly includeDeleted?: boolean;
}

function runWhere(options: LoadOptions): { sql: string; params: number[] } {
  const parts: string[] = [];
  const params: number[] = [];
  if (!options.includeDeleted) parts.push('r.deleted = 0');
  if (options.experimentId !== undefined) {
    parts.push('r.experiment_id = ?');
    params.push(options.experimentId);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export function loadRunsTableData(db: Database, options: LoadOptions = {}): RunsTableData {
  const where = runWhere(options);
  const runs = rows(
    db,
    `SELECT r.id, r.uid, r.external_id, r.name, e.name, r.status, r.start_time, r.end_time, r.user, r.format, r.git_commit, r.source_path, r.parent_uid
       FROM runs r JOIN experiments e ON e.id = r.experiment_id ${where.sql} ORDER BY r.id`,
    where.params,
    (r): TableRun => ({
      dbId: Number(r[0]),
      uid: String(r[1]),
      id: optionalString(r[2]) ?? String(r[1]),
      name: optionalString(r[3]) ?? optionalString(r[2]) ?? String(r[1]),
      experiment: String(r[4]),
      status: String(r[5]),
      start: optionalNumber(r[6]),
      end: optionalNumber(r[7]),
      user: optionalString(r[8]),
      format: String(r[9]),
      gitCommit: optionalString(r[10]),
      sourcePath: optionalString(r[11]),
      parentUid: optionalString(r[12]),
    }),
  );
  const rowByDbId = new Map(runs.map((run, i) => [run.dbId, i]));
  const data: RunsTableData = { runs, params: new Map(), tags: new Map(), metrics: new Map(), rowByDbId };
  loadKeyValues(db, 'params', where, data.params, rowByDbId, runs.length);
  loadKeyValues(db, 'run_tags', where, data.tags, rowByDbId, runs.length);
  loadMetrics(db, where, data.metrics, rowByDbId, runs.length);
  return data;
}

function loadKeyValues(
  db: Database,
  table: 'params' | 'run_tags',
  where: { sql: string; params: number[] },
  into: Map<string, TextColumn>,
  rowByDbId: ReadonlyMap<number, number>,
  rowCount: number,
): void {
  const statement = db.prepare(`SELECT p.run_id, p.key, p.value FROM ${table} p JOIN runs r ON r.id = p.run_id ${where.sql}`);
  try {
    statement.bind(where.params);
    while (statement.step()) {
      const [runId, key, value] = statement.get();
      const row = rowByDbId.get(Number(runId));
      if (row === undefined) continue;
      let column = into.get(String(key));
      if (!column) into.set(String(key), (column = new TextColumn(rowCount)));
      column.set(row, String(value));
    }
  } finally {
    statement.free();
  }
}

function emptyMetric(key: string, rowCount: number): MetricColumns {
  return {
    direction: metricDirection(key),
    present: new Uint8Array(rowCount),
    last: new Float64Array(rowCount).fill(NaN),
    min: new Float64Array(rowCount).fill(NaN),
    max: new Float64Array(rowCount).fill(NaN),
    step: new Float64Array(rowCount).fill(NaN),
  };
}

function loadMetrics(db: Database, where: { sql: string; params: number[] }, into: Map<string, MetricColumns>, rowByDbId: ReadonlyMap<number, number>, rowCount: number): void {
  const statement = db.prepare(
    `SELECT s.run_id, s.key, s.last_value, s.last_is_nan, s.min_value, s.max_value, s.last_step
       FROM metric_series s JOIN runs r ON r.id = s.run_id ${where.sql}${where.sql ? ' AND' : ' WHERE'} s.point_count > 0`,
  );
  try {
    statement.bind(where.params);
    while (statement.step()) {
      const [runId, key, last, lastIsNan, min, max, step] = statement.get();
      const row = rowByDbId.get(Number(runId));
      if (row === undefined) continue;
      setMetricRow(into, String(key), row, rowCount, { last: lastIsNan ? NaN : numberOrNaN(last), min: numberOrNaN(min), max: numberOrNaN(max), step: numberOrNaN(step) });
    }
  } finally {
    statement.free();
  }
}

/** Writes one run's summary of one metric (creating the key's columns when new). */
export function setMetricRow(into: Map<string, MetricColumns>, key: string, row: number, rowCount: number, values: { last: number; min: number; max: number; step: number }): void {
  let column = into.get(key);
  if (!column) into.set(key, (column = emptyMetric(key, rowCount)));
  column.present[row] = 1;
  column.last[row] = values.last;
  column.min[row] = values.min;
  column.max[row] = values.max;
  column.step[row] = values.step;
}

// SQLite has no NaN: a NULL min/max of a series with points means every value was NaN.
function numberOrNaN(value: unknown): number {
  return value === null || value === undefined ? NaN : Number(value);
}

/**
 * Re-reads the runs that are (or were) RUNNING: their status, end time and metric summaries, in place.
 * Returns false when the store holds runs the table does not (a full reload is needed).
 */
export function refreshRunningRows(db: Database, data: RunsTableData, options: LoadOptions = {}): boolean {
  const where = runWhere(options);
  const [count] = rows(db, `SELECT count(*) FROM runs r ${where.sql}`, where.params, (r) => Number(r[0]));
  if (count !== data.runs.length) return false;
  const watched = data.runs.filter((r) => r.status === 'RUNNING').map((r) => r.dbId);
  const nowRunning = rows(db, `SELECT r.id FROM runs r ${where.sql}${where.sql ? ' AND' : ' WHERE'} r.status = 'RUNNING'`, where.params, (r) => Number(r[0]));
  const ids = [...new Set([...watched, ...nowRunning])];
  for (const dbId of ids) {
    const row = data.rowByDbId.get(dbId);
    if (row === undefined) return false;
    const [head] = rows(db, 'SELECT status, end_time FROM runs WHERE id = ?', [dbId], (r) => r);
    if (!head) return false;
    data.runs[row] = { ...data.runs[row], status: String(head[0]), end: optionalNumber(head[1]) };
    rows(db, 'SELECT key, last_value, last_is_nan, min_value, max_value, last_step FROM metric_series WHERE run_id = ? AND point_count > 0', [dbId], (r) => r).forEach((r) =>
      setMetricRow(data.metrics, String(r[0]), row, data.runs.length, { last: r[2] ? NaN : numberOrNaN(r[1]), min: numberOrNaN(r[3]), max: numberOrNaN(r[4]), step: numberOrNaN(r[5]) }),
    );
  }
  return true;
}

/** The Runs view's filter language (src/tracking/runFilter.ts) as a set of matching runs.id. */
export function storeFilterMatcher(db: Database): (text: string) => ReadonlySet<number> {
  return (text) => {
    const filter = compileRunFilter(text);
    return new Set(rows(db, `SELECT r.id FROM runs r WHERE ${filter.sql}`, filter.params, (r) => Number(r[0])));
  };
}
