/**
 * The promotion policy: `.model-ledger/policy.yaml` in the workspace (schema: media/policy.schema.json).
 *
 *   version: 1                      # required; the only version there is
 *   models:
 *     "*":                          # the default for every model (quoted: a bare * is a YAML alias)
 *       Production:                 # target: Staging | Production | Archived | rollback
 *         allowOverride: false      # may a failing gate be overridden with a written justification? (default false)
 *         gates:
 *           - metric: accuracy >= 0.9
 *           - metric: val_loss <= production.val_loss * 1.02   # relative to the version now in Production
 *           - drift.share <= 0.3                                # a bare expression: drift.* is a drift gate, anything else a metric gate
 *           - approvals: 2
 *             approvers: [alice@example.com, bob@example.com]  # optional: only these count (an e-mail matches the
 *                                                              # approver's e-mail, anything else their name)
 *             excludeRequester: true                           # default true: the requester's own approval never counts
 *           - require: description                             # or `reason`: the transition must carry a reason
 *     churn-classifier:
 *       Staging:
 *         gates:
 *           - metric: val_accuracy > 0.8
 *
 *   monitoring:                     # optional: alert rules for drift reports of model versions
 *     rules: ["f1 < 0.92 for 48h"]  # metric operator threshold [for <n>h|d|m|w] (src/monitoring/rules.ts)
 *     drift_share: 0.5              # share of drifted features that means dataset drift (an alert)
 *
 * Which rule applies: for a model and a target, the model's own entry for that target if it has one,
 * else the `"*"` entry's; the two are never merged (a model entry replaces the default for that
 * target only). No rule: no gates. `rollback` is the rule for moving a version back into Production
 * (one that held Production before); without a `rollback` rule a rollback is not gated, because the
 * Production gates (often relative to the version being rolled back) would block the emergency.
 * Expressions: see ./expressions.ts. A gate that cannot be evaluated fails (see ./gates.ts).
 *
 * Any error (YAML syntax, an unknown key, gate kind or stage, a bad expression, a threshold that is
 * not a number) is a diagnostic at its exact position and the policy is unusable: the caller blocks
 * promotion until it is fixed. Positions are 1-based lines and columns (subtract 1 for a vscode.Range).
 */
import { promises as fs } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { parseYamlDocument, resolveAlias } from '../shared/boundedYaml';
import { parseRule, type AlertRule } from '../monitoring/rules';
import { parseComparison, type Comparison, type ExpressionError } from './expressions';
import { parseArtifactsRequirement, type ArtifactsRequirement } from './artifactGate';
import { FAIRNESS_GATE_OPTIONS, readFairnessGate, type FairnessGate, type FairnessGateOption } from './fairnessGate';

export const DEFAULT_POLICY_FILE = '.model-ledger/policy.yaml';
export const POLICY_FORMAT_VERSION = 1;

export const POLICY_TARGETS = ['Staging', 'Production', 'Archived', 'rollback'] as const;
export type PolicyTarget = (typeof POLICY_TARGETS)[number];

export const GATE_KINDS = ['metric', 'drift', 'approvals', 'require', 'artifacts', 'fairness'] as const;
export type GateKind = (typeof GATE_KINDS)[number];

export const REQUIREMENTS = ['description', 'reason'] as const;
export type Requirement = (typeof REQUIREMENTS)[number];

/** Drift figures a drift gate may test (`drift.share`: the share of drifted features, 0..1). */
export const DRIFT_FIELDS = ['share'] as const;
export type DriftField = (typeof DRIFT_FIELDS)[number];

/** The model key whose rules apply to every model without its own. */
export const DEFAULT_MODEL_KEY = '*';

