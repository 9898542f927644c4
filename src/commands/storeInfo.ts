import * as vscode from 'vscode';
import { storeStats } from '../store';
import type { WorkspaceStores } from '../workspace/workspaceStores';

/** "Model Ledger: Show Store Info": where each folder's store is and what it holds. */
export async function showStoreInfo(stores: WorkspaceStores, log: vscode.LogOutputChannel): Promise<string> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    const message = 'Model Ledger: open a folder to create its store.';
    void vscode.window.showInformationMessage(message);
    return message;
  }
  const lines: string[] = [];
  for (const folder of folders) {
    const { store, persistent } = await stores.get(folder);
    const stats = await storeStats(store);
    const where = persistent ? stats.file : '(in memory, not saved)';
    const line =
      `${folder.name}: ${stats.experiments} experiments, ${stats.runs} runs, ${stats.metricPoints} metric points, ` +
      `${stats.models} models, ${stats.modelVersions} versions; schema v${stats.schemaVersion}; ${where}` +
      (stats.fileBytes !== undefined ? ` (${stats.fileBytes} bytes)` : '');
    lines.push(line);
    log.info(`Store info — ${line}`);
  }
  const summary = `Model Ledger: ${lines.join(' | ')}`;
  void vscode.window.showInformationMessage(summary, 'Show Output').then((choice) => choice && log.show());
  return summary;
}
