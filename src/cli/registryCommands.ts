import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { currentActor } from '../registry/identity';
import { checkLedgerAgainstPolicy, lastMetricValues, loadPolicy, policyFairnessData, policyMoveCheck, type FairnessDataLookup, type Policy } from '../policy';
import { LedgerRegistry, PolicyBlockedError, RegistryError, type MoveCheck } from '../registry/ledgerRegistry';
import { project } from '../registry/projection';
import { checkLedgerAgainstGit } from '../registry/gitPrefix';
import { readLedger } from '../registry/ledgerFile';
import { STAGES, type Stage } from '../registry/events';
import { toJson } from '../shared/json';
import { listModels, listVersions } from '../registry/queries';
import { optionalString, rows } from '../tracking/queries';
import { CliError, EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE } from './cliError';
import { openCliStore, type CliCommand, type CliContext, type CliOptionSpec } from './context';
import { parseServerRunUid } from '../server/serverStore';
import { checkLedgerSignatures, signatureLines, signaturePolicy } from '../registry/signedEvents';
import { artifactEvidence } from '../policy/artifactGate';
import { eventSigner, signingKeyFor } from '../signing/eventSignature';
import { openTrackingStore, TRACKING_URI_OPTIONS } from './trackingServer';

export const DEFAULT_LEDGER = path.join('.model-ledger', 'ledger.jsonl');

const LEDGER_OPTION: Record<string, CliOptionSpec> = {
  ledger: { type: 'string', description: `ledger file (default: $MODEL_LEDGER_LEDGER, else ${DEFAULT_LEDGER} in the current folder)` },
  reason: { type: 'string', description: 'why: recorded in the ledger with the change' },
};

export function ledgerPath(context: CliContext): string {
  const explicit = context.values.ledger;
  if (typeof explicit === 'string' && explicit) return path.resolve(context.cwd, explicit);
  if (context.env.MODEL_LEDGER_LEDGER) return path.resolve(context.cwd, context.env.MODEL_LEDGER_LEDGER);
  return path.join(context.cwd, DEFAULT_LEDGER);
}

function registryFor(context: CliContext): LedgerRegistry {
  const file = ledgerPath(context);
  const root = path.dirname(path.dirname(file));
  return new LedgerRegistry(file, () => currentActor(root, context.env), undefined, eventSigner(() => signingKeyFor(root, context.env.MODEL_LEDGER_SIGNING_KEY)));
}

const POLICY_OPTIONS: Record<string, CliOptionSpec> = {
  'policy-file': { type: 'string', description: 'policy file (default: policy.yaml beside the ledger)' },
  override: { type: 'string', description: 'promote although gates fail, with this justification (only where the policy allows overrides; recorded)' },
  'drift-report': { type: 'string', description: "the candidate's drift report (the JSON of `model-ledger drift --json`) for drift.share gates" },
  'fairness-data': { type: 'string', description: "the candidate's evaluation data (CSV, TSV, JSONL, Parquet) for fairness gates, instead of each gate's `data:`" },
};

/** The drift share in a `drift --json` report given with --drift-report; exits 2 when it is not one. */
async function driftReportOf(context: CliContext): Promise<{ share: number } | undefined> {
  const file = context.values['drift-report'];
  if (typeof file !== 'string' || !file) return undefined;
  let share: unknown;
  try {
    share = (JSON.parse(await readFile(path.resolve(context.cwd, file), 'utf8')) as { driftShare?: unknown }).driftShare;
  } catch (error) {
    throw new CliError(`cannot read the drift report ${file}: ${(error as Error).message}`, EXIT_USAGE);
  }
  if (typeof share !== 'number' || !(share >= 0 && share <= 1)) throw new CliError(`${file} is not a drift report: no driftShare between 0 and 1 (write one with model-ledger drift --json)`, EXIT_USAGE);
  return { share };
}

