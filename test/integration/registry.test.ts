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
  it('registers from the Runs tree, promotes, aliases and rolls back from the Models tree, and the tree follows', async () => {
    const ml = await api();
    await ml.imports.ready(folder());
    const experiments = await ml.runsTree.getChildren();
    const runs = (await Promise.all(experiments.map((e) => ml.runsTree.getChildren(e)))).flat();
    const liveRun = runs.find((n) => n.kind === 'run' && n.run.name === 'live-run');
    assert.ok(liveRun, 'the run is in the Runs tree');

    const versionNode = async (version: number) => {
      const models = await ml.modelsTree.getChildren();
      const model = models.find((n): n is Extract<ModelsNode, { kind: 'model' }> => n.kind === 'model' && n.model.name === 'integration-model');
      assert.ok(model, 'the model is in the Models tree');
      const found = (await ml.modelsTree.getChildren(model)).find((n) => n.kind === 'version' && n.version.version === version);
      assert.ok(found, `v${version} is in the tree`);
      return found;
    };

    await vscode.commands.executeCommand('modelLedger.registerRun', liveRun, undefined, { model: 'integration-model', description: 'from the test' });
    await vscode.commands.executeCommand('modelLedger.registerRun', liveRun, undefined, { model: 'integration-model' });
    const v1 = await versionNode(1);
    const item = ml.modelsTree.getTreeItem(v1);
    assert.match(String(item.description), /live-run/, 'the source run is named');
    assert.equal(item.contextValue, 'version.none');
    const details = await ml.modelsTree.getChildren(v1);
    assert.ok(details.some((d) => d.kind === 'detail' && d.label === 'live-run'), 'the version expands to its source run');

    await vscode.commands.executeCommand('modelLedger.transitionStage', v1, 'Production', 'first release');
    await vscode.commands.executeCommand('modelLedger.setAlias', await versionNode(1), 'champion');
    await vscode.commands.executeCommand('modelLedger.transitionStage', await versionNode(2), 'Production', 'better');
    assert.match(String(ml.modelsTree.getTreeItem(await versionNode(1)).description), /^Archived · @champion/);
    const models = await ml.modelsTree.getChildren();
    const model = models.find((n) => n.kind === 'model' && n.model.name === 'integration-model')!;
    await vscode.commands.executeCommand('modelLedger.rollback', model, 'regression in production');
    assert.match(String(ml.modelsTree.getTreeItem(await versionNode(1)).description), /^Production/);
    assert.match(String(ml.modelsTree.getTreeItem(await versionNode(2)).description), /^Archived/);
    const uri = await vscode.commands.executeCommand('modelLedger.copyModelUri', await versionNode(2));
    assert.equal(uri, 'models:/integration-model/2');
    assert.equal(await vscode.env.clipboard.readText(), 'models:/integration-model/2');

    const ledger = ml.registry.ledgerFile(folder());
    assert.ok(existsSync(ledger));
    const events = readFileSync(ledger, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; reason?: string });
    assert.deepEqual(events.map((e) => e.action), ['register', 'register', 'transition', 'set-alias', 'transition', 'transition']);
    assert.equal(events[5].reason, 'regression in production');
    const verified = (await vscode.commands.executeCommand('modelLedger.verifyLedger')) as { ok: boolean } | undefined;
    assert.equal(verified?.ok, true);
  });

  it('refuses a stage move the policy’s gates block, and allows it once the gate passes', async () => {
    const ml = await api();
    const { mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    const path = await import('node:path');
    const policy = ml.registry.policyFile(folder());
    mkdirSync(path.dirname(policy), { recursive: true });
    writeFileSync(policy, 'version: 1\nmodels:\n  gated-model:\n    Staging:\n      gates:\n        - require: description\n');
    const registry = ml.registry.registry(folder());
    await registry.register({ model: 'gated-model', source: 'models/g' });
    await ml.registry.reproject(folder());
    const model = (await ml.modelsTree.getChildren()).find((n) => n.kind === 'model' && n.model.name === 'gated-model')!;
    const [v1] = await ml.modelsTree.getChildren(model);
    await vscode.commands.executeCommand('modelLedger.transitionStage', v1, 'Staging', 'try');
    let [after] = await ml.modelsTree.getChildren(model);
    assert.ok(after.kind === 'version' && after.version.stage === 'None', 'blocked: no description');
    await vscode.commands.executeCommand('modelLedger.approve', after, 'Staging');
    assert.match(readFileSync(ml.registry.ledgerFile(folder()), 'utf8').trim().split('\n').pop()!, /"action":"approve"/);
    await vscode.commands.executeCommand('modelLedger.editDescription', after, 'now described');
    [after] = await ml.modelsTree.getChildren(model);
    await vscode.commands.executeCommand('modelLedger.transitionStage', after, 'Staging', 'try again');
    [after] = await ml.modelsTree.getChildren(model);
    assert.ok(after.kind === 'version' && after.version.stage === 'Staging', 'allowed once the gate passes');
    const last = JSON.parse(readFileSync(ml.registry.ledgerFile(folder()), 'utf8').trim().split('\n').pop()!) as { after: { gates: { status: string }[] } };
    assert.deepEqual(last.after.gates.map((g) => g.status), ['pass']);
    rmSync(policy);
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

describe('registry: GTO', () => {
  it('moves a GTO-registered version to Production by creating GTO’s own annotated tag, and the tree follows', async function () {
    this.timeout(60_000);
    const ml = await api();
    const root = folder().uri.fsPath;
    const { execFileSync } = await import('node:child_process');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Tester', '-c', 'user.email=tester@example.com', ...args], { cwd: root, encoding: 'utf8' });
    git('init', '-q');
    git('commit', '-q', '--allow-empty', '-m', 'initial');
    git('tag', '-a', 'gto-model@v1.0.0', '-m', 'Registering artifact gto-model version v1.0.0');
    await ml.imports.refreshRegistries(folder());
    const model = (await ml.modelsTree.getChildren()).find((n) => n.kind === 'model' && n.model.origin === 'gto' && n.model.name === 'gto-model');
    assert.ok(model, 'the GTO model is in the tree, read from the tags');
    const [version] = await ml.modelsTree.getChildren(model);
    assert.equal(ml.modelsTree.getTreeItem(version).contextValue, 'version.imported');
    await vscode.commands.executeCommand('modelLedger.transitionStage', version, 'Production', 'ship it');
    const tags = git('for-each-ref', '--format=%(refname:short) %(objecttype)', 'refs/tags').trim().split('\n');
    assert.ok(tags.includes('gto-model#prod#1 tag'), tags.join(', '));
    const [after] = await ml.modelsTree.getChildren((await ml.modelsTree.getChildren()).find((n) => n.kind === 'model' && n.model.origin === 'gto')!);
    assert.match(String(ml.modelsTree.getTreeItem(after).description), /^Production/);
  });
});
