import path from 'node:path';
import * as vscode from 'vscode';
import type { Actor } from '../registry/events';
import { currentActor } from '../registry/identity';
import { loadPolicy, policyFairnessData, policyMoveCheck, type PolicyLoad } from '../policy';
import { LedgerRegistry, RegistryError, type LedgerSnapshot, type MoveCheck } from '../registry/ledgerRegistry';
import { ledgerModels, replaceRegistry, replaceRegistryEvents } from '../registry/storeProjection';
import type { WorkspaceStores } from './workspaceStores';
import { eventSigner, signingKeyFor } from '../signing/eventSignature';
import { artifactEvidence } from '../policy/artifactGate';

export const DEFAULT_LEDGER_PATH = '.model-ledger/ledger.jsonl';

interface FolderRegistry {
  readonly registry: LedgerRegistry;
  readonly watcher: vscode.FileSystemWatcher;
  readonly policyWatcher: vscode.FileSystemWatcher;
}

/**
 * Each folder's registry: the ledger file in the workspace (the source of truth, shared through git)
 * projected into the folder's store whenever it changes, by this window, the CLI or a `git pull`.
 * Ledger problems (edited, removed, reordered or illegal events) go to the Problems view.
 */
export class WorkspaceRegistry implements vscode.Disposable {
  private readonly folders = new Map<string, FolderRegistry>();
  private readonly problems = vscode.languages.createDiagnosticCollection('modelLedger.ledger');
  private readonly actors = new Map<string, Promise<Actor>>();
  private readonly changeEmitter = new vscode.EventEmitter<vscode.WorkspaceFolder>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly policyEmitter = new vscode.EventEmitter<vscode.WorkspaceFolder>();
  /** The folder's policy file changed, appeared or went away (after its problems were reported). */
  readonly onDidChangePolicy = this.policyEmitter.event;
  private readonly driftResults = new Map<string, { share: number; at: number }>();
  private readonly driftEmitter = new vscode.EventEmitter<vscode.WorkspaceFolder>();
  /** A version's drift report was recorded (drift gates may change). */
  readonly onDidRecordDrift = this.driftEmitter.event;

  constructor(
    private readonly stores: WorkspaceStores,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  ledgerFile(folder: vscode.WorkspaceFolder): string {
    const configured = vscode.workspace.getConfiguration('modelLedger', folder).get<string>('ledger.path', DEFAULT_LEDGER_PATH).trim() || DEFAULT_LEDGER_PATH;
    return path.resolve(folder.uri.fsPath, configured);
  }

  registry(folder: vscode.WorkspaceFolder): LedgerRegistry {
    return this.forFolder(folder).registry;
  }

  /** The promotion policy beside the ledger. */
  policyFile(folder: vscode.WorkspaceFolder): string {
    return path.join(path.dirname(this.ledgerFile(folder)), 'policy.yaml');
  }

  /**
   * The policy's gates as a move check (metrics from the folder's store), or undefined when there is
   * no policy. A malformed policy blocks every move until it is fixed (its problems are in the
   * Problems view).
   */
  async moveCheck(folder: vscode.WorkspaceFolder, candidate?: { readonly model: string; readonly version: number }): Promise<MoveCheck | undefined> {
    const loaded = await this.reportPolicy(folder);
    if (loaded.state === 'missing') return undefined;
    if (loaded.state === 'invalid') throw new RegistryError(`the policy ${vscode.workspace.asRelativePath(loaded.file)} has errors; promotion is blocked until they are fixed (see the Problems view)`);
    const { store } = await this.stores.get(folder);
    // Fairness gates read their evaluation data before the (synchronous) check under the ledger's lock.
    const fairness = candidate ? await policyFairnessData(loaded.policy, candidate.model, candidate.version, folder.uri.fsPath) : undefined;
    // So do artifact gates: the version's files are hashed (and model.sig verified) before the check.
    const artifacts = candidate ? await artifactEvidence(this.ledgerFile(folder), loaded.policy, candidate.model, candidate.version) : undefined;
    const artifactsOf = artifacts && candidate ? (m: string, v: number) => (m === candidate.model && v === candidate.version ? artifacts : undefined) : undefined;
    return policyMoveCheck(loaded.policy, store.db, (model, version) => this.driftOf(folder, model, version), artifactsOf, fairness);
  }

  /** Remembers a version's latest drift report (for drift gates) for this session. */
  recordDrift(folder: vscode.WorkspaceFolder, model: string, version: number, share: number): void {
    this.driftResults.set(`${folder.uri.toString()}#${model}#${version}`, { share, at: Date.now() });
    this.driftEmitter.fire(folder);
  }

  /** The drift share of the version's latest report this session, if any. */
  driftOf(folder: vscode.WorkspaceFolder, model: string, version: number): { share: number; at: number } | undefined {
    return this.driftResults.get(`${folder.uri.toString()}#${model}#${version}`);
  }

  /** Parses the policy and shows its problems on their lines. */
  async reportPolicy(folder: vscode.WorkspaceFolder): Promise<PolicyLoad> {
    const loaded = await loadPolicy(this.policyFile(folder));
    const uri = vscode.Uri.file(loaded.file);
    this.problems.set(
      uri,
      loaded.state === 'missing'
        ? []
        : loaded.diagnostics.map((d) => {
            const range = new vscode.Range(d.line - 1, d.column - 1, (d.endLine ?? d.line) - 1, (d.endColumn ?? d.column + 1) - 1);
            const diagnostic = new vscode.Diagnostic(range, d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
            diagnostic.source = 'Model Ledger policy';
            return diagnostic;
          }),
    );
    return loaded;
  }

  /** Projects every folder's ledger into its store (at start). */
  start(): void {
    for (const folder of vscode.workspace.workspaceFolders ?? []) void this.reproject(folder);
  }

  private forFolder(folder: vscode.WorkspaceFolder): FolderRegistry {
    const key = folder.uri.toString();
    let entry = this.folders.get(key);
    if (!entry) {
      const file = this.ledgerFile(folder);
      const signingKey = () => signingKeyFor(folder.uri.fsPath, vscode.workspace.getConfiguration('modelLedger', folder).get<string>('signing.key', '').trim() || undefined);
      const registry = new LedgerRegistry(file, () => this.actor(folder), undefined, eventSigner(signingKey));
      const relative = path.relative(folder.uri.fsPath, file);
      // Inside the folder, a pattern relative to it rides on the workspace's own watcher (and sees the file appear).
      const pattern = relative.startsWith('..') || path.isAbsolute(relative) ? new vscode.RelativePattern(path.dirname(file), path.basename(file)) : new vscode.RelativePattern(folder, relative.split(path.sep).join('/'));
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      const onChange = () => void this.reproject(folder);
      watcher.onDidChange(onChange);
      watcher.onDidCreate(onChange);
      watcher.onDidDelete(onChange);
      const policyRelative = path.relative(folder.uri.fsPath, this.policyFile(folder)).split(path.sep).join('/');
      const policyWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, policyRelative));
      const onPolicy = () => void this.reportPolicy(folder).then(() => this.policyEmitter.fire(folder));
      policyWatcher.onDidChange(onPolicy);
      policyWatcher.onDidCreate(onPolicy);
      policyWatcher.onDidDelete(onPolicy);
      entry = { registry, watcher, policyWatcher };
      this.folders.set(key, entry);
      void this.reportPolicy(folder);
    }
    return entry;
  }