function policyPath(context: CliContext): string {
  const explicit = context.values['policy-file'];
  return typeof explicit === 'string' && explicit ? path.resolve(context.cwd, explicit) : path.join(path.dirname(ledgerPath(context)), 'policy.yaml');
}

/** The policy's move check (metrics from the store when one is given), or undefined without a policy file. Exits 1 on an invalid policy. */
async function policyCheck(context: CliContext): Promise<{ check?: MoveCheck; close: () => Promise<void> }> {
  const loaded = await loadPolicy(policyPath(context));
  if (loaded.state === 'missing') return { close: async () => undefined };
  if (loaded.state === 'invalid') {
    for (const d of loaded.diagnostics) context.stderr(`${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}\n`);
    throw new CliError(`the policy ${loaded.file} is invalid: promotion is blocked until it is fixed`, EXIT_CHECK_FAILED);
  }
  const wantsStore = typeof context.values.store === 'string' || !!context.env.MODEL_LEDGER_STORE;
  const store = wantsStore ? await openCliStore(context) : undefined;
  const drift = await driftReportOf(context);
  // A report describes the data of the version being moved: the one named on the command line.
  const [model, versionText] = context.positionals;
  const driftOf = drift ? (m: string, v: number) => (m === model && String(v) === versionText ? drift : undefined) : undefined;
  const artifacts = model && versionText ? await artifactEvidence(ledgerPath(context), loaded.policy, model, Number(versionText)) : undefined;
  const artifactsOf = artifacts ? (m: string, v: number) => (m === model && String(v) === versionText ? artifacts : undefined) : undefined;
  const fairness = await fairnessDataOf(context, loaded.policy, model, Number(versionText));
  return { check: policyMoveCheck(loaded.policy, store?.db, driftOf, artifactsOf, fairness), close: async () => store?.close() };
}

/** The files the policy's fairness gates read for the version named on the command line (--fairness-data replaces them). */
async function fairnessDataOf(context: CliContext, policy: Policy, model: string | undefined, version: number): Promise<FairnessDataLookup | undefined> {
  if (!model) return undefined;
  const override = typeof context.values['fairness-data'] === 'string' && context.values['fairness-data'] ? path.resolve(context.cwd, context.values['fairness-data']) : undefined;
  return policyFairnessData(policy, model, version, path.dirname(path.dirname(ledgerPath(context))), override);
}

function overrideOf(context: CliContext): { override?: { justification: string } } {
  return typeof context.values.override === 'string' && context.values.override.trim() ? { override: { justification: context.values.override.trim() } } : {};
}

function reportBlocked(context: CliContext, error: PolicyBlockedError): number {
  if (context.values.json) {
    context.stdout(toJson({ ok: false, message: error.message, gates: error.verdict.gates }) + '\n');
  } else {
    context.stdout(`Blocked by the policy: ${error.verdict.message}\n`);
    for (const g of error.verdict.gates) context.stdout(`  ${String(g.status).padEnd(13)} ${String(g.gate)} — ${String(g.reason)}\n`);
  }
  return EXIT_CHECK_FAILED;
}

function reasonOf(context: CliContext): { reason?: string } {
  return typeof context.values.reason === 'string' && context.values.reason ? { reason: context.values.reason } : {};
}

function positiveInteger(text: string | undefined, what: string): number {
  const n = Number(text);
  if (!text || !Number.isInteger(n) || n < 1) throw new CliError(`${what} must be a positive whole number, got ${JSON.stringify(text)}`, EXIT_USAGE);
  return n;
}

async function guarded(work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RegistryError) throw new CliError(error.message, EXIT_CHECK_FAILED);
    throw error;
  }
}

