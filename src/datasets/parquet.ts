/**
 * Parquet reader over hyparquet: the file is read through positioned reads (never whole), one row
 * group at a time, and only the columns asked for. Types come from the file's schema rather than
 * from inference; an override still wins.
 */
import { promises as fs } from 'node:fs';
import { parquetMetadataAsync, parquetScan, parquetSchema } from 'hyparquet';
import { compressors as packageCompressors } from 'hyparquet-compressors';
import type { AsyncBuffer, Compressors, FileMetaData, ParquetParsers, SchemaElement, SchemaTree } from 'hyparquet';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { ColumnBuilder } from './columnBuilder';
import {
  type ColumnSource,
  ColumnarDataset,
  ColumnPlan,
  describeError,
  DiagnosticLog,
  DynamicColumns,
  failedRead,
  flattenInto,
  toCell,
} from './dataset';
import type { DatasetRead, DatasetReadOptions } from './types';

/** Timestamps and dates arrive as ms numbers instead of Date objects (one allocation less per cell). */
const MS_PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (millis: bigint | null | undefined) => (millis == null ? null : Number(millis)),
  timestampFromMicroseconds: (micros: bigint | null | undefined) => (micros == null ? null : Number(micros) / 1e3),
  timestampFromNanoseconds: (nanos: bigint | null | undefined) => (nanos == null ? null : Number(nanos) / 1e6),
  dateFromDays: (days: number | null | undefined) => (days == null ? null : days * 86_400_000),
};

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** What the schema says a top-level primitive column is. */
export function parquetColumnSource(element: SchemaElement): ColumnSource {
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (
    logical === 'TIMESTAMP' ||
    logical === 'DATE' ||
    converted === 'DATE' ||
    converted === 'TIMESTAMP_MILLIS' ||
    converted === 'TIMESTAMP_MICROS' ||
    element.type === 'INT96'
  ) {
    return { type: 'datetime', epochUnit: 'ms' };
  }
  if (logical === 'DECIMAL' || converted === 'DECIMAL' || logical === 'FLOAT16') return { type: 'numerical' };
  if (element.type === 'BOOLEAN') return { type: 'categorical' };
  if (element.type === 'BYTE_ARRAY' || element.type === 'FIXED_LEN_BYTE_ARRAY') {
    return { type: 'categorical', canonicalLabels: false };
  }
  // INT32/INT64/FLOAT/DOUBLE, and TIME of day as a number in its unit
  return { type: 'numerical' };
}

