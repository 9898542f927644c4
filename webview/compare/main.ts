// The "Compare runs" webview: a pure renderer of the state the host sends (src/shared/compareProtocol.ts).
// Run files are untrusted: every string from them is set as text, never as HTML.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import {
  Chart,
  Decimation,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartDataset,
  type Plugin,
} from 'chart.js';
import {
  isToCompareWebview,
  seriesId,
  type CompareWebviewState,
  type ComparisonModel,
  type FromCompareWebview,
  type MetricCell,
  type SeriesData,
  type ToCompareWebview,
} from '../../src/shared/compareProtocol';
import { columnNotation, formatDuration as formatSharedDuration, formatNumber, type Notation } from '../../src/shared/format';
import { directionLabel, type MetricDirection } from '../../src/shared/metricDirection';
import { vscodeApi } from '../shared/vscodeApi';
import { VirtualTable, type Row } from './virtualTable';
import '../shared/base.css';
import './styles.css';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Decimation);

/** 'metric:<key>': another logged metric (e.g. epoch) as the x axis, joined by step. */
type XMode = 'step' | 'relative' | 'wall' | `metric:${string}`;
type Point = { x: number; y: number };

const api = vscodeApi<CompareWebviewState, FromCompareWebview>();
const post = (message: FromCompareWebview) => api.postMessage(message);

// ---- state ----------------------------------------------------------------------------------------

let folder = '';
let model: Omit<ComparisonModel, 'series'> | undefined;
const series = new Map<string, SeriesData>();
let onlyDifferences = false;
let search = '';
const hiddenRuns = new Set<string>();
let xMode: XMode = 'step';
let smoothing = 0;
let logScale = false;
let nextRequestId = 1;

interface ChartView {
  readonly key: string;
  readonly card: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  chart: Chart<'line', Point[]> | undefined;
  /** Set while zoomed: the x range shown and the full-resolution points the host sent for it. */
  zoom: { min: number; max: number; requestId: number; data: Map<string, SeriesData> } | undefined;
}
const charts = new Map<string, ChartView>();

// ---- DOM skeleton ---------------------------------------------------------------------------------

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(label: string, onClick: () => void, options: { secondary?: boolean; title?: string } = {}): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  if (options.secondary) b.setAttribute('secondary', '');
  if (options.title) b.title = options.title;
  b.addEventListener('click', onClick);
  return b;
}

const root = document.getElementById('root') ?? document.body;
const header = element('header', 'toolbar');
const title = element('h1', undefined, 'Compare runs');
const status = element('span', 'status');
status.setAttribute('role', 'status');
status.setAttribute('aria-live', 'polite');
header.append(
  title,
  element('span', 'spacer'),
  status,
  button('Export CSV', () => post({ type: 'export', format: 'csv', target: 'file' }), { secondary: true }),
  button('Save Markdown', () => post({ type: 'export', format: 'markdown', target: 'file' }), { secondary: true }),
  button('Copy as Markdown', () => post({ type: 'export', format: 'markdown', target: 'clipboard' })),
);

const missing = element('p', 'missing');
missing.hidden = true;

const cardsSection = section('Runs', 'runs');
const cards = element('div', 'cards');
cardsSection.append(cards);

const paramsSection = section('Params', 'params');
const paramsToolbar = element('div', 'section-toolbar');
const differencesBox = document.createElement('vscode-checkbox');
differencesBox.setAttribute('label', 'Only differences');
differencesBox.id = 'only-differences';
differencesBox.addEventListener('change', () => {
  onlyDifferences = (differencesBox as unknown as { checked: boolean }).checked;
  post({ type: 'toggleDifferences', onlyDifferences });
  persist();
  renderParams();
});
const searchBox = document.createElement('vscode-textfield');
searchBox.setAttribute('placeholder', 'Filter params');
searchBox.setAttribute('aria-label', 'Filter params by name or value');
searchBox.id = 'param-search';
searchBox.addEventListener('input', () => {
  search = ((searchBox as unknown as { value: string }).value ?? '').toLowerCase();
  renderParams();
});
const paramCount = element('span', 'count');
paramsToolbar.append(differencesBox, searchBox, paramCount);
paramsSection.append(paramsToolbar);
const paramsTable = new VirtualTable(paramsSection, 'Params', { first: 220, other: 170 });