const register: CliCommand = {
  name: 'register',
  summary: 'register a run (or an artifact folder) as the next version of a model',
  usage: 'model-ledger register RUN_ID --model NAME [--description TEXT] [--reason TEXT] [--store PATH] [--ledger PATH] [--json]\n       model-ledger register --source PATH --model NAME ...',
  options: {
    model: { type: 'string', description: 'model name (created by its first version)' },
    source: { type: 'string', description: 'artifact folder or URI of the version (default: the run’s folder)' },
    description: { type: 'string', description: 'description of the version' },
    ...LEDGER_OPTION,
  },
  async run(context) {
    const model = context.values.model;
    if (typeof model !== 'string' || !model) throw new CliError('--model NAME is required', EXIT_USAGE);
    const [runRef] = context.positionals;
    let runUid: string | undefined;
    let runId: string | undefined;
    let source = typeof context.values.source === 'string' ? context.values.source : undefined;
    if (runRef) {
      const store = await openCliStore(context);
      try {
        const matches = rows(
          store.db,
          'SELECT uid, external_id, source_path FROM runs WHERE uid = ? OR external_id = ? OR name = ? ORDER BY deleted, start_time DESC',
          [runRef, runRef, runRef],
          (r) => ({ uid: String(r[0]), externalId: optionalString(r[1]), sourcePath: optionalString(r[2]) }),
        );
        if (matches.length === 0) throw new CliError(`no run "${runRef}" in the store; import runs first with: model-ledger scan`, EXIT_USAGE);
        if (matches.length > 1 && !matches.every((m) => m.uid === matches[0].uid)) {
          throw new CliError(`"${runRef}" names ${matches.length} runs; use the run's uid: ${matches.map((m) => m.uid).join(', ')}`, EXIT_USAGE);
        }
        runUid = matches[0].uid;
        runId = matches[0].externalId;
        source ??= matches[0].sourcePath;
      } finally {
        await store.close();
      }
    } else if (!source) {
      throw new CliError('give a RUN_ID or --source PATH', EXIT_USAGE);
    }
    return guarded(async () => {
      const event = await registryFor(context).register({
        model,
        ...(runUid ? { runUid } : {}),
        ...(runId ? { runId } : {}),
        ...(source ? { source } : {}),
        ...(typeof context.values.description === 'string' ? { description: context.values.description } : {}),
        ...reasonOf(context),
      });
      context.stdout(context.values.json ? toJson(event) + '\n' : `Registered ${event.model} v${event.version} (event ${event.id})\n`);
      return EXIT_OK;
    });
  },
};

const promote: CliCommand = {
  name: 'promote',
  summary: 'move a model version to a stage (None, Staging, Production, Archived); to Production archives the current one',
  usage: 'model-ledger promote MODEL VERSION --to STAGE [--reason TEXT] [--override JUSTIFICATION] [--drift-report FILE] [--fairness-data FILE] [--store PATH] [--ledger PATH] [--json]',
  options: {
    to: { type: 'string', description: `target stage: ${STAGES.join(', ')} (default Production)` },
    stage: { type: 'string', description: 'the same as --to' },
    ...LEDGER_OPTION,
    ...POLICY_OPTIONS,
  },
  async run(context) {
    const [model, versionText] = context.positionals;
    if (!model) throw new CliError('MODEL and VERSION are required', EXIT_USAGE);
    const version = positiveInteger(versionText, 'VERSION');
    const stageText = typeof context.values.to === 'string' ? context.values.to : typeof context.values.stage === 'string' ? context.values.stage : 'Production';
    const stage = STAGES.find((s) => s.toLowerCase() === stageText.toLowerCase()) as Stage | undefined;
    if (!stage) throw new CliError(`unknown stage "${stageText}": one of ${STAGES.join(', ')}`, EXIT_USAGE);
    const { check, close } = await policyCheck(context);
    return guarded(async () => {
      let event;
      try {
        event = await registryFor(context).transition({ model, version, stage, ...reasonOf(context), ...overrideOf(context), ...(check ? { check } : {}) });
      } catch (error) {
        if (error instanceof PolicyBlockedError) return reportBlocked(context, error);
        throw error;
      } finally {
        await close();
      }
      const archived = (event.after as { archived?: number[] } | null)?.archived ?? [];
      context.stdout(
        context.values.json
          ? toJson(event) + '\n'
          : `${model} v${version}: ${String((event.before as { stage?: string }).stage)} → ${stage}${archived.length ? ` (archived v${archived.join(', v')})` : ''}\n`,
      );
      return EXIT_OK;
    });
  },
};

