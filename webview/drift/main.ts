// The drift panel: a pure renderer of the report the host computed (src/shared/driftProtocol.ts).
// Column names and labels come from data files: every string is set as text, never as HTML.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type Plugin } from 'chart.js';
import {
  isToDriftWebview,
  type DriftReportModel,
  type DriftWebviewState,
  type FeatureDrift,
  type FeatureHistogram,
  type FromDriftWebview,
  type ToDriftWebview,
  type WindowChoice,
} from '../../src/shared/driftProtocol';
import { vscodeApi } from '../shared/vscodeApi';
import '../shared/base.css';
import './styles.css';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);

const api = vscodeApi<DriftWebviewState, FromDriftWebview>();
const post = (message: FromDriftWebview) => api.postMessage(message);

let model: DriftReportModel | undefined;
let selected: string | undefined = api.getState()?.selected;
let restore = api.getState()?.restore;
const overTimeCharts: Chart[] = [];
const performanceCharts: Chart[] = [];

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function colors() {
  return {
    reference: cssVar('--vscode-charts-blue', '#3794ff'),
    current: cssVar('--vscode-charts-orange', '#d18616'),
    drift: cssVar('--vscode-charts-red', '#f14c4c'),
    ok: cssVar('--vscode-charts-green', '#89d185'),
    foreground: cssVar('--vscode-foreground', '#cccccc'),
    muted: cssVar('--vscode-descriptionForeground', '#9d9d9d'),
    grid: cssVar('--vscode-widget-border', 'rgba(128,128,128,0.25)'),
    series: [cssVar('--vscode-charts-blue', '#3794ff'), cssVar('--vscode-charts-purple', '#b180d7'), cssVar('--vscode-charts-yellow', '#cca700'), cssVar('--vscode-charts-green', '#89d185')],
  };
}

function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (!hex) return color;
  const n = parseInt(hex[1], 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

function formatScore(score: number | null): string {
  if (score === null) return '—';
  if (score !== 0 && (Math.abs(score) < 0.001 || Math.abs(score) >= 1e5)) return score.toExponential(2);
  return score.toFixed(3);
}

function formatDate(ms: number, withTime: boolean): string {
  const iso = new Date(ms).toISOString();
  return withTime ? iso.slice(0, 16).replace('T', ' ') : iso.slice(0, 10);
}

function binLabels(h: FeatureHistogram): string[] {
  if (h.kind === 'categories') return [...(h.labels ?? [])];
  const edges = h.edges ?? [];
  const span = Math.abs((edges[edges.length - 1] ?? 0) - (edges[0] ?? 0));
  const digits = span === 0 ? 2 : Math.max(0, Math.min(6, 2 - Math.floor(Math.log10(span / 10))));
  return edges.slice(0, -1).map((e) => e.toFixed(digits));
}

// ---- skeleton ---------------------------------------------------------------------------------------

const root = document.getElementById('root') ?? document.body;
const header = element('header', 'toolbar');
const title = element('h1', undefined, 'Drift report');
const status = element('span', 'status');
status.setAttribute('role', 'status');
status.setAttribute('aria-live', 'polite');
const windowSelect = document.createElement('vscode-single-select');
windowSelect.id = 'window';
windowSelect.setAttribute('aria-label', 'Time window');
for (const [value, label] of [
  ['day', 'Per day'],
  ['week', 'Per week'],
  ['6h', 'Per 6 hours'],
  ['12h', 'Per 12 hours'],
] as const) {
  const option = document.createElement('vscode-option');
  option.setAttribute('value', value);
  option.textContent = label;
  windowSelect.append(option);
}
windowSelect.addEventListener('change', () => {
  const value = (windowSelect as unknown as { value: string }).value as WindowChoice;
  if (model?.overTime && value !== model.overTime.window) {
    status.textContent = 'Recomputing…';
    post({ type: 'setWindow', window: value });
  }
});
const referenceButton = document.createElement('vscode-button');
referenceButton.textContent = 'Set Reference…';
referenceButton.setAttribute('secondary', '');
referenceButton.title = 'Choose the reference dataset for this model version (recorded in the ledger)';
referenceButton.addEventListener('click', () => post({ type: 'setReference' }));
header.append(title, element('span', 'spacer'), status, windowSelect, referenceButton);

const summary = element('section', 'summary');
summary.id = 'summary';
const notes = element('ul', 'notes');
const featuresSection = element('section', 'panel-section');
featuresSection.id = 'features';
const featuresTable = element('table', 'features');
const detail = element('section', 'panel-section detail');
detail.id = 'detail';
const overTimeSection = element('section', 'panel-section');
overTimeSection.id = 'over-time';
const performanceSection = element('section', 'panel-section');
performanceSection.id = 'performance';
featuresSection.append(element('h2', undefined, 'Features'), featuresTable);
root.append(header, summary, notes, featuresSection, detail, overTimeSection, performanceSection);

// ---- rendering ------------------------------------------------------------------------------------------

function clearCharts(charts: Chart[]): void {
  for (const chart of charts.splice(0)) chart.destroy();
}

function baseOptions(yTitle: string) {
  const c = colors();
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { labels: { color: c.foreground, boxWidth: 12 } }, tooltip: { enabled: true } },
    scales: {
      x: { ticks: { color: c.muted, maxRotation: 0, autoSkipPadding: 10 }, grid: { color: c.grid } },
      y: { ticks: { color: c.muted }, grid: { color: c.grid }, title: { display: true, text: yTitle, color: c.muted } },
    },
  };
}

