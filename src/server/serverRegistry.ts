/**
 * Registry changes on an MLflow Tracking Server, through its API: stage transitions (with the
 * policy's gates and the ledger's approvals), aliases, descriptions, approvals. Every change made
 * through Model Ledger is also appended to the workspace ledger with `server: {url, name}`, so the
 * team's audit trail covers both; such events never enter the local registry's projection.
 */
import type { Database } from 'sql.js';
import { STAGES, type Actor, type LedgerEvent, type Stage, type UnsignedEvent } from '../registry/events';
import { appendToLedger, readLedger } from '../registry/ledgerFile';
import { PolicyBlockedError, RegistryError } from '../registry/ledgerRegistry';
import type { ModelState, VersionState } from '../registry/projection';
import { judgeMove, lastMetricValues } from '../policy/context';
import type { Policy } from '../policy/policyFile';
import { deleteAlias, getRegisteredModel, searchModelVersions, setAlias, transitionStage, updateDescription, type MlflowModelVersion, type MlflowRegisteredModel } from './api';
import { displayUrl } from './client';
import type { ServerSource } from './serverSource';
import { runUidFor } from './serverStore';

export interface ServerRegistryContext {
  readonly source: ServerSource;
  readonly ledgerFile: string;
  readonly actor: Actor;
  readonly db: Database;
  /** The display name of the connection. */
  readonly name?: string;
  readonly now?: () => Date;
}

type Draft = Omit<UnsignedEvent, 'prev' | 'v' | 'id'>;

const sameServer = (e: LedgerEvent, url: string) => e.server !== undefined && displayUrl(e.server.url) === url;

/**
 * The server's model as the policy sees it: stages from the server; stage history and approvals from
 * the ledger's events for this server (changes made elsewhere are known only by their current stage).
 */
export function serverModelState(model: MlflowRegisteredModel, versions: readonly MlflowModelVersion[], serverId: string, events: readonly LedgerEvent[], url: string): ModelState {
  const iso = (ms: number | undefined) => new Date(ms ?? 0).toISOString();
  const state: ModelState = {
    name: model.name,
    ...(model.description ? { description: model.description } : {}),
    tags: Object.fromEntries((model.tags ?? []).map((t) => [t.key, t.value])),
    versions: new Map(),
    aliases: new Map((model.aliases ?? []).map((a) => [a.alias, Number(a.version)])),
    createdAt: iso(model.creation_timestamp),
    updatedAt: iso(model.last_updated_timestamp),
    productionHistory: [],
  };
  for (const v of versions) {
    const n = Number(v.version);
    if (!Number.isInteger(n)) continue;
    const version: VersionState = {
      version: n,
      stage: (STAGES as readonly string[]).includes(String(v.current_stage)) ? (v.current_stage as Stage) : 'None',
      ...(v.run_id ? { runUid: runUidFor(serverId, v.run_id), runId: v.run_id } : {}),
      ...(v.source ? { source: v.source } : {}),
      ...(v.description ? { description: v.description } : {}),
      createdAt: iso(v.creation_timestamp),
      createdBy: v.user_id ?? '',
      updatedAt: iso(v.last_updated_timestamp),
      tags: Object.fromEntries((v.tags ?? []).map((t) => [t.key, t.value])),
      stageHistory: [],
      approvals: [],
    };
    state.versions.set(n, version);
  }
  for (const e of events) {
    if (!sameServer(e, url) || e.model !== model.name || e.version === undefined) continue;
    const version = state.versions.get(e.version);
    if (!version) continue;
    const stage = (e.after as { stage?: Stage } | null | undefined)?.stage;
    if (e.action === 'approve' && stage) version.approvals.push({ stage, actor: { ...e.actor }, time: e.time, eventId: e.id });
    if (e.action === 'transition' && stage) {
      version.stageHistory.push({ stage, time: e.time, eventId: e.id });
      version.approvals = version.approvals.filter((a) => a.stage !== stage);
      if (stage === 'Production') state.productionHistory.push(version.version);
    }
  }
  for (const version of state.versions.values()) {
    if (version.stageHistory.at(-1)?.stage !== version.stage) version.stageHistory.push({ stage: version.stage, time: version.updatedAt, eventId: '' });
  }
  return state;
}

