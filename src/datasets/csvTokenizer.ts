/**
 * A streaming CSV tokenizer (RFC 4180 plus pandas' leniencies). Written here rather than using
 * csv-parse because csv-parse managed about 10 MB/s, and a drift report reads millions of rows;
 * the tests check it against csv-parse on random input.
 *
 * - Records end at \r\n, \n or \r (mixed endings allowed); quoted fields may hold any of them.
 * - "" inside a quoted field is a quote; a quote inside an unquoted field is a literal character;
 *   text after a closing quote is appended (`"ab"c` → `abc`), as pandas does.
 * - Chunks may split a record anywhere: the unfinished record is kept and re-scanned with the next
 *   chunk (records are short; a runaway quoted field is cut off at MAX_RECORD_CHARS).
 */

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** A quoted field left open for this long is a broken file, not a long value. */
export const MAX_RECORD_CHARS = 16 * 1024 * 1024;

export interface CsvRecordSink {
  /** `line`: 1-based line where the record starts; `blank`: the line was empty. */
  record(fields: string[], line: number, blank: boolean): void;
  /** The rest of the input cannot be tokenized (an unterminated quote). */
  fatal(line: number, message: string): void;
}

function countBreaks(text: string): number {
  let breaks = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === LF) breaks++;
    else if (code === CR) {
      breaks++;
      if (text.charCodeAt(i + 1) === LF) i++;
    }
  }
  return breaks;
}

export class CsvTokenizer {
  private carry = '';
  private line = 1;
  private started = false;
  private stopped = false;
  private readonly delimiter: number;

  constructor(
    delimiter: string,
    private readonly sink: CsvRecordSink,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  push(chunk: string): void {
    if (this.stopped) return;
    let text = this.carry + chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.carry = text.slice(this.scan(text, false));
    if (this.carry.length > MAX_RECORD_CHARS) {
      this.sink.fatal(this.line, `A quoted field starting on line ${this.line} is never closed; the rest of the file is skipped.`);
      this.carry = '';
      this.stopped = true;
    }
  }

  end(): void {
    if (this.stopped) return;
    const text = this.carry;
    this.carry = '';
    if (text.length === 0) return;
    const consumed = this.scan(text, true);
    if (consumed < text.length) {
      this.sink.fatal(this.line, `A quoted field starting on line ${this.line} is never closed; the rest of the file is skipped.`);
    }
  }

  /** Emits every complete record in `text`; returns where the first incomplete one starts. */
  private scan(text: string, final: boolean): number {
    const delimiter = this.delimiter;
    const length = text.length;
    let recordStart = 0;
    let pos = 0;
    let fields: string[] = [];
    let breaksInRecord = 0;
    while (pos < length) {
      let value: string;
      if (text.charCodeAt(pos) === QUOTE) {
        let i = pos + 1;
        value = '';
        let closed = false;
        while (true) {
          const quote = text.indexOf('"', i);
          if (quote === -1) break;
          if (text.charCodeAt(quote + 1) === QUOTE) {
            value += text.slice(i, quote + 1);
            i = quote + 2;
            continue;
          }
          if (quote + 1 === length && !final) break; // the next chunk may start with a second quote
          value += text.slice(i, quote);
          pos = quote + 1;
          closed = true;
          break;
        }
        if (!closed) return recordStart;
        breaksInRecord += countBreaks(value);
        // pandas keeps text after a closing quote as part of the field
        let end = pos;
        while (end < length) {
          const code = text.charCodeAt(end);
          if (code === delimiter || code === LF || code === CR) break;
          end++;
        }
        if (end > pos) value += text.slice(pos, end);
        pos = end;
      } else {
        let end = pos;
        while (end < length) {
          const code = text.charCodeAt(end);
          if (code === delimiter || code === LF || code === CR) break;
          end++;
        }
        value = text.slice(pos, end);
        pos = end;
      }
      fields.push(value);
      if (pos >= length) {
        if (!final) return recordStart;
        this.emit(fields, recordStart === pos, breaksInRecord);
        return length;
      }
      const code = text.charCodeAt(pos);
      if (code === delimiter) {
        pos++;
        if (pos >= length && final) {
          fields.push('');
          this.emit(fields, false, breaksInRecord);
          return length;
        }
        continue;
      }
      // a line break ends the record; \r\n split across chunks must wait for the \n
      if (code === CR && pos + 1 >= length && !final) return recordStart;
      const blank = recordStart === pos;
      pos += code === CR && text.charCodeAt(pos + 1) === LF ? 2 : 1;
      this.emit(fields, blank, breaksInRecord);
      this.line++;
      fields = [];
      breaksInRecord = 0;
      recordStart = pos;
    }
    return recordStart;
  }

  private emit(fields: string[], blank: boolean, breaksInRecord: number): void {
    this.sink.record(fields, this.line, blank);
    this.line += breaksInRecord;
  }
}
