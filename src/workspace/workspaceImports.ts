import * as vscode from 'vscode';
import { ImportEngine, importersWithExtraGlobs, type Diagnostic, type FileFinder, type ImportSummary, type UnitRef, SKIPPED_FOLDERS } from '../ingest';
import { applyExternalRegistries, readExternalRegistries, refreshExternalRegistries } from '../registry/externalImport';
import type { WorkspaceStores } from './workspaceStores';

/** Finds files with VS Code's search, so files.exclude applies (and remote workspaces work). */
class VsCodeFileFinder implements FileFinder {
  constructor(private readonly folder: vscode.WorkspaceFolder) {}

  async find(_root: string, patterns: readonly string[], signal?: AbortSignal): Promise<string[]> {
    const excludes = new Set<string>([...SKIPPED_FOLDERS].map((name) => `**/${name}/**`));
    const filesExclude = vscode.workspace.getConfiguration('files', this.folder).get<Record<string, boolean>>('exclude', {});
    for (const [glob, on] of Object.entries(filesExclude)) if (on) excludes.add(glob);
    const exclude = `{${[...excludes].join(',')}}`;
    const source = new vscode.CancellationTokenSource();
    signal?.addEventListener('abort', () => source.cancel());
    try {
      const found = new Set<string>();
      for (const pattern of patterns) {
        for (const uri of await vscode.workspace.findFiles(new vscode.RelativePattern(this.folder, pattern), exclude, undefined, source.token)) {
          found.add(uri.fsPath);
        }
      }
      return [...found].sort();
    } finally {
      source.dispose();
    }
  }
}

interface FolderImports {
  engine: ImportEngine;
  readonly watchers: vscode.Disposable[];
  firstScan: Promise<ImportSummary> | undefined;
}

/**
 * Imports each workspace folder's runs into its store: a first scan (with progress, cancellable),
 * then live updates from narrow file watchers (the importers' globs; never `**` alone), debounced
 * per unit. Problems go to the Problems view and the Output channel.
 */
export class WorkspaceImports implements vscode.Disposable {
  private readonly folders = new Map<string, Promise<FolderImports>>();
  private readonly pending = new Map<string, { ref: UnitRef; folder: vscode.WorkspaceFolder }>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly diagnosticsByUnit = new Map<string, Diagnostic[]>();
  private readonly problems = vscode.languages.createDiagnosticCollection('modelLedger');
  private readonly importedEmitter = new vscode.EventEmitter<{ folder: vscode.WorkspaceFolder; summary: ImportSummary }>();
  /** Fires after every import that may have changed runs. */
  readonly onDidImport = this.importedEmitter.event;
  private disposed = false;

  constructor(
    private readonly stores: WorkspaceStores,
    private readonly log: vscode.LogOutputChannel,
    private readonly debounceMs = 150,
  ) {}

  private importersFor(folder: vscode.WorkspaceFolder) {
    return importersWithExtraGlobs(vscode.workspace.getConfiguration('modelLedger', folder).get<Record<string, string[]>>('sources'));
  }

  /** Starts (once) the first scan of every folder. */
  start(): void {
    for (const folder of vscode.workspace.workspaceFolders ?? []) void this.forFolder(folder);
  }

  /** Resolves when the folder's first scan is done. */
  async ready(folder: vscode.WorkspaceFolder): Promise<ImportSummary | undefined> {
    const imports = await this.forFolder(folder);
    const summary = await imports.firstScan;
    const { store } = await this.stores.get(folder);
    if (imports.engine.store !== store) {
      // The store was closed and reopened (or rebuilt after corruption): import into the new one.
      imports.engine = new ImportEngine(store, folder.uri.fsPath, this.importersFor(folder));
      imports.firstScan = this.runScan(folder, imports.engine, true);
      return imports.firstScan;
    }
    return summary;
  }

  /** Re-reads the registries other tools keep in the folder (after a change made through one of them). */
  async refreshRegistries(folder: vscode.WorkspaceFolder): Promise<void> {
    const { store } = await this.stores.get(folder);
    const reads = await readExternalRegistries(folder.uri.fsPath, new VsCodeFileFinder(folder), { git: vscode.workspace.isTrusted });
    store.transaction(() => applyExternalRegistries(store.db, reads));
    store.changed();
    this.stores.notifyChanged(folder);
  }

