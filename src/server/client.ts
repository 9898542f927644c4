/**
 * A small client for the MLflow Tracking Server REST API (2.x; Azure ML and Databricks serve the
 * same API). Host-free: the extension and the CLI use it alike. Every error names the server and
 * the request that failed; credentials never appear in a message.
 */
import http from 'node:http';
import https from 'node:https';
import { URL } from 'node:url';

export type ServerAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'bearer'; readonly token: string };

export interface ServerTls {
  /** PEM text of extra CA certificates. */
  readonly ca?: string;
  /** Accept any certificate (self-signed test servers). Off unless the user turns it on. */
  readonly insecure?: boolean;
}

export interface ClientOptions {
  /** The server's base URL, e.g. http://127.0.0.1:5000 (a path prefix such as /mlflow is kept). */
  readonly url: string;
  /** A display name; the URL without credentials when absent. */
  readonly name?: string;
  readonly auth?: ServerAuth;
  readonly tls?: ServerTls;
  /** Per request, ms (default 30,000). */
  readonly timeoutMs?: number;
  /** Retries of 429, 502/503/504, resets and (for idempotent requests) timeouts (default 3). */
  readonly maxRetries?: number;
  /** First backoff delay in ms, doubled each retry (default 500); a Retry-After header wins, up to maxRetryAfterMs. */
  readonly retryBaseMs?: number;
  readonly maxRetryAfterMs?: number;
  /** For tests: how to wait. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export type ServerErrorKind =
  | 'unreachable' // connection refused, DNS, TLS
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not-found' // 404 RESOURCE_DOES_NOT_EXIST
  | 'unsupported' // 404 without an MLflow error: the endpoint does not exist (an older MLflow)
  | 'invalid' // 400 INVALID_PARAMETER_VALUE and other 4xx
  | 'rate-limited' // 429 after the retries
  | 'timeout'
  | 'malformed' // the body is not the JSON MLflow sends
  | 'server'; // 5xx

/** A request to the server failed; `message` names the server, the request and what went wrong. */
export class MlflowServerError extends Error {
  override name = 'MlflowServerError';
  constructor(
    readonly kind: ServerErrorKind,
    readonly server: string,
    readonly endpoint: string,
    detail: string,
    readonly status?: number,
    readonly errorCode?: string,
  ) {
    super(`MLflow server ${server}: ${endpoint}: ${detail}`);
  }
}

const API = '/api/2.0/mlflow/';

/** The URL without user:password, query or trailing slash: what messages and the ledger show. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/+$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

/** Checks a server URL given by a user; returns why it is unusable, or undefined. */
export function checkServerUrl(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `"${displayUrl(url)}" is not a URL (expected e.g. http://127.0.0.1:5000)`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `"${displayUrl(url)}" is not an http(s) URL (a file store or database is read from the workspace, not through a server)`;
  return undefined;
}

interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** Counts requests by endpoint: tests and the status line use it. */
export interface RequestStats {
  requests: number;
  retries: number;
}

export class MlflowClient {
  readonly server: string;
  readonly baseUrl: URL;
  readonly stats: RequestStats = { requests: 0, retries: 0 };
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly authHeader: string | undefined;
  /** What this client sends as credentials, in every form a server might echo: cut from error texts. */
  private readonly secrets: readonly string[];
  private readonly agent: http.Agent | https.Agent;

