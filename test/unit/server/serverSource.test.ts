import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { listLoggedModels } from '../../../src/tracking/loggedModels';
import { fixturePath } from '../../fixturePath';
import { Store } from '../../../src/store';
import { readMetricSeries, seriesSummaries } from '../../../src/store/metrics';
import { listModels, listVersions } from '../../../src/registry/queries';
import { applyExternalRegistries } from '../../../src/registry/externalImport';
import { MlflowClient, MlflowServerError } from '../../../src/server/client';
import { pollDelayMs, ServerSource } from '../../../src/server/serverSource';
import { fetchOf, historyResource, runUidFor, serverIdFor, serverRow } from '../../../src/server/serverStore';
import { listAllRuns } from '../../../src/tracking/report';
import { rows } from '../../../src/tracking/queries';
import { fixture, MlflowTestServer } from '../../server/mlflowTestServer';

const SWEEP_RUN = '9cbe02b493b94ab6ad2290b70737b56e';

interface FixtureRun {
  info: { run_id: string; run_name: string; experiment_id: string };
  data: { metrics?: { key: string; value: number; step: number }[]; params?: { key: string; value: string }[] };
}

/** The server's active runs, counted from the recorded files themselves. */
function activeRunsFromFixtures(): FixtureRun[] {
  const deleted = new Set(fixture<{ runs: FixtureRun[] }>('runs_search_deleted_only').runs.map((r) => r.info.run_id));
  return fixture<{ runs: FixtureRun[] }>('runs_search_all').runs.filter((r) => !deleted.has(r.info.run_id));
}

