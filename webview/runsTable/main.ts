// The Runs Table webview: a pure renderer of the windows the host sends (src/shared/runsTableProtocol.ts).
// Rows and columns are virtualised: only the window on screen (plus a margin) is ever asked for or drawn.
// Run files are untrusted: every string from them is set as text (textContent, title), never as HTML.
import '../shared/base.css';
import './styles.css';
import {
  type ColumnOp,
  type FromRunsTableWebview,
  type GridWindow,
  type TableSummary,
  type ToRunsTableWebview,
  type WebviewView,
  type WindowRequest,
} from '../../src/shared/runsTableProtocol';
import { vscodeApi } from '../shared/vscodeApi';
import { el } from './dom';
import { SweepViews } from './sweep';

const ROW_HEIGHT = 24;
const HEADER_HEIGHT = 28;
const ROW_OVERSCAN = 15;

const api = vscodeApi<unknown, FromRunsTableWebview>();
let view: WebviewView | undefined;
let summary: TableSummary | undefined;
let current: GridWindow | undefined;
let requestId = 0;
let pending = false;
let again = false;
let focus = { row: 0, col: 0 };
let anchor = 0;

const root = document.getElementById('root')!;
const filterInput = el('input', { type: 'text', placeholder: 'Filter: val_loss < 0.3 and params.lr = 0.01', 'aria-label': 'Filter runs', class: 'filter' });
const searchInput = el('input', { type: 'search', placeholder: 'Search', 'aria-label': 'Search runs', class: 'search' });
const groupSelect = el('select', { 'aria-label': 'Group by' });
const differing = el('input', { type: 'checkbox', id: 'only-differing' });
const status = el('span', { class: 'status', role: 'status', 'aria-live': 'polite' });
const filterError = el('div', { class: 'filter-error', role: 'alert' });
const chooser = el('div', { class: 'chooser', hidden: '', role: 'dialog', 'aria-label': 'Columns' });
const grid = el('div', { class: 'grid', role: 'grid', tabindex: '0', 'aria-multiselectable': 'true', 'aria-label': 'Runs' });
const canvas = el('div', { class: 'canvas' });
const header = el('div', { class: 'row header', role: 'row', 'aria-rowindex': '1' });
const body = el('div', { class: 'body', role: 'rowgroup' });
canvas.append(header, body);
grid.append(canvas);

function button(label: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { type: 'button', title }, label);
  b.addEventListener('click', onClick);
  return b;
}

const sweep = new SweepViews((message) => send(message), (brushes) => setView({ brushes }));

root.append(
  el(
    'div',
    { class: 'toolbar', role: 'toolbar', 'aria-label': 'Runs table' },
    filterInput,
    searchInput,
    el('label', {}, 'Group by ', groupSelect),
    button('Columns…', 'Choose, pin and order columns', () => toggleChooser()),
    el('label', { for: 'only-differing' }, differing, ' Only columns that differ'),
    el('span', { class: 'spacer' }),
    button('Compare', 'Open the selected runs in the comparison panel', () => send({ type: 'compare' })),
    button('Copy IDs', 'Copy the selected runs’ IDs', () => send({ type: 'copyIds' })),
    button('Baseline', 'Make the focused run the baseline (Δ columns); again to clear', () => toggleBaseline()),
    button('CSV', 'Copy the shown table as CSV', () => send({ type: 'export', format: 'csv', target: 'clipboard' })),
    button('Markdown', 'Copy the shown table as Markdown (for a pull request)', () => send({ type: 'export', format: 'markdown', target: 'clipboard' })),
    button('Sweep views', 'Parallel coordinates, scatter and parameter importance of the shown runs', () => sweep.toggle(summary)),
  ),
  filterError,
  chooser,
  grid,
  status,
  sweep.element,
);

function send(message: FromRunsTableWebview): void {
  api.postMessage(message);
}

function windowRequest(): WindowRequest {
  const top = Math.max(0, Math.floor(grid.scrollTop / ROW_HEIGHT) - ROW_OVERSCAN);
  const rows = Math.ceil(grid.clientHeight / ROW_HEIGHT) + 2 * ROW_OVERSCAN;
  const pinned = current?.pinnedWidth ?? 0;
  return { rowStart: top, rowCount: rows, scrollLeft: Math.max(0, Math.round(grid.scrollLeft)), viewWidth: Math.max(1, Math.round(grid.clientWidth - pinned)) };
}

