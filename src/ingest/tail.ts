import { closeSync, fstatSync, openSync, promises as fs, readSync, type Stats } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import type { FileCursor } from './types';
import { notRegular, READ_WITHOUT_BLOCKING } from './regularFile';

const HEAD_BYTES = 64;

export interface NewBytes {
  /** The bytes after the cursor's offset (the whole file when `restarted`). */
  readonly bytes: Buffer;
  /** File offset of bytes[0]. */
  readonly start: number;
  /** True when the file shrank or was replaced: the caller must drop what it imported from it before. */
  readonly restarted: boolean;
  readonly size: number;
  readonly mtimeMs: number;
  readonly head: string;
}

/**
 * Reads what was appended to `file` since `cursor`. Returns undefined when nothing changed.
 * Throws the fs error (ENOENT, EACCES, EISDIR...) for the caller to turn into a diagnostic.
 * On the main thread the file operations are asynchronous (the extension host's event loop keeps
 * running); in an import worker they are synchronous, which costs a fraction of the round trips.
 */
export async function readNewBytes(file: string, cursor: FileCursor | undefined, maxBytes = 256 * 1024 * 1024): Promise<NewBytes | undefined> {
  const steps = readSteps(file, cursor, maxBytes);
  if (!isMainThread) return runSync(steps);
  let handle: fs.FileHandle | undefined;
  try {
    let next = steps.next();
    while (!next.done) {
      const op = next.value;
      if (op.kind === 'open') {
        handle = await fs.open(op.file, READ_WITHOUT_BLOCKING);
        next = steps.next(undefined);
      } else if (op.kind === 'stat') {
        next = steps.next(await handle!.stat());
      } else {
        next = steps.next((await handle!.read(op.buffer, op.offset, op.length, op.position)).bytesRead);
      }
    }
    return next.value;
  } finally {
    await handle?.close();
  }
}

type FileOp = { readonly kind: 'open'; readonly file: string } | { readonly kind: 'stat' } | { readonly kind: 'read'; readonly buffer: Buffer; readonly offset: number; readonly length: number; readonly position: number };

function runSync(steps: Generator<FileOp, NewBytes | undefined, unknown>): NewBytes | undefined {
  let fd: number | undefined;
  try {
    let next = steps.next();
    while (!next.done) {
      const op = next.value;
      if (op.kind === 'open') {
        fd = openSync(op.file, READ_WITHOUT_BLOCKING);
        next = steps.next(undefined);
      } else if (op.kind === 'stat') {
        next = steps.next(fstatSync(fd!));
      } else {
        next = steps.next(readSync(fd!, op.buffer, op.offset, op.length, op.position));
      }
    }
    return next.value;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The logic of readNewBytes as a sequence of file operations, run by either driver above. */
function* readSteps(file: string, cursor: FileCursor | undefined, maxBytes: number): Generator<FileOp, NewBytes | undefined, unknown> {
  yield { kind: 'open', file };
  const stat = (yield { kind: 'stat' }) as Stats;
  const why = notRegular(stat);
  if (why) throw Object.assign(new Error(`${file}: ${why}`), { code: 'EISDIR' });
  // Same size and modification time as last time: unchanged, known from the stat alone (a rescan
  // of unchanged files reads no byte of them).
  if (cursor && stat.size === cursor.size && stat.mtimeMs === cursor.mtimeMs) return undefined;
  let start = cursor?.offset ?? 0;
  let head: string;
  let restarted = false;
  if (start === 0) {
    head = ''; // taken from the bytes read below: one read instead of two for a new file
  } else {
    const headBuffer = Buffer.alloc(Math.min(HEAD_BYTES, stat.size));
    if (headBuffer.length > 0) yield { kind: 'read', buffer: headBuffer, offset: 0, length: headBuffer.length, position: 0 };
    head = headBuffer.toString('hex');
    if (cursor && (stat.size < cursor.offset || !sameHead(cursor.head, head))) {
      start = 0;
      restarted = true;
    }
  }
  const length = Math.min(stat.size - start, maxBytes);
  const bytes = Buffer.allocUnsafe(Math.max(0, length));
  let read = 0;
  while (read < bytes.length) {
    const bytesRead = (yield { kind: 'read', buffer: bytes, offset: read, length: bytes.length - read, position: start + read }) as number;
    if (bytesRead === 0) break; // truncated while reading: take what is there
    read += bytesRead;
  }
  if (start === 0) head = bytes.subarray(0, Math.min(HEAD_BYTES, read)).toString('hex');
  // `size` is the file's size, not what was read: a caller that stops at maxBytes must loop until
  // start + bytes.length reaches it before saving a cursor with this size.
  return { bytes: read === bytes.length ? bytes : bytes.subarray(0, read), start, restarted, size: stat.size, mtimeMs: stat.mtimeMs, head };
}

/** The head recorded when the file was shorter is a prefix of the current head when only appended to. */
function sameHead(previous: string, current: string): boolean {
  const n = Math.min(previous.length, current.length);
  return previous.slice(0, n) === current.slice(0, n);
}

/** Splits text into complete lines; the unterminated rest (a line being written) is left for the next read. */
export function completeLines(bytes: Buffer): { lines: string[]; consumed: number } {
  const lastNewline = bytes.lastIndexOf(0x0a);
  if (lastNewline < 0) return { lines: [], consumed: 0 };
  const text = bytes.subarray(0, lastNewline).toString('utf8');
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  return { lines, consumed: lastNewline + 1 };
}