describe('server/serverSource: runs, registry and histories from a server, cached in the store', () => {
  let server: MlflowTestServer;
  let store: Store;
  let source: ServerSource;
  let now = 1_000;

  beforeEach(async () => {
    server = new MlflowTestServer();
    const url = await server.start();
    store = (await Store.open(undefined)).store;
    now = 1_000;
    source = new ServerSource({ id: serverIdFor(url), client: new MlflowClient({ url, name: 'team', retryBaseMs: 1, timeoutMs: 2000 }), store, name: 'team', pageSize: 5, now: () => now, sampleAboveSteps: 1_000_000 });
  });
  afterEach(async () => {
    source.client.close();
    await store.close();
    await server.stop();
  });

  it('follows runs/search pages to the end and stores every active run with params and latest metrics', async () => {
    const expected = activeRunsFromFixtures();
    const result = await source.refresh();
    assert.equal(result.runs, expected.length);
    assert.equal(server.count('runs/search'), Math.ceil(expected.length / 5), 'one request per page of 5');
    assert.equal(result.experiments, fixture<{ experiments: unknown[] }>('experiments_search_post').experiments.length);
    const listed = listAllRuns(store.db).filter((r) => r.uid.startsWith('mlflow-server:'));
    assert.equal(listed.length, expected.length);
    for (const run of expected) {
      const got = listed.find((r) => r.id === run.info.run_id);
      assert.ok(got, run.info.run_name);
      assert.equal(got.name, run.info.run_name);
      assert.equal(got.format, 'mlflow-server');
      for (const p of run.data.params ?? []) assert.equal(got.params[p.key], p.value);
      for (const m of run.data.metrics ?? []) assert.equal(got.metrics[m.key], m.value, `${run.info.run_name} ${m.key}`);
    }
    assert.equal(serverRow(store.db, source.id)?.lastOkAt, 1_000);
  });

  it('caches LoggedModels from an MLflow 3 server (logged-models/search), and none from a 2.x server without failing', async () => {
    await source.refresh();
    assert.equal(server.count('logged-models/search'), 1, 'asked once');
    assert.equal(listLoggedModels(store.db).length, 0, 'a 2.x server has none');
    assert.equal(serverRow(store.db, source.id)?.lastError, undefined);
    server.mlflow3 = true;
    await source.refresh();
    const recorded = (JSON.parse(readFileSync(fixturePath('mlflow', 'mlflow-3.11-generated', 'rest', 'logged-models-search.json'), 'utf8')) as { models: { info: { model_id: string; name: string; source_run_id?: string } }[] }).models;
    const cached = listLoggedModels(store.db);
    assert.deepEqual(cached.map((m) => m.modelId).sort(), recorded.map((m) => m.info.model_id).sort());
    for (const m of recorded) assert.equal(cached.find((c) => c.modelId === m.info.model_id)!.sourceRunId, m.info.source_run_id, m.info.name);
  });

  it('reads the registry: models, versions, stages, aliases, tags, descriptions', async () => {
    await source.refresh();
    const recorded = fixture<{ registered_models: { name: string; description: string; aliases: { alias: string; version: string }[] }[] }>('registered_models_search').registered_models;
    const versions = fixture<{ model_versions: { version: string; current_stage: string; run_id: string; description: string }[] }>('model_versions_search').model_versions;
    const models = listModels(store.db).filter((m) => m.origin === `mlflow-server:${source.id}`);
    assert.deepEqual(models.map((m) => m.name), recorded.map((m) => m.name));
    assert.equal(models[0].description, recorded[0].description);
    const stored = listVersions(store.db, models[0].id);
    assert.equal(stored.length, versions.length);
    for (const v of versions) {
      const got = stored.find((s) => s.version === Number(v.version))!;
      assert.equal(got.stage, v.current_stage);
      assert.equal(got.description, v.description);
      assert.equal(got.runUid, runUidFor(source.id, v.run_id));
      const aliases = recorded[0].aliases.filter((a) => a.version === v.version).map((a) => a.alias).sort();
      assert.deepEqual(got.aliases, aliases);
    }
    assert.equal(models[0].productionVersion, Number(versions.find((v) => v.current_stage === 'Production')!.version));
  });

  it('fetches a metric history on demand, once: nothing is requested again while the cache is fresh', async () => {
    await source.refresh();
    const uid = runUidFor(source.id, SWEEP_RUN);
    const recorded = fixture<{ metrics: { value: number; step: number }[] }>('metrics_get_history').metrics;
    const before = server.total;
    assert.equal(await source.ensureHistories([uid], ['loss']), 1);
    assert.equal(server.total - before, 1);
    const runId = rows(store.db, 'SELECT id FROM runs WHERE uid = ?', [uid], (r) => Number(r[0]))[0];
    const series = readMetricSeries(store.db, runId, 'loss');
    assert.equal(series.values.length, recorded.length);
    assert.deepEqual(Array.from(series.values), recorded.map((m) => m.value));
    assert.deepEqual(Array.from(series.steps), recorded.map((m) => m.step));
    assert.deepEqual(fetchOf(store.db, source.id, historyResource(SWEEP_RUN, 'loss')), { fetchedAt: 1_000, points: recorded.length, sampled: false });

    const afterFirst = server.total;
    now = 50_000;
    assert.equal(await source.ensureHistories([uid], ['loss']), 0);
    await source.refresh(); // the run has not logged more: the cached history stays
    const refreshRequests = server.total - afterFirst;
    assert.equal(await source.ensureHistories([uid], ['loss']), 0);
    assert.equal(server.total - afterFirst, refreshRequests, 'no history request after the refresh');
    assert.equal(server.count('metrics/get-history'), 1);
  });

  it('a large history is sampled with get-history-bulk-interval; an older server falls back to get-history', async () => {
    source = new ServerSource({ id: source.id, client: source.client, store, pageSize: 5, now: () => now, sampleAboveSteps: 100, sampleMaxPoints: 20 });
    await source.refresh();
    const uid = runUidFor(source.id, SWEEP_RUN);
    await source.ensureHistories([uid], ['loss']);
    const sample = fixture<{ metrics: unknown[] }>('metrics_get_history_bulk_interval').metrics;
    assert.equal(server.count('metrics/get-history-bulk-interval'), 1);
    assert.ok(server.log.some((l) => l.includes('get-history-bulk-interval?run_ids=9cbe02b493b94ab6ad2290b70737b56e&metric_key=loss&max_results=20')));
    assert.deepEqual(fetchOf(store.db, source.id, historyResource(SWEEP_RUN, 'loss')), { fetchedAt: 1_000, points: sample.length, sampled: true });

    server.olderServer = true;
    await source.ensureHistories([uid], ['val_loss']);
    assert.equal(server.count('metrics/get-history-bulk-interval'), 2, 'tried once more, got the 404');
    assert.equal(fetchOf(store.db, source.id, historyResource(SWEEP_RUN, 'val_loss'))?.points, fixture<{ metrics: unknown[] }>('metrics_get_history_paged').metrics.length);
    await source.ensureHistories([uid], ['accuracy']);
    assert.equal(server.count('metrics/get-history-bulk-interval'), 2, 'learnt: not asked again');
  });

  it('a filter is applied by the server, and does not drop the cached runs it excludes', async () => {
    await source.refresh();
    const all = listAllRuns(store.db).length;
    await source.refresh({ filter: "params.lr > '0.05'" });
    assert.deepEqual(server.filters, ["params.lr > '0.05'"]);
    assert.equal(listAllRuns(store.db).length, all);
  });

  it('when the server fails, the cached data stays, marked stale with the error naming the server', async () => {
    await source.refresh();
    const cached = listAllRuns(store.db).length;
    server.failures.set('*', { kind: 'status', status: 403, body: '{"error_code":"PERMISSION_DENIED","message":"no"}' });
    now = 9_000;
    await assert.rejects(source.refresh(), (e: unknown) => e instanceof MlflowServerError && e.kind === 'forbidden');
    assert.equal(listAllRuns(store.db).length, cached);
    const row = serverRow(store.db, source.id)!;
    assert.equal(row.lastOkAt, 1_000);
    assert.equal(row.lastErrorAt, 9_000);
    assert.match(row.lastError!, /"team" \(http:\/\/127\.0\.0\.1:\d+\): POST experiments\/search: permission denied \(403\)/);
    server.failures.clear();
    await source.refresh();
    assert.equal(serverRow(store.db, source.id)?.lastError, undefined);
  });

  it('polls RUNNING runs: the grown history is fetched again, finished ones are not polled', async () => {
    await source.refresh();
    const uid = runUidFor(source.id, SWEEP_RUN);
    await source.ensureHistories([uid], ['loss']);
    assert.equal(await source.pollRunning(), 0, 'nothing is running');
    assert.equal(server.count('runs/get'), 0);
    store.db.run("UPDATE runs SET status = 'RUNNING' WHERE uid = ?", [uid]);
    server.running.add(SWEEP_RUN);
    assert.equal(await source.pollRunning(), 1);
    assert.equal(server.count('runs/get'), 1);
    assert.equal(server.count('metrics/get-history'), 2, 'loss grew: fetched again');
    const runId = rows(store.db, 'SELECT id FROM runs WHERE uid = ?', [uid], (r) => Number(r[0]))[0];
    const loss = seriesSummaries(store.db, runId).find((s) => s.key === 'loss')!;
    assert.equal(loss.pointCount, fixture<{ metrics: unknown[] }>('metrics_get_history').metrics.length);
  });

  it('polling backs off: the interval doubles per consecutive failure, up to 16×; 0 turns it off', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 9].map((f) => pollDelayMs(15, f)), [15_000, 30_000, 60_000, 120_000, 240_000, 240_000, 240_000]);
    assert.equal(pollDelayMs(0, 0), undefined);
    assert.equal(pollDelayMs(Number.NaN, 0), undefined);
  });

  it('a rescan of the workspace\'s own registries leaves the server\'s cached registry alone', async () => {
    await source.refresh();
    const before = listModels(store.db).filter((m) => m.origin.startsWith('mlflow-server:')).length;
    assert.equal(before, fixture<{ registered_models: unknown[] }>('registered_models_search').registered_models.length);
    store.transaction(() => applyExternalRegistries(store.db, []));
    assert.equal(listModels(store.db).filter((m) => m.origin.startsWith('mlflow-server:')).length, before);
  });
});
