/**
 * Parser for MLflow file-store metric files: one point per line, `<timestamp_ms> <value> <step>`.
 * Older MLflow wrote 2 fields (step 0). MLflow 3 appends `<dataset_name> <dataset_digest>` to a
 * run's point logged against a dataset (5 fields); a LoggedModel's metric file puts the run id 4th
 * (4 fields, or 6 with the dataset). Values may be `nan`, `inf`, `-inf` (any case, as Python writes them).
 */
export interface ParsedMetricLines {
  readonly steps: number[];
  readonly timestamps: number[];
  readonly values: number[];
  /** Per point, the dataset name ('' when none); undefined when no line named a dataset (the common case). */
  readonly datasets: string[] | undefined;
  /** Each dataset's digest, as last written. */
  readonly digests: Record<string, string>;
  /** A LoggedModel's file: per point, the run that logged it ('' when the line has none). */
  readonly runIds?: string[];
  /** Bytes of complete lines consumed; the rest is a line still being written. */
  readonly consumed: number;
  /** Lines read (complete), for the next call's line numbers. */
  readonly lines: number;
  readonly errors: { readonly line: number; readonly message: string }[];
}

/** Whose metric file: a run's (`… [dataset digest]`) or a LoggedModel's (`… run_id [dataset digest]`). */
export type MetricFileKind = 'run' | 'model';

/** Field counts each kind of file may hold, and whether the dataset pair follows a run id. */
const LAYOUTS: Record<MetricFileKind, Record<number, 'plain' | 'dataset' | undefined>> = {
  // 4 fields in a run's file: written by early MLflow 3 builds with a trailing run id; kept as before.
  run: { 2: 'plain', 3: 'plain', 4: 'plain', 5: 'dataset' },
  model: { 2: 'plain', 3: 'plain', 4: 'plain', 6: 'dataset' },
};
const MAX_FIELDS = 6;

const SPACE = 0x20;
const TAB = 0x09;
const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Parses the complete lines of `bytes`. `firstLine` is the 1-based number of the first line (for
 * diagnostics). Works on bytes, not a decoded string: the fast path for millions of points.
 */
export function parseMetricLines(bytes: Uint8Array, firstLine = 1, kind: MetricFileKind = 'run'): ParsedMetricLines {
  const steps: number[] = [];
  const timestamps: number[] = [];
  const values: number[] = [];
  let datasets: string[] | undefined;
  const digests: Record<string, string> = {};
  const runIds: string[] | undefined = kind === 'model' ? [] : undefined;
  const errors: { line: number; message: string }[] = [];
  const layouts = LAYOUTS[kind];
  const lastNewline = bytes.lastIndexOf(NEWLINE);
  if (lastNewline < 0) return { steps, timestamps, values, datasets, digests, consumed: 0, lines: 0, errors };
  // One latin1 decode of the complete lines (fields are ASCII; anything else is an error anyway):
  // charCodeAt and Number() on slices are far faster than per-field Buffer decoding.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, lastNewline + 1).toString('latin1');
  const end = text.length;
  let lineNumber = firstLine;
  let lines = 0;
  const starts = [0, 0, 0, 0, 0, 0];
  const ends = [0, 0, 0, 0, 0, 0];
  let p = 0;
  while (p < end) {
    // Split one line into at most MAX_FIELDS space/tab-separated fields.
    let fields = 0;
    let tooMany = false;
    let c = text.charCodeAt(p);
    while (c !== NEWLINE) {
      while (c === SPACE || c === TAB || c === CR) c = text.charCodeAt(++p);
      if (c === NEWLINE) break;
      const start = p;
      while (c !== SPACE && c !== TAB && c !== CR && c !== NEWLINE) c = text.charCodeAt(++p);
      if (fields === MAX_FIELDS) {
        tooMany = true;
        continue;
      }
      starts[fields] = start;
      ends[fields] = p;
      fields++;
    }
    p++; // past the newline
    const layout = tooMany ? undefined : layouts[fields];
    if (layout) {
      const timestamp = parseInteger(text, starts[0], ends[0]);
      const value = parseValue(text, starts[1], ends[1]);
      const step = fields >= 3 ? parseInteger(text, starts[2], ends[2]) : 0;
      if (timestamp !== undefined && value !== undefined && step !== undefined) {
        timestamps.push(timestamp);
        values.push(value);
        steps.push(step);
        if (layout === 'dataset') {
          const name = text.slice(starts[fields - 2], ends[fields - 2]);
          digests[name] = text.slice(starts[fields - 1], ends[fields - 1]);
          datasets ??= new Array<string>(values.length - 1).fill('');
          datasets.push(name);
        } else if (datasets) datasets.push('');
        runIds?.push(fields >= 4 ? text.slice(starts[3], ends[3]) : '');
      } else {
        const which = timestamp === undefined ? 0 : value === undefined ? 1 : 2;
        errors.push({ line: lineNumber, message: `bad ${['timestamp', 'value', 'step'][which]} "${shown(text, starts[which], ends[which])}"` });
      }
    } else if (fields > 0) {
      errors.push({ line: lineNumber, message: layoutError(kind, tooMany ? `more than ${MAX_FIELDS}` : String(fields)) });
    }
    lineNumber++;
    lines++;
  }
  return { steps, timestamps, values, datasets, digests, ...(runIds ? { runIds } : {}), consumed: lastNewline + 1, lines, errors };
}

function layoutError(kind: MetricFileKind, got: string): string {
  const expected = kind === 'run' ? '"<timestamp> <value> <step> [<dataset> <digest>]"' : '"<timestamp> <value> <step> <run_id> [<dataset> <digest>]"';
  const hint = got === '1' ? '' : ' (a dataset name or digest with spaces?)';
  return `expected ${expected}, got ${got} field${got === '1' ? '' : 's'}${hint}`;
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