/** One request in flight at a time; a scroll meanwhile asks once more when it returns. */
function requestWindow(): void {
  if (pending) {
    again = true;
    return;
  }
  pending = true;
  send({ type: 'window', requestId: ++requestId, request: windowRequest() });
}

function setView(change: Extract<FromRunsTableWebview, { type: 'setView' }>['view']): void {
  pending = true;
  send({ type: 'setView', requestId: ++requestId, view: change, request: windowRequest() });
}

function columnOp(change: ColumnOp): void {
  pending = true;
  send({ type: 'columnOp', requestId: ++requestId, change, request: windowRequest() });
}

function covered(): boolean {
  if (!current) return false;
  const first = Math.floor(grid.scrollTop / ROW_HEIGHT);
  const last = first + Math.ceil(grid.clientHeight / ROW_HEIGHT);
  const rowsOk = first >= current.rowStart && Math.min(last, current.totalRows - 1) < current.rowStart + current.rows.length;
  const unpinned = current.columns.filter((c) => c.index >= current!.pinned);
  const x0 = grid.scrollLeft;
  const x1 = x0 + grid.clientWidth - current.pinnedWidth;
  const colsOk = unpinned.length === 0 || ((unpinned[0].left <= x0 || unpinned[0].index === current.pinned) && (unpinned[unpinned.length - 1].left + unpinned[unpinned.length - 1].width >= Math.min(x1, current.scrollWidth)));
  return rowsOk && colsOk;
}

grid.addEventListener('scroll', () => {
  if (!covered()) requestWindow();
});
new ResizeObserver(() => {
  if (!covered()) requestWindow();
}).observe(grid);

function cellId(row: number, col: number): string {
  return `c-${row}-${col}`;
}

function render(): void {
  if (!current || !view) return;
  const w = current;
  const width = w.pinnedWidth + w.scrollWidth;
  canvas.style.height = `${HEADER_HEIGHT + w.totalRows * ROW_HEIGHT}px`;
  canvas.style.width = `${width}px`;
  grid.setAttribute('aria-rowcount', String(w.totalRows + 1));
  grid.setAttribute('aria-colcount', String(w.totalColumns));
  header.replaceChildren(...rowCells(w, null));
  header.style.width = `${width}px`;
  const rows = w.rows.map((r) => {
    const row = el('div', { class: 'row', role: 'row', 'aria-rowindex': String(r.index + 2) });
    row.style.top = `${HEADER_HEIGHT + r.index * ROW_HEIGHT}px`;
    row.style.width = `${width}px`;
    if (r.kind === 'group') row.classList.add('group');
    if (r.selected) {
      row.classList.add('selected');
      row.setAttribute('aria-selected', 'true');
    } else if (r.kind === 'run') row.setAttribute('aria-selected', 'false');
    if (r.baseline) row.classList.add('baseline');
    if (r.status === 'RUNNING') row.classList.add('running');
    row.dataset.index = String(r.index);
    row.append(...rowCells(w, r));
    return row;
  });
  body.replaceChildren(...rows);
  grid.setAttribute('aria-activedescendant', cellId(focus.row, focus.col));
}

/** The cells of one row (or of the header when `r` is null): pinned ones sticky, then a gap, then the window's columns. */
function rowCells(w: GridWindow, r: GridWindow['rows'][number] | null): HTMLElement[] {
  const out: HTMLElement[] = [];
  let x = 0;
  w.columns.forEach((c, i) => {
    const pinned = c.index < w.pinned;
    const left = pinned ? c.left : w.pinnedWidth + c.left;
    if (left > x) out.push(el('div', { class: 'gap', 'aria-hidden': 'true', style: `width:${left - x}px` }));
    x = left + c.width;
    const cell = r ? bodyCell(w, r, i) : headerCell(c, i);
    cell.style.width = `${c.width}px`;
    cell.setAttribute('aria-colindex', String(c.index + 1));
    if (pinned) {
      cell.classList.add('pinned');
      cell.style.left = `${c.left}px`;
      if (c.index === w.pinned - 1) cell.classList.add('pinned-last');
    }
    const rowIndex = r ? r.index : -1;
    cell.id = cellId(rowIndex, c.index);
    if (rowIndex === focus.row && c.index === focus.col) cell.classList.add('focused');
    out.push(cell);
  });
  return out;
}

