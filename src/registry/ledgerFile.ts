import { randomBytes } from 'node:crypto';
import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { acquireFileLock } from '../store';
import { ACTIONS, findDuplicateKey, hashEvent, LEDGER_FORMAT_VERSION, signEvent, type LedgerEvent, type UnsignedEvent } from './events';

export interface LedgerProblem {
  /** 1-based line in the ledger file. */
  readonly line: number;
  readonly eventId?: string;
  readonly kind: 'malformed' | 'torn' | 'hash' | 'missing-parent' | 'unlinked' | 'order' | 'duplicate' | 'illegal' | 'rewritten';
  readonly message: string;
}

export interface LedgerRead {
  /** Well-formed events with a correct hash, in a deterministic order: parents first, then by time and id. */
  readonly events: readonly (LedgerEvent & { readonly line: number })[];
  readonly problems: readonly LedgerProblem[];
  /** Hashes no event follows: one normally, several after a merge of branches until the next append. */
  readonly heads: readonly string[];
  /** What was read but is worth saying (a byte-order mark stripped, a second root adopted): not problems. */
  readonly notes?: readonly string[];
}

const BOM = '\uFEFF';

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
export function parseLedger(input: string): LedgerRead {
  const notes: string[] = [];
  let text = input;
  if (text.startsWith(BOM)) {
    // Editors on Windows add one; it is not part of the first event, which would otherwise not parse.
    text = text.slice(1);
    notes.push('line 1 starts with a UTF-8 byte-order mark; it was ignored (Model Ledger never writes one)');
  }
  const problems: LedgerProblem[] = [];
  const good: (LedgerEvent & { line: number })[] = [];
  const byHash = new Map<string, LedgerEvent & { line: number }>();
  /** Hashes claimed by lines that failed verification: their followers are not reported again. */
  const tainted = new Set<string>();
  const lines = text.split('\n');
  const lastLine = lastContentLine(lines);
  let firstLine = 0;
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    if (firstLine === 0) firstLine = line;
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
      problems.push(unparsableLine(raw, line, line === lastLine && !text.endsWith('\n'), error as Error));
      return;
    }
    const shapeProblem = checkShape(value) ?? checkCanonical(raw, value);
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
  const valid = checkLinks(good, byHash, tainted, firstLine, problems, notes);
  const ordered = topologicalOrder(good.filter((e) => valid.has(e.hash)));
  const followed = new Set(ordered.flatMap((e) => e.prev));
  const heads = ordered.filter((e) => !followed.has(e.hash)).map((e) => e.hash);
  return { events: ordered, problems: problems.sort((a, b) => a.line - b.line), heads, ...(notes.length > 0 ? { notes } : {}) };
}

function lastContentLine(lines: readonly string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].trim() !== '') return i + 1;
  return 0;
}

/**
 * A line JSON cannot read. One that stops mid-event (the parser ran out of input) is a torn write:
 * a writer was interrupted, and since appends are whole lines the event it began never existed.
 */
function unparsableLine(raw: string, line: number, unterminatedLast: boolean, error: Error): LedgerProblem {
  const atPosition = /at position (\d+)/.exec(error.message);
  const stopsMidEvent = raw.trimStart().startsWith('{') && (/end of JSON input/.test(error.message) || (atPosition !== null && Number(atPosition[1]) >= raw.trimEnd().length));
  if (!stopsMidEvent) return { line, kind: 'malformed', message: `not JSON: ${error.message}` };
  const remedy = unterminatedLast
    ? 'the next append moves it aside to a ".torn-<time>" file beside the ledger'
    : 'the event it began was never completed: delete this line (keep a copy) and verify again';
  return { line, kind: 'torn', message: `torn write: the line stops mid-event (${raw.length} characters; a writer was interrupted); ${remedy}` };
}

/** Events must be what Model Ledger writes: one reading for every reader, so no key twice. */
function checkCanonical(raw: string, value: unknown): string | undefined {
  if (JSON.stringify(value) === raw) return undefined; // the writer's own form: nothing to scan
  const duplicate = findDuplicateKey(raw);
  return duplicate === undefined ? undefined : `key ${JSON.stringify(duplicate)} appears twice in one object (readers disagree on which value counts)`;
}

/**
 * Links: every parent must exist and come earlier in the file (a union merge keeps each side's
 * order), and only the first line may start a chain by itself. Another root counts only when a
 * valid event adopts it (`adopts`), so the adoption pass repeats until nothing new is accepted.
 * Returns the hashes of the valid events; reports the rest.
 */
