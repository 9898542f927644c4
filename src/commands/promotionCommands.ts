import path from 'node:path';
import * as vscode from 'vscode';
import { loadPolicy } from '../policy';
import { PromotionPanel, registerPromotionSerializer } from '../panels/promotionPanel';
import { STAGES, type Stage } from '../registry/events';
import { auditHtml, auditMarkdown, buildAudit } from '../report/auditReport';
import type { ModelsNode } from '../views/modelsTree';
import type { WorkspaceRegistry } from '../workspace/workspaceRegistry';
import type { WorkspaceStores } from '../workspace/workspaceStores';
import { plural } from '../shared/format';

interface Deps {
  readonly stores: WorkspaceStores;
  readonly registry: WorkspaceRegistry;
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which folder’s registry?' });
}

/** The stage a "Promote…" most likely means: the next one up from where the version is. */
function nextStage(stage: Stage): Stage {
  return stage === 'None' ? 'Staging' : stage === 'Staging' ? 'Production' : stage === 'Archived' ? 'Staging' : 'Archived';
}

/** Promote… (Models tree context menu, palette) and Export Audit Report. */
export function registerPromotionCommands(own: (d: vscode.Disposable) => void, context: vscode.ExtensionContext, deps: Deps): void {
  own(registerPromotionSerializer(context, deps));
  own(
    vscode.commands.registerCommand('modelLedger.promote', async (node?: ModelsNode, stageArgument?: Stage) => {
      const folder = node?.folder ?? (await pickFolder());
      if (!folder) return undefined;
      const { state } = await deps.registry.registry(folder).snapshot();
      let modelName = node && node.kind !== 'detail' && node.kind !== 'server' && node.model.origin === 'ledger' ? node.model.name : undefined;
      if (node?.kind === 'version' && node.model.origin !== 'ledger') {
        void vscode.window.showInformationMessage(`Model Ledger: ${node.model.name} lives in ${node.model.origin}, which Model Ledger does not write; use "Transition Stage…" to copy it into the ledger first.`);
        return undefined;
      }
      if (!modelName) {
        const models = [...state.models.values()];
        const picked = await vscode.window.showQuickPick(
          models.map((m) => {
            const production = [...m.versions.values()].find((v) => v.stage === 'Production');
            return { label: m.name, description: `${plural(m.versions.size, 'version')}${production ? ` · Production v${production.version}` : ''}` };
          }),
          { title: 'Promote: model', placeHolder: models.length ? 'Pick a model' : 'No models in the ledger yet: register a run first' },
        );
        modelName = picked?.label;
      }
      const model = modelName ? state.models.get(modelName) : undefined;
      if (!model) return undefined;
      let version = node?.kind === 'version' ? node.version.version : undefined;
      if (version === undefined) {
        const picked = await vscode.window.showQuickPick(
          [...model.versions.values()].sort((a, b) => b.version - a.version).map((v) => ({ label: `v${v.version}`, description: v.stage + (v.description ? ` · ${v.description}` : ''), version: v.version })),
          { title: `Promote ${model.name}: version` },
        );
        version = picked?.version;
      }
      const current = version === undefined ? undefined : model.versions.get(version);
      if (!current) return undefined;
      // From a version in the Models view the panel opens at once on the next stage (its target can be
      // changed in the panel); pickers are for the palette. A multi-selection passes an array here.
      let stage = typeof stageArgument === 'string' ? stageArgument : node?.kind === 'version' ? nextStage(current.stage) : undefined;
      if (!stage) {
        const suggested = nextStage(current.stage);
        const picked = await vscode.window.showQuickPick(
          [suggested, ...STAGES.filter((s) => s !== suggested && s !== current.stage)].map((s) => ({ label: s, description: s === 'Production' ? 'the current Production version is archived' : undefined })),
          { title: `Promote ${model.name} v${current.version} (${current.stage}) to…` },
        );
        stage = picked?.label as Stage | undefined;
      }
      if (!stage) return undefined;
      return PromotionPanel.open(context, deps, folder, model.name, current.version, stage);
    }),
  );
  own(
    vscode.commands.registerCommand('modelLedger.exportAuditReport', async (outputArgument?: string | vscode.Uri) => {
      const folder = await pickFolder();
      if (!folder) return undefined;
      let target = typeof outputArgument === 'string' ? vscode.Uri.file(path.resolve(folder.uri.fsPath, outputArgument)) : outputArgument instanceof vscode.Uri ? outputArgument : undefined;
      target ??= await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.joinPath(folder.uri, 'audit-report.md'),
        filters: { 'Markdown (an HTML file is written beside it)': ['md'] },
        title: 'Export Audit Report (Markdown + HTML)',
      });
      if (!target) return undefined;
      const stem = target.fsPath.replace(/\.(md|markdown|html?)$/i, '');
      const files = { markdown: `${stem}.md`, html: `${stem}.html` };
      const data = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Model Ledger: writing the audit report' }, async () => {
        const { store } = await deps.stores.get(folder);
        const audit = await buildAudit({
          ledgerFile: deps.registry.ledgerFile(folder),
          workspaceRoot: folder.uri.fsPath,
          db: store.db,
          policy: await loadPolicy(deps.registry.policyFile(folder)),
        });
        await vscode.workspace.fs.writeFile(vscode.Uri.file(files.markdown), Buffer.from(auditMarkdown(audit), 'utf8'));
        await vscode.workspace.fs.writeFile(vscode.Uri.file(files.html), Buffer.from(auditHtml(audit), 'utf8'));
        return audit;
      });
      const message = `Model Ledger: audit report of ${data.models.length} model(s) written to ${vscode.workspace.asRelativePath(files.markdown)} and ${path.basename(files.html)}; ledger ${data.verification.ok ? 'verified' : `NOT verified (${data.verification.problems.length} problems)`}.`;
      if (typeof outputArgument === 'undefined') {
        void vscode.window.showInformationMessage(message, 'Open Markdown').then((c) => c && vscode.window.showTextDocument(vscode.Uri.file(files.markdown)));
      }
      return { ...files, ok: data.verification.ok, models: data.models.length };
    }),
  );
}
