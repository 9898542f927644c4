// Monitoring alerts for model versions: a crossed threshold in a drift report (dataset drift, or a
// performance rule such as "f1 < 0.92 for 48h") shows a warning on the version in the Models tree,
// a status-bar item and a notification, is recorded once as an `alert` ledger event, and may run the
// task named by `modelLedger.monitoring.alertTask` (asked once per workspace; never when untrusted).
import * as vscode from 'vscode';
import { latestVersionEvent } from '../registry/queries';
import type { DriftReportModel } from '../shared/driftProtocol';
import type { WorkspaceRegistry } from './workspaceRegistry';
import type { WorkspaceStores } from './workspaceStores';

export interface VersionAlert {
  readonly folder: vscode.WorkspaceFolder;
  readonly model: string;
  readonly version: number;
  /** One line per crossed threshold. */
  readonly lines: readonly string[];
}

interface Crossing {
  readonly rule: string;
  readonly series?: string;
  readonly start?: string;
  readonly end?: string;
  readonly value: number | null;
  readonly text: string;
}

const TASK_ANSWER_KEY = 'modelLedger.monitoring.alertTaskAnswer';

function key(folder: vscode.WorkspaceFolder, model: string, version: number): string {
  return `${folder.uri.toString()}#${model}#${version}`;
}

/** What a report says is wrong: the dataset drifts, or a performance rule holds for its duration. */
export function crossings(report: DriftReportModel): Crossing[] {
  const out: Crossing[] = [];
  if (report.datasetDrift) {
    out.push({
      rule: `drift_share >= ${report.driftShareThreshold}`,
      value: report.share,
      text: `dataset drift: ${report.driftedCount} of ${report.columnCount} features drifted (share ${report.share.toFixed(2)} ≥ ${report.driftShareThreshold})`,
    });
  }
  for (const b of report.performance?.breaches ?? []) {
    const start = new Date(b.start).toISOString();
    const end = new Date(b.end).toISOString();
    out.push({ rule: b.rule, series: b.series, start, end, value: b.worst, text: `${b.series}: ${b.rule} from ${start.slice(0, 16).replace('T', ' ')} to ${end.slice(0, 16).replace('T', ' ')}` });
  }
  return out;
}

export class MonitoringAlerts implements vscode.Disposable {
  private readonly alerts = new Map<string, VersionAlert>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly shownUntrusted = new Set<string>();
  private readonly item = vscode.window.createStatusBarItem('modelLedger.alerts', vscode.StatusBarAlignment.Left, 9);

  constructor(
    private readonly stores: WorkspaceStores,
    private readonly registry: WorkspaceRegistry,
    private readonly workspaceState: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.item.name = 'Model Ledger Alerts';
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  }

  alertFor(folder: vscode.WorkspaceFolder, model: string, version: number): VersionAlert | undefined {
    return this.alerts.get(key(folder, model, version));
  }

  get all(): readonly VersionAlert[] {
    return [...this.alerts.values()];
  }

  /** Takes a fresh report for a version: sets or clears its alert and acts on new crossings. */
  async report(folder: vscode.WorkspaceFolder, model: string, version: number, report: DriftReportModel): Promise<void> {
    const found = crossings(report);
    const k = key(folder, model, version);
    // The report's share is what a `drift.share` gate of the promotion policy measures.
    this.registry.recordDrift(folder, model, version, report.share);
    if (found.length === 0) {
      if (this.alerts.delete(k)) this.changed();
      return;
    }
    this.alerts.set(k, { folder, model, version, lines: found.map((c) => c.text) });
    this.changed();
    const recorded = await this.record(folder, model, version, found);
    if (recorded === 0) return; // already known: no new notification
    const open = 'Open Drift Report';
    const taskName = vscode.workspace.getConfiguration('modelLedger.monitoring', folder).get<string>('alertTask', '').trim();
    void vscode.window.showWarningMessage(`Model Ledger: ${model} v${version}: ${found[0].text}${found.length > 1 ? ` (+${found.length - 1} more)` : ''}`, open).then((choice) => {
      if (choice === open) void vscode.commands.executeCommand('modelLedger.openDriftReport', { folder, model, version });
    });
    if (taskName) await this.maybeRunTask(taskName, `${model} v${version}`);
  }

  /** Appends an `alert` event per crossing the ledger does not already hold (same rule, series and start). */
  private async record(folder: vscode.WorkspaceFolder, model: string, version: number, found: readonly Crossing[]): Promise<number> {
    const { store } = await this.stores.get(folder);
    if (!vscode.workspace.isTrusted) {
      // Untrusted: the registry is read-only; the alert still shows (once per session and rule set).
      const seen = `${key(folder, model, version)}|${found.map((c) => `${c.rule}@${c.start ?? ''}`).join(',')}`;
      if (this.shownUntrusted.has(seen)) return 0;
      this.shownUntrusted.add(seen);
      return found.length;
    }
    let recorded = 0;
    for (const c of found) {
      const last = latestVersionEvent(store.db, model, version, 'alert');
      const same = last && last.after.rule === c.rule && (last.after.series ?? undefined) === c.series && (last.after.start ?? undefined) === c.start;
      if (same) continue;
      try {
        await this.registry.registry(folder).recordAlert({
          model,
          version,
          alert: { rule: c.rule, ...(c.series ? { series: c.series } : {}), ...(c.start ? { start: c.start, end: c.end } : {}), value: c.value },
          reason: c.text,
        });
        recorded++;
      } catch (error) {
        // A version another tool keeps (MLflow, GTO) is not in the ledger: the alert still shows.
        this.log.warn(`Alert for ${model} v${version} not recorded in the ledger: ${(error as Error).message}`);
        recorded++;
      }
    }
    if (recorded > 0) await this.registry.reproject(folder);
    return recorded;
  }

  private async maybeRunTask(name: string, what: string): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.log.info(`Not running the alert task "${name}": the workspace is not trusted.`);
      return;
    }
    let answer = this.workspaceState.get<'always' | 'never'>(TASK_ANSWER_KEY);
    if (!answer) {
      const choice = await vscode.window.showInformationMessage(`Model Ledger: run the task "${name}" when a monitoring alert fires (now for ${what})?`, 'Always', 'Never');
      if (!choice) return;
      answer = choice === 'Always' ? 'always' : 'never';
      await this.workspaceState.update(TASK_ANSWER_KEY, answer);
    }
    if (answer !== 'always') return;
    const task = (await vscode.tasks.fetchTasks()).find((t) => t.name === name);
    if (!task) {
      void vscode.window.showWarningMessage(`Model Ledger: no task named "${name}" (modelLedger.monitoring.alertTask).`);
      return;
    }
    this.log.info(`Running the alert task "${name}" for ${what}.`);
    await vscode.tasks.executeTask(task);
  }

  private changed(): void {
    const all = this.all;
    if (all.length === 0) this.item.hide();
    else {
      this.item.text = `$(warning) ${all.length} model alert${all.length === 1 ? '' : 's'}`;
      this.item.tooltip = all.map((a) => `${a.model} v${a.version}: ${a.lines.join('; ')}`).join('\n');
      const first = all[0];
      this.item.command = { title: 'Open Drift Report', command: 'modelLedger.openDriftReport', arguments: [{ folder: first.folder, model: first.model, version: first.version }] };
      this.item.show();
    }
    this.changeEmitter.fire();
  }

  dispose(): void {
    this.item.dispose();
    this.changeEmitter.dispose();
  }
}
