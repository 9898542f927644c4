import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ModelLedgerApi } from '../../src/extension';
import type { ModelsNode } from '../../src/views/modelsTree';
import type { RunsNode } from '../../src/views/runsTree';
import { fixture, MlflowTestServer } from '../server/mlflowTestServer';

function compareTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('modelLedger.compare'));
}

describe('MLflow Tracking Server', () => {
  const server = new MlflowTestServer();
  let url = '';
  before(async () => {
    url = await server.start();
  });
  after(() => server.stop());

  it('connects, browses, compares a server run with a local one, promotes with a gate and records the ledger event', async () => {
    const ml = await vscode.extensions.getExtension<ModelLedgerApi>('model-ledger.model-ledger')!.activate();
    const folder = vscode.workspace.workspaceFolders![0];
    await ml.imports.ready(folder);
    server.requireAuth = 'Bearer it-token';

    // Connect: arguments instead of input boxes.
    const id = await vscode.commands.executeCommand<string | undefined>('modelLedger.servers.connect', { url, name: 'team server', auth: { kind: 'bearer', token: 'it-token' } });
    assert.ok(id, 'connected');
    assert.equal(ml.servers.get(id)?.status.state, 'connected');

    // Browse: the server is a root of the Runs tree, beside the workspace's own experiments.
    const roots = await ml.runsTree.getChildren();
    const serverRoot = roots.find((n): n is Extract<RunsNode, { kind: 'server' }> => n.kind === 'server');
    assert.ok(serverRoot, 'a server root');
    assert.match(String(ml.runsTree.getTreeItem(serverRoot).description), /^connected/);
    assert.equal(ml.runsTree.getTreeItem(serverRoot).label, 'team server');
    const experiments = await ml.runsTree.getChildren(serverRoot);
    const recordedExperiments = fixture<{ experiments: { name: string }[] }>('experiments_search_post').experiments;
    // Experiments with runs (Default has none on this server).
    assert.deepEqual(experiments.map((e) => (e.kind === 'experiment' ? e.experiment.name : '')).sort(), recordedExperiments.map((e) => e.name).filter((n) => n !== 'Default').sort());
    const serverRuns = (await Promise.all(experiments.map((e) => ml.runsTree.getChildren(e)))).flat().filter((n): n is Extract<RunsNode, { kind: 'run' }> => n.kind === 'run');
    const deleted = new Set(fixture<{ runs: { info: { run_id: string } }[] }>('runs_search_deleted_only').runs.map((r) => r.info.run_id));
    assert.equal(serverRuns.length, fixture<{ runs: { info: { run_id: string } }[] }>('runs_search_all').runs.filter((r) => !deleted.has(r.info.run_id)).length);
    const localRoots = roots.filter((n) => n.kind === 'experiment');
    const localRuns = (await Promise.all(localRoots.map((e) => ml.runsTree.getChildren(e)))).flat().filter((n): n is Extract<RunsNode, { kind: 'run' }> => n.kind === 'run');
    assert.ok(localRuns.length > 0 && localRuns.every((r) => !r.run.uid.startsWith('mlflow-server:')), 'local runs stay under the workspace');

    // Compare a server run with a local one: the server run's history is fetched first, once.
    const sweep = serverRuns.find((r) => r.run.externalId === '9cbe02b493b94ab6ad2290b70737b56e')!;
    const local = localRuns[0];
    const before = compareTabs().length;
    const historyRequests = server.count('metrics/get-history');
    await vscode.commands.executeCommand('modelLedger.compareRuns', sweep, [sweep, local]);
    for (let i = 0; i < 100 && compareTabs().length < before + 1; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(compareTabs().length, before + 1, 'a comparison panel opened');
    assert.equal(server.count('metrics/get-history') - historyRequests, 4, 'the sweep run logged 4 metrics: one history each');
    await vscode.commands.executeCommand('modelLedger.compareRuns', sweep, [sweep, local]);
    assert.equal(server.count('metrics/get-history') - historyRequests, 4, 'nothing requested again');
    await vscode.window.tabGroups.close(compareTabs());

    // The Models tree: the server's registry under its root.
    const modelRoots = await ml.modelsTree.getChildren();
    const modelServer = modelRoots.find((n) => n.kind === 'server')!;
    const models = await ml.modelsTree.getChildren(modelServer);
    assert.deepEqual(models.map((m) => (m.kind === 'model' ? m.model.name : '')), ['tabular-regressor']);
    const versions = await ml.modelsTree.getChildren(models[0]);
    const v3 = versions.find((n): n is Extract<ModelsNode, { kind: 'version' }> => n.kind === 'version' && n.version.version === 3)!;
    assert.equal(ml.modelsTree.getTreeItem(v3).contextValue, 'serverVersion.staging.aliased');

    // Promote with a gate: blocked first (v3's r2 is below Production's), then allowed by a looser policy.
    const policyFile = ml.registry.policyFile(folder);
    mkdirSync(path.dirname(policyFile), { recursive: true });
    writeFileSync(policyFile, 'version: 1\nmodels:\n  tabular-regressor:\n    Production:\n      gates:\n        - metric: r2 >= production.r2\n');
    const transitions = server.count('model-versions/transition-stage');
    const blocked = await vscode.commands.executeCommand('modelLedger.servers.transitionStage', v3, 'Production', 'try');
    assert.equal(blocked, undefined);
    assert.equal(server.count('model-versions/transition-stage'), transitions, 'the gate stopped it before the server');
    writeFileSync(policyFile, 'version: 1\nmodels:\n  tabular-regressor:\n    Production:\n      gates:\n        - metric: r2 >= 0.4\n');
    const event = await vscode.commands.executeCommand<{ action: string; server?: { url: string } } | undefined>('modelLedger.servers.transitionStage', v3, 'Production', 'ship v3');
    assert.ok(event, 'promoted');
    assert.equal(server.count('model-versions/transition-stage'), transitions + 1);
    const lines = readFileSync(ml.registry.ledgerFile(folder), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; model: string; version?: number; reason?: string; server?: { url: string; name?: string }; after?: { stage?: string } });
    const last = lines[lines.length - 1];
    assert.deepEqual([last.action, last.model, last.version, last.after?.stage, last.reason, last.server], ['transition', 'tabular-regressor', 3, 'Production', 'ship v3', { url, name: 'team server' }]);
    const verified = (await vscode.commands.executeCommand('modelLedger.verifyLedger')) as { ok: boolean } | undefined;
    assert.equal(verified?.ok, true, 'the ledger with a server event verifies');

    // The tree follows the server.
    const after = await ml.modelsTree.getChildren((await ml.modelsTree.getChildren(modelServer))[0]);
    const stages = after.map((n) => (n.kind === 'version' ? `${n.version.version}:${n.version.stage}` : '')).sort();
    const expected = fixture<{ model_versions: { version: string; current_stage: string }[] }>('model_versions_search_after_transition').model_versions.map((v) => `${v.version}:${v.current_stage}`).sort();
    assert.deepEqual(stages, expected);
    // The local registry does not list the server model.
    assert.ok(modelRoots.every((n) => n.kind !== 'model' || !n.model.origin.startsWith('mlflow-server:')));

    // An unreachable server: the cached runs stay visible, marked stale.
    await server.stop();
    await vscode.commands.executeCommand('modelLedger.servers.refresh', id);
    assert.equal(ml.servers.get(id)?.status.state, 'error');
    const staleRoot = (await ml.runsTree.getChildren()).find((n) => n.kind === 'server')!;
    assert.match(String(ml.runsTree.getTreeItem(staleRoot).description), /stale/);
    const staleRuns = (await Promise.all((await ml.runsTree.getChildren(staleRoot)).map((e) => ml.runsTree.getChildren(e)))).flat();
    assert.equal(staleRuns.length, serverRuns.length);
    assert.match(String(ml.runsTree.getTreeItem(staleRuns[0]).description), /^stale · /);

    await vscode.commands.executeCommand('modelLedger.servers.disconnect', id);
    assert.ok((await ml.runsTree.getChildren()).every((n) => n.kind !== 'server'));
    rmSync(policyFile, { force: true });
  });
});
