// The one message contract of the "Compare runs" panel, imported by the host (src/panels/comparePanel.ts)
// and the webview (webview/compare/main.ts). Host-free and DOM-free: plain data only.
//
// Numbers that may be NaN or ±Infinity travel as `null` in series arrays, because the initial state
// is inlined as JSON (which has neither) and both paths must look the same to the webview.

import type { MetricDirection } from './metricDirection';

export type { MetricDirection };

export interface CompareRun {
  readonly uid: string;
  /** The tool's own id when it has one (MLflow run id, W&B id), else the uid. */
  readonly id: string;
  readonly name: string;
  readonly experiment: string;
  readonly status: string;
  readonly startTime: number | null;
  readonly endTime: number | null;
  /** End − start when both are known and end ≥ start. */
  readonly durationMs: number | null;
  readonly format: string;
  readonly sourcePath: string | null;
  readonly gitCommit: string | null;
  readonly tags: readonly (readonly [string, string])[];
  /** CSS colour, fixed per uid within a comparison (src/compare/colors.ts). */
  readonly color: string;
}

export interface ParamRow {
  readonly key: string;
  /** One entry per run, in `runs` order; null when the run has no such param. */
  readonly values: readonly (string | null)[];
  /** True when not every run has the same value (a missing value counts as different). */
  readonly differs: boolean;
}

export interface PointRef {
  readonly value: number | null;
  readonly step: number;
}

export interface MetricCell {
  readonly count: number;
  readonly last: (PointRef & { readonly timestamp: number }) | null;
  readonly min: PointRef | null;
  readonly max: PointRef | null;
  /** `min` or `max` depending on the metric's direction. */
  readonly best: PointRef | null;
  /** Last value minus the baseline's last value; null for the baseline itself or when either is missing. */
  readonly deltaAbs: number | null;
  /** deltaAbs relative to |baseline|, in percent; null when the baseline is 0 or missing. */
  readonly deltaPct: number | null;
}

export interface MetricRow {
  readonly key: string;
  readonly direction: MetricDirection;
  /** One entry per run, in `runs` order; null when the run did not log the metric. */
  readonly cells: readonly (MetricCell | null)[];
  /** Index into `runs` of the run with the best `best` value, or null when none has a finite one. */
  readonly bestRunIndex: number | null;
}

export interface SeriesData {
  readonly runUid: string;
  readonly key: string;
  /** Steps, ascending. */
  readonly x: readonly number[];
  readonly y: readonly (number | null)[];
  /** Wall-clock timestamps (ms since the epoch, 0 when the format has none). */
  readonly t: readonly number[];
  /** Points in the store for this series (before decimation). */
  readonly totalPoints: number;
  /** Changes whenever the series in the store changes: lets the host send only changed series. */
  readonly fingerprint: string;
}

export interface ComparisonModel {
  readonly runs: readonly CompareRun[];
  readonly baselineUid: string;
  readonly params: readonly ParamRow[];
  readonly metrics: readonly MetricRow[];
  readonly series: readonly SeriesData[];
  /** Requested uids that are not (or no longer) in the store. */
  readonly missingUids: readonly string[];
  readonly maxPointsPerSeries: number;
}

/** What the webview persists with `setState` so a panel can be restored after a reload. */
export interface CompareWebviewState {
  readonly folder: string;
  readonly runUids: readonly string[];
  readonly baseline?: string;
  readonly onlyDifferences?: boolean;
}

export type ExportFormat = 'csv' | 'markdown' | 'png';

// ---- host → webview --------------------------------------------------------------------------

export type ToCompareWebview =
  /** The whole state: the first one (after `ready`) and after a baseline change. */
  | { readonly type: 'init'; readonly folder: string; readonly model: ComparisonModel; readonly onlyDifferences: boolean }
  /** Tables in full (they are small), series only when they changed; `removedSeries` are "uid\u0000key" ids. */
  | {
      readonly type: 'update';
      readonly model: Omit<ComparisonModel, 'series'>;
      readonly changedSeries: readonly SeriesData[];
      readonly removedSeries: readonly string[];
    }
  /** Full-resolution points of a zoomed x range; answers `requestRange` with the same requestId. */
  | { readonly type: 'rangeData'; readonly requestId: number; readonly series: readonly SeriesData[] }
  | { readonly type: 'exportResult'; readonly format: ExportFormat; readonly ok: boolean; readonly message: string };

// ---- webview → host --------------------------------------------------------------------------

export type FromCompareWebview =
  | { readonly type: 'ready' }
  | { readonly type: 'setBaseline'; readonly runUid: string }
  | { readonly type: 'toggleDifferences'; readonly onlyDifferences: boolean }
  | { readonly type: 'requestRange'; readonly requestId: number; readonly key: string; readonly runUids: readonly string[]; readonly fromStep: number; readonly toStep: number; readonly maxPoints: number }
  | { readonly type: 'export'; readonly format: 'csv' | 'markdown'; readonly target: 'file' | 'clipboard' }
  | { readonly type: 'export'; readonly format: 'png'; readonly target: 'file'; readonly key: string; readonly dataUrl: string }
  | { readonly type: 'openRun'; readonly runUid: string };

export function seriesId(runUid: string, key: string): string {
  return `${runUid}\u0000${key}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';

/** Guards what arrives from the webview: it is a separate process and its input is not trusted blindly. */
export function isFromCompareWebview(message: unknown): message is FromCompareWebview {
  if (!isRecord(message) || !isString(message.type)) return false;
  switch (message.type) {
    case 'ready':
      return true;
    case 'setBaseline':
    case 'openRun':
      return isString(message.runUid);
    case 'toggleDifferences':
      return typeof message.onlyDifferences === 'boolean';
    case 'requestRange':
      return (
        isFiniteNumber(message.requestId) &&
        isString(message.key) &&
        Array.isArray(message.runUids) &&
        message.runUids.every(isString) &&
        isFiniteNumber(message.fromStep) &&
        isFiniteNumber(message.toStep) &&
        isFiniteNumber(message.maxPoints) &&
        message.maxPoints > 0
      );
    case 'export':
      if (message.format === 'csv' || message.format === 'markdown') return message.target === 'file' || message.target === 'clipboard';
      return message.format === 'png' && message.target === 'file' && isString(message.key) && isString(message.dataUrl) && message.dataUrl.startsWith('data:image/png;base64,');
    default:
      return false;
  }
}

/** Guards what arrives from the host (and what a test page fakes). */
export function isToCompareWebview(message: unknown): message is ToCompareWebview {
  if (!isRecord(message) || !isString(message.type)) return false;
  switch (message.type) {
    case 'init':
      return isString(message.folder) && isRecord(message.model) && Array.isArray(message.model.runs) && Array.isArray(message.model.series);
    case 'update':
      return isRecord(message.model) && Array.isArray(message.changedSeries) && Array.isArray(message.removedSeries);
    case 'rangeData':
      return isFiniteNumber(message.requestId) && Array.isArray(message.series);
    case 'exportResult':
      return isString(message.format) && typeof message.ok === 'boolean' && isString(message.message);
    default:
      return false;
  }
}
