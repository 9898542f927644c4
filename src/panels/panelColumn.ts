import * as vscode from 'vscode';

/**
 * Where a panel opens: in the editor group the user is working in (the default), or beside it with
 * `modelLedger.panels.openBeside`. Opening every panel beside the last one left four ~420 px columns
 * where nothing fit.
 */
export function panelColumn(): vscode.ViewColumn {
  return vscode.workspace.getConfiguration('modelLedger.panels').get<boolean>('openBeside', false) ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
}
