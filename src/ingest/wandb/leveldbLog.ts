/**
 * The framing of W&B's `run-<id>.wandb` transaction log, as wandb writes it
 * (wandb/sdk/internal/datastore.py; core/pkg/leveldb/record.go + core/internal/stream/store.go):
 *
 * - a 7-byte file header: ident `:W&B`, magic 0xBEE1 (u16 LE), version 0 (u8);
 * - then LevelDB-log-style 32 KiB blocks counted from the start of the file (the file header sits in
 *   block 0). Each chunk: u32 LE checksum, u16 LE length, u8 type (1 FULL, 2 FIRST, 3 MIDDLE,
 *   4 LAST), then the data. A chunk never crosses a block; fewer than 7 bytes left in a block are
 *   zero padding. The checksum is zlib's CRC-32 (IEEE, not LevelDB's masked CRC32C) of the type
 *   byte followed by the data: `zlib.crc32(data, zlib.crc32(chr(type)))`.
 *
 * A record (one serialized protobuf `Record`) is one FULL chunk or FIRST, MIDDLE*, LAST.
 */
import CRC32 = require('crc-32');

export const FILE_HEADER_BYTES = 7;
export const BLOCK_BYTES = 32 * 1024;
export const CHUNK_HEADER_BYTES = 7;

const IDENT = [0x3a, 0x57, 0x26, 0x42]; // ":W&B"
const MAGIC = 0xbee1;
const VERSION = 0;

const FULL = 1;
const FIRST = 2;
const MIDDLE = 3;
const LAST = 4;

/** CRC-32 of the single type byte: the seed the data's checksum continues from. */
const TYPE_SEEDS = [0, 1, 2, 3, 4].map((type) => CRC32.buf([type]));

export function chunkChecksum(type: number, data: Uint8Array): number {
  return CRC32.buf(data, TYPE_SEEDS[type] ?? CRC32.buf([type])) >>> 0;
}

export type FileHeaderCheck = 'ok' | 'incomplete' | 'invalid';

export function checkFileHeader(bytes: Uint8Array): FileHeaderCheck {
  const available = Math.min(bytes.length, FILE_HEADER_BYTES);
  const expected = [...IDENT, MAGIC & 0xff, MAGIC >>> 8, VERSION];
  for (let i = 0; i < available; i++) if (bytes[i] !== expected[i]) return 'invalid';
  return available < FILE_HEADER_BYTES ? 'incomplete' : 'ok';
}

export interface LogRecord {
  /** File offset of the record's first chunk header. */
  readonly offset: number;
  readonly data: Uint8Array;
}

export interface LogProblem {
  /** File offset where the damage starts. */
  readonly offset: number;
  readonly message: string;
}

export interface LogScan {
  readonly records: LogRecord[];
  readonly problems: LogProblem[];
  /**
   * Bytes of the input that are settled. A record whose chunks are not all written yet is not: the
   * next read resumes at `start + consumed`, the offset of its first chunk.
   */
  readonly consumed: number;
  /** A damaged record's trailing chunks may still follow at `consumed`: pass this to the next scan. */
  readonly afterDamage: boolean;
}

interface Pending {
  readonly offset: number;
  readonly parts: Uint8Array[];
}

/**
 * Splits `bytes` (the file from offset `start` on, where `start` is past the file header and on a
 * chunk boundary) into records. Never throws. A chunk whose checksum or header is wrong is reported
 * and skipped with the record it belongs to; reading goes on at the next chunk that verifies.
 */
