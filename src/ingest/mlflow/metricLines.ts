/**
 * Parser for MLflow file-store metric files: one point per line, `<timestamp_ms> <value> <step>`.
 * Older MLflow wrote 2 fields (step 0); MLflow 3 logged-model metrics add a 4th (a run id, ignored).
 * Values may be `nan`, `inf`, `-inf` (any case, as Python writes them).
 */
export interface ParsedMetricLines {
  readonly steps: number[];
  readonly timestamps: number[];
  readonly values: number[];
  /** Bytes of complete lines consumed; the rest is a line still being written. */
  readonly consumed: number;
  /** Lines read (complete), for the next call's line numbers. */
  readonly lines: number;
  readonly errors: { readonly line: number; readonly message: string }[];
}

const SPACE = 0x20;
const TAB = 0x09;
const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Parses the complete lines of `bytes`. `firstLine` is the 1-based number of the first line (for
 * diagnostics). Works on bytes, not a decoded string: the fast path for millions of points.
 */
export function parseMetricLines(bytes: Uint8Array, firstLine = 1): ParsedMetricLines {
  const steps: number[] = [];
  const timestamps: number[] = [];
  const values: number[] = [];
  const errors: { line: number; message: string }[] = [];
  const lastNewline = bytes.lastIndexOf(NEWLINE);
  if (lastNewline < 0) return { steps, timestamps, values, consumed: 0, lines: 0, errors };
  // One latin1 decode of the complete lines (fields are ASCII; anything else is an error anyway):
  // charCodeAt and Number() on slices are far faster than per-field Buffer decoding.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, lastNewline + 1).toString('latin1');
  const end = text.length;
  let lineNumber = firstLine;
  let lines = 0;
  const starts = [0, 0, 0, 0];
  const ends = [0, 0, 0, 0];
  let p = 0;
  while (p < end) {
    // Split one line into at most 4 space/tab-separated fields.
    let fields = 0;
    let tooMany = false;
    let c = text.charCodeAt(p);
    while (c !== NEWLINE) {
      while (c === SPACE || c === TAB || c === CR) c = text.charCodeAt(++p);
      if (c === NEWLINE) break;
      const start = p;
      while (c !== SPACE && c !== TAB && c !== CR && c !== NEWLINE) c = text.charCodeAt(++p);
      if (fields === 4) {
        tooMany = true;
        continue;
      }
      starts[fields] = start;
      ends[fields] = p;
      fields++;
    }
    p++; // past the newline
    if (fields >= 2 && !tooMany) {
      const timestamp = parseInteger(text, starts[0], ends[0]);
      const value = parseValue(text, starts[1], ends[1]);
      const step = fields >= 3 ? parseInteger(text, starts[2], ends[2]) : 0;
      if (timestamp !== undefined && value !== undefined && step !== undefined) {
        timestamps.push(timestamp);
        values.push(value);
        steps.push(step);
      } else {
        const which = timestamp === undefined ? 0 : value === undefined ? 1 : 2;
        errors.push({ line: lineNumber, message: `bad ${['timestamp', 'value', 'step'][which]} "${shown(text, starts[which], ends[which])}"` });
      }
    } else if (fields > 0) {
      errors.push({ line: lineNumber, message: `expected "<timestamp> <value> <step>", got ${tooMany ? 'more than 4 fields' : '1 field'}` });
    }
    lineNumber++;
    lines++;
  }
  return { steps, timestamps, values, consumed: lastNewline + 1, lines, errors };
}

function shown(text: string, start: number, end: number): string {
  const cut = Math.min(end, start + 40);
  return text.slice(start, cut) + (end > cut ? '…' : '');
}

/** A decimal integer (optionally signed), exact up to 2^53; anything else is undefined. */
function parseInteger(text: string, start: number, end: number): number | undefined {
  let i = start;
  const sign = text.charCodeAt(i);
  const negative = sign === 0x2d;
  if (negative || sign === 0x2b) i++;
  if (i >= end || end - i > 15) return slowInteger(text.slice(start, end));
  let n = 0;
  for (; i < end; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return slowInteger(text.slice(start, end));
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

function slowInteger(s: string): number | undefined {
  // e.g. "1.7e12" or a 16+ digit step: accept what is an exact integer, refuse the rest.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return undefined;
  const n = Number(s);
  return Number.isInteger(n) ? n : undefined;
}

function parseValue(text: string, start: number, end: number): number | undefined {
  // Decimal forms only (what Python writes): digits, sign, dot, exponent. Number() alone would
  // also read hex, binary and "Infinity", so check the characters first.
  let plain = true;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x2b || c === 0x65 || c === 0x45)) {
      plain = false;
      break;
    }
  }
  const s = text.slice(start, end);
  if (plain) {
    const n = Number(s);
    return n === n ? n : undefined; // "1e", "--1", "." are not numbers
  }
  const lower = s.toLowerCase();
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') return NaN;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return undefined;
}
