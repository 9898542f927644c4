import * as vscode from 'vscode';
import type { WorkspaceStores } from '../workspace/workspaceStores';
import { listModels, listVersions, type ModelRow, type VersionRow } from '../registry/queries';

export type ModelsNode =
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
    const readOnly = node.model.origin !== 'ledger';
    if (node.kind === 'model') {
      const m = node.model;
      const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `${node.folder.uri.toString()}#model:${m.origin}:${m.name}`;
      item.iconPath = new vscode.ThemeIcon('package');
      item.description = [
        m.productionVersion !== undefined ? `Production v${m.productionVersion}` : undefined,
        `${m.versionCount} version${m.versionCount === 1 ? '' : 's'}`,
        readOnly ? `${m.origin} (read-only)` : undefined,
      ]
        .filter(Boolean)
        .join(' · ');
      const tooltip = new vscode.MarkdownString();
      tooltip.appendMarkdown('**').appendText(m.name).appendMarkdown('**  \n');
      if (m.description) tooltip.appendText(m.description).appendMarkdown('  \n');
      tooltip.appendText(readOnly ? `Imported from ${m.origin}; changes are made where it lives.` : 'Registry: the workspace ledger.');
      item.tooltip = tooltip;
      item.contextValue = readOnly ? 'model.imported' : 'model';
      return item;
    }
    const v = node.version;
    const item = new vscode.TreeItem(`v${v.version}`, vscode.TreeItemCollapsibleState.None);
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
    if (v.createdBy || when) tooltip.appendText(`registered${v.createdBy ? ` by ${v.createdBy}` : ''}${when ? ` on ${when}` : ''}`);
    item.tooltip = tooltip;
    item.accessibilityInformation = { label: `${node.model.name} version ${v.version}, ${v.stage}${v.aliases.length ? `, aliases ${v.aliases.join(', ')}` : ''}` };
    item.contextValue = readOnly ? 'version.imported' : `version.${v.stage.toLowerCase()}`;
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}