function renderSummary(m: DriftReportModel): void {
  summary.replaceChildren();
  const verdict = element('div', `verdict ${m.datasetDrift ? 'drifted' : 'ok'}`, m.datasetDrift ? 'Dataset drift detected' : 'No dataset drift');
  verdict.id = 'verdict';
  const share = element(
    'div',
    'share',
    `${m.driftedCount} of ${m.columnCount} features drifted — share ${m.share.toFixed(2)}, threshold ${m.driftShareThreshold}`,
  );
  share.id = 'drift-share';
  const bar = element('div', 'share-bar');
  const fill = element('div', 'share-fill');
  fill.style.width = `${Math.round(m.share * 100)}%`;
  const mark = element('div', 'share-mark');
  mark.style.left = `${Math.round(m.driftShareThreshold * 100)}%`;
  mark.title = `threshold ${m.driftShareThreshold}`;
  bar.append(fill, mark);
  const files = element('div', 'files');
  const ref = element('a', 'file', `Reference: ${m.referenceLabel}`);
  ref.href = '#';
  ref.addEventListener('click', (e) => {
    e.preventDefault();
    post({ type: 'openFile', which: 'reference' });
  });
  const cur = element('a', 'file', `Current: ${m.currentLabel}`);
  cur.href = '#';
  cur.addEventListener('click', (e) => {
    e.preventDefault();
    post({ type: 'openFile', which: 'current' });
  });
  files.append(ref, element('span', 'rows', ` (${m.referenceRows.toLocaleString('en-US')} rows)`), element('br'), cur, element('span', 'rows', ` (${m.currentRows.toLocaleString('en-US')} rows)`));
  summary.append(verdict, share, bar, files);
  notes.replaceChildren(...m.notes.map((n) => element('li', undefined, n)), ...m.skipped.map((s) => element('li', undefined, `${s.column}: skipped, ${s.reason}`)));
}

/** A small histogram drawn straight on a canvas: reference bars filled, current as an outline. */
function drawSmallHistogram(canvas: HTMLCanvasElement, h: FeatureHistogram): void {
  const ratio = window.devicePixelRatio || 1;
  const width = 160;
  const height = 40;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const g = canvas.getContext('2d');
  if (!g) return;
  g.scale(ratio, ratio);
  const c = colors();
  const n = h.reference.length;
  const max = Math.max(1e-12, ...h.reference, ...h.current);
  const w = width / Math.max(1, n);
  for (let i = 0; i < n; i++) {
    const rh = (h.reference[i] / max) * (height - 2);
    g.fillStyle = withAlpha(c.reference, 0.55);
    g.fillRect(i * w + 0.5, height - rh, Math.max(1, w - 1), rh);
  }
  g.strokeStyle = c.current;
  g.lineWidth = 1.5;
  g.beginPath();
  for (let i = 0; i < n; i++) {
    const y = height - (h.current[i] / max) * (height - 2);
    if (i === 0) g.moveTo(0, y);
    else g.lineTo(i * w, y);
    g.lineTo((i + 1) * w, y);
  }
  g.stroke();
}

