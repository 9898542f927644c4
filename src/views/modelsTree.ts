import * as vscode from 'vscode';
import type { WorkspaceStores } from '../workspace/workspaceStores';
import { listModels, listVersions, type ModelRow, type VersionRow } from '../registry/queries';

type ModelsNode =
  | { readonly kind: 'model'; readonly folder: vscode.WorkspaceFolder; readonly model: ModelRow }
  | { readonly kind: 'version'; readonly folder: vscode.WorkspaceFolder; readonly model: ModelRow; readonly version: VersionRow };

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

  constructor(private readonly stores: WorkspaceStores) {
    this.subscription = stores.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changeEmitter.fire(undefined);
  }

  async getChildren(node?: ModelsNode): Promise<ModelsNode[]> {
    if (!node) {
      const out: ModelsNode[] = [];
      for (const folder of vscode.workspace.workspaceFolders ?? []) {
        const { store } = await this.stores.get(folder);
        for (const model of listModels(store.db)) out.push({ kind: 'model', folder, model });
      }
      return out;
    }
    if (node.kind === 'model') {
      const { store } = await this.stores.get(node.folder);
      return listVersions(store.db, node.model.id).map((version) => ({ kind: 'version', folder: node.folder, model: node.model, version }));
    }
    return [];
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    if (node.kind === 'model') {
      const m = node.model;
      const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `${node.folder.uri.toString()}#model:${m.origin}:${m.name}`;
      item.iconPath = new vscode.ThemeIcon('package');
      item.description = [
        `${m.versionCount} version${m.versionCount === 1 ? '' : 's'}`,
        m.productionVersion !== undefined ? `Production v${m.productionVersion}` : undefined,
        m.origin === 'ledger' ? undefined : m.origin,
      ]
        .filter(Boolean)
        .join(' · ');
      item.contextValue = 'model';
      return item;
    }
    const v = node.version;
    const item = new vscode.TreeItem(`v${v.version}`, vscode.TreeItemCollapsibleState.None);
    item.id = `${node.folder.uri.toString()}#model:${node.model.origin}:${node.model.name}:v${v.version}`;
    item.iconPath = STAGE_ICONS[v.stage] ?? STAGE_ICONS.None;
    item.description = [v.stage, ...v.aliases.map((a) => `@${a}`)].join(' ');
    item.contextValue = `version.${v.stage.toLowerCase()}`;
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}
