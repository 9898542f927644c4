import * as vscode from 'vscode';
import type { WorkspaceStores } from '../workspace/workspaceStores';
import path from 'node:path';
import { resolveArtifactDir } from '../ingest/mlflow/fileStore';
import { listModels, listVersions, runArtifacts, runForUid, versionHistory, type ModelRow, type VersionRow } from '../registry/queries';
import { seriesSummaries } from '../store';
import { formatNumber } from '../shared/format';
import { detailItem } from './loggedModelNodes';
import type { ServerConnections } from '../workspace/serverConnections';
import { serverStatusItem } from './serverNodes';

const isServerOrigin = (origin: string) => origin.startsWith('mlflow-server:');

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}

export type ModelsNode =
  | { readonly kind: 'model'; readonly folder: vscode.WorkspaceFolder; readonly model: ModelRow }
  | { readonly kind: 'version'; readonly folder: vscode.WorkspaceFolder; readonly model: ModelRow; readonly version: VersionRow }
  /** An MLflow Tracking Server: its registered models are cached in `folder`'s store. */
  | { readonly kind: 'server'; readonly folder: vscode.WorkspaceFolder; readonly id: string }
  | { readonly kind: 'detail'; readonly folder: vscode.WorkspaceFolder; readonly model: ModelRow; readonly id: string; readonly label: string; readonly description?: string; readonly icon: string; readonly tooltip?: string; readonly command?: vscode.Command; readonly children?: readonly ModelsNode[] };

const STAGE_ICONS: Record<string, vscode.ThemeIcon> = {
  Production: new vscode.ThemeIcon('star-full', new vscode.ThemeColor('charts.green')),
  Staging: new vscode.ThemeIcon('beaker', new vscode.ThemeColor('charts.yellow')),
  Archived: new vscode.ThemeIcon('archive'),
  None: new vscode.ThemeIcon('circle-outline'),
};

