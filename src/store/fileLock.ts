import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';

/** Who holds a lock: written whole into the lock file before it appears under its name. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly nonce: string;
  /** ms since the epoch */
  readonly since: number;
}

export interface LockOptions {
  /** What is locked, for messages ("the ledger", "the store"). */
  readonly what: string;
  /** Give up after this long (ms). */
  readonly timeoutMs?: number;
  /** Told once, after `reportAfterMs`, what the wait is for; the default writes to stderr. */
  readonly onWait?: (message: string) => void;
  readonly reportAfterMs?: number;
}

/**
 * A lock from another host (where its pid cannot be checked) is stale when its file has not been
 * touched for this long; a holder touches it every `HEARTBEAT_MS`, so a long store scan keeps it.
 */
const STALE_MS = 60_000;
const HEARTBEAT_MS = 10_000;

export class LockTimeoutError extends Error {}

/**
 * An exclusive lock file beside `target`'s data, safe against the two ways the old one failed: a
 * crashed holder (its pid is gone: taken over at once, not after 30 s of silence), and two waiters
 * taking over the same stale lock (takeovers are serialised and re-check the owner, see
 * `takeOver`). The lock file is created complete (written aside, then hard-linked in place), so a
 * reader never sees it empty. Returns the held lock.
 */
export interface HeldLock {
  /** True while the lock file is still this holder's: checked just before a write made under it. */
  holds(): Promise<boolean>;
  release(): Promise<void>;
}

export async function acquireFileLock(lockFile: string, options: LockOptions): Promise<HeldLock> {
  const me: LockOwner = { pid: process.pid, host: os.hostname(), nonce: randomBytes(8).toString('hex'), since: Date.now() };
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const reportAfterMs = options.reportAfterMs ?? 2_000;
  const onWait = options.onWait ?? ((message: string) => void process.stderr.write(`model-ledger: ${message}\n`));
  let reported = false;
  // The lock's content is written once, aside; every attempt is then one atomic link() into place.
  const aside = `${lockFile}.${me.nonce}`;
  await fs.writeFile(aside, JSON.stringify(me));
  try {
    for (;;) {
      if (await tryLink(aside, lockFile)) return holdLock(lockFile, me);
      await waitOrTakeOver();
    }
  } finally {
    await fs.rm(aside, { force: true });
  }

  async function waitOrTakeOver(): Promise<void> {
    const raw = await readLock(lockFile);
    if (raw !== undefined && (await isStale(lockFile, parseOwner(raw)))) {
      await takeOver(lockFile, raw);
      return;
    }
    const waited = Date.now() - started;
    const holder = describe(raw === undefined ? undefined : parseOwner(raw));
    if (waited > timeoutMs) {
      throw new LockTimeoutError(`${options.what} is locked by ${holder} (${lockFile}); gave up after ${Math.round(waited / 1000)} s: try again, or delete the lock file if that process is gone`);
    }
    if (!reported && waited >= reportAfterMs) {
      reported = true;
      onWait(`${options.what} is locked by ${holder}: waiting (${lockFile})`);
    }
    // Short, jittered polls: a ledger append holds the lock for milliseconds, and a writer that
    // appends in a loop must not starve the others.
    await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8));
  }
}

function describe(owner: LockOwner | undefined): string {
  if (!owner) return 'another process';
  const since = new Date(owner.since).toISOString().slice(11, 19);
  return `pid ${owner.pid}${owner.host === os.hostname() ? '' : ` on ${owner.host}`} since ${since} UTC`;
}

async function tryLink(aside: string, lockFile: string): Promise<boolean> {
  try {
    await fs.link(aside, lockFile);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readLock(lockFile: string): Promise<string | undefined> {
  try {
    return await fs.readFile(lockFile, 'utf8');
  } catch {
    return undefined; // released meanwhile
  }
}

/** The owner in a lock file: this module's JSON, or the "pid time token" of earlier versions. */
function parseOwner(raw: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(raw) as LockOwner;
    if (typeof owner.pid === 'number' && typeof owner.nonce === 'string') return owner;
  } catch {
    // not JSON: maybe the older form
  }
  const legacy = /^(\d+) (\d+) ([0-9a-f]+)$/.exec(raw.trim());
  return legacy ? { pid: Number(legacy[1]), host: os.hostname(), since: Number(legacy[2]), nonce: legacy[3] } : undefined;
}

async function isStale(lockFile: string, owner: LockOwner | undefined): Promise<boolean> {
  if (owner && owner.host === os.hostname() && owner.pid !== process.pid) {
    try {
      process.kill(owner.pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true; // the holder is gone
    }
  }
  try {
    return Date.now() - (await fs.stat(lockFile)).mtimeMs > STALE_MS;
  } catch {
    return false; // released meanwhile: the next try takes it
  }
}

/** A takeover guard older than this was left by a waiter that died mid-takeover (which takes milliseconds). */
const GUARD_STALE_MS = 5_000;

/**
 * Removes a stale lock. Takeovers are serialised by a guard file (`<lock>.takeover`, created
 * exclusively): under it the lock is read again and removed only if it still holds the stale owner
 * that was judged. Without the guard, two waiters judging one stale lock could remove it and then
 * the fresh lock of the waiter that won, letting two writers in.
 */
async function takeOver(lockFile: string, staleContent: string): Promise<void> {
  const guard = `${lockFile}.takeover`;
  try {
    await fs.writeFile(guard, String(process.pid), { flag: 'wx' });
  } catch {
    const age = await fs.stat(guard).then((st) => Date.now() - st.mtimeMs, () => 0);
    if (age > GUARD_STALE_MS) await fs.rm(guard, { force: true });
    return; // another waiter is taking over: wait and look again
  }
  try {
    if ((await readLock(lockFile)) === staleContent) await fs.rm(lockFile, { force: true });
  } finally {
    await fs.rm(guard, { force: true });
  }
}

function holdLock(lockFile: string, me: LockOwner): HeldLock {
  const heartbeat = setInterval(() => {
    const now = new Date();
    void fs.utimes(lockFile, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const holds = async () => parseOwner((await readLock(lockFile)) ?? '')?.nonce === me.nonce;
  return {
    holds,
    async release() {
      clearInterval(heartbeat);
      if (await holds()) await fs.rm(lockFile, { force: true });
    },
  };
}
