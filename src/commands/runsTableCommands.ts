import * as vscode from 'vscode';
import { ComparePanel } from '../panels/comparePanel';
import { RunsTablePanel } from '../panels/runsTablePanel';
import type { RunsNode } from '../views/runsTree';
import type { WorkspaceImports } from '../workspace/workspaceImports';
import type { WorkspaceStores } from '../workspace/workspaceStores';

/** Open Runs Table: from the Runs view's title bar (every run), an experiment's context menu, or the palette. */
export function registerRunsTableCommands(own: (d: vscode.Disposable) => void, context: vscode.ExtensionContext, stores: WorkspaceStores, imports: WorkspaceImports): void {
  const deps = { stores, compare: (folder: vscode.WorkspaceFolder, uids: readonly string[]) => ComparePanel.open(context, { stores }, folder, uids) };
  own(
    vscode.commands.registerCommand('modelLedger.openRunsTable', async (node?: RunsNode) => {
      const folders = vscode.workspace.workspaceFolders ?? [];
      const folder = node?.folder ?? (folders.length <= 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Runs of which folder?' }));
      if (!folder) return undefined;
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Model Ledger: importing runs' }, () => imports.ready(folder));
      const scope = node?.kind === 'experiment' ? { experimentId: node.experiment.id, experimentName: node.experiment.name } : {};
      return RunsTablePanel.open(context, deps, folder, scope);
    }),
  );
}
