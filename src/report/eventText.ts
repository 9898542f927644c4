// How a ledger event reads to a person: one line of summary, and the gate results it recorded.
// Shared by the promotion panel's History tab and the audit report, so both say the same thing.
// Unknown actions (added by a newer client, e.g. `alert`, `set-reference`) are shown generically —
// the action and its fields — so nothing in the ledger is dropped.
import type { LedgerEvent } from '../registry/events';

export interface RecordedGate {
  readonly gate: string;
  readonly status: string;
  readonly reason: string;
  readonly value?: number;
  readonly threshold?: number;
}

const KNOWN = new Set(['register', 'transition', 'set-alias', 'delete-alias', 'set-description', 'set-tag', 'delete-tag', 'approve']);

function fields(record: Readonly<Record<string, unknown>> | null | undefined): string {
  if (!record) return '';
  return Object.entries(record)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

/** One line describing what the event did. */
export function eventSummary(event: Pick<LedgerEvent, 'action' | 'before' | 'after'>): string {
  const before = (event.before ?? {}) as Record<string, unknown>;
  const after = (event.after ?? {}) as Record<string, unknown>;
  switch (event.action) {
    case 'register':
      return `registered${typeof after.runId === 'string' ? ` from run ${after.runId}` : typeof after.runUid === 'string' ? ` from run ${after.runUid}` : typeof after.source === 'string' ? ` from ${after.source}` : ''}`;
    case 'transition': {
      const archived = Array.isArray(after.archived) && after.archived.length ? ` (archived v${after.archived.join(', v')})` : '';
      return `${String(before.stage ?? '?')} → ${String(after.stage ?? '?')}${after.rollback === true ? ' (rollback)' : ''}${archived}`;
    }
    case 'set-alias':
      return `alias @${String(after.alias)}${before.version !== undefined ? ` (was v${String(before.version)})` : ''}`;
    case 'delete-alias':
      return `alias @${String(before.alias)} removed`;
    case 'set-description':
      return `description: ${String(after.description ?? '')}`;
    case 'set-tag':
      return `tag ${String(after.key)} = ${String(after.value)}`;
    case 'delete-tag':
      return `tag ${String(before.key)} removed`;
    case 'approve':
      return `approved for ${String(after.stage)}`;
    default: {
      const b = fields(event.before);
      const a = fields(event.after);
      return `${String(event.action)}${b ? ` before: ${b}` : ''}${a ? ` after: ${a}` : ''}`;
    }
  }
}

export function isKnownAction(action: string): boolean {
  return KNOWN.has(action);
}

/** The gate results a transition recorded (`after.gates`), read defensively. */
export function recordedGates(event: Pick<LedgerEvent, 'after'>): RecordedGate[] {
  const gates = (event.after as { gates?: unknown } | null | undefined)?.gates;
  if (!Array.isArray(gates)) return [];
  return gates
    .filter((g): g is Record<string, unknown> => typeof g === 'object' && g !== null)
    .map((g) => ({
      gate: String(g.gate ?? '?'),
      status: String(g.status ?? '?'),
      reason: String(g.reason ?? ''),
      ...(typeof g.value === 'number' ? { value: g.value } : {}),
      ...(typeof g.threshold === 'number' ? { threshold: g.threshold } : {}),
    }));
}

/** The justification of an override the event recorded, if any. */
export function recordedOverride(event: Pick<LedgerEvent, 'after'>): string | undefined {
  const override = (event.after as { override?: unknown } | null | undefined)?.override;
  if (override === undefined || override === null || override === false) return undefined;
  const justification = (override as { justification?: unknown }).justification;
  return typeof justification === 'string' ? justification : JSON.stringify(override);
}

export function actorText(actor: { readonly name: string; readonly email?: string }): string {
  return actor.email ? `${actor.name} <${actor.email}>` : actor.name;
}
