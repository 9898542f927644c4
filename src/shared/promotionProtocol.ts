// The one message contract of the promotion panel, imported by the host (src/panels/promotionPanel.ts)
// and the webview (webview/promotion/main.ts). Host-free and DOM-free: plain data only.
//
// The webview is a pure renderer of `PromotionState`; every write is a request to the host, which
// goes through the registry (ledger lock + the policy's move check) and answers with `result`.
import type { MetricDirection } from './metricDirection';


export type StageName = 'None' | 'Staging' | 'Production' | 'Archived';
export const PROMOTION_STAGES: readonly StageName[] = ['None', 'Staging', 'Production', 'Archived'];

export interface PromotionVersion {
  readonly version: number;
  readonly stage: StageName;
  readonly description: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly runUid: string | null;
  /** The source run's name and experiment when the run is in the store. */
  readonly runName: string | null;
  readonly experiment: string | null;
  readonly source: string | null;
  readonly aliases: readonly string[];
}

export interface MetricComparison {
  readonly key: string;
  /** Last values; null when the version's run did not log the metric (or is not in the store). */
  readonly candidate: number | null;
  readonly current: number | null;
  readonly direction: MetricDirection;
}

export interface ParamDifference {
  readonly key: string;
  readonly candidate: string | null;
  readonly current: string | null;
}

export type GateStatusName = 'pass' | 'fail' | 'not-evaluable';

export interface GateRow {
  readonly gate: string;
  readonly kind: string;
  readonly status: GateStatusName;
  readonly value: number | null;
  readonly threshold: number | null;
  readonly reason: string;
  /** Line of the gate in the policy file. */
  readonly line: number;
  /** `require: reason`: passes once the reason field is filled in (the host checks it again on promote). */
  readonly needsReason: boolean;
}

export interface ApprovalRow {
  readonly name: string;
  readonly email: string | null;
  readonly time: string;
}

export interface PolicySummary {
  readonly state: 'missing' | 'ok' | 'invalid';
  /** Path relative to the workspace folder. */
  readonly file: string;
  /** Whose rule applies ("*" or the model's name), when one does. */
  readonly scope: string | null;
  readonly allowOverride: boolean;
  /** Problems of an invalid policy, "line:col message". */
  readonly problems: readonly string[];
}

export interface HistoryRow {
  readonly id: string;
  readonly time: string;
  readonly action: string;
  readonly version: number | null;
  readonly actor: string;
  readonly summary: string;
  readonly reason: string | null;
  /** Gate results recorded in the event at the time ("pass metric: acc >= 0.9 — reason"). */
  readonly gates: readonly { readonly gate: string; readonly status: string; readonly reason: string }[];
  readonly override: string | null;
}

/** Which promotion a panel shows: kept in the webview's state for the serializer. */
export interface PromotionPanelRef {
  readonly folder: string;
  readonly model: string;
  readonly version: number;
  readonly target: StageName;
}

/** The panel reference in a restored webview state, or undefined when it is not one. */
export function promotionPanelRefOf(saved: unknown): PromotionPanelRef | undefined {
  const ref = (saved as { panel?: Partial<PromotionPanelRef> } | null | undefined)?.panel;
  if (!ref || typeof ref.folder !== 'string' || typeof ref.model !== 'string' || !Number.isInteger(ref.version) || typeof ref.target !== 'string') return undefined;
  return ref as PromotionPanelRef;
}

export interface PromotionState {
  readonly folder: string;
  readonly model: string;
  readonly target: StageName;
  readonly candidate: PromotionVersion;
  /** The version now in the target stage (other than the candidate), if any. */
  readonly current: PromotionVersion | null;
  readonly metrics: readonly MetricComparison[];
  /** Params whose values differ between candidate and current (all params when there is no current). */
  readonly params: readonly ParamDifference[];
  readonly paramCount: number;
  /** The candidate's drift share when a drift result is known; null: no drift report. */
  readonly drift: { readonly share: number } | null;
  readonly policy: PolicySummary;
  readonly gates: readonly GateRow[];
  /** All gates pass (apart from `needsReason` gates, which the reason decides). */
  readonly gatesPass: boolean;
  /** The move is blocked whatever the user does (invalid policy, illegal move). */
  readonly blocked: string | null;
  readonly approvals: readonly ApprovalRow[];
  readonly identity: { readonly name: string; readonly email: string | null };
  readonly approvedByMe: boolean;
  /** The version a rollback would put back in Production, if any. */
  readonly rollbackTo: number | null;
  readonly productionVersion: number | null;
  readonly versions: readonly { readonly version: number; readonly stage: StageName }[];
  readonly history: readonly HistoryRow[];
}

// ---- host → webview --------------------------------------------------------------------------

export type ToPromotionWebview =
  | { readonly type: 'state'; readonly state: PromotionState }
  | { readonly type: 'result'; readonly ok: boolean; readonly action: PromotionAction; readonly message: string; readonly details: readonly string[] };

export type PromotionAction = 'promote' | 'approve' | 'rollback' | 'archive' | 'load';

// ---- webview → host --------------------------------------------------------------------------

export type FromPromotionWebview =
  | { readonly type: 'ready' }
  | { readonly type: 'setTarget'; readonly stage: StageName }
  | { readonly type: 'setVersion'; readonly version: number }
  | { readonly type: 'promote'; readonly reason: string; readonly justification?: string }
  | { readonly type: 'approve' }
  | { readonly type: 'rollback'; readonly reason: string }
  | { readonly type: 'archive'; readonly reason: string }
  | { readonly type: 'openPolicy' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isStage = (v: unknown): v is StageName => (PROMOTION_STAGES as readonly unknown[]).includes(v);

/** Guards what arrives from the webview: it is a separate process and its input is not trusted blindly. */
export function isFromPromotionWebview(message: unknown): message is FromPromotionWebview {
  if (!isRecord(message) || !isString(message.type)) return false;
  switch (message.type) {
    case 'ready':
    case 'approve':
    case 'openPolicy':
      return true;
    case 'setTarget':
      return isStage(message.stage);
    case 'setVersion':
      return typeof message.version === 'number' && Number.isInteger(message.version) && message.version > 0;
    case 'promote':
      return isString(message.reason) && (message.justification === undefined || isString(message.justification));
    case 'rollback':
    case 'archive':
      return isString(message.reason);
    default:
      return false;
  }
}

export function isToPromotionWebview(message: unknown): message is ToPromotionWebview {
  if (!isRecord(message) || !isString(message.type)) return false;
  if (message.type === 'state') return isRecord(message.state) && isString(message.state.model);
  if (message.type === 'result') return typeof message.ok === 'boolean' && isString(message.message) && Array.isArray(message.details);
  return false;
}
