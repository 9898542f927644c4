import { STAGES, type LedgerEvent, type Stage } from './events';
import type { LedgerProblem } from './ledgerFile';

export interface VersionState {
  readonly version: number;
  stage: Stage;
  runUid?: string;
  runId?: string;
  source?: string;
  description?: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  tags: Record<string, string>;
  /** Stages this version held, oldest first, with the event that moved it (for rollback and history). */
  stageHistory: { stage: Stage; time: string; eventId: string }[];
  /** Approvals recorded for moving this version to a stage, not yet consumed by reaching it. */
  approvals: { stage: Stage; actor: { name: string; email?: string }; time: string; eventId: string }[];
  /** The reference dataset for drift (a path relative to the workspace folder), from the last set-reference event. */
  reference?: string;
}

export interface ModelState {
  readonly name: string;
  description?: string;
  tags: Record<string, string>;
  versions: Map<number, VersionState>;
  aliases: Map<string, number>;
  createdAt: string;
  updatedAt: string;
  /** Versions that were in Production, in order (the last one is current when any is). */
  productionHistory: number[];
}

export interface RegistryState {
  readonly models: Map<string, ModelState>;
}

/**
 * Replays ledger events (already verified and ordered) into the registry's state, checking that
 * each transition is legal at that point. An illegal event is reported and skipped: the state is
 * what the legal events say.
 */
export function project(events: readonly (LedgerEvent & { line?: number })[]): { state: RegistryState; problems: LedgerProblem[] } {
  const models = new Map<string, ModelState>();
  const problems: LedgerProblem[] = [];
  for (const event of events) {
    // A change made on an MLflow server is recorded for the audit trail; it is not this registry's state.
    if (event.server !== undefined) continue;
    const problem = apply(models, event);
    if (problem) problems.push({ line: event.line ?? 0, eventId: event.id, kind: 'illegal', message: problem });
  }
  return { state: { models }, problems };
}

/** Applies one event; returns why it is illegal (and leaves the state untouched) or undefined. */
export function apply(models: Map<string, ModelState>, e: LedgerEvent): string | undefined {
  const after = (e.after ?? {}) as Record<string, unknown>;
  const before = (e.before ?? {}) as Record<string, unknown>;
  let model = models.get(e.model);
  if (e.action === 'register') {
    const expected = model ? Math.max(0, ...model.versions.keys()) + 1 : 1;
    if (e.version !== expected) return `register: model "${e.model}" expects version ${expected}, the event says ${e.version}`;
    if (!model) {
      model = { name: e.model, tags: {}, versions: new Map(), aliases: new Map(), createdAt: e.time, updatedAt: e.time, productionHistory: [] };
      models.set(e.model, model);
    }
    model.versions.set(expected, {
      version: expected,
      stage: 'None',
      ...(typeof after.runUid === 'string' ? { runUid: after.runUid } : {}),
      ...(typeof after.runId === 'string' ? { runId: after.runId } : {}),
      ...(typeof after.source === 'string' ? { source: after.source } : {}),
      ...(typeof after.description === 'string' ? { description: after.description } : {}),
      createdAt: e.time,
      createdBy: e.actor.name,
      updatedAt: e.time,
      tags: isStringMap(after.tags) ? { ...after.tags } : {},
      stageHistory: [{ stage: 'None', time: e.time, eventId: e.id }],
      approvals: [],
    });
    model.updatedAt = e.time;
    return undefined;
  }
  if (!model) return `${e.action}: model "${e.model}" is not registered`;
  const version = e.version === undefined ? undefined : model.versions.get(e.version);
  if (e.version !== undefined && !version) return `${e.action}: "${e.model}" has no version ${e.version}`;
  switch (e.action) {
    case 'transition': {
      if (!version) return 'transition: no version given';
      const to = after.stage as Stage;
      if (!(STAGES as readonly string[]).includes(to)) return `transition: unknown stage ${JSON.stringify(after.stage)}`;
      if (before.stage !== undefined && before.stage !== version.stage) {
        return `transition: v${version.version} was ${version.stage}, the event says it was ${String(before.stage)}`;
      }
      if (to === version.stage) return `transition: v${version.version} is already ${to}`;
      if (to === 'Production') {
        // At most one Production version: the previous one is archived, as MLflow's archive_existing_versions does.
        for (const other of model.versions.values()) {
          if (other !== version && other.stage === 'Production') setStage(other, 'Archived', e);
        }
        model.productionHistory.push(version.version);
      }
      setStage(version, to, e);
      break;
    }
    case 'set-alias': {
      if (!version) return 'set-alias: no version given';
      const alias = after.alias;
      if (typeof alias !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(alias)) return `set-alias: bad alias ${JSON.stringify(alias)}`;
      model.aliases.set(alias, version.version);
      break;
    }
    case 'delete-alias': {
      const alias = before.alias;
      if (typeof alias !== 'string' || !model.aliases.has(alias)) return `delete-alias: "${e.model}" has no alias ${JSON.stringify(alias)}`;
      model.aliases.delete(alias);
      break;
    }
    case 'set-description': {
      if (typeof after.description !== 'string') return 'set-description: no description';
      if (version) version.description = after.description;
      else model.description = after.description;
      break;
    }
    case 'set-tag':
    case 'delete-tag': {
      const key = (e.action === 'set-tag' ? after.key : before.key) as unknown;
      if (typeof key !== 'string' || key === '') return `${e.action}: no tag key`;
      const tags = version ? version.tags : model.tags;
      if (e.action === 'set-tag') {
        if (typeof after.value !== 'string') return 'set-tag: the value must be text';
        tags[key] = after.value;
      } else {
        if (!(key in tags)) return `delete-tag: no tag ${JSON.stringify(key)}`;
        delete tags[key];
      }
      break;
    }
    case 'approve': {
      if (!version) return 'approve: no version given';
      const stage = after.stage as Stage;
      if (!(STAGES as readonly string[]).includes(stage)) return `approve: unknown stage ${JSON.stringify(after.stage)}`;
      if (stage === version.stage) return `approve: v${version.version} is already ${stage}`;
      version.approvals.push({ stage, actor: { ...e.actor }, time: e.time, eventId: e.id });
      break;
    }
    case 'set-reference': {
      if (!version) return 'set-reference: no version given';
      if (typeof after.path !== 'string' || after.path.trim() === '') return 'set-reference: no dataset path';
      version.reference = after.path;
      break;
    }
    case 'alert': {
      if (!version) return 'alert: no version given';
      if (typeof after.rule !== 'string' || after.rule === '') return 'alert: no rule';
      break;
    }
    default:
      return `unknown action ${String(e.action)}`;
  }
  if (version) version.updatedAt = e.time;
  model.updatedAt = e.time;
  return undefined;
}

function setStage(version: VersionState, stage: Stage, e: LedgerEvent): void {
  version.stage = stage;
  // Approvals are for one move: reaching the stage consumes them (approvals for other stages stay).
  version.approvals = version.approvals.filter((a) => a.stage !== stage);
  version.updatedAt = e.time;
  version.stageHistory.push({ stage, time: e.time, eventId: e.id });
}

function isStringMap(value: unknown): value is Record<string, string> {
  return !!value && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

/** The version that was in Production before the current one (what a rollback restores), if any is left. */
export function previousProduction(model: ModelState): number | undefined {
  const current = [...model.versions.values()].find((v) => v.stage === 'Production')?.version;
  for (let i = model.productionHistory.length - 1; i >= 0; i--) {
    const candidate = model.productionHistory[i];
    if (candidate !== current && model.versions.get(candidate)?.stage !== 'Production') return candidate;
  }
  return undefined;
}
