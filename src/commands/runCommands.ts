import * as vscode from 'vscode';
import { RunsTreeProvider, type RunsNode } from '../views/runsTree';

/** Context-menu actions on a run in the Runs view. */
export function registerRunCommands(own: (d: vscode.Disposable) => void): void {
  own(
    vscode.commands.registerCommand('modelLedger.copyRunId', async (node?: RunsNode) => {
      if (node?.kind !== 'run') return;
      await vscode.env.clipboard.writeText(node.run.externalId ?? node.run.uid);
      vscode.window.setStatusBarMessage(`Copied run id ${node.run.externalId ?? node.run.uid}`, 3000);
    }),
  );
  own(
    vscode.commands.registerCommand('modelLedger.revealRunInExplorer', async (node?: RunsNode) => {
      const uri = node && RunsTreeProvider.sourceUri(node);
      if (uri) await vscode.commands.executeCommand('revealInExplorer', uri);
    }),
  );
  own(
    vscode.commands.registerCommand('modelLedger.openRunSource', async (node?: RunsNode) => {
      const uri = node && RunsTreeProvider.sourceUri(node);
      if (!uri) return;
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.type & vscode.FileType.Directory) await vscode.commands.executeCommand('revealInExplorer', uri);
      else await vscode.window.showTextDocument(uri, { preview: true });
    }),
  );
}
