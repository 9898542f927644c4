// The one message contract of the drift panel, imported by the host (src/panels/driftPanel.ts) and
// the webview (webview/drift/main.ts). Host-free and DOM-free: plain, compact data (the host does
// every statistic; the webview only draws). Non-finite numbers travel as null.

export type WindowChoice = 'day' | 'week' | `${number}h`;

export interface FeatureHistogram {
  /** 'bins': numeric bins between `edges`; 'categories': one bar per label (the rarest merged into "other"). */
  readonly kind: 'bins' | 'categories';
  readonly edges?: readonly number[];
  readonly labels?: readonly string[];
  /** Shares of each side's rows (sum 1 over the bins), reference and current. */
  readonly reference: readonly number[];
  readonly current: readonly number[];
}

export interface FeatureDrift {
  readonly column: string;
  readonly type: 'numerical' | 'categorical';
  readonly method: string;
  readonly methodLabel: string;
  /** 'pvalue': drift when the score is below the threshold; 'distance': when at or above it. */
  readonly kind: 'pvalue' | 'distance';
  readonly score: number | null;
  readonly threshold: number;
  readonly drifted: boolean | null;
  readonly referenceRows: number;
  readonly currentRows: number;
  readonly histogram: FeatureHistogram;
}

export interface DriftOverTime {
  readonly timestampColumn: string;
  readonly window: WindowChoice;
  readonly windows: readonly { readonly start: number; readonly end: number; readonly rows: number }[];
  /** One line per feature: its score per window (null where the window could not be tested). */
  readonly features: readonly { readonly column: string; readonly method: string; readonly kind: 'pvalue' | 'distance'; readonly threshold: number; readonly scores: readonly (number | null)[]; readonly drifted: readonly (boolean | null)[] }[];
  /** Share of drifted features per window. */
  readonly share: readonly number[];
  /** Index of the first window whose share reaches the dataset threshold, or null. */
  readonly firstDriftWindow: number | null;
}

export interface PerformanceView {
  readonly task: 'classification' | 'regression';
  readonly labelColumn: string;
  readonly metrics: readonly string[];
  readonly windows: readonly { readonly start: number; readonly end: number; readonly rows: number }[];
  /** One series per prediction column (champion, challenger…), values per metric per window. */
  readonly series: readonly { readonly name: string; readonly values: Readonly<Record<string, readonly (number | null)[]>> }[];
  readonly rules: readonly { readonly text: string; readonly metric: string; readonly operator: string; readonly threshold: number }[];
  readonly breaches: readonly { readonly rule: string; readonly series: string; readonly start: number; readonly end: number; readonly worst: number | null }[];
}

export interface DriftReportModel {
  readonly title: string;
  /** e.g. "fraud-detector v3" when opened for a model version. */
  readonly version: string | null;
  readonly referenceLabel: string;
  readonly currentLabel: string;
  readonly referenceRows: number;
  readonly currentRows: number;
  readonly driftShareThreshold: number;
  readonly share: number;
  readonly driftedCount: number;
  readonly columnCount: number;
  readonly datasetDrift: boolean;
  /** Sorted: drifted first, then by how far past (or short of) the threshold the score is. */
  readonly features: readonly FeatureDrift[];
  readonly skipped: readonly { readonly column: string; readonly reason: string }[];
  readonly overTime: DriftOverTime | null;
  readonly performance: PerformanceView | null;
  /** Problems worth showing (unreadable rows, missing columns). */
  readonly notes: readonly string[];
}

/** What the host needs to rebuild the panel after a window reload (kept in the webview's state). */
export interface DriftRestoreState {
  readonly referenceFile: string;
  readonly currentFile: string;
  /** A model version's report: its folder (URI), model and version. */
  readonly folder?: string;
  readonly model?: string;
  readonly version?: number;
  readonly window?: WindowChoice;
}

export type ToDriftWebview = { readonly type: 'init'; readonly model: DriftReportModel; readonly restore?: DriftRestoreState } | { readonly type: 'busy'; readonly text: string; readonly restore?: DriftRestoreState };

export type FromDriftWebview =
  | { readonly type: 'ready' }
  | { readonly type: 'setWindow'; readonly window: WindowChoice }
  | { readonly type: 'setReference' }
  | { readonly type: 'openFile'; readonly which: 'reference' | 'current' };

export interface DriftWebviewState {
  readonly selected?: string;
  readonly restore?: DriftRestoreState;
}

export function isFromDriftWebview(message: unknown): message is FromDriftWebview {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'setReference':
      return true;
    case 'setWindow':
      return m.window === 'day' || m.window === 'week' || (typeof m.window === 'string' && /^\d+(\.\d+)?h$/.test(m.window));
    case 'openFile':
      return m.which === 'reference' || m.which === 'current';
    default:
      return false;
  }
}

export function isToDriftWebview(message: unknown): message is ToDriftWebview {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Record<string, unknown>;
  return (m.type === 'init' && typeof m.model === 'object') || (m.type === 'busy' && typeof m.text === 'string');
}
