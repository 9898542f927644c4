// Composition root: builds every part, owns every disposable, and nothing else.
import * as vscode from 'vscode';
import { registerRunCommands } from './commands/runCommands';
import { registerCompareCommands } from './commands/compareCommands';
import { registerRegistryCommands } from './commands/registryCommands';
import { registerPromotionCommands } from './commands/promotionCommands';
import { registerCardCommands } from './commands/cardCommands';
import { registerRunsViewCommands } from './commands/runsViewCommands';
import { registerSourceCommands } from './commands/sourceCommands';
import { showStoreInfo } from './commands/storeInfo';
import { registerDriftCommands } from './commands/driftCommands';
import { registerSigningCommands } from './commands/signingCommands';
import { MonitoringAlerts } from './workspace/monitoringAlerts';
import { ModelsTreeProvider } from './views/modelsTree';
import { RunsTreeProvider } from './views/runsTree';
import { RunsViewState } from './views/runsViewState';
import { RunsStatusBarItem } from './views/statusBar';
import { WorkspaceImports } from './workspace/workspaceImports';
import { WorkspaceRegistry } from './workspace/workspaceRegistry';
import { WorkspaceStores } from './workspace/workspaceStores';
import { registerServerCommands } from './commands/serverCommands';
import { ServerConnections } from './workspace/serverConnections';
import { registerRunsTableCommands } from './commands/runsTableCommands';

/** What activate() returns; the integration tests use it to reach the real parts. */
export interface ModelLedgerApi {
  readonly stores: WorkspaceStores;
  readonly imports: WorkspaceImports;
  readonly registry: WorkspaceRegistry;
  readonly modelsTree: ModelsTreeProvider;
  readonly runsTree: RunsTreeProvider;
  readonly runsState: RunsViewState;
  readonly log: vscode.LogOutputChannel;
  readonly alerts: MonitoringAlerts;
  /** Connected MLflow Tracking Servers. */
  readonly servers: ServerConnections;
  /** Milliseconds from the start of activate() until the views and commands were registered. */
  readonly activationMs: number;
}

let stores: WorkspaceStores | undefined;

export function activate(context: vscode.ExtensionContext): ModelLedgerApi {
  const started = performance.now();
  const own = <T extends vscode.Disposable>(disposable: T): T => {
    context.subscriptions.push(disposable);
    return disposable;
  };

  const log = own(vscode.window.createOutputChannel('Model Ledger', { log: true }));
  const settings = () => vscode.workspace.getConfiguration('modelLedger');
  const customDir = settings().get<string>('store.directory', '').trim();
  stores = own(
    new WorkspaceStores({
      storageDir: customDir || context.storageUri?.fsPath,
      wasmPath: context.asAbsolutePath('dist/sql-wasm.wasm'),
      log,
      saveDelayMs: () => settings().get<number>('store.saveDelayMs', 1000),
    }),
  );
  const imports = own(new WorkspaceImports(stores, log));
  const registry = own(new WorkspaceRegistry(stores, log));

  const servers = own(new ServerConnections(stores, context.workspaceState, context.secrets, log));

  const runsState = own(new RunsViewState(context.workspaceState));
  const runsTree = own(new RunsTreeProvider(stores, () => settings().get<string>('runs.keyMetric', '').trim() || undefined, runsState, servers));
  const alerts = own(new MonitoringAlerts(stores, registry, context.workspaceState, log));
  const modelsTree = own(new ModelsTreeProvider(stores, alerts, servers));
  const runsView = own(vscode.window.createTreeView('modelLedger.runs', { treeDataProvider: runsTree, canSelectMany: true, showCollapseAll: true }));
  const describeState = () => {
    runsView.message = runsState.filterText ? `Filter: ${runsState.filterText}` : undefined;
    runsView.description = runsState.showDeleted ? 'including deleted' : undefined;
  };
  describeState();
  own(runsState.onDidChange(describeState));
  own(vscode.window.createTreeView('modelLedger.models', { treeDataProvider: modelsTree, showCollapseAll: true }));
  const statusBar = own(new RunsStatusBarItem(stores, runsState));

  const workspaceStores = stores;
  own(vscode.commands.registerCommand('modelLedger.showOutput', () => log.show()));
  own(vscode.commands.registerCommand('modelLedger.showStoreInfo', () => showStoreInfo(workspaceStores, log)));
  own(
    vscode.commands.registerCommand('modelLedger.refresh', async () => {
      await imports.rescanAll();
      runsTree.refresh();
      modelsTree.refresh();
    }),
  );
  registerRunCommands(own);
  registerRunsViewCommands(own, runsState);
  registerSourceCommands(own, context.extensionUri);
  registerRegistryCommands(own, { stores: workspaceStores, registry, imports });
  registerCompareCommands(own, context, workspaceStores, imports, (uids) => servers.ensureHistories(uids));
  registerPromotionCommands(own, context, { stores: workspaceStores, registry });
  registerCardCommands(own, { stores: workspaceStores, registry });
  registerDriftCommands(own, context, { stores: workspaceStores, registry, alerts, log });
  registerSigningCommands(own, { registry, log });
  registerServerCommands(own, { servers, registry, stores: workspaceStores });
  registerRunsTableCommands(own, context, workspaceStores, imports);
  own(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('modelLedger.runs.keyMetric')) runsTree.refresh();
      if (event.affectsConfiguration('modelLedger.sources')) void imports.restart();
      if (event.affectsConfiguration('modelLedger.ledger.path')) {
        void vscode.window.showInformationMessage('Model Ledger: reload the window to use the new ledger path.', 'Reload').then((c) => c && vscode.commands.executeCommand('workbench.action.reloadWindow'));
      }
    }),
  );

  const activationMs = performance.now() - started;
  log.info(`Model Ledger ${context.extension.packageJSON.version as string} activated in ${activationMs.toFixed(1)} ms.`);
  // The first import runs after activation, off its clock: it loads sql.js and reads the workspace.
  setTimeout(() => {
    imports.start();
    registry.start();
    void statusBar.update();
    void servers.restore();
  }, 0);
  return { stores, imports, registry, runsTree, modelsTree, runsState, log, alerts, servers, activationMs };
}

export async function deactivate(): Promise<void> {
  // Give pending debounced saves a chance to land before the host goes away.
  await stores?.saveAll();
  stores = undefined;
}
