import path from 'node:path';
import * as vscode from 'vscode';
import { ALL_IMPORTERS } from '../ingest';

const FORMAT_LABELS: Record<string, string> = {
  'mlflow-file': 'MLflow file store (mlruns/)',
  'mlflow-sqlite': 'MLflow SQLite store (mlflow.db)',
  tensorboard: 'TensorBoard event files',
  dvclive: 'DVCLive / DVC',
  csv: 'Lightning / Keras CSV logs',
  wandb: 'W&B local run folders',
  jsonl: 'Model Ledger run log (*.mlrun.jsonl)',
};

/** "Add Run Source…": a glob for a format, saved in the workspace's `modelLedger.sources`. */
export function registerSourceCommands(own: (d: vscode.Disposable) => void, extensionUri: vscode.Uri): void {
  own(
    vscode.commands.registerCommand('modelLedger.addSourceGlob', async () => {
      const format = await vscode.window.showQuickPick(
        ALL_IMPORTERS.map((i) => ({ label: FORMAT_LABELS[i.format] ?? i.format, description: i.patterns.join('  '), format: i.format })),
        { title: 'Add a run source: which format?', placeHolder: 'The format of the files' },
      );
      if (!format) return;
      const glob = await vscode.window.showInputBox({
        title: `Add a run source: ${format.label}`,
        prompt: 'A glob relative to the workspace folder. Keep it narrow: it is also watched for changes.',
        placeHolder: format.format === 'csv' ? 'experiments/*/training_log.csv' : 'logs/**/run-*',
        validateInput: (value) => (/^\*\*(\/\*)?$/.test(value.trim()) ? 'Too broad: name a folder or a file pattern' : undefined),
      });
      if (!glob?.trim()) return;
      const config = vscode.workspace.getConfiguration('modelLedger');
      const current = config.get<Record<string, string[]>>('sources') ?? {};
      const next = { ...current, [format.format]: [...new Set([...(current[format.format] ?? []), glob.trim()])] };
      await config.update('sources', next, vscode.ConfigurationTarget.Workspace);
    }),
  );
  own(
    vscode.commands.registerCommand('modelLedger.addPythonLogger', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder) {
        void vscode.window.showInformationMessage('Model Ledger: open a folder first.');
        return;
      }
      const target = vscode.Uri.file(path.join(folder.uri.fsPath, 'model_ledger.py'));
      try {
        await vscode.workspace.fs.stat(target);
        const choice = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(target)} exists. Replace it?`, { modal: true }, 'Replace');
        if (choice !== 'Replace') return;
      } catch {
        // not there yet: fine
      }
      await vscode.workspace.fs.copy(vscode.Uri.joinPath(extensionUri, 'logger', 'python', 'model_ledger.py'), target, { overwrite: true });
      const example = [
        'import model_ledger',
        '',
        'with model_ledger.start_run(name="baseline", experiment="my-experiment") as run:',
        '    run.log_params({"lr": 1e-3, "batch_size": 64})',
        '    for step in range(100):',
        '        run.log(step=step, loss=1.0 / (step + 1))',
        '',
      ].join('\n');
      const document = await vscode.workspace.openTextDocument({ language: 'python', content: example });
      await vscode.window.showTextDocument(document, { preview: true });
      void vscode.window.showInformationMessage(
        `Model Ledger: added ${vscode.workspace.asRelativePath(target)} (no dependencies). Runs it writes appear in the Runs view as they log.`,
      );
    }),
  );
}
