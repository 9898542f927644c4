import * as vscode from 'vscode';
import { STAGES, type Stage } from '../registry/events';
import { PolicyBlockedError, RegistryError } from '../registry/ledgerRegistry';
import { gtoAssignStage, gtoUnassignStage } from '../registry/external/gtoWriter';
import { currentActor } from '../registry/identity';
import { listModels, listVersions, versionTags } from '../registry/queries';
import { listAllRuns } from '../tracking/report';
import type { ModelsNode } from '../views/modelsTree';
import type { RunsNode } from '../views/runsTree';
import type { WorkspaceImports } from '../workspace/workspaceImports';
import type { WorkspaceRegistry } from '../workspace/workspaceRegistry';
import type { WorkspaceStores } from '../workspace/workspaceStores';
import { plural } from '../shared/format';

interface Deps {
  readonly stores: WorkspaceStores;
  readonly registry: WorkspaceRegistry;
  readonly imports: WorkspaceImports;
}

/** GTO's conventional stage names for the registry's stages. */
const GTO_STAGE: Partial<Record<Stage, string>> = { Production: 'prod', Staging: 'staging' };

/**
 * A stage change on a version another tool keeps: GTO versions get GTO's own annotated tags (safe to
 * write: git tags, nothing rewritten); MLflow's files and databases are never written, so the
 * change is offered on a copy of the version in the Model Ledger registry.
 */
async function transitionImported(deps: Deps, node: Extract<ModelsNode, { kind: 'version' }>, stage: Stage, reason: string): Promise<void> {
  const { store } = await deps.stores.get(node.folder);
  const tags = versionTags(store.db, node.version.id);
  if (node.model.origin === 'gto') {
    const semver = tags['gto.version'];
    if (!semver) throw new RegistryError(`${node.model.name} v${node.version.version} has no GTO version tag`);
    const actor = await currentActor(node.folder.uri.fsPath);
    const held = (tags['gto.stage'] ?? '').split(',').filter(Boolean);
    const target = GTO_STAGE[stage];
    try {
      if (target) {
        await gtoAssignStage(node.folder.uri.fsPath, { artifact: node.model.name, version: semver, stage: target, ...(reason ? { message: reason } : {}), actor });
      } else {
        for (const s of held) await gtoUnassignStage(node.folder.uri.fsPath, { artifact: node.model.name, version: semver, stage: s, actor });
      }
    } catch (error) {
      throw new RegistryError((error as Error).message);
    }
    await deps.imports.refreshRegistries(node.folder);
    void vscode.window.showInformationMessage(`Model Ledger: GTO tag${target ? '' : 's'} created for ${node.model.name} ${semver}. Push the tags to share them (git push --tags).`);
    return;
  }
  const copy = await vscode.window.showInformationMessage(
    `${node.model.name} v${node.version.version} lives in ${node.model.origin}, which Model Ledger does not write. Copy it to the Model Ledger registry and move the copy to ${stage}?`,
    { modal: true },
    'Copy and Move',
  );
  if (copy !== 'Copy and Move') return;
  const ledger = deps.registry.registry(node.folder);
  const registered = await ledger.register({
    model: node.model.name,
    ...(node.version.runUid ? { runUid: node.version.runUid } : {}),
    ...(node.version.source ? { source: node.version.source } : {}),
    ...(node.version.description ? { description: node.version.description } : {}),
    tags: { 'copied.from': `${node.model.origin} v${node.version.version}` },
    reason: `copied from ${node.model.origin}`,
  });
  if (stage !== 'None') await ledger.transition({ model: node.model.name, version: registered.version!, stage, ...(reason ? { reason } : {}) });
  await deps.registry.reproject(node.folder);
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which folder’s registry?' });
}

/**
 * Runs every registry change through one path: refused in an untrusted workspace (it browses
 * read-only), and a refused change is a message, not a crash.
 */
function guarded<A extends unknown[]>(work: (...args: A) => Promise<unknown>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showInformationMessage('Model Ledger: this workspace is not trusted, so the registry is read-only here.', 'Manage Workspace Trust').then(
        (choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'),
      );
      return;
    }
    try {
      await work(...args);
    } catch (error) {
      if (error instanceof PolicyBlockedError) {
        const failed = error.verdict.gates.filter((g) => g.status !== 'pass').map((g) => `${String(g.gate)}: ${String(g.reason)}`);
        void vscode.window.showErrorMessage(`Model Ledger: blocked by the policy. ${failed.join(' · ')}`, { modal: false });
      } else if (error instanceof RegistryError) void vscode.window.showErrorMessage(`Model Ledger: ${error.message}`);
      else throw error;
    }
  };
}

