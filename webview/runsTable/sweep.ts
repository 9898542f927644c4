// Sweep views for the shown runs: parallel coordinates (brushing an axis filters the table), a scatter
// of any two columns (log axes, colour by a third) and parameter importance, all drawn on canvases.
// Lines are batched into a few paths (one per colour bucket), so 10,000 runs redraw in milliseconds.
import type { BrushRange, FromRunsTableWebview, ImportanceResult, SweepAxis, SweepData, TableSummary, ToRunsTableWebview } from '../../src/shared/runsTableProtocol';
import { el } from './dom';

const BUCKETS = 12;
/** Light-to-dark ramp readable on light and dark themes (viridis stops). */
const RAMP = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];
const AXIS_HIT_PX = 14;
const MAX_PARAM_AXES = 10;

type Tab = 'parallel' | 'scatter' | 'importance';

interface Scale {
  readonly toY: (value: number) => number;
  readonly fromY: (y: number) => number;
}

export class SweepViews {
  readonly element = el('section', { class: 'sweep', hidden: '', 'aria-label': 'Sweep views' });
  private tab: Tab = 'parallel';
  private data: SweepData | undefined;
  private summary: TableSummary | undefined;
  private key = '';
  private brushes = new Map<string, BrushRange>();
  private brushTimer: ReturnType<typeof setTimeout> | undefined;
  private requestId = 0;
  private readonly metricSelect = el('select', { 'aria-label': 'Metric' });
  private readonly xSelect = el('select', { 'aria-label': 'Scatter x' });
  private readonly ySelect = el('select', { 'aria-label': 'Scatter y' });
  private readonly colourSelect = el('select', { 'aria-label': 'Colour by' });
  private readonly logX = el('input', { type: 'checkbox', 'aria-label': 'Log x' });
  private readonly logY = el('input', { type: 'checkbox', 'aria-label': 'Log y' });
  private readonly canvas = el('canvas', { class: 'plot', role: 'img' });
  private readonly importance = el('div', { class: 'importance' });
  private readonly info = el('div', { class: 'sweep-info', role: 'status' });
  private readonly tabs: Record<Tab, HTMLButtonElement>;
  private readonly scatterControls: HTMLElement;
  private drag: { axis: number; y0: number } | undefined;

  constructor(
    private readonly send: (message: FromRunsTableWebview) => void,
    private readonly onBrush: (brushes: BrushRange[]) => void,
  ) {
    const tab = (id: Tab, label: string) => {
      const b = el('button', { type: 'button', role: 'tab', class: 'tab' }, label);
      b.addEventListener('click', () => this.show(id));
      return b;
    };
    this.tabs = { parallel: tab('parallel', 'Parallel coordinates'), scatter: tab('scatter', 'Scatter'), importance: tab('importance', 'Parameter importance') };
    this.scatterControls = el('span', { class: 'scatter-controls' }, 'x ', this.xSelect, el('label', {}, this.logX, ' log'), ' y ', this.ySelect, el('label', {}, this.logY, ' log'), ' colour ', this.colourSelect);
    this.element.append(
      el('div', { class: 'sweep-bar', role: 'tablist' }, this.tabs.parallel, this.tabs.scatter, this.tabs.importance, el('label', {}, ' Metric ', this.metricSelect), this.scatterControls),
      this.info,
      this.canvas,
      this.importance,
    );
    for (const s of [this.metricSelect, this.xSelect, this.ySelect, this.colourSelect]) s.addEventListener('change', () => this.request());
    for (const c of [this.logX, this.logY]) c.addEventListener('change', () => this.draw());
    this.canvas.addEventListener('pointerdown', (e) => this.brushStart(e));
    this.canvas.addEventListener('pointermove', (e) => this.brushMove(e));
    this.canvas.addEventListener('pointerup', () => (this.drag = undefined));
    this.canvas.addEventListener('dblclick', (e) => this.clearBrush(e));
    new ResizeObserver(() => this.draw()).observe(this.canvas);
    this.show('parallel');
  }

  get visible(): boolean {
    return !this.element.hidden;
  }

  toggle(summary: TableSummary | undefined): void {
    this.element.hidden = !this.element.hidden;
    if (this.visible && summary) this.tableChanged(summary, '', true);
  }

  /** The table changed: new runs to plot only when the filter, search or data changed (not after a brush). */
  tableChanged(summary: TableSummary, key: string, force = false): void {
    this.summary = summary;
    this.fillSelects();
    if (force || key !== this.key) {
      this.key = key;
      this.request();
    }
  }