export function scanLog(bytes: Uint8Array, start: number, resumeAfterDamage = false): LogScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: LogRecord[] = [];
  const problems: LogProblem[] = [];
  let position = 0;
  let pending: Pending | undefined;
  // After damage, the continuation chunks of the damaged record are expected, not news.
  let afterDamage = resumeAfterDamage;
  const settled = (): number => (pending === undefined ? position : pending.offset - start);

  const dropPending = (reason: string): void => {
    if (pending !== undefined) problems.push({ offset: pending.offset, message: `record ${reason}: skipped` });
    pending = undefined;
  };

  for (;;) {
    const spaceLeft = BLOCK_BYTES - ((start + position) % BLOCK_BYTES);
    const available = bytes.length - position;
    if (spaceLeft < CHUNK_HEADER_BYTES) {
      if (available < spaceLeft) break;
      position += spaceLeft; // block trailer
      continue;
    }
    if (available < CHUNK_HEADER_BYTES) break;
    const checksum = view.getUint32(position, true);
    const length = view.getUint16(position + 4, true);
    const type = bytes[position + 6];

    if (checksum === 0 && length === 0 && type === 0) {
      // Zero-filled rest of a block (preallocated or mmap-written files); wandb's Go reader skips it.
      const blockEnd = position + spaceLeft;
      if (allZero(bytes, position, Math.min(blockEnd, bytes.length))) {
        if (blockEnd > bytes.length) break;
        position = blockEnd;
        continue;
      }
    }

    const plausible = type >= FULL && type <= LAST && CHUNK_HEADER_BYTES + length <= spaceLeft;
    // A chunk that runs past the end is still being written, unless an intact chunk follows
    // within what it claims: then its length is damaged.
    const overrunsEnd = plausible && available < CHUNK_HEADER_BYTES + length;
    if (overrunsEnd && !resynchronize(bytes, view, start, -1, position + 1).found) break;
    const data = bytes.subarray(position + CHUNK_HEADER_BYTES, position + CHUNK_HEADER_BYTES + length);
    if (!plausible || overrunsEnd || chunkChecksum(type, data) !== checksum) {
      const chunkOffset = start + position;
      problems.push({
        offset: chunkOffset,
        message: plausible && !overrunsEnd
          ? `chunk checksum mismatch (type ${type}, ${length} bytes): its record is skipped`
          : `invalid chunk header (type ${type}, length ${length}): data skipped up to the next intact chunk`,
      });
      if (pending !== undefined) pending = undefined;
      afterDamage = true;
      const next = resynchronize(bytes, view, start, plausible && !overrunsEnd ? position + CHUNK_HEADER_BYTES + length : -1, position + 1);
      position = next.position;
      if (!next.found) break;
      continue;
    }

    const chunkOffset = start + position;
    position += CHUNK_HEADER_BYTES + length;
    switch (type) {
      case FULL:
        dropPending('without its last chunk');
        afterDamage = false;
        records.push({ offset: chunkOffset, data });
        break;
      case FIRST:
        dropPending('without its last chunk');
        afterDamage = false;
        pending = { offset: chunkOffset, parts: [data] };
        break;
      case MIDDLE:
      case LAST:
        if (pending === undefined) {
          if (!afterDamage) problems.push({ offset: chunkOffset, message: `${type === LAST ? 'last' : 'middle'} chunk without a first chunk: skipped` });
          if (type === LAST) afterDamage = false;
          break;
        }
        pending.parts.push(data);
        if (type === LAST) {
          records.push({ offset: pending.offset, data: concat(pending.parts) });
          pending = undefined;
        }
        break;
    }
  }
  return { records, problems, consumed: settled(), afterDamage: pending === undefined && afterDamage };
}

/**
 * Where reading goes on after a damaged chunk: `preferred` (just past the damaged chunk, when its
 * length could be trusted) if a chunk verifies there, else the first offset from `from` on where
 * one verifies. When none does before the end, the earliest offset where a chunk might still be
 * completed by appended bytes (found: false), so a chunk being written is not lost.
 */
function resynchronize(bytes: Uint8Array, view: DataView, start: number, preferred: number, from: number): { position: number; found: boolean } {
  if (preferred > from && verifiesAt(bytes, view, start, preferred) === 'yes') return { position: preferred, found: true };
  let earliestIncomplete: number | undefined;
  for (let position = from; position < bytes.length; position++) {
    const verdict = verifiesAt(bytes, view, start, position);
    if (verdict === 'yes') return { position, found: true };
    if (verdict === 'incomplete' && earliestIncomplete === undefined) earliestIncomplete = position;
  }
  return { position: earliestIncomplete ?? bytes.length, found: false };
}

function verifiesAt(bytes: Uint8Array, view: DataView, start: number, position: number): 'yes' | 'no' | 'incomplete' {
  const spaceLeft = BLOCK_BYTES - ((start + position) % BLOCK_BYTES);
  if (spaceLeft < CHUNK_HEADER_BYTES) {
    // A block trailer: the next block's first chunk is the candidate.
    return position + spaceLeft >= bytes.length ? 'incomplete' : 'no';
  }
  const available = bytes.length - position;
  if (available < CHUNK_HEADER_BYTES) return 'incomplete';
  const length = view.getUint16(position + 4, true);
  const type = bytes[position + 6];
  if (type < FULL || type > LAST || CHUNK_HEADER_BYTES + length > spaceLeft) return 'no';
  if (available < CHUNK_HEADER_BYTES + length) return 'incomplete';
  const data = bytes.subarray(position + CHUNK_HEADER_BYTES, position + CHUNK_HEADER_BYTES + length);
  return chunkChecksum(type, data) === view.getUint32(position, true) ? 'yes' : 'no';
}

function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
