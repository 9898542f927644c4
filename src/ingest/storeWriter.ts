import type { Database } from 'sql.js';
import { MetricWriter } from '../store';
import type { SinkOperation } from './recordingSink';
import type { ArtifactRecord, ExperimentRecord, LoggedModelRecord, RunRecord } from './types';

/**
 * Applies importer operations to the store's tables. Call inside a transaction. Keeps uid → id
 * maps so a large import does not look up the same run for every batch.
 */
export class StoreWriter {
  private readonly experimentIds = new Map<string, number>();
  private readonly runIds = new Map<string, number>();

  constructor(private readonly db: Database) {}

  apply(operations: readonly SinkOperation[]): void {
    const metrics = new MetricWriter(this.db);
    try {
      this.applyWith(operations, metrics);
    } finally {
      metrics.free();
    }
  }

  private applyWith(operations: readonly SinkOperation[], metrics: MetricWriter): void {
    for (const operation of operations) {
      switch (operation.op) {
        case 'experiment':
          this.upsertExperiment(operation.record);
          break;
        case 'run':
          this.upsertRun(operation.record);
          break;
        case 'metrics': {
          const runId = this.runId(operation.batch.runUid);
          if (runId !== undefined) metrics.append(runId, operation.batch.key, operation.batch, operation.batch.dataset ?? '', operation.batch.datasetDigest);
          break;
        }
        case 'resetMetrics': {
          const runId = this.runId(operation.runUid);
          if (runId === undefined) break;
          if (operation.key === undefined) this.db.run('DELETE FROM metric_series WHERE run_id = ?', [runId]);
          else this.db.run('DELETE FROM metric_series WHERE run_id = ? AND key = ?', [runId, operation.key]);
          break;
        }
        case 'removeRun':
          this.db.run('DELETE FROM runs WHERE uid = ?', [operation.uid]);
          this.runIds.delete(operation.uid);
          break;
        case 'loggedModel':
          this.upsertLoggedModel(operation.record);
          break;
        case 'removeLoggedModels':
          if ('uid' in operation.which) this.db.run('DELETE FROM logged_models WHERE uid = ?', [operation.which.uid]);
          else this.db.run('DELETE FROM logged_models WHERE substr(uid, 1, ?) = ?', [operation.which.uidPrefix.length, operation.which.uidPrefix]);
          break;
      }
    }
  }

  private upsertExperiment(e: ExperimentRecord): number {
    this.db.run(
      `INSERT INTO experiments(uid, name, format, external_id, artifact_location, lifecycle, created_at, updated_at, workspace, trace_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(uid) DO UPDATE SET name = excluded.name, format = excluded.format, external_id = excluded.external_id,
         artifact_location = excluded.artifact_location, lifecycle = excluded.lifecycle,
         created_at = excluded.created_at, updated_at = excluded.updated_at,
         workspace = coalesce(excluded.workspace, workspace), trace_count = coalesce(excluded.trace_count, trace_count)`,
      [
        e.uid,
        e.name,
        e.format,
        e.externalId ?? null,
        e.artifactLocation ?? null,
        e.lifecycle,
        e.createdAt ?? null,
        e.updatedAt ?? null,
        e.workspace ?? null,
        e.traceCount ?? null,
      ],
    );
    const id = this.lookup('experiments', e.uid)!;
    this.experimentIds.set(e.uid, id);
    if (e.tags) {
      this.db.run('DELETE FROM experiment_tags WHERE experiment_id = ?', [id]);
      for (const [key, value] of Object.entries(e.tags)) {
        this.db.run('INSERT INTO experiment_tags(experiment_id, key, value) VALUES (?, ?, ?)', [id, key, value]);
      }
    }
    return id;
  }

  private upsertRun(r: RunRecord): void {
    let experimentId = this.experimentIds.get(r.experimentUid) ?? this.lookup('experiments', r.experimentUid);
    if (experimentId === undefined) {
      // The importer did not emit the experiment (e.g. its meta.yaml is unreadable): keep the run visible.
      experimentId = this.upsertExperiment({ uid: r.experimentUid, name: r.experimentUid.replace(/^[^:]*:/, ''), format: r.format, lifecycle: 'active' });
    }
    this.db.run(
      `INSERT INTO runs(uid, experiment_id, external_id, name, status, start_time, end_time, user, format, source_path,
                        parent_uid, git_commit, artifact_uri, deleted, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(uid) DO UPDATE SET experiment_id = excluded.experiment_id, external_id = excluded.external_id,
         name = excluded.name, status = excluded.status, start_time = excluded.start_time, end_time = excluded.end_time,
         user = excluded.user, format = excluded.format, source_path = excluded.source_path, parent_uid = excluded.parent_uid,
         git_commit = excluded.git_commit, artifact_uri = excluded.artifact_uri, deleted = excluded.deleted,
         updated_at = excluded.updated_at`,
      [
        r.uid,
        experimentId,
        r.externalId ?? null,
        r.name ?? null,
        r.status,
        r.startTime ?? null,
        r.endTime ?? null,
        r.user ?? null,
        r.format,
        r.sourcePath,
        r.parentUid ?? null,
        r.gitCommit ?? null,
        r.artifactUri ?? null,
        r.deleted ? 1 : 0,
        Date.now(),
      ],
    );
    const id = this.lookup('runs', r.uid)!;
    this.runIds.set(r.uid, id);
    this.replacePairs('params', id, r.params);
    this.replacePairs('run_tags', id, r.tags);
    if (r.artifacts) this.replaceArtifacts('artifacts', 'run_id', id, r.artifacts);
  }