  private fillSelects(): void {
    const s = this.summary!;
    const fill = (select: HTMLSelectElement, options: { id: string; label: string }[], fallback: number) => {
      const keep = select.value;
      select.replaceChildren(...options.map((o) => el('option', { value: o.id }, o.label)));
      select.value = options.some((o) => o.id === keep) ? keep : (options[Math.min(fallback, options.length - 1)]?.id ?? '');
    };
    const metrics = s.metricOptions.map((m) => ({ id: `m:last:${m}`, label: m }));
    const params = s.groupOptions.filter((o) => o.id.startsWith('p:'));
    fill(this.metricSelect, metrics, 0);
    fill(this.xSelect, [...params, ...metrics], 0);
    fill(this.ySelect, [...metrics, ...params], 0);
    fill(this.colourSelect, [...metrics, ...params], 1);
  }

  private axesWanted(): string[] {
    const params = (this.summary?.groupOptions ?? []).filter((o) => o.id.startsWith('p:')).slice(0, MAX_PARAM_AXES).map((o) => o.id);
    return [...new Set([...params, this.metricSelect.value, this.xSelect.value, this.ySelect.value, this.colourSelect.value].filter(Boolean))];
  }

  private request(): void {
    if (!this.visible) return;
    if (this.tab === 'importance') {
      if (this.metricSelect.value) this.send({ type: 'importance', metric: this.metricSelect.value.slice('m:last:'.length) });
      return;
    }
    this.send({ type: 'sweep', requestId: ++this.requestId, columns: this.axesWanted() });
  }

  private show(tab: Tab): void {
    this.tab = tab;
    for (const [id, b] of Object.entries(this.tabs)) b.setAttribute('aria-selected', String(id === tab));
    this.canvas.hidden = tab === 'importance';
    this.importance.hidden = tab !== 'importance';
    this.scatterControls.hidden = tab !== 'scatter';
    this.request();
    this.draw();
  }

  receive(message: Extract<ToRunsTableWebview, { type: 'sweep' | 'importance' }>): void {
    if (message.type === 'importance') return this.renderImportance(message.result);
    if (message.requestId !== this.requestId) return;
    this.data = message;
    // Brushes on axes no longer plotted are dropped.
    for (const id of this.brushes.keys()) if (!message.axes.some((a) => a.column.id === id)) this.brushes.delete(id);
    this.draw();
  }

  private parallelAxes(): SweepAxis[] {
    if (!this.data) return [];
    // Params that vary and that at least half the runs have (a key one run logged is no axis of the sweep).
    const half = this.data.uids.length / 2;
    const params = this.data.axes.filter((a) => a.column.kind === 'param' && new Set(a.values).size > 1 && a.values.filter((v) => v !== null).length >= half).slice(0, MAX_PARAM_AXES);
    const metric = this.data.axes.find((a) => a.column.id === this.metricSelect.value);
    return metric ? [...params, metric] : params;
  }

  // ---- drawing ----

  private draw(): void {
    if (!this.visible || this.tab === 'importance') return;
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(200, canvas.clientWidth);
    const height = Math.max(160, canvas.clientHeight);
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const ctx = canvas.getContext('2d')!;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (!this.data || this.data.uids.length === 0) {
      this.info.textContent = this.data ? 'No runs to plot.' : 'Loading…';
      return;
    }
    if (this.tab === 'parallel') this.drawParallel(ctx, width, height);
    else this.drawScatter(ctx, width, height);
  }

  private themeColour(name: string, fallback: string): string {
    return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
  }

