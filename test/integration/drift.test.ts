import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ModelLedgerApi } from '../../src/extension';
import type { DriftPanel } from '../../src/panels/driftPanel';
import type { ModelsNode } from '../../src/views/modelsTree';

function driftTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('modelLedger.drift'));
}

describe('drift', () => {
  it('opens a drift report for a version from the Models tree, warns on the version without writing, and records each alert once when recording is on', async () => {
    const extension = vscode.extensions.getExtension<ModelLedgerApi>('model-ledger.model-ledger')!;
    const ml = await extension.activate();
    const folder = vscode.workspace.workspaceFolders![0];
    await ml.imports.ready(folder);
    // The demo's data: amount, country and sessions drift from 2026-11-08; the model's F1 drops then.
    const demo = require(path.join(extension.extensionPath, 'scripts', 'driftDemoData.cjs')) as { driftDemoCsv(): { reference: string; current: string }; DRIFTING: string[] };
    const { reference, current } = demo.driftDemoCsv();
    mkdirSync(path.join(folder.uri.fsPath, 'data'), { recursive: true });
    writeFileSync(path.join(folder.uri.fsPath, 'data', 'reference.csv'), reference);
    writeFileSync(path.join(folder.uri.fsPath, 'data', 'current.csv'), current);
    await vscode.workspace.getConfiguration('modelLedger.monitoring', folder).update('rules', ['f1 < 0.92 for 48h'], vscode.ConfigurationTarget.Workspace);
    // The other suites read the whole ledger: it is put back as it was at the end.
    const ledger = path.join(folder.uri.fsPath, '.model-ledger', 'ledger.jsonl');
    const ledgerBefore = existsSync(ledger) ? readFileSync(ledger, 'utf8') : undefined;

    const experiments = await ml.runsTree.getChildren();
    const runs = (await Promise.all(experiments.map((e) => ml.runsTree.getChildren(e)))).flat();
    const run = runs.find((n) => n.kind === 'run' && n.run.name === 'baseline-run');
    assert.ok(run, 'a run to register');
    await vscode.commands.executeCommand('modelLedger.registerRun', run, undefined, { model: 'drift-model' });
    const versionNode = async () => {
      const model = (await ml.modelsTree.getChildren()).find((n): n is Extract<ModelsNode, { kind: 'model' }> => n.kind === 'model' && n.model.name === 'drift-model');
      assert.ok(model, 'drift-model is in the Models tree');
      const version = (await ml.modelsTree.getChildren(model)).find((n) => n.kind === 'version' && n.version.version === 1);
      assert.ok(version, 'v1 in the tree');
      return version;
    };
    await vscode.commands.executeCommand('modelLedger.setReferenceDataset', await versionNode(), 'data/reference.csv');

    const before = driftTabs().length;
    const panel = (await vscode.commands.executeCommand('modelLedger.openDriftReport', { folder, model: 'drift-model', version: 1, current: 'data/current.csv' })) as DriftPanel | undefined;
    assert.ok(panel, 'the command returns the panel');
    for (let i = 0; i < 300 && !panel.report; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const report = panel.report;
    assert.ok(report, 'the report was built');
    assert.deepEqual(report.features.filter((f) => f.drifted).map((f) => f.column).sort(), [...demo.DRIFTING].sort());
    assert.equal(report.referenceLabel, 'data/reference.csv');
    assert.equal(report.performance?.breaches.length, 1);
    for (let i = 0; i < 100 && driftTabs().length <= before; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(driftTabs().length, before + 1, 'a drift panel tab');

    // The alert: on the version in the tree and in the ledger (dataset drift and the F1 rule).
    for (let i = 0; i < 100 && !ml.alerts.alertFor(folder, 'drift-model', 1); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(ml.alerts.alertFor(folder, 'drift-model', 1)?.lines.length, 2);
    const item = ml.modelsTree.getTreeItem(await versionNode());
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'warning');
    assert.match(String(item.description), /^⚠ dataset drift: 3 of 5 features drifted/);
    const driftModelActions = () =>
      readFileSync(ledger, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { model: string; action: string; after?: { state?: string } })
        .filter((e) => e.model === 'drift-model').map((e) => e.action);
    // Reading never writes: with alert recording off (the default) the report only shows the alert.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual(driftModelActions(), ['register', 'set-reference'], 'opening a report appended to the ledger');

    // Recording on: each crossing is recorded once when it starts, not again when the report is reopened.
    await vscode.workspace.getConfiguration('modelLedger.monitoring', folder).update('recordAlerts', true, vscode.ConfigurationTarget.Workspace);
    const reopen = async () => {
      const again = (await vscode.commands.executeCommand('modelLedger.openDriftReport', { folder, model: 'drift-model', version: 1, current: 'data/current.csv' })) as DriftPanel | undefined;
      assert.ok(again, 'the command returns the panel');
    };
    await reopen();
    let actions: string[] = [];
    for (let i = 0; i < 150; i++) {
      actions = driftModelActions();
      if (actions.filter((a) => a === 'alert').length === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(actions, ['register', 'set-reference', 'alert', 'alert']);
    await reopen();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.deepEqual(driftModelActions(), ['register', 'set-reference', 'alert', 'alert'], 'a reopened report recorded the same alerts again');
    await vscode.workspace.getConfiguration('modelLedger.monitoring', folder).update('recordAlerts', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.window.tabGroups.close(driftTabs());
    if (ledgerBefore === undefined) rmSync(ledger, { force: true });
    else writeFileSync(ledger, ledgerBefore);
    rmSync(path.join(folder.uri.fsPath, 'data'), { recursive: true, force: true });
    await vscode.workspace.getConfiguration('modelLedger.monitoring', folder).update('rules', undefined, vscode.ConfigurationTarget.Workspace);
    await ml.registry.reproject(folder);
    // The ledger watcher reprojects again when it sees those writes; let that settle (no store change
    // for 1.5 s, at most 15 s) so the next suite does not meet a store reopened under it.
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(quiet);
        clearTimeout(cap);
        subscription.dispose();
        resolve();
      };
      let quiet = setTimeout(done, 1500);
      const cap = setTimeout(done, 15_000);
      const subscription = ml.stores.onDidChange(() => {
        clearTimeout(quiet);
        quiet = setTimeout(done, 1500);
      });
    });
  });
});
