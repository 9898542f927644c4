// The "Compare runs" webview panel: the host side of src/shared/compareProtocol.ts.
// Data comes from src/compare (host-free); this file only talks to VS Code.
import type { Database } from 'sql.js';
import * as vscode from 'vscode';
import { panelColumn } from './panelColumn';
import { buildComparison, ComparisonCache, fetchRange } from '../compare/compareData';
import { compareHtml } from '../compare/compareHtml';
import { comparisonCsv, comparisonMarkdown } from '../compare/exportFormats';
import {
  isFromCompareWebview,
  seriesId,
  type CompareWebviewState,
  type ComparisonModel,
  type FromCompareWebview,
  type SeriesData,
  type ToCompareWebview,
} from '../shared/compareProtocol';

export const COMPARE_VIEW_TYPE = 'modelLedger.compare';

/** Store changes arrive in bursts while a run trains: refresh at most this often. */
const REFRESH_DEBOUNCE_MS = 300;

export interface CompareDeps {
  readonly stores: {
    get(folder: vscode.WorkspaceFolder): Promise<{ readonly store: { readonly db: Database } }>;
    readonly onDidChange: vscode.Event<vscode.WorkspaceFolder>;
  };
}

export class ComparePanel implements vscode.Disposable {
  private static readonly open_ = new Set<ComparePanel>();

  private readonly disposables: vscode.Disposable[] = [];
  private readonly cache = new ComparisonCache();
  private model: ComparisonModel | undefined;
  /** Fingerprints of the series the webview holds, so an update sends only what changed. */
  private sent = new Map<string, string>();
  private ready = false;
  /**
   * Builds so far, and the one inlined into the HTML. A webview that is hidden and shown again is
   * reloaded from that HTML, so on its `ready` it gets `init` if the model moved on since.
   */
  private modelVersion = 0;
  private htmlModelVersion = -1;
  private onlyDifferences: boolean;
  private baseline: string | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  /** Opens a panel for these runs, or reveals the one already comparing exactly them; several can be open at once. */
  static open(context: vscode.ExtensionContext, deps: CompareDeps, folder: vscode.WorkspaceFolder, runUids: readonly string[]): ComparePanel {
    const subject = [...runUids].sort().join('\u0000');
    const existing = [...ComparePanel.open_].find((p) => p.folder.uri.toString() === folder.uri.toString() && [...p.runUids].sort().join('\u0000') === subject);
    if (existing) {
      existing.panel.reveal(existing.panel.viewColumn);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, `Compare ${runUids.length} runs`, { viewColumn: panelColumn() }, ComparePanel.webviewOptions(context));
    return new ComparePanel(panel, context, deps, folder, runUids, {});
  }

