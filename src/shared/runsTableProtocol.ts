// The one message contract of the Runs Table panel, imported by the host (src/panels/runsTablePanel.ts)
// and the webview (webview/runsTable/main.ts). Host-free and DOM-free: plain data only.
//
// The table is virtualised on both axes: the webview asks for a window (rows × columns on screen plus a
// margin) and only that window crosses the boundary, so a message's size does not grow with the number
// of runs or keys. The host owns the rows' order, filter, grouping and the selection.

export type ColumnKind = 'attribute' | 'param' | 'metric' | 'tag';
/** Metric statistics a column can show: last (MLflow's "latest"), min, max, best (by direction), last step. */
export type MetricStat = 'last' | 'min' | 'max' | 'best' | 'step';
export const METRIC_STATS: readonly MetricStat[] = ['last', 'min', 'max', 'best', 'step'];

export interface ColumnInfo {
  /** `a:<attr>`, `p:<param>`, `t:<tag>`, `m:<stat>:<metric>`. */
  readonly id: string;
  readonly kind: ColumnKind;
  readonly key: string;
  readonly stat?: MetricStat;
  readonly label: string;
  readonly numeric: boolean;
}

export interface SortKey {
  readonly column: string;
  readonly descending: boolean;
}

/** A parallel-coordinates brush: a numeric interval, or a set of category labels. */
export interface BrushRange {
  readonly column: string;
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
}

/** What the user chose; remembered per workspace folder and experiment. */
export interface TableView {
  readonly filter: string;
  readonly search: string;
  readonly sort: readonly SortKey[];
  readonly groupBy: string | null;
  readonly collapsedGroups: readonly string[];
  /** Shown column ids in order; the first `pinned` stay on screen while scrolling sideways. */
  readonly columns: readonly string[];
  readonly pinned: number;
  readonly widths: Readonly<Record<string, number>>;
  readonly onlyDiffering: boolean;
  readonly brushes: readonly BrushRange[];
  readonly baselineUid: string | null;
}

/** Rows by index; columns by pixels (scrollLeft and the viewport's width, after the pinned columns). */
export interface WindowRequest {
  readonly rowStart: number;
  readonly rowCount: number;
  readonly scrollLeft: number;
  readonly viewWidth: number;
}

export interface GridCell {
  /** Display text, at most MAX_CELL_CHARS characters. */
  readonly text: string;
  /** True when `text` was cut (the full value is longer). */
  readonly cut?: boolean;
  /** Difference to the baseline row, formatted, for numeric cells when a baseline is set. */
  readonly delta?: string;
  /** Sign of the delta relative to the metric's direction: 1 better, -1 worse, 0 same. */
  readonly deltaSign?: number;
}

export interface GridRow {
  /** Position in the whole (filtered, sorted, grouped) list. */
  readonly index: number;
  readonly kind: 'run' | 'group';
  readonly uid?: string;
  readonly status?: string;
  readonly selected?: boolean;
  readonly baseline?: boolean;
  /** The run's colour when selected: the colour the comparison panel gives it. */
  readonly color?: string;
  /** For group rows: the group's value, its run count and whether it is collapsed. */
  readonly group?: { readonly label: string; readonly count: number; readonly collapsed: boolean };
  /** One per column of the window (pinned columns first); null when the run has no value. */
  readonly cells: readonly (GridCell | null)[];
}

export interface GridWindow {
  readonly rowStart: number;
  readonly colStart: number;
  /** Rows after filter, search, brushes and grouping (group rows included). */
  readonly totalRows: number;
  /** Shown columns (pinned included). */
  readonly totalColumns: number;
  readonly pinned: number;
  /** Width of every shown column after the pinned ones, and of the pinned ones (px). */
  readonly scrollWidth: number;
  readonly pinnedWidth: number;
  /** Columns of the window: the pinned ones, then shown columns from colStart. `left`: px from the start of their area. */
  readonly columns: readonly (ColumnInfo & {
    readonly width: number;
    readonly index: number;
    readonly left: number;
    readonly sort?: { readonly descending: boolean; readonly rank: number };
  })[];
  readonly rows: readonly GridRow[];
}

export interface TableSummary {
  readonly totalRuns: number;
  readonly shownRuns: number;
  readonly selectedCount: number;
  readonly filterError: string | null;
  /** Every column the data has (for the count in the chooser). */
  readonly availableColumns: number;
  readonly title: string;
  /** Shown params and tags (and the experiment) a user can group by, at most MAX_GROUP_OPTIONS. */
  readonly groupOptions: readonly { readonly id: string; readonly label: string }[];
  /** Shown metrics (last values) importance can be computed for, at most MAX_GROUP_OPTIONS. */
  readonly metricOptions: readonly string[];
}

/** The view as the webview holds it: the shown column ids stay on the host (they may be thousands). */
export type WebviewView = Omit<TableView, 'columns'> & { readonly columnCount: number };

export type ColumnOp =
  | { readonly op: 'show' | 'hide' | 'pin' | 'unpin'; readonly id: string }
  | { readonly op: 'move'; readonly id: string; readonly before: string }
  | { readonly op: 'width'; readonly id: string; readonly width: number }
  | { readonly op: 'reset' };

