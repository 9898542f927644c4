import { randomBytes } from 'node:crypto';
import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { ACTIONS, hashEvent, LEDGER_FORMAT_VERSION, signEvent, type LedgerEvent, type UnsignedEvent } from './events';

export interface LedgerProblem {
  /** 1-based line in the ledger file. */
  readonly line: number;
  readonly eventId?: string;
  readonly kind: 'malformed' | 'hash' | 'missing-parent' | 'order' | 'duplicate' | 'illegal';
  readonly message: string;
}

export interface LedgerRead {
  /** Well-formed events with a correct hash, in a deterministic order: parents first, then by time and id. */
  readonly events: readonly (LedgerEvent & { readonly line: number })[];
  readonly problems: readonly LedgerProblem[];
  /** Hashes no event follows: one normally, several after a merge of branches until the next append. */
  readonly heads: readonly string[];
}

/**
 * Lines already parsed and hash-checked, by their exact text: every append re-reads the ledger, and
 * only its new lines need the work again. Bounded; cleared when full.
 */
const verifiedLines = new Map<string, LedgerEvent>();
const VERIFIED_LINES_MAX = 200_000;

function rememberVerified(raw: string, event: LedgerEvent): void {
  if (verifiedLines.size >= VERIFIED_LINES_MAX) verifiedLines.clear();
  verifiedLines.set(raw, event);
}

/** Parses and checks a ledger's text: every line's form and hash, every link, parents before children. */
export function parseLedger(text: string): LedgerRead {
  const problems: LedgerProblem[] = [];
  const good: (LedgerEvent & { line: number })[] = [];
  const byHash = new Map<string, LedgerEvent & { line: number }>();
  /** Hashes claimed by lines that failed verification: their followers are not reported again. */
  const tainted = new Set<string>();
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const cached = verifiedLines.get(raw);
    if (cached) {
      if (byHash.has(cached.hash)) {
        problems.push({ line, eventId: cached.id, kind: 'duplicate', message: `the same event as line ${byHash.get(cached.hash)!.line}` });
        return;
      }
      const withLine = { ...cached, line };
      byHash.set(cached.hash, withLine);
      good.push(withLine);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      problems.push({ line, kind: 'malformed', message: `not JSON: ${(error as Error).message}` });
      return;
    }
    const shapeProblem = checkShape(value);
    if (shapeProblem) {
      problems.push({ line, kind: 'malformed', message: shapeProblem, ...(idOf(value) ? { eventId: idOf(value)! } : {}) });
      return;
    }
    const event = value as LedgerEvent;
    const expected = hashEvent(event);
    if (expected !== event.hash) {
      tainted.add(event.hash);
      problems.push({ line, eventId: event.id, kind: 'hash', message: `content does not match its hash (edited or forged): expected ${expected.slice(0, 12)}…, found ${event.hash.slice(0, 12)}…` });
      return;
    }
    if (byHash.has(event.hash)) {
      problems.push({ line, eventId: event.id, kind: 'duplicate', message: `the same event as line ${byHash.get(event.hash)!.line}` });
      return;
    }
    const withLine = { ...event, line };
    byHash.set(event.hash, withLine);
    good.push(withLine);
    rememberVerified(raw, event);
  });
  // Links: every parent must exist and come earlier in the file (a union merge keeps each side's order).
  const valid = new Set<string>();
  for (const event of good) {
    let ok = true;
    for (const parent of event.prev) {
      const found = byHash.get(parent);
      if (!found && tainted.has(parent)) {
        ok = false; // follows an edited event: the edit is the problem, reported on its own line
      } else if (!found) {
        problems.push({ line: event.line, eventId: event.id, kind: 'missing-parent', message: `follows ${parent.slice(0, 12)}…, which is not in the ledger (an event was removed or edited)` });
        ok = false;
      } else if (found.line > event.line) {
        problems.push({ line: event.line, eventId: event.id, kind: 'order', message: `follows the event on line ${found.line}, which comes after it (events were reordered)` });
        ok = false;
      } else if (!valid.has(parent)) {
        ok = false; // a broken ancestor: already reported on its own line
      }
    }
    if (ok) valid.add(event.hash);
  }
  const ordered = topologicalOrder(good.filter((e) => valid.has(e.hash)));
  const followed = new Set(ordered.flatMap((e) => e.prev));
  const heads = ordered.filter((e) => !followed.has(e.hash)).map((e) => e.hash);
  return { events: ordered, problems: problems.sort((a, b) => a.line - b.line), heads };
}

