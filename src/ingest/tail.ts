import { promises as fs } from 'node:fs';
import type { FileCursor } from './types';

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
 */
export async function readNewBytes(file: string, cursor: FileCursor | undefined, maxBytes = 256 * 1024 * 1024): Promise<NewBytes | undefined> {
  const handle = await fs.open(file, 'r');
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EISDIR' });
    }
    let start = cursor?.offset ?? 0;
    let head: string;
    let restarted = false;
    if (start === 0) {
      head = ''; // taken from the bytes read below: one read instead of two for a new file
    } else {
      const headBuffer = Buffer.alloc(Math.min(HEAD_BYTES, stat.size));
      if (headBuffer.length > 0) await handle.read(headBuffer, 0, headBuffer.length, 0);
      head = headBuffer.toString('hex');
      if (cursor && (stat.size < cursor.offset || !sameHead(cursor.head, head))) {
        start = 0;
        restarted = true;
      }
    }
    if (cursor && !restarted && stat.size === cursor.size && stat.mtimeMs === cursor.mtimeMs) {
      return undefined;
    }
    const length = Math.min(stat.size - start, maxBytes);
    const bytes = Buffer.allocUnsafe(Math.max(0, length));
    let read = 0;
    while (read < bytes.length) {
      const { bytesRead } = await handle.read(bytes, read, bytes.length - read, start + read);
      if (bytesRead === 0) break; // truncated while reading: take what is there
      read += bytesRead;
    }
    if (start === 0) head = bytes.subarray(0, Math.min(HEAD_BYTES, read)).toString('hex');
    // `size` is the file's size, not what was read: a caller that stops at maxBytes must loop until
    // start + bytes.length reaches it before saving a cursor with this size.
    return { bytes: read === bytes.length ? bytes : bytes.subarray(0, read), start, restarted, size: stat.size, mtimeMs: stat.mtimeMs, head };
  } finally {
    await handle.close();
  }
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
