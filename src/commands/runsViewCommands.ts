import * as vscode from 'vscode';
import { compileRunFilter, RUN_SORTS, RunFilterError } from '../tracking/runFilter';
import type { RunsViewState } from '../views/runsViewState';

const FILTER_EXAMPLES = 'val_loss < 0.3 · params.lr = 0.001 · tags.stage = prod · status = running · name ~ sweep';

/** Sort, filter and show/hide deleted for the Runs view (title-bar buttons and the palette). */
export function registerRunsViewCommands(own: (d: vscode.Disposable) => void, state: RunsViewState): void {
  own(
    vscode.commands.registerCommand('modelLedger.runs.sort', async () => {
      const picked = await vscode.window.showQuickPick(
        RUN_SORTS.map((s) => ({ label: s.label, id: s.id, picked: s.id === state.sort, description: s.id === state.sort ? 'current' : undefined })),
        { title: 'Sort runs by', placeHolder: 'Sort the Runs view' },
      );
      if (picked) await state.setSort(picked.id);
    }),
  );
  own(
    vscode.commands.registerCommand('modelLedger.runs.filter', async (expression?: string) => {
      const text =
        typeof expression === 'string'
          ? expression
          : await vscode.window.showInputBox({
              title: 'Filter runs',
              prompt: `Clauses joined with "and": ${FILTER_EXAMPLES}`,
              value: state.filterText ?? '',
              placeHolder: 'val_loss < 0.3 and params.optimizer = adam',
              validateInput: (value) => (value.trim() ? validate(value) : undefined),
            });
      if (text === undefined) return;
      try {
        await state.setFilter(text.trim() || undefined);
      } catch (error) {
        if (error instanceof RunFilterError) void vscode.window.showErrorMessage(`Model Ledger: ${error.message}`);
        else throw error;
      }
    }),
  );
  own(vscode.commands.registerCommand('modelLedger.runs.clearFilter', () => state.setFilter(undefined)));
  own(vscode.commands.registerCommand('modelLedger.runs.showDeleted', () => state.setShowDeleted(true)));
  own(vscode.commands.registerCommand('modelLedger.runs.hideDeleted', () => state.setShowDeleted(false)));
}

/** Checks the expression as the user types; the same compiler runs when it is accepted. */
function validate(value: string): string | undefined {
  try {
    compileRunFilter(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
