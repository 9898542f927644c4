// The runs table's state and its windowed query (host-free): the view (filter, search, sort, group,
// columns, brushes, baseline), the rows it yields, the selection, and windows of formatted cells.
// Only a window (rows × columns on screen plus a margin) is ever formatted or sent.
import { assignColors } from '../compare/colors';
import { markdownCell } from '../compare/exportFormats';
import {
  DEFAULT_COLUMN_WIDTH,
  MAX_CELL_CHARS,
  MAX_COLUMN_WIDTH,
  MAX_GROUP_OPTIONS,
  MIN_COLUMN_WIDTH,
  type ColumnOp,
  type WebviewView,
  MAX_WINDOW_COLUMNS,
  MAX_WINDOW_ROWS,
  type BrushRange,
  type ColumnInfo,
  type GridCell,
  type GridRow,
  type GridWindow,
  type SelectMode,
  type SweepAxis,
  type TableSummary,
  type TableView,
  type WindowRequest,
} from '../shared/runsTableProtocol';
import { formatNumber } from '../compare/exportFormats';
import { PREFERRED_KEY_METRICS } from '../tracking/queries';
import { allColumnIds, cellText, cellValue, columnDirection, columnInfo, defaultColumns } from './columns';
import { csvCell } from '../shared/csvCell';
import { aggregateColumn, groupRows, NO_VALUE_GROUP, searchRows, sortRows, type RunGroup } from './sortGroup';
import type { RunsTableData } from './tableData';

/** Run ids matching a Runs-view filter expression (throws RunFilterError on a bad one). */
export type FilterMatcher = (text: string) => ReadonlySet<number>;

export function defaultView(data: RunsTableData): TableView {
  return {
    filter: '',
    search: '',
    sort: [{ column: 'a:start', descending: true }],
    groupBy: null,
    collapsedGroups: [],
    columns: defaultColumns(data),
    pinned: 2,
    widths: {},
    onlyDiffering: false,
    brushes: [],
    baselineUid: null,
  };
}

export class RunsTableModel {
  private viewState: TableView;
  /** Rows after filter and search, sorted: what the sweep views plot. */
  private beforeBrush: number[] = [];
  /** Rows after brushes too: the table's runs. */
  private shown: number[] = [];
  private groups: RunGroup[] | undefined;
  /** The grid's rows in order: a row index (≥ 0) or a group header (-(group + 1)). */
  private display: number[] = [];
  private columns: ColumnInfo[] = [];
  private filterError: string | null = null;
  private readonly selected = new Set<number>();
  private colours = new Map<string, string>();

  constructor(
    private data: RunsTableData,
    view: Partial<TableView> | undefined,
    private readonly matchFilter: FilterMatcher | undefined,
    private readonly title = 'Runs',
  ) {
    this.viewState = { ...defaultView(data), ...view };
    this.recompute();
  }

  get view(): TableView {
    return this.viewState;
  }

  setView(change: Partial<TableView>): void {
    this.viewState = { ...this.viewState, ...change };
    this.recompute();
  }

  /** New data (a reload or live update): the view, selection (by run uid) and order rules stay. */
  replaceData(data: RunsTableData): void {
    const selectedUids = new Set([...this.selected].map((row) => this.data.runs[row]?.uid));
    this.data = data;
    this.selected.clear();
    data.runs.forEach((run, row) => selectedUids.has(run.uid) && this.selected.add(row));
    this.recompute();
  }

  private recompute(): void {
    let rows = this.data.runs.map((_, i) => i);
    this.filterError = null;
    if (this.viewState.filter.trim() && this.matchFilter) {
      try {
        const ids = this.matchFilter(this.viewState.filter);
        rows = rows.filter((row) => ids.has(this.data.runs[row].dbId));
      } catch (error) {
        this.filterError = (error as Error).message;
      }
    }
    rows = searchRows(this.data, rows, this.viewState.search);
    this.beforeBrush = sortRows(this.data, rows, this.viewState.sort);
    this.shown = this.applyBrushes(this.beforeBrush);
    this.columns = this.shownColumns();
    this.buildDisplay();
    this.colours = assignColors(this.selectedUids());
  }

