/**
 * Streaming CSV/TSV reader: a file stream through CsvTokenizer, one pass, typed columns built as
 * rows arrive (see columnBuilder), so numbers and timestamps never stay around as strings.
 */
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { ColumnBuilder } from './columnBuilder';
import { CsvTokenizer } from './csvTokenizer';
import {
  ColumnarDataset,
  ColumnPlan,
  describeError,
  DiagnosticLog,
  failedRead,
  isAbort,
  uniqueHeaderNames,
} from './dataset';
import type { DatasetRead, DatasetReadOptions } from './types';

const SNIFF_BYTES = 64 * 1024;
/** ',' ';' or tab: whichever occurs most outside quotes in the first line (',' on a tie or none). */
export function detectDelimiter(head: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (let i = head.charCodeAt(0) === 0xfeff ? 1 : 0; i < head.length; i++) {
    const char = head[i];
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && (char === ',' || char === ';' || char === '\t')) counts[char]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[',']) return '\t';
  return ',';
}

async function readHead(file: string): Promise<string> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

export async function readCsv(file: string, options: DatasetReadOptions = {}): Promise<DatasetRead> {
  const log = new DiagnosticLog(file, options);
  options.signal?.throwIfAborted();
  let totalBytes: number;
  let delimiter: string;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) {
      log.add({ message: 'Not a file.' });
      return failedRead(file, 'csv', log);
    }
    totalBytes = stat.size;
    const given = options.delimiter ?? 'auto';
    if (given !== 'auto') delimiter = given;
    else if (path.extname(file).toLowerCase() === '.tsv') delimiter = '\t';
    else delimiter = detectDelimiter(await readHead(file));
  } catch (error) {
    log.add({ message: `Cannot read the file: ${describeError(error)}` });
    return failedRead(file, 'csv', log);
  }

  const plan = new ColumnPlan(options);
  let header: string[] | undefined;
  let builders: (ColumnBuilder | undefined)[] = [];
  let rowCount = 0;
  const tokenizer = new CsvTokenizer(delimiter, {
    record(fields, line, blank) {
      // pandas' skip_blank_lines: a blank line is no row, even in a one-column file
      if (blank) return;
      if (header === undefined) {
        header = uniqueHeaderNames(fields, log);
        plan.reportAbsent(new Set(header), log);
        builders = header.map((name) => (plan.includes(name) ? plan.builder(name, log) : undefined));
        return;
      }
      if (fields.length !== header.length) {
        log.add({ line, message: `Expected ${header.length} fields, found ${fields.length}; line skipped.` });
        return;
      }
      for (let i = 0; i < builders.length; i++) builders[i]?.append(fields[i], line);
      rowCount++;
    },
    fatal(line, message) {
      log.add({ line, message });
    },
  });

  const input = createReadStream(file, { encoding: 'utf8', highWaterMark: 1024 * 1024, signal: options.signal });
  try {
    for await (const chunk of input) {
      options.signal?.throwIfAborted();
      tokenizer.push(chunk as string);
      options.onProgress?.({ bytesRead: input.bytesRead, totalBytes });
    }
    tokenizer.end();
  } catch (error) {
    input.destroy();
    if (isAbort(error, options.signal)) throw options.signal?.reason ?? error;
    log.add({ message: `Reading stopped: ${describeError(error)}` });
  }
  options.signal?.throwIfAborted();

  if (header === undefined) {
    log.add({ message: 'The file is empty: no header line.' });
    return failedRead(file, 'csv', log);
  }
  const columns = builders.flatMap((builder) => (builder ? [builder.finish()] : []));
  return { file, format: 'csv', dataset: new ColumnarDataset(columns, rowCount), diagnostics: log.close(), ok: true };
}
