// The runs table's columns: ids, labels, and how a cell is read from the loaded data (host-free).
// Ids: `a:<attribute>`, `p:<param>`, `t:<tag>`, `m:<stat>:<metric>` (a key may hold any character).
import { formatNumber } from '../compare/exportFormats';
import { formatDuration } from '../shared/format';
import { METRIC_STATS, type ColumnInfo, type MetricStat } from '../shared/runsTableProtocol';
import type { MetricColumns, RunsTableData, TableRun, TextColumn } from './tableData';
import type { MetricDirection } from '../shared/metricDirection';

interface AttributeSpec {
  readonly key: string;
  readonly label: string;
  readonly numeric: boolean;
  readonly read: (run: TableRun) => string | number | undefined;
}

const ATTRIBUTES: readonly AttributeSpec[] = [
  { key: 'status', label: 'Status', numeric: false, read: (r) => r.status },
  { key: 'name', label: 'Name', numeric: false, read: (r) => r.name },
  { key: 'experiment', label: 'Experiment', numeric: false, read: (r) => r.experiment },
  { key: 'start', label: 'Start', numeric: true, read: (r) => r.start },
  { key: 'duration', label: 'Duration', numeric: true, read: (r) => (r.start !== undefined && r.end !== undefined && r.end >= r.start ? r.end - r.start : undefined) },
  { key: 'user', label: 'User', numeric: false, read: (r) => r.user },
  { key: 'format', label: 'Source format', numeric: false, read: (r) => r.format },
  { key: 'git', label: 'Git commit', numeric: false, read: (r) => r.gitCommit },
  { key: 'id', label: 'Run ID', numeric: false, read: (r) => r.id },
];
const ATTRIBUTE_BY_KEY = new Map(ATTRIBUTES.map((a) => [a.key, a]));

/** Shown by default, in this order; the metrics' last values follow. */
export const DEFAULT_ATTRIBUTE_COLUMNS = ['a:status', 'a:name', 'a:experiment', 'a:start', 'a:duration'];

const STAT_LABEL: Record<MetricStat, string> = { last: '', min: ' (min)', max: ' (max)', best: ' (best)', step: ' (last step)' };

export function metricColumnId(key: string, stat: MetricStat = 'last'): string {
  return `m:${stat}:${key}`;
}

/** Parses a column id against the data; undefined when the data has no such column. */
export function columnInfo(data: RunsTableData, id: string): ColumnInfo | undefined {
  const kind = id.slice(0, 2);
  const rest = id.slice(2);
  if (kind === 'a:') {
    const spec = ATTRIBUTE_BY_KEY.get(rest);
    return spec && { id, kind: 'attribute', key: rest, label: spec.label, numeric: spec.numeric };
  }
  if (kind === 'p:') return data.params.has(rest) ? { id, kind: 'param', key: rest, label: rest, numeric: isNumericText(data.params.get(rest)!) } : undefined;
  if (kind === 't:') return data.tags.has(rest) ? { id, kind: 'tag', key: rest, label: rest, numeric: false } : undefined;
  if (kind === 'm:') {
    const colon = rest.indexOf(':');
    const stat = rest.slice(0, colon) as MetricStat;
    const key = rest.slice(colon + 1);
    if (!METRIC_STATS.includes(stat) || !data.metrics.has(key)) return undefined;
    return { id, kind: 'metric', key, stat, label: key + STAT_LABEL[stat], numeric: true };
  }
  return undefined;
}

const numericCache = new WeakMap<object, boolean>();

/** A param column sorts and plots as numbers when every value it has reads as a finite number. */
function isNumericText(values: TextColumn): boolean {
  const cached = numericCache.get(values);
  if (cached !== undefined) return cached;
  let any = false;
  let numeric = true;
  for (const [, v] of values.entries()) {
    any = true;
    if (v.trim() === '' || !Number.isFinite(Number(v))) {
      numeric = false;
      break;
    }
  }
  numericCache.set(values, any && numeric);
  return any && numeric;
}