  private applyBrushes(rows: number[]): number[] {
    let out = rows;
    for (const brush of this.viewState.brushes) {
      const column = columnInfo(this.data, brush.column);
      if (column) out = out.filter((row) => inBrush(this.data, column, row, brush));
    }
    return out;
  }

  private shownColumns(): ColumnInfo[] {
    const columns = this.viewState.columns.map((id) => columnInfo(this.data, id)).filter((c): c is ColumnInfo => c !== undefined);
    if (!this.viewState.onlyDiffering) return columns;
    // Pinned columns (the run's identity) always stay.
    return columns.filter((c, i) => i < this.viewState.pinned || this.differs(c));
  }

  private differs(column: ColumnInfo): boolean {
    if (this.shown.length < 2) return true;
    const first = cellText(this.data, column, this.shown[0]);
    return this.shown.some((row) => cellText(this.data, column, row) !== first);
  }

  private buildDisplay(): void {
    const groupColumn = this.viewState.groupBy ? columnInfo(this.data, this.viewState.groupBy) : undefined;
    if (!groupColumn) {
      this.groups = undefined;
      this.display = this.shown;
      return;
    }
    this.groups = groupRows(this.data, this.shown, groupColumn);
    const collapsed = new Set(this.viewState.collapsedGroups);
    this.display = [];
    this.groups.forEach((group, g) => {
      this.display.push(-(g + 1));
      if (!collapsed.has(group.label)) for (const row of group.rows) this.display.push(row);
    });
  }

  summary(): TableSummary {
    return {
      totalRuns: this.data.runs.length,
      shownRuns: this.shown.length,
      selectedCount: this.selected.size,
      filterError: this.filterError,
      availableColumns: this.allIds().length,
      title: this.title,
      groupOptions: this.columns
        .filter((c) => c.kind === 'param' || c.kind === 'tag' || (c.kind === 'attribute' && ['experiment', 'status', 'user', 'format'].includes(c.key)))
        // Keys most runs have first: they are the sweep's axes; a key one run logged is last.
        .map((c) => ({ c, n: c.kind === 'param' ? this.data.params.get(c.key)!.count : c.kind === 'tag' ? this.data.tags.get(c.key)!.count : Infinity }))
        .sort((a, b) => b.n - a.n)
        .map(({ c }) => c)
        .slice(0, MAX_GROUP_OPTIONS)
        .map((c) => ({ id: c.id, label: c.kind === 'attribute' ? c.label : `${c.kind}: ${c.label}` })),
      metricOptions: this.columns
        .filter((c) => c.kind === 'metric' && c.stat === 'last')
        .map((c) => c.key)
        // The usual key metrics (val_loss, accuracy, ...) first, as the Runs view picks them.
        .sort((a, b) => preferredRank(a) - preferredRank(b))
        .slice(0, MAX_GROUP_OPTIONS),
    };
  }

  /** Every shown column's info, in order (pinned first). */
  get shownColumnInfos(): readonly ColumnInfo[] {
    return this.columns;
  }

  /** The run rows shown, in order (for exports, importance and tests). */
  get shownRows(): readonly number[] {
    return this.groups ? this.groups.flatMap((g) => g.rows) : this.shown;
  }

  get displayLength(): number {
    return this.display.length;
  }

  private widthOf(column: ColumnInfo): number {
    return this.viewState.widths[column.id] ?? DEFAULT_COLUMN_WIDTH;
  }

  /** Left edge of each unpinned column (px from the end of the pinned ones), and the total width. */
  private offsets(): { lefts: Float64Array; total: number; pinnedWidth: number; pinned: number } {
    const pinned = Math.min(this.viewState.pinned, this.columns.length);
    const lefts = new Float64Array(this.columns.length);
    let pinnedWidth = 0;
    for (let i = 0; i < pinned; i++) {
      lefts[i] = pinnedWidth;
      pinnedWidth += this.widthOf(this.columns[i]);
    }
    let x = 0;
    for (let i = pinned; i < this.columns.length; i++) {
      lefts[i] = x;
      x += this.widthOf(this.columns[i]);
    }
    return { lefts, total: x, pinnedWidth, pinned };
  }

