/**
 * Evaluates a policy's gates for one proposed move of a model version. Every gate either passes,
 * fails, or cannot be evaluated (a metric missing, no drift report, nothing in Production to compare
 * with) — and a gate that cannot be evaluated blocks exactly like a failing one: it never passes by default.
 */
import { evaluateFairnessGate, type FairnessDataLookup } from './fairnessGate';
import { compare, formatNumber, resolveThreshold, type Comparison, type Holder } from './expressions';
import { evaluateArtifactsGate, type ArtifactEvidence } from './artifactGate';
import { ruleFor, type ApprovalsGate, type Gate, type GateKind, type Policy, type PolicyTarget, type RequireGate, type StageRule } from './policyFile';
import { ownValue } from '../shared/ownKey';

export interface Person {
  readonly name: string;
  readonly email?: string;
}

export interface Approval extends Person {
  /** ISO 8601. */
  readonly time: string;
}

export interface VersionMetrics {
  readonly version: number;
  /** Last value of each metric of the version's source run. */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface GateContext {
  readonly model: string;
  readonly version: number;
  readonly targetStage: PolicyTarget;
  /** Who asks for the move (the actor of the transition). */
  readonly requester: Person;
  readonly candidate: { readonly metrics: Readonly<Record<string, number>>; readonly description?: string };
  /** The version now in the target stage (for Production and rollback: the Production holder); `current.*` thresholds read it. */
  readonly current?: VersionMetrics;
  /**
   * The version now in Production, for `production.*` thresholds when the target is not Production
   * (for Production and rollback, `current` is the Production holder and this may be left out).
   */
  readonly production?: VersionMetrics;
  /** The candidate's drift report, when there is one. */
  readonly drift?: { readonly share: number };
  /** Approvals of this version for this target, recorded before the move. Undefined: unknown (not the same as none). */
  readonly approvals?: readonly Approval[];
  /** The reason given for the move (`require: reason`). */
  readonly reason?: string;
  /** The candidate's artifact checks (manifest, model signatures), gathered before the move. */
  readonly artifacts?: ArtifactEvidence;
  /** The evaluation data of fairness gates, read beforehand (see ./fairnessGate.ts); undefined: none. */
  readonly fairnessData?: FairnessDataLookup;
}

export type GateStatus = 'pass' | 'fail' | 'not-evaluable';

export interface GateResult {
  /** The gate as written in the policy. */
  readonly gate: string;
  readonly kind: GateKind;
  readonly status: GateStatus;
  /** The measured value: the metric, the drift figure, the number of approvals that count. */
  readonly value?: number;
  /** What it was compared with (a relative threshold already computed). */
  readonly threshold?: number;
  /** Why, in a sentence a reviewer understands. */
  readonly reason: string;
  /** Where the gate is in the policy file (1-based). */
  readonly line: number;
  readonly column: number;
}

/** The gates of the rule that applies to the context's model and target, evaluated in order. No rule: no gates, []. */
export function evaluateGates(policy: Policy, context: GateContext): GateResult[] {
  const found = ruleFor(policy, context.model, context.targetStage);
  return found ? evaluateRule(found.rule, context) : [];
}

export function evaluateRule(rule: StageRule, context: GateContext): GateResult[] {
  return rule.gates.map((gate) => evaluateGate(gate, context));
}

export function evaluateGate(gate: Gate, context: GateContext): GateResult {
  const base = { gate: gate.text, kind: gate.kind, line: gate.range.line, column: gate.range.column };
  switch (gate.kind) {
    case 'metric':
      return { ...base, ...evaluateMetric(gate.comparison, context) };
    case 'drift': {
      if (!context.drift) return { ...base, status: 'not-evaluable', reason: 'no drift report for the candidate: run a drift check first' };
      const value = ownValue(context.drift as Readonly<Record<string, number | undefined>>, gate.field);
      return { ...base, ...compareValue(`drift.${gate.field}`, value, gate.comparison, gate.comparison.threshold.kind === 'number' ? gate.comparison.threshold.value : NaN, '') };
    }
    case 'approvals':
      return { ...base, ...evaluateApprovals(gate, context) };
    case 'require':
      return { ...base, ...evaluateRequire(gate, context) };
    case 'artifacts':
      return { ...base, ...evaluateArtifactsGate(gate, context) };
    case 'fairness':
      return { ...base, ...evaluateFairnessGate(gate, context.fairnessData?.(gate, context.model, context.version)) };
  }
}

type Outcome = Pick<GateResult, 'status' | 'value' | 'threshold' | 'reason'>;

function evaluateMetric(comparison: Comparison, context: GateContext): Outcome {
  const name = comparison.subject;
  const metrics = context.candidate.metrics;
  if (!Object.prototype.hasOwnProperty.call(metrics, name)) {
    const known = Object.keys(metrics).sort();
    const listing = known.length === 0 ? 'it has no metrics' : `it has ${known.slice(0, 8).join(', ')}${known.length > 8 ? ` and ${known.length - 8} more` : ''}`;
    return { status: 'not-evaluable', reason: `the candidate has no metric "${name}" (${listing})` };
  }
  const threshold = comparison.threshold;
  let holderNote = '';
  let thresholdValue: number | undefined;
  if (threshold.kind === 'number') {
    thresholdValue = threshold.value;
  } else {
    const holder = holderFor(threshold.holder, context);
    const stage = threshold.holder === 'production' ? 'Production' : context.targetStage === 'rollback' ? 'Production' : context.targetStage;
    if (!holder) return { status: 'not-evaluable', value: ownValue(metrics, name), reason: `no version is in ${stage} to compare with` };
    const base = ownValue(holder.metrics, threshold.metric);
    if (base === undefined || !Number.isFinite(base)) {
      return { status: 'not-evaluable', value: ownValue(metrics, name), reason: `v${holder.version} (in ${stage}) has ${base === undefined ? 'no' : `a ${formatNumber(base)}`} metric "${threshold.metric}" to compare with` };
    }
    thresholdValue = resolveThreshold(threshold, () => base);
    const arithmetic = threshold.arithmetic ? ` ${threshold.arithmetic.op === '*' ? '×' : threshold.arithmetic.op} ${formatNumber(threshold.arithmetic.operand)}` : '';
    holderNote = ` (${stage} v${holder.version}: ${threshold.metric} ${formatNumber(base)}${arithmetic})`;
  }
  return compareValue(name, ownValue(metrics, name), comparison, thresholdValue ?? NaN, holderNote);
}

function holderFor(holder: Holder, context: GateContext): VersionMetrics | undefined {
  if (holder === 'current') return context.current;
  if (context.production) return context.production;
  return context.targetStage === 'Production' || context.targetStage === 'rollback' ? context.current : undefined;
}

function compareValue(label: string, value: number | undefined, comparison: Comparison, threshold: number, note: string): Outcome {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { status: 'not-evaluable', ...(typeof value === 'number' ? { value } : {}), reason: `${label} is ${typeof value === 'number' ? formatNumber(value) : 'not a number'}: it cannot be compared` };
  }
  if (!Number.isFinite(threshold)) return { status: 'not-evaluable', value, reason: `the threshold of ${label} is not a finite number` };
  const passed = compare(value, comparison.operator, threshold);
  const relation = passed ? comparison.operator : negate(comparison.operator);
  return {
    status: passed ? 'pass' : 'fail',
    value,
    threshold,
    reason: `${label} ${formatNumber(value)} ${relation} ${formatNumber(threshold)}${note}${passed ? '' : `: needs ${comparison.operator} ${formatNumber(threshold)}`}`,
  };
}

