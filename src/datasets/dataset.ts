/** What the three readers share: the dataset object, diagnostics, column selection and declared types. */
import { ColumnBuilder, type Cell } from './columnBuilder';
import type {
  ColumnType,
  Dataset,
  DatasetColumn,
  DatasetDiagnostic,
  DatasetFormat,
  DatasetRead,
  DatasetReadOptions,
  EpochUnit,
} from './types';

export class ColumnarDataset implements Dataset {
  private readonly byName: ReadonlyMap<string, DatasetColumn>;

  constructor(
    readonly columns: readonly DatasetColumn[],
    readonly rowCount: number,
  ) {
    this.byName = new Map(columns.map((column) => [column.name, column]));
  }

  column(name: string): DatasetColumn | undefined {
    return this.byName.get(name);
  }
}

export const EMPTY_DATASET: Dataset = new ColumnarDataset([], 0);

const DEFAULT_MAX_DIAGNOSTICS = 1000;

export class DiagnosticLog {
  readonly list: DatasetDiagnostic[] = [];
  private suppressed = 0;
  private readonly max: number;

  constructor(
    readonly file: string,
    private readonly options: DatasetReadOptions,
  ) {
    this.max = options.maxDiagnostics ?? DEFAULT_MAX_DIAGNOSTICS;
  }

  add(diagnostic: Omit<DatasetDiagnostic, 'file'>): void {
    if (this.list.length >= this.max) {
      this.suppressed++;
      return;
    }
    const full: DatasetDiagnostic = { file: this.file, ...diagnostic };
    this.list.push(full);
    this.options.onDiagnostic?.(full);
  }

  /** Bad files can produce one problem per line: keep the first ones and a count. */
  close(): DatasetDiagnostic[] {
    if (this.suppressed > 0) {
      const summary: DatasetDiagnostic = { file: this.file, message: `${this.suppressed} more problems were not listed.` };
      this.list.push(summary);
      this.options.onDiagnostic?.(summary);
      this.suppressed = 0;
    }
    return this.list;
  }
}

export interface ColumnSource {
  readonly type?: ColumnType;
  readonly canonicalLabels?: boolean;
  readonly epochUnit?: EpochUnit;
}

/** Which columns to read and which types are declared rather than inferred. */
export class ColumnPlan {
  private readonly declared = new Map<string, ColumnType>();
  private readonly ignored: ReadonlySet<string>;
  private readonly wanted: ReadonlySet<string> | undefined;

  constructor(private readonly options: DatasetReadOptions) {
    const overrides = options.overrides ?? {};
    for (const name of overrides.numerical ?? []) this.declared.set(name, 'numerical');
    for (const name of overrides.categorical ?? []) this.declared.set(name, 'categorical');
    for (const name of overrides.datetime ?? []) this.declared.set(name, 'datetime');
    if (options.timestampColumn !== undefined) this.declared.set(options.timestampColumn, 'datetime');
    this.ignored = new Set(overrides.ignore ?? []);
    this.wanted = options.columns ? new Set(options.columns) : undefined;
  }

  includes(name: string): boolean {
    if (this.ignored.has(name)) return false;
    return this.wanted === undefined || this.wanted.has(name) || name === this.options.timestampColumn;
  }

  declaredType(name: string): ColumnType | undefined {
    return this.declared.get(name);
  }

  /** Requested or overridden names the file does not have. */
  reportAbsent(present: ReadonlySet<string>, log: DiagnosticLog): void {
    const named = new Set([...(this.wanted ?? []), ...this.declared.keys()]);
    for (const name of named) {
      if (!present.has(name) && !this.ignored.has(name)) {
        log.add({ position: `column ${name}`, message: `Column "${name}" was requested but the file has no such column.` });
      }
    }
  }

  /** Whether a struct column may hold a wanted dotted column ("a" for "a.b"). */
  includesPrefix(prefix: string): boolean {
    if (this.includes(prefix)) return true;
    if (this.ignored.has(prefix)) return false;
    const wanted = [...(this.wanted ?? []), this.options.timestampColumn ?? ''];
    return wanted.some((name) => name.startsWith(`${prefix}.`));
  }

  /** `source`: what a typed file says about the column; an override still wins. */
  builder(name: string, log: DiagnosticLog, source: ColumnSource = {}): ColumnBuilder {
    const declared = this.declared.get(name);
    return new ColumnBuilder({
      name,
      declared: declared ?? source.type,
      inferenceRows: this.options.inferenceRows,
      epochUnit: declared === undefined || declared === source.type ? (source.epochUnit ?? this.options.epochUnit) : this.options.epochUnit,
      canonicalLabels: source.canonicalLabels ?? true,
      report: (line, message) => log.add({ line, position: line === undefined ? `column ${name}` : undefined, message }),
    });
  }
}

/**
 * Rows whose keys vary (JSON lines, Parquet structs): a column first seen at row n starts with n
 * missing cells, and a row without a key gets a missing cell.
 */
export class DynamicColumns {
  private readonly builders = new Map<string, ColumnBuilder>();
  private readonly touched = new Set<ColumnBuilder>();
  private rows = 0;

  constructor(
    private readonly plan: ColumnPlan,
    private readonly log: DiagnosticLog,
  ) {}

  set(name: string, cell: Cell, line: number | undefined): void {
    if (!this.plan.includes(name)) return;
    let builder = this.builders.get(name);
    if (!builder) {
      builder = this.plan.builder(name, this.log);
      builder.appendMissing(this.rows);
      this.builders.set(name, builder);
    }
    if (this.touched.has(builder)) return; // a key repeated after flattening: the first one wins
    this.touched.add(builder);
    builder.append(cell, line);
  }

  endRow(): void {
    for (const builder of this.builders.values()) {
      if (!this.touched.has(builder)) builder.append(null, undefined);
    }
    this.touched.clear();
    this.rows++;
  }

  get rowCount(): number {
    return this.rows;
  }

  get names(): ReadonlySet<string> {
    return new Set(this.builders.keys());
  }

  finish(): DatasetColumn[] {
    return [...this.builders.values()].map((builder) => builder.finish());
  }
}

/** Nested objects become dotted columns; arrays stay one categorical value (their JSON text). */
export function flattenInto(prefix: string, value: unknown, emit: (name: string, cell: Cell) => void): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Date)) {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      flattenInto(prefix === '' ? key : `${prefix}.${key}`, inner, emit);
    }
    return;
  }
  emit(prefix, toCell(value));
}

export function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return Number(value);
    default:
      if (value instanceof Date) return value.toISOString();
      if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
      return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
  }
}

export function failedRead(file: string, format: DatasetFormat | 'unknown', log: DiagnosticLog): DatasetRead {
  return { file, format, dataset: EMPTY_DATASET, diagnostics: log.close(), ok: false };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether an error is the caller's cancellation rather than a problem with the file. */
export function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error instanceof Error && error.name === 'AbortError');
}

/** pandas' names for duplicate and blank headers: "a", "a.1", "a.2"; "Unnamed: 3". */
export function uniqueHeaderNames(header: readonly string[], log: DiagnosticLog): string[] {
  const seen = new Set<string>();
  return header.map((raw, index) => {
    let name = raw === '' ? `Unnamed: ${index}` : raw;
    if (seen.has(name)) {
      let suffix = 1;
      while (seen.has(`${name}.${suffix}`)) suffix++;
      const renamed = `${name}.${suffix}`;
      log.add({ line: 1, message: `Duplicate column name "${name}" read as "${renamed}".` });
      name = renamed;
    }
    seen.add(name);
    return name;
  });
}
