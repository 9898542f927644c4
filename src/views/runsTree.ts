import * as vscode from 'vscode';
import type { WorkspaceStores } from '../workspace/workspaceStores';
import { listExperiments, listRuns, type ExperimentRow, type RunRow } from '../tracking/queries';

type RunsNode =
  | { readonly kind: 'folder'; readonly folder: vscode.WorkspaceFolder }
  | { readonly kind: 'experiment'; readonly folder: vscode.WorkspaceFolder; readonly experiment: ExperimentRow }
  | { readonly kind: 'run'; readonly folder: vscode.WorkspaceFolder; readonly run: RunRow };

const STATUS_ICONS: Record<string, vscode.ThemeIcon> = {
  RUNNING: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  SCHEDULED: new vscode.ThemeIcon('clock'),
  FINISHED: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  FAILED: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  KILLED: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('testing.iconSkipped')),
};

/** Experiments → runs, per workspace folder (folders appear as a top level only in multi-root workspaces). */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly stores: WorkspaceStores) {
    this.subscription = stores.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changeEmitter.fire(undefined);
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (!node) {
      if (folders.length > 1) {
        return folders.map((folder) => ({ kind: 'folder', folder }));
      }
      return folders.length === 1 ? this.experimentsOf(folders[0]) : [];
    }
    if (node.kind === 'folder') {
      return this.experimentsOf(node.folder);
    }
    if (node.kind === 'experiment') {
      const { store } = await this.stores.get(node.folder);
      return listRuns(store.db, node.experiment.id).map((run) => ({ kind: 'run', folder: node.folder, run }));
    }
    return [];
  }

  private async experimentsOf(folder: vscode.WorkspaceFolder): Promise<RunsNode[]> {
    const { store } = await this.stores.get(folder);
    return listExperiments(store.db).map((experiment) => ({ kind: 'experiment', folder, experiment }));
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'folder': {
        const item = new vscode.TreeItem(node.folder.name, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = vscode.ThemeIcon.Folder;
        item.contextValue = 'folder';
        return item;
      }
      case 'experiment': {
        const e = node.experiment;
        const item = new vscode.TreeItem(e.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${node.folder.uri.toString()}#experiment:${e.uid}`;
        item.description = `${e.runCount} run${e.runCount === 1 ? '' : 's'} · ${e.format}`;
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.contextValue = 'experiment';
        return item;
      }
      case 'run': {
        const r = node.run;
        const item = new vscode.TreeItem(r.name || r.externalId || r.uid, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.folder.uri.toString()}#run:${r.uid}`;
        item.iconPath = STATUS_ICONS[r.status] ?? new vscode.ThemeIcon('circle-outline');
        item.description = r.status.toLowerCase();
        item.contextValue = `run.${r.status.toLowerCase()}`;
        const tooltip = new vscode.MarkdownString(undefined, true);
        tooltip.supportHtml = false;
        tooltip.appendMarkdown('**').appendText(item.label as string).appendMarkdown(`** — ${r.status}\n\n`);
        if (r.sourcePath) tooltip.appendText(r.sourcePath);
        item.tooltip = tooltip;
        return item;
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}