async function loadModel(context: ServerRegistryContext, name: string) {
  const client = context.source.client;
  const model = await getRegisteredModel(client, name);
  const versions = await searchModelVersions(client, name);
  return { model, versions };
}

/** Appends one server event to the ledger (under its lock, chained like any other). */
async function record(context: ServerRegistryContext, draft: Omit<Draft, 'time' | 'actor' | 'server'>): Promise<LedgerEvent> {
  const url = displayUrl(context.source.client.options.url);
  const [event] = await appendToLedger(context.ledgerFile, () => [
    { ...draft, time: (context.now?.() ?? new Date()).toISOString(), actor: context.actor, server: { url, ...(context.name ? { name: context.name } : {}) } },
  ]);
  return event;
}

export interface ServerPromotion {
  readonly event: LedgerEvent;
  readonly archived: readonly number[];
}

/**
 * Moves a server model version to a stage: the policy's gates are judged against the server's state
 * now (metrics of the source runs from the store, approvals from the ledger), then transition-stage
 * (archiving the other Production versions for Production), then the ledger event, then the cache.
 */
export async function promoteOnServer(
  context: ServerRegistryContext,
  options: { model: string; version: number; stage: Stage; reason?: string; policy?: Policy; override?: { justification: string } },
): Promise<ServerPromotion> {
  if (!(STAGES as readonly string[]).includes(options.stage)) throw new RegistryError(`unknown stage "${options.stage}": one of ${STAGES.join(', ')}`);
  const url = displayUrl(context.source.client.options.url);
  const { model, versions } = await loadModel(context, options.model);
  const { events } = await readLedger(context.ledgerFile);
  const state = serverModelState(model, versions, context.source.id, events, url);
  const version = state.versions.get(options.version);
  if (!version) throw new RegistryError(`${context.source.client.server}: "${options.model}" has no version ${options.version} (versions: ${[...state.versions.keys()].join(', ')})`);
  if (version.stage === options.stage) throw new RegistryError(`${options.model} v${options.version} is already ${options.stage}`);
  const archived = options.stage === 'Production' ? [...state.versions.values()].filter((v) => v.stage === 'Production' && v.version !== options.version).map((v) => v.version) : [];
  const after: Record<string, unknown> = { stage: options.stage, ...(archived.length ? { archived } : {}) };
  if (options.policy) {
    const judgement = judgeMove(options.policy, state, version, options.stage, {
      requester: context.actor,
      metricsOf: (_m, v) => (v.runUid ? lastMetricValues(context.db, v.runUid) : undefined),
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
      ...(options.override ? { override: options.override } : {}),
      after,
    });
    if (judgement) {
      const gates = judgement.results.map((g) => ({ gate: g.gate, kind: g.kind, status: g.status, ...(g.value !== undefined ? { value: g.value } : {}), ...(g.threshold !== undefined ? { threshold: g.threshold } : {}), reason: g.reason }));
      const verdict = {
        allowed: judgement.decision.allowed,
        overridden: judgement.decision.overridden,
        message: `${judgement.decision.message}${judgement.decision.blockedBy.length ? `: ${judgement.decision.blockedBy.map((g) => `${g.gate} (${g.reason})`).join('; ')}` : ''}`,
        gates,
      };
      if (!verdict.allowed) throw new PolicyBlockedError(verdict);
      after.gates = gates;
      if (verdict.overridden && options.override) after.override = { justification: options.override.justification };
    }
  }
  await transitionStage(context.source.client, options.model, options.version, options.stage, options.stage === 'Production');
  const event = await record(context, {
    action: 'transition',
    model: options.model,
    version: options.version,
    before: { stage: version.stage },
    after,
    ...(options.reason ? { reason: options.reason } : {}),
  });
  await context.source.refreshRegistry().catch(() => undefined); // the change is made; a failed re-read only leaves the cache stale
  return { event, archived };
}

