// Monitoring alerts for model versions: a crossed threshold in a drift report (dataset drift, or a
// performance rule such as "f1 < 0.92 for 48h") shows a warning on the version in the Models tree and
// a status-bar item while the report says so. Reading a report never writes: a notification appears,
// an `alert` ledger event is appended (only with `modelLedger.monitoring.recordAlerts`) and the alert
// task may run (asked once per workspace; never when untrusted) only when a crossing starts or ends —
// not because the same report was opened again, in this window or another, today or next week.
import * as vscode from 'vscode';
import { activeAlertKeys, alertTransitions, crossingKey, crossings, endedBody, startedBody, type Crossing } from '../monitoring/alertState';
import { versionEventBodies } from '../registry/queries';
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

const TASK_ANSWER_KEY = 'modelLedger.monitoring.alertTaskAnswer';
/** Per version, the crossing keys the user was last told about (kept per workspace, across sessions). */
const NOTIFIED_KEY = 'modelLedger.monitoring.notifiedAlerts';

function key(folder: vscode.WorkspaceFolder, model: string, version: number): string {
  return `${folder.uri.toString()}#${model}#${version}`;
}

export class MonitoringAlerts implements vscode.Disposable {
  private readonly alerts = new Map<string, VersionAlert>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;
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

  /** Takes a fresh report for a version: sets or clears its alert; acts only on crossings that started or ended. */
  async report(folder: vscode.WorkspaceFolder, model: string, version: number, report: DriftReportModel): Promise<void> {
    const found = crossings(report);
    const k = key(folder, model, version);
    // The report's share is what a `drift.share` gate of the promotion policy measures.
    this.registry.recordDrift(folder, model, version, report.share);
    const wasShown = this.alerts.has(k);
    if (found.length === 0) this.alerts.delete(k);
    else this.alerts.set(k, { folder, model, version, lines: found.map((c) => c.text) });
    if (wasShown || found.length > 0) this.changed();

    if (this.recordingEnabled(folder)) await this.record(folder, model, version, found);
    const { started } = alertTransitions(this.notified(k), found);
    await this.remember(k, found);
    if (started.length === 0) return; // nothing new since the user was last told
    this.notify(folder, model, version, started);
    const taskName = vscode.workspace.getConfiguration('modelLedger.monitoring', folder).get<string>('alertTask', '').trim();
    if (taskName) await this.maybeRunTask(taskName, `${model} v${version}`);
  }

  private recordingEnabled(folder: vscode.WorkspaceFolder): boolean {
    return vscode.workspace.isTrusted && vscode.workspace.getConfiguration('modelLedger.monitoring', folder).get<boolean>('recordAlerts', false);
  }

  private notified(k: string): Set<string> {
    return new Set(this.workspaceState.get<Record<string, string[]>>(NOTIFIED_KEY, {})[k] ?? []);
  }

  private async remember(k: string, found: readonly Crossing[]): Promise<void> {
    const all = { ...this.workspaceState.get<Record<string, string[]>>(NOTIFIED_KEY, {}) };
    const keys = found.map(crossingKey);
    // The same report read again: nothing to store (reading writes nothing, not even here).
    if ((all[k] ?? []).join('\n') === keys.join('\n')) return;
    if (keys.length === 0) delete all[k];
    else all[k] = keys;
    await this.workspaceState.update(NOTIFIED_KEY, all);
  }

  private notify(folder: vscode.WorkspaceFolder, model: string, version: number, started: readonly Crossing[]): void {
    const open = 'Open Drift Report';
    const text = `Model Ledger: ${model} v${version}: ${started[0].text}${started.length > 1 ? ` (+${started.length - 1} more)` : ''}`;
    void vscode.window.showWarningMessage(text, open).then((choice) => {
      if (choice === open) void vscode.commands.executeCommand('modelLedger.openDriftReport', { folder, model, version });
    });
  }

  /**
   * Appends an `alert` event for each crossing that started and each that ended since the ledger's
   * own last word on it: the ledger is shared, so this is what keeps two windows or two sessions from
   * recording one crossing twice.
   */
  private async record(folder: vscode.WorkspaceFolder, model: string, version: number, found: readonly Crossing[]): Promise<void> {
    const { store } = await this.stores.get(folder);
    const { started, ended } = alertTransitions(activeAlertKeys(versionEventBodies(store.db, model, version, 'alert')), found);
    const bodies = [...started.map((c) => ({ body: startedBody(c), reason: c.text })), ...ended.map((k) => ({ body: endedBody(k), reason: `no longer crossed: ${endedBody(k).rule}` }))];
    for (const { body, reason } of bodies) {
      try {
        await this.registry.registry(folder).recordAlert({ model, version, alert: body, reason });
      } catch (error) {
        // A version another tool keeps (MLflow, GTO) is not in the ledger: the alert still shows.
        this.log.warn(`Alert for ${model} v${version} not recorded in the ledger: ${(error as Error).message}`);
      }
    }
    if (bodies.length > 0) await this.registry.reproject(folder);
  }

  private async maybeRunTask(name: string, what: string): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.log.info(`Not running the alert task "${name}": the workspace is not trusted.`);
      return;
    }
    const answerKey = `${TASK_ANSWER_KEY}:${name}`;
    let answer = this.workspaceState.get<'always' | 'never'>(answerKey);
    if (!answer) {
      // Asked once per workspace, with the first alert that starts; closing the question is a "Never"
      // for that task (naming another task in modelLedger.monitoring.alertTask asks again).
      const choice = await vscode.window.showInformationMessage(`Model Ledger: run the task "${name}" when a monitoring alert fires (now for ${what})?`, 'Always', 'Never');
      answer = choice === 'Always' ? 'always' : 'never';
      await this.workspaceState.update(answerKey, answer);
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
