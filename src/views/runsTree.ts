import path from 'node:path';
import * as vscode from 'vscode';
import { seriesSummaries } from '../store';
import { loggedModelIdsByRun, loggedModelsOfRun, orphanLoggedModels, type LoggedModelRow } from '../tracking/loggedModels';
import { chooseKeyMetric, listExperiments, listRuns, runDetails, type ExperimentRow, type RunRow } from '../tracking/queries';
import { detailItem, loggedModelDetails, loggedModelItem, type ModelDetailNode } from './loggedModelNodes';
import type { WorkspaceStores } from '../workspace/workspaceStores';
import type { RunsViewState } from './runsViewState';
import type { ServerConnections } from '../workspace/serverConnections';
import { serverStatusItem } from './serverNodes';

const isServerUid = (uid: string) => uid.startsWith('mlflow-server:');

export type RunsNode =
  | { readonly kind: 'folder'; readonly folder: vscode.WorkspaceFolder }
  | { readonly kind: 'experiment'; readonly folder: vscode.WorkspaceFolder; readonly experiment: ExperimentRow }
  | { readonly kind: 'run'; readonly folder: vscode.WorkspaceFolder; readonly run: RunRow; readonly loggedModels?: number }
  /** An MLflow 3 LoggedModel: under its source run, or under its experiment when it has none. */
  | { readonly kind: 'loggedModel'; readonly folder: vscode.WorkspaceFolder; readonly model: LoggedModelRow }
  | ModelDetailNode
  /** An MLflow Tracking Server: its experiments are cached in `folder`'s store. */
  | { readonly kind: 'server'; readonly folder: vscode.WorkspaceFolder; readonly id: string };

const STATUS_ICONS: Record<string, vscode.ThemeIcon> = {
  RUNNING: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  SCHEDULED: new vscode.ThemeIcon('clock'),
  FINISHED: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  FAILED: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  KILLED: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('testing.iconSkipped')),
};

const TOOLTIP_ROWS = 12;

