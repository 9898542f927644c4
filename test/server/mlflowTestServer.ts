/**
 * A stand-in MLflow Tracking Server on loopback, answering with the real responses recorded from
 * MLflow 2.12 (fixtures/mlflow/mlflow-2.12-generated/rest/, see its _index.txt). It counts requests
 * by endpoint and can be told to fail in each way a real server fails.
 *
 * What it serves beyond replaying files, and how:
 * - runs/search pages: the recorded page 1 and 2 (max_results=5) and a third page made of the
 *   remaining active runs of runs_search_all.json (which was recorded before "to-be-deleted" was
 *   deleted), with MLflow's own token format (base64 of {"offset": N}). Any page size works.
 * - runs/search with a filter: a filter containing "<<<" gets the recorded 400; any other filter gets
 *   the recorded runs_search_filter_order.json runs (without its next page), and the filter is kept
 *   in `filters` so a test can check it was sent to the server.
 * - transition-stage: the recorded answer for tabular-regressor v3 → Production, and afterwards the
 *   registry reads answer with the recorded "after" files.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fixturePath } from '../fixturePath';

export const REST_FIXTURES = fixturePath('mlflow', 'mlflow-2.12-generated', 'rest');

export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(path.join(REST_FIXTURES, `${name}.json`), 'utf8')) as T;
}

export type FailureMode =
  | { readonly kind: 'status'; readonly status: number; readonly body?: string; readonly headers?: Record<string, string>; readonly times?: number }
  | { readonly kind: 'hang'; readonly times?: number }
  | { readonly kind: 'malformed'; readonly times?: number };

interface Run {
  info: { run_id: string; experiment_id: string; status: string; lifecycle_stage: string };
  data?: { metrics?: { key: string; step: number }[] };
}

export class MlflowTestServer {
  private server: http.Server | undefined;
  private readonly sockets = new Set<import('node:net').Socket>();
  /** Requests per endpoint path (without /api/2.0/mlflow/), e.g. "runs/search". */
  readonly counts = new Map<string, number>();
  /** Every request as "METHOD path?query", in order. */
  readonly log: string[] = [];
  readonly filters: string[] = [];
  readonly bodies: { path: string; body: unknown }[] = [];
  /** Failures by endpoint path ('*' for every one). */
  readonly failures = new Map<string, FailureMode>();
  /** An older MLflow: no get-history-bulk-interval, no aliases. */
  olderServer = false;
  /** Serve MLflow 3's logged-models/search (the recorded 3.11 answer); off: a 2.x server without the endpoint. */
  mlflow3 = false;
  /** Require this Authorization header (401 without, 403 with a different one). */
  requireAuth: string | undefined;
  /** Runs whose status is reported as RUNNING, with extra points appended on each runs/get. */
  readonly running = new Set<string>();
  private transitioned = false;
  private readonly runs: Run[];
  url = '';

  constructor() {
    const page1 = fixture<{ runs: Run[] }>('runs_search_page1').runs;
    const page2 = fixture<{ runs: Run[] }>('runs_search_page2').runs;
    const deleted = new Set(fixture<{ runs: Run[] }>('runs_search_deleted_only').runs.map((r) => r.info.run_id));
    const seen = new Set([...page1, ...page2].map((r) => r.info.run_id));
    const rest = fixture<{ runs: Run[] }>('runs_search_all').runs.filter((r) => !seen.has(r.info.run_id) && !deleted.has(r.info.run_id));
    this.runs = [...page1, ...page2, ...rest];
  }

  count(endpoint: string): number {
    return this.counts.get(endpoint) ?? 0;
  }

  get total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const prefix = '/api/2.0/mlflow/';
    const endpoint = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
    this.log.push(`${req.method} ${endpoint}${url.search}`);
    let body: Record<string, unknown> = {};
    if (text) {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return this.send(res, 400, { error_code: 'MALFORMED_REQUEST', message: 'bad JSON' });
      }
      this.bodies.push({ path: endpoint, body });
    }

    const failure = this.failures.get(endpoint) ?? this.failures.get('*');
    if (failure) {
      if (failure.times !== undefined) {
        if (failure.times <= 1) this.failures.delete(this.failures.has(endpoint) ? endpoint : '*');
        else this.failures.set(this.failures.has(endpoint) ? endpoint : '*', { ...failure, times: failure.times - 1 } as FailureMode);
      }
      if (failure.kind === 'hang') return; // never answers
      if (failure.kind === 'malformed') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"runs": [ {"info": ');
        return;
      }
      res.writeHead(failure.status, { 'Content-Type': 'application/json', ...(failure.headers ?? {}) });
      res.end(failure.body ?? '');
      return;
    }
    if (this.requireAuth !== undefined) {
      const given = req.headers.authorization;
      if (!given) return this.send(res, 401, { error_code: 'UNAUTHENTICATED', message: 'You are not authenticated.' });
      if (given !== this.requireAuth) return this.send(res, 403, { error_code: 'PERMISSION_DENIED', message: 'Permission denied' });
    }
    const q = url.searchParams;
    switch (`${req.method} ${endpoint}`) {
      case 'POST experiments/search':
      case 'GET experiments/search':
        return this.send(res, 200, fixture('experiments_search_post'));
      case 'POST runs/search':
        return this.searchRuns(res, body);
      case 'GET runs/get': {
        const run = this.runs.find((r) => r.info.run_id === q.get('run_id'));
        if (!run) return this.send(res, 404, fixture('error_run_not_found'));
        const copy = JSON.parse(JSON.stringify(run)) as Run;
        if (this.running.has(run.info.run_id)) {
          copy.info.status = 'RUNNING';
          // Each poll the run has logged one more step.
          for (const m of copy.data?.metrics ?? []) m.step += this.count('runs/get');
        }
        return this.send(res, 200, { run: copy });
      }
      case 'GET metrics/get-history': {
        const key = q.get('metric_key');
        if (q.get('run_id') === '9cbe02b493b94ab6ad2290b70737b56e' && key === 'loss') return this.send(res, 200, fixture('metrics_get_history'));
        if (q.get('run_id') === '9cbe02b493b94ab6ad2290b70737b56e' && key === 'val_loss') return this.pagedHistory(res, q);
        // Other series: the recorded shape, with the run's own latest point (the fixtures hold only these two histories).
        const run = this.runs.find((r) => r.info.run_id === q.get('run_id'));
        if (!run) return this.send(res, 404, fixture('error_run_not_found'));
        return this.send(res, 200, { metrics: (run.data?.metrics ?? []).filter((m) => m.key === key) });
      }
      case 'GET metrics/get-history-bulk-interval':
        if (this.olderServer) return this.html404(res);
        return this.send(res, 200, fixture('metrics_get_history_bulk_interval'));
      case 'GET registered-models/search':
        return this.send(res, 200, this.transitioned ? { registered_models: [fixture<{ registered_model: unknown }>('registered_models_get_after_alias').registered_model] } : fixture('registered_models_search'));
      case 'GET registered-models/get':
        if (q.get('name') !== 'tabular-regressor') return this.send(res, 404, fixture('error_model_not_found'));
        return this.send(res, 200, fixture(this.transitioned ? 'registered_models_get_after_alias' : 'registered_models_get'));
      case 'GET model-versions/search':
        if (q.get('filter') !== "name='tabular-regressor'") return this.send(res, 200, {});
        return this.send(res, 200, fixture(this.transitioned ? 'model_versions_search_after_transition' : 'model_versions_search'));
      case 'POST model-versions/transition-stage':
        if (body.name !== 'tabular-regressor') return this.send(res, 404, fixture('error_model_not_found'));
        if (body.version !== '3' || body.stage !== 'Production') return this.send(res, 400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'the test server only knows v3 → Production' });
        this.transitioned = true;
        return this.send(res, 200, fixture('model_versions_transition_stage'));
      case 'POST registered-models/alias':
        if (this.olderServer) return this.html404(res);
        return this.send(res, 200, fixture('registered_models_alias_set'));
      case 'DELETE registered-models/alias':
        if (this.olderServer) return this.html404(res);
        return this.send(res, 200, fixture('registered_models_alias_delete'));
      case 'PATCH model-versions/update':
      case 'PATCH registered-models/update':
        return this.send(res, 200, {});
      case 'POST logged-models/search':
        if (!this.mlflow3) return this.html404(res);
        return this.send(res, 200, JSON.parse(readFileSync(fixturePath('mlflow', 'mlflow-3.11-generated', 'rest', 'logged-models-search.json'), 'utf8')) as unknown);
      default:
        return this.html404(res);
    }
  }

  private searchRuns(res: http.ServerResponse, body: Record<string, unknown>): void {
    const filter = typeof body.filter === 'string' ? body.filter : '';
    if (filter) {
      this.filters.push(filter);
      if (filter.includes('<<<')) return this.send(res, 400, fixture('error_bad_filter'));
      return this.send(res, 200, { runs: fixture<{ runs: Run[] }>('runs_search_filter_order').runs });
    }
    const ids = Array.isArray(body.experiment_ids) ? (body.experiment_ids as string[]) : [];
    const all = this.runs.filter((r) => ids.includes(r.info.experiment_id));
    const size = Number(body.max_results ?? 1000);
    const offset = typeof body.page_token === 'string' ? (JSON.parse(Buffer.from(body.page_token, 'base64').toString('utf8')) as { offset: number }).offset : 0;
    const page = all.slice(offset, offset + size);
    const next = offset + size < all.length ? Buffer.from(JSON.stringify({ offset: offset + size }).replace(':', ': ')).toString('base64') : undefined;
    this.send(res, 200, { runs: page, ...(next ? { next_page_token: next } : {}) });
  }

  /** val_loss of the sweep run in pages of max_results, with tokens (the recorded answer has all 200 points). */
  private pagedHistory(res: http.ServerResponse, q: URLSearchParams): void {
    const all = fixture<{ metrics: unknown[] }>('metrics_get_history_paged').metrics;
    const size = Number(q.get('max_results') ?? all.length);
    const offset = Number(q.get('page_token') ?? 0);
    const next = offset + size < all.length ? String(offset + size) : undefined;
    this.send(res, 200, { metrics: all.slice(offset, offset + size), ...(next ? { next_page_token: next } : {}) });
  }

  private html404(res: http.ServerResponse): void {
    res.writeHead(404, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>404 Not Found</title><h1>Not Found</h1>');
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}