function renderFeatures(m: DriftReportModel): void {
  featuresTable.replaceChildren();
  const head = element('thead');
  const hr = element('tr');
  for (const label of ['Feature', 'Type', 'Method', 'Score', 'Threshold', 'Drift', 'Reference vs current']) hr.append(element('th', undefined, label));
  head.append(hr);
  const body = element('tbody');
  for (const f of m.features) {
    const tr = element('tr', f.drifted ? 'drifted' : '');
    tr.tabIndex = 0;
    tr.dataset.column = f.column;
    if (f.column === selected) tr.classList.add('selected');
    const name = element('th', 'name', f.column);
    name.scope = 'row';
    name.title = f.column;
    const verdict = element('td', `verdict-cell ${f.drifted ? 'drifted' : f.drifted === null ? 'unknown' : 'ok'}`, f.drifted ? 'Drifted' : f.drifted === null ? 'Undecided' : 'Not drifted');
    const canvas = element('canvas', 'spark');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `Histogram of ${f.column}, reference against current`);
    const histogramCell = element('td', 'spark-cell');
    histogramCell.append(canvas);
    tr.append(
      name,
      element('td', undefined, f.type),
      element('td', undefined, f.methodLabel),
      element('td', 'num', formatScore(f.score)),
      element('td', 'num', `${f.kind === 'pvalue' ? '<' : '≥'} ${f.threshold}`),
      verdict,
      histogramCell,
    );
    const choose = () => select(f.column);
    tr.addEventListener('click', choose);
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        choose();
      }
    });
    body.append(tr);
    drawSmallHistogram(canvas, f.histogram);
  }
  featuresTable.append(head, body);
}

function select(column: string): void {
  selected = column;
  api.setState({ selected, ...(restore ? { restore } : {}) });
  for (const tr of featuresTable.querySelectorAll('tbody tr')) tr.classList.toggle('selected', (tr as HTMLElement).dataset.column === column);
  if (model) {
    renderDetail(model);
    renderOverTime(model);
  }
  detail.scrollIntoView({ block: 'nearest' });
}

let detailChart: Chart | undefined;
function renderDetail(m: DriftReportModel): void {
  detailChart?.destroy();
  detailChart = undefined;
  detail.replaceChildren();
  const f: FeatureDrift | undefined = m.features.find((x) => x.column === selected) ?? m.features[0];
  if (!f) return;
  const c = colors();
  detail.append(element('h2', undefined, `Histogram: ${f.column}`));
  detail.append(element('p', 'caption', `${f.methodLabel} ${formatScore(f.score)} (threshold ${f.threshold}) · ${f.histogram.kind === 'bins' ? `${f.histogram.reference.length} bins (Sturges on reference ∪ current, as Evidently)` : f.type === 'numerical' ? 'one bin per value (≤ 20 distinct values in the reference, as Evidently)' : 'share per category'}`));
  const box = element('div', 'chart-box large');
  const canvas = element('canvas');
  canvas.id = 'detail-histogram';
  box.append(canvas);
  detail.append(box);
  const options = baseOptions('share of rows');
  detailChart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels: binLabels(f.histogram),
      datasets: [
        { label: `reference (${m.referenceLabel})`, data: [...f.histogram.reference], backgroundColor: withAlpha(c.reference, 0.6), borderColor: c.reference, borderWidth: 1, barPercentage: 1, categoryPercentage: 0.9 },
        { label: `current (${m.currentLabel})`, data: [...f.histogram.current], backgroundColor: withAlpha(c.current, 0.6), borderColor: c.current, borderWidth: 1, barPercentage: 1, categoryPercentage: 0.9 },
      ],
    },
    options,
  });
}

/** Shades the drift side of the threshold: below it for p-values, above it for distances. */
function thresholdBand(threshold: number, below: boolean, color: string): Plugin<'line'> {
  return {
    id: 'thresholdBand',
    beforeDatasetsDraw(chart) {
      const { ctx, chartArea, scales } = chart;
      const y = scales.y.getPixelForValue(threshold);
      const top = below ? Math.max(chartArea.top, Math.min(chartArea.bottom, y)) : chartArea.top;
      const bottom = below ? chartArea.bottom : Math.max(chartArea.top, Math.min(chartArea.bottom, y));
      ctx.save();
      ctx.fillStyle = withAlpha(color, 0.1);
      ctx.fillRect(chartArea.left, top, chartArea.right - chartArea.left, bottom - top);
      ctx.strokeStyle = withAlpha(color, 0.8);
      ctx.setLineDash([5, 4]);
      ctx.beginPath();
      ctx.moveTo(chartArea.left, y);
      ctx.lineTo(chartArea.right, y);
      ctx.stroke();
      ctx.restore();
    },
  };
}

