import assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/main';
import { useTempDir } from '../helpers';
import { fixture, MlflowTestServer } from '../../server/mlflowTestServer';

async function cli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env });
  return { code, stdout, stderr };
}

interface FixtureRun {
  info: { run_id: string; run_name: string };
  data: { metrics?: { key: string; value: number }[] };
}

describe('model-ledger CLI with --tracking-uri', () => {
  const tmp = useTempDir();
  let server: MlflowTestServer;
  let url = '';
  beforeEach(async () => {
    server = new MlflowTestServer();
    url = await server.start();
  });
  afterEach(() => server.stop());

  it('runs --tracking-uri URL --json prints every active run of the server in the local shape', async () => {
    const deleted = new Set(fixture<{ runs: FixtureRun[] }>('runs_search_deleted_only').runs.map((r) => r.info.run_id));
    const expected = fixture<{ runs: FixtureRun[] }>('runs_search_all').runs.filter((r) => !deleted.has(r.info.run_id));
    const out = await cli(['runs', '--tracking-uri', url, '--json'], {}, tmp.path);
    assert.equal(out.code, 0, out.stderr);
    const listed = JSON.parse(out.stdout) as Record<string, unknown>[];
    assert.equal(listed.length, expected.length);
    // The same fields `runs --json` prints for a local store.
    assert.deepEqual(Object.keys(listed[0]).sort(), ['deleted', 'endTime', 'experiment', 'format', 'id', 'loggedModels', 'metrics', 'name', 'params', 'source', 'startTime', 'status', 'uid']);
    const sweep = listed.find((r) => r.id === '9cbe02b493b94ab6ad2290b70737b56e') as { name: string; metrics: Record<string, number> };
    const recorded = expected.find((r) => r.info.run_id === '9cbe02b493b94ab6ad2290b70737b56e')!;
    assert.equal(sweep.name, recorded.info.run_name);
    assert.deepEqual(sweep.metrics, Object.fromEntries(recorded.data.metrics!.map((m) => [m.key, m.value])));
  });

  it('reads MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN; models --json has the local shape', async () => {
    server.requireAuth = 'Bearer t0ken';
    const denied = await cli(['models', '--json'], { MLFLOW_TRACKING_URI: url }, tmp.path);
    assert.equal(denied.code, 3, 'the server refused the request');
    assert.match(denied.stderr, new RegExp(`MLflow server ${url.replace(/\./g, '\\.')}: GET registered-models/search: not authenticated \\(401\\)`));
    const out = await cli(['models', '--json'], { MLFLOW_TRACKING_URI: url, MLFLOW_TRACKING_TOKEN: 't0ken' }, tmp.path);
    assert.equal(out.code, 0, out.stderr);
    assert.ok(!out.stdout.includes('t0ken') && !out.stderr.includes('t0ken'));
    const models = JSON.parse(out.stdout) as { name: string; origin: string; description: string; aliases: Record<string, number>; versions: { version: number; stage: string; runId: string; aliases: string[] }[] }[];
    const recorded = fixture<{ registered_models: { name: string; description: string; aliases: { alias: string; version: string }[] }[] }>('registered_models_search').registered_models[0];
    const versions = fixture<{ model_versions: { version: string; current_stage: string; run_id: string }[] }>('model_versions_search').model_versions;
    assert.equal(models.length, 1);
    assert.equal(models[0].name, recorded.name);
    assert.match(models[0].origin, /^mlflow-server:[0-9a-f]{12}$/);
    assert.equal(models[0].description, recorded.description);
    assert.deepEqual(models[0].aliases, Object.fromEntries(recorded.aliases.map((a) => [a.alias, Number(a.version)])));
    assert.deepEqual(
      models[0].versions.map((v) => [v.version, v.stage, v.runId]).sort(),
      versions.map((v) => [Number(v.version), v.current_stage, v.run_id]).sort(),
    );
    assert.equal(server.count('runs/search'), 0, 'models reads the registry only');
  });

  it('MLFLOW_TRACKING_USERNAME/PASSWORD become basic auth', async () => {
    server.requireAuth = `Basic ${Buffer.from('ann:pw').toString('base64')}`;
    const out = await cli(['runs', '--json'], { MLFLOW_TRACKING_URI: url, MLFLOW_TRACKING_USERNAME: 'ann', MLFLOW_TRACKING_PASSWORD: 'pw' }, tmp.path);
    assert.equal(out.code, 0, out.stderr);
  });

  it('compare fetches the full histories of the compared runs only', async () => {
    const history = fixture<{ metrics: { value: number; step: number }[] }>('metrics_get_history').metrics;
    const min = history.reduce((a, b) => (b.value < a.value ? b : a));
    const out = await cli(['compare', '9cbe02b493b94ab6ad2290b70737b56e', 'd8b23f8839454ed49a3207f84db6c29a', '--tracking-uri', url, '--json'], {}, tmp.path);
    assert.equal(out.code, 0, out.stderr);
    const model = JSON.parse(out.stdout) as { metrics: { key: string; cells: ({ count: number; min: { value: number; step: number } } | null)[] }[] };
    const loss = model.metrics.find((m) => m.key === 'loss')!;
    assert.equal(loss.cells[0]!.count, history.length);
    assert.deepEqual(loss.cells[0]!.min, { value: min.value, step: min.step });
    // 2 runs × 4 keys each (loss, accuracy, val_loss, final_score).
    assert.equal(server.count('metrics/get-history'), 8, 'one request per series, nothing for other runs');
  });

  it('a bad filter is bad input (exit 2); a server that refuses, times out or is down is an external failure (exit 3)', async () => {
    const bad = await cli(['runs', '--tracking-uri', url, '--filter', 'metrics.loss <<< 1'], {}, tmp.path);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /runs\/search: refused \(400 INVALID_PARAMETER_VALUE/);
    server.failures.set('*', { kind: 'status', status: 403, body: '{"error_code":"PERMISSION_DENIED","message":"no"}' });
    assert.equal((await cli(['runs', '--tracking-uri', url], {}, tmp.path)).code, 3, 'refused (403)');
    server.failures.set('*', { kind: 'hang' });
    const hung = await cli(['runs', '--tracking-uri', url], { MLFLOW_HTTP_REQUEST_TIMEOUT: '0.3' }, tmp.path);
    assert.equal(hung.code, 3, 'timed out');
    assert.match(hung.stderr, /no answer within/);
    server.failures.clear();
    await server.stop();
    const down = await cli(['runs', '--tracking-uri', url], {}, tmp.path);
    assert.equal(down.code, 3);
    assert.match(down.stderr, /cannot connect \(ECONNREFUSED\)/);
    assert.match((await cli(['runs', '--tracking-uri', 'file:./mlruns'], {}, tmp.path)).stderr, /not an http\(s\) URL/);
    assert.match((await cli(['runs', '--filter', 'x'], {}, tmp.path)).stderr, /--filter is applied by a tracking server/);
  });

  it('--help documents the exit codes, 3 included', async () => {
    const help = await cli(['--help']);
    assert.match(help.stdout, /0 success, 1 a check failed, 2 bad usage or input,\s+3 an external failure/);
  });
});