  private drawParallel(ctx: CanvasRenderingContext2D, width: number, height: number): void {
    const axes = this.parallelAxes();
    const started = performance.now();
    if (axes.length < 2) {
      this.info.textContent = 'Parallel coordinates need at least one param that varies and a metric.';
      return;
    }
    const top = 34;
    const bottom = height - 16;
    const xs = axes.map((_, i) => 40 + (i * (width - 80)) / (axes.length - 1));
    const scales = axes.map((a) => scaleFor(a, top, bottom));
    const n = this.data!.uids.length;
    const inside = this.brushedMask(axes, n);
    const metric = axes[axes.length - 1];
    const metricScale = valueRange(metric);
    const paths = Array.from({ length: BUCKETS + 1 }, () => new Path2D());
    for (let r = 0; r < n; r++) {
      const bucket = inside[r] ? bucketOf(metric.values[r], metricScale, BUCKETS) : BUCKETS;
      const path = paths[bucket];
      let started2 = false;
      for (let a = 0; a < axes.length; a++) {
        const v = axes[a].values[r];
        if (v === null) {
          started2 = false;
          continue;
        }
        const y = scales[a].toY(v);
        if (started2) path.lineTo(xs[a], y);
        else path.moveTo(xs[a], y);
        started2 = true;
      }
    }
    ctx.lineWidth = 1;
    ctx.globalAlpha = n > 2000 ? 0.12 : 0.3;
    ctx.strokeStyle = this.themeColour('--vscode-disabledForeground', '#888');
    ctx.stroke(paths[BUCKETS]);
    ctx.globalAlpha = n > 2000 ? 0.35 : 0.85;
    for (let b = 0; b < BUCKETS; b++) {
      ctx.strokeStyle = RAMP[Math.round((b * (RAMP.length - 1)) / (BUCKETS - 1))];
      ctx.stroke(paths[b]);
    }
    ctx.globalAlpha = 1;
    this.drawAxes(ctx, axes, xs, scales, top, bottom);
    const shown = inside.reduce((s, v) => s + v, 0);
    this.info.textContent = `${shown.toLocaleString()} of ${n.toLocaleString()} runs inside the brushes · drag along an axis to brush, double-click it to clear · drawn in ${(performance.now() - started).toFixed(0)} ms`;
    this.canvas.setAttribute('aria-label', `Parallel coordinates of ${n} runs over ${axes.map((a) => a.column.label).join(', ')}`);
  }

  private drawAxes(ctx: CanvasRenderingContext2D, axes: SweepAxis[], xs: number[], scales: Scale[], top: number, bottom: number): void {
    const fg = this.themeColour('--vscode-foreground', '#ccc');
    const accent = this.themeColour('--vscode-focusBorder', '#0078d4');
    ctx.font = '11px sans-serif';
    ctx.textAlign = 'center';
    axes.forEach((axis, i) => {
      ctx.strokeStyle = fg;
      ctx.beginPath();
      ctx.moveTo(xs[i], top);
      ctx.lineTo(xs[i], bottom);
      ctx.stroke();
      ctx.fillStyle = fg;
      const label = axis.column.label.length > 18 ? `${axis.column.label.slice(0, 17)}…` : axis.column.label;
      ctx.fillText(label, xs[i], 12);
      const range = valueRange(axis);
      const ends = axis.categories ? [axis.categories[0] ?? '', axis.categories[axis.categories.length - 1] ?? ''] : [fmt(range.max), fmt(range.min)];
      ctx.fillText(axis.categories ? ends[1].slice(0, 14) : ends[0], xs[i], top - 6);
      ctx.fillText(axis.categories ? ends[0].slice(0, 14) : ends[1], xs[i], bottom + 12);
      if (axis.categories && axis.categories.length <= 12) {
        ctx.textAlign = 'left';
        axis.categories.forEach((c, k) => ctx.fillText(c.slice(0, 14), xs[i] + 4, scales[i].toY(k) + 4));
        ctx.textAlign = 'center';
      }
      const brush = this.brushes.get(axis.column.id);
      if (brush) {
        const [y0, y1] = brushPixels(axis, brush, scales[i]);
        ctx.fillStyle = accent;
        ctx.globalAlpha = 0.3;
        ctx.fillRect(xs[i] - 7, Math.min(y0, y1), 14, Math.abs(y1 - y0) || 2);
        ctx.globalAlpha = 1;
      }
    });
  }

  private brushedMask(axes: SweepAxis[], n: number): Uint8Array {
    const inside = new Uint8Array(n).fill(1);
    for (const axis of axes) {
      const brush = this.brushes.get(axis.column.id);
      if (!brush) continue;
      for (let r = 0; r < n; r++) {
        const v = axis.values[r];
        if (v === null) inside[r] = 0;
        else if (axis.categories) inside[r] &= brush.values!.includes(axis.categories[v]) ? 1 : 0;
        else inside[r] &= v >= (brush.min ?? -Infinity) && v <= (brush.max ?? Infinity) ? 1 : 0;
      }
    }
    return inside;
  }

