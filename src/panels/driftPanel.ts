// The drift panel: the host side of src/shared/driftProtocol.ts. Reading and statistics are
// host-free (src/datasets, src/drift, src/monitoring); this file only talks to VS Code.
import path from 'node:path';
import * as vscode from 'vscode';
import { panelColumn } from './panelColumn';
import { readDataset, type DatasetRead } from '../datasets';
import { buildDriftReport } from '../monitoring/driftReport';
import { driftHtml } from '../monitoring/driftHtml';
import { parseRule, type AlertRule } from '../monitoring/rules';
import type { MonitoringPolicy } from '../policy/policyFile';
import { isFromDriftWebview, type DriftRestoreState, type DriftReportModel, type FromDriftWebview, type ToDriftWebview, type WindowChoice } from '../shared/driftProtocol';

export const DRIFT_VIEW_TYPE = 'modelLedger.drift';

export interface DriftVersionRef {
  readonly folder: vscode.WorkspaceFolder;
  readonly model: string;
  readonly version: number;
}

export interface DriftPanelInput {
  readonly referenceFile: string;
  readonly currentFile: string;
  readonly version?: DriftVersionRef;
}

export interface MonitoringSettings {
  readonly timestampColumn: string;
  readonly labelColumn: string;
  readonly predictionColumn: string;
  readonly window: WindowChoice;
  readonly driftShare: number;
  readonly rules: readonly AlertRule[];
  readonly ruleProblems: readonly string[];
}

export interface DriftPanelDeps {
  readonly log: vscode.LogOutputChannel;
  /** Asks for a new reference for the version and records it; resolves to the new file or undefined. */
  setReference(version: DriftVersionRef): Promise<string | undefined>;
  /** The policy file's `monitoring:` section for the folder, if any (its rules add to the settings'; its drift_share wins). */
  monitoringPolicy(folder: vscode.WorkspaceFolder | undefined): Promise<MonitoringPolicy | undefined>;
  /** Called with every report built for a model version (alerts). */
  onReport(version: DriftVersionRef, report: DriftReportModel, files: { reference: string; current: string }): void;
}

export function monitoringSettings(folder?: vscode.WorkspaceFolder): MonitoringSettings {
  const c = vscode.workspace.getConfiguration('modelLedger.monitoring', folder);
  const rules: AlertRule[] = [];
  const ruleProblems: string[] = [];
  for (const text of c.get<string[]>('rules', [])) {
    const rule = typeof text === 'string' ? parseRule(text) : `not text: ${JSON.stringify(text)}`;
    if (typeof rule === 'string') ruleProblems.push(`modelLedger.monitoring.rules: ${rule}`);
    else rules.push(rule);
  }
  const window = c.get<string>('window', 'day');
  return {
    timestampColumn: c.get<string>('timestampColumn', 'timestamp'),
    labelColumn: c.get<string>('labelColumn', 'label'),
    predictionColumn: c.get<string>('predictionColumn', 'prediction'),
    window: window === 'week' || /^\d+(\.\d+)?h$/.test(window) ? (window as WindowChoice) : 'day',
    driftShare: c.get<number>('driftShare', 0.5),
    rules,
    ruleProblems,
  };
}

function label(file: string, folder: vscode.WorkspaceFolder | undefined): string {
  if (folder) {
    const relative = path.relative(folder.uri.fsPath, file);
    if (!relative.startsWith('..') && !path.isAbsolute(relative)) return relative.split(path.sep).join('/');
  }
  return path.basename(file);
}

/** One panel per version (its data files may change), or per pair of files when no version is named. */
function sameDriftSubject(a: DriftPanelInput, b: DriftPanelInput): boolean {
  if (a.version || b.version) {
    return !!a.version && !!b.version && a.version.folder.uri.toString() === b.version.folder.uri.toString() && a.version.model === b.version.model && a.version.version === b.version.version;
  }
  return a.referenceFile === b.referenceFile && a.currentFile === b.currentFile;
}

export class DriftPanel implements vscode.Disposable {
  private static readonly open_ = new Set<DriftPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private reference: DatasetRead | undefined;
  private current: DatasetRead | undefined;
  private model: DriftReportModel | undefined;
  private window: WindowChoice;
  private disposed = false;
  private input: DriftPanelInput;
  private readNotes: string[] = [];

