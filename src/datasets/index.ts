/** Public surface of the dataset readers (host-free: used by the drift panel, the CLI and tests). */
import path from 'node:path';
import { readCsv } from './csv';
import { DiagnosticLog, failedRead } from './dataset';
import { readJsonl } from './jsonl';
import { readParquet } from './parquet';
import type { DatasetFormat, DatasetRead, DatasetReadOptions } from './types';

export { detectDelimiter, readCsv } from './csv';
export { ColumnarDataset } from './dataset';
export { readJsonl } from './jsonl';
export { parquetColumnSource, readParquet } from './parquet';
export { driftValues, timeWindows, type TimeWindow, type WindowSpec } from './windows';
export { isMissingToken, parseIsoDatetime, parseNumber } from './values';
export type {
  CategoricalColumn,
  ColumnInfo,
  ColumnOverrides,
  ColumnType,
  Dataset,
  DatasetColumn,
  DatasetDiagnostic,
  DatasetFormat,
  DatasetRead,
  DatasetReadOptions,
  DatetimeColumn,
  EpochUnit,
  NumericalColumn,
  ReadProgress,
} from './types';

const FORMAT_BY_EXTENSION: Readonly<Record<string, DatasetFormat>> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.parquet': 'parquet',
  '.pq': 'parquet',
};

export function datasetFormatOf(file: string): DatasetFormat | undefined {
  return FORMAT_BY_EXTENSION[path.extname(file).toLowerCase()];
}

/** Reads a .csv/.tsv/.jsonl/.ndjson/.parquet file; another extension gives a diagnostic and `ok: false`. */
export async function readDataset(file: string, options: DatasetReadOptions = {}): Promise<DatasetRead> {
  switch (datasetFormatOf(file)) {
    case 'csv':
      return readCsv(file, options);
    case 'jsonl':
      return readJsonl(file, options);
    case 'parquet':
      return readParquet(file, options);
    default: {
      const log = new DiagnosticLog(file, options);
      log.add({ message: `Unknown dataset format "${path.extname(file)}": use .csv, .tsv, .jsonl, .ndjson or .parquet.` });
      return failedRead(file, 'unknown', log);
    }
  }
}