export function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? value.toExponential(3) : String(Number(value.toPrecision(4)));
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** Experiments → runs, per workspace folder (folders appear as a top level only in multi-root workspaces). */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;

  private readonly stateSubscription: vscode.Disposable;

  constructor(
    private readonly stores: WorkspaceStores,
    private readonly keyMetricSetting: () => string | undefined,
    private readonly state: RunsViewState,
    private readonly servers?: ServerConnections,
  ) {
    this.subscription = stores.onDidChange(() => this.refresh());
    this.stateSubscription = state.onDidChange(() => this.refresh());
    this.serverSubscription = servers?.onDidChange(() => this.refresh());
  }

  private readonly serverSubscription: vscode.Disposable | undefined;

  refresh(): void {
    this.changeEmitter.fire(undefined);
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (!node) {
      const serverRoots: RunsNode[] = this.servers?.folder ? this.servers.list().map((c) => ({ kind: 'server', folder: this.servers!.folder!, id: c.info.id })) : [];
      if (folders.length > 1) return [...folders.map((folder): RunsNode => ({ kind: 'folder', folder })), ...serverRoots];
      return folders.length === 1 ? [...(await this.experimentsOf(folders[0])), ...serverRoots] : [];
    }
    if (node.kind === 'folder') return this.experimentsOf(node.folder);
    if (node.kind === 'server') {
      await this.servers?.settled(node.id);
      return this.experimentsOf(node.folder, `mlflow-server:${node.id}:`);
    }
    if (node.kind === 'experiment') {
      const { store } = await this.stores.get(node.folder);
      const keyMetric = chooseKeyMetric(store.db, node.experiment.id, this.keyMetricSetting());
      const modelsByRun = loggedModelIdsByRun(store.db);
      const runs = listRuns(store.db, node.experiment.id, {
        ...(keyMetric ? { keyMetric } : {}),
        ...(this.state.filter ? { filter: this.state.filter } : {}),
        includeDeleted: this.state.showDeleted,
        sort: this.state.sort,
      }).map((run): RunsNode => ({ kind: 'run', folder: node.folder, run, loggedModels: modelsByRun.get(run.uid)?.length ?? 0 }));
      const orphans = this.state.filter ? [] : orphanLoggedModels(store.db, node.experiment.id).map((model): RunsNode => ({ kind: 'loggedModel', folder: node.folder, model }));
      return [...runs, ...orphans];
    }
    if (node.kind === 'run') {
      const { store } = await this.stores.get(node.folder);
      return loggedModelsOfRun(store.db, node.run.uid).map((model) => ({ kind: 'loggedModel', folder: node.folder, model }));
    }
    if (node.kind === 'loggedModel') {
      const { store } = await this.stores.get(node.folder);
      return loggedModelDetails(store.db, node.folder, node.model);
    }
    if (node.kind === 'modelDetail') return [...(node.children ?? [])];
    return [];
  }

  /** The folder's own experiments, or (with `serverPrefix`) those cached from one MLflow server. */
  private async experimentsOf(folder: vscode.WorkspaceFolder, serverPrefix?: string): Promise<RunsNode[]> {
    const { store } = await this.stores.get(folder);
    return listExperiments(store.db, { includeDeleted: this.state.showDeleted, ...(this.state.filter ? { filter: this.state.filter } : {}) })
      .filter((e) => e.runCount > 0 && (serverPrefix ? e.uid.startsWith(serverPrefix) : !isServerUid(e.uid)))
      .map((experiment) => ({ kind: 'experiment', folder, experiment }));
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'server':
        return serverStatusItem(this.servers?.get(node.id), node.id, 'runs');
      case 'folder': {
        const item = new vscode.TreeItem(node.folder.name, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = vscode.ThemeIcon.Folder;
        item.contextValue = 'folder';
        return item;
      }
      case 'experiment': {
        const e = node.experiment;
        const item = new vscode.TreeItem(e.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `${node.folder.uri.toString()}#experiment:${e.uid}`;
        item.description = `${e.runCount} run${e.runCount === 1 ? '' : 's'} · ${e.format}`;
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.contextValue = 'experiment';
        return item;
      }
      case 'run': {
        const r = node.run;
        const item = new vscode.TreeItem(r.name || r.externalId || r.uid, node.loggedModels ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `${node.folder.uri.toString()}#run:${r.uid}`;
        item.iconPath = STATUS_ICONS[r.status] ?? new vscode.ThemeIcon('circle-outline');
        const stale = isServerUid(r.uid) && this.servers?.get(r.uid.split(':')[1])?.status.state === 'error';
        item.description = (stale ? 'stale · ' : '') + (r.deleted ? 'deleted · ' : '') + (r.keyMetric ? `${r.keyMetric.key} ${formatMetric(r.keyMetric.value)}` : r.status.toLowerCase());
        item.contextValue = `run.${r.status.toLowerCase()}${r.deleted ? '.deleted' : ''}`;
        if (r.deleted) item.iconPath = new vscode.ThemeIcon('trash', new vscode.ThemeColor('disabledForeground'));
        item.accessibilityInformation = { label: `${item.label as string}, ${r.status.toLowerCase()}${r.keyMetric ? `, ${r.keyMetric.key} ${formatMetric(r.keyMetric.value)}` : ''}` };
        if (node.loggedModels) item.description = `${String(item.description)} · ${node.loggedModels} model${node.loggedModels === 1 ? '' : 's'}`;
        return item;
      }
      case 'loggedModel':
        return loggedModelItem(node.folder, node.model);
      case 'modelDetail':
        return detailItem(node, 'loggedModelDetail');
    }
  }

  /** The Markdown tooltip is built on hover only: params and metrics would cost too much for every row. */
  async resolveTreeItem(item: vscode.TreeItem, node: RunsNode): Promise<vscode.TreeItem> {
    if (node.kind !== 'run') return item;
    const { store } = await this.stores.get(node.folder);
    const r = node.run;
    const details = runDetails(store.db, r.id);
    const metrics = seriesSummaries(store.db, r.id);
    const md = new vscode.MarkdownString(undefined, true);
    md.supportHtml = false; // names come from run files: text only
    md.appendMarkdown('**').appendText(String(item.label)).appendMarkdown('**  \n');
    const facts = [r.status, details.experimentName, r.format];
    if (r.startTime !== undefined) facts.push(new Date(r.startTime).toLocaleString());
    if (r.startTime !== undefined && r.endTime !== undefined) facts.push(formatDuration(r.endTime - r.startTime));
    md.appendText(facts.join(' · ')).appendMarkdown('  \n');
    if (r.sourcePath) md.appendText(r.sourcePath).appendMarkdown('  \n');
    const server = isServerUid(r.uid) ? this.servers?.get(r.uid.split(':')[1]) : undefined;
    if (server) md.appendText(`MLflow server ${server.info.name} (${server.info.url}) · run ${r.externalId ?? ''}${server.status.state === 'error' ? ' · stale: the last refresh failed' : ''}`).appendMarkdown('  \n');
    if (details.gitCommit) md.appendText(`commit ${details.gitCommit.slice(0, 10)}`).appendMarkdown('  \n');
    const table = (title: string, entries: readonly (readonly [string, string])[]) => {
      if (entries.length === 0) return;
      md.appendMarkdown(`\n\n**${title}**\n\n| | |\n|---|---|\n`);
      for (const [k, v] of entries.slice(0, TOOLTIP_ROWS)) {
        md.appendMarkdown('| ').appendText(escapeCell(k)).appendMarkdown(' | ').appendText(escapeCell(v.length > 80 ? `${v.slice(0, 79)}…` : v)).appendMarkdown(' |\n');
      }
      if (entries.length > TOOLTIP_ROWS) md.appendMarkdown(`\n_…and ${entries.length - TOOLTIP_ROWS} more_\n`);
    };
    const lastOf = (m: (typeof metrics)[number]) => (m.last ? `${formatMetric(m.last.value)} @ step ${m.last.step}` : '—');
    table(
      'Metrics (last)',
      metrics.filter((m) => !m.dataset).map((m) => [m.key, lastOf(m)] as const),
    );
    // MLflow 3: a metric logged against a dataset is its own series, shown apart with the dataset named.
    table(
      'Metrics on datasets (last)',
      metrics.filter((m) => m.dataset).map((m) => [`${m.key} · ${m.dataset}`, lastOf(m)] as const),
    );
    table('Params', details.params);
    item.tooltip = md;
    return item;
  }

  /** The run's folder or file in the workspace, for "Reveal in Explorer" and "Open Source Folder". */
  static sourceUri(node: RunsNode): vscode.Uri | undefined {
    if (node.kind !== 'run' || !node.run.sourcePath) return undefined;
    return vscode.Uri.file(path.join(node.folder.uri.fsPath, ...node.run.sourcePath.split('/')));
  }

  dispose(): void {
    this.subscription.dispose();
    this.stateSubscription.dispose();
    this.serverSubscription?.dispose();
    this.changeEmitter.dispose();
  }
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '¦').replace(/\r?\n/g, ' ');
}
