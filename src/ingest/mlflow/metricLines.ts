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
  let lineStart = 0;
  let lineNumber = firstLine;
  let lines = 0;
  const fieldStarts = [0, 0, 0, 0];
  const fieldEnds = [0, 0, 0, 0];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== NEWLINE) continue;
    let end = i;
    if (end > lineStart && bytes[end - 1] === CR) end--;
    // Split into at most 4 whitespace-separated fields.
    let fields = 0;
    let p = lineStart;
    let tooMany = false;
    while (p < end) {
      while (p < end && (bytes[p] === SPACE || bytes[p] === TAB)) p++;
      if (p >= end) break;
      const start = p;
      while (p < end && bytes[p] !== SPACE && bytes[p] !== TAB) p++;
      if (fields === 4) {
        tooMany = true;
        break;
      }
      fieldStarts[fields] = start;
      fieldEnds[fields] = p;
      fields++;
    }
    if (fields === 0) {
      // blank line: MLflow never writes one, but an editor might
    } else if (tooMany || fields === 1) {
      errors.push({ line: lineNumber, message: `expected "<timestamp> <value> <step>", got ${fields === 1 ? '1 field' : 'more than 4 fields'}` });
    } else {
      const timestamp = parseInteger(bytes, fieldStarts[0], fieldEnds[0]);
      const value = parseValue(bytes, fieldStarts[1], fieldEnds[1]);
      const step = fields >= 3 ? parseInteger(bytes, fieldStarts[2], fieldEnds[2]) : 0;
      if (timestamp === undefined || value === undefined || step === undefined) {
        const which = timestamp === undefined ? 'timestamp' : value === undefined ? 'value' : 'step';
        errors.push({ line: lineNumber, message: `bad ${which} "${text(bytes, fieldStarts[which === 'timestamp' ? 0 : which === 'value' ? 1 : 2], fieldEnds[which === 'timestamp' ? 0 : which === 'value' ? 1 : 2])}"` });
      } else {
        timestamps.push(timestamp);
        values.push(value);
        steps.push(step);
      }
    }
    lineStart = i + 1;
    lineNumber++;
    lines++;
  }
  return { steps, timestamps, values, consumed: lineStart, lines, errors };
}

function text(bytes: Uint8Array, start: number, end: number): string {
  const shown = Math.min(end, start + 40);
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, shown - start).toString('utf8') + (end > shown ? '…' : '');
}

/** A decimal integer (optionally signed); anything else is undefined. Exact up to 2^53. */
function parseInteger(bytes: Uint8Array, start: number, end: number): number | undefined {
  let i = start;
  let negative = false;
  if (bytes[i] === 0x2d || bytes[i] === 0x2b) {
    negative = bytes[i] === 0x2d;
    i++;
  }
  if (i >= end || end - i > 16) return slowNumber(bytes, start, end, true);
  let n = 0;
  for (; i < end; i++) {
    const d = bytes[i] - 0x30;
    if (d < 0 || d > 9) return slowNumber(bytes, start, end, true);
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

function parseValue(bytes: Uint8Array, start: number, end: number): number | undefined {
  return slowNumber(bytes, start, end, false);
}

function slowNumber(bytes: Uint8Array, start: number, end: number, integer: boolean): number | undefined {
  const s = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
  const lower = s.toLowerCase();
  if (!integer) {
    if (lower === 'nan' || lower === '+nan' || lower === '-nan') return NaN;
    if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
    if (lower === '-inf' || lower === '-infinity') return -Infinity;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n)) return integer ? undefined : n;
  if (integer && !Number.isInteger(n)) return undefined;
  return n;
}