/**
 * Parents before children; among events free to go next, earliest time first, then id: the same
 * order whatever the file order of a merge. Kahn's algorithm with a sorted ready list (a ledger is
 * one chain most of the time, so the list stays tiny).
 */
function topologicalOrder<T extends LedgerEvent>(events: T[]): T[] {
  const byHash = new Map(events.map((e) => [e.hash, e]));
  const waiting = new Map<string, number>();
  const children = new Map<string, T[]>();
  for (const e of events) {
    const parents = e.prev.filter((p) => byHash.has(p));
    waiting.set(e.hash, parents.length);
    for (const p of parents) {
      const list = children.get(p);
      if (list) list.push(e);
      else children.set(p, [e]);
    }
  }
  const before = (a: T, b: T) => (a.time !== b.time ? a.time < b.time : a.id < b.id);
  const ready: T[] = [];
  const insert = (e: T) => {
    let lo = 0;
    let hi = ready.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(ready[mid], e)) lo = mid + 1;
      else hi = mid;
    }
    ready.splice(lo, 0, e);
  };
  for (const e of events) if (waiting.get(e.hash) === 0) insert(e);
  const out: T[] = [];
  while (ready.length > 0) {
    const e = ready.shift()!;
    out.push(e);
    for (const child of children.get(e.hash) ?? []) {
      const left = waiting.get(child.hash)! - 1;
      waiting.set(child.hash, left);
      if (left === 0) insert(child);
    }
  }
  return out;
}

function idOf(value: unknown): string | undefined {
  return value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string' ? (value as { id: string }).id : undefined;
}

function checkShape(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not an object';
  const e = value as Record<string, unknown>;
  if (e.v !== LEDGER_FORMAT_VERSION) return `unknown ledger format version ${JSON.stringify(e.v)}`;
  if (typeof e.id !== 'string' || !/^[0-9a-f]{16,64}$/.test(e.id)) return 'missing or malformed "id"';
  if (typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time))) return 'missing or malformed "time"';
  if (!e.actor || typeof e.actor !== 'object' || typeof (e.actor as { name?: unknown }).name !== 'string') return 'missing "actor.name"';
  if (typeof e.action !== 'string' || !(ACTIONS as readonly string[]).includes(e.action)) return `unknown action ${JSON.stringify(e.action)}`;
  if (typeof e.model !== 'string' || e.model.length === 0) return 'missing "model"';
  if (e.version !== undefined && (!Number.isInteger(e.version) || (e.version as number) < 1)) return '"version" must be a positive integer';
  if (!Array.isArray(e.prev) || e.prev.some((p) => typeof p !== 'string' || !/^[0-9a-f]{64}$/.test(p))) return '"prev" must be a list of hashes';
  if (typeof e.hash !== 'string' || !/^[0-9a-f]{64}$/.test(e.hash)) return 'missing or malformed "hash"';
  if (e.reason !== undefined && typeof e.reason !== 'string') return '"reason" must be text';
  if (e.server !== undefined && (!e.server || typeof e.server !== 'object' || typeof (e.server as { url?: unknown }).url !== 'string')) return '"server" must be {"url": ...}';
  return undefined;
}