function headerCell(c: GridWindow['columns'][number], _i: number): HTMLElement {
  const sort = c.sort ? (c.sort.descending ? 'descending' : 'ascending') : 'none';
  const cell = el('div', { class: `cell head kind-${c.kind}`, role: 'columnheader', 'aria-sort': sort, title: `${c.label}\n${c.kind}${c.stat ? ` · ${c.stat}` : ''} — click to sort, Shift+click to add to the sort, drag to move` });
  cell.draggable = true;
  const label = el('span', { class: 'label' }, c.label);
  cell.append(label);
  if (c.sort) cell.append(el('span', { class: 'sort', 'aria-hidden': 'true' }, `${c.sort.descending ? '▼' : '▲'}${view && view.sort.length > 1 ? c.sort.rank + 1 : ''}`));
  const resize = el('span', { class: 'resize', 'aria-hidden': 'true' });
  cell.append(resize);
  cell.addEventListener('click', (event) => {
    if ((event.target as HTMLElement).classList.contains('resize')) return;
    sortBy(c.id, event.shiftKey);
  });
  cell.addEventListener('dragstart', (event) => event.dataTransfer?.setData('text/x-column', c.id));
  cell.addEventListener('dragover', (event) => event.preventDefault());
  cell.addEventListener('drop', (event) => {
    event.preventDefault();
    const id = event.dataTransfer?.getData('text/x-column');
    if (id && id !== c.id) columnOp({ op: 'move', id, before: c.id });
  });
  resize.addEventListener('pointerdown', (event) => startResize(event, c.id, c.width, cell));
  return cell;
}

function startResize(event: PointerEvent, id: string, width: number, cell: HTMLElement): void {
  event.preventDefault();
  event.stopPropagation();
  const x0 = event.clientX;
  const move = (e: PointerEvent) => (cell.style.width = `${Math.max(40, width + e.clientX - x0)}px`);
  const up = (e: PointerEvent) => {
    window.removeEventListener('pointermove', move);
    window.removeEventListener('pointerup', up);
    columnOp({ op: 'width', id, width: Math.max(40, width + e.clientX - x0) });
  };
  window.addEventListener('pointermove', move);
  window.addEventListener('pointerup', up);
}

function bodyCell(w: GridWindow, r: GridWindow['rows'][number], i: number): HTMLElement {
  const c = w.columns[i];
  const data = r.cells[i];
  const cell = el('div', { class: `cell${c.numeric ? ' num' : ''}`, role: 'gridcell' });
  if (r.kind === 'group' && i === 0) {
    const g = r.group!;
    const toggle = el('button', { type: 'button', class: 'twisty', 'aria-expanded': String(!g.collapsed), title: g.collapsed ? 'Expand group' : 'Collapse group' }, g.collapsed ? '▸' : '▾');
    toggle.addEventListener('click', (event) => {
      event.stopPropagation();
      pending = true;
      send({ type: 'toggleGroup', requestId: ++requestId, label: g.label, request: windowRequest() });
    });
    cell.append(toggle, el('span', { class: 'group-label' }, `${g.label} (${g.count})`));
    cell.title = `${g.label}: ${g.count} runs`;
    return cell;
  }
  if (i === 0 && r.color) cell.append(el('span', { class: 'swatch', style: `background:${r.color}`, 'aria-hidden': 'true' }));
  if (c.id === 'a:status' && r.status) cell.classList.add(`status-${r.status.toLowerCase()}`);
  if (data) {
    cell.append(el('span', { class: 'text' }, data.text + (data.cut ? '…' : '')));
    cell.title = data.cut ? `${data.text}… (cut: the value is longer)` : data.text;
    if (data.delta !== undefined) {
      const d = el('span', { class: `delta ${data.deltaSign === 1 ? 'better' : data.deltaSign === -1 ? 'worse' : ''}` }, `Δ ${data.delta}`);
      cell.append(d);
      cell.title += `\nΔ to baseline: ${data.delta}`;
    }
  }
  return cell;
}

function sortBy(id: string, add: boolean): void {
  if (!view) return;
  const existing = view.sort.find((s) => s.column === id);
  const next = existing ? { column: id, descending: !existing.descending } : { column: id, descending: false };
  const sort = add ? [...view.sort.filter((s) => s.column !== id), next] : [next];
  setView({ sort });
}

// ---- selection and keyboard ----