export interface SourceRange {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

export interface PolicyDiagnostic extends SourceRange {
  readonly file: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

interface GateBase {
  /** The gate as written, for tables and reasons: `metric: accuracy >= 0.9`, `approvals: 2`. */
  readonly text: string;
  readonly range: SourceRange;
}

export interface MetricGate extends GateBase {
  readonly kind: 'metric';
  readonly comparison: Comparison;
}

export interface DriftGate extends GateBase {
  readonly kind: 'drift';
  readonly field: DriftField;
  /** `subject` is the drift field; the threshold is always a number. */
  readonly comparison: Comparison;
}

export interface ApprovalsGate extends GateBase {
  readonly kind: 'approvals';
  readonly required: number;
  /** Only these count when given: e-mails (contain "@") match an approver's e-mail, other entries their name. */
  readonly approvers?: readonly string[];
  readonly excludeRequester: boolean;
}

export interface RequireGate extends GateBase {
  readonly kind: 'require';
  readonly field: Requirement;
}

/** `artifacts: verified` or `artifacts: signed-by KEYFILE` (src/policy/artifactGate.ts). */
export type ArtifactsGate = GateBase & { readonly kind: 'artifacts' } & ArtifactsRequirement;

export type Gate = MetricGate | DriftGate | ApprovalsGate | RequireGate | ArtifactsGate | FairnessGate;

export interface StageRule {
  readonly gates: readonly Gate[];
  readonly allowOverride: boolean;
  /** `signatures: required`: a move to this target must be a signed event (src/registry/signedEvents.ts). */
  readonly signatures?: 'required';
  /** Where the rule is (its target key), for "defined here" links. */
  readonly range: SourceRange;
}

export type ModelRules = Readonly<Partial<Record<PolicyTarget, StageRule>>>;

export interface Policy {
  readonly version: number;
  readonly file: string;
  /** By model name as written; `"*"` is the default. */
  readonly models: ReadonlyMap<string, ModelRules>;
  /** The optional `monitoring:` section: alert rules and the dataset drift share for drift reports. */
  readonly monitoring?: MonitoringPolicy;
  /** Top-level `signatures: required`: every event must be signed by an allowed signer. */
  readonly signatures?: 'required';
}

export interface MonitoringPolicy {
  /** `rules: ["f1 < 0.92 for 48h", ...]` (src/monitoring/rules.ts). */
  readonly rules: readonly AlertRule[];
  /** `drift_share: 0.5`: share of drifted features that means dataset drift (an alert). */
  readonly driftShare?: number;
}

export interface PolicyParse {
  /** Undefined when there is any error: promotion must then be blocked. */
  readonly policy?: Policy;
  readonly diagnostics: readonly PolicyDiagnostic[];
}

/** The rule for a model and target, and whose it is (the model's own or the default's). */
export function ruleFor(policy: Policy, model: string, target: PolicyTarget): { rule: StageRule; scope: string } | undefined {
  const own = policy.models.get(model)?.[target];
  if (own) return { rule: own, scope: model };
  const fallback = policy.models.get(DEFAULT_MODEL_KEY)?.[target];
  return fallback ? { rule: fallback, scope: DEFAULT_MODEL_KEY } : undefined;
}

export type PolicyLoad =
  | { readonly state: 'missing'; readonly file: string }
  | { readonly state: 'ok'; readonly file: string; readonly policy: Policy; readonly diagnostics: readonly PolicyDiagnostic[] }
  | { readonly state: 'invalid'; readonly file: string; readonly diagnostics: readonly PolicyDiagnostic[] };

/** Reads and parses a policy file; a missing file is "no policy" (nothing gated), an unreadable one is invalid. */
export async function loadPolicy(file: string): Promise<PolicyLoad> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing', file };
    return { state: 'invalid', file, diagnostics: [{ file, line: 1, column: 1, severity: 'error', message: `cannot read the policy: ${(error as Error).message}` }] };
  }
  const parsed = parsePolicy(text, file);
  return parsed.policy ? { state: 'ok', file, policy: parsed.policy, diagnostics: parsed.diagnostics } : { state: 'invalid', file, diagnostics: parsed.diagnostics };
}