const metricsSection = section('Metrics', 'metrics');
const metricsTable = new VirtualTable(metricsSection, 'Metric summaries', { first: 220, other: 120 });

const chartsSection = section('Charts', 'charts');
const chartsToolbar = element('div', 'section-toolbar');
const xSelect = document.createElement('vscode-single-select');
xSelect.id = 'x-axis';
xSelect.setAttribute('aria-label', 'X axis');
for (const [value, label] of [
  ['step', 'Step'],
  ['relative', 'Relative time'],
  ['wall', 'Wall time'],
] as const) {
  const option = document.createElement('vscode-option');
  option.setAttribute('value', value);
  option.textContent = label;
  xSelect.append(option);
}
xSelect.addEventListener('change', () => {
  xMode = ((xSelect as unknown as { value: string }).value as XMode) || 'step';
  for (const view of charts.values()) view.zoom = undefined;
  refreshCharts();
});
const smoothingLabel = element('label', 'slider');
const smoothingInput = element('input');
smoothingInput.type = 'range';
smoothingInput.min = '0';
smoothingInput.max = '0.99';
smoothingInput.step = '0.01';
smoothingInput.value = '0';
smoothingInput.id = 'smoothing';
const smoothingValue = element('span', 'slider-value', '0.00');
smoothingLabel.append('Smoothing ', smoothingInput, smoothingValue);
smoothingInput.addEventListener('input', () => {
  smoothing = Number(smoothingInput.value);
  smoothingValue.textContent = smoothing.toFixed(2);
  refreshCharts();
});
const logBox = document.createElement('vscode-checkbox');
logBox.setAttribute('label', 'Log scale');
logBox.id = 'log-scale';
logBox.addEventListener('change', () => {
  logScale = (logBox as unknown as { checked: boolean }).checked;
  refreshCharts();
});
chartsToolbar.append(element('span', 'label', 'X axis'), xSelect, smoothingLabel, logBox, element('span', 'hint', 'Shift+drag on a chart to zoom'));
const legend = element('div', 'legend');
legend.setAttribute('role', 'group');
legend.setAttribute('aria-label', 'Runs shown in the charts');
const chartGrid = element('div', 'chart-grid');
chartsSection.append(chartsToolbar, legend, chartGrid);

root.append(header, missing, cardsSection, paramsSection, metricsSection, chartsSection);

function section(name: string, id: string): HTMLElement {
  const s = element('section', `panel-section ${id}`);
  s.id = id;
  s.setAttribute('aria-labelledby', `${id}-title`);
  const h = element('h2', undefined, name);
  h.id = `${id}-title`;
  s.append(h);
  return s;
}

// ---- formatting -----------------------------------------------------------------------------------

function formatDuration(ms: number | null): string {
  return ms === null ? '—' : formatSharedDuration(ms);
}

function signed(value: number | null, suffix = ''): string {
  if (value === null) return '';
  return `${value > 0 ? '+' : ''}${suffix === '%' ? value.toFixed(1) : formatNumber(value)}${suffix}`;
}

// ---- rendering ------------------------------------------------------------------------------------

function renderAll(): void {
  if (!model) return;
  title.textContent = `Compare ${model.runs.length} runs`;
  missing.hidden = model.missingUids.length === 0;
  missing.textContent = model.missingUids.length ? `Not in the store (any more): ${model.missingUids.join(', ')}` : '';
  (differencesBox as unknown as { checked: boolean }).checked = onlyDifferences;
  renderCards();
  renderParams();
  renderMetrics();
  renderLegend();
  refreshCharts();
}

