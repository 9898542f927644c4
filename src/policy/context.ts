/**
 * Builds a gate context from the registry's projected state, so that the promotion panel, the CLI's
 * `promote` and `verify --policy` judge a move from the same facts in the same way.
 */
import type { Database } from 'sql.js';
import type { Stage } from '../registry/events';
import type { ModelState, VersionState } from '../registry/projection';
import { runForUid } from '../registry/queries';
import { seriesLabel, seriesSummaries } from '../store/metrics';
import type { FairnessDataLookup } from './fairnessGate';
import { canPromote, evaluateRule, type Approval, type GateContext, type GateResult, type Person, type PromotionDecision, type VersionMetrics } from './gates';
import { ruleFor, type Policy, type PolicyTarget, type StageRule } from './policyFile';

/**
 * Which policy rule a move answers to: None is never gated; a move into Production of a version that
 * held Production before (or one marked `after.rollback: true`) is a rollback; otherwise the stage.
 */
export function policyTargetFor(version: Pick<VersionState, 'stageHistory'>, stage: Stage, after?: Readonly<Record<string, unknown>> | null): PolicyTarget | undefined {
  if (stage === 'None') return undefined;
  if (stage === 'Production' && (after?.rollback === true || version.stageHistory.some((h) => h.stage === 'Production'))) return 'rollback';
  return stage;
}

/** The stage a target moves the version into. */
export function stageOfTarget(target: PolicyTarget): Stage {
  return target === 'rollback' ? 'Production' : target;
}

/**
 * The version now holding a stage, other than the candidate. Several can be in Staging (or Archived)
 * at once: the one that entered it last is "the current one".
 */
export function holderOf(model: ModelState, stage: Stage, except: number): VersionState | undefined {
  let best: { version: VersionState; since: string } | undefined;
  for (const version of model.versions.values()) {
    if (version.version === except || version.stage !== stage) continue;
    const since = version.stageHistory.at(-1)?.time ?? version.updatedAt;
    if (!best || since > best.since) best = { version, since };
  }
  return best?.version;
}

export interface ContextInputs {
  readonly requester: Person;
  /** Last metric values of a version's source run; undefined when its run is not in the store. */
  readonly metricsOf: (model: string, version: VersionState) => Readonly<Record<string, number>> | undefined;
  readonly drift?: { readonly share: number };
  readonly reason?: string;
  readonly artifacts?: import('./artifactGate').ArtifactEvidence;
  readonly fairnessData?: FairnessDataLookup;
}

/** The gate context for moving `version` of `model` (as the state is before the move) to `target`. */
export function gateContextFor(model: ModelState, version: VersionState, target: PolicyTarget, inputs: ContextInputs): GateContext {
  const stage = stageOfTarget(target);
  const metricsAt = (v: VersionState | undefined): VersionMetrics | undefined => (v ? { version: v.version, metrics: inputs.metricsOf(model.name, v) ?? {} } : undefined);
  const current = metricsAt(target === 'Archived' ? undefined : holderOf(model, stage, version.version));
  const production = stage === 'Production' ? current : metricsAt(holderOf(model, 'Production', version.version));
  // Read defensively: a ledger written before approvals existed has versions without the list.
  const recorded = (version as Partial<Pick<VersionState, 'approvals'>>).approvals ?? [];
  const approvals: Approval[] = recorded.filter((a) => a.stage === stage).map((a) => ({ name: a.actor.name, ...(a.actor.email ? { email: a.actor.email } : {}), time: a.time }));
  return {
    model: model.name,
    version: version.version,
    targetStage: target,
    requester: inputs.requester,
    candidate: { metrics: inputs.metricsOf(model.name, version) ?? {}, ...(version.description !== undefined ? { description: version.description } : {}) },
    ...(current ? { current } : {}),
    ...(production ? { production } : {}),
    ...(inputs.drift ? { drift: inputs.drift } : {}),
    approvals,
    ...(inputs.reason !== undefined ? { reason: inputs.reason } : {}),
    ...(inputs.artifacts ? { artifacts: inputs.artifacts } : {}),
    ...(inputs.fairnessData ? { fairnessData: inputs.fairnessData } : {}),
  };
}

/** The last value of every metric of a run in the store (NaN stays NaN: a gate reports it), or undefined if the run is unknown. */
export function lastMetricValues(db: Database, runUid: string): Record<string, number> | undefined {
  const run = runForUid(db, runUid);
  if (!run) return undefined;
  const values: Record<string, number> = {};
  for (const series of seriesSummaries(db, run.id)) if (series.last) values[seriesLabel(series.key, series.dataset)] = series.last.value;
  return values;
}

export interface MoveJudgement {
  readonly target: PolicyTarget;
  readonly rule: StageRule;
  /** Whose rule: the model's own name or "*". */
  readonly scope: string;
  readonly context: GateContext;
  readonly results: readonly GateResult[];
  readonly decision: PromotionDecision;
}

/**
 * Judges moving `version` of `model` to `stage` against a policy, from the registry state before the
 * move: the one call the panel, `promote` (inside the ledger lock, so approvals and holders are those
 * the append sees) and `verify --policy` share. Undefined when no rule with gates applies (the move is free).
 */
export function judgeMove(
  policy: Policy,
  model: ModelState,
  version: VersionState,
  stage: Stage,
  inputs: ContextInputs & { readonly override?: { readonly justification?: string }; readonly after?: Readonly<Record<string, unknown>> | null },
): MoveJudgement | undefined {
  const target = policyTargetFor(version, stage, inputs.after);
  if (!target) return undefined;
  const found = ruleFor(policy, model.name, target);
  if (!found || found.rule.gates.length === 0) return undefined;
  const context = gateContextFor(model, version, target, inputs);
  const results = evaluateRule(found.rule, context);
  return { target, rule: found.rule, scope: found.scope, context, results, decision: canPromote(results, found.rule, inputs.override) };
}
