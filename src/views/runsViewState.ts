import * as vscode from 'vscode';
import { compileRunFilter, type CompiledFilter, type RunSort } from '../tracking/runFilter';

/** Keys of what the Runs view remembers per workspace (workspaceState), in one place. */
const enum StateKey {
  Sort = 'modelLedger.runs.sort',
  Filter = 'modelLedger.runs.filter',
  ShowDeleted = 'modelLedger.runs.showDeleted',
}

/** The Runs view's sort, filter and "show deleted" switch: persisted per workspace, mirrored in context keys for menus. */
export class RunsViewState {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;
  private compiled: CompiledFilter | undefined;

  constructor(private readonly memento: vscode.Memento) {
    const text = this.filterText;
    if (text) {
      try {
        this.compiled = compileRunFilter(text);
      } catch {
        void memento.update(StateKey.Filter, undefined);
      }
    }
    void this.updateContextKeys();
  }

  get sort(): RunSort {
    return this.memento.get<RunSort>(StateKey.Sort, 'newest');
  }

  get filterText(): string | undefined {
    return this.memento.get<string>(StateKey.Filter);
  }

  get filter(): CompiledFilter | undefined {
    return this.compiled;
  }

  get showDeleted(): boolean {
    return this.memento.get<boolean>(StateKey.ShowDeleted, false);
  }

  async setSort(sort: RunSort): Promise<void> {
    await this.memento.update(StateKey.Sort, sort);
    this.changed();
  }

  /** Throws RunFilterError for an expression it cannot read (nothing changes then). */
  async setFilter(text: string | undefined): Promise<void> {
    this.compiled = text ? compileRunFilter(text) : undefined;
    await this.memento.update(StateKey.Filter, this.compiled?.text);
    this.changed();
  }

  async setShowDeleted(show: boolean): Promise<void> {
    await this.memento.update(StateKey.ShowDeleted, show);
    this.changed();
  }

  private changed(): void {
    void this.updateContextKeys();
    this.changeEmitter.fire();
  }

  private async updateContextKeys(): Promise<void> {
    await vscode.commands.executeCommand('setContext', 'modelLedger.runs.filtered', this.compiled !== undefined);
    await vscode.commands.executeCommand('setContext', 'modelLedger.runs.showingDeleted', this.showDeleted);
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