function renderCards(): void {
  if (!model) return;
  const baseline = model.baselineUid;
  cards.replaceChildren(
    ...model.runs.map((run) => {
      const card = element('article', run.uid === baseline ? 'card baseline' : 'card');
      card.setAttribute('aria-label', `Run ${run.name}`);
      const head = element('div', 'card-head');
      const swatch = element('span', 'swatch');
      swatch.style.backgroundColor = run.color;
      const name = element('span', 'card-name', run.name);
      name.title = run.uid;
      head.append(swatch, name, element('span', `badge status-${run.status.toLowerCase().replace(/[^a-z]/g, '')}`, run.status));
      const facts = element('dl', 'facts');
      const fact = (label: string, value: string | null, full?: string) => {
        if (value === null || value === '') return;
        const dd = element('dd', undefined, value);
        dd.title = full ?? value;
        facts.append(element('dt', undefined, label), dd);
      };
      fact('Experiment', run.experiment);
      fact('Duration', formatDuration(run.durationMs));
      fact('Format', run.format);
      fact('Source', run.sourcePath);
      fact('Commit', run.gitCommit ? run.gitCommit.slice(0, 10) : null, run.gitCommit ?? undefined);
      fact('Id', run.id);
      const tags = element('div', 'tags');
      for (const [k, v] of run.tags.slice(0, 8)) {
        const tag = element('span', 'tag', `${k}=${v}`);
        tag.title = `${k}=${v}`;
        tags.append(tag);
      }
      if (run.tags.length > 8) tags.append(element('span', 'tag more', `+${run.tags.length - 8}`));
      const actions = element('div', 'card-actions');
      if (run.uid === baseline) {
        actions.append(element('span', 'baseline-label', 'Baseline'));
      } else {
        const pin = button('Pin as baseline', () => post({ type: 'setBaseline', runUid: run.uid }), { secondary: true, title: `Compare every run against ${run.name}` });
        pin.setAttribute('aria-label', `Pin ${run.name} as baseline`);
        actions.append(pin);
      }
      const open = button('Open', () => post({ type: 'openRun', runUid: run.uid }), { secondary: true, title: 'Open the run’s source' });
      open.setAttribute('aria-label', `Open ${run.name}`);
      actions.append(open);
      card.append(head, facts);
      if (run.tags.length) card.append(tags);
      card.append(actions);
      return card;
    }),
  );
}

function runHeader(): Row['cells'] {
  if (!model) return [];
  return model.runs.map((r) => ({ text: r.uid === model?.baselineUid ? `${r.name} (baseline)` : r.name, title: `${r.name}\n${r.uid}`, swatch: r.color }));
}

function renderParams(): void {
  if (!model) return;
  const needle = search.trim();
  const rows: Row[] = [];
  let differing = 0;
  for (const p of model.params) {
    if (p.differs) differing++;
    if (onlyDifferences && !p.differs) continue;
    if (needle && !p.key.toLowerCase().includes(needle) && !p.values.some((v) => v !== null && v.toLowerCase().includes(needle))) continue;
    rows.push({
      className: p.differs ? 'differs' : undefined,
      cells: [{ text: p.key }, ...p.values.map((v) => (v === null ? { text: '—', title: 'not set', className: 'absent' } : { text: v }))],
    });
  }
  paramCount.textContent = `${rows.length} shown · ${differing} of ${model.params.length} differ`;
  paramsTable.setData([{ text: 'Param' }, ...runHeader()], rows);
}

