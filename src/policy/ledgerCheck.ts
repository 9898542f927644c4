/**
 * `model-ledger verify --policy`: replays the ledger and checks that every stage transition satisfied
 * the policy in force when it was made, with the approvals recorded before it. The ledger's hashes
 * already make an edited event visible; this catches an event that is well-formed and correctly
 * chained but should never have been written (gates bypassed by a hand-made append or an old client).
 *
 * Limits, stated in each problem where they matter: metrics are the source runs' values in the store
 * now (a run that kept logging after its promotion is judged by its later values), and drift gates
 * need a `driftOf` source or they cannot be evaluated (and so fail).
 */
import type { LedgerEvent, Stage } from '../registry/events';
import { apply, type ModelState, type VersionState } from '../registry/projection';
import { judgeMove } from './context';
import type { GateResult } from './gates';
import type { Policy, PolicyTarget } from './policyFile';

export interface PolicyProblem {
  /** 1-based line of the transition in the ledger file (0 if the event carries none). */
  readonly line: number;
  readonly eventId: string;
  readonly kind: 'policy';
  readonly model: string;
  readonly version: number;
  readonly target: PolicyTarget;
  /** Whose rule applied: the model's own or "*". */
  readonly scope: string;
  readonly message: string;
  /** Gates that failed or could not be evaluated. */
  readonly failed: readonly GateResult[];
}

export interface LedgerPolicyOptions {
  /** The drift share of a version's data, when a drift report exists for it. */
  readonly driftOf?: (model: string, version: VersionState) => { readonly share: number } | undefined;
}

/**
 * @param events verified events in ledger order (`parseLedger(...).events`).
 * @param policyAt the policy in force for an event (undefined: none, nothing gated). A first version
 *   passes the current policy file for every event; a later one can read the file as of the event's commit.
 * @param metricsOf last metric values of a version's source run (e.g. `lastMetricValues(db, v.runUid)`).
 */
export function checkLedgerAgainstPolicy(
  events: readonly (LedgerEvent & { readonly line?: number })[],
  policyAt: (event: LedgerEvent) => Policy | undefined,
  metricsOf: (model: string, version: VersionState) => Readonly<Record<string, number>> | undefined,
  options: LedgerPolicyOptions = {},
): PolicyProblem[] {
  const models = new Map<string, ModelState>();
  const problems: PolicyProblem[] = [];
  for (const event of events) {
    // Changes made on an MLflow server were judged against the server's state when made; the local replay does not hold it.
    if (event.server !== undefined) continue;
    const problem = event.action === 'transition' ? checkTransition(models, event, policyAt, metricsOf, options) : undefined;
    // Illegal events are `project`'s to report (verify already does); only a legal move is judged here.
    const illegal = apply(models, event);
    if (problem && !illegal) problems.push(problem);
  }
  return problems;
}

function checkTransition(
  models: Map<string, ModelState>,
  event: LedgerEvent & { readonly line?: number },
  policyAt: (event: LedgerEvent) => Policy | undefined,
  metricsOf: (model: string, version: VersionState) => Readonly<Record<string, number>> | undefined,
  options: LedgerPolicyOptions,
): PolicyProblem | undefined {
  const model = models.get(event.model);
  const version = event.version === undefined ? undefined : model?.versions.get(event.version);
  const after = (event.after ?? {}) as Record<string, unknown>;
  if (!model || !version || typeof after.stage !== 'string') return undefined;
  const policy = policyAt(event);
  if (!policy) return undefined;
  const drift = options.driftOf?.(model.name, version);
  const override = readOverride(after.override);
  const judged = judgeMove(policy, model, version, after.stage as Stage, {
    requester: { name: event.actor.name, ...(event.actor.email ? { email: event.actor.email } : {}) },
    metricsOf,
    ...(drift ? { drift } : {}),
    ...(event.reason !== undefined ? { reason: event.reason } : {}),
    ...(override ? { override } : {}),
    after,
  });
  if (!judged || judged.decision.allowed) return undefined;
  const { decision, target, scope, rule } = judged;
  // A fairness gate is judged on evaluation data the replay does not have: the pass the event recorded
  // stands for it (the data file is not part of the ledger). Every other gate is judged again.
  const recordedPasses = fairnessPassesOf(after.gates);
  const blockedBy = decision.blockedBy.filter((r) => !(r.kind === 'fairness' && r.status === 'not-evaluable' && recordedPasses.has(r.gate)));
  if (blockedBy.length === 0) return undefined;
  const details = blockedBy.map((r) => `${r.gate} (${r.status === 'fail' ? 'failed' : 'not evaluable'}: ${r.reason})`).join('; ');
  const overrideNote = override ? ` An override was recorded, but ${rule.allowOverride ? 'without a justification' : `the policy does not allow overrides for ${scope === '*' ? 'any model' : model.name} → ${target}`}.` : '';
  return {
    line: event.line ?? 0,
    eventId: event.id,
    kind: 'policy',
    model: model.name,
    version: version.version,
    target,
    scope,
    message: `${model.name} v${version.version} → ${target === 'rollback' ? 'Production (rollback)' : target} by ${event.actor.name} broke the policy (rule "${scope}" → ${target} in ${policy.file}): ${decision.message}: ${details}.${overrideNote}`,
    failed: blockedBy,
  };
}

function fairnessPassesOf(gates: unknown): Set<string> {
  if (!Array.isArray(gates)) return new Set();
  return new Set(gates.filter((g): g is { gate: string } => !!g && typeof g === 'object' && (g as { kind?: unknown }).kind === 'fairness' && (g as { status?: unknown }).status === 'pass' && typeof (g as { gate?: unknown }).gate === 'string').map((g) => g.gate));
}

/** `after.override` as the promotion panel writes it: `{ justification: "..." }`; anything else there is still an attempted override. */
function readOverride(value: unknown): { justification?: string } | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (typeof value === 'object' && typeof (value as { justification?: unknown }).justification === 'string') return { justification: (value as { justification: string }).justification };
  return {};
}
