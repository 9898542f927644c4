import * as vscode from 'vscode';
import { currentActor } from '../registry/identity';
import { PolicyBlockedError } from '../registry/ledgerRegistry';
import { STAGES, type Stage } from '../registry/events';
import type { LedgerEvent } from '../registry/events';
import { loadPolicy } from '../policy';
import { checkServerUrl, displayUrl, type ServerAuth } from '../server/client';
import { approveOnServer, deleteAliasOnServer, promoteOnServer, setAliasOnServer, setDescriptionOnServer, type ServerRegistryContext } from '../server/serverRegistry';
import type { ModelsNode } from '../views/modelsTree';
import type { RunsNode } from '../views/runsTree';
import type { ConnectOptions, ServerConnections } from '../workspace/serverConnections';
import type { WorkspaceRegistry } from '../workspace/workspaceRegistry';
import type { WorkspaceStores } from '../workspace/workspaceStores';

type ServerNode = Extract<RunsNode, { kind: 'server' }> | Extract<ModelsNode, { kind: 'server' }>;
type ServerVersionNode = Extract<ModelsNode, { kind: 'version' }>;

interface Deps {
  readonly servers: ServerConnections;
  readonly registry: WorkspaceRegistry;
  readonly stores: WorkspaceStores;
}

/** Connect / Disconnect / Refresh / Filter for MLflow servers, and registry changes on a server's models. */
export function registerServerCommands(own: (d: vscode.Disposable) => void, deps: Deps): void {
  const { servers } = deps;
  const pickServer = async (node?: ServerNode | string): Promise<string | undefined> => {
    if (typeof node === 'string') return node;
    if (node?.kind === 'server') return node.id;
    const all = servers.list();
    if (all.length <= 1) return all[0]?.info.id;
    return (await vscode.window.showQuickPick(all.map((c) => ({ label: c.info.name, description: c.info.url, id: c.info.id })), { title: 'Which MLflow server?' }))?.id;
  };

  own(
    vscode.commands.registerCommand('modelLedger.servers.connect', async (given?: ConnectOptions) => {
      const options = given && typeof given.url === 'string' ? given : await askConnection();
      if (!options) return undefined;
      const problem = checkServerUrl(options.url);
      if (problem) {
        void vscode.window.showErrorMessage(`Model Ledger: ${problem}`);
        return undefined;
      }
      try {
        const connection = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Model Ledger: connecting to ${displayUrl(options.url)}` }, () => servers.connect(options));
        return connection.info.id;
      } catch (error) {
        // The connection is kept (shown with its error in the trees) so Refresh can retry it.
        void vscode.window.showErrorMessage(`Model Ledger: ${(error as Error).message}`);
        return undefined;
      }
    }),
  );
  own(
    vscode.commands.registerCommand('modelLedger.servers.disconnect', async (node?: ServerNode | string) => {
      const id = await pickServer(node);
      if (id) await servers.disconnect(id);
    }),
  );
  own(
    vscode.commands.registerCommand('modelLedger.servers.refresh', async (node?: ServerNode | string) => {
      const ids = typeof node === 'string' || node ? [await pickServer(node)] : servers.list().map((c) => c.info.id);
      for (const id of ids) {
        if (!id) continue;
        try {
          await servers.refresh(id);
        } catch (error) {
          void vscode.window.showErrorMessage(`Model Ledger: ${(error as Error).message}. The cached runs stay visible, marked stale.`);
        }
      }
    }),
  );
  own(
    vscode.commands.registerCommand('modelLedger.servers.filterRuns', async (node?: ServerNode | string, given?: string) => {
      const id = await pickServer(node);
      const connection = id ? servers.get(id) : undefined;
      if (!connection) return;
      const filter =
        given ??
        (await vscode.window.showInputBox({
          title: `Filter runs on ${connection.info.name} (applied by the server)`,
          prompt: "MLflow's filter syntax, e.g. metrics.val_loss < 0.2 and params.lr = '0.01'; empty shows every run",
          value: connection.source.filter,
        }));
      if (filter === undefined) return;
      try {
        await servers.setFilter(connection.info.id, filter);
      } catch (error) {
        void vscode.window.showErrorMessage(`Model Ledger: ${(error as Error).message}`);
      }
    }),
  );

  /** The server context for a version node of a server model, or undefined (with a message) otherwise. */
  const contextFor = async (node: ServerVersionNode | Extract<ModelsNode, { kind: 'model' }>): Promise<ServerRegistryContext | undefined> => {
    const id = node.model.origin.startsWith('mlflow-server:') ? node.model.origin.slice('mlflow-server:'.length) : undefined;
    const connection = id ? servers.get(id) : undefined;
    if (!connection) {
      void vscode.window.showErrorMessage(`Model Ledger: ${node.model.name} is not on a connected MLflow server.`);
      return undefined;
    }
    const folder = servers.folder!;
    const { store } = await deps.stores.get(folder);
    return { source: connection.source, ledgerFile: deps.registry.ledgerFile(folder), actor: await currentActor(folder.uri.fsPath), db: store.db, name: connection.info.name };
  };
  const run = async (what: string, work: () => Promise<LedgerEvent | { event: LedgerEvent }>): Promise<LedgerEvent | undefined> => {
    if (!vscode.workspace.isTrusted) {
      // The change would also be written to the workspace's ledger: read-only here, as for the ledger's own models.
      void vscode.window.showInformationMessage('Model Ledger: this workspace is not trusted, so registry changes are off here (browsing the server still works).');
      return undefined;
    }
    try {
      const result = await work();
      const event = 'event' in result ? result.event : result;
      const folder = servers.folder;
      if (folder) void deps.registry.reproject(folder);
      return event;
    } catch (error) {
      const message =
        error instanceof PolicyBlockedError
          ? `blocked by the policy. ${error.verdict.gates
              .filter((g) => g.status !== 'pass')
              .map((g) => `${String(g.gate)}: ${String(g.reason)}`)
              .join(' · ')}`
          : (error as Error).message;
      void vscode.window.showErrorMessage(`Model Ledger: ${what}: ${message}`);
      return undefined;
    }
  };

  own(
    vscode.commands.registerCommand('modelLedger.servers.transitionStage', async (node?: ServerVersionNode, stage?: Stage, reason?: string) => {
      if (node?.kind !== 'version') return undefined;
      const context = await contextFor(node);
      if (!context) return undefined;
      const target = stage ?? ((await vscode.window.showQuickPick(STAGES.filter((s) => s !== node.version.stage), { title: `${node.model.name} v${node.version.version} on ${context.name} → stage` })) as Stage | undefined);
      if (!target) return undefined;
      const why = reason ?? (await vscode.window.showInputBox({ title: 'Reason (recorded in the ledger)', prompt: 'Why this move?' }));
      if (why === undefined) return undefined;
      const folder = servers.folder!;
      const policy = await loadPolicy(deps.registry.policyFile(folder));
      if (policy.state === 'invalid') {
        void vscode.window.showErrorMessage('Model Ledger: the policy has errors; promotion is blocked until they are fixed (see the Problems view).');
        return undefined;
      }
      return run(`moving ${node.model.name} v${node.version.version} to ${target}`, () =>
        promoteOnServer(context, { model: node.model.name, version: node.version.version, stage: target, ...(why ? { reason: why } : {}), ...(policy.state === 'ok' ? { policy: policy.policy } : {}) }),
      );
    }),
  );
  own(
    vscode.commands.registerCommand('modelLedger.servers.approve', async (node?: ServerVersionNode, stage?: Stage, reason?: string) => {
      if (node?.kind !== 'version') return undefined;
      const context = await contextFor(node);
      if (!context) return undefined;
      const target = stage ?? ((await vscode.window.showQuickPick(STAGES.filter((s) => s !== node.version.stage && s !== 'None'), { title: `Approve ${node.model.name} v${node.version.version} for…` })) as Stage | undefined);
      if (!target) return undefined;
      return run('approving', () => approveOnServer(context, { model: node.model.name, version: node.version.version, stage: target, ...(reason ? { reason } : {}) }));
    }),
  );
  own(
    vscode.commands.registerCommand('modelLedger.servers.setAlias', async (node?: ServerVersionNode, alias?: string) => {
      if (node?.kind !== 'version') return undefined;
      const context = await contextFor(node);
      if (!context) return undefined;
      const name = alias ?? (await vscode.window.showInputBox({ title: `Alias for ${node.model.name} v${node.version.version}`, prompt: 'e.g. champion' }));
      if (!name) return undefined;
      return run('setting the alias', () => setAliasOnServer(context, { model: node.model.name, alias: name.trim(), version: node.version.version }));
    }),
  );
  own(
    vscode.commands.registerCommand('modelLedger.servers.deleteAlias', async (node?: ServerVersionNode, alias?: string) => {
      if (node?.kind !== 'version') return undefined;
      const context = await contextFor(node);
      if (!context) return undefined;
      const name = alias ?? (node.version.aliases.length === 1 ? node.version.aliases[0] : await vscode.window.showQuickPick([...node.version.aliases], { title: 'Remove which alias?' }));
      if (!name) return undefined;
      return run('removing the alias', () => deleteAliasOnServer(context, { model: node.model.name, alias: name }));
    }),
  );
  own(
    vscode.commands.registerCommand('modelLedger.servers.editDescription', async (node?: ServerVersionNode | Extract<ModelsNode, { kind: 'model' }>, text?: string) => {
      if (node?.kind !== 'version' && node?.kind !== 'model') return undefined;
      const context = await contextFor(node);
      if (!context) return undefined;
      const current = node.kind === 'version' ? node.version.description : node.model.description;
      const description = text ?? (await vscode.window.showInputBox({ title: 'Description', value: current ?? '' }));
      if (description === undefined) return undefined;
      return run('editing the description', () => setDescriptionOnServer(context, { model: node.model.name, ...(node.kind === 'version' ? { version: node.version.version } : {}), description }));
    }),
  );
}

/** Asks for URL, auth and TLS; the secret goes to SecretStorage only (through ServerConnections). */
async function askConnection(): Promise<ConnectOptions | undefined> {
  const url = await vscode.window.showInputBox({
    title: 'Connect to MLflow Server (1/3)',
    prompt: 'Tracking server URL (Azure ML and Databricks MLflow endpoints work too)',
    placeHolder: 'http://127.0.0.1:5000',
    validateInput: (value) => (value.trim() ? checkServerUrl(value.trim()) : 'a URL is needed'),
    ignoreFocusOut: true,
  });
  if (!url) return undefined;
  const kind = await vscode.window.showQuickPick(
    [
      { label: 'No authentication', auth: 'none' as const },
      { label: 'Username and password', description: 'HTTP basic', auth: 'basic' as const },
      { label: 'Token', description: 'Bearer', auth: 'bearer' as const },
    ],
    { title: 'Connect to MLflow Server (2/3): authentication', ignoreFocusOut: true },
  );
  if (!kind) return undefined;
  let auth: ServerAuth = { kind: 'none' };
  if (kind.auth === 'basic') {
    const username = await vscode.window.showInputBox({ title: 'Username', ignoreFocusOut: true });
    if (username === undefined) return undefined;
    const password = await vscode.window.showInputBox({ title: 'Password', password: true, ignoreFocusOut: true });
    if (password === undefined) return undefined;
    auth = { kind: 'basic', username, password };
  } else if (kind.auth === 'bearer') {
    const token = await vscode.window.showInputBox({ title: 'Token', password: true, ignoreFocusOut: true });
    if (!token) return undefined;
    auth = { kind: 'bearer', token };
  }
  let insecureTls = false;
  if (url.trim().toLowerCase().startsWith('https:')) {
    const tls = await vscode.window.showQuickPick(
      [
        { label: 'Verify the certificate', insecure: false },
        { label: 'Accept any certificate', description: 'self-signed test servers only', insecure: true },
      ],
      { title: 'Connect to MLflow Server (3/3): TLS', ignoreFocusOut: true },
    );
    if (!tls) return undefined;
    insecureTls = tls.insecure;
  }
  const name = await vscode.window.showInputBox({ title: 'Name shown in the trees (optional)', value: new URL(url.trim()).host, ignoreFocusOut: true });
  return { url: url.trim(), auth, ...(name ? { name } : {}), ...(insecureTls ? { insecureTls } : {}) };
}