export function parsePolicy(text: string, file = DEFAULT_POLICY_FILE): PolicyParse {
  const diagnostics: PolicyDiagnostic[] = [];
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseYamlDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    return { diagnostics: [{ file, line: 1, column: 1, severity: 'error', message: (error as Error).message }] };
  }

  const rangeOfOffsets = (start: number, end: number): SourceRange => {
    const from = lineCounter.linePos(start);
    const to = lineCounter.linePos(Math.max(start, end));
    return { line: from.line, column: from.col, endLine: to.line, endColumn: to.col };
  };
  const rangeOf = (node: Node | null | undefined, fallback: SourceRange = { line: 1, column: 1 }): SourceRange =>
    node?.range ? rangeOfOffsets(node.range[0], node.range[1]) : fallback;
  /**
   * A gate's range: from its list item's start to the end of its expression or count on that line (a
   * block mapping's own range runs on to the next item, and a trailing comment is not the gate).
   */
  const gateRange = (item: Node, value: Node): SourceRange => {
    const start = item.range?.[0] ?? 0;
    const lineEnd = text.indexOf('\n', start);
    const end = Math.min(value.range?.[1] ?? start, lineEnd < 0 ? text.length : lineEnd);
    return rangeOfOffsets(start, start + text.slice(start, end).trimEnd().length);
  };
  const report = (range: SourceRange, message: string, severity: 'error' | 'warning' = 'error') => diagnostics.push({ file, ...range, message, severity });

  for (const problem of doc.errors) report(rangeOfOffsets(problem.pos[0], problem.pos[1]), yamlMessage(problem.code, problem.message, text, problem.pos[0]));
  for (const problem of doc.warnings) {
    // An unquoted `*` key is read as an alias, and the rest of the file is then misread: an error, not a hint.
    const starAlias = problem.code === 'BAD_ALIAS' && nearStar(text, problem.pos[0]);
    report(rangeOfOffsets(problem.pos[0], problem.pos[1]), yamlMessage(problem.code, problem.message, text, problem.pos[0]), starAlias ? 'error' : 'warning');
  }
  // A syntax error leaves a guessed structure: checking it would mostly report the guess.
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics: sortDiagnostics(diagnostics) };

  const root = resolve(doc, doc.contents);
  const models = new Map<string, ModelRules>();
  let monitoring: MonitoringPolicy | undefined;
  let signatures: 'required' | undefined;
  let version = POLICY_FORMAT_VERSION;
  const start = { line: 1, column: 1 };

  if (root === null || root === undefined || (isScalar(root) && (root.value === null || root.value === ''))) {
    report(start, 'the policy is empty: it needs `version: 1` and `models:` (delete the file to have no policy)');
    return { diagnostics: sortDiagnostics(diagnostics) };
  }
  if (!isMap(root)) {
    report(rangeOf(root), 'the policy must be a mapping with `version: 1` and `models:`');
    return { diagnostics: sortDiagnostics(diagnostics) };
  }

  const top = entries(root);
  for (const { key, keyNode, value, pair } of top) {
    if (key === 'version') {
      if (!isScalar(value) || value.value !== POLICY_FORMAT_VERSION) {
        report(rangeOf(value ?? keyNode), `unsupported policy version ${describeValue(value)}: this Model Ledger reads version ${POLICY_FORMAT_VERSION}`);
      } else {
        version = POLICY_FORMAT_VERSION;
      }
    } else if (key === 'models') {
      readModels(value, pair);
    } else if (key === 'monitoring') {
      monitoring = readMonitoring(value, keyNode);
    } else if (key === 'signatures') {
      signatures = readSignatures(value, keyNode);
    } else {
      report(rangeOf(keyNode), `unknown key ${JSON.stringify(key)}: a policy has \`version\`, \`models\` and optionally \`monitoring\``);
    }
  }
  if (!top.some((e) => e.key === 'version')) report(start, `\`version: ${POLICY_FORMAT_VERSION}\` is missing`);
  if (!top.some((e) => e.key === 'models')) report(start, '`models:` is missing (use `models: {}` for a policy that gates nothing)');

  const sorted = sortDiagnostics(diagnostics);
  if (sorted.some((d) => d.severity === 'error')) return { diagnostics: sorted };
  return { policy: { version, file, models, ...(monitoring ? { monitoring } : {}), ...(signatures ? { signatures } : {}) }, diagnostics: sorted };

  function readSignatures(node: Node | null, keyNode: Node | null): 'required' | undefined {
    if (isScalar(node) && node.value === 'required') return 'required';
    if (isScalar(node) && node.value === 'optional') return undefined;
    report(rangeOf(node ?? keyNode), `signatures: \`required\` or \`optional\`, not ${describeValue(node)}`);
    return undefined;
  }

  function readMonitoring(node: Node | null, keyNode: Node | null): MonitoringPolicy | undefined {
    if (!isMap(node)) {
      report(rangeOf(node ?? keyNode), 'monitoring: expected a mapping with `rules:` (e.g. ["f1 < 0.92 for 48h"]) and optionally `drift_share:`');
      return undefined;
    }
    const rules: AlertRule[] = [];
    let driftShare: number | undefined;
    for (const entry of entries(node)) {
      if (entry.key === 'rules') {
        if (!isSeq(entry.value)) {
          report(rangeOf(entry.value ?? entry.keyNode), 'monitoring.rules: expected a list of rules such as "f1 < 0.92 for 48h"');
          continue;
        }
        for (const item of entry.value.items as Node[]) {
          const resolved = resolve(doc, item);
          const rule = isScalar(resolved) && typeof resolved.value === 'string' ? parseRule(resolved.value) : `expected a rule as text, not ${describeValue(resolved)}`;
          if (typeof rule === 'string') report(rangeOf(resolved), `monitoring.rules: ${rule}`);
          else rules.push(rule);
        }
      } else if (entry.key === 'drift_share') {
        const value = isScalar(entry.value) ? entry.value.value : undefined;
        if (typeof value !== 'number' || !(value > 0 && value <= 1)) report(rangeOf(entry.value ?? entry.keyNode), `monitoring.drift_share: expected a number in (0, 1], not ${describeValue(entry.value)}`);
        else driftShare = value;
      } else {
        report(rangeOf(entry.keyNode), `monitoring: unknown key ${JSON.stringify(entry.key)} (rules, drift_share)`);
      }
    }
    return { rules, ...(driftShare !== undefined ? { driftShare } : {}) };
  }

  function readModels(node: Node | null, pair: Pair): void {
    if (!isMap(node)) {
      report(rangeOf(node ?? (pair.key as Node)), 'models: expected a mapping of model name (or "*") to its rules per target stage');
      return;
    }
    for (const { key, keyNode, value } of entries(node)) {
      if (key === undefined) {
        report(rangeOf(keyNode), 'a model name must be text');
        continue;
      }
      const rules = readModel(key, keyNode, value);
      if (rules) models.set(key, rules);
    }
  }

  function readModel(name: string, keyNode: Node | null, node: Node | null): ModelRules | undefined {
    if (!isMap(node)) {
      report(rangeOf(node ?? keyNode), `${JSON.stringify(name)}: expected a mapping of target stage (${POLICY_TARGETS.join(', ')}) to its rule`);
      return undefined;
    }
    const rules: Partial<Record<PolicyTarget, StageRule>> = {};
    for (const { key, keyNode: targetKey, value } of entries(node)) {
      const target = POLICY_TARGETS.find((t) => t === key);
      if (!target) {
        const near = POLICY_TARGETS.find((t) => t.toLowerCase() === String(key).toLowerCase());
        const none = key === 'None' ? ' (moving a version back to None is never gated)' : '';
        report(rangeOf(targetKey), `unknown stage ${JSON.stringify(key)}${near ? `: did you mean ${near}?` : `: one of ${POLICY_TARGETS.join(', ')}`}${none}`);
        continue;
      }
      const rule = readRule(`${name} → ${target}`, targetKey, value);
      if (rule) rules[target] = rule;
    }
    return rules;
  }

  function readRule(where: string, keyNode: Node | null, node: Node | null): StageRule | undefined {
    if (!isMap(node)) {
      report(rangeOf(node ?? keyNode), `${where}: expected a mapping with \`gates:\` (and optionally \`allowOverride:\`)`);
      return undefined;
    }
    const gates: Gate[] = [];
    let allowOverride = false;
    let signatures: 'required' | undefined;
    for (const { key, keyNode: ruleKey, value } of entries(node)) {
      if (key === 'gates') {
        if (isScalar(value) && value.value === null) continue; // `gates:` with nothing under it yet
        if (!isSeq(value)) {
          report(rangeOf(value ?? ruleKey), `${where}: \`gates\` must be a list (each item starting with "- ")`);
          continue;
        }
        for (const item of value.items) {
          const gate = readGate(resolve(doc, item as Node));
          if (gate) gates.push(gate);
        }
      } else if (key === 'allowOverride') {
        if (!isScalar(value) || typeof value.value !== 'boolean') report(rangeOf(value ?? ruleKey), `allowOverride must be true or false, not ${describeValue(value)}`);
        else allowOverride = value.value;
      } else if (key === 'signatures') {
        signatures = readSignatures(value, ruleKey);
      } else {
        report(rangeOf(ruleKey), `unknown key ${JSON.stringify(key)} in a stage rule: expected \`gates\` or \`allowOverride\``);
      }
    }
    return { gates, allowOverride, range: rangeOf(keyNode), ...(signatures ? { signatures } : {}) };
  }

  function readGate(node: Node | null): Gate | undefined {
    if (isScalar(node) && typeof node.value === 'string') {
      // A bare expression: `drift.<field> …` is a drift gate, anything else a metric gate.
      const drift = /^\s*drift\./.test(node.value);
      return expressionGate(drift ? 'drift' : 'metric', node, node.value.trim(), node);
    }
    if (!isMap(node)) {
      report(rangeOf(node), `a gate is an expression such as \`accuracy >= 0.9\` or a mapping with one of ${GATE_KINDS.join(', ')}; found ${describeValue(node)}`);
      return undefined;
    }
    const items = entries(node);
    const kinds = items.filter((e) => (GATE_KINDS as readonly string[]).includes(String(e.key)));
    if (kinds.length === 0) {
      const first = items[0];
      report(rangeOf(first?.keyNode ?? node), `unknown gate kind ${JSON.stringify(first?.key ?? '')}: one of ${GATE_KINDS.join(', ')}`);
      return undefined;
    }
    if (kinds.length > 1) {
      report(rangeOf(kinds[1].keyNode), `one gate per list item: ${kinds.map((k) => k.key).join(' and ')} are separate gates (start each with "- ")`);
      return undefined;
    }
    const kind = kinds[0].key as GateKind;
    const allowed: Record<GateKind, string[]> = { metric: ['metric'], drift: ['drift'], approvals: ['approvals', 'approvers', 'excludeRequester'], require: ['require'], artifacts: ['artifacts'], fairness: ['fairness', ...FAIRNESS_GATE_OPTIONS] };
    let clean = true;
    for (const e of items) {
      if (!allowed[kind].includes(String(e.key))) {
        clean = false;
        const extra = kind === 'approvals' ? '`approvers` and `excludeRequester`' : kind === 'fairness' ? FAIRNESS_GATE_OPTIONS.map((o) => `\`${o}\``).join(', ') : 'nothing else';
        report(rangeOf(e.keyNode), `unknown key ${JSON.stringify(e.key)} in a ${kind} gate: it takes ${extra}`);
      }
    }
    const { keyNode, value } = kinds[0];
    if (kind === 'metric' || kind === 'drift') {
      if (!isScalar(value) || typeof value.value !== 'string') {
        report(rangeOf(value ?? keyNode), `${kind}: expected an expression such as \`${kind === 'metric' ? 'accuracy >= 0.9' : 'share <= 0.3'}\`, found ${describeValue(value)}`);
        return undefined;
      }
      const gate = expressionGate(kind, value, `${kind}: ${value.value.trim()}`, node);
      return clean ? gate : undefined;
    }
    if (kind === 'fairness') return clean ? fairnessGate(node, items, value, keyNode) : undefined;
    if (kind === 'require') {
      const field = isScalar(value) ? REQUIREMENTS.find((r) => r === value.value) : undefined;
      if (!field) {
        report(rangeOf(value ?? keyNode), `require: one of ${REQUIREMENTS.join(', ')}, not ${describeValue(value)}`);
        return undefined;
      }
      return clean ? { kind, field, text: `require: ${field}`, range: gateRange(node, value!) } : undefined;
    }
    if (kind === 'artifacts') {
      const requirement = isScalar(value) && typeof value.value === 'string' ? parseArtifactsRequirement(value.value) : undefined;
      if (!requirement) {
        report(rangeOf(value ?? keyNode), `artifacts: \`verified\` or \`signed-by KEYFILE\`, not ${describeValue(value)}`);
        return undefined;
      }
      return clean ? { kind, ...requirement, text: `artifacts: ${String(value!.toJSON()).trim()}`, range: gateRange(node, value!) } : undefined;
    }
    return readApprovals(node, items, value, keyNode, clean);
  }

  function fairnessGate(node: YAMLMap, items: Entry[], value: Node | null, keyNode: Node | null): FairnessGate | undefined {
    if (!isScalar(value) || typeof value.value !== 'string') {
      report(rangeOf(value ?? keyNode), `fairness: expected an expression such as \`demographic_parity_difference(sex) <= 0.1\`, found ${describeValue(value)}`);
      return undefined;
    }
    const options: Partial<Record<FairnessGateOption, string>> = {};
    let ok = true;
    for (const e of items.filter((i) => i.key !== 'fairness')) {
      if (isScalar(e.value) && e.value.value !== null && typeof e.value.value !== 'object') options[e.key as FairnessGateOption] = String(e.value.value);
      else {
        ok = false;
        report(rangeOf(e.value ?? e.keyNode), `fairness: \`${e.key}\` must be a single value, not ${describeValue(e.value)}`);
      }
    }
    const gate = readFairnessGate(value.value, options, gateRange(node, value), (message) => report(rangeOf(value), message));
    return ok ? gate : undefined;
  }

  function readApprovals(node: YAMLMap, items: Entry[], value: Node | null, keyNode: Node | null, clean: boolean): ApprovalsGate | undefined {
    let ok = clean;
    const required = isScalar(value) ? value.value : undefined;
    if (typeof required !== 'number' || !Number.isInteger(required) || required < 1) {
      report(rangeOf(value ?? keyNode), `approvals: the number of approvals needed must be a whole number of at least 1, not ${describeValue(value)}`);
      ok = false;
    }
    let approvers: string[] | undefined;
    const approversEntry = items.find((e) => e.key === 'approvers');
    if (approversEntry) {
      const list = approversEntry.value;
      if (!isSeq(list)) {
        report(rangeOf(list ?? approversEntry.keyNode), 'approvers: expected a list of e-mail addresses or names, e.g. [alice@example.com, bob@example.com]');
        ok = false;
      } else {
        approvers = [];
        for (const item of list.items) {
          const entry = resolve(doc, item as Node);
          if (!isScalar(entry) || typeof entry.value !== 'string' || entry.value.trim() === '') {
            report(rangeOf(entry ?? list), `an approver is an e-mail address or a name, not ${describeValue(entry)}`);
            ok = false;
          } else {
            approvers.push(entry.value.trim());
          }
        }
        if (approvers.length === 0) {
          report(rangeOf(list), 'approvers: an empty list means no approval can ever count; list who may approve, or remove `approvers` to let anyone');
          ok = false;
        } else if (typeof required === 'number' && required > new Set(approvers.map((a) => a.toLowerCase())).size) {
          report(rangeOf(value), `approvals: ${required} needed but only ${new Set(approvers.map((a) => a.toLowerCase())).size} distinct approvers are listed: this gate can never pass`);
          ok = false;
        }
      }
    }
    let excludeRequester = true;
    const excludeEntry = items.find((e) => e.key === 'excludeRequester');
    if (excludeEntry) {
      if (!isScalar(excludeEntry.value) || typeof excludeEntry.value.value !== 'boolean') {
        report(rangeOf(excludeEntry.value ?? excludeEntry.keyNode), `excludeRequester must be true or false, not ${describeValue(excludeEntry.value)}`);
        ok = false;
      } else {
        excludeRequester = excludeEntry.value.value;
      }
    }
    if (!ok) return undefined;
    return { kind: 'approvals', required: required as number, ...(approvers ? { approvers } : {}), excludeRequester, text: `approvals: ${required as number}`, range: gateRange(node, value!) };
  }

  function expressionGate(kind: 'metric' | 'drift', scalar: Scalar, text: string, item: Node): MetricGate | DriftGate | undefined {
    const expression = String(scalar.value);
    const base = expressionOffset(scalar);
    const at = (error: ExpressionError) => rangeOfOffsets(base + error.start, base + error.end);
    const parsed = parseComparison(expression);
    if (parsed.error) {
      report(at(parsed.error), `${kind}: ${parsed.error.message}`);
      return undefined;
    }
    const comparison = parsed.comparison!;
    const range = gateRange(item, scalar);
    if (kind === 'metric') return { kind, comparison, text, range };
    // In `drift: share <= 0.3` and `- drift.share <= 0.3` the subject names a drift figure.
    const field = DRIFT_FIELDS.find((f) => f === comparison.subject || `drift.${f}` === comparison.subject);
    const subjectAt = expression.indexOf(comparison.subject);
    if (!field) {
      report(at({ message: '', start: subjectAt, end: subjectAt + comparison.subject.length }), `drift: unknown drift figure ${JSON.stringify(comparison.subject)}: one of ${DRIFT_FIELDS.map((f) => `drift.${f}`).join(', ')}`);
      return undefined;
    }
    if (comparison.threshold.kind !== 'number') {
      report(rangeOf(scalar), 'drift: the threshold must be a number (drift is measured for the candidate alone)');
      return undefined;
    }
    return { kind, field, comparison, text, range };
  }

  function sortDiagnostics(list: PolicyDiagnostic[]): PolicyDiagnostic[] {
    return list.sort((a, b) => a.line - b.line || a.column - b.column);
  }

  interface Entry {
    key: string | undefined;
    keyNode: Node | null;
    value: Node | null;
    pair: Pair;
  }

  function entries(map: YAMLMap): Entry[] {
    return map.items.map((pair) => {
      const keyNode = resolve(doc, pair.key as Node | null);
      const key = isScalar(keyNode) && keyNode.value !== null && typeof keyNode.value !== 'object' ? String(keyNode.value) : undefined;
      return { key, keyNode, value: resolve(doc, pair.value as Node | null), pair };
    });
  }
}

