import * as vscode from 'vscode';
import { displayUrl, MlflowClient, MlflowServerError, type ServerAuth } from '../server/client';
import { pollDelayMs, ServerSource } from '../server/serverSource';
import { forgetServer, serverIdFor, serverRow, type ServerRow } from '../server/serverStore';
import type { WorkspaceStores } from './workspaceStores';

/** What is kept of a connection in workspace state: never a credential. */
export interface ServerConnectionInfo {
  readonly id: string;
  readonly url: string;
  readonly name: string;
  readonly authKind: ServerAuth['kind'];
  /** Accept any TLS certificate (self-signed). */
  readonly insecureTls?: boolean;
}

export interface ConnectOptions {
  readonly url: string;
  readonly name?: string;
  readonly auth?: ServerAuth;
  readonly insecureTls?: boolean;
}

export type ConnectionStatus = { readonly state: 'connecting' } | { readonly state: 'connected'; readonly at: number } | { readonly state: 'error'; readonly message: string; readonly at: number };

export interface Connection {
  readonly info: ServerConnectionInfo;
  readonly source: ServerSource;
  status: ConnectionStatus;
}

const STATE_KEY = 'modelLedger.servers.v1';
const secretKey = (id: string) => `modelLedger.server.${id}`;

/**
 * The MLflow Tracking Servers this workspace is connected to. Their runs and registry are cached in
 * the first folder's store (uids `mlflow-server:<id>:...`), so the trees and the comparison panel
 * show them beside the workspace's own. Credentials live in SecretStorage only; RUNNING runs are
 * polled at `modelLedger.servers.pollIntervalSeconds`, backing off while the server fails.
 */
export class ServerConnections implements vscode.Disposable {
  private readonly connections = new Map<string, Connection>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private readonly refreshes = new Map<string, Promise<void>>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;
  private disposed = false;

  constructor(
    private readonly stores: WorkspaceStores,
    private readonly memento: vscode.Memento,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The folder whose store holds the server caches (the first one). */
  get folder(): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.workspaceFolders?.[0];
  }

  list(): Connection[] {
    return [...this.connections.values()];
  }

  get(id: string): Connection | undefined {
    return this.connections.get(id);
  }

  /** The cached row of a server (last success, last error) for the tree's status. */
  async row(id: string): Promise<ServerRow | undefined> {
    const folder = this.folder;
    if (!folder) return undefined;
    return serverRow((await this.stores.get(folder)).store.db, id);
  }

  /** Reconnects the servers saved in the workspace (at start, off the activation path). */
  async restore(): Promise<void> {
    for (const info of this.memento.get<ServerConnectionInfo[]>(STATE_KEY, [])) {
      const secret = await this.secrets.get(secretKey(info.id));
      const auth = parseAuth(secret) ?? { kind: 'none' };
      void this.open(info, auth).catch(() => undefined);
    }
  }

  /** Connects (or reconnects) a server, saves it, and reads its runs and registry. */
  async connect(options: ConnectOptions): Promise<Connection> {
    if (!this.folder) throw new Error('Open a folder first: server runs are cached in the workspace store.');
    const url = displayUrl(options.url);
    const id = serverIdFor(options.url);
    const auth = options.auth ?? { kind: 'none' };
    const info: ServerConnectionInfo = { id, url, name: options.name?.trim() || url, authKind: auth.kind, ...(options.insecureTls ? { insecureTls: true } : {}) };
    if (auth.kind === 'none') await this.secrets.delete(secretKey(id));
    else await this.secrets.store(secretKey(id), JSON.stringify(auth));
    const saved = this.memento.get<ServerConnectionInfo[]>(STATE_KEY, []).filter((c) => c.id !== id);
    await this.memento.update(STATE_KEY, [...saved, info]);
    return this.open(info, auth, options.url);
  }

  private async open(info: ServerConnectionInfo, auth: ServerAuth, rawUrl = info.url): Promise<Connection> {
    const folder = this.folder;
    if (!folder) throw new Error('Open a folder first: server runs are cached in the workspace store.');
    const opened = await this.stores.get(folder);
    this.close(info.id);
    const client = new MlflowClient({ url: rawUrl, name: info.name, auth, ...(info.insecureTls ? { tls: { insecure: true } } : {}), timeoutMs: this.setting('timeoutSeconds', 30) * 1000 });
    const stores = this.stores;
    const store = {
      get db() {
        return opened.store.db;
      },
      transaction: <T>(work: () => T) => opened.store.transaction(work),
      changed: () => {
        opened.store.changed();
        stores.notifyChanged(folder);
      },
    };
    const connection: Connection = { info, source: new ServerSource({ id: info.id, client, store, name: info.name }), status: { state: 'connecting' } };
    this.connections.set(info.id, connection);
    this.changeEmitter.fire();
    await this.refresh(info.id);
    return connection;
  }

