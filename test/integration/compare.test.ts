import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ModelLedgerApi } from '../../src/extension';
import type { RunsNode } from '../../src/views/runsTree';

function compareTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('modelLedger.compare'));
}

describe('compare', () => {
  it('opens a comparison panel for runs selected in the Runs tree, reuses it for the same runs, several at once', async () => {
    const ml = await vscode.extensions.getExtension<ModelLedgerApi>('model-ledger.model-ledger')!.activate();
    const folder = vscode.workspace.workspaceFolders![0];
    await ml.imports.ready(folder);
    const experiments = await ml.runsTree.getChildren();
    const runs = (await Promise.all(experiments.map((e) => ml.runsTree.getChildren(e)))).flat().filter((n): n is Extract<RunsNode, { kind: 'run' }> => n.kind === 'run');
    const chosen = runs.filter((r) => r.run.name === 'live-run' || r.run.name === 'baseline-run');
    assert.equal(chosen.length, 2, runs.map((r) => r.run.name).join());
    const third = runs.find((r) => !chosen.includes(r));
    assert.ok(third, 'a third run');
    const before = compareTabs().length;
    const waitForTabs = async (count: number) => {
      // The tab model follows the renderer asynchronously.
      for (let i = 0; i < 100 && compareTabs().length < count; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    };
    await vscode.commands.executeCommand('modelLedger.compareRuns', chosen[0], chosen);
    await waitForTabs(before + 1);
    // The same runs again: the panel already comparing them is revealed, not a second one opened.
    await vscode.commands.executeCommand('modelLedger.compareRuns', chosen[1], [chosen[1], chosen[0]]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(compareTabs().length, before + 1, 'the same runs reuse their panel');
    await vscode.commands.executeCommand('modelLedger.compareRuns', third, [...chosen, third]);
    await waitForTabs(before + 2);
    const tabs = compareTabs();
    const all = vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => `${t.label}:${t.input instanceof vscode.TabInputWebview ? t.input.viewType : typeof t.input}`);
    assert.equal(tabs.length, before + 2, `two panels open at once; tabs: ${all.join(', ')}`);
    assert.ok(tabs.some((t) => /Compare 3 runs/.test(t.label)), all.join(', '));
    await vscode.window.tabGroups.close(tabs);
  });
});
