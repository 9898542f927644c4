import type { Database } from 'sql.js';
import type { MoveCheck } from '../registry/ledgerRegistry';
import type { VersionState } from '../registry/projection';
import { judgeMove, lastMetricValues } from './context';
import type { FairnessDataLookup } from './fairnessGate';
import type { Policy } from './policyFile';
import type { ArtifactEvidence } from './artifactGate';

/** The latest drift result known for a version (the drift panel's report, or `promote --drift-report`). */
export type DriftLookup = (model: string, version: number) => { readonly share: number } | undefined;

/**
 * The policy as the registry's move check: the gates of the rule for (model, target stage), with
 * the metrics of each version's source run from the store, evaluated under the ledger's lock.
 */
export function policyMoveCheck(
  policy: Policy,
  db: Database | undefined,
  driftOf?: DriftLookup,
  artifactsOf?: (model: string, version: number) => ArtifactEvidence | undefined,
  fairnessData?: FairnessDataLookup,
): MoveCheck {
  const metricsOf = (_model: string, version: VersionState) => (db && version.runUid ? lastMetricValues(db, version.runUid) : undefined);
  return (state, move) => {
    const model = state.models.get(move.model);
    const version = model?.versions.get(move.version);
    if (!model || !version) return undefined;
    const drift = driftOf?.(move.model, move.version);
    const artifacts = artifactsOf?.(move.model, move.version);
    const judgement = judgeMove(policy, model, version, move.stage, {
      requester: move.requester,
      metricsOf,
      ...(drift ? { drift: { share: drift.share } } : {}),
      ...(artifacts ? { artifacts } : {}),
      ...(move.reason !== undefined ? { reason: move.reason } : {}),
      ...(move.override ? { override: move.override } : {}),
      after: move.after,
      ...(fairnessData ? { fairnessData } : {}),
    });
    if (!judgement) return undefined;
    return {
      allowed: judgement.decision.allowed,
      overridden: judgement.decision.overridden,
      message: `${judgement.decision.message}${judgement.decision.blockedBy.length ? `: ${judgement.decision.blockedBy.map((g) => `${g.gate} (${g.reason})`).join('; ')}` : ''}`,
      gates: judgement.results.map((g) => ({ gate: g.gate, kind: g.kind, status: g.status, ...(g.value !== undefined ? { value: g.value } : {}), ...(g.threshold !== undefined ? { threshold: g.threshold } : {}), reason: g.reason })),
    };
  };
}