  /** Reads the server's runs (with the connection's filter) and registry again. Errors are logged, shown in the tree, and rethrown. */
  async refresh(id: string): Promise<void> {
    const running = this.refreshes.get(id) ?? this.refreshNow(id).finally(() => this.refreshes.delete(id));
    this.refreshes.set(id, running);
    return running;
  }

  /** Waits for a refresh of the server under way, if any (the trees list its children after it). */
  async settled(id: string): Promise<void> {
    await this.refreshes.get(id)?.catch(() => undefined);
  }

  private async refreshNow(id: string): Promise<void> {
    const connection = this.connections.get(id);
    if (!connection) throw new Error(`no server connection ${id}`);
    try {
      const result = await connection.source.refresh();
      connection.status = { state: 'connected', at: Date.now() };
      this.log.info(`MLflow server ${connection.source.client.server}: ${result.runs} runs in ${result.experiments} experiments, ${result.models} registered models.`);
      this.failures.delete(id);
    } catch (error) {
      connection.status = { state: 'error', message: (error as Error).message, at: Date.now() };
      this.log.error((error as Error).message);
      this.failures.set(id, (this.failures.get(id) ?? 0) + 1);
      throw error;
    } finally {
      this.changeEmitter.fire();
      this.schedulePoll(id);
    }
  }

  /** Applies an MLflow filter to the server's runs (server-side); empty shows every run. */
  async setFilter(id: string, filter: string): Promise<void> {
    const connection = this.connections.get(id);
    if (!connection) return;
    connection.source.filter = filter.trim();
    await this.refresh(id);
  }

  /** Fetches the full metric histories of these server runs that are not cached yet (other uids are ignored). */
  async ensureHistories(uids: readonly string[]): Promise<void> {
    for (const connection of this.connections.values()) {
      try {
        await connection.source.ensureHistories(uids);
      } catch (error) {
        this.log.error((error as Error).message);
        void vscode.window.showWarningMessage(`Model Ledger: ${(error as Error).message}. Showing the cached values.`);
      }
    }
  }

  async disconnect(id: string): Promise<void> {
    this.close(id);
    this.connections.delete(id);
    await this.secrets.delete(secretKey(id));
    await this.memento.update(
      STATE_KEY,
      this.memento.get<ServerConnectionInfo[]>(STATE_KEY, []).filter((c) => c.id !== id),
    );
    const folder = this.folder;
    if (folder) {
      const { store } = await this.stores.get(folder);
      store.transaction(() => forgetServer(store.db, id));
      store.changed();
      this.stores.notifyChanged(folder);
    }
    this.changeEmitter.fire();
  }

  private close(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
    this.connections.get(id)?.source.client.close();
  }

  private setting(key: string, fallback: number): number {
    const value = vscode.workspace.getConfiguration('modelLedger.servers').get<number>(key, fallback);
    return Number.isFinite(value) && value >= 0 ? value : fallback;
  }

  /** Next poll of RUNNING runs: the interval, doubled per consecutive failure up to 16×. */
  private schedulePoll(id: string): void {
    const old = this.timers.get(id);
    if (old) clearTimeout(old);
    const delay = pollDelayMs(this.setting('pollIntervalSeconds', 15), this.failures.get(id) ?? 0);
    if (this.disposed || delay === undefined || !this.connections.has(id)) return;
    const timer = setTimeout(() => void this.poll(id), delay);
    timer.unref?.();
    this.timers.set(id, timer);
  }

  private async poll(id: string): Promise<void> {
    const connection = this.connections.get(id);
    if (!connection) return;
    try {
      // A server in error is retried in full (with backoff); a healthy one only re-reads its RUNNING runs.
      if (connection.status.state === 'error') return await this.refresh(id).catch(() => undefined);
      await connection.source.pollRunning();
      this.failures.delete(id);
    } catch (error) {
      connection.status = { state: 'error', message: (error as Error).message, at: Date.now() };
      this.failures.set(id, (this.failures.get(id) ?? 0) + 1);
      this.log.warn(`${(error as Error).message} (polling again later)`);
      this.changeEmitter.fire();
    }
    this.schedulePoll(id);
  }

  dispose(): void {
    this.disposed = true;
    for (const id of [...this.timers.keys()]) this.close(id);
    for (const c of this.connections.values()) c.source.client.close();
    this.changeEmitter.dispose();
  }
}

function parseAuth(secret: string | undefined): ServerAuth | undefined {
  if (!secret) return undefined;
  try {
    const auth = JSON.parse(secret) as ServerAuth;
    if (auth.kind === 'basic' && typeof auth.username === 'string' && typeof auth.password === 'string') return auth;
    if (auth.kind === 'bearer' && typeof auth.token === 'string') return auth;
  } catch {
    // a damaged secret: connect without credentials (the server will say 401)
  }
  return { kind: 'none' };
}

export { MlflowServerError };
