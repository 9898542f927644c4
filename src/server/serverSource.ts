/**
 * One MLflow Tracking Server as a source: refreshes the cached runs and registry in a store, fetches
 * metric histories on demand (never twice while the cached copy is fresh), and polls RUNNING runs.
 * Host-free: the extension's ServerConnections and the CLI drive it.
 */
import type { Database } from 'sql.js';
import { rows } from '../tracking/queries';
import { getHistoryBulkInterval, getMetricHistory, getRun, searchExperiments, searchLoggedModels, searchModelVersions, searchRegisteredModels, searchRuns, type MlflowModelVersion, type MlflowRun } from './api';
import { MlflowServerError, type MlflowClient } from './client';
import {
  applyLoggedModels,
  applyRegistry,
  applyRuns,
  fetchOf,
  historyResource,
  markServerError,
  markServerOk,
  parseServerRunUid,
  storeHistory,
  upsertServer,
  SERVER_UID_PREFIX,
} from './serverStore';

/** Delay before the next poll: the interval, doubled per consecutive failure, at most 16× (undefined: polling is off). */
export function pollDelayMs(intervalSeconds: number, consecutiveFailures: number): number | undefined {
  if (!Number.isFinite(intervalSeconds) || intervalSeconds <= 0) return undefined;
  return intervalSeconds * 1000 * Math.min(16, 2 ** Math.max(0, consecutiveFailures));
}

export interface StoreLike {
  readonly db: Database;
  changed(): void;
  transaction<T>(work: () => T): T;
}

export interface ServerSourceOptions {
  readonly id: string;
  readonly client: MlflowClient;
  readonly store: StoreLike;
  readonly name?: string;
  readonly now?: () => number;
  /** runs/search page size (default 1000, MLflow's maximum is 50,000). */
  readonly pageSize?: number;
  /** A history whose last step is at least this is fetched as a server-side sample (default 100,000). */
  readonly sampleAboveSteps?: number;
  /** Points per run for a sampled history (get-history-bulk-interval's max_results; default 1,000). */
  readonly sampleMaxPoints?: number;
}

export interface RefreshResult {
  readonly experiments: number;
  readonly runs: number;
  readonly models: number;
}

export class ServerSource {
  readonly id: string;
  readonly client: MlflowClient;
  private readonly now: () => number;
  /** The filter of the last runs refresh (MLflow syntax; empty: every run). */
  filter = '';
  /** Whether the server has get-history-bulk-interval; learnt on first use. */
  private bulkInterval: boolean | undefined;

  constructor(private readonly options: ServerSourceOptions) {
    this.id = options.id;
    this.client = options.client;
    this.now = options.now ?? Date.now;
    options.store.transaction(() => upsertServer(options.store.db, options.id, options.client.options.url, options.name));
  }

  private get db(): Database {
    return this.options.store.db;
  }

  /** Experiments, runs (all pages; `filter` applied by the server) and the registry. A failure is recorded (cache stays, marked stale) and rethrown. */
  async refresh(options: { filter?: string; registry?: boolean } = {}): Promise<RefreshResult> {
    return this.recording(async () => {
      const filter = options.filter ?? this.filter;
      const experiments = await searchExperiments(this.client);
      const runs = await searchRuns(this.client, { experimentIds: experiments.map((e) => e.experiment_id), ...(filter ? { filter } : {}), ...(this.options.pageSize ? { pageSize: this.options.pageSize } : {}) });
      let models = 0;
      let versions: { models: Awaited<ReturnType<typeof searchRegisteredModels>>; versionsOf: Map<string, MlflowModelVersion[]> } | undefined;
      if (options.registry !== false) versions = await this.fetchRegistry();
      // MLflow >= 3.0 has LoggedModels; a 2.x server has no such endpoint (undefined): none cached.
      const loggedModels = await searchLoggedModels(this.client, experiments.map((e) => e.experiment_id));
      this.filter = filter;
      const now = this.now();
      this.options.store.transaction(() => {
        applyRuns(this.db, this.id, experiments, runs, { complete: !filter, now });
        if (loggedModels) applyLoggedModels(this.db, this.id, loggedModels);
        if (versions) models = applyRegistry(this.db, this.id, versions.models, versions.versionsOf, now);
        markServerOk(this.db, this.id, now);
      });
      this.options.store.changed();
      return { experiments: experiments.length, runs: runs.length, models };
    });
  }

