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
  /**
   * The union-merge marker: hashes of root events (`"prev": []`) further down the file that this
   * event accepts into the ledger. Only the first line may start a chain by itself; a second root
   * (the first event of a ledger started separately on another branch, then union-merged) counts
   * only once a linked event adopts it, so a forged `"prev": []` line is not read as a branch. The
   * adopting event's own `prev` are the main chain's heads; the next append joins the adopted chain.
   */
  readonly adopts?: readonly string[];
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

/**
 * THE event hash: SHA-256 over the canonical JSON of every field except `hash` itself. Writing,
 * verification and every reader use this one function; a field added to events (a signature, say)
 * that must stay out of the hash is excluded here and nowhere else.
 */
export function hashEvent(event: UnsignedEvent): string {
  const { hash: _ignored, ...content } = event as LedgerEvent;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/**
 * The first key that appears twice in one object of a JSON text (already known to parse), or
 * undefined. `JSON.parse` keeps the last of duplicates silently; other readers keep the first, so
 * a line with duplicates can mean two different events. One linear pass, no recursion.
 */
export function findDuplicateKey(json: string): string | undefined {
  const objects: (Set<string> | undefined)[] = []; // undefined for arrays
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      const keys = objects[objects.length - 1];
      if (expectKey && keys) {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === '{') {
      objects.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      objects.push(undefined);
    } else if (c === '}' || c === ']') {
      objects.pop();
    } else if (c === ',') {
      expectKey = objects[objects.length - 1] !== undefined;
    }
  }
  return undefined;
}

export function signEvent(event: UnsignedEvent): LedgerEvent {
  return { ...event, hash: hashEvent(event) };
}
