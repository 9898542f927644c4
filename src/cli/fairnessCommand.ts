import path from 'node:path';
import { fairnessFromFile, fairnessJson, type FairnessColumns, type FairnessResult } from '../fairness';
import { toJson } from '../shared/json';
import { CliError, EXIT_OK, EXIT_USAGE } from './cliError';
import type { CliCommand, CliContext } from './context';

function stringOption(context: CliContext, name: string): string | undefined {
  const value = context.values[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The column options `fairness` takes (and `promote --fairness-data` reuses for its defaults). */
export function fairnessColumnsOf(context: CliContext): FairnessColumns {
  const label = stringOption(context, 'label');
  const prediction = stringOption(context, 'prediction');
  const sensitive = (stringOption(context, 'sensitive') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!label || !prediction || sensitive.length === 0) throw new CliError('give --label COL, --prediction COL and --sensitive COL[,COL…]', EXIT_USAGE);
  const score = stringOption(context, 'score');
  const weight = stringOption(context, 'weight');
  const posLabel = stringOption(context, 'pos-label');
  return { label, prediction, sensitive, ...(score ? { score } : {}), ...(weight ? { weight } : {}), ...(posLabel !== undefined ? { posLabel } : {}) };
}

function format(value: number): string {
  return Number.isFinite(value) ? value.toFixed(4) : String(value);
}

function textReport(result: FairnessResult): string {
  const lines = [`positive label ${result.posLabel}${result.weighted ? ', weighted' : ''}`, ''];
  const header = ['group', 'count', 'selection', 'TPR', 'FPR', 'accuracy', ...(result.overall.rocAuc === undefined ? [] : ['ROC AUC'])];
  const rows = [{ name: 'overall', row: result.overall }, ...result.byGroup.map((g) => ({ name: Object.values(g.group).join(' × '), row: g }))];
  const width = Math.max(5, ...rows.map((r) => r.name.length));
  lines.push(`${header[0].padEnd(width)}  ${header.slice(1).map((h) => h.padStart(9)).join(' ')}`);
  for (const { name, row } of rows) {
    const cells = [String(row.count), ...[row.selectionRate, row.tpr, row.fpr, row.accuracy, ...(row.rocAuc === undefined ? [] : [row.rocAuc])].map(format)];
    lines.push(`${name.padEnd(width)}  ${cells.map((c) => c.padStart(9)).join(' ')}`);
  }
  const d = result.disparities;
  lines.push(
    '',
    `demographic_parity_difference  between_groups ${format(d.demographic_parity_difference.between_groups)}  to_overall ${format(d.demographic_parity_difference.to_overall)}`,
    `demographic_parity_ratio       between_groups ${format(d.demographic_parity_ratio.between_groups)}  to_overall ${format(d.demographic_parity_ratio.to_overall)}`,
    `equalized_odds_difference      worst_case ${format(d.equalized_odds_difference.worst_case.between_groups)}  mean ${format(d.equalized_odds_difference.mean.between_groups)}  (between groups)`,
    `equalized_odds_ratio           worst_case ${format(d.equalized_odds_ratio.worst_case.between_groups)}  mean ${format(d.equalized_odds_ratio.mean.between_groups)}  (between groups)`,
  );
  return lines.join('\n') + '\n';
}

export const FAIRNESS_OPTIONS = {
  label: { type: 'string', description: 'the true label column' },
  prediction: { type: 'string', description: 'the predicted class column (not a probability: give that as --score)' },
  sensitive: { type: 'string', description: 'sensitive column(s), comma-separated; several give intersectional groups' },
  score: { type: 'string', description: 'a score column for ROC AUC per group' },
  weight: { type: 'string', description: 'a sample weight column' },
  'pos-label': { type: 'string', description: 'the positive label as the data spells it (default 1 for 0/1 or -1/1 labels)' },
} as const;

export const FAIRNESS_COMMAND: CliCommand = {
  name: 'fairness',
  summary: 'group fairness metrics of an evaluation file (CSV, TSV, JSONL, Parquet) exactly as Fairlearn defines them',
  usage: 'model-ledger fairness DATA --label COL --prediction COL --sensitive COL[,COL…] [--score COL] [--weight COL] [--pos-label V] [--json]',
  options: FAIRNESS_OPTIONS,
  async run(context) {
    if (context.positionals.length !== 1) throw new CliError('give one DATA file', EXIT_USAGE);
    const columns = fairnessColumnsOf(context);
    const outcome = await fairnessFromFile(path.resolve(context.cwd, context.positionals[0]), columns);
    for (const d of outcome.diagnostics) context.stderr(`${d.file}${d.line ? `:${d.line}` : d.position ? `:${d.position}` : ''}: ${d.message}\n`);
    if (!outcome.result) throw new CliError(outcome.error ?? 'no result', EXIT_USAGE);
    for (const note of outcome.result.notes) context.stderr(`note: ${note}\n`);
    context.stdout(context.values.json ? toJson(fairnessJson(outcome.result)) + '\n' : textReport(outcome.result));
    return EXIT_OK;
  },
};
