/** Streaming JSON Lines reader: one object per line, nested objects flattened with '.'. */
import { createReadStream, promises as fs } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  ColumnarDataset,
  ColumnPlan,
  describeError,
  DiagnosticLog,
  DynamicColumns,
  failedRead,
  flattenInto,
  isAbort,
} from './dataset';
import type { DatasetRead, DatasetReadOptions } from './types';

const ABORT_CHECK_EVERY = 4096;

/**
 * Python's `json.dumps` writes NaN and ±Infinity as bare words, which JSON.parse rejects. Outside
 * strings they become null (missing) and ±1e999 (which JSON.parse reads as ±Infinity).
 */
export function replacePythonNonFinite(line: string): string {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      continue;
    }
    for (const [word, replacement] of [
      ['-Infinity', '-1e999'],
      ['Infinity', '1e999'],
      ['NaN', 'null'],
    ] as const) {
      if (line.startsWith(word, i)) {
        out += line.slice(last, i) + replacement;
        i += word.length - 1;
        last = i + 1;
        break;
      }
    }
  }
  return out + line.slice(last);
}

function parseLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error;
    return JSON.parse(replacePythonNonFinite(text));
  }
}

export async function readJsonl(file: string, options: DatasetReadOptions = {}): Promise<DatasetRead> {
  const log = new DiagnosticLog(file, options);
  options.signal?.throwIfAborted();
  let totalBytes: number;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) {
      log.add({ message: 'Not a file.' });
      return failedRead(file, 'jsonl', log);
    }
    totalBytes = stat.size;
  } catch (error) {
    log.add({ message: `Cannot read the file: ${describeError(error)}` });
    return failedRead(file, 'jsonl', log);
  }

  const plan = new ColumnPlan(options);
  const columns = new DynamicColumns(plan, log);
  const input = createReadStream(file, { encoding: 'utf8', highWaterMark: 1024 * 1024, signal: options.signal });
  let bytesRead = 0;
  input.on('data', (chunk) => {
    bytesRead += Buffer.byteLength(chunk);
    options.onProgress?.({ bytesRead, totalBytes });
  });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const rawLine of lines) {
      lineNumber++;
      if (lineNumber % ABORT_CHECK_EVERY === 0) options.signal?.throwIfAborted();
      const text = lineNumber === 1 && rawLine.charCodeAt(0) === 0xfeff ? rawLine.slice(1) : rawLine;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = parseLine(text);
      } catch (error) {
        log.add({ line: lineNumber, message: `Not valid JSON; line skipped (${describeError(error)}).` });
        continue;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        log.add({ line: lineNumber, message: 'Not a JSON object; line skipped.' });
        continue;
      }
      const line = lineNumber;
      flattenInto('', value, (name, cell) => columns.set(name, cell, line));
      columns.endRow();
    }
  } catch (error) {
    input.destroy();
    if (isAbort(error, options.signal)) throw options.signal?.reason ?? error;
    log.add({ line: lineNumber + 1, message: `Reading stopped: ${describeError(error)}` });
  }
  options.signal?.throwIfAborted();
  plan.reportAbsent(columns.names, log);
  const dataset = new ColumnarDataset(columns.finish(), columns.rowCount);
  return { file, format: 'jsonl', dataset, diagnostics: log.close(), ok: true };
}
