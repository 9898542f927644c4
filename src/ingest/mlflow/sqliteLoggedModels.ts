// MLflow 3 LoggedModels in a SQLite tracking store: logged_models with logged_model_params,
// logged_model_tags and logged_model_metrics (every point, with dataset_name/dataset_digest).
import type { Database, SqlValue } from 'sql.js';
import type { ImportContext, LoggedModelMetric } from '../types';
import { loggedModelStatus } from './loggedModels';
import { all, num, str } from './sqliteStore';

export interface SqliteModelContext {
  /** Absolute, for diagnostics. */
  readonly file: string;
  /** Relative to the workspace folder, for records. */
  readonly sourcePath: string;
  readonly context: ImportContext;
  readonly tables: ReadonlySet<string>;
  experimentUid(id: string): string;
  runUid(id: string): string;
  modelUid(id: string): string;
}

/** Keeps rows by model id, reporting (table, row) for rows whose model is not in logged_models. */
function groupByModel<T>(rows: SqlValue[][], known: ReadonlySet<string>, table: string, at: SqliteModelContext, map: (row: SqlValue[]) => T): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const [rowid, modelId] = row;
    const id = String(modelId);
    if (!known.has(id)) {
      at.context.sink.diagnostic({
        file: at.file,
        position: `table ${table}, row ${String(rowid)}`,
        message: `points at LoggedModel ${JSON.stringify(id)}, which is not in logged_models: skipped`,
        severity: 'warning',
      });
      continue;
    }
    const list = out.get(id);
    if (list) list.push(map(row));
    else out.set(id, [map(row)]);
  }
  return out;
}

function pairsOf(entries: readonly (readonly [string, string])[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of entries ?? []) out[key] = value;
  return out;
}

/** Emits every LoggedModel of the database (after dropping the ones imported from it before). */
export function readSqliteLoggedModels(db: Database, at: SqliteModelContext): void {
  const { context, tables } = at;
  context.sink.removeLoggedModels?.({ uidPrefix: at.modelUid('') });
  const models = all(
    db,
    `SELECT rowid, model_id, experiment_id, name, artifact_location, creation_timestamp_ms, last_updated_timestamp_ms, status,
            lifecycle_stage, model_type, source_run_id, status_message FROM logged_models ORDER BY creation_timestamp_ms, model_id`,
  );
  const known = new Set(models.map((m) => String(m[1])));
  const pairs = (table: string, key: string, value: string) =>
    tables.has(table)
      ? groupByModel(all(db, `SELECT rowid, model_id, ${key}, ${value} FROM ${table} ORDER BY ${key}`), known, table, at, (r) => [String(r[2]), String(r[3] ?? '')] as const)
      : new Map<string, (readonly [string, string])[]>();
  const params = pairs('logged_model_params', 'param_key', 'param_value');
  const tags = pairs('logged_model_tags', 'tag_key', 'tag_value');
  const metrics = tables.has('logged_model_metrics')
    ? groupByModel(
        all(
          db,
          `SELECT rowid, model_id, metric_name, metric_step, metric_timestamp_ms, metric_value, run_id, dataset_name, dataset_digest
             FROM logged_model_metrics ORDER BY metric_name, metric_timestamp_ms, metric_step`,
        ),
        known,
        'logged_model_metrics',
        at,
        (r): LoggedModelMetric => ({
          key: String(r[2]),
          dataset: str(r[7]) ?? '',
          ...(str(r[8]) ? { datasetDigest: str(r[8])! } : {}),
          step: Number(r[3] ?? 0),
          timestamp: Number(r[4] ?? 0),
          // A NULL metric_value is how SQLAlchemy stores NaN here.
          value: r[5] === null ? NaN : Number(r[5]),
          ...(str(r[6]) ? { runId: str(r[6])! } : {}),
        }),
      )
    : new Map<string, LoggedModelMetric[]>();
  for (const [rowid, modelId, experimentId, name, artifactLocation, created, updated, statusValue, lifecycle, modelType, sourceRunId, statusMessage] of models) {
    const id = String(modelId);
    const status = loggedModelStatus(statusValue);
    if (status === undefined) {
      context.sink.diagnostic({
        file: at.file,
        position: `table logged_models, row ${String(rowid)}`,
        message: `unknown LoggedModel status ${JSON.stringify(String(statusValue))}: read as UNSPECIFIED`,
        severity: 'warning',
      });
    }
    context.sink.loggedModel?.({
      uid: at.modelUid(id),
      experimentUid: at.experimentUid(String(experimentId)),
      format: 'mlflow-sqlite',
      externalId: id,
      name: str(name) ?? id,
      ...(str(sourceRunId) ? { sourceRunUid: at.runUid(str(sourceRunId)!) } : {}),
      status: status ?? 'UNSPECIFIED',
      ...(str(statusMessage) ? { statusMessage: str(statusMessage)! } : {}),
      ...(str(modelType) ? { modelType: str(modelType)! } : {}),
      ...(str(artifactLocation) ? { artifactLocation: str(artifactLocation)! } : {}),
      sourcePath: at.sourcePath,
      ...(num(created) !== undefined ? { createdAt: num(created)! } : {}),
      ...(num(updated) !== undefined ? { updatedAt: num(updated)! } : {}),
      deleted: lifecycle === 'deleted',
      params: pairsOf(params.get(id)),
      tags: pairsOf(tags.get(id)),
      metrics: metrics.get(id) ?? [],
    });
  }
}