  /** Opens a panel for the input, or reveals and re-reads the one already showing the same subject. */
  static open(context: vscode.ExtensionContext, deps: DriftPanelDeps, input: DriftPanelInput): DriftPanel {
    const existing = [...DriftPanel.open_].find((p) => sameDriftSubject(p.input, input));
    if (existing) {
      existing.input = input;
      existing.panel.reveal(existing.panel.viewColumn);
      void existing.load(true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(DRIFT_VIEW_TYPE, input.version ? `Drift: ${input.version.model} v${input.version.version}` : `Drift: ${path.basename(input.currentFile)}`, { viewColumn: panelColumn() }, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview')],
    });
    return new DriftPanel(panel, context, deps, input);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly deps: DriftPanelDeps,
    input: DriftPanelInput,
    window?: WindowChoice,
  ) {
    this.input = input;
    this.window = window ?? monitoringSettings(input.version?.folder).window;
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview')] };
    DriftPanel.open_.add(this);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => {
        if (isFromDriftWebview(message)) void this.handle(message).catch((error) => void vscode.window.showErrorMessage(`Model Ledger: ${(error as Error).message}`));
      }),
    );
    this.panel.webview.html = this.html({ type: 'busy', text: 'Reading the datasets…' });
    void this.load(true);
  }

  private folder(): vscode.WorkspaceFolder | undefined {
    return this.input.version?.folder ?? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(this.input.currentFile));
  }

  /** Reads the files (with progress, cancellable) unless they are in memory, then builds the report. */
  private async load(readFiles: boolean): Promise<void> {
    const configured = monitoringSettings(this.folder());
    const policy = await this.deps.monitoringPolicy(this.folder()).catch(() => undefined);
    const settings: MonitoringSettings = { ...configured, rules: [...configured.rules, ...(policy?.rules ?? [])], driftShare: policy?.driftShare ?? configured.driftShare };
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Model Ledger: drift report', cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          const cancel = token.onCancellationRequested(() => abort.abort());
          try {
            if (readFiles || !this.reference || !this.current) {
              const diagnostics: string[] = [];
              // The timestamp setting names the time axis; a file without it just has no drift over time.
              const noTimestamp = `Column "${settings.timestampColumn}" was requested but the file has no such column.`;
              const read = (file: string) =>
                readDataset(file, {
                  signal: abort.signal,
                  timestampColumn: settings.timestampColumn,
                  onDiagnostic: (d) => {
                    if (d.message === noTimestamp) return;
                    if (diagnostics.length < 20) diagnostics.push(`${label(d.file, this.folder())}${d.line ? `:${d.line}` : ''}: ${d.message}`);
                    this.deps.log.warn(`${d.file}${d.line ? `:${d.line}` : d.position ? ` (${d.position})` : ''}: ${d.message}`);
                  },
                });
              progress.report({ message: `reading ${path.basename(this.input.referenceFile)} and ${path.basename(this.input.currentFile)}` });
              const [reference, current] = await Promise.all([read(this.input.referenceFile), read(this.input.currentFile)]);
              if (!reference.ok) throw new Error(`cannot read the reference ${this.input.referenceFile}: ${reference.diagnostics[0]?.message ?? 'unreadable'}`);
              if (!current.ok) throw new Error(`cannot read the current data ${this.input.currentFile}: ${current.diagnostics[0]?.message ?? 'unreadable'}`);
              this.reference = reference;
              this.current = current;
              this.readNotes = diagnostics;
            }
            progress.report({ message: 'computing drift' });
            const reference = this.reference as DatasetRead;
            const current = this.current as DatasetRead;
            this.model = buildDriftReport(reference.dataset, current.dataset, {
              referenceLabel: label(this.input.referenceFile, this.folder()),
              currentLabel: label(this.input.currentFile, this.folder()),
              ...(this.input.version ? { version: `${this.input.version.model} v${this.input.version.version}` } : {}),
              driftShare: settings.driftShare,
              ...(current.dataset.column(settings.timestampColumn)?.type === 'datetime' ? { timestampColumn: settings.timestampColumn } : {}),
              window: this.window,
              labelColumn: settings.labelColumn,
              predictionColumn: settings.predictionColumn,
              rules: settings.rules,
              notes: [...settings.ruleProblems, ...this.readNotes],
            });
          } finally {
            cancel.dispose();
          }
        },
      );
    } catch (error) {
      if (this.disposed) return;
      const message = (error as Error).name === 'AbortError' ? 'Cancelled.' : (error as Error).message;
      await this.post({ type: 'busy', text: message });
      this.panel.webview.html = this.html({ type: 'busy', text: message });
      if ((error as Error).name !== 'AbortError') void vscode.window.showErrorMessage(`Model Ledger: drift report: ${message}`);
      return;
    }
    if (this.disposed || !this.model) return;
    this.panel.webview.html = this.html({ type: 'init', model: this.model });
    if (this.input.version) this.deps.onReport(this.input.version, this.model, { reference: this.input.referenceFile, current: this.input.currentFile });
  }

  private restoreState(): DriftRestoreState {
    const v = this.input.version;
    return { referenceFile: this.input.referenceFile, currentFile: this.input.currentFile, window: this.window, ...(v ? { folder: v.folder.uri.toString(), model: v.model, version: v.version } : {}) };
  }

  private html(message: ToDriftWebview | undefined): string {
    const initial = message ? { ...message, restore: this.restoreState() } : undefined;
    const webview = this.panel.webview;
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    return driftHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'drift.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'drift.css')).toString(),
      initial,
      title: this.panel.title,
    });
  }

  private post(message: ToDriftWebview): Thenable<boolean> {
    return this.disposed ? Promise.resolve(false) : this.panel.webview.postMessage(message);
  }

  private async handle(message: FromDriftWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        return;
      case 'setWindow':
        this.window = message.window;
        await this.load(false);
        return;
      case 'setReference': {
        if (!this.input.version) return;
        const file = await this.deps.setReference(this.input.version);
        if (!file) return;
        this.input = { ...this.input, referenceFile: file };
        await this.load(true);
        return;
      }
      case 'openFile': {
        const file = message.which === 'reference' ? this.input.referenceFile : this.input.currentFile;
        const uri = vscode.Uri.file(file);
        if (/\.(parquet|pq)$/i.test(file)) await vscode.commands.executeCommand('revealInExplorer', uri);
        else await vscode.window.showTextDocument(uri, { preview: true, viewColumn: vscode.ViewColumn.One });
        return;
      }
    }
  }

  /** Rebuilds a panel VS Code kept across a window reload from the state its webview saved. */
  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, deps: DriftPanelDeps, state: unknown): DriftPanel | undefined {
    const restore = (state as { restore?: Partial<DriftRestoreState> } | undefined)?.restore;
    const folder = typeof restore?.folder === 'string' ? vscode.workspace.workspaceFolders?.find((f) => f.uri.toString() === restore.folder) : undefined;
    if (!restore || typeof restore.referenceFile !== 'string' || typeof restore.currentFile !== 'string' || (restore.folder !== undefined && !folder)) {
      panel.webview.options = { enableScripts: false };
      panel.webview.html = `<!DOCTYPE html><html><body><p>This drift report cannot be restored: open it again from the Models view or the command palette.</p></body></html>`;
      return undefined;
    }
    const version = folder && typeof restore.model === 'string' && typeof restore.version === 'number' ? { folder, model: restore.model, version: restore.version } : undefined;
    const window = restore.window === 'day' || restore.window === 'week' || (typeof restore.window === 'string' && /^\d+(\.\d+)?h$/.test(restore.window)) ? restore.window : undefined;
    return new DriftPanel(panel, context, deps, { referenceFile: restore.referenceFile, currentFile: restore.currentFile, ...(version ? { version } : {}) }, window);
  }

  get report(): DriftReportModel | undefined {
    return this.model;
  }

  static get panels(): readonly DriftPanel[] {
    return [...DriftPanel.open_];
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    DriftPanel.open_.delete(this);
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Lets VS Code restore drift panels after a window reload. Put the result in `context.subscriptions`. */
export function registerDriftSerializer(context: vscode.ExtensionContext, deps: DriftPanelDeps): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(DRIFT_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      DriftPanel.revive(panel, context, deps, state);
    },
  });
}