function renderMetrics(): void {
  if (!model) return;
  const rows: Row[] = [];
  for (const m of model.metrics) {
    // One notation per metric, so its Last/Min/Max/Best columns never mix 6.168e-7 with 0.03663.
    const notation: Notation = columnNotation(m.cells.flatMap((c) => (c ? [c.last?.value, c.min?.value, c.max?.value] : [])));
    const value = (v: number | null | undefined) => formatNumber(v, { notation });
    rows.push({ className: 'group', cells: [{ text: `${m.key} ${directionText(m.direction)}`, title: m.key }, ...metricColumns.slice(1).map(() => ({ text: '' }))] });
    m.cells.forEach((cell: MetricCell | null, i) => {
      const run = model?.runs[i];
      if (!run || !cell) return;
      const best = i === m.bestRunIndex;
      const isBaseline = run.uid === model?.baselineUid;
      rows.push({
        className: best ? 'best' : undefined,
        cells: [
          { text: `${best ? '★ ' : ''}${run.name}${isBaseline ? ' (baseline)' : ''}`, title: `${run.name}\n${run.uid}${best ? '\nbest run for this metric' : ''}`, swatch: run.color },
          { text: value(cell.last?.value), className: 'num' },
          { text: cell.last ? String(cell.last.step) : '—', className: 'num' },
          { text: isBaseline ? '' : signed(cell.deltaAbs), className: `num ${deltaClass(cell.deltaAbs, m.direction)}` },
          { text: isBaseline ? '' : signed(cell.deltaPct, '%'), className: `num ${deltaClass(cell.deltaAbs, m.direction)}` },
          { text: value(cell.min?.value), className: 'num' },
          { text: value(cell.max?.value), className: 'num' },
          { text: value(cell.best?.value), className: best ? 'num best-value' : 'num' },
          { text: cell.best ? String(cell.best.step) : '—', className: 'num' },
          { text: String(cell.count), className: 'num' },
        ],
      });
    });
  }
  metricsTable.setData(metricColumns.map((text) => ({ text })), rows);
}

const metricColumns = ['Metric / run', 'Last', 'Last step', 'Δ vs baseline', 'Δ %', 'Min', 'Max', 'Best', 'Best step', 'Points'];

function directionText(direction: MetricDirection): string {
  const { arrow, words } = directionLabel(direction);
  return direction === 'neutral' ? '' : `${arrow} ${words}`;
}

function deltaClass(delta: number | null, direction: MetricDirection): string {
  if (delta === null || delta === 0 || direction === 'neutral') return '';
  return (delta < 0) === (direction === 'min') ? 'better' : 'worse';
}

function renderLegend(): void {
  if (!model) return;
  legend.replaceChildren(
    ...model.runs.map((run) => {
      const b = element('button', 'legend-item');
      b.type = 'button';
      b.setAttribute('aria-pressed', String(!hiddenRuns.has(run.uid)));
      b.title = `Show or hide ${run.name} in every chart`;
      const swatch = element('span', 'swatch');
      swatch.style.backgroundColor = run.color;
      b.append(swatch, document.createTextNode(run.name));
      b.addEventListener('click', () => {
        if (hiddenRuns.has(run.uid)) hiddenRuns.delete(run.uid);
        else hiddenRuns.add(run.uid);
        b.setAttribute('aria-pressed', String(!hiddenRuns.has(run.uid)));
        refreshCharts();
      });
      return b;
    }),
  );
}