body.addEventListener('click', (event) => {
  const row = (event.target as HTMLElement).closest<HTMLElement>('.row');
  const cell = (event.target as HTMLElement).closest<HTMLElement>('.cell');
  if (!row?.dataset.index) return;
  const index = Number(row.dataset.index);
  focus = { row: index, col: cell ? Number(cell.getAttribute('aria-colindex')) - 1 : focus.col };
  select(event.shiftKey ? 'range' : event.ctrlKey || event.metaKey ? 'toggle' : 'only', index);
  grid.focus();
});

function select(mode: 'only' | 'toggle' | 'range' | 'all' | 'none', index: number): void {
  if (mode !== 'range') anchor = index;
  pending = true;
  send({ type: 'select', requestId: ++requestId, mode, index, anchor, request: windowRequest() });
}

grid.addEventListener('keydown', (event) => {
  if (!current) return;
  const rows = current.totalRows;
  const page = Math.max(1, Math.floor(grid.clientHeight / ROW_HEIGHT) - 1);
  const moves: Record<string, () => void> = {
    ArrowDown: () => (focus.row = Math.min(rows - 1, focus.row + 1)),
    ArrowUp: () => (focus.row = Math.max(-1, focus.row - 1)),
    ArrowRight: () => (focus.col = Math.min(current!.totalColumns - 1, focus.col + 1)),
    ArrowLeft: () => (focus.col = Math.max(0, focus.col - 1)),
    PageDown: () => (focus.row = Math.min(rows - 1, focus.row + page)),
    PageUp: () => (focus.row = Math.max(0, focus.row - page)),
    Home: () => (event.ctrlKey ? (focus.row = 0) : (focus.col = 0)),
    End: () => (event.ctrlKey ? (focus.row = rows - 1) : (focus.col = current!.totalColumns - 1)),
  };
  if (moves[event.key]) {
    event.preventDefault();
    moves[event.key]();
    if (event.shiftKey && focus.row >= 0 && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) select('range', focus.row);
    scrollToFocus();
    return;
  }
  if (event.key === ' ' && focus.row >= 0) {
    event.preventDefault();
    select(event.shiftKey ? 'range' : 'toggle', focus.row);
  } else if (event.key === 'Enter' && focus.row < 0) {
    const column = current.columns.find((c) => c.index === focus.col);
    if (column) sortBy(column.id, event.shiftKey);
  } else if (event.key === 'Enter' && current.rows.find((r) => r.index === focus.row)?.kind === 'group') {
    const g = current.rows.find((r) => r.index === focus.row)!.group!;
    pending = true;
    send({ type: 'toggleGroup', requestId: ++requestId, label: g.label, request: windowRequest() });
  } else if ((event.key === 'a' || event.key === 'A') && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    select('all', 0);
  } else if (event.key === 'Escape') {
    select('none', 0);
  }
});

/** Keeps the focused cell on screen (rows by scrollTop, columns by their offsets when known). */
function scrollToFocus(): void {
  if (!current) return;
  const top = HEADER_HEIGHT + focus.row * ROW_HEIGHT;
  if (focus.row >= 0 && top < grid.scrollTop + HEADER_HEIGHT) grid.scrollTop = top - HEADER_HEIGHT;
  else if (top + ROW_HEIGHT > grid.scrollTop + grid.clientHeight) grid.scrollTop = top + ROW_HEIGHT - grid.clientHeight;
  const column = current.columns.find((c) => c.index === focus.col);
  if (column && focus.col >= current.pinned) {
    const viewWidth = grid.clientWidth - current.pinnedWidth;
    if (column.left < grid.scrollLeft) grid.scrollLeft = column.left;
    else if (column.left + column.width > grid.scrollLeft + viewWidth) grid.scrollLeft = column.left + column.width - viewWidth;
  } else if (!column) grid.scrollLeft = Math.max(0, (focus.col - current.pinned) * 120);
  if (covered()) render();
  else requestWindow();
}

function toggleBaseline(): void {
  if (!view || !current) return;
  const focused = current.rows.find((r) => r.index === focus.row && r.kind === 'run');
  const uid = focused?.uid ?? current.rows.find((r) => r.selected)?.uid ?? null;
  setView({ baselineUid: view.baselineUid && (view.baselineUid === uid || !uid) ? null : uid });
}

// ---- toolbar ----

filterInput.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') setView({ filter: filterInput.value });
});
filterInput.addEventListener('change', () => setView({ filter: filterInput.value }));
let searchTimer: ReturnType<typeof setTimeout> | undefined;
searchInput.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => setView({ search: searchInput.value }), 150);
});
groupSelect.addEventListener('change', () => setView({ groupBy: groupSelect.value || null, collapsedGroups: [] }));
differing.addEventListener('change', () => setView({ onlyDiffering: differing.checked }));