  /** The rows asked for, and the columns covering [scrollLeft, scrollLeft + viewWidth] plus a margin of columns. */
  window(request: WindowRequest): GridWindow {
    const rowStart = Math.min(request.rowStart, Math.max(0, this.display.length - 1));
    const rowEnd = Math.min(this.display.length, rowStart + Math.min(request.rowCount, MAX_WINDOW_ROWS));
    const { lefts, total, pinnedWidth, pinned } = this.offsets();
    let colStart = pinned;
    while (colStart < this.columns.length - 1 && lefts[colStart] + this.widthOf(this.columns[colStart]) <= request.scrollLeft) colStart++;
    colStart = Math.max(pinned, colStart - COLUMN_MARGIN);
    let colEnd = colStart;
    const right = request.scrollLeft + Math.min(request.viewWidth, 20_000);
    while (colEnd < this.columns.length && lefts[colEnd] < right) colEnd++;
    colEnd = Math.min(this.columns.length, colEnd + COLUMN_MARGIN, colStart + MAX_WINDOW_COLUMNS - pinned);
    const indices = [...range(0, pinned), ...range(colStart, colEnd)];
    const sortRank = new Map(this.viewState.sort.map((s, rank) => [s.column, { descending: s.descending, rank }]));
    const columns = indices.map((index) => {
      const c = this.columns[index];
      const sort = sortRank.get(c.id);
      return { ...c, index, left: lefts[index], width: this.widthOf(c), ...(sort ? { sort } : {}) };
    });
    const rows: GridRow[] = [];
    for (let i = rowStart; i < rowEnd; i++) rows.push(this.gridRow(i, columns));
    return { rowStart, colStart, totalRows: this.display.length, totalColumns: this.columns.length, pinned, scrollWidth: total, pinnedWidth, columns, rows };
  }

  /** The view without the shown column list (which may hold thousands of ids). */
  webviewView(): WebviewView {
    const { columns, ...rest } = this.viewState;
    return { ...rest, columnCount: columns.length };
  }

  /** Show, hide, pin, unpin, move or resize a column (pinned columns are the first `pinned` of the list). */
  columnOp(change: ColumnOp): void {
    const columns = [...this.viewState.columns];
    let pinned = Math.min(this.viewState.pinned, columns.length);
    const at = 'id' in change ? columns.indexOf(change.id) : -1;
    switch (change.op) {
      case 'reset':
        this.setView({ columns: defaultColumns(this.data), pinned: 2, widths: {} });
        return;
      case 'width': {
        const width = Math.round(Math.min(MAX_COLUMN_WIDTH, Math.max(MIN_COLUMN_WIDTH, change.width)));
        this.setView({ widths: { ...this.viewState.widths, [change.id]: width } });
        return;
      }
      case 'show':
        if (at < 0 && columnInfo(this.data, change.id)) columns.push(change.id);
        break;
      case 'hide':
        if (at >= 0) {
          columns.splice(at, 1);
          if (at < pinned) pinned--;
        }
        break;
      case 'pin':
        if (at >= pinned) {
          columns.splice(at, 1);
          columns.splice(pinned++, 0, change.id);
        } else if (at < 0 && columnInfo(this.data, change.id)) columns.splice(pinned++, 0, change.id);
        break;
      case 'unpin':
        if (at >= 0 && at < pinned) {
          columns.splice(at, 1);
          columns.splice(--pinned, 0, change.id);
        }
        break;
      case 'move': {
        const target = columns.indexOf(change.before);
        if (at < 0 || target < 0 || at === target) break;
        columns.splice(at, 1);
        columns.splice(columns.indexOf(change.before), 0, change.id);
        // A column dropped among the pinned ones becomes pinned, and the other way round.
        if (at >= pinned && target < pinned) pinned++;
        else if (at < pinned && target >= pinned) pinned--;
        break;
      }
    }
    this.setView({ columns, pinned });
  }

  private baselineRow(): number | undefined {
    const uid = this.viewState.baselineUid;
    if (!uid) return undefined;
    const row = this.data.runs.findIndex((r) => r.uid === uid);
    return row < 0 ? undefined : row;
  }