const stage: CliCommand = {
  name: 'stage',
  summary: 'set the stage of a model version (None, Staging, Production, Archived); to Production archives the current one',
  usage: 'model-ledger stage MODEL VERSION STAGE [--reason TEXT] [--override JUSTIFICATION] [--store PATH] [--ledger PATH] [--json]',
  options: { ...LEDGER_OPTION, ...POLICY_OPTIONS },
  async run(context) {
    const [model, versionText, stageText] = context.positionals;
    if (!model || !stageText) throw new CliError('MODEL, VERSION and STAGE are required', EXIT_USAGE);
    return promote.run({ ...context, positionals: [model, versionText], values: { ...context.values, to: stageText } });
  },
};

const approve: CliCommand = {
  name: 'approve',
  summary: 'record your approval of moving a model version to a stage (policy gates count distinct approvers)',
  usage: 'model-ledger approve MODEL VERSION --stage STAGE [--reason TEXT] [--ledger PATH] [--json]',
  options: { stage: { type: 'string', description: `the stage the approval is for (default Production)` }, ...LEDGER_OPTION },
  async run(context) {
    const [model, versionText] = context.positionals;
    if (!model) throw new CliError('MODEL and VERSION are required', EXIT_USAGE);
    const version = positiveInteger(versionText, 'VERSION');
    const stageText = typeof context.values.stage === 'string' ? context.values.stage : 'Production';
    const stage = STAGES.find((s) => s.toLowerCase() === stageText.toLowerCase()) as Stage | undefined;
    if (!stage) throw new CliError(`unknown stage "${stageText}": one of ${STAGES.join(', ')}`, EXIT_USAGE);
    return guarded(async () => {
      const event = await registryFor(context).approve({ model, version, stage, ...reasonOf(context) });
      context.stdout(context.values.json ? toJson(event) + '\n' : `${event.actor.name} approved ${model} v${version} for ${stage}\n`);
      return EXIT_OK;
    });
  },
};

const rollback: CliCommand = {
  name: 'rollback',
  summary: 'put the previous Production version of a model back in Production',
  usage: 'model-ledger rollback MODEL [--reason TEXT] [--override JUSTIFICATION] [--store PATH] [--ledger PATH] [--json]',
  options: { ...LEDGER_OPTION, ...POLICY_OPTIONS },
  async run(context) {
    const [model] = context.positionals;
    if (!model) throw new CliError('MODEL is required', EXIT_USAGE);
    const { check, close } = await policyCheck(context);
    return guarded(async () => {
      let event;
      try {
        event = await registryFor(context).rollback({ model, ...reasonOf(context), ...overrideOf(context), ...(check ? { check } : {}) });
      } catch (error) {
        if (error instanceof PolicyBlockedError) return reportBlocked(context, error);
        throw error;
      } finally {
        await close();
      }
      context.stdout(context.values.json ? toJson(event) + '\n' : `${model}: v${event.version} is in Production again\n`);
      return EXIT_OK;
    });
  },
};

const alias: CliCommand = {
  name: 'alias',
  summary: 'point an alias (champion, challenger…) at a version, or remove it with --delete',
  usage: 'model-ledger alias MODEL ALIAS VERSION [--reason TEXT] | model-ledger alias MODEL ALIAS --delete',
  options: { delete: { type: 'boolean', description: 'remove the alias' }, ...LEDGER_OPTION },
  async run(context) {
    const [model, name, versionText] = context.positionals;
    if (!model || !name) throw new CliError('MODEL and ALIAS are required', EXIT_USAGE);
    return guarded(async () => {
      const registry = registryFor(context);
      const event = context.values.delete
        ? await registry.deleteAlias({ model, alias: name, ...reasonOf(context) })
        : await registry.setAlias({ model, alias: name, version: positiveInteger(versionText, 'VERSION'), ...reasonOf(context) });
      context.stdout(context.values.json ? toJson(event) + '\n' : context.values.delete ? `${model}@${name} removed\n` : `${model}@${name} → v${event.version}\n`);
      return EXIT_OK;
    });
  },
};