/** An approval for moving a server model version to a stage: recorded in the ledger only (MLflow has no approvals). */
export async function approveOnServer(context: ServerRegistryContext, options: { model: string; version: number; stage: Stage; reason?: string }): Promise<LedgerEvent> {
  const url = displayUrl(context.source.client.options.url);
  const { model, versions } = await loadModel(context, options.model);
  const { events } = await readLedger(context.ledgerFile);
  const version = serverModelState(model, versions, context.source.id, events, url).versions.get(options.version);
  if (!version) throw new RegistryError(`${context.source.client.server}: "${options.model}" has no version ${options.version}`);
  if (version.approvals.some((a) => a.stage === options.stage && (a.actor.email && context.actor.email ? a.actor.email === context.actor.email : a.actor.name === context.actor.name))) {
    throw new RegistryError(`${context.actor.name} already approved ${options.model} v${options.version} for ${options.stage}`);
  }
  return record(context, { action: 'approve', model: options.model, version: options.version, before: { stage: version.stage }, after: { stage: options.stage }, ...(options.reason ? { reason: options.reason } : {}) });
}

export async function setAliasOnServer(context: ServerRegistryContext, options: { model: string; alias: string; version: number; reason?: string }): Promise<LedgerEvent> {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(options.alias)) throw new RegistryError(`"${options.alias}" is not a usable alias (letters, digits, _ . -)`);
  const model = await getRegisteredModel(context.source.client, options.model);
  const previous = (model.aliases ?? []).find((a) => a.alias === options.alias);
  await setAlias(context.source.client, options.model, options.alias, options.version);
  const event = await record(context, {
    action: 'set-alias',
    model: options.model,
    version: options.version,
    before: previous ? { alias: options.alias, version: Number(previous.version) } : null,
    after: { alias: options.alias },
    ...(options.reason ? { reason: options.reason } : {}),
  });
  await context.source.refreshRegistry().catch(() => undefined);
  return event;
}

export async function deleteAliasOnServer(context: ServerRegistryContext, options: { model: string; alias: string; reason?: string }): Promise<LedgerEvent> {
  const model = await getRegisteredModel(context.source.client, options.model);
  const previous = (model.aliases ?? []).find((a) => a.alias === options.alias);
  if (!previous) throw new RegistryError(`${context.source.client.server}: "${options.model}" has no alias "${options.alias}"`);
  await deleteAlias(context.source.client, options.model, options.alias);
  const event = await record(context, { action: 'delete-alias', model: options.model, before: { alias: options.alias, version: Number(previous.version) }, after: null, ...(options.reason ? { reason: options.reason } : {}) });
  await context.source.refreshRegistry().catch(() => undefined);
  return event;
}

export async function setDescriptionOnServer(context: ServerRegistryContext, options: { model: string; version?: number; description: string; reason?: string }): Promise<LedgerEvent> {
  const { model, versions } = await loadModel(context, options.model);
  const before = options.version === undefined ? model.description : versions.find((v) => Number(v.version) === options.version)?.description;
  if (options.version !== undefined && !versions.some((v) => Number(v.version) === options.version)) throw new RegistryError(`${context.source.client.server}: "${options.model}" has no version ${options.version}`);
  await updateDescription(context.source.client, options.model, options.version, options.description);
  const event = await record(context, {
    action: 'set-description',
    model: options.model,
    ...(options.version !== undefined ? { version: options.version } : {}),
    before: before ? { description: before } : null,
    after: { description: options.description },
    ...(options.reason ? { reason: options.reason } : {}),
  });
  await context.source.refreshRegistry().catch(() => undefined);
  return event;
}
