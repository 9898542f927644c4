/**
 * The fairness gate: `- fairness: demographic_parity_difference(sex) <= 0.1`, a Fairlearn disparity
 * of the candidate's evaluation data per sensitive column(s), compared with a number. Optional keys of
 * the same list item: `data` (the evaluation file; `{model}` and `{version}` are filled in), `label`,
 * `prediction` (default y_true / y_pred, Fairlearn's names), `pos_label`, `weight`, `method`
 * (between_groups | to_overall, default between_groups) and `agg` (worst_case | mean, equalized odds only).
 * No data, an unreadable file or unusable columns: the gate is not evaluable, and blocks.
 */
import path from 'node:path';
import type { Dataset } from '../datasets';
import { readDataset } from '../datasets';
import { computeFairness, FairnessInputError, type DisparityMethod, type DisparityName, type EqualizedOddsAgg } from '../fairness';
import { compare, formatNumber, type ComparisonOperator } from './expressions';
import type { Policy, SourceRange } from './policyFile';

export const FAIRNESS_GATE_OPTIONS = ['data', 'label', 'prediction', 'pos_label', 'weight', 'method', 'agg'] as const;
export type FairnessGateOption = (typeof FAIRNESS_GATE_OPTIONS)[number];

export const FAIRNESS_GATE_METRICS: readonly DisparityName[] = [
  'demographic_parity_difference',
  'demographic_parity_ratio',
  'equalized_odds_difference',
  'equalized_odds_ratio',
  'equal_opportunity_difference',
  'equal_opportunity_ratio',
];

export interface FairnessGate {
  readonly kind: 'fairness';
  readonly text: string;
  readonly range: SourceRange;
  readonly metric: DisparityName;
  readonly sensitive: readonly string[];
  readonly operator: ComparisonOperator;
  readonly threshold: number;
  readonly method: DisparityMethod;
  readonly agg: EqualizedOddsAgg;
  readonly data?: string;
  readonly label: string;
  readonly prediction: string;
  readonly posLabel?: string;
  readonly weight?: string;
}