function negate(operator: Comparison['operator']): string {
  return { '<': '≥', '<=': '>', '>': '≤', '>=': '<', '==': '≠', '!=': '=' }[operator];
}

/**
 * Whether two identities are the same person. Fail-safe: the same e-mail (case-insensitive), or the
 * same name, is the same person — so one person with two e-mails or two display names cannot count twice.
 */
export function samePerson(a: Person, b: Person): boolean {
  const email = (p: Person) => p.email?.trim().toLowerCase() || undefined;
  const name = (p: Person) => p.name.trim().toLowerCase();
  return (email(a) !== undefined && email(a) === email(b)) || name(a) === name(b);
}

/** An `approvers` entry with "@" is an e-mail and matches the approver's e-mail; anything else matches their name. */
export function isListedApprover(person: Person, approvers: readonly string[]): boolean {
  return approvers.some((entry) => {
    const wanted = entry.trim().toLowerCase();
    return wanted.includes('@') ? person.email?.trim().toLowerCase() === wanted : person.name.trim().toLowerCase() === wanted;
  });
}

function evaluateApprovals(gate: ApprovalsGate, context: GateContext): Outcome {
  if (!context.approvals) return { status: 'not-evaluable', threshold: gate.required, reason: 'the approvals of this version are unknown (the ledger could not be read)' };
  const counted: Approval[] = [];
  const notes: string[] = [];
  for (const approval of [...context.approvals].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0))) {
    const who = approval.email ? `${approval.name} <${approval.email}>` : approval.name;
    if (counted.some((c) => samePerson(c, approval))) {
      notes.push(`${who} approved more than once (counted once)`);
    } else if (gate.excludeRequester && samePerson(approval, context.requester)) {
      notes.push(`${who} is the requester (their own approval does not count)`);
    } else if (gate.approvers && !isListedApprover(approval, gate.approvers)) {
      notes.push(`${who} is not a listed approver`);
    } else {
      counted.push(approval);
    }
  }
  const passed = counted.length >= gate.required;
  const names = counted.length ? `: ${counted.map((c) => c.name).join(', ')}` : '';
  return {
    status: passed ? 'pass' : 'fail',
    value: counted.length,
    threshold: gate.required,
    reason: `${counted.length} of ${gate.required} approval${gate.required === 1 ? '' : 's'}${names}${notes.length ? `; ${[...new Set(notes)].join('; ')}` : ''}`,
  };
}

