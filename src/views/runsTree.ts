import path from 'node:path';
import * as vscode from 'vscode';
import { seriesSummaries } from '../store';
import { loggedModelIdsByRun, loggedModelsOfRun, orphanLoggedModels, type LoggedModelRow } from '../tracking/loggedModels';
import { chooseKeyMetric, listExperiments, listRuns, runDetails, staleRunning, type ExperimentRow, type RunRow } from '../tracking/queries';
import { detailItem, loggedModelDetails, loggedModelItem, type ModelDetailNode } from './loggedModelNodes';
import type { WorkspaceStores } from '../workspace/workspaceStores';
import type { RunsViewState } from './runsViewState';
import type { ServerConnections } from '../workspace/serverConnections';
import { serverStatusItem } from './serverNodes';
import { formatDuration, formatNumber } from '../shared/format';

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
/** How often store changes (a training run writes every second or faster) may refresh the tree. */
const STORE_REFRESH_MS = 500;

/** The tree item id of a node (stable across refreshes: VS Code keeps hover, selection and expansion by it). */
function itemId(node: RunsNode): string {
  switch (node.kind) {
    case 'folder':
      return `folder:${node.folder.uri.toString()}`;
    case 'server':
      return `server:${node.id}`;
    case 'experiment':
      return `${node.folder.uri.toString()}#experiment:${node.experiment.uid}`;
    case 'run':
      return `${node.folder.uri.toString()}#run:${node.run.uid}`;
    case 'loggedModel':
      return `${node.folder.uri.toString()}#loggedModel:${node.model.uid}`;
    case 'modelDetail':
      return node.id;
  }
}

/** What a row shows; a row whose signature did not change is not refreshed. */
function signatureOf(node: RunsNode): string {
  if (node.kind === 'experiment') return JSON.stringify([node.experiment.name, node.experiment.runCount, node.experiment.format]);
  if (node.kind === 'run') return JSON.stringify([node.run, node.loggedModels ?? 0]);
  if (node.kind === 'loggedModel') return JSON.stringify(node.model);
  return itemId(node);
}