const EXPRESSION = /^\s*([a-z_]+)\s*\(\s*([^()]*?)\s*\)\s*(<=|>=|==|!=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

/** The gate from its expression and option keys; `report` gets each problem, and then the result is undefined. */
export function readFairnessGate(expression: string, options: Readonly<Partial<Record<FairnessGateOption, string>>>, range: SourceRange, report: (message: string) => void): FairnessGate | undefined {
  const match = EXPRESSION.exec(expression);
  if (!match) {
    report(`fairness: expected METRIC(COLUMN[, COLUMN…]) OPERATOR NUMBER, such as \`demographic_parity_difference(sex) <= 0.1\`; found ${JSON.stringify(expression)}`);
    return undefined;
  }
  const [, name, columnList, operator, number] = match;
  const metric = FAIRNESS_GATE_METRICS.find((m) => m === name);
  if (!metric) {
    report(`fairness: unknown metric ${JSON.stringify(name)}: one of ${FAIRNESS_GATE_METRICS.join(', ')}`);
    return undefined;
  }
  const sensitive = columnList.split(',').map((c) => c.trim()).filter(Boolean);
  if (sensitive.length === 0) {
    report(`fairness: name the sensitive column(s) in the parentheses, e.g. ${metric}(sex)`);
    return undefined;
  }
  const method = options.method ?? 'between_groups';
  if (method !== 'between_groups' && method !== 'to_overall') {
    report(`fairness: method must be between_groups or to_overall, not ${JSON.stringify(method)}`);
    return undefined;
  }
  const agg = options.agg ?? 'worst_case';
  if ((agg !== 'worst_case' && agg !== 'mean') || (options.agg !== undefined && !metric.startsWith('equalized_odds'))) {
    report(`fairness: agg (worst_case or mean) applies to equalized_odds_* only; found ${JSON.stringify(agg)} for ${metric}`);
    return undefined;
  }
  return {
    kind: 'fairness',
    text: `fairness: ${expression.trim()}`,
    range,
    metric,
    sensitive,
    operator: operator as ComparisonOperator,
    threshold: Number(number),
    method,
    agg,
    label: options.label ?? 'y_true',
    prediction: options.prediction ?? 'y_pred',
    ...(options.data !== undefined ? { data: options.data } : {}),
    ...(options.pos_label !== undefined ? { posLabel: options.pos_label } : {}),
    ...(options.weight !== undefined ? { weight: options.weight } : {}),
  };
}

/** An evaluation file as read for the gates: its dataset, or why it could not be read. */
export interface FairnessData {
  readonly file: string;
  readonly dataset?: Dataset;
  readonly error?: string;
}

/** The data a fairness gate of a model version is judged on; undefined: none given. */
export type FairnessDataLookup = (gate: FairnessGate, model: string, version: number) => FairnessData | undefined;

export interface FairnessOutcome {
  readonly status: 'pass' | 'fail' | 'not-evaluable';
  readonly value?: number;
  readonly threshold?: number;
  readonly reason: string;
}

function statisticOf(gate: FairnessGate, disparities: ReturnType<typeof computeFairness>['disparities']): number {
  if (gate.metric === 'equalized_odds_difference' || gate.metric === 'equalized_odds_ratio') return disparities[gate.metric][gate.agg][gate.method];
  return disparities[gate.metric][gate.method];
}

export function evaluateFairnessGate(gate: FairnessGate, data: FairnessData | undefined): FairnessOutcome {
  if (!data) return { status: 'not-evaluable', reason: 'no fairness data for the candidate: give the gate a `data:` file or promote with --fairness-data FILE' };
  if (!data.dataset) return { status: 'not-evaluable', reason: data.error ?? `cannot read ${data.file}` };
  let value: number;
  try {
    const result = computeFairness(data.dataset, {
      label: gate.label,
      prediction: gate.prediction,
      sensitive: gate.sensitive,
      ...(gate.posLabel !== undefined ? { posLabel: gate.posLabel } : {}),
      ...(gate.weight !== undefined ? { weight: gate.weight } : {}),
    });
    value = statisticOf(gate, result.disparities);
  } catch (error) {
    if (error instanceof FairnessInputError) return { status: 'not-evaluable', reason: `${path.basename(data.file)}: ${error.message}` };
    throw error;
  }
  const label = `${gate.metric}(${gate.sensitive.join(', ')})${gate.method === 'to_overall' ? ' to overall' : ''}${gate.metric.startsWith('equalized_odds') && gate.agg === 'mean' ? ' mean' : ''}`;
  if (!Number.isFinite(value)) return { status: 'not-evaluable', value, reason: `${label} is ${formatNumber(value)} on ${path.basename(data.file)}: it cannot be compared` };
  const passed = compare(value, gate.operator, gate.threshold);
  return {
    status: passed ? 'pass' : 'fail',
    value,
    threshold: gate.threshold,
    reason: `${label} ${formatNumber(value)} on ${path.basename(data.file)}${passed ? ` ${gate.operator} ${formatNumber(gate.threshold)}` : `: needs ${gate.operator} ${formatNumber(gate.threshold)}`}`,
  };
}

/** `data:` with `{model}` / `{version}` filled in, relative to the workspace folder. */
export function fairnessDataPath(gate: FairnessGate, model: string, version: number, root: string): string | undefined {
  if (gate.data === undefined) return undefined;
  return path.resolve(root, gate.data.replaceAll('{model}', model).replaceAll('{version}', String(version)));
}

/**
 * Reads every file the fairness gates of a rule need, before the (synchronous) judgement: `override`
 * (the CLI's --fairness-data) replaces every gate's own `data:`. Each file is read once.
 */
export async function loadFairnessData(gates: readonly { readonly kind: string }[], model: string, version: number, root: string, override?: string): Promise<FairnessDataLookup> {
  const files = new Map<string, FairnessData>();
  const fileOf = (gate: FairnessGate): string | undefined => (override !== undefined ? path.resolve(root, override) : fairnessDataPath(gate, model, version, root));
  for (const gate of gates) {
    if (gate.kind !== 'fairness') continue;
    const file = fileOf(gate as FairnessGate);
    if (file === undefined || files.has(file)) continue;
    const read = await readDataset(file);
    files.set(file, read.ok ? { file, dataset: read.dataset } : { file, error: `cannot read ${file}: ${read.diagnostics[0]?.message ?? 'unreadable'}` });
  }
  return (gate, m, v) => (m === model && v === version ? files.get(fileOf(gate) ?? '') : undefined);
}

/** The data of every fairness gate in the policy for one version; undefined when the policy has none. */
export async function policyFairnessData(policy: Policy, model: string, version: number, root: string, override?: string): Promise<FairnessDataLookup | undefined> {
  const gates = [...policy.models.values()].flatMap((rules) => Object.values(rules).flatMap((rule) => rule?.gates ?? []));
  if (!gates.some((g) => g.kind === 'fairness')) return undefined;
  return loadFairnessData(gates, model, version, root, override);
}
