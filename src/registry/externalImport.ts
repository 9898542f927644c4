import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'sql.js';
import type { Diagnostic } from '../ingest/types';
import type { FileFinder } from '../ingest/fsFinder';
import type { Store } from '../store';
import { optionalString, rows } from '../tracking/queries';
import { readGtoRegistry, readMlflowFileRegistry, readMlflowSqliteRegistry, type ExternalModel, type RegistryReadResult } from './external';
import { replaceRegistry, type ProjectedModel } from './storeProjection';

export interface ExternalRegistriesResult {
  readonly models: number;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Reads the registries other tools keep in the folder (MLflow file stores' `mlruns/models`, MLflow
 * `mlflow.db` registry tables, GTO git tags), read-only, and replaces their projection in the store.
 * Each source is its own origin (`mlflow-file:<path>`…), so two stores with a model of the same
 * name never collide and the tree can say where a model lives.
 */
export async function importExternalRegistries(db: Database, root: string, finder: FileFinder, options: { git?: boolean } = {}): Promise<ExternalRegistriesResult> {
  return applyExternalRegistries(db, await readExternalRegistries(root, finder, options));
}

export interface ExternalRead {
  readonly origin: string;
  readonly result: RegistryReadResult;
}

/** Reads every registry in the folder (async, touches no store). */
export async function readExternalRegistries(root: string, finder: FileFinder, options: { git?: boolean } = {}): Promise<ExternalRead[]> {
  const reads: ExternalRead[] = [];
  const relative = (p: string) => path.relative(root, p).split(path.sep).join('/') || '.';
  const mlrunsDirs = new Set((await finder.find(root, ['**/mlruns/models/*/meta.yaml'])).map((f) => path.dirname(path.dirname(path.dirname(f)))));
  for (const dir of [...mlrunsDirs].sort()) reads.push({ origin: `mlflow-file:${relative(dir)}`, result: await readMlflowFileRegistry(dir) });
  for (const file of await finder.find(root, ['**/mlflow.db'])) reads.push({ origin: `mlflow-sqlite:${relative(file)}`, result: await readMlflowSqliteRegistry(file) });
  if (options.git !== false && existsSync(path.join(root, '.git'))) reads.push({ origin: 'gto', result: await readGtoRegistry(root) });
  return reads;
}

/** Replaces the store's imported registries with what was read (synchronous: call inside a transaction). */
export function applyExternalRegistries(db: Database, reads: readonly ExternalRead[]): ExternalRegistriesResult {
  // MLflow Tracking Server caches (origin 'mlflow-server:<id>') are not read from the workspace: leave them alone.
  const existing = rows(db, "SELECT DISTINCT origin FROM models WHERE origin <> 'ledger' AND origin NOT LIKE 'mlflow-server:%'", [], (r) => String(r[0]));
  let models = 0;
  const diagnostics: Diagnostic[] = [];
  for (const { origin, result } of reads) {
    replaceRegistry(db, origin, result.models.map((m) => toProjected(db, m)));
    models += result.models.length;
    diagnostics.push(...result.diagnostics.map((d) => ({ ...d })));
  }
  // Registries that are gone from the folder disappear from the views too.
  const live = new Set(reads.map((r) => r.origin));
  for (const origin of existing) if (!live.has(origin)) replaceRegistry(db, origin, []);
  return { models, diagnostics };
}

/** Meta key of the hash of the registries applied last (see refreshExternalRegistries). */
const APPLIED_READS_KEY = 'external-registries-applied';

/**
 * applyExternalRegistries in its own transaction, skipped when the registries read are the ones
 * applied last and no run changed (a version points at a run by uid): a rescan of nothing writes nothing.
 */
export function refreshExternalRegistries(store: Store, reads: readonly ExternalRead[], runsChanged: boolean): ExternalRegistriesResult & { changed: boolean } {
  const fingerprint = createHash('sha1').update(JSON.stringify(reads)).digest('hex');
  if (!runsChanged && store.getMeta(APPLIED_READS_KEY) === fingerprint) {
    return { models: reads.reduce((n, r) => n + r.result.models.length, 0), diagnostics: reads.flatMap((r) => r.result.diagnostics.map((d) => ({ ...d }))), changed: false };
  }
  const applied = store.transaction(() => applyExternalRegistries(store.db, reads));
  store.setMeta(APPLIED_READS_KEY, fingerprint); // marks the store changed
  return { ...applied, changed: true };
}

/** The run a version came from, by the tool's run id, when that run was imported. */
function runUidOf(db: Database, runId: string | undefined): string | undefined {
  if (!runId) return undefined;
  return rows(db, 'SELECT uid FROM runs WHERE external_id = ? ORDER BY deleted LIMIT 1', [runId], (r) => optionalString(r[0]))[0];
}

function toProjected(db: Database, m: ExternalModel): ProjectedModel {
  return {
    name: m.name,
    ...(m.description !== undefined ? { description: m.description } : {}),
    ...(m.createdAt !== undefined ? { createdAt: m.createdAt } : {}),
    ...(m.updatedAt !== undefined ? { updatedAt: m.updatedAt } : {}),
    tags: m.tags,
    aliases: m.aliases,
    versions: m.versions
      .filter((v) => !v.deleted)
      .map((v) => {
        const runUid = runUidOf(db, v.runId);
        return {
          version: v.version,
          stage: v.stage,
          ...(runUid ? { runUid } : {}),
          ...(v.source !== undefined ? { source: v.source } : {}),
          ...(v.description !== undefined ? { description: v.description } : {}),
          ...(v.createdBy !== undefined ? { createdBy: v.createdBy } : {}),
          ...(v.createdAt !== undefined ? { createdAt: v.createdAt } : {}),
          ...(v.updatedAt !== undefined ? { updatedAt: v.updatedAt } : {}),
          tags: v.tags,
          ...(v.modelId !== undefined ? { loggedModelId: v.modelId } : {}),
          ...(v.copiedFrom !== undefined ? { copiedFrom: v.copiedFrom } : {}),
        };
      }),
  };
}
