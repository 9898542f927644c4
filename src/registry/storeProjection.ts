import type { Database } from 'sql.js';
import type { LedgerEvent } from './events';
import { parseModelsUri } from './external/mlflowModelSource';
import type { RegistryState } from './projection';

export interface ProjectedVersion {
  readonly version: number;
  readonly stage: string;
  readonly runUid?: string;
  readonly source?: string;
  readonly description?: string;
  readonly createdBy?: string;
  readonly createdAt?: number;
  readonly updatedAt?: number;
  readonly tags: Readonly<Record<string, string>>;
  /** MLflow 3: the LoggedModel behind the version, and the version a copy was made from. */
  readonly loggedModelId?: string;
  readonly copiedFrom?: { readonly name: string; readonly version: number };
}

export interface ProjectedModel {
  readonly name: string;
  readonly description?: string;
  readonly createdAt?: number;
  readonly updatedAt?: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly aliases: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  readonly versions: readonly ProjectedVersion[];
}

/** A ledger version registered from an MLflow 3 LoggedModel has the source `models:/m-…`. */
function loggedModelOf(source: string | undefined): { loggedModelId?: string } {
  const uri = parseModelsUri(source);
  return uri && 'modelId' in uri ? { loggedModelId: uri.modelId } : {};
}

const ms = (iso: string | undefined) => (iso === undefined ? null : Date.parse(iso));

/** The ledger's state as store rows (origin 'ledger'). */
export function ledgerModels(state: RegistryState): ProjectedModel[] {
  return [...state.models.values()].map((m) => ({
    name: m.name,
    ...(m.description !== undefined ? { description: m.description } : {}),
    createdAt: Date.parse(m.createdAt),
    updatedAt: Date.parse(m.updatedAt),
    tags: m.tags,
    aliases: m.aliases,
    versions: [...m.versions.values()].map((v) => ({
      version: v.version,
      stage: v.stage,
      ...(v.runUid !== undefined ? { runUid: v.runUid } : {}),
      ...(v.source !== undefined ? { source: v.source } : {}),
      ...(v.description !== undefined ? { description: v.description } : {}),
      createdBy: v.createdBy,
      createdAt: Date.parse(v.createdAt),
      updatedAt: Date.parse(v.updatedAt),
      tags: v.tags,
      ...loggedModelOf(v.source),
    })),
  }));
}

/**
 * Replaces every model of one origin in the store with `models` (call inside a transaction). The
 * registry tables are a projection: rebuilding them from their source loses nothing.
 */
export function replaceRegistry(db: Database, origin: string, models: readonly ProjectedModel[]): void {
  db.run('DELETE FROM models WHERE origin = ?', [origin]);
  for (const m of models) {
    db.run('INSERT INTO models(name, origin, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [
      m.name,
      origin,
      m.description ?? null,
      m.createdAt ?? null,
      m.updatedAt ?? null,
    ]);
    const modelId = Number(db.exec('SELECT last_insert_rowid()')[0].values[0][0]);
    for (const [key, value] of Object.entries(m.tags)) db.run('INSERT INTO model_tags(model_id, key, value) VALUES (?, ?, ?)', [modelId, key, value]);
    const aliases = m.aliases instanceof Map ? [...m.aliases] : Object.entries(m.aliases);
    for (const [alias, version] of aliases) db.run('INSERT INTO aliases(model_id, alias, version) VALUES (?, ?, ?)', [modelId, alias, version]);
    for (const v of m.versions) {
      db.run(
        `INSERT INTO model_versions(model_id, version, stage, run_uid, source, description, created_by, created_at, updated_at,
                                    logged_model_id, copied_from_model, copied_from_version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          modelId,
          v.version,
          v.stage,
          v.runUid ?? null,
          v.source ?? null,
          v.description ?? null,
          v.createdBy ?? null,
          v.createdAt ?? null,
          v.updatedAt ?? null,
          v.loggedModelId ?? null,
          v.copiedFrom?.name ?? null,
          v.copiedFrom?.version ?? null,
        ],
      );
      const versionId = Number(db.exec('SELECT last_insert_rowid()')[0].values[0][0]);
      for (const [key, value] of Object.entries(v.tags)) db.run('INSERT INTO version_tags(version_id, key, value) VALUES (?, ?, ?)', [versionId, key, value]);
    }
  }
}

/** Replaces the stored copy of the ledger's events (for history views), in verified order. */
export function replaceRegistryEvents(db: Database, ledgerPath: string, events: readonly (LedgerEvent & { line: number })[]): void {
  db.run('DELETE FROM registry_events WHERE ledger_path = ?', [ledgerPath]);
  const insert = db.prepare(
    'INSERT INTO registry_events(event_id, time, actor, action, model, version, payload, hash, prev_hash, ledger_path, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  try {
    for (const e of events) {
      insert.run([e.id, ms(e.time), e.actor.name, e.action, e.model, e.version ?? null, JSON.stringify(e), e.hash, e.prev.join(',') || null, ledgerPath, e.line]);
    }
  } finally {
    insert.free();
  }
}
