/**
 * Incremental reading of a delimited text table (CSV, TSV) that a logger appends to while training:
 * only complete records are consumed, a record cut in the middle (even inside a quoted field) is left
 * for the next read, and the header is remembered so that a rewritten file (Lightning rewrites
 * metrics.csv with a wider header when a new metric appears) is noticed and re-read from the start.
 */
import { parse } from 'csv-parse/sync';
import { readNewBytes } from '../tail';
import type { FileCursor } from '../types';
import type { Problem } from './problems';
import { openRegularFile } from '../regularFile';

/** JSON-serialisable: kept in the file's cursor between imports. */
export interface DelimitedState {
  readonly header: readonly string[];
  /** The file's bytes up to and including the header's line break: a rewritten file differs here. */
  readonly headerPrefix: string;
  readonly delimiter: string;
  /** 1-based number of the line that starts at the cursor's offset. */
  readonly nextLine: number;
  /** The file is not a text table (e.g. binary): appended bytes are skipped until it is replaced. */
  readonly rejected?: boolean;
}

export interface DelimitedRow {
  /** 1-based line where the record starts. */
  readonly line: number;
  readonly cells: readonly string[];
}

export interface DelimitedRead {
  /** The file was replaced, truncated or rewritten: whatever was imported from it before must be dropped. */
  readonly restarted: boolean;
  /** Undefined while the header line is not complete (e.g. an empty file). */
  readonly state: DelimitedState | undefined;
  readonly rows: DelimitedRow[];
  /** The cursor to store (the caller may add its own state). */
  readonly cursor: Omit<FileCursor, 'state'>;
}

export interface DelimitedOptions {
  /** 'auto' picks the most frequent of ',', ';', tab in the header line (Keras' CSVLogger takes any separator). */
  readonly delimiter: ',' | '\t' | 'auto';
  readonly report: (problem: Problem) => void;
}

const QUOTE = 0x22;
const NEWLINE = 0x0a;
/** A quoted field left open for this long is garbage, not a record being written. */
const MAX_RECORD_CHARS = 1024 * 1024;

/**
 * Reads what was appended since `cursor`. Returns undefined when the file did not change.
 * Throws the fs error (ENOENT, EACCES...) for the caller to turn into a diagnostic.
 */
export async function readDelimited(
  file: string,
  cursor: FileCursor | undefined,
  previous: DelimitedState | undefined,
  options: DelimitedOptions,
): Promise<DelimitedRead | undefined> {
  let read = await readNewBytes(file, cursor);
  if (read === undefined) return undefined;
  let restarted = read.restarted;
  let state = restarted ? undefined : previous;
  const resumesMidFile = read.start > 0;
  if (resumesMidFile && (state === undefined || !(await prefixStillThere(file, state.headerPrefix)))) {
    // Without the header the appended rows mean nothing; a changed header means a rewritten file.
    read = await readNewBytes(file, undefined);
    if (read === undefined) return undefined;
    restarted = true;
    state = undefined;
  }
  const cursorFields = (consumed: number): Omit<FileCursor, 'state'> => ({
    // The bytes seen, not stat's size: a read capped by readNewBytes must resume, not look unchanged.
    size: read.start + read.bytes.length,
    mtimeMs: read.mtimeMs,
    offset: read.start + consumed,
    head: read.head,
  });

  if (state?.rejected) return { restarted, state, rows: [], cursor: cursorFields(read.bytes.length) };

  const bytes = read.bytes;
  const lastNewline = bytes.lastIndexOf(NEWLINE);
  if (lastNewline < 0) {
    if (bytes.length > MAX_RECORD_CHARS) {
      options.report({ message: `no line break in ${bytes.length} bytes: not a text table; skipped`, severity: 'error', position: `byte ${read.start}` });
      return { restarted, state: rejectedState(state), rows: [], cursor: cursorFields(bytes.length) };
    }
    return { restarted, state, rows: [], cursor: cursorFields(0) };
  }
  const text = bytes.subarray(0, lastNewline + 1).toString('utf8');

  let delimiter = state?.delimiter ?? pickDelimiter(text, options.delimiter);
  const split = splitRecords(text, state?.nextLine ?? 1, delimiter);
  for (const line of split.abandoned) {
    options.report({ message: 'a quoted field is never closed: line skipped', line, severity: 'error' });
  }
  let records = split.records;
  if (state === undefined) {
    const headerIndex = records.findIndex((record) => record.text.trim() !== '');
    if (headerIndex < 0) {
      // Only blank lines so far: keep reading from the start until a header arrives.
      return { restarted, state: undefined, rows: [], cursor: cursorFields(0) };
    }
    const headerRecord = records[headerIndex];
    const headerText = stripBom(headerRecord.text);
    if (looksBinary(headerText)) {
      options.report({ message: 'binary content where a header line was expected: not a text table; skipped', line: headerRecord.line, severity: 'error' });
      return { restarted, state: rejectedState(undefined), rows: [], cursor: cursorFields(bytes.length) };
    }
    delimiter = pickDelimiter(headerText, options.delimiter);
    const header = parseRecord(headerText, delimiter) ?? headerText.split(delimiter);
    const prefixChars = headerRecord.endIndex + 1;
    state = { header: header.map((name) => name.trim()), headerPrefix: text.slice(0, prefixChars), delimiter, nextLine: 1 };
    records = records.slice(headerIndex + 1);
  }

  const consumedBytes = lastNewline + 1 - Buffer.byteLength(split.pending, 'utf8');
  const nextLine = split.pendingLine;
  const rows = parseRecords(records, delimiter, options);
  return { restarted, state: { ...state, nextLine }, rows, cursor: cursorFields(consumedBytes) };
}

