import * as vscode from 'vscode';
import { ComparePanel, registerCompareSerializer } from '../panels/comparePanel';
import { listModels, listVersions } from '../registry/queries';
import { listAllRuns } from '../tracking/report';
import type { ModelsNode } from '../views/modelsTree';
import type { RunsNode } from '../views/runsTree';
import type { WorkspaceImports } from '../workspace/workspaceImports';
import type { WorkspaceStores } from '../workspace/workspaceStores';

/** Compare Runs (Runs view multi-select, or the palette with a multi-select quick pick) and Compare with Production. */
export function registerCompareCommands(
  own: (d: vscode.Disposable) => void,
  context: vscode.ExtensionContext,
  stores: WorkspaceStores,
  imports: WorkspaceImports,
  /** Called with the run uids before a panel opens (MLflow server runs: fetch their full histories). */
  prepare?: (runUids: readonly string[]) => Promise<void>,
): void {
  const open = async (folder: vscode.WorkspaceFolder, uids: readonly string[]) => {
    if (prepare) await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Model Ledger: fetching metric histories' }, () => prepare(uids));
    return ComparePanel.open(context, { stores }, folder, uids);
  };
  own(registerCompareSerializer(context, { stores }));
  own(
    vscode.commands.registerCommand('modelLedger.compareRuns', async (node?: RunsNode, selected?: RunsNode[]) => {
      // Runs and MLflow 3 LoggedModels compare side by side (a LoggedModel's uid stands for it).
      let runs = (selected ?? (node ? [node] : []))
        .filter((n): n is Extract<RunsNode, { kind: 'run' | 'loggedModel' }> => n.kind === 'run' || n.kind === 'loggedModel')
        .map((n) => ({ folder: n.folder, run: { uid: n.kind === 'run' ? n.run.uid : n.model.uid } }));
      let folder: vscode.WorkspaceFolder | undefined = runs[0]?.folder;
      if (runs.length < 2) {
        // From the palette (or one run selected): pick the runs.
        const folders = vscode.workspace.workspaceFolders ?? [];
        folder ??= folders.length <= 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Compare runs of which folder?' });
        if (!folder) return;
        // Right after the workspace opens, the first import may still be running: list its runs, not an empty store.
        await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Model Ledger: importing runs' }, () => imports.ready(folder!));
        const { store } = await stores.get(folder);
        const chosen = new Set(runs.map((r) => r.run.uid));
        const picked = await vscode.window.showQuickPick(
          listAllRuns(store.db).map((r) => ({ label: r.name ?? r.id, description: `${r.status.toLowerCase()} · ${r.experiment}`, detail: r.source, uid: r.uid, picked: chosen.has(r.uid) })),
          { title: 'Compare runs', placeHolder: 'Pick two or more runs', canPickMany: true, matchOnDescription: true, matchOnDetail: true },
        );
        if (!picked) return;
        if (picked.length < 2) {
          void vscode.window.showInformationMessage('Model Ledger: pick two or more runs to compare.');
          return;
        }
        return open(folder, picked.map((p) => p.uid));
      }
      // One store per folder: a comparison stays within the first selected run's folder.
      runs = runs.filter((r) => r.folder === folder);
      return open(folder!, runs.map((r) => r.run.uid));
    }),
  );
  own(
    vscode.commands.registerCommand('modelLedger.compareWithProduction', async (node?: ModelsNode) => {
      if (node?.kind !== 'version') return;
      const { store } = await stores.get(node.folder);
      const model = listModels(store.db).find((m) => m.id === node.model.id);
      const production = model ? listVersions(store.db, model.id).find((v) => v.stage === 'Production') : undefined;
      if (!production) {
        void vscode.window.showInformationMessage(`Model Ledger: ${node.model.name} has no Production version to compare with.`);
        return;
      }
      if (!node.version.runUid || !production.runUid) {
        void vscode.window.showInformationMessage('Model Ledger: both versions need a source run in this workspace to compare.');
        return;
      }
      if (production.version === node.version.version) {
        void vscode.window.showInformationMessage(`Model Ledger: v${production.version} is the Production version.`);
        return;
      }
      return open(node.folder, [production.runUid, node.version.runUid]);
    }),
  );
}
