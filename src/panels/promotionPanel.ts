// The promotion panel: the host side of src/shared/promotionProtocol.ts. What it shows is built by
// src/promotion (host-free); every write goes through the folder's LedgerRegistry (ledger lock +
// the policy's move check), exactly as the stage commands and the CLI do.
import path from 'node:path';
import * as vscode from 'vscode';
import { panelColumn } from './panelColumn';
import { loadPolicy, policyFairnessData } from '../policy';
import { promotionHtml } from '../promotion/promotionHtml';
import { buildPromotionState } from '../promotion/promotionState';
import type { LedgerEvent, Stage } from '../registry/events';
import { PolicyBlockedError, RegistryError } from '../registry/ledgerRegistry';
import { PROMOTION_STAGES, isFromPromotionWebview, promotionPanelRefOf, type FromPromotionWebview, type PromotionAction, type PromotionState, type ToPromotionWebview } from '../shared/promotionProtocol';
import type { WorkspaceRegistry } from '../workspace/workspaceRegistry';
import type { WorkspaceStores } from '../workspace/workspaceStores';

export const PROMOTION_VIEW_TYPE = 'modelLedger.promotion';
const REFRESH_DEBOUNCE_MS = 250;

export interface PromotionDeps {
  readonly stores: WorkspaceStores;
  readonly registry: WorkspaceRegistry;
}

export interface PromotionResult {
  readonly ok: boolean;
  readonly message: string;
  readonly details: readonly string[];
  readonly event?: LedgerEvent;
}

export class PromotionPanel implements vscode.Disposable {
  private static readonly open_ = new Map<string, PromotionPanel>();

  private readonly disposables: vscode.Disposable[] = [];
  private current: PromotionState | undefined;
  private ready = false;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private lastResult: PromotionResult | undefined;

