import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ModelLedgerApi } from '../../src/extension';
import type { ModelsNode } from '../../src/views/modelsTree';

async function api(): Promise<ModelLedgerApi> {
  return vscode.extensions.getExtension<ModelLedgerApi>('model-ledger.model-ledger')!.activate();
}

function folder(): vscode.WorkspaceFolder {
  return vscode.workspace.workspaceFolders![0];
}

describe('registry', () => {
  it('registers a run, shows it in the Models tree, promotes it from the tree, and the ledger verifies', async () => {
    const ml = await api();
    await ml.imports.ready(folder());
    const registry = ml.registry.registry(folder());
    await registry.register({ model: 'integration-model', runUid: 'mlflow-file:mlruns/0/5f0c1d2e3a4b', source: 'mlruns/0/5f0c1d2e3a4b', description: 'from the test' });
    await ml.registry.reproject(folder());

    const models = await ml.modelsTree.getChildren();
    const model = models.find((n): n is Extract<ModelsNode, { kind: 'model' }> => n.kind === 'model' && n.model.name === 'integration-model');
    assert.ok(model, 'the model is in the tree');
    const [version] = await ml.modelsTree.getChildren(model);
    assert.equal(version.kind, 'version');
    const item = ml.modelsTree.getTreeItem(version);
    assert.match(String(item.description), /live-run/, 'the source run is named');
    assert.equal(item.contextValue, 'version.none');

    await vscode.commands.executeCommand('modelLedger.transitionStage', version, 'Production', 'integration test');
    const [promoted] = await ml.modelsTree.getChildren(model);
    assert.match(String(ml.modelsTree.getTreeItem(promoted).description), /^Production/);

    const ledger = ml.registry.ledgerFile(folder());
    assert.ok(existsSync(ledger));
    const events = readFileSync(ledger, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; reason?: string });
    assert.deepEqual(events.map((e) => e.action), ['register', 'transition']);
    assert.equal(events[1].reason, 'integration test');
    const verified = (await vscode.commands.executeCommand('modelLedger.verifyLedger')) as { ok: boolean } | undefined;
    assert.equal(verified?.ok, true);
  });

  it('rebuilds the registry from the ledger alone after the store is lost', async () => {
    const ml = await api();
    const file = ml.stores.storePath(folder())!;
    await ml.stores.close(folder());
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'lost');
    await ml.registry.reproject(folder());
    const models = await ml.modelsTree.getChildren();
    assert.ok(models.some((n) => n.kind === 'model' && n.model.name === 'integration-model' && n.model.productionVersion === 1));
  });
});