async function pickLedgerVersion(
  deps: Deps,
  node: ModelsNode | undefined,
  options: { includeImported?: boolean } = {},
): Promise<{ folder: vscode.WorkspaceFolder; model: string; version: number; stage: string } | undefined> {
  if (node?.kind === 'version') return { folder: node.folder, model: node.model.name, version: node.version.version, stage: node.version.stage };
  const folder = node?.folder ?? (await pickFolder());
  if (!folder) return undefined;
  const { store } = await deps.stores.get(folder);
  let modelName = node?.kind === 'model' ? node.model.name : undefined;
  const models = listModels(store.db).filter((m) => options.includeImported || m.origin === 'ledger');
  if (!modelName) {
    const picked = await vscode.window.showQuickPick(
      models.map((m) => ({ label: m.name, description: `${plural(m.versionCount, 'version')}${m.productionVersion ? ` · Production v${m.productionVersion}` : ''}` })),
      { title: 'Model', placeHolder: models.length ? 'Pick a model' : 'No models in the ledger yet: register a run first' },
    );
    modelName = picked?.label;
  }
  const model = models.find((m) => m.name === modelName);
  if (!model) return undefined;
  const versions = listVersions(store.db, model.id);
  const picked = await vscode.window.showQuickPick(
    versions.map((v) => ({ label: `v${v.version}`, description: [v.stage, ...v.aliases.map((a) => `@${a}`)].join(' '), version: v })),
    { title: `${model.name}: version` },
  );
  return picked ? { folder, model: model.name, version: picked.version.version, stage: picked.version.stage } : undefined;
}

