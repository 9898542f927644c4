import path from 'node:path';
import * as vscode from 'vscode';
import { datasetFormatOf } from '../datasets';
import { referenceFromRun } from '../monitoring/reference';
import { DriftPanel, registerDriftSerializer, type DriftPanelDeps, type DriftVersionRef } from '../panels/driftPanel';
import { latestVersionEvent, listModels, listVersions, runForUid } from '../registry/queries';
import { runDetails } from '../tracking/queries';
import type { ModelsNode } from '../views/modelsTree';
import type { MonitoringAlerts } from '../workspace/monitoringAlerts';
import type { WorkspaceRegistry } from '../workspace/workspaceRegistry';
import type { WorkspaceStores } from '../workspace/workspaceStores';

interface Deps {
  readonly stores: WorkspaceStores;
  readonly registry: WorkspaceRegistry;
  readonly alerts: MonitoringAlerts;
  readonly log: vscode.LogOutputChannel;
}

/** A version as the tree gives it, or `{ folder, model, version, current? }` from a notification, the status bar or a test. */
type VersionArg = ModelsNode | { readonly folder?: vscode.WorkspaceFolder; readonly model: string; readonly version: number; readonly current?: string };

const DATA_FILTERS = { 'Datasets (CSV, JSONL, Parquet)': ['csv', 'tsv', 'jsonl', 'ndjson', 'parquet', 'pq'] };
const currentKey = (v: DriftVersionRef) => `modelLedger.drift.current:${v.folder.uri.toString()}#${v.model}#${v.version}`;

function resolve(folder: vscode.WorkspaceFolder | undefined, file: string): string {
  return path.isAbsolute(file) || !folder ? file : path.join(folder.uri.fsPath, ...file.split('/'));
}

function relative(folder: vscode.WorkspaceFolder, file: string): string {
  const r = path.relative(folder.uri.fsPath, file);
  return r.startsWith('..') || path.isAbsolute(r) ? file : r.split(path.sep).join('/');
}

/** A data file: a quick pick of the workspace's CSV/JSONL/Parquet files, or "Browse…" for an open dialog. */
async function pickDataFile(title: string, folder?: vscode.WorkspaceFolder): Promise<string | undefined> {
  const found = await vscode.workspace.findFiles(folder ? new vscode.RelativePattern(folder, '**/*.{csv,tsv,jsonl,ndjson,parquet,pq}') : '**/*.{csv,tsv,jsonl,ndjson,parquet,pq}', '**/{node_modules,.git,mlruns,lightning_logs,dvclive}/**', 500);
  const browse = { label: '$(folder-opened) Browse…', file: undefined as string | undefined };
  const items = [...found.sort((a, b) => a.fsPath.localeCompare(b.fsPath)).map((uri) => ({ label: vscode.workspace.asRelativePath(uri), file: uri.fsPath as string | undefined })), browse];
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'A CSV, JSONL or Parquet file' });
  if (!picked) return undefined;
  if (picked.file) return picked.file;
  const uris = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: DATA_FILTERS, ...(folder ? { defaultUri: folder.uri } : {}) });
  return uris?.[0]?.fsPath;
}

