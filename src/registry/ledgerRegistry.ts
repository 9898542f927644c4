import { STAGES, type Actor, type LedgerEvent, type Stage, type UnsignedEvent } from './events';
import { appendToLedger, readLedger, type LedgerProblem, type LedgerRead } from './ledgerFile';
import { apply, previousProduction, project, type ModelState, type RegistryState } from './projection';
import { manifestForSource } from '../signing/artifactManifest';

/** A registry change that cannot be made (unknown model, illegal transition...): nothing was written. */
export class RegistryError extends Error {
  override name = 'RegistryError';
}

/** A stage move the policy's gates refuse: nothing was written; `verdict` lists the gates. */
export class PolicyBlockedError extends RegistryError {
  override name = 'PolicyBlockedError';
  constructor(readonly verdict: MoveVerdict) {
    super(`blocked by the policy: ${verdict.message}`);
  }
}

export interface LedgerSnapshot {
  readonly read: LedgerRead;
  readonly state: RegistryState;
  /** Hash, link, form and legality problems, by line. */
  readonly problems: readonly LedgerProblem[];
}

type Draft = Omit<UnsignedEvent, 'prev' | 'v' | 'id'>;

/** What a policy check sees of a move, under the ledger's lock. */
export interface MoveRequest {
  readonly model: string;
  readonly version: number;
  readonly stage: Stage;
  readonly after: Readonly<Record<string, unknown>>;
  readonly reason?: string;
  readonly requester: Actor;
  readonly override?: { readonly justification: string };
}

export interface MoveVerdict {
  readonly allowed: boolean;
  readonly overridden: boolean;
  readonly message: string;
  /** The gate results, recorded in the event (for the history and the audit report). */
  readonly gates: readonly Readonly<Record<string, unknown>>[];
}

/** A policy check of a stage move against the ledger as it is at the append; undefined: nothing applies. */
export type MoveCheck = (state: RegistryState, move: MoveRequest) => MoveVerdict | undefined;

/**
 * The workspace's registry: every change is an event appended to the ledger file; the state is a
 * projection of the ledger. Each operation checks legality against the ledger as it is at the moment
 * of the append (under the ledger's lock), so two writers cannot both register "version 3".
 */
export class LedgerRegistry {
  constructor(
    readonly ledgerFile: string,
    private readonly actor: () => Promise<Actor>,
    private readonly now: () => Date = () => new Date(),
    /** Signs every event this registry writes (src/signing/eventSignature.ts); undefined: unsigned. */
    private readonly sign?: (event: UnsignedEvent) => Promise<string | undefined>,
  ) {}

  async snapshot(): Promise<LedgerSnapshot> {
    const read = await readLedger(this.ledgerFile);
    const { state, problems } = project(read.events);
    return { read, state, problems: [...read.problems, ...problems].sort((a, b) => a.line - b.line) };
  }

  async register(options: { model: string; runUid?: string; runId?: string; source?: string; description?: string; tags?: Record<string, string>; reason?: string }): Promise<LedgerEvent> {
    const model = options.model.trim();
    // Any text is a name (spaces, "/", unicode, HTML: shown as text everywhere); only empty, control characters and very long names are refused.
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    if (model.length === 0 || model.length > 200 || /[\u0000-\u001f\u007f]/.test(model)) throw new RegistryError(`"${options.model}" is not a usable model name (1–200 characters, no control characters)`);
    if (!options.runUid && !options.source) throw new RegistryError('a version needs a source run or an artifact folder');
    const manifest = await manifestForSource(this.ledgerFile, options.source); // hashed before the lock: the files are not the ledger's
    return this.change(async (state) => {
      const existing = state.models.get(model);
      const version = existing ? Math.max(0, ...existing.versions.keys()) + 1 : 1;
      return {
        action: 'register',
        model,
        version,
        before: null,
        after: {
          ...(options.runUid ? { runUid: options.runUid } : {}),
          ...(options.runId ? { runId: options.runId } : {}),
          ...(options.source ? { source: options.source } : {}),
          ...(options.description ? { description: options.description } : {}),
          ...(options.tags && Object.keys(options.tags).length ? { tags: options.tags } : {}),
          ...manifest,
        },
        ...(options.reason ? { reason: options.reason } : {}),
      };
    });
  }

