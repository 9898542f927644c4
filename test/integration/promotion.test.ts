import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ModelLedgerApi } from '../../src/extension';
import type { PromotionPanel } from '../../src/panels/promotionPanel';
import type { ModelsNode } from '../../src/views/modelsTree';

function promotionTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('modelLedger.promotion'));
}

describe('promotion', () => {
  it('Promote… opens the panel on a version; a promote message from the panel moves it, and the tree and ledger follow', async () => {
    const ml = await vscode.extensions.getExtension<ModelLedgerApi>('model-ledger.model-ledger')!.activate();
    const folder = vscode.workspace.workspaceFolders![0];
    await ml.imports.ready(folder);
    const ledger = ml.registry.ledgerFile(folder);
    // The registry suite expects the ledger it starts from: put it back afterwards.
    const saved = existsSync(ledger) ? readFileSync(ledger, 'utf8') : undefined;
    try {
      const experiments = await ml.runsTree.getChildren();
      const runs = (await Promise.all(experiments.map((e) => ml.runsTree.getChildren(e)))).flat();
      const run = runs.find((n) => n.kind === 'run' && n.run.name === 'baseline-run');
      assert.ok(run, 'baseline-run is in the Runs tree');
      await vscode.commands.executeCommand('modelLedger.registerRun', run, undefined, { model: 'promotion-model', description: 'for the panel' });
      const versionNode = async () => {
        const model = (await ml.modelsTree.getChildren()).find((n): n is Extract<ModelsNode, { kind: 'model' }> => n.kind === 'model' && n.model.name === 'promotion-model');
        assert.ok(model, 'the model is in the tree');
        const version = (await ml.modelsTree.getChildren(model)).find((n) => n.kind === 'version' && n.version.version === 1);
        assert.ok(version, 'v1 is in the tree');
        return version;
      };
      const panel = (await vscode.commands.executeCommand('modelLedger.promote', await versionNode(), 'Staging')) as PromotionPanel | undefined;
      assert.ok(panel, 'the command returned the panel');
      for (let i = 0; i < 100 && promotionTabs().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(promotionTabs().length, 1);
      assert.match(promotionTabs()[0].label, /Promote promotion-model v1/);
      for (let i = 0; i < 100 && !panel.state; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(panel.state?.candidate.version, 1);
      assert.equal(panel.state?.target, 'Staging');
      assert.equal(panel.state?.policy.state, 'missing');

      const result = await panel.handle({ type: 'promote', reason: 'integration test' });
      assert.equal(result?.ok, true, result?.message);
      const last = JSON.parse(readFileSync(ledger, 'utf8').trim().split('\n').at(-1)!) as { action: string; model: string; version: number; after: { stage: string }; reason: string };
      assert.deepEqual([last.action, last.model, last.version, last.after.stage, last.reason], ['transition', 'promotion-model', 1, 'Staging', 'integration test']);
      assert.match(String(ml.modelsTree.getTreeItem(await versionNode()).description), /^Staging/);
      assert.equal(panel.state?.candidate.stage, 'Staging', 'the panel shows the new state');
      assert.equal(panel.state?.history[0].action, 'transition');

      const out = path.join(os.tmpdir(), `ml-audit-${process.pid}`);
      const written = (await vscode.commands.executeCommand('modelLedger.exportAuditReport', `${out}.md`)) as { markdown: string; html: string; ok: boolean };
      assert.ok(readFileSync(written.markdown, 'utf8').includes('## Model promotion-model'));
      assert.ok(readFileSync(written.html, 'utf8').includes('<h2 class="model">Model promotion-model</h2>'));
      rmSync(written.markdown, { force: true });
      rmSync(written.html, { force: true });
      await vscode.window.tabGroups.close(promotionTabs());
    } finally {
      if (saved === undefined) rmSync(ledger, { force: true });
      else writeFileSync(ledger, saved);
      await ml.registry.reproject(folder);
    }
  });
});
