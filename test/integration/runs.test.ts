import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ModelLedgerApi } from '../../src/extension';
import type { RunsNode } from '../../src/views/runsTree';

const RUN_DIR = path.join('mlruns', '0', '5f0c1d2e3a4b');

async function api(): Promise<ModelLedgerApi> {
  const extension = vscode.extensions.getExtension<ModelLedgerApi>('model-ledger.model-ledger')!;
  return extension.activate();
}

function folder(): vscode.WorkspaceFolder {
  return vscode.workspace.workspaceFolders![0];
}

async function pointsOfLiveRun(ml: ModelLedgerApi): Promise<number> {
  const { store } = await ml.stores.get(folder());
  const result = store.db.exec(
    "SELECT coalesce(sum(s.point_count), 0) FROM metric_series s JOIN runs r ON r.id = s.run_id WHERE r.name = 'live-run' AND s.key = 'loss'",
  );
  return Number(result[0].values[0][0]);
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await probe();
  }
  return last;
}

describe('runs', () => {
  it('imports the workspace’s MLflow run and shows it in the Runs tree with its key metric', async () => {
    const ml = await api();
    await ml.imports.ready(folder());
    await eventually(() => pointsOfLiveRun(ml), (n) => n >= 3, 'the first import');
    const experiments = await ml.runsTree.getChildren();
    const defaultExperiment = experiments.find((n) => n.kind === 'experiment' && n.experiment.name === 'Default');
    assert.ok(defaultExperiment, `experiments: ${experiments.map((n) => (n.kind === 'experiment' ? n.experiment.name : n.kind)).join()}`);
    const runs = await ml.runsTree.getChildren(defaultExperiment);
    const live = runs.find((n): n is Extract<RunsNode, { kind: 'run' }> => n.kind === 'run' && n.run.name === 'live-run');
    assert.ok(live, 'the run is in the tree');
    assert.equal(live.run.status, 'RUNNING');
    const item = ml.runsTree.getTreeItem(live);
    // The fixture's run is RUNNING but last logged in 2025: it says so instead of spinning forever.
    assert.match(String(item.description), /^running\? no update for \d+d · loss /);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'question');
    const resolved = await ml.runsTree.resolveTreeItem(item, live);
    assert.match((resolved.tooltip as vscode.MarkdownString).value, /lr/);
  });

  it('follows a process that appends to a run log while the extension runs, refreshing only that run', async () => {
    const ml = await api();
    await ml.imports.ready(folder());
    const before = await eventually(() => pointsOfLiveRun(ml), (n) => n >= 3, 'the first import');
    const metricFile = path.join(folder().uri.fsPath, RUN_DIR, 'metrics', 'loss');
    // The tree as a user has it open: the experiment expanded, so its runs are shown.
    const experiment = (await ml.runsTree.getChildren()).find((n) => n.kind === 'experiment' && n.experiment.name === 'Default');
    assert.ok(experiment);
    await ml.runsTree.getChildren(experiment);
    const fired: { at: number; what: string }[] = [];
    const listening = ml.runsTree.onDidChangeTreeData((node) => {
      fired.push({ at: Date.now(), what: node === undefined ? 'everything' : node.kind === 'run' ? `run ${node.run.name ?? ''}` : node.kind });
      // VS Code asks again for what changed; so does this test, as the view would.
      if (node?.kind === 'experiment') void ml.runsTree.getChildren(node);
    });
    const writeStart = Date.now();
    // A separate process writes like MLflow does: one line per log_metric call, a few ms apart.
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs');
         let step = 100;
         const timer = setInterval(() => {
           fs.appendFileSync(process.argv[1], (1763900100000 + step) + ' ' + (1 / step) + ' ' + step + '\\n');
           if (++step === 130) { clearInterval(timer); }
         }, 100);`,
        metricFile,
      ],
      { stdio: 'ignore' },
    );
    await new Promise((resolve) => writer.on('exit', resolve));
    await eventually(() => pointsOfLiveRun(ml), (n) => n === before + 30, '30 appended points in the store');
    await new Promise((resolve) => setTimeout(resolve, 800));
    listening.dispose();
    // While the run trains only its own row is refreshed, a few times a second at most: the rows
    // around it keep their tooltips, hover and selection.
    const seconds = Math.max(1, (Date.now() - writeStart) / 1000);
    assert.ok(fired.length > 0, 'the live run was refreshed');
    assert.deepEqual([...new Set(fired.map((f) => f.what))], ['run live-run'], `refreshed: ${fired.map((f) => f.what).join(', ')}`);
    assert.ok(fired.length / seconds <= 3, `${fired.length} refreshes in ${seconds.toFixed(1)} s`);
    // The status change is picked up too: the run finishes.
    const meta = path.join(folder().uri.fsPath, RUN_DIR, 'meta.yaml');
    const { readFileSync } = await import('node:fs');
    writeFileSync(meta, readFileSync(meta, 'utf8').replace('status: 1', 'status: 3').replace('end_time: null', 'end_time: 1763900200000'));
    await eventually(
      async () => {
        const { store } = await ml.stores.get(folder());
        return String(store.db.exec("SELECT status FROM runs WHERE name = 'live-run'")[0]?.values[0][0]);
      },
      (status) => status === 'FINISHED',
      'the run to finish',
    );
  });
});

describe('runs view state', () => {
  afterEach(async () => {
    const ml = await api();
    await ml.runsState.setFilter(undefined);
  });

  it('filters the tree with a metric expression and clears it again', async () => {
    const ml = await api();
    await ml.imports.ready(folder());
    await vscode.commands.executeCommand('modelLedger.runs.filter', 'loss > 100');
    assert.equal(ml.runsState.filterText, 'loss > 100');
    assert.deepEqual(await ml.runsTree.getChildren(), [], 'no run has loss > 100');
    await vscode.commands.executeCommand('modelLedger.runs.filter', 'loss < 100 and name ~ live');
    const experiments = await ml.runsTree.getChildren();
    assert.equal(experiments.length, 1);
    await vscode.commands.executeCommand('modelLedger.runs.clearFilter');
    assert.equal(ml.runsState.filterText, undefined);
  });
});