// ---- charts ---------------------------------------------------------------------------------------

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** PNG exports and the canvas get the editor background, not transparency. */
const backgroundPlugin: Plugin<'line'> = {
  id: 'editorBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = cssVar('--vscode-editor-background', '#1e1e1e');
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/** The value of the series `other` at `step`: the last point at or before it (series are ascending by step). */
function valueAtStep(other: SeriesData, step: number): number {
  let lo = 0;
  let hi = other.x.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (other.x[mid] <= step) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? NaN : (other.y[found] ?? NaN);
}

function xValues(s: SeriesData): number[] {
  if (xMode === 'step') return s.x as number[];
  if (xMode === 'wall') return s.t as number[];
  if (xMode.startsWith('metric:')) {
    const other = series.get(seriesId(s.runUid, xMode.slice('metric:'.length)));
    return other ? s.x.map((step) => valueAtStep(other, step)) : s.x.map(() => NaN);
  }
  let t0 = Infinity;
  for (const t of s.t) if (t > 0 && t < t0) t0 = t;
  if (!Number.isFinite(t0)) t0 = 0;
  return s.t.map((t) => (t - t0) / 1000);
}

function pointsOf(s: SeriesData): Point[] {
  const xs = xValues(s);
  const points: Point[] = new Array(xs.length);
  for (let i = 0; i < xs.length; i++) points[i] = { x: xs[i], y: s.y[i] ?? NaN };
  if (xMode.startsWith('metric:')) return points.filter((p) => Number.isFinite(p.x)).sort((a, b) => a.x - b.x);
  // Time axes follow the wall clock, which a resumed run can make non-monotonic in step order.
  if (xMode !== 'step') points.sort((a, b) => a.x - b.x);
  return points;
}

/** TensorBoard's debiased EMA: early points are not pulled towards 0. NaN stays a gap. */
function smooth(points: Point[], weight: number): Point[] {
  let last = 0;
  let debias = 0;
  return points.map((p) => {
    if (!Number.isFinite(p.y)) return { x: p.x, y: NaN };
    last = last * weight + (1 - weight) * p.y;
    debias = debias * weight + (1 - weight);
    return { x: p.x, y: last / debias };
  });
}

function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

function datasetsFor(view: ChartView): ChartDataset<'line', Point[]>[] {
  if (!model) return [];
  const out: ChartDataset<'line', Point[]>[] = [];
  for (const run of model.runs) {
    const s = view.zoom?.data.get(run.uid) ?? series.get(seriesId(run.uid, view.key));
    if (!s) continue;
    let points = pointsOf(s);
    if (logScale) points = points.map((p) => (p.y > 0 ? p : { x: p.x, y: NaN }));
    const hidden = hiddenRuns.has(run.uid);
    const common = { parsing: false as const, normalized: true, spanGaps: true, pointRadius: 0, pointHitRadius: 4, hidden, borderJoinStyle: 'round' as const };
    if (smoothing > 0) {
      out.push({ ...common, label: `${run.name} (raw)`, data: points, borderColor: withAlpha(run.color, 0.22), borderWidth: 1 });
      out.push({ ...common, label: run.name, data: smooth(points, smoothing), borderColor: run.color, borderWidth: 1.6 });
    } else {
      out.push({ ...common, label: run.name, data: points, borderColor: run.color, borderWidth: 1.4 });
    }
  }
  return out;
}

/** A tooltip's title names its axis: "step 97", "3m 5s after start", a date, "val_loss 0.31". */
function xTitle(value: number): string {
  if (xMode === 'step') return `step ${formatX(value)}`;
  if (xMode === 'relative') return `${formatX(value)} after start`;
  if (xMode.startsWith('metric:')) return `${xMode.slice('metric:'.length)} ${formatX(value)}`;
  return formatX(value);
}

function formatX(value: number): string {
  if (xMode === 'wall') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? String(value) : `${d.toISOString().slice(5, 10)} ${d.toISOString().slice(11, 16)}`;
  }
  if (xMode === 'relative') return formatDuration(value * 1000);
  return formatNumber(value);
}

function chartOptions(view: ChartView) {
  const foreground = cssVar('--vscode-foreground', '#cccccc');
  const grid = cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', 'rgba(128,128,128,0.35)'));
  return {
    animation: false as const,
    parsing: false as const,
    normalized: true,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest' as const, axis: 'x' as const, intersect: false },
    font: { family: cssVar('--vscode-font-family', 'sans-serif') },
    scales: {
      x: {
        type: 'linear' as const,
        min: view.zoom?.min,
        max: view.zoom?.max,
        ticks: { color: foreground, maxRotation: 0, autoSkipPadding: 12, callback: (v: number | string) => formatX(Number(v)) },
        grid: { color: grid },
        title: { display: true, text: xMode === 'step' ? 'step' : xMode === 'relative' ? 'time since start' : xMode === 'wall' ? 'wall time' : xMode.slice('metric:'.length), color: foreground },
      },
      y: { type: logScale ? ('logarithmic' as const) : ('linear' as const), ticks: { color: foreground }, grid: { color: grid } },
    },
    plugins: {
      legend: { display: false },
      decimation: { enabled: true, algorithm: 'lttb' as const, samples: 800, threshold: 1600 },
      tooltip: {
        filter: (item: { dataset: { label?: string } }) => !item.dataset.label?.endsWith(' (raw)'),
        callbacks: { title: (items: { parsed: { x: number | null } }[]) => (items[0] ? xTitle(items[0].parsed.x ?? NaN) : '') },
      },
    },
  };
}