/** Marks a window (the first drifted one) with a vertical line. */
function windowMarker(index: number | null, color: string, label: string): Plugin<'line'> {
  return {
    id: 'windowMarker',
    afterDatasetsDraw(chart) {
      if (index === null) return;
      const { ctx, chartArea, scales } = chart;
      const x = scales.x.getPixelForValue(index);
      ctx.save();
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(x, chartArea.top);
      ctx.lineTo(x, chartArea.bottom);
      ctx.stroke();
      ctx.fillStyle = color;
      ctx.font = '11px sans-serif';
      ctx.fillText(label, Math.min(x + 4, chartArea.right - ctx.measureText(label).width), chartArea.top + 12);
      ctx.restore();
    },
  };
}

function lineChart(charts: Chart[], container: HTMLElement, id: string, heading: string, caption: string, labels: string[], datasets: { label: string; data: (number | null)[]; color: string; dashed?: boolean }[], plugins: Plugin<'line'>[], yTitle: string, yRange?: { min?: number; max?: number }): Chart {
  const card = element('div', 'chart-card');
  card.append(element('h3', undefined, heading), element('p', 'caption', caption));
  const box = element('div', 'chart-box');
  const canvas = element('canvas');
  canvas.id = id;
  box.append(canvas);
  card.append(box);
  container.append(card);
  const options = baseOptions(yTitle);
  const chart = new Chart(canvas, {
    type: 'line',
    data: {
      labels,
      datasets: datasets.map((d) => ({ label: d.label, data: d.data, borderColor: d.color, backgroundColor: d.color, borderWidth: 1.8, pointRadius: 2.5, spanGaps: true, ...(d.dashed ? { borderDash: [6, 4] } : {}) })),
    },
    options: { ...options, scales: { ...options.scales, y: { ...options.scales.y, ...(yRange ?? {}) } } },
    plugins,
  });
  charts.push(chart);
  return chart;
}

function renderOverTime(m: DriftReportModel): void {
  clearCharts(overTimeCharts);
  overTimeSection.replaceChildren();
  windowSelect.hidden = !m.overTime;
  const o = m.overTime;
  if (!o) return;
  const c = colors();
  (windowSelect as unknown as { value: string }).value = o.window;
  const withTime = o.windows.some((w) => w.end - w.start < 86_400_000);
  const labels = o.windows.map((w) => formatDate(w.start, withTime));
  overTimeSection.append(element('h2', undefined, `Drift over time (per ${o.window === 'day' ? 'day' : o.window === 'week' ? 'week' : o.window}, by ${o.timestampColumn})`));
  const first = o.firstDriftWindow;
  const summaryLine = element('p', 'caption', first === null ? 'No window reaches the dataset drift threshold.' : `Dataset drift from the window starting ${labels[first]}.`);
  summaryLine.id = 'first-drift';
  overTimeSection.append(summaryLine);
  const grid = element('div', 'chart-grid');
  overTimeSection.append(grid);
  lineChart(overTimeCharts, grid, 'share-chart', 'Share of drifted features', `threshold ${m.driftShareThreshold}`, labels, [{ label: 'drifted share', data: [...o.share], color: c.drift }], [thresholdBand(m.driftShareThreshold, false, c.drift), windowMarker(first, c.drift, 'drift starts')], 'share', { min: 0, max: 1 });
  const line = o.features.find((f) => f.column === selected) ?? o.features.find((f) => f.column === m.features[0]?.column);
  if (line) {
    const pvalue = line.kind === 'pvalue';
    const firstFeatureDrift = line.drifted.findIndex((d) => d === true);
    lineChart(
      overTimeCharts,
      grid,
      'feature-chart',
      `Drift chart: ${line.column}`,
      `${line.method} ${pvalue ? 'p-value' : 'distance'} per window; shaded: drift (${pvalue ? '<' : '≥'} ${line.threshold})`,
      labels,
      [{ label: line.column, data: [...line.scores], color: c.current }],
      [thresholdBand(line.threshold, pvalue, c.drift), windowMarker(firstFeatureDrift < 0 ? null : firstFeatureDrift, c.drift, 'first drift')],
      pvalue ? 'p-value' : 'distance',
      pvalue ? { min: 0, max: 1 } : { min: 0 },
    );
  }
  // Every feature's line on one chart, each relative to its own threshold (score / threshold for
  // distances, threshold / p for p-values, capped), so one band (≥ 1) shows drift for all.
  const relative = o.features.map((f, i) => ({
    label: f.column,
    color: c.series[i % c.series.length],
    dashed: i >= c.series.length,
    data: f.scores.map((s) => (s === null ? null : Math.min(5, f.kind === 'pvalue' ? (s > 0 ? f.threshold / s : 5) : f.threshold > 0 ? s / f.threshold : s))),
  }));
  lineChart(overTimeCharts, grid, 'all-features-chart', 'Every feature, relative to its threshold', 'score ÷ threshold (distances) or threshold ÷ p (tests), capped at 5; shaded: drift', labels, relative, [thresholdBand(1, false, c.drift)], 'relative to threshold', { min: 0, max: 5 });
}