  async refreshRegistry(): Promise<number> {
    return this.recording(async () => {
      const { models, versionsOf } = await this.fetchRegistry();
      const n = this.options.store.transaction(() => applyRegistry(this.db, this.id, models, versionsOf, this.now()));
      this.options.store.changed();
      return n;
    });
  }

  private async fetchRegistry() {
    const models = await searchRegisteredModels(this.client);
    const versionsOf = new Map<string, MlflowModelVersion[]>();
    for (const m of models) versionsOf.set(m.name, await searchModelVersions(this.client, m.name));
    return { models, versionsOf };
  }

  /**
   * Makes sure the full histories of `keys` (default: every key) of these runs are in the store.
   * Runs of other sources are ignored; a history already fetched is not requested again until the
   * run logs more (a refresh or poll drops it then). Returns how many histories were fetched.
   */
  async ensureHistories(runUids: readonly string[], keys?: readonly string[]): Promise<number> {
    const wanted: { runId: string; key: string; lastStep: number }[] = [];
    for (const uid of runUids) {
      const parsed = parseServerRunUid(uid);
      if (!parsed || parsed.serverId !== this.id) continue;
      const series = rows(this.db, 'SELECT s.key, s.last_step FROM metric_series s JOIN runs r ON r.id = s.run_id WHERE r.uid = ?', [uid], (r) => ({ key: String(r[0]), lastStep: Number(r[1] ?? 0) }));
      for (const s of series) {
        if (keys && !keys.includes(s.key)) continue;
        if (fetchOf(this.db, this.id, historyResource(parsed.runId, s.key))) continue;
        wanted.push({ runId: parsed.runId, key: s.key, lastStep: s.lastStep });
      }
    }
    if (wanted.length === 0) return 0;
    return this.recording(async () => {
      const sampleAbove = this.options.sampleAboveSteps ?? 100_000;
      const fetched: { runId: string; key: string; points: Awaited<ReturnType<typeof getMetricHistory>>; sampled: boolean }[] = [];
      for (const w of wanted) {
        let points: Awaited<ReturnType<typeof getMetricHistory>> | undefined;
        let sampled = false;
        if (w.lastStep >= sampleAbove && this.bulkInterval !== false) {
          points = await getHistoryBulkInterval(this.client, [w.runId], w.key, this.options.sampleMaxPoints ?? 1000);
          this.bulkInterval = points !== undefined;
          sampled = points !== undefined;
        }
        points ??= await getMetricHistory(this.client, w.runId, w.key);
        fetched.push({ ...w, points, sampled });
      }
      const now = this.now();
      this.options.store.transaction(() => {
        for (const f of fetched) storeHistory(this.db, this.id, f.runId, f.key, f.points, { now, sampled: f.sampled });
      });
      this.options.store.changed();
      return fetched.length;
    });
  }

  /**
   * One poll of the runs cached as RUNNING: each is fetched again (runs/get); histories that were
   * fetched before and have grown are fetched again. Returns how many runs are still running.
   */
  async pollRunning(): Promise<number> {
    const running = rows(this.db, "SELECT external_id FROM runs WHERE status = 'RUNNING' AND uid LIKE ? ESCAPE '\\'", [`${SERVER_UID_PREFIX}${this.id}:%`], (r) => String(r[0]));
    if (running.length === 0) return 0;
    return this.recording(async () => {
      const runs: MlflowRun[] = [];
      for (const runId of running) runs.push(await getRun(this.client, runId));
      const now = this.now();
      const result = this.options.store.transaction(() => applyRuns(this.db, this.id, [], runs, { complete: false, now }));
      this.options.store.changed();
      const again = [...new Set(result.invalidated.map((i) => i.runUid))];
      for (const uid of again) await this.ensureHistories([uid], result.invalidated.filter((i) => i.runUid === uid).map((i) => i.key));
      return runs.filter((r) => r.info.status === 'RUNNING').length;
    });
  }

  /** Runs `work`; a server error is recorded on the server's row (the cache stays, shown stale) and rethrown. */
  private async recording<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const message = error instanceof MlflowServerError ? error.message : `MLflow server ${this.client.server}: ${(error as Error).message}`;
      this.options.store.transaction(() => markServerError(this.db, this.id, message, this.now()));
      this.options.store.changed();
      throw error instanceof MlflowServerError ? error : new Error(message);
    }
  }
}
