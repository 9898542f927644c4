// What the promotion panel shows, built from the registry's projected state, the ledger's events,
// the policy and the store (host-free: unit tests and the browser check build it the same way).
import type { Database } from 'sql.js';
import { metricDirection } from '../compare/compareData';
import { judgeMove, lastMetricValues, holderOf, type FairnessDataLookup, type PolicyLoad } from '../policy';
import { ruleFor } from '../policy/policyFile';
import { STAGES, type Actor, type LedgerEvent, type Stage } from '../registry/events';
import { previousProduction, type ModelState, type RegistryState, type VersionState } from '../registry/projection';
import { runForUid } from '../registry/queries';
import { runDetails } from '../tracking/queries';
import { actorText, eventSummary, recordedGates, recordedOverride } from '../report/eventText';
import type { GateRow, HistoryRow, MetricComparison, ParamDifference, PromotionState, PromotionVersion, StageName } from '../shared/promotionProtocol';

export interface PromotionInputs {
  readonly folder: string;
  readonly state: RegistryState;
  readonly events: readonly LedgerEvent[];
  readonly model: string;
  readonly version: number;
  readonly target: Stage;
  readonly policy: PolicyLoad;
  /** The policy file relative to the workspace folder, for display. */
  readonly policyLabel: string;
  readonly db: Database | undefined;
  readonly identity: Actor;
  /** The candidate's drift share, when a drift result is known. */
  readonly drift?: { readonly share: number };
  /** The evaluation data of the policy's fairness gates, read beforehand. */
  readonly fairnessData?: FairnessDataLookup;
}

export class PromotionStateError extends Error {
  override name = 'PromotionStateError';
}

interface RunFacts {
  name: string | null;
  experiment: string | null;
  params: Map<string, string>;
  metrics: Record<string, number> | undefined;
}

function runFacts(db: Database | undefined, version: VersionState): RunFacts {
  const none: RunFacts = { name: null, experiment: null, params: new Map(), metrics: undefined };
  if (!db || !version.runUid) return none;
  const run = runForUid(db, version.runUid);
  if (!run) return none;
  const details = runDetails(db, run.id);
  return { name: run.name ?? null, experiment: details.experimentName || null, params: new Map(details.params), metrics: lastMetricValues(db, version.runUid) };
}

function describeVersion(model: ModelState, version: VersionState, facts: RunFacts): PromotionVersion {
  return {
    version: version.version,
    stage: version.stage,
    description: version.description ?? null,
    createdBy: version.createdBy,
    createdAt: version.createdAt,
    runUid: version.runUid ?? null,
    runName: facts.name,
    experiment: facts.experiment,
    source: version.source ?? null,
    aliases: [...model.aliases].filter(([, v]) => v === version.version).map(([a]) => a).sort(),
  };
}

/** Every event about the model, newest first, as the History tab lists them. */
export function historyRows(events: readonly LedgerEvent[], model: string): HistoryRow[] {
  return events
    .filter((e) => e.model === model)
    .map((e) => {
      const override = recordedOverride(e);
      return {
        id: e.id,
        time: e.time,
        action: String(e.action),
        version: e.version ?? null,
        actor: actorText(e.actor),
        summary: eventSummary(e),
        reason: e.reason ?? null,
        gates: recordedGates(e).map((g) => ({ gate: g.gate, status: g.status, reason: g.reason })),
        override: override ?? null,
      };
    })
    .reverse();
}

