import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ModelLedgerApi } from '../../src/extension';
import { LATEST_SCHEMA_VERSION, loadSqlJs, migrate } from '../../src/store';

const EXTENSION_ID = 'model-ledger.model-ledger';

function extension(): vscode.Extension<ModelLedgerApi> {
  const found = vscode.extensions.getExtension<ModelLedgerApi>(EXTENSION_ID);
  assert.ok(found, `${EXTENSION_ID} is installed`);
  return found;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function folder(): vscode.WorkspaceFolder {
  const first = vscode.workspace.workspaceFolders?.[0];
  assert.ok(first, 'the test workspace is open');
  return first;
}

describe('extension', () => {
  it('activates by itself in a workspace that holds an MLflow store', async () => {
    await waitFor(() => extension().isActive, 'activation through workspaceContains');
    const api = extension().exports;
    assert.ok(api.activationMs >= 0);
    console.log(`activation took ${api.activationMs.toFixed(1)} ms`);
  });

  it('registers every command the manifest contributes', async () => {
    const manifest = extension().packageJSON as { contributes: { commands: { command: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const { command } of manifest.contributes.commands) {
      assert.ok(registered.has(command), `${command} is registered`);
    }
  });

  it('shows its container with the Runs and Models views', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.modelLedger');
    await vscode.commands.executeCommand('modelLedger.runs.focus');
    await vscode.commands.executeCommand('modelLedger.models.focus');
  });

  it('runs Show Store Info, which creates and saves the store in workspace storage', async () => {
    const api = extension().exports;
    const summary = (await vscode.commands.executeCommand('modelLedger.showStoreInfo')) as string;
    assert.match(summary, new RegExp(folder().name));
    assert.match(summary, new RegExp(`schema v${LATEST_SCHEMA_VERSION}`));
    const file = api.stores.storePath(folder());
    assert.ok(file && existsSync(file), `store file ${file} exists`);
    assert.equal(readFileSync(file).subarray(0, 15).toString('latin1'), 'SQLite format 3');
  });

  it('saves, closes and reopens the store with its content', async () => {
    const api = extension().exports;
    const { store } = await api.stores.get(folder());
    store.setMeta('integration', 'kept across reopen');
    await api.stores.close(folder());
    const reopened = await api.stores.get(folder());
    assert.equal(reopened.report.created, false);
    assert.equal(reopened.store.getMeta('integration'), 'kept across reopen');
  });

  it('migrates a store written by an older schema version', async () => {
    const api = extension().exports;
    const file = api.stores.storePath(folder())!;
    await api.stores.close(folder());
    const SQL = await loadSqlJs();
    const old = new SQL.Database();
    migrate(old, 1);
    old.run("INSERT INTO experiments(uid, name, format) VALUES ('mlflow-file:old', 'from v1', 'mlflow-file')");
    writeFileSync(file, old.export());
    old.close();
    const opened = await api.stores.get(folder());
    assert.equal(opened.report.migratedFrom, 1);
    assert.equal(opened.store.schemaVersion, LATEST_SCHEMA_VERSION);
    assert.equal(opened.store.count('experiments'), 1);
    opened.store.db.run("DELETE FROM experiments WHERE uid = 'mlflow-file:old'");
    opened.store.changed();
  });

  it('moves a corrupt store aside, keeps it, and builds a fresh one', async () => {
    const api = extension().exports;
    const file = api.stores.storePath(folder())!;
    await api.stores.close(folder());
    writeFileSync(file, 'definitely not SQLite'.repeat(100));
    const opened = await api.stores.get(folder());
    assert.ok(opened.report.recovered, 'the recovery is reported');
    assert.ok(existsSync(opened.report.recovered.movedTo));
    assert.equal(path.dirname(opened.report.recovered.movedTo), path.dirname(file));
    assert.match(readFileSync(opened.report.recovered.movedTo, 'utf8'), /^definitely not SQLite/);
    assert.equal(opened.store.schemaVersion, LATEST_SCHEMA_VERSION);
    assert.equal(readFileSync(file).subarray(0, 15).toString('latin1'), 'SQLite format 3');
  });

  it('runs remotely as a workspace extension, as in Codespaces or Remote-SSH', () => {
    assert.equal(extension().extensionKind, vscode.ExtensionKind.Workspace);
  });
});