/** Follows an alias (`*anchor`) to its node; policies rarely use them, but a valid YAML file must not be misread. */
function resolve(doc: Document, node: Node | null | undefined): Node | null {
  if (node && isAlias(node)) return resolveAlias(doc, node) ?? null;
  return node ?? null;
}

/**
 * Where the scalar's value starts in the file: a plain scalar's range starts at its text (and, on one
 * line, is its text); a quoted one's after the quote (escapes before an error shift it slightly).
 */
function expressionOffset(scalar: Scalar): number {
  if (!scalar.range) return 0;
  return scalar.type === 'QUOTE_DOUBLE' || scalar.type === 'QUOTE_SINGLE' ? scalar.range[0] + 1 : scalar.range[0];
}

function describeValue(node: Node | null | undefined): string {
  if (!node) return 'nothing';
  if (isScalar(node)) return node.value === null ? 'nothing' : JSON.stringify(node.value);
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  return 'this';
}

/** yaml points at the alias's end (the `:` of `*:`) or at the `*` itself. */
function nearStar(text: string, offset: number): boolean {
  return text.slice(Math.max(0, offset - 1), offset + 1).includes('*');
}

function yamlMessage(code: string, message: string, text: string, offset: number): string {
  if (code === 'BAD_ALIAS' && nearStar(text, offset)) {
    return 'a bare * starts a YAML alias: write the default model name quoted, "*"';
  }
  if (code === 'TAB_AS_INDENT') return 'YAML does not allow tabs for indentation: indent with spaces';
  if (code === 'UNEXPECTED_TOKEN' && /["']\s*$/.test(text.slice(Math.max(0, offset - 40), offset))) {
    // `metric: "val acc" >= 0.9`: YAML took the quoted name for the whole value.
    return `${message}: to quote a metric name inside an expression, quote the whole expression too, e.g. '"val acc" >= 0.9'`;
  }
  return message;
}
