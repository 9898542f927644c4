// Models view: "Verify Artifacts" re-hashes a version's artifact folder against the manifest recorded at registration.
import * as vscode from 'vscode';
import { describeArtifactCheck, verifyVersionArtifacts, type ArtifactCheck } from '../signing/artifactManifest';
import type { ModelsNode } from '../views/modelsTree';
import type { WorkspaceRegistry } from '../workspace/workspaceRegistry';

interface Deps {
  readonly registry: WorkspaceRegistry;
  readonly log: vscode.LogOutputChannel;
}

export function registerSigningCommands(own: (d: vscode.Disposable) => void, deps: Deps): void {
  own(
    vscode.commands.registerCommand('modelLedger.verifyArtifacts', async (node?: ModelsNode): Promise<ArtifactCheck | undefined> => {
      if (node?.kind !== 'version') {
        void vscode.window.showInformationMessage('Model Ledger: run Verify Artifacts on a model version in the Models view.');
        return undefined;
      }
      const name = `${node.model.name} v${node.version.version}`;
      const check = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Hashing ${name}'s artifacts` }, () =>
        verifyVersionArtifacts(deps.registry.ledgerFile(node.folder), node.model.name, node.version.version),
      );
      if (!check) {
        void vscode.window.showWarningMessage(`Model Ledger: ${name} has no register event in the ledger.`);
        return undefined;
      }
      const lines = describeArtifactCheck(check);
      for (const line of lines) deps.log.info(`verify artifacts ${name}: ${line}`);
      if (check.ok) void vscode.window.showInformationMessage(`Model Ledger: ${name}: ${lines[0]}.`);
      else void vscode.window.showWarningMessage(`Model Ledger: ${name}: ${lines.slice(0, 5).join('; ')}${lines.length > 5 ? `; and ${lines.length - 5} more (see the log)` : ''}`);
      return check;
    }),
  );
}