function evaluateRequire(gate: RequireGate, context: GateContext): Outcome {
  const text = gate.field === 'description' ? context.candidate.description : context.reason;
  const present = typeof text === 'string' && text.trim() !== '';
  const what = gate.field === 'description' ? 'the version has a description' : 'the move has a reason';
  const missing = gate.field === 'description' ? 'the version has no description: add one before promoting' : 'no reason given for the move';
  return { status: present ? 'pass' : 'fail', reason: present ? what : missing };
}

export interface PromotionDecision {
  readonly allowed: boolean;
  /** Allowed only because of an override (failed gates stay listed in `blockedBy`). */
  readonly overridden: boolean;
  /** Gates that failed or could not be evaluated. */
  readonly blockedBy: readonly GateResult[];
  /** One sentence for the panel and the CLI. */
  readonly message: string;
}

/**
 * Whether the move may go ahead: every gate passed, or — only where the rule says `allowOverride: true`
 * — an override with a written justification. `rule` is the rule the results came from (undefined: no
 * rule, so no gates).
 */
export function canPromote(results: readonly GateResult[], rule: Pick<StageRule, 'allowOverride'> | undefined, override?: { readonly justification?: string }): PromotionDecision {
  const blockedBy = results.filter((r) => r.status !== 'pass');
  if (blockedBy.length === 0) {
    return { allowed: true, overridden: false, blockedBy, message: results.length ? `all ${results.length} gate${results.length === 1 ? '' : 's'} passed` : 'no gates apply' };
  }
  const failed = `${blockedBy.length} gate${blockedBy.length === 1 ? '' : 's'} did not pass`;
  if (!override) return { allowed: false, overridden: false, blockedBy, message: failed };
  if (!rule?.allowOverride) return { allowed: false, overridden: false, blockedBy, message: `${failed}, and the policy does not allow an override here` };
  if (typeof override.justification !== 'string' || override.justification.trim() === '') {
    return { allowed: false, overridden: false, blockedBy, message: `${failed}; an override needs a written justification` };
  }
  return { allowed: true, overridden: true, blockedBy, message: `${failed}: overridden with a justification` };
}
