// `model-ledger compare RUN RUN...`: the same comparison the panel shows, as text, JSON or Markdown.
import { buildComparison } from '../compare/compareData';
import { comparisonMarkdown, formatNumber } from '../compare/exportFormats';
import { toJson } from '../shared/json';
import { directionLabel } from '../shared/metricDirection';
import { optionalString, rows } from '../tracking/queries';
import { CliError, EXIT_OK, EXIT_USAGE } from './cliError';
import { openCliStore, type CliCommand } from './context';
import { openTrackingStore, TRACKING_URI_OPTIONS } from './trackingServer';
import type { Database } from 'sql.js';

/** A run named by uid, external id or name, as `register` resolves one; ambiguity is an error. */
function resolveRunUid(db: Database, ref: string): string {
  const matches = rows(
    db,
    'SELECT uid, external_id FROM runs WHERE uid = ? OR external_id = ? OR name = ? ORDER BY deleted, start_time DESC',
    [ref, ref, ref],
    (r) => ({ uid: String(r[0]), externalId: optionalString(r[1]) }),
  );
  if (matches.length === 0) throw new CliError(`no run "${ref}" in the store; import runs first with: model-ledger scan`, EXIT_USAGE);
  // An exact uid wins over a name shared by several runs.
  const exact = matches.find((m) => m.uid === ref);
  if (exact) return exact.uid;
  if (matches.length > 1 && !matches.every((m) => m.uid === matches[0].uid)) {
    throw new CliError(`"${ref}" names ${matches.length} runs; use the run's uid: ${matches.map((m) => m.uid).join(', ')}`, EXIT_USAGE);
  }
  return matches[0].uid;
}

export const COMPARE_COMMAND: CliCommand = {
  name: 'compare',
  summary: 'compare runs side by side: params that differ, metric summaries and deltas vs the first run',
  usage: 'model-ledger compare RUN_ID RUN_ID... [--store PATH | --tracking-uri URL] [--json | --md] [--all-params]',
  options: {
    md: { type: 'boolean', description: 'Markdown for a pull request (params that differ, metrics with deltas)' },
    'all-params': { type: 'boolean', description: 'list every param, not only those that differ' },
    ...TRACKING_URI_OPTIONS,
  },
  async run(context) {
    const refs = context.positionals;
    if (refs.length < 2) throw new CliError('compare needs at least two runs: model-ledger compare RUN_ID RUN_ID...', EXIT_USAGE);
    if (context.values.json && context.values.md) throw new CliError('--json and --md exclude each other', EXIT_USAGE);
    const server = await openTrackingStore(context, { registry: false });
    const store = server?.store ?? (await openCliStore(context));
    try {
      const uids = refs.map((ref) => resolveRunUid(store.db, ref));
      if (new Set(uids).size < 2) throw new CliError('compare needs at least two different runs', EXIT_USAGE);
      // Min, max and best step need the whole histories, fetched from the server for these runs only.
      await server?.source.ensureHistories(uids).catch((error: Error) => {
        throw new CliError(error.message, EXIT_USAGE);
      });
      const model = buildComparison(store.db, uids, { baselineUid: uids[0], includeSeries: false });
      if (context.values.json) {
        const { series: _series, ...tables } = model;
        context.stdout(toJson(tables) + '\n');
      } else if (context.values.md) {
        context.stdout(comparisonMarkdown(model));
      } else {
        context.stdout(plainText(model, context.values['all-params'] === true));
      }
    } finally {
      await store.close();
    }
    return EXIT_OK;
  },
};

function plainText(model: ReturnType<typeof buildComparison>, allParams: boolean): string {
  const names = model.runs.map((r, i) => `${i === 0 ? '*' : ' '}${r.name}`);
  const table = (title: string, body: string[][]): string => {
    const all = [[title, ...names], ...body];
    const widths = all[0].map((_, c) => Math.min(40, Math.max(...all.map((row) => (row[c] ?? '').length))));
    return all.map((row) => row.map((cell, c) => clip(cell, widths[c]).padEnd(widths[c])).join('  ').trimEnd()).join('\n');
  };
  const params = model.params.filter((p) => allParams || p.differs);
  const out: string[] = [`baseline (*): ${model.runs[0]?.name ?? '-'} [${model.runs[0]?.uid ?? '-'}]`, ''];
  out.push(params.length ? table(allParams ? 'param' : 'param (differs)', params.map((p) => [p.key, ...p.values.map((v) => v ?? '-')])) : 'No params differ.');
  out.push('');
  out.push(
    model.metrics.length
      ? table(
          'metric (last, Δ vs *)',
          model.metrics.map((m) => [
            `${m.key} ${directionLabel(m.direction).arrow}`.trimEnd(),
            ...m.cells.map((c, i) => {
              if (!c) return '-';
              const value = formatNumber(c.last?.value ?? null);
              const d = c.deltaAbs === null ? '' : ` (${c.deltaAbs > 0 ? '+' : ''}${formatNumber(c.deltaAbs)}${c.deltaPct === null ? '' : `, ${c.deltaPct > 0 ? '+' : ''}${c.deltaPct.toFixed(1)}%`})`;
              return `${value}${d}${i === m.bestRunIndex ? ' best' : ''}`;
            }),
          ]),
        )
      : 'No metrics.',
  );
  return out.join('\n') + '\n';
}

function clip(text: string, width: number): string {
  const oneLine = text.replace(/\s*[\r\n]+\s*/g, ' ');
  return oneLine.length > width ? oneLine.slice(0, width - 1) + '…' : oneLine;
}
