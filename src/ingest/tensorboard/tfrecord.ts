/**
 * TFRecord framing, as TensorFlow's record writer lays it out:
 * u64 LE length, u32 masked CRC32C of the 8 length bytes, the data, u32 masked CRC32C of the data.
 */
import CRC32C = require('crc-32/crc32c');

const HEADER_BYTES = 12;
const FOOTER_BYTES = 4;
const MASK_DELTA = 0xa282ead8;

/** One complete record whose checksums matched. */
export interface FramedRecord {
  /** File offset of the record's header. */
  readonly offset: number;
  readonly data: Uint8Array;
}

/** Damage found while framing: the records it covers are skipped. */
export interface FramingProblem {
  /** File offset where the damage starts. */
  readonly offset: number;
  readonly message: string;
}

export interface FramingResult {
  readonly records: FramedRecord[];
  readonly problems: FramingProblem[];
  /**
   * Bytes of `bytes` that are settled (complete records, or damage skipped). A record still being
   * written at the end is not: the next read resumes at `start + consumed`.
   */
  readonly consumed: number;
}

export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = CRC32C.buf(bytes) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/**
 * Splits `bytes` (which start at file offset `start`, on a record boundary) into records. Never
 * throws: a record with a bad data checksum is reported and skipped (its length is trustworthy); a
 * bad length checksum means the framing is lost, so the reader reports it and searches forward for
 * the next offset where a whole record verifies.
 */
export function readRecords(bytes: Uint8Array, start = 0): FramingResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: FramedRecord[] = [];
  const problems: FramingProblem[] = [];
  let position = 0;
  while (position + HEADER_BYTES <= bytes.length) {
    const header = checkHeader(bytes, view, position);
    if (header === undefined) {
      problems.push({ offset: start + position, message: 'TFRecord length checksum mismatch: data skipped up to the next intact record' });
      const next = resynchronize(bytes, view, position + 1);
      if (next.kind === 'none') {
        // The last few bytes might start a record whose header is not complete yet.
        position = Math.max(position + 1, bytes.length - (HEADER_BYTES - 1));
        break;
      }
      position = next.position;
      if (next.kind === 'partial') break;
      continue;
    }
    const end = position + HEADER_BYTES + header.length + FOOTER_BYTES;
    if (end > bytes.length) break; // still being written
    const data = bytes.subarray(position + HEADER_BYTES, position + HEADER_BYTES + header.length);
    if (maskedCrc32c(data) === view.getUint32(end - FOOTER_BYTES, true)) {
      records.push({ offset: start + position, data });
    } else {
      problems.push({ offset: start + position, message: `TFRecord data checksum mismatch: record of ${header.length} bytes skipped` });
    }
    position = end;
  }
  return { records, problems, consumed: position };
}

/** The record length when the header's checksum verifies. */
function checkHeader(bytes: Uint8Array, view: DataView, position: number): { length: number } | undefined {
  if (maskedCrc32c(bytes.subarray(position, position + 8)) !== view.getUint32(position + 8, true)) return undefined;
  // 2^53 is far beyond any file; the product stays exact for every length that could fit.
  const length = view.getUint32(position + 4, true) * 0x1_0000_0000 + view.getUint32(position, true);
  return { length };
}

type Resync = { kind: 'found' | 'partial'; position: number } | { kind: 'none' };

function resynchronize(bytes: Uint8Array, view: DataView, from: number): Resync {
  for (let position = from; position + HEADER_BYTES <= bytes.length; position++) {
    const header = checkHeader(bytes, view, position);
    if (header === undefined) continue;
    const end = position + HEADER_BYTES + header.length + FOOTER_BYTES;
    if (end > bytes.length) return { kind: 'partial', position };
    const data = bytes.subarray(position + HEADER_BYTES, end - FOOTER_BYTES);
    if (maskedCrc32c(data) === view.getUint32(end - FOOTER_BYTES, true)) return { kind: 'found', position };
  }
  return { kind: 'none' };
}