function renderPerformance(m: DriftReportModel): void {
  clearCharts(performanceCharts);
  performanceSection.replaceChildren();
  const p = m.performance;
  if (!p) return;
  const c = colors();
  const withTime = p.windows.some((w) => w.end - w.start < 86_400_000);
  const labels = p.windows.map((w) => formatDate(w.start, withTime));
  performanceSection.append(element('h2', undefined, `Performance over time (${p.task}, label "${p.labelColumn}")`));
  const breaches = element('ul', 'breaches');
  breaches.id = 'breaches';
  for (const b of p.breaches) breaches.append(element('li', 'breach', `⚠ ${b.series}: ${b.rule} from ${formatDate(b.start, true)} to ${formatDate(b.end, true)} (worst ${formatScore(b.worst)})`));
  if (p.rules.length > 0 && p.breaches.length === 0) breaches.append(element('li', 'ok', `Rules hold: ${p.rules.map((r) => r.text).join('; ')}`));
  performanceSection.append(breaches);
  if (p.series.length > 1) {
    // Backtest: the same windows for every prediction column (champion vs challenger).
    const table = element('table', 'backtest');
    table.id = 'backtest';
    const head = element('tr');
    head.append(element('th', undefined, 'Backtest (mean over windows)'), ...p.metrics.map((metric) => element('th', 'num', metric)));
    table.append(head);
    for (const s of p.series) {
      const tr = element('tr');
      tr.append(element('th', 'name', s.name));
      for (const metric of p.metrics) {
        const values = (s.values[metric] ?? []).filter((v): v is number => v !== null);
        tr.append(element('td', 'num', values.length ? formatScore(values.reduce((a, b) => a + b, 0) / values.length) : '—'));
      }
      table.append(tr);
    }
    performanceSection.append(table);
  }
  const grid = element('div', 'chart-grid');
  performanceSection.append(grid);
  for (const metric of p.metrics) {
    const rules = p.rules.filter((r) => r.metric === metric);
    const plugins = rules.map((r) => thresholdBand(r.threshold, r.operator.startsWith('<'), c.drift));
    lineChart(
      performanceCharts,
      grid,
      `perf-${metric}`,
      metric,
      rules.length ? `alert: ${rules.map((r) => r.text).join('; ')}` : 'no alert rule',
      labels,
      p.series.map((s, i) => ({ label: s.name, data: [...(s.values[metric] ?? [])], color: c.series[i % c.series.length] })),
      plugins,
      metric,
      p.task === 'classification' ? { min: 0, max: 1 } : { min: 0 },
    );
  }
}

function render(m: DriftReportModel): void {
  model = m;
  if (!selected || !m.features.some((f) => f.column === selected)) selected = m.features[0]?.column;
  title.textContent = m.title;
  document.title = m.title;
  referenceButton.hidden = m.version === null;
  status.textContent = '';
  renderSummary(m);
  renderFeatures(m);
  renderDetail(m);
  renderOverTime(m);
  renderPerformance(m);
}

function apply(message: ToDriftWebview): void {
  if (message.restore) {
    restore = message.restore;
    api.setState({ ...(selected ? { selected } : {}), restore });
  }
  if (message.type === 'init') render(message.model);
  else status.textContent = message.text;
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isToDriftWebview(event.data)) apply(event.data);
});

const inline = document.getElementById('drift-state');
if (inline?.textContent) {
  try {
    const initial: unknown = JSON.parse(inline.textContent);
    if (isToDriftWebview(initial)) apply(initial);
  } catch {
    status.textContent = 'Could not read the initial state; waiting for the extension.';
  }
}
post({ type: 'ready' });