  /** Opens (or reveals) the panel for a model of a folder, on a version and a target stage. */
  static open(context: vscode.ExtensionContext, deps: PromotionDeps, folder: vscode.WorkspaceFolder, model: string, version: number, target: Stage): PromotionPanel {
    const key = `${folder.uri.toString()}\u0000${model}`;
    const existing = PromotionPanel.open_.get(key);
    if (existing) {
      existing.panel.reveal(existing.panel.viewColumn);
      existing.version = version;
      existing.target = target;
      void existing.refresh();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(PROMOTION_VIEW_TYPE, `Promote ${model} v${version}`, { viewColumn: panelColumn() }, {
      ...webviewOptions(context),
      retainContextWhenHidden: false,
    });
    const created = new PromotionPanel(panel, context, deps, folder, model, version, target, key);
    PromotionPanel.open_.set(key, created);
    return created;
  }

  /** Takes over a panel VS Code restored after a reload; a panel whose folder is gone is closed. */
  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, deps: PromotionDeps, saved: unknown): void {
    const ref = promotionPanelRefOf(saved);
    const folder = ref && vscode.workspace.workspaceFolders?.find((f) => f.uri.toString() === ref.folder);
    const target = ref && PROMOTION_STAGES.find((s) => s === ref.target);
    if (!ref || !folder || !target) {
      panel.dispose();
      return;
    }
    const key = `${folder.uri.toString()}\u0000${ref.model}`;
    PromotionPanel.open_.get(key)?.dispose();
    panel.webview.options = webviewOptions(context);
    PromotionPanel.open_.set(key, new PromotionPanel(panel, context, deps, folder, ref.model, ref.version, target, key));
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly deps: PromotionDeps,
    private readonly folder: vscode.WorkspaceFolder,
    readonly model: string,
    private version: number,
    private target: Stage,
    private readonly key: string,
  ) {
    const same = (f: vscode.WorkspaceFolder) => f.uri.toString() === folder.uri.toString();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => {
        if (isFromPromotionWebview(message)) void this.handle(message).catch((error) => this.post({ type: 'result', ok: false, action: 'load', message: (error as Error).message, details: [] }));
      }),
      panel.onDidChangeViewState(({ webviewPanel }) => {
        if (!webviewPanel.visible) this.ready = false;
      }),
      // The ledger (this window, the CLI, a git pull), the policy file, or the runs' metrics changed.
      deps.registry.onDidChange((f) => same(f) && this.scheduleRefresh()),
      deps.registry.onDidChangePolicy((f) => same(f) && this.scheduleRefresh()),
      deps.registry.onDidRecordDrift((f) => same(f) && this.scheduleRefresh()),
      deps.stores.onDidChange((f) => same(f) && this.scheduleRefresh()),
    );
    void this.load();
  }

  /** The state the webview was last sent (tests read it). */
  get state(): PromotionState | undefined {
    return this.current;
  }

  get result(): PromotionResult | undefined {
    return this.lastResult;
  }

  private async build(): Promise<PromotionState> {
    const snapshot = await this.deps.registry.registry(this.folder).snapshot();
    const policyFile = this.deps.registry.policyFile(this.folder);
    const policy = await loadPolicy(policyFile);
    const { store } = await this.deps.stores.get(this.folder);
    const identity = await this.deps.registry.identity(this.folder);
    const drift = this.deps.registry.driftOf(this.folder, this.model, this.version);
    const fairnessData = policy.state === 'ok' ? await policyFairnessData(policy.policy, this.model, this.version, this.folder.uri.fsPath) : undefined;
    return buildPromotionState({
      folder: this.folder.uri.toString(),
      state: snapshot.state,
      events: snapshot.read.events,
      model: this.model,
      version: this.version,
      target: this.target,
      policy,
      policyLabel: path.relative(this.folder.uri.fsPath, policyFile).split(path.sep).join('/'),
      db: store.db,
      identity,
      ...(drift ? { drift } : {}),
      ...(fairnessData ? { fairnessData } : {}),
    });
  }

  private async load(): Promise<void> {
    let initial: ToPromotionWebview | undefined;
    try {
      this.current = await this.build();
      initial = { type: 'state', state: this.current };
    } catch (error) {
      void vscode.window.showErrorMessage(`Model Ledger: cannot open the promotion panel: ${(error as Error).message}`);
    }
    if (this.disposed) return;
    this.panel.title = `Promote ${this.model} v${this.version}`;
    this.ready = false;
    const webview = this.panel.webview;
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    webview.html = promotionHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'promotion.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'promotion.css')).toString(),
      initial,
      title: this.panel.title,
    });
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refresh();
    }, REFRESH_DEBOUNCE_MS);
  }

  /** Rebuilds the state and sends it (the webview renders it whole: it is small). */
  async refresh(): Promise<void> {
    if (this.disposed) return;
    try {
      const state = await this.build();
      if (this.disposed) return;
      this.current = state;
      this.panel.title = `Promote ${this.model} v${this.version}`;
      if (this.ready) await this.post({ type: 'state', state });
    } catch (error) {
      await this.post({ type: 'result', ok: false, action: 'load', message: (error as Error).message, details: [] });
    }
  }

  private post(message: ToPromotionWebview): Thenable<boolean> {
    return this.disposed ? Promise.resolve(false) : this.panel.webview.postMessage(message);
  }

  /** Handles one message from the webview (the integration tests call it with the same messages). */
  async handle(message: FromPromotionWebview): Promise<PromotionResult | undefined> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        if (this.current) await this.post({ type: 'state', state: this.current });
        return undefined;
      case 'setTarget':
        this.target = message.stage;
        await this.refresh();
        return undefined;
      case 'setVersion':
        this.version = message.version;
        await this.refresh();
        return undefined;
      case 'openPolicy':
        await vscode.window.showTextDocument(vscode.Uri.file(this.deps.registry.policyFile(this.folder)), { viewColumn: vscode.ViewColumn.One, preview: true }).then(undefined, () =>
          vscode.window.showInformationMessage(`Model Ledger: no policy file yet at ${vscode.workspace.asRelativePath(this.deps.registry.policyFile(this.folder))}.`),
        );
        return undefined;
      case 'approve':
        return this.write('approve', () => this.deps.registry.registry(this.folder).approve({ model: this.model, version: this.version, stage: this.target }), (e) => `${e.actor.name} approved v${this.version} for ${this.target}`);
      case 'promote': {
        const reason = message.reason.trim();
        const justification = message.justification?.trim();
        if (message.justification !== undefined && !justification) return this.finish('promote', { ok: false, message: 'An override needs a written justification.', details: [] });
        return this.write(
          'promote',
          async () => {
            const check = await this.deps.registry.moveCheck(this.folder, { model: this.model, version: this.version });
            return this.deps.registry.registry(this.folder).transition({
              model: this.model,
              version: this.version,
              stage: this.target,
              ...(reason ? { reason } : {}),
              ...(justification ? { override: { justification } } : {}),
              ...(check ? { check } : {}),
            });
          },
          (e) => {
            const archived = (e.after as { archived?: number[] } | null)?.archived ?? [];
            return `v${this.version} is now in ${this.target}${archived.length ? `; v${archived.join(', v')} archived` : ''}${(e.after as { override?: unknown } | null)?.override ? ' (override recorded)' : ''}`;
          },
        );
      }
      case 'rollback': {
        const reason = message.reason.trim();
        return this.write(
          'rollback',
          async () => {
            const check = await this.deps.registry.moveCheck(this.folder, { model: this.model, version: this.version });
            return this.deps.registry.registry(this.folder).rollback({ model: this.model, ...(reason ? { reason } : {}), ...(check ? { check } : {}) });
          },
          (e) => `v${e.version} is in Production again`,
        );
      }
      case 'archive': {
        const reason = message.reason.trim();
        return this.write(
          'archive',
          async () => {
            const check = await this.deps.registry.moveCheck(this.folder, { model: this.model, version: this.version });
            return this.deps.registry.registry(this.folder).transition({ model: this.model, version: this.version, stage: 'Archived', ...(reason ? { reason } : {}), ...(check ? { check } : {}) });
          },
          () => `v${this.version} is archived`,
        );
      }
    }
  }

  private async write(action: PromotionAction, work: () => Promise<LedgerEvent>, describe: (event: LedgerEvent) => string): Promise<PromotionResult> {
    if (!vscode.workspace.isTrusted) return this.finish(action, { ok: false, message: 'This workspace is not trusted, so the registry is read-only here.', details: [] });
    let result: PromotionResult;
    try {
      const event = await work();
      await this.deps.registry.reproject(this.folder);
      result = { ok: true, message: describe(event), details: [], event };
    } catch (error) {
      if (error instanceof PolicyBlockedError) {
        result = { ok: false, message: `Blocked by the policy: ${error.verdict.message.split(':')[0]}`, details: error.verdict.gates.filter((g) => g.status !== 'pass').map((g) => `${String(g.gate)}: ${String(g.reason)}`) };
      } else if (error instanceof RegistryError) {
        result = { ok: false, message: error.message, details: [] };
      } else {
        throw error;
      }
    }
    await this.refresh();
    return this.finish(action, result);
  }

  private async finish(action: PromotionAction, result: PromotionResult): Promise<PromotionResult> {
    this.lastResult = result;
    await this.post({ type: 'result', ok: result.ok, action, message: result.message, details: result.details });
    return result;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    PromotionPanel.open_.delete(this.key);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  static get panels(): readonly PromotionPanel[] {
    return [...PromotionPanel.open_.values()];
  }
}

function webviewOptions(context: vscode.ExtensionContext): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview')] };
}

/** Lets VS Code restore promotion panels after a window reload. Put the result in `context.subscriptions`. */
export function registerPromotionSerializer(context: vscode.ExtensionContext, deps: PromotionDeps): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(PROMOTION_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      PromotionPanel.revive(panel, context, deps, state);
    },
  });
}
