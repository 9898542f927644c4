import { createHash } from 'node:crypto';

/** Registry stages as MLflow has them. */
export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type Stage = (typeof STAGES)[number];

export const LEDGER_FORMAT_VERSION = 1;

export type LedgerAction =
  | 'register' // a new version of a model (the model is created by its first version)
  | 'transition' // a version moves to another stage (to Production: the previous one is archived)
  | 'set-alias'
  | 'delete-alias'
  | 'set-description'
  | 'set-tag'
  | 'delete-tag'
  | 'approve' // an approver's sign-off for moving a version to a stage (policy gates count them)
  | 'set-reference' // the reference dataset drift is measured against for a version (after.path, relative to the folder)
  | 'alert'; // a monitoring threshold crossed for a version (after: rule, value, window), for the audit trail

export const ACTIONS: readonly LedgerAction[] = ['register', 'transition', 'set-alias', 'delete-alias', 'set-description', 'set-tag', 'delete-tag', 'approve', 'set-reference', 'alert'];

export interface Actor {
  readonly name: string;
  readonly email?: string;
}

/**
 * One line of the ledger. `hash` is SHA-256 over the canonical JSON of every other field, `prev`
 * the hashes of the events this one follows (one normally; two or more after a merge of branches;
 * none for the first event). Editing, removing or reordering events breaks a hash or a link.
 */
export interface LedgerEvent {
  readonly v: number;
  readonly id: string;
  /** ISO 8601, UTC. */
  readonly time: string;
  readonly actor: Actor;
  readonly action: LedgerAction;
  readonly model: string;
  readonly version?: number;
  readonly before?: Readonly<Record<string, unknown>> | null;
  readonly after?: Readonly<Record<string, unknown>> | null;
  readonly reason?: string;
  /** Set when the change was made on an MLflow Tracking Server (not in this ledger's registry): which one. */
  readonly server?: { readonly url: string; readonly name?: string };
  /** An SSHSIG signature (namespace `model-ledger`) over the canonical content without hash and signature (src/signing/eventSignature.ts). */
  readonly signature?: string;
  readonly prev: readonly string[];
  readonly hash: string;
}

export type UnsignedEvent = Omit<LedgerEvent, 'hash'>;

/** JSON with object keys sorted at every level: the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function hashEvent(event: UnsignedEvent): string {
  const { hash: _ignored, ...content } = event as LedgerEvent;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

export function signEvent(event: UnsignedEvent): LedgerEvent {
  return { ...event, hash: hashEvent(event) };
}
