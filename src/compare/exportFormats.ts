// Exports of a comparison: CSV (RFC 4180) of the params and metrics tables, and Markdown for a PR.
// Everything here is host-free so the panel and the CLI write exactly the same text.
import type { ComparisonModel, MetricCell } from '../shared/compareProtocol';
import { csvCell } from '../shared/csvCell';
import { formatDuration, formatNumber as formatShared } from '../shared/format';
import { directionLabel } from '../shared/metricDirection';

const METRIC_STATS: readonly { readonly name: string; readonly of: (cell: MetricCell) => number | null | undefined }[] = [
  { name: 'last', of: (c) => c.last?.value },
  { name: 'last_step', of: (c) => c.last?.step },
  { name: 'min', of: (c) => c.min?.value },
  { name: 'min_step', of: (c) => c.min?.step },
  { name: 'max', of: (c) => c.max?.value },
  { name: 'max_step', of: (c) => c.max?.step },
  { name: 'best', of: (c) => c.best?.value },
  { name: 'best_step', of: (c) => c.best?.step },
  { name: 'points', of: (c) => c.count },
  { name: 'delta_abs', of: (c) => c.deltaAbs },
  { name: 'delta_pct', of: (c) => c.deltaPct },
];

/** One rectangular table: a column per run; rows for the runs' identity, every param, every metric statistic. */
export function comparisonCsv(model: ComparisonModel): string {
  const lines: string[][] = [];
  lines.push(['kind', 'key', 'stat', ...model.runs.map((r) => r.name)]);
  lines.push(['run', 'uid', '', ...model.runs.map((r) => r.uid)]);
  lines.push(['run', 'baseline', '', ...model.runs.map((r) => (r.uid === model.baselineUid ? 'yes' : ''))]);
  for (const p of model.params) lines.push(['param', p.key, '', ...p.values.map((v) => v ?? '')]);
  for (const m of model.metrics) {
    for (const stat of METRIC_STATS) {
      lines.push(['metric', m.key, stat.name, ...m.cells.map((c) => (c ? csvNumber(stat.of(c)) : ''))]);
    }
  }
  return lines.map((fields) => fields.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** A cell of the CSV: formulas neutralised, RFC 4180 quoting (see `src/shared/csvCell.ts`). */
export const csvField = csvCell;

function csvNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

export interface MarkdownOptions {
  /** Params shown in full when they differ; beyond this many, the rest are counted. Default 50. */
  readonly maxParams?: number;
}

/** A compact summary for a pull request: runs, the params that differ, every metric with its Δ vs the baseline. */
export function comparisonMarkdown(model: ComparisonModel, options: MarkdownOptions = {}): string {
  const maxParams = options.maxParams ?? 50;
  const baseline = model.runs.find((r) => r.uid === model.baselineUid);
  const out: string[] = [];
  out.push(`### Comparison of ${model.runs.length} runs${baseline ? ` (baseline: ${markdownCell(baseline.name)})` : ''}`);
  out.push('');
  const header = (first: string) => [`| ${first} | ${model.runs.map((r) => markdownCell(r.name) + (r.uid === model.baselineUid ? ' (baseline)' : '')).join(' | ')} |`, `|---|${model.runs.map(() => '---').join('|')}|`];

  out.push(...header('run'));
  out.push(`| status | ${model.runs.map((r) => markdownCell(r.status)).join(' | ')} |`);
  if (model.runs.some((r) => r.gitCommit)) out.push(`| commit | ${model.runs.map((r) => (r.gitCommit ? markdownCode(r.gitCommit.slice(0, 12)) : '')).join(' | ')} |`);
  if (model.runs.some((r) => r.durationMs !== null)) out.push(`| duration | ${model.runs.map((r) => (r.durationMs === null ? '' : formatDuration(r.durationMs))).join(' | ')} |`);
  out.push('');

  const differing = model.params.filter((p) => p.differs);
  out.push(`#### Params that differ (${differing.length} of ${model.params.length})`);
  out.push('');
  if (differing.length > 0) {
    out.push(...header('param'));
    for (const p of differing.slice(0, maxParams)) {
      out.push(`| ${markdownCell(p.key)} | ${p.values.map((v) => (v === null ? '—' : markdownCell(v))).join(' | ')} |`);
    }
    if (differing.length > maxParams) out.push('', `…and ${differing.length - maxParams} more.`);
  } else {
    out.push('All params are the same.');
  }
  out.push('');

  out.push('#### Metrics (last value; Δ vs baseline; **bold** = best run)');
  out.push('');
  if (model.metrics.length > 0) {
    out.push(...header('metric'));
    for (const m of model.metrics) {
      const cells = m.cells.map((c, i) => {
        if (!c) return '—';
        let text = formatNumber(c.last?.value ?? null);
        if (c.deltaAbs !== null) text += ` (${signed(c.deltaAbs)}${c.deltaPct !== null ? `, ${signed(c.deltaPct, 2)}%` : ''})`;
        return i === m.bestRunIndex ? `**${text}**` : text;
      });
      out.push(`| ${markdownCell(m.key)} ${directionLabel(m.direction).arrow} | ${cells.join(' | ')} |`);
    }
  } else {
    out.push('No metrics.');
  }
  return out.join('\n') + '\n';
}

/**
 * Text for a Markdown table cell: HTML is escaped (a run file may hold `<script>`), Markdown
 * punctuation is backslash-escaped, `|` cannot end the cell, and line breaks become <br>.
 */
export function markdownCell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#~])/g, '\\$1')
    .replace(/\r\n|\r|\n/g, '<br>');
}

function markdownCode(text: string): string {
  return /^[0-9a-zA-Z]+$/.test(text) ? `\`${text}\`` : markdownCell(text);
}

/** A metric value in a Markdown table or the CLI's text (null: a NaN the store kept as null). */
export function formatNumber(value: number | null): string {
  return value === null ? 'NaN' : formatShared(value);
}

function signed(value: number, digits?: number): string {
  const text = digits === undefined ? formatNumber(value) : value.toFixed(digits);
  return value > 0 ? `+${text}` : text;
}

export { formatDuration };