interface ModelListing {
  name: string;
  origin: string;
  description: string | null;
  aliases: Record<string, number>;
  versions: {
    version: number;
    stage: string;
    aliases: string[];
    runId: string | null;
    runUid: string | null;
    source: string | null;
    description: string | null;
    createdBy: string | null;
    createdAt: string | null;
    /** MLflow 3: the LoggedModel behind the version, and the version a copy was made from. */
    modelId: string | null;
    copiedFrom: { name: string; version: number } | null;
  }[];
}

const models: CliCommand = {
  name: 'models',
  summary: 'registered models with their versions, stages and aliases: the ledger’s, and with --store the registries imported by scan (MLflow, GTO)',
  usage: 'model-ledger models [--ledger PATH] [--store PATH | --tracking-uri URL] [--json]',
  options: { ledger: LEDGER_OPTION.ledger, ...TRACKING_URI_OPTIONS },
  async run(context) {
    const read = await readLedger(ledgerPath(context));
    const { state } = project(read.events);
    const listing: ModelListing[] = [...state.models.values()].map((m) => ({
      name: m.name,
      origin: 'ledger',
      description: m.description ?? null,
      aliases: Object.fromEntries(m.aliases),
      versions: [...m.versions.values()].map((v) => ({
        version: v.version,
        stage: v.stage,
        aliases: [...m.aliases].filter(([, n]) => n === v.version).map(([a]) => a),
        runId: v.runId ?? null,
        runUid: v.runUid ?? null,
        source: v.source ?? null,
        description: v.description ?? null,
        createdBy: v.createdBy,
        createdAt: v.createdAt,
        modelId: null,
        copiedFrom: null,
      })),
    }));
    const server = await openTrackingStore(context, { runs: false });
    if (server || typeof context.values.store === 'string' || context.env.MODEL_LEDGER_STORE) {
      const store = server?.store ?? (await openCliStore(context));
      try {
        for (const m of listModels(store.db).filter((x) => x.origin !== 'ledger')) {
          const versions = listVersions(store.db, m.id).reverse();
          const runIds = new Map(rows(store.db, 'SELECT uid, external_id FROM runs WHERE uid IN (SELECT run_uid FROM model_versions WHERE model_id = ?)', [m.id], (r) => [String(r[0]), optionalString(r[1])] as const));
          const aliases: Record<string, number> = {};
          for (const v of versions) for (const a of v.aliases) aliases[a] = v.version;
          listing.push({
            name: m.name,
            origin: m.origin,
            description: m.description ?? null,
            aliases,
            versions: versions.map((v) => ({
              version: v.version,
              stage: v.stage,
              aliases: [...v.aliases],
              runId: (v.runUid && (runIds.get(v.runUid) ?? parseServerRunUid(v.runUid)?.runId)) ?? null,
              runUid: v.runUid ?? null,
              source: v.source ?? null,
              description: v.description ?? null,
              createdBy: v.createdBy ?? null,
              createdAt: v.createdAt !== undefined ? new Date(v.createdAt).toISOString() : null,
              modelId: v.loggedModelId ?? null,
              copiedFrom: v.copiedFrom ?? null,
            })),
          });
        }
      } finally {
        await store.close();
      }
    }
    if (context.values.json) {
      context.stdout(toJson(listing) + '\n');
    } else if (listing.length === 0) {
      context.stdout('No registered models. Register one with: model-ledger register RUN_ID --model NAME\n');
    } else {
      for (const m of listing) {
        context.stdout(`${m.name}${m.origin === 'ledger' ? '' : `  (${m.origin}, read-only)`}\n`);
        for (const v of [...m.versions].sort((a, b) => b.version - a.version)) {
          context.stdout(`  v${v.version}  ${v.stage.padEnd(10)} ${v.aliases.map((a) => `@${a}`).join(' ').padEnd(20)} ${v.createdBy ?? ''} ${(v.createdAt ?? '').slice(0, 16).replace('T', ' ')}  ${v.runId ?? v.source ?? ''}\n`);
        }
      }
    }
    if (read.problems.length > 0) context.stderr(`model-ledger: the ledger has ${read.problems.length} problem(s); run model-ledger verify\n`);
    return EXIT_OK;
  },
};