  private static webviewOptions(context: vscode.ExtensionContext): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview')] };
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly deps: CompareDeps,
    private readonly folder: vscode.WorkspaceFolder,
    private readonly runUids: readonly string[],
    restored: { baseline?: string; onlyDifferences?: boolean },
  ) {
    this.baseline = restored.baseline;
    this.onlyDifferences = restored.onlyDifferences ?? false;
    ComparePanel.open_.add(this);
    panel.webview.options = ComparePanel.webviewOptions(context);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => {
        if (isFromCompareWebview(message)) void this.handle(message).catch((error) => this.report('export', false, `Compare panel: ${(error as Error).message}`));
      }),
      panel.onDidChangeViewState(({ webviewPanel }) => {
        if (!webviewPanel.visible) this.ready = false;
      }),
      deps.stores.onDidChange((changed) => {
        if (changed.uri.toString() === folder.uri.toString()) this.scheduleRefresh();
      }),
    );
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.model = await this.build();
      if (this.disposed) return;
      this.panel.title = `Compare ${this.model.runs.length} runs`;
      this.ready = false;
      this.htmlModelVersion = this.modelVersion;
      this.panel.webview.html = this.html(this.initMessage());
    } catch (error) {
      this.panel.webview.html = this.html(undefined);
      void vscode.window.showErrorMessage(`Model Ledger: could not compare runs: ${(error as Error).message}`);
    }
  }

  private async build(): Promise<ComparisonModel> {
    const { store } = await this.deps.stores.get(this.folder);
    const model = buildComparison(store.db, this.runUids, { ...(this.baseline ? { baselineUid: this.baseline } : {}), cache: this.cache });
    this.modelVersion++;
    return model;
  }

  private initMessage(): ToCompareWebview | undefined {
    if (!this.model) return undefined;
    this.sent = new Map(this.model.series.map((s) => [seriesId(s.runUid, s.key), s.fingerprint]));
    return { type: 'init', folder: this.folder.uri.toString(), model: this.model, onlyDifferences: this.onlyDifferences };
  }

  private html(initial: ToCompareWebview | undefined): string {
    const webview = this.panel.webview;
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    return compareHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'compare.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'compare.css')).toString(),
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

  /** Rebuilds from the store and sends the tables plus only the series whose points changed. */
  private async refresh(): Promise<void> {
    if (this.disposed) return;
    const model = await this.build();
    if (this.disposed) return;
    this.model = model;
    this.panel.title = `Compare ${model.runs.length} runs`;
    if (!this.ready) return;
    const current = new Map(model.series.map((s) => [seriesId(s.runUid, s.key), s] as const));
    const changedSeries: SeriesData[] = [];
    for (const [id, s] of current) if (this.sent.get(id) !== s.fingerprint) changedSeries.push(s);
    const removedSeries = [...this.sent.keys()].filter((id) => !current.has(id));
    this.sent = new Map([...current].map(([id, s]) => [id, s.fingerprint]));
    const { series: _all, ...tables } = model;
    await this.post({ type: 'update', model: tables, changedSeries, removedSeries });
  }

  private post(message: ToCompareWebview): Thenable<boolean> {
    return this.disposed ? Promise.resolve(false) : this.panel.webview.postMessage(message);
  }

  private async handle(message: FromCompareWebview): Promise<void> {
    switch (message.type) {
      case 'ready': {
        this.ready = true;
        // A webview reloaded after being hidden still holds the HTML's (older) inlined state.
        if (this.modelVersion !== this.htmlModelVersion) {
          const init = this.initMessage();
          if (init) await this.post(init);
        }
        return;
      }
      case 'setBaseline':
        this.baseline = message.runUid;
        await this.refresh();
        return;
      case 'toggleDifferences':
        this.onlyDifferences = message.onlyDifferences;
        return;
      case 'requestRange': {
        const { store } = await this.deps.stores.get(this.folder);
        const series = message.runUids
          .filter((uid) => this.runUids.includes(uid))
          .map((uid) => fetchRange(store.db, uid, message.key, message.fromStep, message.toStep, Math.min(message.maxPoints, 20_000)))
          .filter((s): s is SeriesData => s !== undefined);
        await this.post({ type: 'rangeData', requestId: message.requestId, series });
        return;
      }
      case 'export':
        await this.export(message);
        return;
      case 'openRun':
        await this.openRun(message.runUid);
        return;
    }
  }

  private async export(message: Extract<FromCompareWebview, { type: 'export' }>): Promise<void> {
    if (!this.model) return;
    if (message.format === 'png') {
      const bytes = Buffer.from(message.dataUrl.slice(message.dataUrl.indexOf(',') + 1), 'base64');
      const target = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.joinPath(this.folder.uri, `${safeFileName(message.key)}.png`),
        filters: { 'PNG image': ['png'] },
      });
      if (!target) return;
      await vscode.workspace.fs.writeFile(target, bytes);
      this.report('png', true, `Saved ${vscode.workspace.asRelativePath(target)}`);
      return;
    }
    const text = message.format === 'csv' ? comparisonCsv(this.model) : comparisonMarkdown(this.model);
    if (message.target === 'clipboard') {
      await vscode.env.clipboard.writeText(text);
      this.report(message.format, true, message.format === 'markdown' ? 'Copied the comparison as Markdown' : 'Copied the comparison as CSV');
      return;
    }
    const extension = message.format === 'csv' ? 'csv' : 'md';
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(this.folder.uri, `comparison.${extension}`),
      filters: message.format === 'csv' ? { CSV: ['csv'] } : { Markdown: ['md'] },
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
    this.report(message.format, true, `Saved ${vscode.workspace.asRelativePath(target)}`);
  }

  private report(format: 'csv' | 'markdown' | 'png' | 'export', ok: boolean, text: string): void {
    if (!ok) void vscode.window.showErrorMessage(text);
    void this.post({ type: 'exportResult', format: format === 'export' ? 'csv' : format, ok, message: text });
  }

  private async openRun(runUid: string): Promise<void> {
    const run = this.model?.runs.find((r) => r.uid === runUid);
    if (!run?.sourcePath) return;
    const uri = vscode.Uri.joinPath(this.folder.uri, ...run.sourcePath.split('/'));
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.type & vscode.FileType.Directory) await vscode.commands.executeCommand('revealInExplorer', uri);
      else await vscode.window.showTextDocument(uri, { preview: true, viewColumn: vscode.ViewColumn.One });
    } catch {
      void vscode.window.showWarningMessage(`Model Ledger: ${run.sourcePath} is not in the workspace any more.`);
    }
  }

  /** Restores a panel VS Code kept across a reload, from the state the webview saved. */
  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, deps: CompareDeps, state: unknown): ComparePanel | undefined {
    const saved = parseState(state);
    const folder = saved && vscode.workspace.workspaceFolders?.find((f) => f.uri.toString() === saved.folder);
    if (!saved || !folder) {
      panel.webview.options = { enableScripts: false };
      panel.webview.html = `<!DOCTYPE html><html><body><p>This comparison's workspace folder is not open any more.</p></body></html>`;
      return undefined;
    }
    return new ComparePanel(panel, context, deps, folder, saved.runUids, { ...(saved.baseline ? { baseline: saved.baseline } : {}), onlyDifferences: saved.onlyDifferences === true });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    ComparePanel.open_.delete(this);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  /** Every open compare panel (for tests and for closing them on deactivation). */
  static get panels(): readonly ComparePanel[] {
    return [...ComparePanel.open_];
  }

  get runCount(): number {
    return this.model?.runs.length ?? 0;
  }
}

function parseState(state: unknown): CompareWebviewState | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const s = state as Record<string, unknown>;
  if (typeof s.folder !== 'string' || !Array.isArray(s.runUids) || !s.runUids.every((u) => typeof u === 'string')) return undefined;
  return {
    folder: s.folder,
    runUids: s.runUids as string[],
    ...(typeof s.baseline === 'string' ? { baseline: s.baseline } : {}),
    ...(typeof s.onlyDifferences === 'boolean' ? { onlyDifferences: s.onlyDifferences } : {}),
  };
}

function safeFileName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'chart';
}

/** Lets VS Code restore compare panels after a window reload. Put the result in `context.subscriptions`. */
export function registerCompareSerializer(context: vscode.ExtensionContext, deps: CompareDeps): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      ComparePanel.revive(panel, context, deps, state);
    },
  });
}