export function buildPromotionState(inputs: PromotionInputs): PromotionState {
  const model = inputs.state.models.get(inputs.model);
  if (!model) throw new PromotionStateError(`no model "${inputs.model}" in the ledger`);
  const version = model.versions.get(inputs.version);
  if (!version) throw new PromotionStateError(`"${inputs.model}" has no version ${inputs.version} (versions: ${[...model.versions.keys()].join(', ')})`);
  const target = inputs.target;
  const holder = target === 'Archived' || target === 'None' ? undefined : holderOf(model, target, version.version);
  const candidateFacts = runFacts(inputs.db, version);
  const currentFacts = holder ? runFacts(inputs.db, holder) : undefined;

  const metricKeys = [...new Set([...Object.keys(candidateFacts.metrics ?? {}), ...Object.keys(currentFacts?.metrics ?? {})])].sort();
  const metrics: MetricComparison[] = metricKeys.map((key) => ({
    key,
    candidate: candidateFacts.metrics?.[key] ?? null,
    current: currentFacts?.metrics?.[key] ?? null,
    direction: metricDirection(key),
  }));
  const paramKeys = [...new Set([...candidateFacts.params.keys(), ...(currentFacts?.params.keys() ?? [])])].sort();
  const params: ParamDifference[] = paramKeys
    .map((key) => ({ key, candidate: candidateFacts.params.get(key) ?? null, current: currentFacts ? (currentFacts.params.get(key) ?? null) : null }))
    .filter((p) => !currentFacts || p.candidate !== p.current);

  let gates: GateRow[] = [];
  let blocked: string | null = null;
  let scope: string | null = null;
  let allowOverride = false;
  if (version.stage === target) blocked = `v${version.version} is already in ${target}`;
  const policy = inputs.policy;
  if (policy.state === 'invalid') {
    blocked = `the policy ${inputs.policyLabel} has errors: promotion is blocked until they are fixed (see the Problems view)`;
  } else if (policy.state === 'ok') {
    const judged = judgeMove(policy.policy, model, version, target, {
      requester: inputs.identity,
      metricsOf: (_m, v) => (inputs.db && v.runUid ? lastMetricValues(inputs.db, v.runUid) : undefined),
      ...(inputs.drift ? { drift: inputs.drift } : {}),
      ...(inputs.fairnessData ? { fairnessData: inputs.fairnessData } : {}),
    });
    if (judged) {
      scope = judged.scope;
      allowOverride = judged.rule.allowOverride === true;
      gates = judged.results.map((r) => ({
        gate: r.gate,
        kind: r.kind,
        status: r.status,
        value: r.value ?? null,
        threshold: r.threshold ?? null,
        reason: r.reason,
        line: r.line,
        needsReason: r.kind === 'require' && /reason/.test(r.gate),
      }));
    } else {
      const found = target === 'None' ? undefined : ruleFor(policy.policy, model.name, target);
      scope = found?.scope ?? null;
      allowOverride = found?.rule.allowOverride === true;
    }
  }
  const stage = target;
  const approvals = version.approvals.filter((a) => a.stage === stage).map((a) => ({ name: a.actor.name, email: a.actor.email ?? null, time: a.time }));
  const me = inputs.identity;
  const approvedByMe = version.approvals.some((a) => a.stage === stage && (a.actor.email && me.email ? a.actor.email === me.email : a.actor.name === me.name));
  const production = [...model.versions.values()].find((v) => v.stage === 'Production');
  return {
    folder: inputs.folder,
    model: model.name,
    target: target as StageName,
    candidate: describeVersion(model, version, candidateFacts),
    current: holder ? describeVersion(model, holder, currentFacts!) : null,
    metrics,
    params,
    paramCount: paramKeys.length,
    drift: inputs.drift ? { share: inputs.drift.share } : null,
    policy: {
      state: policy.state,
      file: inputs.policyLabel,
      scope,
      allowOverride,
      problems: policy.state === 'invalid' ? policy.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`) : [],
    },
    gates,
    gatesPass: gates.every((g) => g.status === 'pass' || g.needsReason),
    blocked,
    approvals,
    identity: { name: me.name, email: me.email ?? null },
    approvedByMe,
    rollbackTo: previousProduction(model) ?? null,
    productionVersion: production?.version ?? null,
    versions: [...model.versions.values()].sort((a, b) => b.version - a.version).map((v) => ({ version: v.version, stage: v.stage })),
    history: historyRows(inputs.events, model.name),
  };
}

export function isStage(text: unknown): text is Stage {
  return (STAGES as readonly unknown[]).includes(text);
}