  async transition(options: {
    model: string;
    version: number;
    stage: Stage;
    reason?: string;
    /** Policy gates, evaluated under the ledger's lock against the ledger as it is then. */
    check?: MoveCheck;
    override?: { justification: string };
    rollback?: boolean;
  }): Promise<LedgerEvent> {
    if (!(STAGES as readonly string[]).includes(options.stage)) throw new RegistryError(`unknown stage "${options.stage}": one of ${STAGES.join(', ')}`);
    const actor = await this.actor();
    return this.change(async (state) => {
      const { version } = this.version(state, options.model, options.version);
      const archived = options.stage === 'Production' ? [...state.models.get(options.model)!.versions.values()].filter((v) => v.stage === 'Production' && v.version !== options.version).map((v) => v.version) : [];
      const after: Record<string, unknown> = { stage: options.stage, ...(archived.length ? { archived } : {}), ...(options.rollback ? { rollback: true } : {}) };
      const verdict = options.check?.(state, {
        model: options.model,
        version: options.version,
        stage: options.stage,
        after,
        ...(options.reason ? { reason: options.reason } : {}),
        requester: actor,
        ...(options.override ? { override: options.override } : {}),
      });
      if (verdict) {
        if (!verdict.allowed) throw new PolicyBlockedError(verdict);
        after.gates = verdict.gates;
        if (verdict.overridden && options.override) after.override = { justification: options.override.justification };
      }
      return {
        action: 'transition',
        model: options.model,
        version: options.version,
        before: { stage: version.stage },
        after,
        ...(options.reason ? { reason: options.reason } : {}),
      };
    });
  }

  /** Production goes back to the version that held it before the current one. */
  async rollback(options: { model: string; reason?: string; check?: MoveCheck; override?: { justification: string } }): Promise<LedgerEvent> {
    const snapshot = await this.snapshot();
    const model = this.model(snapshot.state, options.model);
    const target = previousProduction(model);
    if (target === undefined) throw new RegistryError(`"${options.model}" has no earlier Production version to roll back to`);
    return this.transition({
      model: options.model,
      version: target,
      stage: 'Production',
      reason: options.reason ?? `roll back to v${target}`,
      rollback: true,
      ...(options.check ? { check: options.check } : {}),
      ...(options.override ? { override: options.override } : {}),
    });
  }

  async setAlias(options: { model: string; alias: string; version: number; reason?: string }): Promise<LedgerEvent> {
    return this.change(async (state) => {
      const model = this.model(state, options.model);
      this.version(state, options.model, options.version);
      const previous = model.aliases.get(options.alias);
      return {
        action: 'set-alias',
        model: options.model,
        version: options.version,
        before: previous === undefined ? null : { alias: options.alias, version: previous },
        after: { alias: options.alias },
        ...(options.reason ? { reason: options.reason } : {}),
      };
    });
  }

  async deleteAlias(options: { model: string; alias: string; reason?: string }): Promise<LedgerEvent> {
    return this.change(async (state) => {
      const model = this.model(state, options.model);
      const version = model.aliases.get(options.alias);
      if (version === undefined) throw new RegistryError(`"${options.model}" has no alias "${options.alias}"`);
      return { action: 'delete-alias', model: options.model, before: { alias: options.alias, version }, after: null, ...(options.reason ? { reason: options.reason } : {}) };
    });
  }