  /** Who acts in this folder (git identity, else the OS user): the requester and approver the panel shows. */
  identity(folder: vscode.WorkspaceFolder): Promise<Actor> {
    return this.actor(folder);
  }

  private actor(folder: vscode.WorkspaceFolder): Promise<Actor> {
    const key = folder.uri.toString();
    let actor = this.actors.get(key);
    if (!actor) {
      actor = currentActor(folder.uri.fsPath);
      this.actors.set(key, actor);
    }
    return actor;
  }

  /** Reads the ledger, reports its problems, and rebuilds the store's registry tables from it. */
  async reproject(folder: vscode.WorkspaceFolder): Promise<LedgerSnapshot | undefined> {
    const { registry } = this.forFolder(folder);
    let snapshot: LedgerSnapshot;
    try {
      snapshot = await registry.snapshot();
    } catch (error) {
      this.log.error(`Cannot read the ledger ${registry.ledgerFile}: ${(error as Error).message}`);
      return undefined;
    }
    const { store } = await this.stores.get(folder);
    store.transaction(() => {
      replaceRegistry(store.db, 'ledger', ledgerModels(snapshot.state));
      replaceRegistryEvents(store.db, registry.ledgerFile, snapshot.read.events);
    });
    store.changed();
    const uri = vscode.Uri.file(registry.ledgerFile);
    this.problems.set(
      uri,
      snapshot.problems.map((p) => {
        const d = new vscode.Diagnostic(new vscode.Range(p.line - 1, 0, p.line - 1, Number.MAX_SAFE_INTEGER), `${p.kind}: ${p.message}`, vscode.DiagnosticSeverity.Error);
        d.source = 'Model Ledger';
        return d;
      }),
    );
    if (snapshot.problems.length > 0) {
      this.log.warn(`Ledger ${registry.ledgerFile}: ${snapshot.problems.length} problem(s): ${snapshot.problems.map((p) => `line ${p.line} ${p.kind}`).join(', ')}`);
    }
    this.stores.notifyChanged(folder);
    this.changeEmitter.fire(folder);
    return snapshot;
  }

  dispose(): void {
    for (const entry of this.folders.values()) {
      entry.watcher.dispose();
      entry.policyWatcher.dispose();
    }
    this.folders.clear();
    this.problems.dispose();
    this.changeEmitter.dispose();
    this.policyEmitter.dispose();
    this.driftEmitter.dispose();
  }
}