  /** Forgets watchers and engines (e.g. after `modelLedger.sources` changed) and scans again. */
  async restart(): Promise<void> {
    const entries = [...this.folders.values()];
    this.folders.clear();
    for (const entry of entries) {
      const imports = await entry.catch(() => undefined);
      imports?.watchers.forEach((w) => w.dispose());
    }
    this.start();
  }

  /** Rescans every folder (the Refresh command). */
  async rescanAll(): Promise<void> {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const imports = await this.forFolder(folder);
      await this.ready(folder);
      await this.runScan(folder, await this.currentEngine(folder, imports), false);
    }
  }

  private forFolder(folder: vscode.WorkspaceFolder): Promise<FolderImports> {
    const key = folder.uri.toString();
    let entry = this.folders.get(key);
    if (!entry) {
      entry = this.setUp(folder);
      this.folders.set(key, entry);
    }
    return entry;
  }

  private async setUp(folder: vscode.WorkspaceFolder): Promise<FolderImports> {
    const { store } = await this.stores.get(folder);
    const engine = new ImportEngine(store, folder.uri.fsPath, this.importersFor(folder));
    const watchers: vscode.Disposable[] = [];
    const imports: FolderImports = { engine, watchers, firstScan: undefined };
    const globs = new Set(engine.importers.flatMap((i) => [...i.patterns, ...(i.watchPatterns ?? [])]));
    for (const glob of globs) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, glob));
      const onChange = (uri: vscode.Uri) => this.queue(folder, imports.engine, uri.fsPath);
      watchers.push(watcher, watcher.onDidCreate(onChange), watcher.onDidChange(onChange), watcher.onDidDelete(onChange));
    }
    imports.firstScan = this.runScan(folder, engine, true);
    return imports;
  }

  /** The engine over the folder's current store (a store that was closed and reopened gets a new engine). */
  private async currentEngine(folder: vscode.WorkspaceFolder, imports: FolderImports): Promise<ImportEngine> {
    const { store } = await this.stores.get(folder);
    if (imports.engine.store !== store) imports.engine = new ImportEngine(store, folder.uri.fsPath, this.importersFor(folder));
    return imports.engine;
  }

  private async runScan(folder: vscode.WorkspaceFolder, engine: ImportEngine, first: boolean): Promise<ImportSummary> {
    const controller = new AbortController();
    const finder = new VsCodeFileFinder(folder);
    const scanning = engine.scan(finder, { signal: controller.signal });
    const settled = scanning.catch(() => undefined); // the progress UI must not report the failure a second time
    // A quick scan shows only in the status bar; a long one (a first import of a big workspace)
    // gets a notification with progress and a Cancel button.
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Model Ledger: importing runs' }, () => settled);
    const slow = setTimeout(() => {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Model Ledger: importing runs in ${folder.name}`, cancellable: true },
        (_progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          return settled;
        },
      );
    }, 1500);
    try {
      let summary: ImportSummary;
      try {
        summary = await scanning;
      } catch (error) {
        this.log.error(`Import of ${folder.name} failed: ${(error as Error).stack ?? String(error)}`);
        return { unitsImported: 0, runsRemoved: 0, diagnostics: [], durationMs: 0, cancelled: true, changed: false };
      }
      this.log.info(
        `${first ? 'Imported' : 'Rescanned'} ${folder.name}: ${summary.unitsImported} sources in ${summary.durationMs.toFixed(0)} ms` +
          (summary.runsRemoved ? `, ${summary.runsRemoved} runs removed` : '') +
          (summary.cancelled ? ' (cancelled)' : ''),
      );
      // Registries other tools keep here (MLflow, GTO): read-only, replaced as a whole on each scan.
      let registryDiagnostics: ImportSummary['diagnostics'] = [];
      try {
        const reads = await readExternalRegistries(folder.uri.fsPath, finder, { git: vscode.workspace.isTrusted });
        const applied = refreshExternalRegistries(engine.store, reads, summary.changed);
        registryDiagnostics = applied.diagnostics;
      } catch (error) {
        this.log.error(`Reading the registries in ${folder.name} failed: ${(error as Error).message}`);
      }
      const all = { ...summary, diagnostics: [...summary.diagnostics, ...registryDiagnostics] };
      this.report(engine, all, undefined);
      this.stores.notifyChanged(folder);
      this.importedEmitter.fire({ folder, summary: all });
      return all;
    } finally {
      clearTimeout(slow);
    }
  }

  private queue(folder: vscode.WorkspaceFolder, engine: ImportEngine, file: string): void {
    for (const ref of engine.unitsOf(file)) this.pending.set(`${folder.uri.toString()}|${ref.unit}`, { ref, folder });
    if (this.pending.size > 0 && !this.flushTimer && !this.disposed) {
      this.flushTimer = setTimeout(() => void this.flush(), this.debounceMs);
    }
  }

  private async flush(): Promise<void> {
    this.flushTimer = undefined;
    const batch = [...this.pending.values()];
    this.pending.clear();
    const byFolder = new Map<string, { folder: vscode.WorkspaceFolder; refs: UnitRef[] }>();
    for (const { ref, folder } of batch) {
      const entry = byFolder.get(folder.uri.toString()) ?? { folder, refs: [] };
      entry.refs.push(ref);
      byFolder.set(folder.uri.toString(), entry);
    }
    for (const { folder, refs } of byFolder.values()) {
      const imports = await this.forFolder(folder);
      await this.ready(folder);
      const engine = await this.currentEngine(folder, imports);
      let summary: ImportSummary;
      try {
        summary = await engine.importUnits(refs);
      } catch (error) {
        this.log.error(`Import of ${refs.length} changed sources failed: ${(error as Error).stack ?? String(error)}`);
        continue;
      }
      this.report(engine, summary, refs);
      this.stores.notifyChanged(folder);
      this.importedEmitter.fire({ folder, summary });
    }
  }

  /** Updates the Problems view and the Output channel with an import's diagnostics. */
  private report(engine: ImportEngine, summary: ImportSummary, refs: readonly UnitRef[] | undefined): void {
    // Importers report a bad line once, when they read it; an incremental import must not make
    // the diagnostics of lines read earlier disappear. A full rescan replaces them all.
    if (!refs) this.diagnosticsByUnit.clear();
    for (const d of summary.diagnostics) {
      const unit = engine.unitsOf(d.file)[0]?.unit ?? d.file;
      const list = this.diagnosticsByUnit.get(unit) ?? [];
      if (list.some((e) => e.file === d.file && e.position === d.position && e.message === d.message)) continue;
      list.push(d);
      this.diagnosticsByUnit.set(unit, list);
      const log = d.severity === 'error' ? this.log.error.bind(this.log) : d.severity === 'warning' ? this.log.warn.bind(this.log) : this.log.info.bind(this.log);
      log(`${d.file}${d.position ? `:${d.position}` : ''}: ${d.message}`);
    }
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const list of this.diagnosticsByUnit.values()) {
      for (const d of list) {
        const line = d.line ?? 0;
        const diagnostic = new vscode.Diagnostic(
          new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER),
          d.position && d.line === undefined ? `${d.message} (${d.position})` : d.message,
          d.severity === 'error' ? vscode.DiagnosticSeverity.Error : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information,
        );
        diagnostic.source = 'Model Ledger';
        const entries = byFile.get(d.file) ?? [];
        entries.push(diagnostic);
        byFile.set(d.file, entries);
      }
    }
    this.problems.clear();
    for (const [file, list] of byFile) this.problems.set(vscode.Uri.file(file), list);
  }

  dispose(): void {
    this.disposed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.problems.dispose();
    this.importedEmitter.dispose();
    for (const entry of this.folders.values()) {
      void entry.then((imports) => imports.watchers.forEach((w) => w.dispose())).catch(() => undefined);
    }
    this.folders.clear();
  }
}