  private replaceArtifacts(table: 'artifacts' | 'logged_model_artifacts', owner: 'run_id' | 'model_id', id: number, artifacts: readonly ArtifactRecord[]): void {
    this.db.run(`DELETE FROM ${table} WHERE ${owner} = ?`, [id]);
    for (const a of artifacts) {
      this.db.run(`INSERT OR REPLACE INTO ${table}(${owner}, path, size, is_dir) VALUES (?, ?, ?, ?)`, [id, a.path, a.size ?? null, a.isDir ? 1 : 0]);
    }
  }

  /** A LoggedModel replaces its previous copy whole: a model holds a handful of points, not a long series. */
  private upsertLoggedModel(m: LoggedModelRecord): void {
    const experimentId =
      this.experimentIds.get(m.experimentUid) ??
      this.lookup('experiments', m.experimentUid) ??
      this.upsertExperiment({ uid: m.experimentUid, name: m.experimentUid.replace(/^[^:]*:/, ''), format: m.format, lifecycle: 'active' });
    this.db.run('DELETE FROM logged_models WHERE uid = ?', [m.uid]);
    this.db.run(
      `INSERT INTO logged_models(uid, experiment_id, external_id, name, source_run_uid, status, status_message, model_type,
                                 artifact_location, format, source_path, created_at, updated_at, deleted)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        m.uid,
        experimentId,
        m.externalId,
        m.name,
        m.sourceRunUid ?? null,
        m.status,
        m.statusMessage ?? null,
        m.modelType ?? null,
        m.artifactLocation ?? null,
        m.format,
        m.sourcePath,
        m.createdAt ?? null,
        m.updatedAt ?? null,
        m.deleted ? 1 : 0,
      ],
    );
    const id = Number(this.db.exec('SELECT last_insert_rowid()')[0].values[0][0]);
    this.replacePairs('logged_model_params', id, m.params, 'model_id');
    this.replacePairs('logged_model_tags', id, m.tags, 'model_id');
    const insert = this.db.prepare(
      'INSERT INTO logged_model_metrics(model_id, seq, key, dataset, dataset_digest, step, timestamp, value, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    try {
      m.metrics.forEach((p, seq) =>
        insert.run([id, seq, p.key, p.dataset, p.datasetDigest ?? null, p.step, p.timestamp, Number.isNaN(p.value) ? null : p.value, p.runId ?? null]),
      );
    } finally {
      insert.free();
    }
    if (m.artifacts) this.replaceArtifacts('logged_model_artifacts', 'model_id', id, m.artifacts);
  }

  private replacePairs(
    table: 'params' | 'run_tags' | 'logged_model_params' | 'logged_model_tags',
    ownerId: number,
    pairs: Readonly<Record<string, string>>,
    owner: 'run_id' | 'model_id' = 'run_id',
  ): void {
    this.db.run(`DELETE FROM ${table} WHERE ${owner} = ?`, [ownerId]);
    const insert = this.db.prepare(`INSERT INTO ${table}(${owner}, key, value) VALUES (?, ?, ?)`);
    try {
      for (const [key, value] of Object.entries(pairs)) insert.run([ownerId, key, value]);
    } finally {
      insert.free();
    }
  }

  private runId(uid: string): number | undefined {
    const cached = this.runIds.get(uid);
    if (cached !== undefined) return cached;
    const id = this.lookup('runs', uid);
    if (id !== undefined) this.runIds.set(uid, id);
    return id;
  }

  private lookup(table: 'runs' | 'experiments', uid: string): number | undefined {
    const statement = this.db.prepare(`SELECT id FROM ${table} WHERE uid = ?`);
    try {
      statement.bind([uid]);
      return statement.step() ? Number(statement.get()[0]) : undefined;
    } finally {
      statement.free();
    }
  }
}