function renderToolbar(): void {
  if (!view || !summary) return;
  if (document.activeElement !== filterInput) filterInput.value = view.filter;
  differing.checked = view.onlyDiffering;
  const options = [el('option', { value: '' }, 'Nothing'), ...summary.groupOptions.map((o) => el('option', { value: o.id }, o.label))];
  groupSelect.replaceChildren(...options);
  groupSelect.value = view.groupBy ?? '';
  filterError.textContent = summary.filterError ? `Filter not applied: ${summary.filterError}` : '';
  filterError.hidden = !summary.filterError;
  const selected = summary.selectedCount ? ` · ${summary.selectedCount} selected` : '';
  status.textContent = `${summary.shownRuns.toLocaleString()} of ${summary.totalRuns.toLocaleString()} runs · ${current?.totalColumns ?? 0} of ${summary.availableColumns} columns${selected}${view.baselineUid ? ' · baseline set' : ''}`;
}

// ---- column chooser ----

const chooserInput = el('input', { type: 'search', placeholder: 'Search columns', 'aria-label': 'Search columns' });
const chooserList = el('div', { class: 'chooser-list', role: 'list' });
const chooserCount = el('div', { class: 'chooser-count' });
chooser.append(
  el('div', { class: 'chooser-head' }, chooserInput, button('Reset', 'Default columns', () => columnOp({ op: 'reset' })), button('Close', 'Close', () => toggleChooser(false))),
  chooserCount,
  chooserList,
);
let chooserTimer: ReturnType<typeof setTimeout> | undefined;
chooserInput.addEventListener('input', () => {
  clearTimeout(chooserTimer);
  chooserTimer = setTimeout(searchColumns, 120);
});
function searchColumns(): void {
  send({ type: 'searchColumns', requestId: ++requestId, query: chooserInput.value, limit: 200 });
}
function toggleChooser(force?: boolean): void {
  const show = force ?? chooser.hidden;
  chooser.hidden = !show;
  if (show) {
    searchColumns();
    chooserInput.focus();
  }
}
function renderColumns(message: Extract<ToRunsTableWebview, { type: 'columns' }>): void {
  chooserCount.textContent = `${message.total.toLocaleString()} columns match${message.total > message.columns.length ? ` (first ${message.columns.length} listed: narrow the search)` : ''}`;
  chooserList.replaceChildren(
    ...message.columns.map((c) => {
      const box = el('input', { type: 'checkbox', 'aria-label': `Show ${c.label}` });
      box.checked = c.shown;
      box.addEventListener('change', () => columnOp({ op: box.checked ? 'show' : 'hide', id: c.id }));
      const pin = button('Pin', `Pin ${c.label} to the left`, () => columnOp({ op: 'pin', id: c.id }));
      return el('div', { class: 'chooser-item', role: 'listitem' }, box, el('span', { class: `kind kind-${c.kind}` }, c.kind), el('span', { class: 'label', title: c.label }, c.label), pin);
    }),
  );
}

// ---- messages ----

window.addEventListener('message', (event: MessageEvent<ToRunsTableWebview>) => receive(event.data));

function receive(message: ToRunsTableWebview): void {
  switch (message.type) {
    case 'init':
      view = message.view;
      summary = message.summary;
      current = message.window;
      renderToolbar();
      render();
      if (!covered()) requestWindow();
      return;
    case 'window':
      pending = false;
      view = message.view;
      summary = message.summary;
      current = message.window;
      renderToolbar();
      render();
      if (again || !covered()) {
        again = false;
        requestWindow();
      }
      if (sweep.visible) sweep.tableChanged(summary, `${view.filter}\u0000${view.search}\u0000${summary.totalRuns}`);
      return;
    case 'view':
      view = message.view;
      // Live data or a remembered view: ask again for the window on screen (scroll and selection stay).
      pending = false;
      requestWindow();
      return;
    case 'columns':
      renderColumns(message);
      return;
    case 'sweep':
    case 'importance':
      sweep.receive(message);
      return;
    case 'notice':
      status.textContent = message.message;
      return;
  }
}

const initial = document.getElementById('runs-table-state');
if (initial?.textContent) receive(JSON.parse(initial.textContent) as ToRunsTableWebview);
send({ type: 'ready' });