export async function readLedger(file: string): Promise<LedgerRead> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], problems: [], heads: [] };
    throw error;
  }
  return parseLedger(text);
}

const LOCK_STALE_MS = 30_000;

/**
 * Appends events to the ledger so that concurrent writers (the extension, the CLI, two terminals)
 * lose nothing and tear nothing: an exclusive lock file beside the ledger, then under it read the
 * current heads, append whole lines with O_APPEND, fsync, release. `build` gets the parsed ledger
 * and returns the events to append (unsigned; prev is filled in), or throws to append nothing.
 */
export async function appendToLedger(
  file: string,
  build: (current: LedgerRead) => Omit<UnsignedEvent, 'prev' | 'v' | 'id'>[] | Promise<Omit<UnsignedEvent, 'prev' | 'v' | 'id'>[]>,
  /** Signs each event's content once its id and links are known (undefined: unsigned). */
  sign?: (event: UnsignedEvent) => Promise<string | undefined>,
): Promise<LedgerEvent[]> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const release = await acquireLock(`${file}.lock`);
  try {
    const current = await readLedger(file);
    const drafts = await build(current);
    const written: LedgerEvent[] = [];
    let heads = [...current.heads];
    for (const draft of drafts) {
      const unsigned: UnsignedEvent = { v: LEDGER_FORMAT_VERSION, id: randomBytes(8).toString('hex'), ...draft, prev: heads };
      const signature = await sign?.(unsigned);
      const event = signEvent(signature ? { ...unsigned, signature } : unsigned);
      written.push(event);
      heads = [event.hash];
    }
    if (written.length > 0) {
      const handle = await fs.open(file, fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT, 0o644);
      try {
        // A ledger whose last line lacks its newline (an editor, a crash) must not glue two events together.
        const stat = await handle.stat();
        let prefix = '';
        if (stat.size > 0) {
          const last = Buffer.alloc(1);
          const reader = await fs.open(file, 'r');
          try {
            await reader.read(last, 0, 1, stat.size - 1);
          } finally {
            await reader.close();
          }
          if (last[0] !== 0x0a) prefix = '\n';
        }
        await handle.write(prefix + written.map((e) => JSON.stringify(e)).join('\n') + '\n');
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    if (written.length > 0) await suggestUnionMerge(file);
    return written;
  } finally {
    await release();
  }
}

/**
 * Beside a new ledger, a `.gitattributes` that makes git merge it as a union (both branches' lines
 * kept), which `parseLedger` reads back in a deterministic order. An existing file is left alone.
 */
async function suggestUnionMerge(file: string): Promise<void> {
  const attributes = path.join(path.dirname(file), '.gitattributes');
  try {
    await fs.writeFile(attributes, `# Model Ledger: keep both branches' registry events on merge (the ledger verifies and orders them)\n${path.basename(file)} merge=union\n`, { flag: 'wx' });
  } catch {
    // exists already (or the folder is read-only): nothing to do
  }
}

async function acquireLock(lockFile: string, timeoutMs = 60_000): Promise<() => Promise<void>> {
  const token = `${process.pid} ${Date.now()} ${randomBytes(4).toString('hex')}`;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await fs.open(lockFile, 'wx');
      await handle.write(token);
      await handle.close();
      return async () => {
        try {
          if ((await fs.readFile(lockFile, 'utf8')) === token) await fs.rm(lockFile, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        const stat = await fs.stat(lockFile);
        if (Date.now() - stat.mtimeMs > LOCK_STALE_MS) {
          // A writer died holding the lock: it cannot be writing any more after this long.
          await fs.rm(lockFile, { force: true });
          continue;
        }
      } catch {
        continue; // released meanwhile
      }
      if (Date.now() > deadline) throw new Error(`the ledger is locked by another writer (${lockFile}); try again`);
      // Short, jittered polls: an append holds the lock for milliseconds, and a writer that appends
      // in a loop must not starve the others.
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8));
    }
  }
}
