/**
 * Host-free model of a tabular dataset read for drift analysis: one typed column per feature, sized
 * for millions of rows (no per-cell strings for numbers or timestamps; categories dictionary-encoded).
 */

/** How a column is analysed; 'datetime' columns are time axes, not drift features. */
export type ColumnType = 'numerical' | 'categorical' | 'datetime';

export interface ColumnInfo {
  readonly name: string;
  readonly type: ColumnType;
  /** Cells that were empty or a missing-value token (pandas' defaults: '', 'NA', 'nan', 'null', …). */
  readonly missing: number;
  /** ±inf values kept in a numerical column (Evidently turns them into NaN and drops them). */
  readonly nonFinite: number;
  /** Cells that could not be read as the column's declared type (stored as missing; see the diagnostics). */
  readonly invalid: number;
  /** True when the type came from an override, the timestamp setting or the file's own schema. */
  readonly declared: boolean;
}

export interface NumericalColumn extends ColumnInfo {
  readonly type: 'numerical';
  /** NaN where the value is missing or invalid; ±Infinity as written. */
  readonly values: Float64Array;
}

export interface DatetimeColumn extends ColumnInfo {
  readonly type: 'datetime';
  /** Milliseconds since the epoch (UTC; naive times are read as UTC); NaN where missing. */
  readonly values: Float64Array;
}

export interface CategoricalColumn extends ColumnInfo {
  readonly type: 'categorical';
  /** Index into `categories`; -1 where the value is missing. */
  readonly codes: Int32Array;
  /** Distinct labels in order of first appearance. */
  readonly categories: readonly string[];
}

export type DatasetColumn = NumericalColumn | DatetimeColumn | CategoricalColumn;

export interface Dataset {
  readonly columns: readonly DatasetColumn[];
  readonly rowCount: number;
  column(name: string): DatasetColumn | undefined;
}

/** Something wrong with the input; the offending line/row/value was skipped or read as missing. */
export interface DatasetDiagnostic {
  readonly file: string;
  /** 1-based line of a text file, when the problem is tied to one. */
  readonly line?: number;
  /** Other positions: "byte 4096", "row group 2", "column price". */
  readonly position?: string;
  readonly message: string;
}

export interface ColumnOverrides {
  readonly categorical?: readonly string[];
  readonly numerical?: readonly string[];
  readonly datetime?: readonly string[];
  /** Not read at all. */
  readonly ignore?: readonly string[];
}

/** How numbers in a column declared as datetime are read; 'auto' decides by magnitude (s, ms, µs or ns). */
export type EpochUnit = 'auto' | 's' | 'ms' | 'us' | 'ns';

export interface ReadProgress {
  readonly bytesRead: number;
  readonly totalBytes: number;
}

export interface DatasetReadOptions {
  readonly overrides?: ColumnOverrides;
  /** The time axis: read as datetime whatever the values look like (unparseable cells → missing + diagnostic). */
  readonly timestampColumn?: string;
  /** Read only these columns (Parquet reads only their bytes). Missing names give a diagnostic. */
  readonly columns?: readonly string[];
  /** CSV only; default: ',' ';' or tab, whichever the header line uses most (tab for .tsv). */
  readonly delimiter?: ',' | ';' | '\t' | 'auto';
  /** Non-missing values a column's type is inferred from before the rest streams in (default 10,000). */
  readonly inferenceRows?: number;
  readonly epochUnit?: EpochUnit;
  /** Stored diagnostics are capped (default 1,000); `onDiagnostic` still sees the first ones, then a summary. */
  readonly maxDiagnostics?: number;
  readonly onDiagnostic?: (diagnostic: DatasetDiagnostic) => void;
  readonly onProgress?: (progress: ReadProgress) => void;
  /** Aborting rejects the read with the signal's reason (an AbortError by default). */
  readonly signal?: AbortSignal;
}

export type DatasetFormat = 'csv' | 'jsonl' | 'parquet';

export interface DatasetRead {
  readonly file: string;
  /** 'unknown' only when readDataset did not recognise the extension. */
  readonly format: DatasetFormat | 'unknown';
  readonly dataset: Dataset;
  readonly diagnostics: readonly DatasetDiagnostic[];
  /** False when the file could not be read at all (missing, not the format, no header): the dataset is empty. */
  readonly ok: boolean;
}