/** Offers every logged metric as an x axis too (e.g. epoch), once it appears. */
function syncXOptions(keys: readonly string[]): void {
  const present = new Set([...xSelect.querySelectorAll('vscode-option')].map((o) => o.getAttribute('value')));
  for (const key of keys) {
    const value = `metric:${key}`;
    if (present.has(value)) continue;
    const option = document.createElement('vscode-option');
    option.setAttribute('value', value);
    option.textContent = `Metric: ${key}`; // text, never markup: keys come from run files
    xSelect.append(option);
  }
}

function refreshCharts(): void {
  if (!model) return;
  const keys = model.metrics.map((m) => m.key);
  syncXOptions(keys);
  for (const [key, view] of charts) {
    if (!keys.includes(key)) {
      view.chart?.destroy();
      view.card.remove();
      charts.delete(key);
    }
  }
  keys.forEach((key) => {
    let view = charts.get(key);
    if (!view) {
      view = createChartCard(key);
      charts.set(key, view);
    }
    chartGrid.append(view.card);
    updateChart(view);
  });
}

function updateChart(view: ChartView): void {
  if (!view.chart) return; // created when it scrolls into view
  view.chart.data.datasets = datasetsFor(view);
  view.chart.options = chartOptions(view) as typeof view.chart.options;
  view.chart.update('none');
}

const chartObserver = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const view = [...charts.values()].find((v) => v.card === entry.target);
      if (view && !view.chart) {
        view.chart = new Chart<'line', Point[]>(view.canvas, { type: 'line', data: { datasets: datasetsFor(view) }, options: chartOptions(view), plugins: [backgroundPlugin] });
      }
    }
  },
  { rootMargin: '600px' },
);