/** Experiments → runs, per workspace folder (folders appear as a top level only in multi-root workspaces). */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  /**
   * The node objects last handed to VS Code, by tree item id. They are reused (their row updated in
   * place) so that a store change can refresh exactly the rows that changed: a full refresh while a
   * run trains redrew every row each second, closing tooltips and losing hover.
   */
  private readonly shown = new Map<string, RunsNode>();
  private readonly signatures = new Map<string, string>();
  private storeChangeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscription: vscode.Disposable;

  private readonly stateSubscription: vscode.Disposable;

  constructor(
    private readonly stores: WorkspaceStores,
    private readonly keyMetricSetting: () => string | undefined,
    private readonly state: RunsViewState,
    private readonly servers?: ServerConnections,
  ) {
    this.subscription = stores.onDidChange(() => this.scheduleChangedRefresh());
    this.stateSubscription = state.onDidChange(() => this.refresh());
    this.serverSubscription = servers?.onDidChange(() => this.refresh());
  }

  private readonly serverSubscription: vscode.Disposable | undefined;

  refresh(): void {
    // Everything is asked for again: forget what was shown (filtered-out rows, closed experiments).
    this.shown.clear();
    this.signatures.clear();
    this.changeEmitter.fire(undefined);
  }

  /** At most a few refreshes a second while imports write, whatever their rate. */
  private scheduleChangedRefresh(): void {
    if (this.storeChangeTimer) return;
    this.storeChangeTimer = setTimeout(() => {
      this.storeChangeTimer = undefined;
      void this.refreshChanged().catch(() => this.refresh());
    }, STORE_REFRESH_MS);
  }

  /**
   * Recomputes what is shown and fires only for what changed: a run whose row changed, an experiment
   * whose runs came or went; the whole tree only when the experiments themselves changed.
   */
  private async refreshChanged(): Promise<void> {
    const experiments = [...this.shown.values()].filter((n): n is Extract<RunsNode, { kind: 'experiment' }> => n.kind === 'experiment' && !isServerUid(n.experiment.uid));
    const before = experiments.map((e) => this.signatures.get(itemId(e))).join('\n');
    const knownIds = new Set(experiments.map(itemId));
    const folders = vscode.workspace.workspaceFolders ?? [];
    const now = (await Promise.all(folders.map((f) => this.experimentsOf(f)))).flat();
    const nowIds = new Set(now.map(itemId));
    if (experiments.length === 0 || experiments.some((e) => !nowIds.has(itemId(e))) || now.some((e) => !knownIds.has(itemId(e)))) {
      this.refresh();
      return;
    }
    const changed: RunsNode[] = [];
    for (const experiment of experiments) {
      const runIdsBefore = this.signatures.get(`${itemId(experiment)}/children`);
      if (runIdsBefore === undefined) continue; // never expanded: VS Code asks when it is
      const runsBefore = runIdsBefore.split('\n').map((id) => this.signatures.get(id));
      const runs = await this.getChildren(experiment); // updates the reused nodes and their signatures
      const runsNow = runs.map((r) => this.signatures.get(itemId(r)));
      if (this.signatures.get(`${itemId(experiment)}/children`) !== runIdsBefore) changed.push(experiment);
      else runs.forEach((r, i) => runsBefore[i] !== runsNow[i] && changed.push(r));
    }
    if (before !== experiments.map((e) => this.signatures.get(itemId(e))).join('\n')) {
      // An experiment's own row (its run count) changed: refresh those experiments instead.
      for (const e of experiments) if (!changed.includes(e)) changed.push(e);
    }
    for (const node of changed) this.changeEmitter.fire(node);
  }

  /** The node already shown for this item, updated to `fresh`'s row, or `fresh` itself (remembered). */
  private remember<T extends RunsNode>(fresh: T): T {
    const id = itemId(fresh);
    const known = this.shown.get(id) as T | undefined;
    const node = known ?? fresh;
    if (known) Object.assign(known as object, fresh);
    this.shown.set(id, node);
    this.signatures.set(id, signatureOf(fresh));
    return node;
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
      }).map((run) => this.remember<RunsNode>({ kind: 'run', folder: node.folder, run, loggedModels: modelsByRun.get(run.uid)?.length ?? 0 }));
      const orphans = this.state.filter ? [] : orphanLoggedModels(store.db, node.experiment.id).map((model) => this.remember<RunsNode>({ kind: 'loggedModel', folder: node.folder, model }));
      const children = [...runs, ...orphans];
      this.signatures.set(`${itemId(node)}/children`, children.map(itemId).join('\n'));
      return children;
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
      .map((experiment) => this.remember<RunsNode>({ kind: 'experiment', folder, experiment }));
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
        item.id = itemId(node);
        item.description = `${e.runCount} run${e.runCount === 1 ? '' : 's'} · ${e.format}`;
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.contextValue = 'experiment';
        return item;
      }
      case 'run': {
        const r = node.run;
        const item = new vscode.TreeItem(r.name || r.externalId || r.uid, node.loggedModels ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = itemId(node);
        item.iconPath = STATUS_ICONS[r.status] ?? new vscode.ThemeIcon('circle-outline');
        const stale = isServerUid(r.uid) && this.servers?.get(r.uid.split(':')[1])?.status.state === 'error';
        const quiet = staleRunning(r, Date.now(), vscode.workspace.getConfiguration('modelLedger.runs').get<number>('staleRunningAfterHours', 24) * 3_600_000);
        item.description =
          (stale ? 'stale · ' : '') + (quiet ? `running? ${quiet} · ` : '') + (r.deleted ? 'deleted · ' : '') + (r.keyMetric ? `${r.keyMetric.key} ${formatNumber(r.keyMetric.value)}` : r.status.toLowerCase());
        if (quiet) item.iconPath = new vscode.ThemeIcon('question', new vscode.ThemeColor('charts.yellow'));
        item.contextValue = `run.${r.status.toLowerCase()}${r.deleted ? '.deleted' : ''}`;
        if (r.deleted) item.iconPath = new vscode.ThemeIcon('trash', new vscode.ThemeColor('disabledForeground'));
        item.accessibilityInformation = { label: `${item.label as string}, ${r.status.toLowerCase()}${r.keyMetric ? `, ${r.keyMetric.key} ${formatNumber(r.keyMetric.value)}` : ''}` };
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
    const lastOf = (m: (typeof metrics)[number]) => (m.last ? `${formatNumber(m.last.value)} @ step ${m.last.step}` : '—');
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
    if (this.storeChangeTimer) clearTimeout(this.storeChangeTimer);
    this.subscription.dispose();
    this.stateSubscription.dispose();
    this.serverSubscription?.dispose();
    this.changeEmitter.dispose();
  }
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '¦').replace(/\r?\n/g, ' ');
}