function checkLinks(
  good: readonly (LedgerEvent & { line: number })[],
  byHash: ReadonlyMap<string, LedgerEvent & { line: number }>,
  tainted: ReadonlySet<string>,
  firstLine: number,
  problems: LedgerProblem[],
  notes: string[],
): Set<string> {
  const linkable = new Set<string>();
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
      }
    }
    if (ok) linkable.add(event.hash);
  }
  const valid = new Set<string>();
  const adopted = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const event of good) {
      if (valid.has(event.hash) || !linkable.has(event.hash)) continue;
      const root = event.prev.length === 0;
      if (root ? event.line === firstLine || adopted.has(event.hash) : event.prev.every((p) => valid.has(p))) {
        valid.add(event.hash);
        for (const hash of event.adopts ?? []) adopted.add(hash);
        changed = true;
      }
    }
  }
  for (const event of good) {
    if (event.prev.length > 0 || event.line === firstLine) continue;
    if (valid.has(event.hash)) {
      notes.push(`line ${event.line}: a second root, adopted by a later event (a union merge of a ledger started on another branch)`);
    } else {
      problems.push({
        line: event.line,
        eventId: event.id,
        kind: 'unlinked',
        message: 'starts a chain of its own ("prev": []) but is not the first line: a forged or pasted event; the first event of a ledger started on another branch counts only once a later event adopts it (see README, "What verify proves")',
      });
    }
  }
  return valid;
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

/**
 * How long an append waits for the lock. Long: while others hold it they are making progress (each
 * append takes milliseconds), and a writer among several busy ones waited past a minute under load.
 */
const LEDGER_LOCK_TIMEOUT_MS = 600_000;

/** Options of `appendToLedger`: what a waiter is told (the CLI prints it; tests capture it). */
export interface AppendOptions {
  readonly onWait?: (message: string) => void;
  /** Signs each event's content once its id and links are known (undefined: unsigned). */
  readonly sign?: (event: UnsignedEvent) => Promise<string | undefined>;
}

/**
 * Appends events to the ledger so that concurrent writers (the extension, the CLI, two terminals)
 * lose nothing and tear nothing: an exclusive lock file beside the ledger (see `acquireFileLock`),
 * then under it repair a torn last line, read the current heads, append whole lines with O_APPEND,
 * fsync, release. `build` gets the parsed ledger and returns the events to append (unsigned; prev
 * is filled in), or throws to append nothing.
 */
export async function appendToLedger(
  file: string,
  build: (current: LedgerRead) => Omit<UnsignedEvent, 'prev' | 'v' | 'id'>[] | Promise<Omit<UnsignedEvent, 'prev' | 'v' | 'id'>[]>,
  options: AppendOptions = {},
): Promise<LedgerEvent[]> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  for (;;) {
    const lock = await acquireFileLock(`${file}.lock`, { what: 'the ledger', timeoutMs: LEDGER_LOCK_TIMEOUT_MS, ...(options.onWait ? { onWait: options.onWait } : {}) });
    try {
      await moveTornTailAside(file);
      const current = await readLedger(file);
      const drafts = await build(current);
      const written: LedgerEvent[] = [];
      let heads = [...current.heads];
      for (const draft of drafts) {
        const unsigned: UnsignedEvent = { v: LEDGER_FORMAT_VERSION, id: randomBytes(8).toString('hex'), ...draft, prev: heads };
        const signature = await options.sign?.(unsigned);
        const event = signEvent(signature ? { ...unsigned, signature } : unsigned);
        written.push(event);
        heads = [event.hash];
      }
      if (written.length === 0) return written;
      // A waiter that wrongly judged this lock stale took it: read again under a lock of our own.
      if (!(await lock.holds())) continue;
      await appendLines(file, written);
      await suggestUnionMerge(file);
      return written;
    } finally {
      await lock.release();
    }
  }
}

async function appendLines(file: string, events: readonly LedgerEvent[]): Promise<void> {
  const handle = await fs.open(file, fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT, 0o644);
  try {
    // A ledger whose last line lacks its newline (an editor) must not glue two events together.
    const stat = await handle.stat();
    const prefix = stat.size > 0 && (await lastByte(file, stat.size)) !== 0x0a ? '\n' : '';
    await handle.write(prefix + events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function lastByte(file: string, size: number): Promise<number> {
  const last = Buffer.alloc(1);
  const reader = await fs.open(file, 'r');
  try {
    await reader.read(last, 0, 1, size - 1);
  } finally {
    await reader.close();
  }
  return last[0];
}

/** How much of a ledger's end is read to find a torn last line: far more than one event. */
const TAIL_BYTES = 1 << 20;

/**
 * A writer killed mid-append leaves a last line without its newline that stops mid-event. Appending
 * after it would make it a permanent verify failure, so it is cut off first and kept beside the
 * ledger as `<ledger>.torn-<time>` (the event it began never existed: nothing valid is lost). A
 * last line without a newline that is a whole event (an editor's save) is left as it is.
 */
async function moveTornTailAside(file: string): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const tail = Buffer.alloc(length);
    await handle.read(tail, 0, length, size - length);
    if (length === 0 || tail[length - 1] === 0x0a) return;
    const start = tail.lastIndexOf(0x0a) + 1;
    if (start === 0 && size > length) return; // one huge line: not ours to judge
    const last = tail.subarray(start).toString('utf8');
    let problem: LedgerProblem;
    try {
      JSON.parse(last);
      return;
    } catch (error) {
      problem = unparsableLine(last, 0, true, error as Error);
    }
    if (problem.kind !== 'torn') return; // not a torn write: verify reports the line; appends go on after it
    const aside = `${file}.torn-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await fs.writeFile(aside, tail.subarray(start), { flag: 'wx' });
    await handle.truncate(size - length + start);
    await handle.sync();
  } finally {
    await handle.close();
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