interface RawRecord {
  readonly text: string;
  readonly line: number;
  /** Index in the scanned text of the record's terminating line break. */
  readonly endIndex: number;
}

interface SplitResult {
  readonly records: RawRecord[];
  /** An unterminated quoted record at the end: left for the next read. */
  readonly pending: string;
  /** 1-based line number where `pending` (or the next read) starts. */
  readonly pendingLine: number;
  /** Lines skipped because a quote opened there never closed. */
  readonly abandoned: number[];
}

/**
 * Splits text that ends with a line break into records, honouring quoted fields that span lines
 * (RFC 4180: a quote opens a field only at the field's start; "" inside is an escaped quote).
 */
function splitRecords(text: string, firstLine: number, delimiter: string): SplitResult {
  const delimiterCode = delimiter.charCodeAt(0);
  const records: RawRecord[] = [];
  const abandoned: number[] = [];
  let index = 0;
  let line = firstLine;
  let recordStart = 0;
  let recordLine = line;
  let inQuotes = false;
  let atFieldStart = true;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (inQuotes) {
      if (code === QUOTE) {
        if (text.charCodeAt(index + 1) === QUOTE) {
          index += 2;
          continue;
        }
        inQuotes = false;
      } else if (code === NEWLINE) {
        line++;
      }
      index++;
      continue;
    }
    if (code === NEWLINE) {
      records.push({ text: stripCarriageReturn(text.slice(recordStart, index)), line: recordLine, endIndex: index });
      index++;
      line++;
      recordStart = index;
      recordLine = line;
      atFieldStart = true;
      continue;
    }
    if (code === QUOTE && atFieldStart) inQuotes = true;
    atFieldStart = code === delimiterCode;
    index++;
  }
  if (recordStart < text.length && text.length - recordStart > MAX_RECORD_CHARS) {
    // Garbage with a stray quote would otherwise block the rest of the file forever.
    abandoned.push(recordLine);
    const firstBreak = text.indexOf('\n', recordStart);
    const rest = splitRecords(text.slice(firstBreak + 1), recordLine + 1, delimiter);
    const offset = firstBreak + 1;
    return {
      records: [...records, ...rest.records.map((record) => ({ ...record, endIndex: record.endIndex + offset }))],
      pending: rest.pending,
      pendingLine: rest.pendingLine,
      abandoned: [...abandoned, ...rest.abandoned],
    };
  }
  return { records, pending: text.slice(recordStart), pendingLine: recordLine, abandoned };
}

const PARSE_OPTIONS = { relax_column_count: true, relax_quotes: true, skip_empty_lines: false } as const;

function parseRecords(records: readonly RawRecord[], delimiter: string, options: DelimitedOptions): DelimitedRow[] {
  const candidates: RawRecord[] = [];
  for (const record of records) {
    if (record.text === '') continue;
    if (looksBinary(record.text)) {
      options.report({ message: 'binary content: line skipped', line: record.line, severity: 'error' });
      continue;
    }
    candidates.push(record);
  }
  if (candidates.length === 0) return [];
  // One parser call for the whole batch is several times faster than one per record; a record it
  // disagrees on (garbage) sends the batch through the slow path, which can name the bad line.
  try {
    const parsed = parse(candidates.map((record) => record.text).join('\n'), { ...PARSE_OPTIONS, delimiter });
    if (parsed.length === candidates.length) {
      return candidates.map((record, i) => ({ line: record.line, cells: parsed[i] }));
    }
  } catch {
    // fall through to the record-by-record parse
  }
  const rows: DelimitedRow[] = [];
  for (const record of candidates) {
    try {
      const parsed = parse(record.text, { ...PARSE_OPTIONS, delimiter });
      if (parsed.length !== 1) throw new Error(`${parsed.length} records in one line`);
      rows.push({ line: record.line, cells: parsed[0] });
    } catch (error) {
      options.report({ message: `unreadable record: ${firstLine(error)}; skipped`, line: record.line, severity: 'error' });
    }
  }
  return rows;
}

function parseRecord(text: string, delimiter: string): string[] | undefined {
  try {
    const parsed = parse(text, { ...PARSE_OPTIONS, delimiter });
    return parsed.length === 1 ? parsed[0] : undefined;
  } catch {
    return undefined;
  }
}

function pickDelimiter(text: string, wanted: DelimitedOptions['delimiter']): string {
  if (wanted !== 'auto') return wanted;
  const firstLineText = text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : text.length);
  const counts = [',', ';', '\t'].map((candidate) => ({ candidate, count: firstLineText.split(candidate).length - 1 }));
  const best = counts.reduce((a, b) => (b.count > a.count ? b : a));
  return best.count > 0 ? best.candidate : ',';
}

async function prefixStillThere(file: string, prefix: string): Promise<boolean> {
  const expected = Buffer.from(prefix, 'utf8');
  const handle = await openRegularFile(file);
  try {
    const actual = Buffer.alloc(expected.length);
    const { bytesRead } = await handle.read(actual, 0, actual.length, 0);
    return bytesRead === expected.length && actual.equals(expected);
  } finally {
    await handle.close();
  }
}

function rejectedState(state: DelimitedState | undefined): DelimitedState {
  return { header: state?.header ?? [], headerPrefix: state?.headerPrefix ?? '', delimiter: state?.delimiter ?? ',', nextLine: state?.nextLine ?? 1, rejected: true };
}

// NUL never appears in a text table; U+FFFD marks bytes that are not UTF-8.
function looksBinary(text: string): boolean {
  return text.includes('\u0000') || text.includes('\ufffd');
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function stripCarriageReturn(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