  private drawScatter(ctx: CanvasRenderingContext2D, width: number, height: number): void {
    const find = (id: string) => this.data!.axes.find((a) => a.column.id === id);
    const xAxis = find(this.xSelect.value);
    const yAxis = find(this.ySelect.value);
    const colour = find(this.colourSelect.value);
    if (!xAxis || !yAxis) {
      this.info.textContent = 'Choose two columns.';
      return;
    }
    const left = 56;
    const bottom = height - 28;
    const sx = linearOrLog(valueRange(xAxis), this.logX.checked, left, width - 12);
    const sy = linearOrLog(valueRange(yAxis), this.logY.checked, bottom, 12);
    const colourRange = colour ? valueRange(colour) : undefined;
    const paths = Array.from({ length: BUCKETS + 1 }, () => new Path2D());
    let plotted = 0;
    for (let r = 0; r < this.data!.uids.length; r++) {
      const x = xAxis.values[r];
      const y = yAxis.values[r];
      if (x === null || y === null) continue;
      const px = sx(x);
      const py = sy(y);
      if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
      const bucket = colour && colourRange ? bucketOf(colour.values[r], colourRange, BUCKETS) : BUCKETS;
      paths[bucket].rect(px - 2, py - 2, 4, 4);
      plotted++;
    }
    ctx.fillStyle = this.themeColour('--vscode-descriptionForeground', '#999');
    ctx.fill(paths[BUCKETS]);
    for (let b = 0; b < BUCKETS; b++) {
      ctx.fillStyle = RAMP[Math.round((b * (RAMP.length - 1)) / (BUCKETS - 1))];
      ctx.fill(paths[b]);
    }
    const fg = this.themeColour('--vscode-foreground', '#ccc');
    ctx.strokeStyle = fg;
    ctx.fillStyle = fg;
    ctx.strokeRect(left, 12, width - 12 - left, bottom - 12);
    ctx.font = '11px sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText(`${xAxis.column.label}${this.logX.checked ? ' (log)' : ''}`, (left + width) / 2, height - 8);
    const xr = valueRange(xAxis);
    ctx.fillText(fmt(xr.min), left, bottom + 12);
    ctx.fillText(fmt(xr.max), width - 20, bottom + 12);
    ctx.save();
    ctx.translate(12, (bottom + 12) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(`${yAxis.column.label}${this.logY.checked ? ' (log)' : ''}`, 0, 0);
    ctx.restore();
    const yr = valueRange(yAxis);
    ctx.textAlign = 'right';
    ctx.fillText(fmt(yr.max), left - 4, 20);
    ctx.fillText(fmt(yr.min), left - 4, bottom);
    const logNote = (this.logX.checked && xr.min <= 0) || (this.logY.checked && yr.min <= 0) ? ' · values ≤ 0 are left out on a log axis' : '';
    this.info.textContent = `${plotted.toLocaleString()} runs · colour: ${colour?.column.label ?? 'none'} (dark = low, yellow = high)${logNote}`;
    this.canvas.setAttribute('aria-label', `Scatter of ${yAxis.column.label} against ${xAxis.column.label}, ${plotted} runs`);
  }

  // ---- brushing ----

  private axisAt(x: number): number | undefined {
    const axes = this.parallelAxes();
    if (this.tab !== 'parallel' || axes.length < 2) return undefined;
    const width = this.canvas.clientWidth;
    for (let i = 0; i < axes.length; i++) if (Math.abs(40 + (i * (width - 80)) / (axes.length - 1) - x) <= AXIS_HIT_PX) return i;
    return undefined;
  }

  private brushStart(e: PointerEvent): void {
    const axis = this.axisAt(e.offsetX);
    if (axis === undefined) return;
    this.drag = { axis, y0: e.offsetY };
    this.canvas.setPointerCapture(e.pointerId);
  }

  private brushMove(e: PointerEvent): void {
    if (!this.drag) return;
    const axis = this.parallelAxes()[this.drag.axis];
    const scale = scaleFor(axis, 34, this.canvas.clientHeight - 16);
    const [lo, hi] = [Math.min(this.drag.y0, e.offsetY), Math.max(this.drag.y0, e.offsetY)];
    if (hi - lo < 3) return;
    const a = scale.fromY(hi);
    const b = scale.fromY(lo);
    const brush: BrushRange = axis.categories
      ? { column: axis.column.id, values: axis.categories.filter((_, k) => k >= Math.min(a, b) - 1e-9 && k <= Math.max(a, b) + 1e-9) }
      : { column: axis.column.id, min: Math.min(a, b), max: Math.max(a, b) };
    this.brushes.set(axis.column.id, brush);
    this.draw();
    this.emitBrushes();
  }

  private clearBrush(e: MouseEvent): void {
    const axis = this.axisAt(e.offsetX);
    if (axis === undefined) this.brushes.clear();
    else this.brushes.delete(this.parallelAxes()[axis].column.id);
    this.draw();
    this.emitBrushes();
  }

  /** Sets a brush from outside (the browser check, keyboard users): a numeric range on a column. */
  setBrush(brush: BrushRange | undefined, column?: string): void {
    if (brush) this.brushes.set(brush.column, brush);
    else if (column) this.brushes.delete(column);
    this.draw();
    this.emitBrushes();
  }

  private emitBrushes(): void {
    clearTimeout(this.brushTimer);
    this.brushTimer = setTimeout(() => this.onBrush([...this.brushes.values()]), 60);
  }

  // ---- importance ----

  private renderImportance(result: ImportanceResult): void {
    const rows = result.rows.map((r) =>
      el(
        'tr',
        {},
        el('th', { scope: 'row', title: r.feature }, r.feature),
        el('td', {}, bar(r.importance, 0, 1), r.importance === null ? '—' : r.importance.toFixed(3)),
        el('td', {}, bar(r.correlation, -1, 1), r.correlation === null ? '—' : r.correlation.toFixed(3)),
      ),
    );
    this.importance.replaceChildren(
      el('p', { class: 'method' }, `${result.runs} runs with a finite ${result.metric}. Importance: ${result.importanceMethod}. Correlation: ${result.correlationMethod}.`),
      ...(result.note ? [el('p', { class: 'note' }, result.note)] : []),
      el('table', {}, el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Param'), el('th', { scope: 'col' }, 'Importance (random forest)'), el('th', { scope: 'col' }, 'Correlation (Pearson)'))), el('tbody', {}, ...rows)),
    );
    this.info.textContent = '';
  }
}

function bar(value: number | null, min: number, max: number): HTMLElement {
  const span = el('span', { class: `bar${value !== null && value < 0 ? ' negative' : ''}`, 'aria-hidden': 'true' });
  span.style.width = `${value === null ? 0 : Math.round((Math.abs(value) / Math.max(Math.abs(min), Math.abs(max))) * 60)}px`;
  return span;
}

function valueRange(axis: SweepAxis): { min: number; max: number } {
  if (axis.categories) return { min: 0, max: Math.max(1, axis.categories.length - 1) };
  let min = Infinity;
  let max = -Infinity;
  for (const v of axis.values) {
    if (v === null) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) return { min: 0, max: 1 };
  return min === max ? { min: min - 1, max: max + 1 } : { min, max };
}

function scaleFor(axis: SweepAxis, top: number, bottom: number): Scale {
  const { min, max } = valueRange(axis);
  if (axis.logSuggested && min > 0) {
    const [a, b] = [Math.log10(min), Math.log10(max)];
    return { toY: (v) => bottom - ((Math.log10(v) - a) / (b - a)) * (bottom - top), fromY: (y) => 10 ** (a + ((bottom - y) / (bottom - top)) * (b - a)) };
  }
  return { toY: (v) => bottom - ((v - min) / (max - min)) * (bottom - top), fromY: (y) => min + ((bottom - y) / (bottom - top)) * (max - min) };
}

function linearOrLog(range: { min: number; max: number }, log: boolean, from: number, to: number): (v: number) => number {
  if (log) {
    const min = range.min > 0 ? range.min : 1e-12;
    const [a, b] = [Math.log10(min), Math.log10(Math.max(range.max, min * 10))];
    return (v) => (v > 0 ? from + ((Math.log10(v) - a) / (b - a)) * (to - from) : NaN);
  }
  return (v) => from + ((v - range.min) / (range.max - range.min)) * (to - from);
}

function bucketOf(value: number | null, range: { min: number; max: number }, buckets: number): number {
  if (value === null) return buckets;
  const t = (value - range.min) / (range.max - range.min);
  return Math.max(0, Math.min(buckets - 1, Math.floor(t * buckets)));
}

function brushPixels(axis: SweepAxis, brush: BrushRange, scale: Scale): [number, number] {
  if (axis.categories && brush.values) {
    const idx = brush.values.map((v) => axis.categories!.indexOf(v)).filter((i) => i >= 0);
    return idx.length ? [scale.toY(Math.min(...idx)) + 4, scale.toY(Math.max(...idx)) - 4] : [0, 0];
  }
  return [scale.toY(brush.min ?? 0), scale.toY(brush.max ?? 0)];
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}
