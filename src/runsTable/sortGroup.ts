// Sorting, quick search and grouping over the loaded columns (host-free, no SQL).
import type { ColumnInfo, SortKey } from '../shared/runsTableProtocol';
import { cellText, cellValue, columnInfo } from './columns';
import type { RunsTableData } from './tableData';

interface PreparedKey {
  readonly numbers: Float64Array | undefined;
  readonly texts: (string | undefined)[] | undefined;
  readonly sign: 1 | -1;
}

/** A column's values once per sort, so the comparator reads arrays: numbers (NaN = missing) or lower-cased text. */
function prepare(data: RunsTableData, column: ColumnInfo, descending: boolean): PreparedKey {
  const n = data.runs.length;
  const sign = descending ? -1 : 1;
  if (column.numeric) {
    const numbers = new Float64Array(n);
    for (let row = 0; row < n; row++) {
      const v = cellValue(data, column, row);
      numbers[row] = typeof v === 'number' ? v : NaN;
    }
    return { numbers, texts: undefined, sign };
  }
  const texts = new Array<string | undefined>(n);
  for (let row = 0; row < n; row++) {
    const v = cellValue(data, column, row);
    texts[row] = v === undefined ? undefined : String(v).toLowerCase();
  }
  return { numbers: undefined, texts, sign };
}

/** Missing and NaN sort last whatever the direction; ties keep the order given (stable). */
function compareOn(key: PreparedKey, a: number, b: number): number {
  if (key.numbers) {
    const x = key.numbers[a];
    const y = key.numbers[b];
    const xMissing = Number.isNaN(x);
    const yMissing = Number.isNaN(y);
    if (xMissing || yMissing) return xMissing === yMissing ? 0 : xMissing ? 1 : -1;
    return x === y ? 0 : x < y ? -key.sign : key.sign;
  }
  const x = key.texts![a];
  const y = key.texts![b];
  if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
  return x === y ? 0 : x < y ? -key.sign : key.sign;
}

/** Sorts row indices by several keys (the first decides, the next break ties). Unknown columns are skipped. */
export function sortRows(data: RunsTableData, rowsIn: readonly number[], keys: readonly SortKey[]): number[] {
  const prepared = keys.map((k) => ({ info: columnInfo(data, k.column), k })).filter((p) => p.info).map((p) => prepare(data, p.info!, p.k.descending));
  const out = [...rowsIn];
  if (prepared.length === 0) return out;
  out.sort((a, b) => {
    for (const key of prepared) {
      const c = compareOn(key, a, b);
      if (c !== 0) return c;
    }
    return 0;
  });
  return out;
}

/** Rows whose name, ids, experiment, user, status, git commit or any param or tag value contains `text` (case-insensitive). */
export function searchRows(data: RunsTableData, rowsIn: readonly number[], text: string): number[] {
  const needle = text.trim().toLowerCase();
  if (!needle) return [...rowsIn];
  const hit = new Uint8Array(data.runs.length);
  for (const row of rowsIn) {
    const r = data.runs[row];
    const fields = [r.name, r.id, r.uid, r.experiment, r.user, r.status, r.gitCommit];
    if (fields.some((f) => f !== undefined && f.toLowerCase().includes(needle))) hit[row] = 1;
  }
  for (const columns of [data.params, data.tags]) {
    for (const values of columns.values()) {
      for (const [row, value] of values.entries()) if (!hit[row] && value.toLowerCase().includes(needle)) hit[row] = 1;
    }
  }
  return rowsIn.filter((row) => hit[row]);
}

export interface Aggregate {
  /** Finite values counted (missing and NaN are left out). */
  readonly count: number;
  readonly mean: number | null;
  readonly min: number | null;
  readonly max: number | null;
}

export function aggregate(values: Iterable<number | string | undefined>): Aggregate {
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return count === 0 ? { count, mean: null, min: null, max: null } : { count, mean: sum / count, min, max };
}

export interface RunGroup {
  /** The grouping column's text for these runs; "(none)" for runs without a value. */
  readonly label: string;
  readonly rows: number[];
}

export const NO_VALUE_GROUP = '(none)';

/**
 * Groups rows by a column's text, keeping the rows' order inside each group. Groups come in the order of
 * the column's values (numbers numerically), "(none)" last.
 */
export function groupRows(data: RunsTableData, rowsIn: readonly number[], column: ColumnInfo): RunGroup[] {
  const byLabel = new Map<string, number[]>();
  const sortValue = new Map<string, number | string>();
  for (const row of rowsIn) {
    const label = cellText(data, column, row) ?? NO_VALUE_GROUP;
    let group = byLabel.get(label);
    if (!group) {
      byLabel.set(label, (group = []));
      const v = cellValue(data, column, row);
      sortValue.set(label, v === undefined ? '' : v);
    }
    group.push(row);
  }
  const labels = [...byLabel.keys()].sort((a, b) => {
    if (a === NO_VALUE_GROUP || b === NO_VALUE_GROUP) return a === b ? 0 : a === NO_VALUE_GROUP ? 1 : -1;
    const x = sortValue.get(a)!;
    const y = sortValue.get(b)!;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x).localeCompare(String(y));
  });
  return labels.map((label) => ({ label, rows: byLabel.get(label)! }));
}

/** Count, mean, min and max of a column over some rows. */
export function aggregateColumn(data: RunsTableData, rowsIn: readonly number[], column: ColumnInfo): Aggregate {
  return aggregate(rowsIn.map((row) => cellValue(data, column, row)));
}
