// The "Runs Table" webview panel: the host side of src/shared/runsTableProtocol.ts. The table's logic is
// host-free (src/runsTable); this file only talks to VS Code: the panel, the clipboard, files, the
// comparison panel, and the view remembered per workspace folder and experiment (workspaceState).
import type { Database } from 'sql.js';
import * as vscode from 'vscode';
import { runsTableHtml } from '../runsTable/runsTableHtml';
import { RunsTableSession } from '../runsTable/tableSession';
import { isFromRunsTableWebview, type FromRunsTableWebview, type TableView, type ToRunsTableWebview } from '../shared/runsTableProtocol';

export const RUNS_TABLE_VIEW_TYPE = 'modelLedger.runsTable';
/** Live runs write in bursts: refresh at most this often. */
const REFRESH_DEBOUNCE_MS = 500;
const VIEW_STATE_VERSION = 1;

export interface RunsTableDeps {
  readonly stores: {
    get(folder: vscode.WorkspaceFolder): Promise<{ readonly store: { readonly db: Database } }>;
    readonly onDidChange: vscode.Event<vscode.WorkspaceFolder>;
  };
  /** Opens the comparison panel for runs of a folder (the same panel as the Compare Runs command). */
  readonly compare: (folder: vscode.WorkspaceFolder, runUids: readonly string[]) => unknown;
}

export interface RunsTableScope {
  readonly experimentId?: number;
  readonly experimentName?: string;
}

export class RunsTablePanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private session: RunsTableSession | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private ready = false;

  static async open(context: vscode.ExtensionContext, deps: RunsTableDeps, folder: vscode.WorkspaceFolder, scope: RunsTableScope): Promise<RunsTablePanel> {
    const title = scope.experimentName ? `Runs: ${scope.experimentName}` : 'Runs Table';
    const panel = vscode.window.createWebviewPanel(RUNS_TABLE_VIEW_TYPE, title, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview')],
    });
    const table = new RunsTablePanel(panel, context, deps, folder, scope, title);
    await table.load();
    return table;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly deps: RunsTableDeps,
    private readonly folder: vscode.WorkspaceFolder,
    private readonly scope: RunsTableScope,
    private readonly title: string,
  ) {
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => {
        if (isFromRunsTableWebview(message)) void this.handle(message).catch((error) => this.notice(false, `Runs Table: ${(error as Error).message}`));
      }),
      deps.stores.onDidChange((changed) => {
        if (changed.uri.toString() === folder.uri.toString()) this.scheduleRefresh();
      }),
    );
  }

  private get stateKey(): string {
    return `modelLedger.runsTable.view:${this.folder.uri.toString()}:${this.scope.experimentId ?? 'all'}`;
  }

  private savedView(): Partial<TableView> | undefined {
    const saved = this.context.workspaceState.get<{ version: number; view: Partial<TableView> }>(this.stateKey);
    return saved?.version === VIEW_STATE_VERSION ? saved.view : undefined;
  }

  private saveView(): void {
    if (!this.session) return;
    // The search box and brushes are moment-to-moment; the rest is the user's layout.
    const { search: _search, brushes: _brushes, ...view } = this.session.model.view;
    void this.context.workspaceState.update(this.stateKey, { version: VIEW_STATE_VERSION, view });
  }

  private async load(): Promise<void> {
    try {
      const { store } = await this.deps.stores.get(this.folder);
      this.session = new RunsTableSession(store.db, this.scope.experimentId === undefined ? {} : { experimentId: this.scope.experimentId }, this.savedView(), this.title);
      this.panel.webview.html = this.html(this.session.init());
    } catch (error) {
      this.panel.webview.html = this.html(undefined);
      void vscode.window.showErrorMessage(`Model Ledger: could not open the runs table: ${(error as Error).message}`);
    }
  }

  private html(initial: ToRunsTableWebview | undefined): string {
    const webview = this.panel.webview;
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    return runsTableHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'runsTable.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'runsTable.css')).toString(),
      initial,
      title: this.title,
    });
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      if (this.disposed || !this.session) return;
      this.session.refresh();
      // The webview asks again for the window it shows: scroll, selection and sort stay as they are.
      if (this.ready) void this.post({ type: 'view', view: this.session.model.webviewView() });
    }, REFRESH_DEBOUNCE_MS);
  }

  private post(message: ToRunsTableWebview): Thenable<boolean> {
    return this.disposed ? Promise.resolve(false) : this.panel.webview.postMessage(message);
  }

  private async handle(message: FromRunsTableWebview): Promise<void> {
    if (!this.session) return;
    if (message.type === 'ready') {
      this.ready = true;
      return;
    }
    const reply = this.session.handle(message);
    if (reply) {
      await this.post(reply);
      if (message.type === 'setView' || message.type === 'columnOp' || message.type === 'toggleGroup') this.saveView();
      return;
    }
    const model = this.session.model;
    switch (message.type) {
      case 'compare': {
        const uids = model.selectedUids();
        if (uids.length < 2) return this.notice(false, 'Select two or more runs to compare.');
        this.deps.compare(this.folder, uids);
        return;
      }
      case 'copyIds': {
        const ids = model.selectedIds();
        await vscode.env.clipboard.writeText(ids.join('\n'));
        return this.notice(true, `Copied ${ids.length} run ID${ids.length === 1 ? '' : 's'}`);
      }
      case 'export':
        return this.export(message.format, message.target);
    }
  }

  private async export(format: 'csv' | 'markdown', target: 'file' | 'clipboard'): Promise<void> {
    const model = this.session!.model;
    const text = format === 'csv' ? model.toCsv() : model.toMarkdown();
    if (target === 'clipboard') {
      await vscode.env.clipboard.writeText(text);
      return this.notice(true, `Copied ${model.shownRows.length} runs as ${format === 'csv' ? 'CSV' : 'Markdown'}`);
    }
    const file = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(this.folder.uri, format === 'csv' ? 'runs.csv' : 'runs.md'),
      filters: format === 'csv' ? { CSV: ['csv'] } : { Markdown: ['md'] },
    });
    if (!file) return;
    await vscode.workspace.fs.writeFile(file, Buffer.from(text, 'utf8'));
    this.notice(true, `Saved ${vscode.workspace.asRelativePath(file)}`);
  }

  private notice(ok: boolean, message: string): void {
    if (!ok) void vscode.window.showWarningMessage(`Model Ledger: ${message}`);
    void this.post({ type: 'notice', ok, message });
  }

  /** The open table's model (integration tests). */
  get model(): RunsTableSession['model'] | undefined {
    return this.session?.model;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
