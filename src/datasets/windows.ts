/** Splitting a dataset into time windows for drift over time. */
import type { Dataset, DatasetColumn } from './types';

const DAY_MS = 86_400_000;
/** Monday 1969-12-29 00:00 UTC: weeks start on Mondays, as ISO weeks do. */
const WEEK_ORIGIN_MS = -3 * DAY_MS;

export type WindowSpec = 'day' | 'week' | { readonly ms: number; readonly originMs?: number };

export interface TimeWindow {
  /** Inclusive, ms since the epoch (UTC). */
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
  /** Rows of the dataset in this window, ascending. */
  readonly rowIndices: Int32Array;
}

function windowGeometry(window: WindowSpec): { size: number; origin: number } {
  if (window === 'day') return { size: DAY_MS, origin: 0 };
  if (window === 'week') return { size: 7 * DAY_MS, origin: WEEK_ORIGIN_MS };
  if (!(window.ms > 0) || !Number.isFinite(window.ms)) throw new RangeError(`A window must last a positive number of ms, not ${window.ms}.`);
  return { size: window.ms, origin: window.originMs ?? 0 };
}

/**
 * Non-empty windows in time order (UTC day boundaries; weeks from Monday; custom windows aligned to
 * `originMs`, default the epoch, so that two datasets get the same windows). Rows without a
 * timestamp belong to no window.
 */
export function timeWindows(dataset: Dataset, timestampColumn: string, window: WindowSpec): TimeWindow[] {
  const column = dataset.column(timestampColumn);
  if (!column) throw new Error(`The dataset has no column "${timestampColumn}".`);
  if (column.type !== 'datetime') {
    throw new Error(`Column "${timestampColumn}" is ${column.type}, not datetime: read the file with it as the timestamp column.`);
  }
  const { size, origin } = windowGeometry(window);
  const values = column.values;
  const keys = new Float64Array(values.length);
  const counts = new Map<number, number>();
  for (let row = 0; row < values.length; row++) {
    const time = values[row];
    const key = Number.isFinite(time) ? Math.floor((time - origin) / size) : NaN;
    keys[row] = key;
    if (!Number.isNaN(key)) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const ordered = [...counts.keys()].sort((a, b) => a - b);
  const rows = new Map<number, { indices: Int32Array; filled: number }>();
  for (const key of ordered) rows.set(key, { indices: new Int32Array(counts.get(key) ?? 0), filled: 0 });
  for (let row = 0; row < keys.length; row++) {
    const slot = rows.get(keys[row]);
    if (slot) slot.indices[slot.filled++] = row;
  }
  return ordered.map((key) => ({
    start: origin + key * size,
    end: origin + (key + 1) * size,
    rowIndices: (rows.get(key) as { indices: Int32Array }).indices,
  }));
}

/**
 * A column as the plain array the drift statistics take: numbers (NaN missing, ±Infinity kept for
 * the drift module to clean) or labels (null missing). `rows` selects a window.
 */
export function driftValues(column: DatasetColumn, rows?: ArrayLike<number>): number[] | (string | null)[] {
  const count = rows ? rows.length : column.type === 'categorical' ? column.codes.length : column.values.length;
  if (column.type === 'categorical') {
    const labels = new Array<string | null>(count);
    for (let i = 0; i < count; i++) {
      const code = column.codes[rows ? rows[i] : i];
      labels[i] = code < 0 ? null : column.categories[code];
    }
    return labels;
  }
  const numbers = new Array<number>(count);
  for (let i = 0; i < count; i++) numbers[i] = column.values[rows ? rows[i] : i];
  return numbers;
}