export interface SweepAxis {
  readonly column: ColumnInfo;
  /** Numeric values per shown run (null when missing), or category indices into `categories`. */
  readonly values: readonly (number | null)[];
  readonly categories?: readonly string[];
  readonly logSuggested: boolean;
}

export interface SweepData {
  readonly requestId: number;
  readonly uids: readonly string[];
  readonly axes: readonly SweepAxis[];
}

export interface ImportanceRow {
  /** A param, or `param = value` for one category of a text param (one-hot). */
  readonly feature: string;
  readonly correlation: number | null;
  readonly importance: number | null;
}

export interface ImportanceResult {
  readonly metric: string;
  readonly runs: number;
  readonly rows: readonly ImportanceRow[];
  /** Which method produced each column of numbers, as shown in the panel. */
  readonly correlationMethod: string;
  readonly importanceMethod: string;
  readonly note: string | null;
}

export type ToRunsTableWebview =
  | { readonly type: 'init'; readonly view: WebviewView; readonly summary: TableSummary; readonly window: GridWindow }
  | { readonly type: 'window'; readonly requestId: number; readonly view: WebviewView; readonly summary: TableSummary; readonly window: GridWindow }
  | { readonly type: 'columns'; readonly requestId: number; readonly query: string; readonly total: number; readonly columns: readonly (ColumnInfo & { readonly shown: boolean })[] }
  | { readonly type: 'view'; readonly view: WebviewView }
  | ({ readonly type: 'sweep' } & SweepData)
  | { readonly type: 'importance'; readonly result: ImportanceResult }
  | { readonly type: 'notice'; readonly ok: boolean; readonly message: string };

export type SelectMode = 'only' | 'toggle' | 'range' | 'all' | 'none';

export type FromRunsTableWebview =
  | { readonly type: 'ready' }
  | { readonly type: 'window'; readonly requestId: number; readonly request: WindowRequest }
  | { readonly type: 'setView'; readonly requestId: number; readonly view: Partial<Omit<TableView, 'columns'>>; readonly request: WindowRequest }
  | { readonly type: 'columnOp'; readonly requestId: number; readonly change: ColumnOp; readonly request: WindowRequest }
  | { readonly type: 'searchColumns'; readonly requestId: number; readonly query: string; readonly limit: number }
  | { readonly type: 'select'; readonly requestId: number; readonly mode: SelectMode; readonly index: number; readonly anchor: number; readonly request: WindowRequest }
  | { readonly type: 'toggleGroup'; readonly requestId: number; readonly label: string; readonly request: WindowRequest }
  | { readonly type: 'compare' }
  | { readonly type: 'copyIds' }
  | { readonly type: 'export'; readonly format: 'csv' | 'markdown'; readonly target: 'file' | 'clipboard' }
  | { readonly type: 'sweep'; readonly requestId: number; readonly columns: readonly string[] }
  | { readonly type: 'importance'; readonly metric: string };

/** Longest cell text sent; longer values are cut (the cell says so and shows the cut text as its tooltip). */
export const MAX_CELL_CHARS = 300;
/** Most rows and columns one window may hold: bounds every message whatever the table's size. */
export const MAX_WINDOW_ROWS = 200;
export const MAX_WINDOW_COLUMNS = 80;
export const DEFAULT_COLUMN_WIDTH = 120;
export const MIN_COLUMN_WIDTH = 40;
export const MAX_COLUMN_WIDTH = 1200;
export const MAX_GROUP_OPTIONS = 300;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

export function isWindowRequest(v: unknown): v is WindowRequest {
  return isObject(v) && isInt(v.rowStart) && isInt(v.rowCount) && isInt(v.scrollLeft) && isInt(v.viewWidth);
}

/** Checks a message's shape and contents (a webview is a separate, less trusted context). */
export function isFromRunsTableWebview(v: unknown): v is FromRunsTableWebview {
  if (!isObject(v) || typeof v.type !== 'string') return false;
  switch (v.type) {
    case 'ready':
    case 'compare':
    case 'copyIds':
      return true;
    case 'window':
      return isInt(v.requestId) && isWindowRequest(v.request);
    case 'setView':
      return isInt(v.requestId) && isObject(v.view) && !('columns' in v.view) && isWindowRequest(v.request);
    case 'columnOp':
      return isInt(v.requestId) && isObject(v.change) && ['show', 'hide', 'pin', 'unpin', 'move', 'width', 'reset'].includes(v.change.op as string) && isWindowRequest(v.request);
    case 'searchColumns':
      return isInt(v.requestId) && typeof v.query === 'string' && isInt(v.limit);
    case 'select':
      return isInt(v.requestId) && ['only', 'toggle', 'range', 'all', 'none'].includes(v.mode as string) && isInt(v.index) && isInt(v.anchor) && isWindowRequest(v.request);
    case 'toggleGroup':
      return isInt(v.requestId) && typeof v.label === 'string' && isWindowRequest(v.request);
    case 'export':
      return (v.format === 'csv' || v.format === 'markdown') && (v.target === 'file' || v.target === 'clipboard');
    case 'sweep':
      return isInt(v.requestId) && Array.isArray(v.columns) && v.columns.every((c) => typeof c === 'string');
    case 'importance':
      return typeof v.metric === 'string';
    default:
      return false;
  }
}
