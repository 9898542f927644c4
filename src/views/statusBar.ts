import * as vscode from 'vscode';
import { plural } from '../shared/format';
import { listExperiments, runStatusCounts } from '../tracking/queries';
import type { WorkspaceStores } from '../workspace/workspaceStores';
import type { RunsViewState } from './runsViewState';

/**
 * "$(beaker) 12 runs · 1 running" in the status bar, or "4 of 17 runs" while the Runs view is
 * filtered (the same count the view shows); a click opens the Runs view.
 */
export class RunsStatusBarItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('modelLedger.runs', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly stores: WorkspaceStores,
    private readonly view?: RunsViewState,
  ) {
    this.item.name = 'Model Ledger Runs';
    this.item.command = 'modelLedger.runs.focus';
    this.subscriptions = [stores.onDidChange(() => void this.update()), ...(view ? [view.onDidChange(() => void this.update())] : [])];
  }

  async update(): Promise<void> {
    let total = 0;
    let running = 0;
    let shown = 0;
    const filter = this.view?.filter;
    for (const { store } of await this.stores.openedStores()) {
      const counts = runStatusCounts(store.db);
      total += counts.total;
      running += counts.running;
      if (filter) shown += listExperiments(store.db, { filter }).reduce((sum, e) => sum + e.runCount, 0);
    }
    if (total === 0) {
      this.item.hide();
      return;
    }
    const runs = filter ? `${shown} of ${plural(total, 'run')}` : plural(total, 'run');
    this.item.text = running > 0 ? `$(sync~spin) ${runs} · ${running} running` : `$(beaker) ${runs}`;
    this.item.tooltip = filter ? `Model Ledger: ${shown} runs match the filter "${this.view?.filterText ?? ''}"; show the Runs view` : 'Model Ledger: show the Runs view';
    this.item.show();
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }
}