  /** An approval of moving a version to a stage, by the current actor; the same person approving twice is refused. */
  async approve(options: { model: string; version: number; stage: Stage; reason?: string }): Promise<LedgerEvent> {
    const actor = await this.actor();
    return this.change(async (state) => {
      const { version } = this.version(state, options.model, options.version);
      const same = version.approvals.find((a) => a.stage === options.stage && (a.actor.email && actor.email ? a.actor.email === actor.email : a.actor.name === actor.name));
      if (same) throw new RegistryError(`${actor.name} already approved ${options.model} v${options.version} for ${options.stage}`);
      return { action: 'approve', model: options.model, version: options.version, before: { stage: version.stage }, after: { stage: options.stage }, ...(options.reason ? { reason: options.reason } : {}) };
    });
  }

  async setDescription(options: { model: string; version?: number; description: string; reason?: string }): Promise<LedgerEvent> {
    return this.change(async (state) => {
      const model = this.model(state, options.model);
      const before = options.version === undefined ? model.description : this.version(state, options.model, options.version).version.description;
      return {
        action: 'set-description',
        model: options.model,
        ...(options.version !== undefined ? { version: options.version } : {}),
        before: before === undefined ? null : { description: before },
        after: { description: options.description },
        ...(options.reason ? { reason: options.reason } : {}),
      };
    });
  }

  /** Records the reference dataset drift is measured against for a version (a path relative to the workspace folder). */
  async setReference(options: { model: string; version: number; path: string; reason?: string }): Promise<LedgerEvent> {
    return this.change(async (state) => {
      const { version } = this.version(state, options.model, options.version);
      return {
        action: 'set-reference',
        model: options.model,
        version: options.version,
        before: version.reference === undefined ? null : { path: version.reference },
        after: { path: options.path },
        ...(options.reason ? { reason: options.reason } : {}),
      };
    });
  }

  /** Records a crossed monitoring threshold (the audit report lists these events). */
  async recordAlert(options: { model: string; version: number; alert: Readonly<Record<string, unknown>> & { rule: string }; reason?: string }): Promise<LedgerEvent> {
    return this.change(async (state) => {
      this.version(state, options.model, options.version);
      return { action: 'alert', model: options.model, version: options.version, before: null, after: { ...options.alert }, ...(options.reason ? { reason: options.reason } : {}) };
    });
  }

  private model(state: RegistryState, name: string): ModelState {
    const model = state.models.get(name);
    if (!model) throw new RegistryError(`no model "${name}" in the ledger`);
    return model;
  }

  private version(state: RegistryState, name: string, version: number) {
    const model = this.model(state, name);
    const found = model.versions.get(version);
    if (!found) throw new RegistryError(`"${name}" has no version ${version} (versions: ${[...model.versions.keys()].join(', ')})`);
    return { model, version: found };
  }

  /** Builds one event against the ledger as it is under the lock, checks it is legal, appends it. */
  private async change(build: (state: RegistryState) => Promise<Omit<Draft, 'time' | 'actor'>>): Promise<LedgerEvent> {
    const actor = await this.actor();
    const [event] = await appendToLedger(this.ledgerFile, async (current) => {
      const { state } = project(current.events);
      const draft: Draft = { ...(await build(state)), time: this.now().toISOString(), actor };
      const illegal = apply(cloneModels(state), { ...draft, v: 1, id: '0'.repeat(16), prev: [], hash: '' } as LedgerEvent);
      if (illegal) throw new RegistryError(illegal);
      return [draft];
    }, this.sign ? { sign: this.sign } : {});
    return event;
  }
}

/** A deep enough copy to try an event on without touching the real state. */
function cloneModels(state: RegistryState): Map<string, ModelState> {
  const copy = new Map<string, ModelState>();
  for (const [name, m] of state.models) {
    copy.set(name, {
      ...m,
      tags: { ...m.tags },
      aliases: new Map(m.aliases),
      productionHistory: [...m.productionHistory],
      versions: new Map([...m.versions].map(([n, v]) => [n, { ...v, tags: { ...v.tags }, stageHistory: [...v.stageHistory], approvals: [...v.approvals] }])),
    });
  }
  return copy;
}
