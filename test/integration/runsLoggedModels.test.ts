import assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ModelLedgerApi } from '../../src/extension';
import type { RunsNode } from '../../src/views/runsTree';
import { fixturePath } from '../fixturePath';

type Node<K extends RunsNode['kind']> = Extract<RunsNode, { kind: K }>;

function compareTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('modelLedger.compare'));
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last = await probe();
  while (!accept(last)) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await probe();
  }
  return last;
}

/** The MLflow 3.11 file store copied into the workspace: runs expand to their LoggedModels. */
describe('runs view with MLflow 3 LoggedModels', () => {
  const folder = () => vscode.workspace.workspaceFolders![0];
  const target = () => path.join(folder().uri.fsPath, 'mlflow3', 'mlruns');
  let ml: ModelLedgerApi;

  before(async () => {
    ml = await vscode.extensions.getExtension<ModelLedgerApi>('model-ledger.model-ledger')!.activate();
    cpSync(fixturePath('mlflow', 'mlflow-3.11-generated', 'file-store', 'mlruns'), target(), { recursive: true });
    await ml.imports.rescanAll();
    await eventually(
      async () => Number((await ml.stores.get(folder())).store.db.exec('SELECT count(*) FROM logged_models')[0].values[0][0]),
      (n) => n === 6,
      'the six LoggedModels',
    );
  });

  after(async () => {
    await vscode.window.tabGroups.close(compareTabs());
    rmSync(path.dirname(target()), { recursive: true, force: true });
    await ml.imports.rescanAll();
  });

  it('expands a run to its LoggedModels, and a LoggedModel to its metrics per dataset, params and registry versions', async () => {
    const experiments = await ml.runsTree.getChildren();
    const baseline = experiments.find((n): n is Node<'experiment'> => n.kind === 'experiment' && n.experiment.name === 'churn-baseline');
    assert.ok(baseline, experiments.map((n) => n.kind).join());
    const runs = await ml.runsTree.getChildren(baseline);
    const logreg = runs.find((n): n is Node<'run'> => n.kind === 'run' && n.run.name === 'baseline-logreg')!;
    assert.equal(ml.runsTree.getTreeItem(logreg).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    const tooltip = (await ml.runsTree.resolveTreeItem(ml.runsTree.getTreeItem(logreg), logreg)).tooltip as vscode.MarkdownString;
    assert.match(tooltip.value, /Metrics on datasets/);
    // appendText escapes '_' and writes spaces as &nbsp;.
    assert.match(tooltip.value, /val\\_auc(&nbsp;| )·(&nbsp;| )churn\\_eval/);
    const models = await ml.runsTree.getChildren(logreg);
    assert.deepEqual(models.map((n) => (n.kind === 'loggedModel' ? n.model.name : n.kind)), ['churn-logreg']);
    const item = ml.runsTree.getTreeItem(models[0]);
    assert.match(String(item.description), /ready · classifier/);
    const details = await ml.runsTree.getChildren(models[0]);
    const labels = details.map((n) => (n.kind === 'modelDetail' ? n.label : n.kind));
    assert.deepEqual(labels, ['Metrics', 'Params', 'Tags', 'Artifacts', 'Registry versions']);
    const metrics = await ml.runsTree.getChildren(details[0]);
    assert.ok(metrics.some((n) => n.kind === 'modelDetail' && n.label === 'val_auc · churn_eval'));
  });

  it('lists a LoggedModel without a source run under its experiment', async () => {
    const experiments = await ml.runsTree.getChildren();
    const tuning = experiments.find((n): n is Node<'experiment'> => n.kind === 'experiment' && n.experiment.name === 'churn-tuning')!;
    const children = await ml.runsTree.getChildren(tuning);
    assert.ok(children.some((n) => n.kind === 'loggedModel' && n.model.name === 'churn-prompt-agent'));
  });

  it('opens two LoggedModels in a comparison (checkpoint vs checkpoint)', async () => {
    const experiments = await ml.runsTree.getChildren();
    const baseline = experiments.find((n): n is Node<'experiment'> => n.kind === 'experiment' && n.experiment.name === 'churn-baseline')!;
    const runs = (await ml.runsTree.getChildren(baseline)).filter((n): n is Node<'run'> => n.kind === 'run');
    const models = (await Promise.all(runs.map((r) => ml.runsTree.getChildren(r)))).flat().filter((n): n is Node<'loggedModel'> => n.kind === 'loggedModel');
    const chosen = models.filter((m) => m.model.name === 'churn-logreg' || m.model.name === 'churn-gbm');
    assert.equal(chosen.length, 2);
    const before = compareTabs().length;
    await vscode.commands.executeCommand('modelLedger.compareRuns', chosen[0], chosen);
    for (let i = 0; i < 100 && compareTabs().length < before + 1; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const tabs = compareTabs();
    assert.equal(tabs.length, before + 1);
    assert.match(tabs[tabs.length - 1].label, /Compare 2/);
  });
});