const verify: CliCommand = {
  name: 'verify',
  summary: 'check the ledger: every line well-formed, every hash and link intact, every transition legal (exit 1 if not)',
  usage: 'model-ledger verify [--policy] [--policy-file PATH] [--store PATH] [--ledger PATH] [--against-git REV] [--json]',
  options: {
    ledger: LEDGER_OPTION.ledger,
    policy: { type: 'boolean', description: 'also check that every transition passed the gates of the policy (metrics from --store; scan first)' },
    'policy-file': POLICY_OPTIONS['policy-file'],
    'against-git': { type: 'string', description: 'also check that the ledger committed at this git revision is a prefix of today\'s (nothing truncated or rewritten)' },
  },
  async run(context) {
    const file = ledgerPath(context);
    const read = await readLedger(file);
    const { problems: illegal } = project(read.events);
    const problems: { line: number; kind: string; message: string; eventId?: string }[] = [...read.problems, ...illegal];
    if (typeof context.values['against-git'] === 'string') problems.push(...(await checkLedgerAgainstGit(file, context.values['against-git'])));
    if (context.values.policy) {
      const loaded = await loadPolicy(policyPath(context));
      if (loaded.state !== 'ok') {
        const why = loaded.state === 'missing' ? `no policy file at ${loaded.file}` : loaded.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('; ');
        problems.push({ line: 0, kind: 'policy', message: `cannot check the policy: ${why}` });
      } else {
        const wantsStore = typeof context.values.store === 'string' || !!context.env.MODEL_LEDGER_STORE;
        const store = wantsStore ? await openCliStore(context) : undefined;
        try {
          for (const p of checkLedgerAgainstPolicy(read.events, () => loaded.policy, (_m, v) => (store && v.runUid ? lastMetricValues(store.db, v.runUid) : undefined))) {
            problems.push({ line: p.line, kind: 'policy', eventId: p.eventId, message: `${p.message}${p.failed.length ? `: ${p.failed.map((g) => `${g.gate} (${g.reason})`).join('; ')}` : ''}` });
          }
        } finally {
          await store?.close();
        }
      }
    }
    const signing = await checkLedgerSignatures(file, read.events, await signaturePolicy(policyPath(context)));
    problems.push(...signing.problems);
    problems.sort((a, b) => a.line - b.line);
    const ok = problems.length === 0;
    if (!context.values.json) for (const note of read.notes ?? []) context.stderr(`model-ledger: ${file}: ${note}\n`);
    if (!context.values.json) for (const line of signatureLines(file, signing)) context.stdout(line + '\n');
    if (context.values.json) {
      context.stdout(toJson({ ok, ledger: file, events: read.events.length, heads: read.heads.length, problems, notes: read.notes ?? [], signatures: signing.events }) + '\n');
    } else if (ok) {
      context.stdout(`${file}: ${read.events.length} events, all hashes, links and transitions valid${read.heads.length > 1 ? ` (${read.heads.length} merged branches not yet joined)` : ''}\n`);
    } else {
      for (const p of problems) context.stdout(`${file}:${p.line}: ${p.kind}: ${p.message}\n`);
      context.stdout(`${problems.length} problem(s) in ${file}\n`);
    }
    return ok ? EXIT_OK : EXIT_CHECK_FAILED;
  },
};

export const REGISTRY_COMMANDS: readonly CliCommand[] = [models, register, stage, promote, approve, rollback, alias, verify];
