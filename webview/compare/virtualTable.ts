// A table that renders only the rows in view (fixed row height), so 1,000+ params stay fast.
// Every string is set with textContent: values come from run files and are never parsed as HTML.

export interface Cell {
  readonly text: string;
  /** Full value shown on hover when the cell is truncated (defaults to `text`). */
  readonly title?: string;
  readonly className?: string;
  /** A colour swatch before the text (run colours). */
  readonly swatch?: string;
}

export interface Row {
  readonly cells: readonly Cell[];
  readonly className?: string;
}

const ROW_HEIGHT = 26;
const OVERSCAN = 12;

export class VirtualTable {
  private readonly scroller: HTMLDivElement;
  private readonly table: HTMLTableElement;
  private readonly colgroup: HTMLTableColElement;
  private readonly thead: HTMLTableSectionElement;
  private readonly tbody: HTMLTableSectionElement;
  private rows: readonly Row[] = [];
  private columns = 0;
  private renderedStart = -1;
  private renderedEnd = -1;
  private frame = 0;

  constructor(host: HTMLElement, label: string, private readonly widths: { first: number; other: number }) {
    this.scroller = document.createElement('div');
    this.scroller.className = 'vtable-scroll';
    this.scroller.tabIndex = 0;
    this.scroller.setAttribute('role', 'region');
    this.scroller.setAttribute('aria-label', label);
    this.table = document.createElement('table');
    this.table.className = 'vtable';
    this.colgroup = document.createElement('colgroup');
    this.thead = document.createElement('thead');
    this.tbody = document.createElement('tbody');
    this.table.append(this.colgroup, this.thead, this.tbody);
    this.scroller.append(this.table);
    host.append(this.scroller);
    this.scroller.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.scroller);
  }

  setData(header: readonly Cell[], rows: readonly Row[]): void {
    this.rows = rows;
    if (header.length !== this.columns || this.thead.textContent !== header.map((c) => c.text).join('')) {
      this.columns = header.length;
      this.colgroup.replaceChildren(
        ...header.map((_, i) => {
          const col = document.createElement('col');
          col.style.width = `${i === 0 ? this.widths.first : this.widths.other}px`;
          return col;
        }),
      );
      this.table.style.width = `${this.widths.first + this.widths.other * Math.max(0, header.length - 1)}px`;
      const tr = document.createElement('tr');
      tr.append(...header.map((cell) => this.cell('th', cell, 'col')));
      this.thead.replaceChildren(tr);
    }
    this.table.setAttribute('aria-rowcount', String(rows.length + 1));
    this.renderedStart = this.renderedEnd = -1;
    this.render();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const visible = Math.ceil((this.scroller.clientHeight || 400) / ROW_HEIGHT);
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const end = Math.min(this.rows.length, first + visible + 2 * OVERSCAN);
    if (first === this.renderedStart && end === this.renderedEnd) return;
    this.renderedStart = first;
    this.renderedEnd = end;
    const out: HTMLTableRowElement[] = [this.spacer(first * ROW_HEIGHT)];
    for (let i = first; i < end; i++) {
      const row = this.rows[i];
      const tr = document.createElement('tr');
      if (row.className) tr.className = row.className;
      tr.setAttribute('aria-rowindex', String(i + 2));
      tr.append(...row.cells.map((cell, c) => this.cell(c === 0 ? 'th' : 'td', cell, 'row')));
      out.push(tr);
    }
    out.push(this.spacer((this.rows.length - end) * ROW_HEIGHT));
    this.tbody.replaceChildren(...out);
  }

  private spacer(height: number): HTMLTableRowElement {
    const tr = document.createElement('tr');
    tr.className = 'vtable-spacer';
    tr.setAttribute('aria-hidden', 'true');
    const td = document.createElement('td');
    td.colSpan = Math.max(1, this.columns);
    td.style.height = `${height}px`;
    tr.append(td);
    return tr;
  }

  private cell(tag: 'th' | 'td', cell: Cell, scope: 'col' | 'row'): HTMLTableCellElement {
    const element = document.createElement(tag);
    if (element instanceof HTMLTableCellElement && tag === 'th') element.scope = scope;
    if (cell.className) element.className = cell.className;
    element.title = cell.title ?? cell.text;
    if (cell.swatch) {
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.backgroundColor = cell.swatch;
      element.append(swatch);
    }
    element.append(document.createTextNode(cell.text));
    return element;
  }
}
