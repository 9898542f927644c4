import * as vscode from 'vscode';
import { CardError, createHumanPartsIfMissing, humanCardFile, huggingFaceCard, loadCard, modelCardToolkitJson } from '../cards';
import { toJson } from '../shared/json';
import type { ModelsNode } from '../views/modelsTree';
import type { WorkspaceRegistry } from '../workspace/workspaceRegistry';
import type { WorkspaceStores } from '../workspace/workspaceStores';

interface Deps {
  readonly stores: WorkspaceStores;
  readonly registry: WorkspaceRegistry;
}

async function pickVersion(deps: Deps): Promise<{ folder: vscode.WorkspaceFolder; model: string; version: number } | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const folder = folders.length <= 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which folder’s registry?' });
  if (!folder) return undefined;
  const { state } = await deps.registry.registry(folder).snapshot();
  const items = [...state.models.values()].flatMap((m) =>
    [...m.versions.values()].sort((a, b) => b.version - a.version).map((v) => ({ label: `${m.name} v${v.version}`, description: v.stage, model: m.name, version: v.version })),
  );
  const picked = await vscode.window.showQuickPick(items, { title: 'Open Model Card: version', placeHolder: items.length ? 'Pick a model version' : 'No models in the ledger yet' });
  return picked ? { folder, model: picked.model, version: picked.version } : undefined;
}

/**
 * "Open Model Card" on a version: the Hugging Face card in a Markdown preview (an untitled document,
 * nothing written), with actions to edit the human parts (created from a template only when absent)
 * and to save the Model Card Toolkit JSON.
 */
export function registerCardCommands(own: (d: vscode.Disposable) => void, deps: Deps): void {
  own(
    vscode.commands.registerCommand('modelLedger.openModelCard', async (node?: ModelsNode) => {
      const target =
        node?.kind === 'version' && node.model.origin === 'ledger' ? { folder: node.folder, model: node.model.name, version: node.version.version } : await pickVersion(deps);
      if (!target) return undefined;
      const ledgerFile = deps.registry.ledgerFile(target.folder);
      const { store } = await deps.stores.get(target.folder);
      let card;
      try {
        card = await loadCard({ ledgerFile, workspaceRoot: target.folder.uri.fsPath, db: store.db, model: target.model, version: target.version });
      } catch (error) {
        if (error instanceof CardError) return void vscode.window.showErrorMessage(`Model Ledger: ${error.message}`);
        throw error;
      }
      const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: huggingFaceCard(card) });
      await vscode.window.showTextDocument(document, { preview: true });
      await vscode.commands.executeCommand('markdown.showPreviewToSide', document.uri);
      const problems = card.human.problems.length ? ` ${card.human.problems.join(' ')}` : '';
      const choice = await vscode.window.showInformationMessage(
        `Model Ledger: model card of ${target.model} v${target.version}.${card.human.exists ? '' : ' Intended use, limitations and ethical considerations are written by people:'}${problems}`,
        card.human.exists ? 'Edit Human Parts' : 'Create Human Parts',
        'Save Model Card Toolkit JSON',
      );
      if (choice === 'Edit Human Parts' || choice === 'Create Human Parts') {
        const file = humanCardFile(ledgerFile, target.model);
        await createHumanPartsIfMissing(file, target.model);
        await vscode.window.showTextDocument(vscode.Uri.file(file));
      } else if (choice === 'Save Model Card Toolkit JSON') {
        const uri = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(target.folder.uri, `${target.model.replace(/[\\/]/g, '_')}-v${target.version}.model-card.json`), filters: { JSON: ['json'] } });
        if (uri) await vscode.workspace.fs.writeFile(uri, Buffer.from(toJson(modelCardToolkitJson(card)) + '\n', 'utf8'));
      }
      return { model: target.model, version: target.version, document: document.uri.toString() };
    }),
  );
}
