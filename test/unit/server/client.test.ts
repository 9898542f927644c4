import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getHistoryBulkInterval, getMetricHistory, getRegisteredModel, getRun, searchRuns } from '../../../src/server/api';
import { displayUrl, MlflowClient, MlflowServerError } from '../../../src/server/client';
import { fixture, MlflowTestServer } from '../../server/mlflowTestServer';

const SWEEP_RUN = '9cbe02b493b94ab6ad2290b70737b56e';

async function rejects(promise: Promise<unknown>, kind: string, pattern: RegExp): Promise<MlflowServerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof MlflowServerError, `an MlflowServerError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    assert.match(error.message, pattern);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('server/client: MLflow REST errors and retries against the recorded responses', () => {
  const server = new MlflowTestServer();
  let url = '';
  const waits: number[] = [];
  const client = (extra: Partial<ConstructorParameters<typeof MlflowClient>[0]> = {}) =>
    new MlflowClient({ url, timeoutMs: 2000, retryBaseMs: 1, sleep: async (ms) => void waits.push(ms), ...extra });

  before(async () => {
    url = await server.start();
  });
  after(() => server.stop());
  beforeEach(() => {
    server.failures.clear();
    server.requireAuth = undefined;
    server.olderServer = false;
    waits.length = 0;
  });

  it('reads a run as the server recorded it', async () => {
    const run = await getRun(client(), SWEEP_RUN);
    const expected = fixture<{ run: { info: { run_name: string }; data: { params: unknown[] } } }>('runs_get').run;
    assert.equal(run.info.run_name, expected.info.run_name);
    assert.equal(run.data?.params?.length, expected.data.params.length);
  });

  it('an unreachable server: a closed port, named in the message, no retry loop', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await rejects(getRun(new MlflowClient({ url: `http://127.0.0.1:${port}`, name: 'team', retryBaseMs: 1 }), SWEEP_RUN), 'unreachable', new RegExp(`"team" \\(http://127\\.0\\.0\\.1:${port}\\).*runs/get.*ECONNREFUSED`));
    assert.ok(e.message.includes('cannot connect'));
  });

  it('401 and 403 say which server refused and why', async () => {
    server.requireAuth = `Bearer right`;
    await rejects(getRun(client(), SWEEP_RUN), 'unauthorized', /127\.0\.0\.1.*401.*UNAUTHENTICATED.*check the credentials/);
    await rejects(getRun(client({ auth: { kind: 'bearer', token: 'wrong' } }), SWEEP_RUN), 'forbidden', /403.*PERMISSION_DENIED/);
    const ok = await getRun(client({ auth: { kind: 'bearer', token: 'right' } }), SWEEP_RUN);
    assert.equal(ok.info.run_id, SWEEP_RUN);
  });

  it('basic auth from the options or from the URL, never shown in messages', async () => {
    server.requireAuth = `Basic ${Buffer.from('ann:s3cret').toString('base64')}`;
    const withUrl = new MlflowClient({ url: url.replace('http://', 'http://ann:s3cret@'), retryBaseMs: 1 });
    assert.equal((await getRun(withUrl, SWEEP_RUN)).info.run_id, SWEEP_RUN);
    assert.ok(!withUrl.server.includes('s3cret'));
    assert.equal(displayUrl('https://ann:s3cret@host:5000/mlflow/?x=1'), 'https://host:5000/mlflow');
    server.requireAuth = `Basic ${Buffer.from('ann:other').toString('base64')}`;
    const e = await rejects(getRun(client({ auth: { kind: 'basic', username: 'ann', password: 's3cret' } }), SWEEP_RUN), 'forbidden', /403/);
    assert.ok(!e.message.includes('s3cret'));
  });

  it('404 RESOURCE_DOES_NOT_EXIST is "not found" with MLflow\'s message (recorded answer)', async () => {
    const recorded = fixture<{ message: string }>('error_model_not_found');
    await rejects(getRegisteredModel(client(), 'nope'), 'not-found', new RegExp(`RESOURCE_DOES_NOT_EXIST: ${recorded.message}`));
    await rejects(getRun(client(), '0'.repeat(32)), 'not-found', /404 RESOURCE_DOES_NOT_EXIST/);
  });

  it('400 INVALID_PARAMETER_VALUE from a bad filter (recorded answer)', async () => {
    const recorded = fixture<{ message: string }>('error_bad_filter');
    const e = await rejects(searchRuns(client(), { experimentIds: ['1'], filter: 'metrics.loss <<< 1' }), 'invalid', /runs\/search: refused \(400 INVALID_PARAMETER_VALUE/);
    assert.ok(e.message.includes(recorded.message));
    assert.equal(e.errorCode, 'INVALID_PARAMETER_VALUE');
  });

  it('429 is retried after Retry-After, then succeeds; after the retries it says "rate limited"', async () => {
    server.failures.set('runs/get', { kind: 'status', status: 429, headers: { 'Retry-After': '2' }, body: '{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"slow down"}', times: 2 });
    const before = server.count('runs/get');
    assert.equal((await getRun(client(), SWEEP_RUN)).info.run_id, SWEEP_RUN);
    assert.equal(server.count('runs/get') - before, 3, 'two 429s then the answer');
    assert.deepEqual(waits, [2000, 2000], 'Retry-After seconds were honoured');
    server.failures.set('runs/get', { kind: 'status', status: 429 });
    await rejects(getRun(client({ maxRetries: 2 }), SWEEP_RUN), 'rate-limited', /rate limited \(429\) after 3 attempts/);
  });

  it('a 503 is retried with exponential backoff', async () => {
    server.failures.set('runs/get', { kind: 'status', status: 503, times: 2 });
    assert.equal((await getRun(client({ retryBaseMs: 10 }), SWEEP_RUN)).info.run_id, SWEEP_RUN);
    assert.deepEqual(waits, [10, 20]);
  });

  it('a server that never answers times out (retried for reads), naming the server', async () => {
    server.failures.set('runs/get', { kind: 'hang' });
    const before = server.count('runs/get');
    await rejects(getRun(client({ timeoutMs: 150, maxRetries: 1 }), SWEEP_RUN), 'timeout', /runs\/get: no answer within 150 ms \(2 attempts\)/);
    assert.equal(server.count('runs/get') - before, 2);
  });

  it('a transition is not repeated after a timeout (it may have happened)', async () => {
    server.failures.set('model-versions/transition-stage', { kind: 'hang' });
    const before = server.count('model-versions/transition-stage');
    const c = client({ timeoutMs: 150, maxRetries: 3 });
    await rejects(c.post('model-versions/transition-stage', { name: 'tabular-regressor', version: '3', stage: 'Production' }), 'timeout', /no answer/);
    assert.equal(server.count('model-versions/transition-stage') - before, 1);
  });

  it('malformed JSON is a clear error, not a crash', async () => {
    server.failures.set('runs/search', { kind: 'malformed' });
    await rejects(searchRuns(client(), { experimentIds: ['1'] }), 'malformed', /runs\/search: the answer is not MLflow's JSON/);
  });

  it('an older MLflow without get-history-bulk-interval: the caller falls back to get-history', async () => {
    server.olderServer = true;
    assert.equal(await getHistoryBulkInterval(client(), [SWEEP_RUN], 'loss', 20), undefined);
    const full = await getMetricHistory(client(), SWEEP_RUN, 'loss');
    assert.equal(full.length, fixture<{ metrics: unknown[] }>('metrics_get_history').metrics.length);
    server.olderServer = false;
    const sampled = await getHistoryBulkInterval(client(), [SWEEP_RUN], 'loss', 20);
    assert.equal(sampled?.length, fixture<{ metrics: unknown[] }>('metrics_get_history_bulk_interval').metrics.length);
  });

  it('an endpoint the server lacks (aliases on an old MLflow) is "unsupported", not "not found"', async () => {
    server.olderServer = true;
    await rejects(client().post('registered-models/alias', { name: 'tabular-regressor', alias: 'x', version: '1' }), 'unsupported', /does not have this endpoint \(404\): an older MLflow/);
  });

  it('metric history pages are followed to the end (page_token)', async () => {
    const recorded = fixture<{ metrics: { step: number }[] }>('metrics_get_history_paged').metrics;
    const before = server.count('metrics/get-history');
    const points = await getMetricHistory(client(), SWEEP_RUN, 'val_loss', 50);
    assert.equal(points.length, recorded.length);
    assert.deepEqual(points.map((p) => p.step), recorded.map((p) => p.step));
    assert.equal(server.count('metrics/get-history') - before, Math.ceil(recorded.length / 50));
  });

  it('refuses a URL that is not http(s)', () => {
    assert.throws(() => new MlflowClient({ url: 'sqlite:///mlflow.db' }), /not an http\(s\) URL/);
    assert.throws(() => new MlflowClient({ url: 'not a url' }), /is not a URL/);
  });
});