/** Models → versions with stage and aliases, across the workspace folders. */
export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ModelsNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;

  private readonly alertSubscription: vscode.Disposable | undefined;
  private readonly serverSubscription: vscode.Disposable | undefined;

  /** `alerts`: monitoring alerts per version (a warning icon and the crossed thresholds on the version). */
  constructor(
    private readonly stores: WorkspaceStores,
    private readonly alerts?: {
      alertFor(folder: vscode.WorkspaceFolder, model: string, version: number): { readonly lines: readonly string[] } | undefined;
      readonly onDidChange: vscode.Event<void>;
    },
    private readonly servers?: ServerConnections,
  ) {
    this.subscription = stores.onDidChange(() => this.refresh());
    this.alertSubscription = alerts?.onDidChange(() => this.refresh());
    this.serverSubscription = servers?.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changeEmitter.fire(undefined);
  }

  async getChildren(node?: ModelsNode): Promise<ModelsNode[]> {
    if (!node) {
      const out: ModelsNode[] = [];
      for (const folder of vscode.workspace.workspaceFolders ?? []) {
        const { store } = await this.stores.get(folder);
        for (const model of listModels(store.db)) if (!isServerOrigin(model.origin)) out.push({ kind: 'model', folder, model });
      }
      const folder = this.servers?.folder;
      if (folder) for (const c of this.servers!.list()) out.push({ kind: 'server', folder, id: c.info.id });
      return out;
    }
    if (node.kind === 'server') {
      await this.servers?.settled(node.id);
      const { store } = await this.stores.get(node.folder);
      return listModels(store.db)
        .filter((m) => m.origin === `mlflow-server:${node.id}`)
        .map((model) => ({ kind: 'model', folder: node.folder, model }));
    }
    if (node.kind === 'model') {
      const { store } = await this.stores.get(node.folder);
      return listVersions(store.db, node.model.id).map((version) => ({ kind: 'version', folder: node.folder, model: node.model, version }));
    }
    if (node.kind === 'version') return this.versionDetails(node);
    return node.children ? [...node.children] : [];
  }

  /** A version expands to its source run, the run's last metrics, and its history from the ledger. */
  private async versionDetails(node: Extract<ModelsNode, { kind: 'version' }>): Promise<ModelsNode[]> {
    const { store } = await this.stores.get(node.folder);
    const base = { folder: node.folder, model: node.model };
    const prefix = `${node.folder.uri.toString()}#model:${node.model.origin}:${node.model.name}:v${node.version.version}`;
    const out: ModelsNode[] = [];
    // MLflow 3: the LoggedModel behind the version, and the version a copy was made from.
    if (node.version.loggedModelId) {
      out.push({ kind: 'detail', ...base, id: `${prefix}:loggedModel`, label: node.version.loggedModelId, description: 'LoggedModel', icon: 'package' });
    }
    if (node.version.copiedFrom) {
      const from = node.version.copiedFrom;
      out.push({ kind: 'detail', ...base, id: `${prefix}:copiedFrom`, label: `${from.name} v${from.version}`, description: 'copied from', icon: 'copy' });
    }
    const run = node.version.runUid ? runForUid(store.db, node.version.runUid) : undefined;
    if (run) {
      out.push({
        kind: 'detail',
        ...base,
        id: `${prefix}:run`,
        label: run.name ?? run.uid,
        description: `source run · ${run.status.toLowerCase()}`,
        icon: 'beaker',
        tooltip: run.sourcePath ?? run.uid,
        ...(run.sourcePath ? { command: { title: 'Reveal run', command: 'revealInExplorer', arguments: [vscode.Uri.joinPath(node.folder.uri, ...run.sourcePath.split('/'))] } } : {}),
      });
      const artifacts = runArtifacts(store.db, run.id).filter((a) => !a.path.includes('/')); // top level; folders expand in the Explorer
      if (artifacts.length > 0 && run.sourcePath) {
        const runDir = path.join(node.folder.uri.fsPath, ...run.sourcePath.split('/'));
        const root = (await resolveArtifactDir(run.artifactUri, runDir, path.dirname(path.dirname(runDir)))) ?? path.join(runDir, 'artifacts');
        out.push({
          kind: 'detail',
          ...base,
          id: `${prefix}:artifacts`,
          label: 'Artifacts',
          description: `${artifacts.length}`,
          icon: 'file-zip',
          children: artifacts.map((a) => {
            const uri = vscode.Uri.file(path.join(root, ...a.path.split('/')));
            return {
              kind: 'detail',
              ...base,
              id: `${prefix}:artifact:${a.path}`,
              label: a.path,
              ...(a.size !== undefined ? { description: formatBytes(a.size) } : {}),
              icon: a.isDir ? 'folder' : 'file',
              tooltip: uri.fsPath,
              command: a.isDir ? { title: 'Reveal', command: 'revealInExplorer', arguments: [uri] } : { title: 'Open', command: 'vscode.open', arguments: [uri] },
            };
          }),
        });
      }
      const metrics = seriesSummaries(store.db, run.id).filter((m) => m.last);
      if (metrics.length > 0) {
        out.push({
          kind: 'detail',
          ...base,
          id: `${prefix}:metrics`,
          label: 'Metrics',
          description: `${metrics.length} (last values)`,
          icon: 'graph-line',
          children: metrics.map((m) => ({ kind: 'detail', ...base, id: `${prefix}:metric:${m.key}`, label: m.key, description: formatNumber(m.last!.value), icon: 'symbol-number', tooltip: `step ${m.last!.step}; min ${m.min ?? '—'}, max ${m.max ?? '—'}` })),
        });
      }
    } else if (node.version.source) {
      out.push({ kind: 'detail', ...base, id: `${prefix}:source`, label: node.version.source, description: 'source', icon: 'folder' });
    }
    const history = versionHistory(store.db, node.model.name, node.version.version);
    if (node.model.origin === 'ledger' && history.length > 0) {
      out.push({
        kind: 'detail',
        ...base,
        id: `${prefix}:history`,
        label: 'History',
        description: `${history.length} event${history.length === 1 ? '' : 's'}`,
        icon: 'history',
        children: history.map((h) => ({
          kind: 'detail',
          ...base,
          id: `${prefix}:event:${h.id}`,
          label: h.summary,
          description: `${h.actor} · ${new Date(h.time).toISOString().slice(0, 16).replace('T', ' ')}`,
          icon: 'circle-small-filled',
          ...(h.reason ? { tooltip: h.reason } : {}),
        })),
      });
    }
    return out;
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    if (node.kind === 'server') return serverStatusItem(this.servers?.get(node.id), node.id, 'models');
    if (node.kind === 'detail') return detailItem(node, 'detail');
    const onServer = isServerOrigin(node.model.origin);
    const readOnly = node.model.origin !== 'ledger' && !onServer;
    if (node.kind === 'model') {
      const m = node.model;
      const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `${node.folder.uri.toString()}#model:${m.origin}:${m.name}`;
      item.iconPath = new vscode.ThemeIcon('package');
      item.description = [
        m.productionVersion !== undefined ? `Production v${m.productionVersion}` : undefined,
        `${m.versionCount} version${m.versionCount === 1 ? '' : 's'}`,
        readOnly ? `${m.origin} (read-only)` : undefined,
        onServer && this.servers?.get(m.origin.slice('mlflow-server:'.length))?.status.state === 'error' ? 'stale' : undefined,
      ]
        .filter(Boolean)
        .join(' · ');
      const tooltip = new vscode.MarkdownString();
      tooltip.appendMarkdown('**').appendText(m.name).appendMarkdown('**  \n');
      if (m.description) tooltip.appendText(m.description).appendMarkdown('  \n');
      tooltip.appendText(onServer ? 'Registry: the MLflow server; changes go through its API and into the workspace ledger.' : readOnly ? `Imported from ${m.origin}; changes are made where it lives.` : 'Registry: the workspace ledger.');
      item.tooltip = tooltip;
      item.contextValue = onServer ? 'serverModel' : readOnly ? 'model.imported' : 'model';
      return item;
    }
    const v = node.version;
    const item = new vscode.TreeItem(`v${v.version}`, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `${node.folder.uri.toString()}#model:${node.model.origin}:${node.model.name}:v${v.version}`;
    item.iconPath = STAGE_ICONS[v.stage] ?? STAGE_ICONS.None;
    const when = v.createdAt !== undefined ? new Date(v.createdAt).toISOString().slice(0, 10) : undefined;
    item.description = [v.stage === 'None' ? undefined : v.stage, ...v.aliases.map((a) => `@${a}`), v.runName ?? undefined, v.createdBy ? `by ${v.createdBy}` : undefined, when]
      .filter(Boolean)
      .join(' · ');
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown('**').appendText(`${node.model.name} v${v.version}`).appendMarkdown(`** — ${v.stage}  \n`);
    if (v.aliases.length) tooltip.appendText(`aliases: ${v.aliases.join(', ')}`).appendMarkdown('  \n');
    if (v.description) tooltip.appendText(v.description).appendMarkdown('  \n');
    if (v.runUid) tooltip.appendText(`source run: ${v.runName ?? v.runUid}`).appendMarkdown('  \n');
    if (v.source) tooltip.appendText(`artifacts: ${v.source}`).appendMarkdown('  \n');
    if (v.loggedModelId) tooltip.appendText(`LoggedModel: ${v.loggedModelId}`).appendMarkdown('  \n');
    if (v.copiedFrom) tooltip.appendText(`copied from ${v.copiedFrom.name} v${v.copiedFrom.version}`).appendMarkdown('  \n');
    if (v.createdBy || when) tooltip.appendText(`registered${v.createdBy ? ` by ${v.createdBy}` : ''}${when ? ` on ${when}` : ''}`);
    item.tooltip = tooltip;
    item.accessibilityInformation = { label: `${node.model.name} version ${v.version}, ${v.stage}${v.aliases.length ? `, aliases ${v.aliases.join(', ')}` : ''}` };
    item.contextValue = onServer ? `serverVersion.${v.stage.toLowerCase()}${v.aliases.length ? '.aliased' : ''}` : readOnly ? 'version.imported' : `version.${v.stage.toLowerCase()}`;
    const alert = this.alerts?.alertFor(node.folder, node.model.name, v.version);
    if (alert) {
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
      item.description = `⚠ ${alert.lines[0]}${item.description ? ` · ${String(item.description)}` : ''}`;
      tooltip.appendMarkdown('  \n**Alert**  \n');
      for (const line of alert.lines) tooltip.appendText(line).appendMarkdown('  \n');
    }
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.alertSubscription?.dispose();
    this.serverSubscription?.dispose();
    this.changeEmitter.dispose();
  }
}