/** Every column id of the data: attributes, params, metrics (every statistic), tags; keys sorted. */
export function allColumnIds(data: RunsTableData): string[] {
  const sorted = (keys: Iterable<string>) => [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const metricKeys = sorted(data.metrics.keys());
  return [
    ...ATTRIBUTES.map((a) => `a:${a.key}`),
    ...sorted(data.params.keys()).map((k) => `p:${k}`),
    ...METRIC_STATS.flatMap((stat) => metricKeys.map((k) => metricColumnId(k, stat))),
    ...sorted(data.tags.keys()).map((k) => `t:${k}`),
  ];
}

/** Most params and metrics a new table shows; the chooser has every other one. */
const DEFAULT_PARAMS = 300;
const DEFAULT_METRICS = 100;

/**
 * The columns a new table shows: identity attributes, metrics' last values, then params, the keys most
 * runs have first (a key one run logged among thousands waits in the chooser).
 */
export function defaultColumns(data: RunsTableData): string[] {
  const byCount = <T>(map: Map<string, T>, count: (v: T) => number, limit: number) =>
    [...map.entries()]
      .sort((a, b) => count(b[1]) - count(a[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, limit)
      .map(([k]) => k)
      .sort();
  const metrics = byCount(data.metrics, (m) => m.present.reduce((s, v) => s + v, 0), DEFAULT_METRICS).map((k) => metricColumnId(k));
  const params = byCount(data.params, (p) => p.count, DEFAULT_PARAMS).map((k) => `p:${k}`);
  return [...DEFAULT_ATTRIBUTE_COLUMNS, ...metrics, ...params];
}

function metricValue(column: MetricColumns, stat: MetricStat, row: number): number {
  switch (stat) {
    case 'last':
      return column.last[row];
    case 'min':
      return column.min[row];
    case 'max':
      return column.max[row];
    case 'best':
      // A neutral metric (a learning rate, an epoch) has no best.
      return column.direction === 'min' ? column.min[row] : column.direction === 'max' ? column.max[row] : Number.NaN;
    case 'step':
      return column.step[row];
  }
}

/** A cell's raw value: a number (NaN for a logged NaN), a string, or undefined when the run has none. */
export function cellValue(data: RunsTableData, column: ColumnInfo, row: number): string | number | undefined {
  switch (column.kind) {
    case 'attribute':
      return ATTRIBUTE_BY_KEY.get(column.key)!.read(data.runs[row]);
    case 'param': {
      const text = data.params.get(column.key)!.get(row);
      return text !== undefined && column.numeric ? Number(text) : text;
    }
    case 'tag':
      return data.tags.get(column.key)!.get(row);
    case 'metric': {
      const m = data.metrics.get(column.key)!;
      return m.present[row] ? metricValue(m, column.stat!, row) : undefined;
    }
  }
}

/** The text a cell shows (and exports): numbers compactly, times as ISO, durations as h/m/s. */
export function cellText(data: RunsTableData, column: ColumnInfo, row: number): string | undefined {
  const value = cellValue(data, column, row);
  if (value === undefined) return undefined;
  if (column.kind === 'param') return data.params.get(column.key)!.get(row);
  if (typeof value === 'string') return value;
  if (column.kind === 'attribute' && column.key === 'start') return new Date(value).toISOString().replace('T', ' ').slice(0, 19);
  if (column.kind === 'attribute' && column.key === 'duration') return formatDuration(value);
  if (column.kind === 'metric' && column.stat === 'step') return String(value);
  return Number.isNaN(value) ? 'NaN' : formatNumber(value);
}

/** The metric direction of a column (for baseline deltas): only metric columns have one. */
export function columnDirection(data: RunsTableData, column: ColumnInfo): MetricDirection | undefined {
  return column.kind === 'metric' && column.stat !== 'step' ? data.metrics.get(column.key)?.direction : undefined;
}