function fileBuffer(handle: fs.FileHandle, byteLength: number, onRead: (bytes: number) => void): AsyncBuffer {
  return {
    byteLength,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = Math.min(end ?? byteLength, byteLength);
      const buffer = new ArrayBuffer(Math.max(0, stop - start));
      const view = new Uint8Array(buffer);
      let filled = 0;
      while (filled < view.length) {
        const { bytesRead } = await handle.read(view, filled, view.length - filled, start + filled);
        if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${start + filled}`);
        filled += bytesRead;
      }
      onRead(filled);
      return buffer;
    },
  };
}

interface PrimitiveColumn {
  readonly name: string;
  readonly builder: ColumnBuilder;
  /** A datetime column declared categorical gets ISO text labels rather than ms numbers. */
  readonly datesAsText: boolean;
  lostPrecision: number;
}

function appendValues(column: PrimitiveColumn, data: ArrayLike<unknown>): void {
  const { builder } = column;
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    if (typeof value === 'number') {
      builder.append(column.datesAsText && Number.isFinite(value) ? new Date(value).toISOString() : value, undefined);
    } else if (typeof value === 'bigint') {
      if (value > MAX_EXACT || value < -MAX_EXACT) {
        const rounded = Number(value);
        if (BigInt(rounded) !== value) column.lostPrecision++;
        builder.append(rounded, undefined);
      } else {
        builder.append(Number(value), undefined);
      }
    } else {
      builder.append(toCell(value), undefined);
    }
  }
}

/**
 * Decompressors beyond hyparquet's built-in Snappy: gzip and Brotli from Node's zlib, and every codec
 * of `hyparquet-compressors` (zstd — pyarrow's common choice besides snappy —, LZ4…). A column chunk in a codec none of these reads is reported, never guessed.
 */
let parquetCompressors: Compressors | undefined;
export function parquetDecompressors(): Compressors {
  if (parquetCompressors) return parquetCompressors;
  const fromNode: Compressors = {
    GZIP: (input) => new Uint8Array(gunzipSync(input)),
    BROTLI: (input) => new Uint8Array(brotliDecompressSync(input)),
  };
  parquetCompressors = { ...fromNode, ...(packageCompressors as Compressors) };
  return parquetCompressors;
}

export async function readParquet(file: string, options: DatasetReadOptions = {}): Promise<DatasetRead> {
  const log = new DiagnosticLog(file, options);
  const signal = options.signal;
  signal?.throwIfAborted();
  let handle: fs.FileHandle;
  let totalBytes: number;
  try {
    handle = await fs.open(file, 'r');
    totalBytes = (await handle.stat()).size;
  } catch (error) {
    log.add({ message: `Cannot read the file: ${describeError(error)}` });
    return failedRead(file, 'parquet', log);
  }
  let bytesRead = 0;
  const asyncBuffer = fileBuffer(handle, totalBytes, (bytes) => {
    bytesRead = Math.min(totalBytes, bytesRead + bytes);
    options.onProgress?.({ bytesRead, totalBytes });
  });
  try {
    let metadata: FileMetaData;
    let schema: SchemaTree;
    try {
      metadata = await parquetMetadataAsync(asyncBuffer, { parsers: MS_PARSERS });
      schema = parquetSchema(metadata);
    } catch (error) {
      log.add({ message: `Not a readable Parquet file: ${describeError(error)}` });
      return failedRead(file, 'parquet', log);
    }
    const plan = new ColumnPlan(options);
    const primitives: PrimitiveColumn[] = [];
    const nestedNames: string[] = [];
    const nested = new DynamicColumns(plan, log);
    for (const child of schema.children) {
      const name = child.element.name;
      const isPrimitive = child.children.length === 0 && child.element.repetition_type !== 'REPEATED';
      if (isPrimitive && plan.includes(name)) {
        const source = parquetColumnSource(child.element);
        const declared = plan.declaredType(name) ?? source.type;
        primitives.push({
          name,
          builder: plan.builder(name, log, source),
          datesAsText: source.type === 'datetime' && declared === 'categorical',
          lostPrecision: 0,
        });
      } else if (!isPrimitive && plan.includesPrefix(name)) {
        nestedNames.push(name);
      }
    }
    const scan = await parquetScan({
      file: asyncBuffer,
      metadata,
      columns: [...primitives.map((column) => column.name), ...nestedNames],
      parsers: MS_PARSERS,
      compressors: parquetDecompressors(),
    });
    let rowCount = 0;
    for (const [groupIndex, range] of scan.ranges.entries()) {
      const rows = range.rowEnd - range.rowStart;
      for (const column of primitives) {
        signal?.throwIfAborted();
        let data: ArrayLike<unknown>;
        try {
          data = await scan.readColumn({ column: column.name, rowStart: range.rowStart, rowEnd: range.rowEnd });
        } catch (error) {
          log.add({ position: `row group ${groupIndex}, column ${column.name}`, message: `Column chunk unreadable; its rows are missing: ${describeError(error)}` });
          data = new Array<null>(rows).fill(null);
        }
        if (data.length !== rows) {
          log.add({ position: `row group ${groupIndex}, column ${column.name}`, message: `Decoded ${data.length} values for ${rows} rows; the difference is read as missing.` });
          data = padOrCut(data, rows);
        }
        appendValues(column, data);
      }
      if (nestedNames.length > 0) {
        const nestedData: ArrayLike<unknown>[] = [];
        for (const name of nestedNames) {
          signal?.throwIfAborted();
          try {
            nestedData.push(await scan.readColumn({ column: name, rowStart: range.rowStart, rowEnd: range.rowEnd }));
          } catch (error) {
            log.add({ position: `row group ${groupIndex}, column ${name}`, message: `Column chunk unreadable; its rows are missing: ${describeError(error)}` });
            nestedData.push([]);
          }
        }
        for (let row = 0; row < rows; row++) {
          nestedNames.forEach((name, index) => flattenInto(name, nestedData[index][row], (leaf, cell) => nested.set(leaf, cell, undefined)));
          nested.endRow();
        }
      }
      rowCount += rows;
    }
    plan.reportAbsent(new Set([...schema.children.map((child) => child.element.name), ...nested.names]), log);
    for (const column of primitives) {
      if (column.lostPrecision > 0) {
        log.add({
          position: `column ${column.name}`,
          message: `${column.lostPrecision} integers beyond ±2^53 were rounded to the nearest double.`,
        });
      }
    }
    const columns = [...primitives.map((column) => column.builder.finish()), ...nested.finish()];
    return { file, format: 'parquet', dataset: new ColumnarDataset(columns, rowCount), diagnostics: log.close(), ok: true };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    log.add({ message: `Reading stopped: ${describeError(error)}` });
    return failedRead(file, 'parquet', log);
  } finally {
    await handle.close();
  }
}

/** A chunk that decoded to the wrong number of rows (a corrupt page) must not shift later rows. */
function padOrCut(data: ArrayLike<unknown>, rows: number): unknown[] {
  const out = new Array<unknown>(rows).fill(null);
  for (let i = 0; i < Math.min(rows, data.length); i++) out[i] = data[i];
  return out;
}
