import path from 'node:path';
import type { Database, SqlValue } from 'sql.js';
import { loadSqlJs } from '../../store';
import { byName, canonicalMlflowStage, dropUndefined, errorMessage, MLFLOW_DELETED_STAGE, presentString } from './common';
import { linkMlflowVersions } from './mlflowModelSource';
import type { ExternalModel, ExternalVersion, RegistryDiagnostic, RegistryReadResult, Stage } from './types';
import { readRegularFile } from '../../ingest/regularFile';

/**
 * Reads the model registry tables of an MLflow SQL store (`mlflow.db`), read-only: the database is
 * opened from an in-memory copy of its bytes, so the user's file is never locked or written.
 * A database without `registered_models` is a tracking-only store: an empty result, no diagnostic.
 */
export async function readMlflowSqliteRegistry(dbFile: string): Promise<RegistryReadResult> {
  const location = path.resolve(dbFile);
  const result: RegistryReadResult = { models: [], diagnostics: [] };
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(location);
  } catch (error) {
    result.diagnostics.push({ file: location, message: `cannot read the MLflow database: ${errorMessage(error)}`, severity: 'error' });
    return result;
  }
  let db: Database | undefined;
  try {
    const SQL = await loadSqlJs();
    db = new SQL.Database(bytes);
    // sql.js accepts any bytes at open time; the first query is what finds out it is not SQLite.
    const tables = new Set(query(db, "SELECT name FROM sqlite_master WHERE type = 'table'").map((row) => String(row.name)));
    if (!tables.has('registered_models')) return result;
    result.models = readModels(db, tables, location, (d) => result.diagnostics.push(d));
    linkMlflowVersions(result.models);
  } catch (error) {
    result.models = [];
    result.diagnostics.push({ file: location, message: `cannot read the model registry: ${errorMessage(error)}`, severity: 'error' });
  } finally {
    db?.close();
  }
  return result;
}

type Row = Record<string, SqlValue>;

/** Rows as objects by column name: older MLflow schemas lack some columns (run_link, storage_location). */
function query(db: Database, sql: string): Row[] {
  const [table] = db.exec(sql);
  if (!table) return [];
  return table.values.map((values) => Object.fromEntries(table.columns.map((column, i) => [column, values[i] ?? null])));
}

function readModels(db: Database, tables: Set<string>, location: string, report: (d: RegistryDiagnostic) => void): ExternalModel[] {
  const models = new Map<string, ExternalModel>();
  for (const row of query(db, 'SELECT * FROM registered_models')) {
    const name = text(row.name);
    if (name === undefined) continue;
    models.set(
      name,
      dropUndefined<ExternalModel>({
        name,
        origin: 'mlflow-sqlite',
        location,
        description: presentString(text(row.description)),
        createdAt: millis(row.creation_time),
        updatedAt: millis(row.last_updated_time),
        tags: {},
        aliases: {},
        versions: [],
      }),
    );
  }
  const orphan = (table: string, name: string, detail = '') =>
    report({ file: location, position: `table ${table}`, message: `row for unknown registered model "${name}"${detail}; ignored`, severity: 'warning' });

  if (tables.has('registered_model_tags')) {
    for (const row of query(db, 'SELECT * FROM registered_model_tags ORDER BY key')) {
      const name = text(row.name) ?? '';
      const model = models.get(name);
      if (!model) orphan('registered_model_tags', name);
      else if (text(row.key) !== undefined) model.tags[String(row.key)] = text(row.value) ?? '';
    }
  }

  if (tables.has('model_versions')) {
    for (const row of query(db, 'SELECT * FROM model_versions ORDER BY name, version')) {
      const name = text(row.name) ?? '';
      const model = models.get(name);
      const version = integer(row.version);
      if (!model) {
        orphan('model_versions', name);
        continue;
      }
      if (version === undefined) {
        report({ file: location, position: 'table model_versions', message: `model "${name}" has a version that is not a whole number (${String(row.version)}); skipped`, severity: 'warning' });
        continue;
      }
      const rawStage = text(row.current_stage);
      let stage: Stage = 'None';
      if (rawStage !== undefined && rawStage !== MLFLOW_DELETED_STAGE) {
        const canonical = canonicalMlflowStage(rawStage);
        if (canonical) stage = canonical;
        else report({ file: location, position: 'table model_versions', message: `model "${name}" version ${version}: unknown current_stage "${rawStage}"; read as None`, severity: 'warning' });
      }
      const entry: ExternalVersion = {
        version,
        stage,
        aliases: [],
        runId: presentString(text(row.run_id)),
        source: presentString(text(row.source)),
        description: presentString(text(row.description)),
        createdAt: millis(row.creation_time),
        updatedAt: millis(row.last_updated_time),
        createdBy: presentString(text(row.user_id)),
        status: presentString(text(row.status)),
        tags: {},
        modelId: presentString(text(row.model_id)),
      };
      if (rawStage === MLFLOW_DELETED_STAGE) entry.deleted = true;
      model.versions.push(dropUndefined(entry));
    }
  }

  if (tables.has('model_version_tags')) {
    for (const row of query(db, 'SELECT * FROM model_version_tags ORDER BY key')) {
      const name = text(row.name) ?? '';
      const target = models.get(name)?.versions.find((v) => v.version === integer(row.version));
      if (!target) orphan('model_version_tags', name, ` version ${String(row.version)}`);
      else if (text(row.key) !== undefined) target.tags[String(row.key)] = text(row.value) ?? '';
    }
  }

  if (tables.has('registered_model_aliases')) {
    for (const row of query(db, 'SELECT * FROM registered_model_aliases ORDER BY alias')) {
      const name = text(row.name) ?? '';
      const alias = text(row.alias);
      const model = models.get(name);
      if (!model) {
        orphan('registered_model_aliases', name);
        continue;
      }
      const target = model.versions.find((v) => v.version === integer(row.version));
      if (alias === undefined || !target || target.deleted) {
        report({
          file: location,
          position: 'table registered_model_aliases',
          message: `model "${name}": alias "${alias ?? ''}" points to version ${String(row.version)}, which ${target ? 'is soft-deleted' : 'does not exist'}; alias ignored`,
          severity: 'warning',
        });
        continue;
      }
      model.aliases[alias] = target.version;
      target.aliases.push(alias);
    }
  }
  return [...models.values()].sort(byName);
}

function text(value: SqlValue | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : String(value);
}

function integer(value: SqlValue | undefined): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number.isSafeInteger(Number(value)) ? Number(value) : undefined;
  return undefined;
}

function millis(value: SqlValue | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : integer(value);
}