  constructor(readonly options: ClientOptions) {
    const problem = checkServerUrl(options.url);
    if (problem) throw new MlflowServerError('invalid', displayUrl(options.url), 'connect', problem);
    const url = new URL(options.url);
    // Credentials in the URL become basic auth, never part of what is shown.
    let auth = options.auth ?? { kind: 'none' };
    if (auth.kind === 'none' && url.username) auth = { kind: 'basic', username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    this.baseUrl = url;
    const shown = displayUrl(options.url);
    this.server = options.name && options.name !== shown ? `"${options.name}" (${shown})` : shown;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRetries = options.maxRetries ?? 3;
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.authHeader =
      auth.kind === 'basic' ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` : auth.kind === 'bearer' ? `Bearer ${auth.token}` : undefined;
    this.secrets = credentialForms(auth, this.authHeader);
    this.agent =
      url.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, ...(options.tls?.ca ? { ca: options.tls.ca } : {}), ...(options.tls?.insecure ? { rejectUnauthorized: false } : {}) })
        : new http.Agent({ keepAlive: true });
  }

  /** Releases kept-alive sockets. */
  close(): void {
    this.agent.destroy();
  }

  async get<T>(endpoint: string, query: Record<string, string | number | readonly string[] | undefined> = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v) params.append(k, String(item));
      else params.append(k, String(v));
    }
    const qs = params.toString();
    return this.call<T>('GET', endpoint, qs ? `?${qs}` : '', undefined, true);
  }

  async post<T>(endpoint: string, body: unknown, idempotent = false): Promise<T> {
    return this.call<T>('POST', endpoint, '', JSON.stringify(body), idempotent);
  }

  async patch<T>(endpoint: string, body: unknown): Promise<T> {
    return this.call<T>('PATCH', endpoint, '', JSON.stringify(body), true);
  }

  /** DELETE with the fields both as a JSON body and as query parameters (MLflow versions read one or the other). */
  async delete<T>(endpoint: string, body: Record<string, string>): Promise<T> {
    return this.call<T>('DELETE', endpoint, `?${new URLSearchParams(body).toString()}`, JSON.stringify(body), true);
  }

  private async call<T>(method: string, endpoint: string, query: string, body: string | undefined, idempotent: boolean): Promise<T> {
    const what = `${method} ${endpoint}`;
    for (let attempt = 0; ; attempt++) {
      let response: RawResponse;
      try {
        this.stats.requests++;
        response = await this.send(method, endpoint, query, body);
      } catch (error) {
        const e = error as NodeJS.ErrnoException & { timedOut?: boolean };
        const retryable = e.timedOut ? idempotent : e.code === 'ECONNRESET' || e.code === 'EPIPE';
        if (retryable && attempt < this.maxRetries) {
          this.stats.retries++;
          await this.sleep(this.retryBaseMs * 2 ** attempt);
          continue;
        }
        if (e.timedOut) throw new MlflowServerError('timeout', this.server, what, `no answer within ${this.timeoutMs} ms${attempt ? ` (${attempt + 1} attempts)` : ''}`);
        throw new MlflowServerError('unreachable', this.server, what, `cannot connect (${e.code ?? e.message})`);
      }
      const { status } = response;
      if (status === 429 || status === 502 || status === 503 || status === 504) {
        if (attempt < this.maxRetries) {
          this.stats.retries++;
          const retryAfter = retryAfterMs(response.headers['retry-after']);
          await this.sleep(retryAfter !== undefined ? Math.min(retryAfter, this.maxRetryAfterMs) : this.retryBaseMs * 2 ** attempt);
          continue;
        }
        throw status === 429
          ? new MlflowServerError('rate-limited', this.server, what, `rate limited (429) after ${attempt + 1} attempts; try again later`, status)
          : new MlflowServerError('server', this.server, what, `server error ${status}${errorDetail(response.body, this.secrets)} after ${attempt + 1} attempts`, status);
      }
      if (status >= 200 && status < 300) {
        if (response.body.trim() === '') return {} as T;
        try {
          const parsed = JSON.parse(response.body) as unknown;
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
          return parsed as T;
        } catch (error) {
          throw new MlflowServerError('malformed', this.server, what, `the answer is not MLflow's JSON (${(error as Error).message}; starts with ${JSON.stringify(redactSecrets(response.body, this.secrets).slice(0, 40))})`, status);
        }
      }
      throw this.httpError(what, response);
    }
  }

  private httpError(what: string, response: RawResponse): MlflowServerError {
    const { status } = response;
    const mlflow = parseMlflowError(response.body, this.secrets);
    const detail = mlflow ? `${mlflow.errorCode}: ${mlflow.message}` : '';
    if (status === 401) return new MlflowServerError('unauthorized', this.server, what, `not authenticated (401)${detail ? `: ${detail}` : ''}; check the credentials`, status, mlflow?.errorCode);
    if (status === 403) return new MlflowServerError('forbidden', this.server, what, `permission denied (403)${detail ? `: ${detail}` : ''}`, status, mlflow?.errorCode);
    if (status === 404) {
      if (mlflow?.errorCode === 'RESOURCE_DOES_NOT_EXIST' || mlflow?.errorCode === 'NOT_FOUND') return new MlflowServerError('not-found', this.server, what, `not found (404 ${detail})`, status, mlflow.errorCode);
      if (mlflow) return new MlflowServerError('not-found', this.server, what, `404 ${detail}`, status, mlflow.errorCode);
      return new MlflowServerError('unsupported', this.server, what, 'this server does not have this endpoint (404): an older MLflow?', status);
    }
    if (status >= 400 && status < 500) return new MlflowServerError('invalid', this.server, what, `refused (${status}${detail ? ` ${detail}` : ''})`, status, mlflow?.errorCode);
    return new MlflowServerError('server', this.server, what, `server error ${status}${errorDetail(response.body, this.secrets)}`, status, mlflow?.errorCode);
  }

  private send(method: string, endpoint: string, query: string, body: string | undefined): Promise<RawResponse> {
    const target = new URL(`${API.slice(1)}${endpoint}${query}`, this.baseUrl);
    const transport = target.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    if (this.authHeader) headers.Authorization = this.authHeader;
    return new Promise<RawResponse>((resolve, reject) => {
      const request = transport.request(target, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      });
      const timer = setTimeout(() => {
        const error = Object.assign(new Error('timeout'), { timedOut: true });
        request.destroy(error);
      }, this.timeoutMs);
      request.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      if (body !== undefined) request.write(body);
      request.end();
    });
  }
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function parseMlflowError(body: string, secrets: readonly string[]): { errorCode: string; message: string } | undefined {
  try {
    const parsed = JSON.parse(body) as { error_code?: unknown; message?: unknown };
    if (typeof parsed.error_code === 'string') return { errorCode: redactSecrets(parsed.error_code, secrets), message: typeof parsed.message === 'string' ? redactSecrets(parsed.message, secrets) : '' };
  } catch {
    // not JSON
  }
  return undefined;
}