  private gridRow(index: number, columns: readonly ColumnInfo[]): GridRow {
    const entry = this.display[index];
    if (entry < 0) {
      const group = this.groups![-entry - 1];
      return {
        index,
        kind: 'group',
        group: { label: group.label, count: group.rows.length, collapsed: this.viewState.collapsedGroups.includes(group.label) },
        cells: columns.map((c) => this.groupCell(group, c)),
      };
    }
    const run = this.data.runs[entry];
    const baseline = this.baselineRow();
    const colour = this.colours.get(run.uid);
    return {
      index,
      kind: 'run',
      uid: run.uid,
      status: run.status,
      ...(this.selected.has(entry) ? { selected: true } : {}),
      ...(baseline === entry ? { baseline: true } : {}),
      ...(colour ? { color: colour } : {}),
      cells: columns.map((c) => this.runCell(entry, c, baseline)),
    };
  }

  private runCell(row: number, column: ColumnInfo, baseline: number | undefined): GridCell | null {
    const text = cellText(this.data, column, row);
    if (text === undefined) return null;
    const cell = clip(text);
    const direction = columnDirection(this.data, column);
    if (baseline === undefined || baseline === row || !direction) return cell;
    const value = cellValue(this.data, column, row);
    const base = cellValue(this.data, column, baseline);
    if (typeof value !== 'number' || typeof base !== 'number' || !Number.isFinite(value) || !Number.isFinite(base)) return cell;
    const delta = value - base;
    const sign = delta === 0 || direction === 'neutral' ? 0 : (delta < 0) === (direction === 'min') ? 1 : -1;
    return { ...cell, delta: `${delta > 0 ? '+' : ''}${formatNumber(delta)}`, deltaSign: sign };
  }

  private groupCell(group: RunGroup, column: ColumnInfo): GridCell | null {
    if (column.id === this.viewState.groupBy) return clip(group.label);
    if (column.kind !== 'metric') return null;
    const agg = aggregateColumn(this.data, group.rows, column);
    if (agg.count === 0) return null;
    return { text: `${formatNumber(agg.mean)} (${formatNumber(agg.min)}–${formatNumber(agg.max)}, n=${agg.count})` };
  }

  // ---- selection (by row, shown as run uids) ----

  select(mode: SelectMode, index: number, anchor: number): void {
    const rowAt = (i: number) => this.display[i];
    if (mode === 'none' || mode === 'only') this.selected.clear();
    if (mode === 'all') this.shownRows.forEach((row) => this.selected.add(row));
    const row = rowAt(index);
    if ((mode === 'only' || mode === 'toggle') && row !== undefined && row >= 0) {
      if (mode === 'toggle' && this.selected.has(row)) this.selected.delete(row);
      else this.selected.add(row);
    }
    if (mode === 'range') {
      this.selected.clear();
      const [from, to] = index < anchor ? [index, anchor] : [anchor, index];
      for (let i = from; i <= Math.min(to, this.display.length - 1); i++) if (rowAt(i) >= 0) this.selected.add(rowAt(i));
    }
    this.colours = assignColors(this.selectedUids());
  }

  /** Selected runs' uids in the table's order (the order Compare colours them in). */
  selectedUids(): string[] {
    return this.shownRows.filter((row) => this.selected.has(row)).map((row) => this.data.runs[row].uid);
  }

  selectedIds(): string[] {
    return this.shownRows.filter((row) => this.selected.has(row)).map((row) => this.data.runs[row].id);
  }

  toggleGroup(label: string): void {
    const collapsed = new Set(this.viewState.collapsedGroups);
    if (collapsed.has(label)) collapsed.delete(label);
    else collapsed.add(label);
    this.setView({ collapsedGroups: [...collapsed] });
  }

  // ---- column chooser ----

