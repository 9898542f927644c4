// Alerts change state, reports do not: a drift report is read again and again (each opening of the
// drift panel, each window), but a threshold is crossed once and recovers once. This module turns
// reports into crossings and crossings into state changes, so notifications and ledger events happen
// once per change of state and never because a report was only opened. Host-free.
import type { DriftReportModel } from '../shared/driftProtocol';

/** One crossed threshold in a report. */
export interface Crossing {
  readonly rule: string;
  readonly series?: string;
  readonly start?: string;
  readonly end?: string;
  readonly value: number | null;
  readonly text: string;
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

/**
 * The identity of a crossing across reports: the rule, the series and when the breach started. The
 * end and the value change while a breach goes on; they do not make it a new alert.
 */
export function crossingKey(c: { readonly rule: string; readonly series?: unknown; readonly start?: unknown }): string {
  return [c.rule, typeof c.series === 'string' ? c.series : '', typeof c.start === 'string' ? c.start : ''].join('\u0000');
}

export interface AlertTransitions {
  /** Crossings not active before. */
  readonly started: readonly Crossing[];
  /** Keys of crossings active before and gone now. */
  readonly ended: readonly string[];
}

export function alertTransitions(active: ReadonlySet<string>, current: readonly Crossing[]): AlertTransitions {
  const currentKeys = new Set(current.map(crossingKey));
  return {
    started: current.filter((c) => !active.has(crossingKey(c))),
    ended: [...active].filter((k) => !currentKeys.has(k)),
  };
}

/** The `after` of an `alert` ledger event: a crossing that started, or (`state: 'ended'`) one that recovered. */
export type AlertEventBody = {
  readonly rule: string;
  readonly series?: string;
  readonly start?: string;
  readonly end?: string;
  readonly value?: number | null;
  readonly state?: 'started' | 'ended';
};

/** The crossings a version's `alert` events leave active, replayed in ledger order. */
export function activeAlertKeys(events: Iterable<Readonly<Record<string, unknown>>>): Set<string> {
  const active = new Set<string>();
  for (const after of events) {
    if (typeof after.rule !== 'string') continue;
    const k = crossingKey(after as { rule: string });
    if (after.state === 'ended') active.delete(k);
    else active.add(k);
  }
  return active;
}

/** The ledger body for a key that ended (rule, series and start recovered from the key). */
export function endedBody(k: string): AlertEventBody {
  const [rule, series, start] = k.split('\u0000');
  return { rule, ...(series ? { series } : {}), ...(start ? { start } : {}), state: 'ended' };
}

export function startedBody(c: Crossing): AlertEventBody {
  return { rule: c.rule, ...(c.series ? { series: c.series } : {}), ...(c.start ? { start: c.start, end: c.end } : {}), value: c.value };
}