function errorDetail(body: string, secrets: readonly string[]): string {
  const mlflow = parseMlflowError(body, secrets);
  return mlflow ? ` (${mlflow.errorCode}: ${mlflow.message})` : '';
}

/** The credentials as sent (the header, the token, the password, the base64 pair): what to cut out. */
function credentialForms(auth: { kind: string; username?: string; password?: string; token?: string }, header: string | undefined): string[] {
  const forms = [header, header?.replace(/^\w+ /, ''), auth.token, auth.password].filter((s): s is string => typeof s === 'string' && s.length >= 4);
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

const REDACTED = '[redacted]';

/**
 * A server's error text before it reaches a message or a log: the client's own credentials wherever
 * they appear (a server may echo the request), and anything shaped like a secret: Authorization
 * values, Bearer/Basic credentials, `token=`, `password: …`, `api_key`, JSON fields of those names.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return out
    .replace(/\b(authorization|proxy-authorization)(["']?\s*[:=]\s*["']?)(?:(?:basic|bearer|token|digest)\s+)?[^\s"',;}]+/gi, `$1$2${REDACTED}`)
    .replace(/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`)
    .replace(/\b([\w-]*(?:token|password|passwd|secret|api[_-]?key)[\w-]*)(["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi, `$1$2${REDACTED}`);
}