export function registerDriftCommands(own: (d: vscode.Disposable) => void, context: vscode.ExtensionContext, deps: Deps): void {
  const pickVersion = async (arg?: VersionArg): Promise<(DriftVersionRef & { current?: string }) | undefined> => {
    if (arg && 'kind' in arg) {
      return arg.kind === 'version' ? { folder: arg.folder, model: arg.model.name, version: arg.version.version } : undefined;
    }
    if (arg && typeof arg.model === 'string' && typeof arg.version === 'number') {
      const folder = arg.folder ?? vscode.workspace.workspaceFolders?.[0];
      return folder ? { folder, model: arg.model, version: arg.version, ...(arg.current ? { current: arg.current } : {}) } : undefined;
    }
    const items: { label: string; description: string; ref: DriftVersionRef }[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const { store } = await deps.stores.get(folder);
      for (const model of listModels(store.db)) {
        for (const v of listVersions(store.db, model.id)) items.push({ label: `${model.name} v${v.version}`, description: [v.stage === 'None' ? '' : v.stage, ...v.aliases.map((a) => `@${a}`)].join(' '), ref: { folder, model: model.name, version: v.version } });
      }
    }
    const picked = await vscode.window.showQuickPick(items, { title: 'Drift report for which model version?', placeHolder: items.length ? 'Pick a version' : 'No registered versions: use "Compare Datasets for Drift…" for two files' });
    return picked?.ref;
  };

  /** The version's reference: its last set-reference event, else a dataset named in its run's tags or params. */
  const referenceOf = async (v: DriftVersionRef): Promise<string | undefined> => {
    const { store } = await deps.stores.get(v.folder);
    const recorded = latestVersionEvent(store.db, v.model, v.version, 'set-reference');
    if (typeof recorded?.after.path === 'string') return resolve(v.folder, recorded.after.path);
    const model = listModels(store.db).find((m) => m.name === v.model && m.origin === 'ledger') ?? listModels(store.db).find((m) => m.name === v.model);
    const row = model ? listVersions(store.db, model.id).find((x) => x.version === v.version) : undefined;
    const run = row?.runUid ? runForUid(store.db, row.runUid) : undefined;
    if (!run) return undefined;
    const details = runDetails(store.db, run.id);
    const found = referenceFromRun(details.params, details.tags);
    return found ? resolve(v.folder, found.path) : undefined;
  };

  const setReference = async (v: DriftVersionRef, file?: string): Promise<string | undefined> => {
    const chosen = file ?? (await pickDataFile(`Reference dataset for ${v.model} v${v.version} (its training data)`, v.folder));
    if (!chosen) return undefined;
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showInformationMessage('Model Ledger: this workspace is not trusted, so the reference is used for this report only (not recorded in the ledger).');
      return chosen;
    }
    try {
      await deps.registry.registry(v.folder).setReference({ model: v.model, version: v.version, path: relative(v.folder, chosen) });
      await deps.registry.reproject(v.folder);
    } catch (error) {
      void vscode.window.showWarningMessage(`Model Ledger: the reference is used for this report but not recorded: ${(error as Error).message}`);
    }
    return chosen;
  };

  const panelDeps: DriftPanelDeps = {
    log: deps.log,
    monitoringPolicy: async (folder) => {
      if (!folder) return undefined;
      const loaded = await deps.registry.reportPolicy(folder);
      return loaded.state === 'ok' ? loaded.policy.monitoring : undefined;
    },
    setReference: (v) => setReference(v),
    onReport: (v, report) => void deps.alerts.report(v.folder, v.model, v.version, report).catch((error) => deps.log.error(`Alerts: ${(error as Error).message}`)),
  };

  own(registerDriftSerializer(context, panelDeps));
  own(
    vscode.commands.registerCommand('modelLedger.openDriftReport', async (arg?: VersionArg) => {
      const v = await pickVersion(arg);
      if (!v) return;
      let reference = await referenceOf(v);
      if (!reference) {
        const choice = await vscode.window.showInformationMessage(
          `Model Ledger: ${v.model} v${v.version} has no reference dataset yet (none recorded, none named by its run's params or tags such as train_data). Choose its training data?`,
          'Choose Reference…',
        );
        if (choice !== 'Choose Reference…') return;
        reference = await setReference(v);
        if (!reference) return;
      }
      const configured = vscode.workspace.getConfiguration('modelLedger.monitoring', v.folder).get<string>('currentData', '').trim();
      const remembered = context.workspaceState.get<string>(currentKey(v));
      let current = v.current ? resolve(v.folder, v.current) : configured ? resolve(v.folder, configured) : remembered;
      if (!current) {
        current = await pickDataFile(`Current data to compare with ${v.model} v${v.version}'s reference`, v.folder);
        if (!current) return;
      }
      await context.workspaceState.update(currentKey(v), current);
      return DriftPanel.open(context, panelDeps, { referenceFile: reference, currentFile: current, version: { folder: v.folder, model: v.model, version: v.version } });
    }),
  );
  own(
    vscode.commands.registerCommand('modelLedger.compareDatasetsForDrift', async (referenceArg?: string, currentArg?: string) => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const reference = typeof referenceArg === 'string' ? resolve(folder, referenceArg) : await pickDataFile('Reference dataset (e.g. the training data)');
      if (!reference) return;
      const current = typeof currentArg === 'string' ? resolve(folder, currentArg) : await pickDataFile('Current dataset (e.g. recent production data)');
      if (!current) return;
      for (const file of [reference, current]) {
        if (!datasetFormatOf(file)) {
          void vscode.window.showErrorMessage(`Model Ledger: ${path.basename(file)} is not a CSV, TSV, JSONL or Parquet file.`);
          return;
        }
      }
      return DriftPanel.open(context, panelDeps, { referenceFile: reference, currentFile: current });
    }),
  );
  own(
    vscode.commands.registerCommand('modelLedger.setReferenceDataset', async (arg?: VersionArg, file?: string) => {
      const v = await pickVersion(arg);
      if (!v) return;
      const chosen = await setReference(v, typeof file === 'string' ? resolve(v.folder, file) : undefined);
      if (chosen) void vscode.window.showInformationMessage(`Model Ledger: ${v.model} v${v.version}'s reference dataset is ${relative(v.folder, chosen)}.`);
    }),
  );
}
