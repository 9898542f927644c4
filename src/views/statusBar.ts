import * as vscode from 'vscode';
import { runStatusCounts } from '../tracking/queries';
import type { WorkspaceStores } from '../workspace/workspaceStores';

/** "$(beaker) 12 runs · 1 running" in the status bar; a click opens the Runs view. */
export class RunsStatusBarItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('modelLedger.runs', vscode.StatusBarAlignment.Left, 10);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly stores: WorkspaceStores) {
    this.item.name = 'Model Ledger Runs';
    this.item.command = 'modelLedger.runs.focus';
    this.subscription = stores.onDidChange(() => void this.update());
  }

  async update(): Promise<void> {
    let total = 0;
    let running = 0;
    for (const { store } of await this.stores.openedStores()) {
      const counts = runStatusCounts(store.db);
      total += counts.total;
      running += counts.running;
    }
    if (total === 0) {
      this.item.hide();
      return;
    }
    this.item.text = running > 0 ? `$(sync~spin) ${total} runs · ${running} running` : `$(beaker) ${total} runs`;
    this.item.tooltip = 'Model Ledger: show the Runs view';
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
