import type { Database } from 'sql.js';
import { optionalNumber, optionalString, rows } from '../tracking/queries';

export interface ModelRow {
  readonly id: number;
  readonly name: string;
  readonly origin: string;
  readonly description: string | undefined;
  readonly versionCount: number;
  readonly productionVersion: number | undefined;
}

export interface VersionRow {
  readonly id: number;
  readonly version: number;
  readonly stage: string;
  readonly runUid: string | undefined;
  readonly createdBy: string | undefined;
  readonly createdAt: number | undefined;
  readonly aliases: readonly string[];
  readonly description: string | undefined;
  readonly source: string | undefined;
  /** The source run's name, when the run is in the store. */
  readonly runName: string | undefined;
  /** MLflow 3: the LoggedModel (`m-<id>`) behind the version. */
  readonly loggedModelId: string | undefined;
  /** MLflow 3 copy_model_version: the version this one copies. */
  readonly copiedFrom: { readonly name: string; readonly version: number } | undefined;
}

export function listModels(db: Database): ModelRow[] {
  return rows(
    db,
    `SELECT m.id, m.name, m.origin, m.description, count(v.id),
            max(CASE WHEN v.stage = 'Production' THEN v.version END)
       FROM models m LEFT JOIN model_versions v ON v.model_id = m.id
      GROUP BY m.id ORDER BY m.name COLLATE NOCASE, m.origin`,
    [],
    (r) => ({
      id: Number(r[0]),
      name: String(r[1]),
      origin: String(r[2]),
      description: optionalString(r[3]),
      versionCount: Number(r[4]),
      productionVersion: optionalNumber(r[5]),
    }),
  );
}

export function listVersions(db: Database, modelId: number): VersionRow[] {
  return rows(
    db,
    `SELECT v.id, v.version, v.stage, v.run_uid, v.created_by, v.created_at,
            (SELECT group_concat(a.alias, ',') FROM aliases a WHERE a.model_id = v.model_id AND a.version = v.version),
            v.description, v.source, (SELECT r.name FROM runs r WHERE r.uid = v.run_uid),
            v.logged_model_id, v.copied_from_model, v.copied_from_version
       FROM model_versions v WHERE v.model_id = ? ORDER BY v.version DESC`,
    [modelId],
    (r) => ({
      id: Number(r[0]),
      version: Number(r[1]),
      stage: String(r[2]),
      runUid: optionalString(r[3]),
      createdBy: optionalString(r[4]),
      createdAt: optionalNumber(r[5]),
      aliases: r[6] ? String(r[6]).split(',').sort() : [],
      description: optionalString(r[7]),
      source: optionalString(r[8]),
      runName: optionalString(r[9]),
      loggedModelId: optionalString(r[10]),
      copiedFrom: r[11] === null || r[11] === undefined ? undefined : { name: String(r[11]), version: Number(r[12]) },
    }),
  );
}

export interface RunRef {
  readonly id: number;
  readonly uid: string;
  readonly name: string | undefined;
  readonly status: string;
  readonly sourcePath: string | undefined;
  readonly artifactUri: string | undefined;
  readonly format: string;
}

export function runForUid(db: Database, uid: string): RunRef | undefined {
  return rows(db, 'SELECT id, uid, name, status, source_path, artifact_uri, format FROM runs WHERE uid = ?', [uid], (r) => ({
    id: Number(r[0]),
    uid: String(r[1]),
    name: optionalString(r[2]),
    status: String(r[3]),
    sourcePath: optionalString(r[4]),
    artifactUri: optionalString(r[5]),
    format: String(r[6]),
  }))[0];
}

export function runArtifacts(db: Database, runId: number): { path: string; size: number | undefined; isDir: boolean }[] {
  return rows(db, 'SELECT path, size, is_dir FROM artifacts WHERE run_id = ? ORDER BY path', [runId], (r) => ({ path: String(r[0]), size: r[1] === null ? undefined : Number(r[1]), isDir: Boolean(r[2]) }));
}

export interface HistoryEntry {
  readonly id: string;
  readonly time: number;
  readonly actor: string;
  readonly summary: string;
  readonly reason: string | undefined;
}

/** The ledger events about one version, newest first, as one-line summaries. */
export function versionHistory(db: Database, model: string, version: number): HistoryEntry[] {
  return rows(db, 'SELECT event_id, time, actor, payload FROM registry_events WHERE model = ? AND (version = ? OR version IS NULL) ORDER BY seq DESC', [model, version], (r) => {
    const event = JSON.parse(String(r[3])) as { action: string; before?: Record<string, unknown> | null; after?: Record<string, unknown> | null; reason?: string };
    return { id: String(r[0]), time: Number(r[1]), actor: String(r[2]), summary: summarize(event), reason: event.reason };
  });
}

function summarize(e: { action: string; before?: Record<string, unknown> | null; after?: Record<string, unknown> | null }): string {
  const before = e.before ?? {};
  const after = e.after ?? {};
  switch (e.action) {
    case 'register':
      return 'registered';
    case 'transition':
      return `${String(before.stage ?? '?')} → ${String(after.stage ?? '?')}`;
    case 'set-alias':
      return `alias @${String(after.alias)}`;
    case 'delete-alias':
      return `alias @${String(before.alias)} removed`;
    case 'set-description':
      return 'description changed';
    case 'set-tag':
      return `tag ${String(after.key)} = ${String(after.value)}`;
    case 'delete-tag':
      return `tag ${String(before.key)} removed`;
    case 'approve':
      return `approved for ${String(after.stage)}`;
    case 'set-reference':
      return `reference data ${String(after.path)}`;
    case 'alert':
      return after.state === 'ended' ? `alert ended: ${String(after.rule)}` : `alert: ${String(after.rule)}`;
    default:
      return e.action;
  }
}

export function versionTags(db: Database, versionId: number): Record<string, string> {
  return Object.fromEntries(rows(db, 'SELECT key, value FROM version_tags WHERE version_id = ?', [versionId], (r) => [String(r[0]), String(r[1])] as const));
}

/** The latest payload of one action for a version (newest event first), e.g. its reference dataset or last alert. */
export function latestVersionEvent(db: Database, model: string, version: number, action: string): { time: number; after: Record<string, unknown> } | undefined {
  return rows(db, 'SELECT time, payload FROM registry_events WHERE model = ? AND version = ? AND action = ? ORDER BY seq DESC LIMIT 1', [model, version, action], (r) => ({
    time: Number(r[0]),
    after: ((JSON.parse(String(r[1])) as { after?: Record<string, unknown> | null }).after ?? {}) as Record<string, unknown>,
  }))[0];
}

/** The `after` of every event of one action for a version, oldest first (e.g. to replay alert states). */
export function versionEventBodies(db: Database, model: string, version: number, action: string): Record<string, unknown>[] {
  return rows(db, 'SELECT payload FROM registry_events WHERE model = ? AND version = ? AND action = ? ORDER BY seq', [model, version, action], (r) =>
    ((JSON.parse(String(r[0])) as { after?: Record<string, unknown> | null }).after ?? {}) as Record<string, unknown>,
  );
}