function createChartCard(key: string): ChartView {
  const card = element('figure', 'chart-card');
  card.dataset.metric = key;
  const caption = element('figcaption');
  const name = element('span', 'chart-title', key);
  name.title = key;
  const reset = button('Reset zoom', () => {
    view.zoom = undefined;
    reset.hidden = true;
    updateChart(view);
  }, { secondary: true });
  reset.hidden = true;
  const png = button('PNG', () => {
    if (!view.chart) return;
    post({ type: 'export', format: 'png', target: 'file', key, dataUrl: view.chart.toBase64Image('image/png') });
  }, { secondary: true, title: `Save the ${key} chart as PNG` });
  png.setAttribute('aria-label', `Save the ${key} chart as PNG`);
  caption.append(name, element('span', 'spacer'), reset, png);
  const box = element('div', 'chart-box');
  const canvas = element('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${key} for every run`);
  const selection = element('div', 'zoom-selection');
  selection.hidden = true;
  box.append(canvas, selection);
  card.append(caption, box);
  const view: ChartView = { key, card, canvas, chart: undefined, zoom: undefined };
  attachZoom(view, box, selection, reset);
  chartObserver.observe(card);
  return view;
}

/** Shift+drag selects an x range; the host then sends those points at full resolution. */
function attachZoom(view: ChartView, box: HTMLElement, selection: HTMLElement, reset: HTMLElement): void {
  let startX: number | undefined;
  const local = (event: PointerEvent) => event.clientX - box.getBoundingClientRect().left;
  box.addEventListener('pointerdown', (event) => {
    if (!event.shiftKey || !view.chart) return;
    startX = local(event);
    box.setPointerCapture(event.pointerId);
    selection.hidden = false;
    selection.style.left = `${startX}px`;
    selection.style.width = '0px';
    event.preventDefault();
  });
  box.addEventListener('pointermove', (event) => {
    if (startX === undefined) return;
    const x = local(event);
    selection.style.left = `${Math.min(startX, x)}px`;
    selection.style.width = `${Math.abs(x - startX)}px`;
  });
  box.addEventListener('pointerup', (event) => {
    if (startX === undefined || !view.chart) return;
    const scale = view.chart.scales.x;
    const a = scale.getValueForPixel(startX);
    const b = scale.getValueForPixel(local(event));
    startX = undefined;
    selection.hidden = true;
    if (a === undefined || b === undefined || Math.abs(local(event) - (scale.getPixelForValue(a) ?? 0)) < 4) return;
    zoomTo(view, Math.min(a, b), Math.max(a, b));
    reset.hidden = false;
  });
}

function zoomTo(view: ChartView, min: number, max: number): void {
  if (!model) return;
  const requestId = nextRequestId++;
  view.zoom = { min, max, requestId, data: new Map() };
  updateChart(view);
  // The host reads by step: turn the x range into the step range it covers in each series.
  let fromStep = Infinity;
  let toStep = -Infinity;
  const runUids: string[] = [];
  for (const run of model.runs) {
    if (hiddenRuns.has(run.uid)) continue;
    const s = series.get(seriesId(run.uid, view.key));
    if (!s) continue;
    const xs = xValues(s);
    let any = false;
    for (let i = 0; i < xs.length; i++) {
      if (xs[i] >= min && xs[i] <= max) {
        fromStep = Math.min(fromStep, s.x[Math.max(0, i - 1)]);
        toStep = Math.max(toStep, s.x[Math.min(xs.length - 1, i + 1)]);
        any = true;
      }
    }
    if (any && s.totalPoints > s.x.length) runUids.push(run.uid);
  }
  if (runUids.length && Number.isFinite(fromStep)) {
    post({ type: 'requestRange', requestId, key: view.key, runUids, fromStep, toStep, maxPoints: 4000 });
  }
}

// ---- messages -------------------------------------------------------------------------------------

function persist(): void {
  if (!model) return;
  api.setState({ folder, runUids: model.runs.map((r) => r.uid).concat(model.missingUids), baseline: model.baselineUid, onlyDifferences });
}

function apply(message: ToCompareWebview): void {
  switch (message.type) {
    case 'init': {
      folder = message.folder;
      onlyDifferences = message.onlyDifferences;
      const { series: all, ...tables } = message.model;
      model = tables;
      series.clear();
      for (const s of all) series.set(seriesId(s.runUid, s.key), s);
      for (const view of charts.values()) view.zoom = undefined;
      persist();
      renderAll();
      break;
    }
    case 'update': {
      model = message.model;
      for (const id of message.removedSeries) series.delete(id);
      for (const s of message.changedSeries) series.set(seriesId(s.runUid, s.key), s);
      persist();
      renderAll();
      break;
    }
    case 'rangeData': {
      const view = [...charts.values()].find((v) => v.zoom?.requestId === message.requestId);
      if (!view?.zoom) return;
      for (const s of message.series) view.zoom.data.set(s.runUid, s);
      updateChart(view);
      break;
    }
    case 'exportResult':
      status.textContent = message.message;
      status.className = message.ok ? 'status' : 'status error';
      break;
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isToCompareWebview(event.data)) apply(event.data);
});

// VS Code swaps the theme by changing the body class and the --vscode-* variables.
new MutationObserver(() => refreshCharts()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// The first paint does not wait for a round trip: the host inlines the state as JSON.
const inline = document.getElementById('compare-state');
if (inline?.textContent) {
  try {
    const initial: unknown = JSON.parse(inline.textContent);
    if (isToCompareWebview(initial)) apply(initial);
  } catch {
    status.textContent = 'Could not read the initial state; waiting for the extension.';
  }
}
post({ type: 'ready' });