  searchColumns(query: string, limit: number): { total: number; columns: (ColumnInfo & { shown: boolean })[] } {
    const needle = query.trim().toLowerCase();
    const shown = new Set(this.viewState.columns);
    const matches = this.allIds()
      .map((id) => columnInfo(this.data, id)!)
      .filter((c) => !needle || c.label.toLowerCase().includes(needle) || c.id.toLowerCase().includes(needle));
    return { total: matches.length, columns: matches.slice(0, limit).map((c) => ({ ...c, shown: shown.has(c.id) })) };
  }

  // ---- sweep views ----

  /** Values of some columns for the runs the sweep views plot (filter and search applied, brushes not). */
  sweep(columnIds: readonly string[]): { uids: string[]; axes: SweepAxis[] } {
    const rows = this.beforeBrush;
    const axes = columnIds
      .map((id) => columnInfo(this.data, id))
      .filter((c): c is ColumnInfo => c !== undefined)
      .map((column) => sweepAxis(this.data, rows, column));
    return { uids: rows.map((row) => this.data.runs[row].uid), axes };
  }

  // ---- exports: every shown run and column ----

  toCsv(): string {
    const header = this.columns.map((c) => c.label);
    const lines = [header, ...this.shownRows.map((row) => this.columns.map((c) => cellText(this.data, c, row) ?? ''))];
    return lines.map((fields) => fields.map(csvCell).join(',')).join('\r\n') + '\r\n';
  }

  toMarkdown(): string {
    const header = `| ${this.columns.map((c) => markdownCell(c.label)).join(' | ')} |`;
    const rule = `| ${this.columns.map((c) => (c.numeric ? '---:' : '---')).join(' | ')} |`;
    const body = this.shownRows.map((row) => `| ${this.columns.map((c) => markdownCell(cellText(this.data, c, row) ?? '')).join(' | ')} |`);
    return [header, rule, ...body].join('\n') + '\n';
  }

  private allIdsCache: { data: RunsTableData; ids: string[] } | undefined;

  private allIds(): string[] {
    if (this.allIdsCache?.data !== this.data) this.allIdsCache = { data: this.data, ids: allColumnIds(this.data) };
    return this.allIdsCache.ids;
  }

  get tableData(): RunsTableData {
    return this.data;
  }
}

function preferredRank(key: string): number {
  const i = PREFERRED_KEY_METRICS.indexOf(key);
  return i < 0 ? PREFERRED_KEY_METRICS.length : i;
}

/** Columns rendered beyond each side of the viewport, so a small sideways scroll needs no round trip. */
const COLUMN_MARGIN = 3;

function* range(from: number, to: number): Generator<number> {
  for (let i = from; i < to; i++) yield i;
}

function clip(text: string): GridCell {
  return text.length > MAX_CELL_CHARS ? { text: text.slice(0, MAX_CELL_CHARS), cut: true } : { text };
}

function inBrush(data: RunsTableData, column: ColumnInfo, row: number, brush: BrushRange): boolean {
  if (brush.values) return brush.values.includes(cellText(data, column, row) ?? NO_VALUE_GROUP);
  const v = cellValue(data, column, row);
  if (typeof v !== 'number' || Number.isNaN(v)) return false;
  return (brush.min === undefined || v >= brush.min) && (brush.max === undefined || v <= brush.max);
}

/** Most categories an axis lists; further ones share the last slot. */
const MAX_CATEGORIES = 100;

function sweepAxis(data: RunsTableData, rows: readonly number[], column: ColumnInfo): SweepAxis {
  if (column.numeric) {
    const values = rows.map((row) => {
      const v = cellValue(data, column, row);
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    });
    const finite = values.filter((v): v is number => v !== null);
    const positive = finite.length > 0 && finite.every((v) => v > 0);
    const spread = positive ? Math.max(...finite) / Math.min(...finite) : 0;
    return { column, values, logSuggested: positive && spread >= 1000 };
  }
  const texts = rows.map((row) => cellText(data, column, row) ?? NO_VALUE_GROUP);
  const categories = [...new Set(texts)].sort((a, b) => a.localeCompare(b)).slice(0, MAX_CATEGORIES);
  const slot = new Map(categories.map((c, i) => [c, i]));
  return { column, values: texts.map((t) => slot.get(t) ?? categories.length - 1), categories, logSuggested: false };
}