export function registerRegistryCommands(own: (d: vscode.Disposable) => void, deps: Deps): void {
  own(
    vscode.commands.registerCommand(
      'modelLedger.registerRun',
      guarded(async (node?: RunsNode, selected?: RunsNode[], preset?: { model: string; description?: string }) => {
        const target = selected?.find((n) => n.kind === 'run' || n.kind === 'loggedModel') ?? node;
        let folder = target?.folder;
        let run =
          target?.kind === 'run'
            ? { uid: target.run.uid, id: target.run.externalId, name: target.run.name, source: target.run.sourcePath }
            : target?.kind === 'loggedModel'
              ? // An MLflow 3 LoggedModel: the version's source names it the way MLflow does (models:/m-…).
                { uid: target.model.sourceRunUid ?? target.model.uid, id: target.model.sourceRunId, name: target.model.name, source: `models:/${target.model.modelId}` }
              : undefined;
        if (!run) {
          folder ??= await pickFolder();
          if (!folder) return;
          const { store } = await deps.stores.get(folder);
          const picked = await vscode.window.showQuickPick(
            listAllRuns(store.db).map((r) => ({ label: r.name ?? r.id, description: `${r.status.toLowerCase()} · ${r.experiment}`, detail: r.source, run: r })),
            { title: 'Register a run as a model version', placeHolder: 'Pick the run', matchOnDescription: true, matchOnDetail: true },
          );
          if (!picked) return;
          run = { uid: picked.run.uid, id: picked.run.id, name: picked.run.name, source: picked.run.source };
        }
        if (!folder) return;
        const { store } = await deps.stores.get(folder);
        const existing = listModels(store.db).filter((m) => m.origin === 'ledger');
        const NEW = '$(add) New model…';
        const choice = preset?.model ?? await vscode.window.showQuickPick([NEW, ...existing.map((m) => m.name)], { title: `Register ${run.name ?? run.id ?? run.uid}: model`, placeHolder: 'An existing model gets its next version' });
        if (!choice) return;
        const model =
          choice === NEW
            ? await vscode.window.showInputBox({
                title: 'New model name',
                value: run.name?.replace(/[^A-Za-z0-9_.-]+/g, '-') ?? '',
                validateInput: (v) => (!v.trim() ? 'A name is needed' : existing.some((m) => m.name === v.trim()) ? 'That model exists: pick it instead' : undefined),
              })
            : choice;
        if (!model) return;
        const description = preset ? (preset.description ?? '') : await vscode.window.showInputBox({ title: `${model}: description of the new version (optional)`, placeHolder: 'What changed, what it is for' });
        if (description === undefined) return;
        const event = await deps.registry.registry(folder).register({
          model: model.trim(),
          runUid: run.uid,
          ...(run.id ? { runId: run.id } : {}),
          ...(run.source ? { source: run.source } : {}),
          ...(description.trim() ? { description: description.trim() } : {}),
        });
        await deps.registry.reproject(folder);
        void vscode.window.showInformationMessage(`Model Ledger: registered ${event.model} v${event.version}.`);
      }),
    ),
  );
  own(
    vscode.commands.registerCommand(
      'modelLedger.transitionStage',
      guarded(async (node?: ModelsNode, stageArgument?: Stage, reasonArgument?: string) => {
        if (node?.kind === 'version' && node.model.origin !== 'ledger') {
          const stage =
            stageArgument ??
            ((await vscode.window.showQuickPick(STAGES.filter((s) => s !== node.version.stage), { title: `${node.model.name} v${node.version.version} (${node.model.origin}) → stage` })) as Stage | undefined);
          if (!stage) return;
          const reason = reasonArgument ?? (await vscode.window.showInputBox({ title: `Why move ${node.model.name} v${node.version.version} to ${stage}?` }));
          if (reason === undefined) return;
          await transitionImported(deps, node, stage, reason.trim());
          return;
        }
        const target = await pickLedgerVersion(deps, node);
        if (!target) return;
        const stage =
          stageArgument ??
          ((
            await vscode.window.showQuickPick(
              STAGES.filter((s) => s !== target.stage).map((s) => ({
                label: s,
                description: s === 'Production' ? 'the current Production version is archived' : undefined,
              })),
              { title: `${target.model} v${target.version} (${target.stage}) → stage` },
            )
          )?.label as Stage | undefined);
        if (!stage) return;
        const reason = reasonArgument ?? (await vscode.window.showInputBox({ title: `Why move ${target.model} v${target.version} to ${stage}?`, placeHolder: 'Recorded in the ledger with the change' }));
        if (reason === undefined) return;
        const check = await deps.registry.moveCheck(target.folder, target);
        await deps.registry.registry(target.folder).transition({ model: target.model, version: target.version, stage, ...(reason.trim() ? { reason: reason.trim() } : {}), ...(check ? { check } : {}) });
        await deps.registry.reproject(target.folder);
      }),
    ),
  );
  own(
    vscode.commands.registerCommand(
      'modelLedger.setAlias',
      guarded(async (node?: ModelsNode, aliasArgument?: string) => {
        const target = await pickLedgerVersion(deps, node);
        if (!target) return;
        const alias = aliasArgument ?? await vscode.window.showInputBox({
          title: `Alias for ${target.model} v${target.version}`,
          placeHolder: 'champion, challenger…',
          validateInput: (v) => (/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(v.trim()) ? undefined : 'Letters, digits, "_", "-", "."'),
        });
        if (!alias) return;
        await deps.registry.registry(target.folder).setAlias({ model: target.model, alias: alias.trim(), version: target.version });
        await deps.registry.reproject(target.folder);
      }),
    ),
  );
  own(
    vscode.commands.registerCommand(
      'modelLedger.approve',
      guarded(async (node?: ModelsNode, stageArgument?: Stage) => {
        const target = await pickLedgerVersion(deps, node);
        if (!target) return;
        const stage =
          stageArgument ??
          ((await vscode.window.showQuickPick(STAGES.filter((s) => s !== target.stage), { title: `Approve moving ${target.model} v${target.version} to…` })) as Stage | undefined);
        if (!stage) return;
        const event = await deps.registry.registry(target.folder).approve({ model: target.model, version: target.version, stage });
        await deps.registry.reproject(target.folder);
        void vscode.window.showInformationMessage(`Model Ledger: ${event.actor.name} approved ${target.model} v${target.version} for ${stage}.`);
      }),
    ),
  );
  own(
    vscode.commands.registerCommand(
      'modelLedger.removeAlias',
      guarded(async (node?: ModelsNode, aliasArgument?: string) => {
        const target = await pickLedgerVersion(deps, node);
        if (!target) return;
        const aliases = node?.kind === 'version' ? node.version.aliases : [];
        const alias = aliasArgument ?? (aliases.length === 1 ? aliases[0] : await vscode.window.showQuickPick([...aliases], { title: `Remove which alias of ${target.model} v${target.version}?` }));
        if (!alias) return;
        await deps.registry.registry(target.folder).deleteAlias({ model: target.model, alias });
        await deps.registry.reproject(target.folder);
      }),
    ),
  );
  own(
    vscode.commands.registerCommand(
      'modelLedger.editDescription',
      guarded(async (node?: ModelsNode, descriptionArgument?: string) => {
        const folder = node?.folder ?? (await pickFolder());
        if (!folder) return;
        const target = node?.kind === 'model' ? { folder, model: node.model.name, version: undefined, current: node.model.description } : await pickLedgerVersion(deps, node).then((t) => t && { ...t, current: node?.kind === 'version' ? node.version.description : undefined });
        if (!target) return;
        const description =
          descriptionArgument ??
          (await vscode.window.showInputBox({ title: `Description of ${target.model}${target.version !== undefined ? ` v${target.version}` : ''}`, value: target.current ?? '' }));
        if (description === undefined) return;
        await deps.registry.registry(target.folder).setDescription({ model: target.model, ...(target.version !== undefined ? { version: target.version } : {}), description });
        await deps.registry.reproject(target.folder);
      }),
    ),
  );
  own(
    vscode.commands.registerCommand(
      'modelLedger.rollback',
      guarded(async (node?: ModelsNode, reasonArgument?: string) => {
        const folder = node?.folder ?? (await pickFolder());
        if (!folder) return;
        let model = node && 'model' in node ? node.model.name : undefined;
        if (!model) {
          const { store } = await deps.stores.get(folder);
          model = (await vscode.window.showQuickPick(listModels(store.db).filter((m) => m.origin === 'ledger' && m.productionVersion !== undefined).map((m) => m.name), { title: 'Roll back which model’s Production version?' })) ?? undefined;
        }
        if (!model) return;
        const reason = reasonArgument ?? (await vscode.window.showInputBox({ title: `Why roll back ${model}?`, placeHolder: 'Recorded in the ledger' }));
        if (reason === undefined) return;
        const check = await deps.registry.moveCheck(folder);
        const event = await deps.registry.registry(folder).rollback({ model, ...(reason.trim() ? { reason: reason.trim() } : {}), ...(check ? { check } : {}) });
        await deps.registry.reproject(folder);
        void vscode.window.showInformationMessage(`Model Ledger: ${model} v${event.version} is in Production again.`);
      }),
    ),
  );
  own(
    vscode.commands.registerCommand('modelLedger.verifyLedger', async () => {
      const messages: string[] = [];
      let failed = false;
      for (const folder of vscode.workspace.workspaceFolders ?? []) {
        const snapshot = await deps.registry.reproject(folder);
        if (!snapshot) continue;
        failed ||= snapshot.problems.length > 0;
        messages.push(
          snapshot.problems.length === 0
            ? `${folder.name}: ${snapshot.read.events.length} events, all hashes, links and transitions valid`
            : `${folder.name}: ${snapshot.problems.length} problem(s), first on line ${snapshot.problems[0].line}: ${snapshot.problems[0].message}`,
        );
      }
      const text = `Model Ledger: ${messages.join(' | ') || 'no folder open'}`;
      if (failed) void vscode.window.showErrorMessage(text, 'Show Problems').then((c) => c && vscode.commands.executeCommand('workbench.actions.view.problems'));
      else void vscode.window.showInformationMessage(text);
      return { ok: !failed, messages };
    }),
  );
  own(
    vscode.commands.registerCommand('modelLedger.copyModelUri', async (node?: ModelsNode) => {
      const target = await pickLedgerVersion(deps, node, { includeImported: true });
      if (!target) return;
      const aliases = node?.kind === 'version' ? node.version.aliases : [];
      const uris = [`models:/${target.model}/${target.version}`, ...aliases.map((a) => `models:/${target.model}@${a}`)];
      const uri = uris.length === 1 ? uris[0] : await vscode.window.showQuickPick(uris, { title: 'Copy model URI' });
      if (!uri) return;
      await vscode.env.clipboard.writeText(uri);
      vscode.window.setStatusBarMessage(`Copied ${uri}`, 3000);
      return uri;
    }),
  );
  own(
    vscode.commands.registerCommand('modelLedger.openLedger', async () => {
      const folder = await pickFolder();
      if (!folder) return;
      const uri = vscode.Uri.file(deps.registry.ledgerFile(folder));
      try {
        await vscode.window.showTextDocument(uri, { preview: true });
      } catch {
        void vscode.window.showInformationMessage(`Model Ledger: no ledger yet at ${vscode.workspace.asRelativePath(uri)}; register a run to start it.`);
      }
    }),
  );
}
