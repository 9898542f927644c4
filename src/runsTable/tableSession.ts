// One open table's request handling, host-free: the panel and the browser check's stand-in host both
// answer the webview's messages through this, so what the check measures is what the panel runs.
import type { Database } from 'sql.js';
import type { FromRunsTableWebview, TableView, ToRunsTableWebview, WindowRequest } from '../shared/runsTableProtocol';
import { parameterImportance } from './importance';
import { loadRunsTableData, refreshRunningRows, storeFilterMatcher, type LoadOptions } from './tableData';
import { RunsTableModel } from './tableModel';

/** The first window before the webview has measured itself: a typical editor's rows and width. */
export const FIRST_WINDOW: WindowRequest = { rowStart: 0, rowCount: 60, scrollLeft: 0, viewWidth: 1600 };

export class RunsTableSession {
  readonly model: RunsTableModel;

  constructor(
    private readonly db: Database,
    private readonly load: LoadOptions,
    view: Partial<TableView> | undefined,
    title: string,
  ) {
    this.model = new RunsTableModel(loadRunsTableData(db, load), view, storeFilterMatcher(db), title);
  }

  init(request: WindowRequest = FIRST_WINDOW): ToRunsTableWebview {
    return { type: 'init', view: this.model.webviewView(), summary: this.model.summary(), window: this.model.window(request) };
  }

  /** After a store change: RUNNING rows in place, else a full reload; view, selection and order stay. */
  refresh(): void {
    if (!refreshRunningRows(this.db, this.model.tableData, this.load)) this.model.replaceData(loadRunsTableData(this.db, this.load));
    else this.model.replaceData(this.model.tableData);
  }

  /** Answers a message that only needs the table; returns undefined for those the panel handles (compare, export...). */
  handle(message: FromRunsTableWebview): ToRunsTableWebview | undefined {
    const windowReply = (requestId: number, request: WindowRequest): ToRunsTableWebview => ({ type: 'window', requestId, view: this.model.webviewView(), summary: this.model.summary(), window: this.model.window(request) });
    switch (message.type) {
      case 'window':
        return windowReply(message.requestId, message.request);
      case 'setView':
        this.model.setView(sanitizeView(message.view));
        return windowReply(message.requestId, message.request);
      case 'columnOp':
        this.model.columnOp(message.change);
        return windowReply(message.requestId, message.request);
      case 'select':
        this.model.select(message.mode, message.index, message.anchor);
        return windowReply(message.requestId, message.request);
      case 'toggleGroup':
        this.model.toggleGroup(message.label);
        return windowReply(message.requestId, message.request);
      case 'searchColumns': {
        const { total, columns } = this.model.searchColumns(message.query, Math.min(message.limit, 500));
        return { type: 'columns', requestId: message.requestId, query: message.query, total, columns };
      }
      case 'sweep':
        return { type: 'sweep', requestId: message.requestId, ...this.model.sweep(message.columns.slice(0, 40)) };
      case 'importance':
        return { type: 'importance', result: parameterImportance(this.model.tableData, this.model.shownRows, message.metric) };
      default:
        return undefined;
    }
  }
}

/** Keeps only well-formed view fields from the webview (a less trusted context). */
function sanitizeView(view: Record<string, unknown>): Partial<TableView> {
  const out: Record<string, unknown> = {};
  const str = (v: unknown) => typeof v === 'string';
  if (str(view.filter)) out.filter = view.filter;
  if (str(view.search)) out.search = view.search;
  if (view.groupBy === null || str(view.groupBy)) out.groupBy = view.groupBy;
  if (view.baselineUid === null || str(view.baselineUid)) out.baselineUid = view.baselineUid;
  if (typeof view.onlyDiffering === 'boolean') out.onlyDiffering = view.onlyDiffering;
  if (Array.isArray(view.sort)) out.sort = view.sort.filter((s) => typeof s === 'object' && s !== null && str(s.column) && typeof s.descending === 'boolean').slice(0, 8);
  if (Array.isArray(view.brushes)) out.brushes = view.brushes.filter((b) => typeof b === 'object' && b !== null && str(b.column)).slice(0, 64);
  if (Array.isArray(view.collapsedGroups)) out.collapsedGroups = view.collapsedGroups.filter(str);
  return out as Partial<TableView>;
}
