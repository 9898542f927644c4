import { createHash } from 'node:crypto';
import path from 'node:path';
import * as vscode from 'vscode';
import { Store, StoreTooNewError, type OpenReport } from '../store';

export interface WorkspaceStoresOptions {
  /** Folder holding one store file per workspace folder (the extension's workspace storage). */
  readonly storageDir: string | undefined;
  readonly wasmPath: string;
  readonly log: vscode.LogOutputChannel;
  readonly saveDelayMs: () => number;
}

export interface OpenedStore {
  readonly folder: vscode.WorkspaceFolder;
  readonly store: Store;
  readonly report: OpenReport;
  /** False when the store lives only in memory (newer schema on disk, or no storage): nothing is saved. */
  readonly persistent: boolean;
}

/**
 * One store per workspace folder (multi-root workspaces get one each), opened lazily on first use
 * so activation never loads sql.js. Tells the user once when a store was rebuilt or is refused.
 */
export class WorkspaceStores implements vscode.Disposable {
  private readonly opened = new Map<string, Promise<OpenedStore>>();
  private readonly changeEmitter = new vscode.EventEmitter<vscode.WorkspaceFolder>();
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly options: WorkspaceStoresOptions) {}

  /** Path of the store file for `folder` (whether or not it exists yet). */
  storePath(folder: vscode.WorkspaceFolder): string | undefined {
    if (!this.options.storageDir) {
      return undefined;
    }
    const key = createHash('sha256').update(folder.uri.toString()).digest('hex').slice(0, 12);
    const name = folder.name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 40) || 'folder';
    return path.join(this.options.storageDir, `${name}-${key}.sqlite`);
  }

  get(folder: vscode.WorkspaceFolder): Promise<OpenedStore> {
    const key = folder.uri.toString();
    let opening = this.opened.get(key);
    if (!opening) {
      opening = this.open(folder);
      this.opened.set(key, opening);
      opening.catch(() => this.opened.delete(key));
    }
    return opening;
  }

  /** Stores already opened (never opens one). */
  async openedStores(): Promise<OpenedStore[]> {
    return Promise.all([...this.opened.values()]);
  }

  notifyChanged(folder: vscode.WorkspaceFolder): void {
    this.changeEmitter.fire(folder);
  }

  /** Saves and forgets the store of `folder`; the next `get` reopens it from disk. */
  async close(folder: vscode.WorkspaceFolder): Promise<void> {
    const key = folder.uri.toString();
    const opening = this.opened.get(key);
    this.opened.delete(key);
    if (opening) {
      const { store } = await opening;
      await store.close();
    }
  }

  async saveAll(): Promise<void> {
    for (const { store } of await this.openedStores()) {
      await store.save();
    }
  }

  private async open(folder: vscode.WorkspaceFolder): Promise<OpenedStore> {
    const file = this.storePath(folder);
    const started = Date.now();
    const openOptions = { wasmPath: this.options.wasmPath, saveDelayMs: this.options.saveDelayMs() };
    try {
      const { store, report } = await Store.open(file, openOptions);
      this.describe(folder, file, report, Date.now() - started);
      return { folder, store, report, persistent: file !== undefined };
    } catch (error) {
      if (error instanceof StoreTooNewError) {
        this.options.log.error(`${file}: ${error.message}`);
        void vscode.window.showErrorMessage(`Model Ledger: ${error.message} (${file}) Runs are shown from memory for this session.`);
        const { store, report } = await Store.open(undefined, openOptions);
        return { folder, store, report, persistent: false };
      }
      throw error;
    }
  }

  private describe(folder: vscode.WorkspaceFolder, file: string | undefined, report: OpenReport, ms: number): void {
    const log = this.options.log;
    if (report.recovered) {
      const { movedTo, reason } = report.recovered;
      log.warn(`Store ${file} could not be used (${reason}); moved it to ${movedTo} and built a new one.`);
      void vscode.window
        .showWarningMessage(
          `Model Ledger: the store for "${folder.name}" was unreadable (${reason}). It was kept as ${movedTo} and a new store was built; runs will be re-imported from the workspace.`,
          'Show Output',
        )
        .then((choice) => choice && log.show());
    } else if (report.migratedFrom !== undefined) {
      log.info(`Store ${file} migrated from schema version ${report.migratedFrom}.`);
    } else {
      log.info(`Store ${file ?? '(memory)'} ${report.created ? 'created' : 'opened'} in ${ms} ms.`);
    }
  }

  dispose(): void {
    const pending = [...this.opened.values()];
    this.opened.clear();
    this.changeEmitter.dispose();
    // Deactivation may not wait long: start the saves now; each is atomic, so an interrupted one loses nothing.
    for (const opening of pending) {
      void opening.then(({ store }) => store.close()).catch((error) => this.options.log.error(error as Error));
    }
  }
}
