/**
 * Builds one typed column from a stream of cells. A column whose type is not declared buffers its
 * first values (10,000 non-missing by default), infers the type from them, and is promoted to
 * categorical in place if a later value contradicts the inference — so a file is read in one pass,
 * and no string is kept per cell of a numerical or datetime column.
 */
import type { CategoricalColumn, ColumnType, DatasetColumn, DatetimeColumn, EpochUnit, NumericalColumn } from './types';
import {
  booleanLabel,
  epochToMs,
  guessEpochUnit,
  isMissingToken,
  numberLabel,
  parseBoolean,
  parseIsoDatetime,
  parseNumber,
} from './values';

/** A cell as a reader hands it over: text from CSV, typed values from JSON or Parquet. */
export type Cell = string | number | boolean | null | undefined;

export const DEFAULT_INFERENCE_ROWS = 10_000;
/** Per column: the first few unreadable cells are reported one by one, the rest as a count. */
const REPORTED_INVALID_CELLS = 5;

class GrowableFloat64 {
  private data = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  at(index: number): number {
    return this.data[index];
  }

  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

class GrowableInt32 {
  private data = new Int32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

export interface ColumnBuilderSettings {
  readonly name: string;
  /** From an override, the timestamp setting or the file's schema: never inferred, never promoted. */
  readonly declared?: ColumnType;
  readonly inferenceRows?: number;
  readonly epochUnit?: EpochUnit;
  /**
   * Categorical labels of numeric or boolean text are canonical ("1.0" and "1" are one category).
   * Off for columns a typed file declares as strings: their text is the value.
   */
  readonly canonicalLabels?: boolean;
  readonly report: (line: number | undefined, message: string) => void;
}

type CellKind = 'number' | 'boolean' | 'datetime' | 'text';

function isMissingCell(cell: Cell): boolean {
  if (cell === null || cell === undefined) return true;
  if (typeof cell === 'string') return isMissingToken(cell);
  return typeof cell === 'number' && Number.isNaN(cell);
}

function kindOf(cell: string | number | boolean): CellKind {
  if (typeof cell === 'number') return 'number';
  if (typeof cell === 'boolean') return 'boolean';
  if (!Number.isNaN(parseNumber(cell))) return 'number';
  if (parseBoolean(cell) !== undefined) return 'boolean';
  if (!Number.isNaN(parseIsoDatetime(cell))) return 'datetime';
  return 'text';
}

/** The type pandas + Evidently would give a column whose non-missing values are of these kinds. */
function inferType(kinds: ReadonlySet<CellKind>): ColumnType {
  if (kinds.size === 0) return 'numerical'; // an all-missing column is float64 NaN in pandas
  if (kinds.size === 1) {
    if (kinds.has('number')) return 'numerical';
    if (kinds.has('datetime')) return 'datetime';
  }
  return 'categorical';
}

function isoLabel(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}

export class ColumnBuilder {
  private type: ColumnType | 'pending';
  private pending: Cell[] = [];
  private pendingValues = 0;
  private floats = new GrowableFloat64();
  private codes = new GrowableInt32();
  private readonly dictionary = new Map<string, number>();
  private readonly categories: string[] = [];
  /** Set after a promotion from datetime, so later dates get the same labels as the earlier ones. */
  private datesAsLabels = false;
  private epochUnit: Exclude<EpochUnit, 'auto'> | undefined;
  private missing = 0;
  private nonFinite = 0;
  private invalid = 0;
  private rows = 0;

  constructor(private readonly settings: ColumnBuilderSettings) {
    this.type = settings.declared ?? 'pending';
    const unit = settings.epochUnit ?? 'auto';
    this.epochUnit = unit === 'auto' ? undefined : unit;
  }

  get name(): string {
    return this.settings.name;
  }

  get length(): number {
    return this.rows;
  }

  appendMissing(count: number): void {
    for (let i = 0; i < count; i++) this.append(null, undefined);
  }

  append(cell: Cell, line: number | undefined): void {
    this.rows++;
    switch (this.type) {
      case 'pending':
        this.pending.push(cell);
        if (!isMissingCell(cell) && ++this.pendingValues >= (this.settings.inferenceRows ?? DEFAULT_INFERENCE_ROWS)) {
          this.resolvePending();
        }
        return;
      case 'numerical':
        this.appendNumerical(cell, line);
        return;
      case 'datetime':
        this.appendDatetime(cell, line);
        return;
      case 'categorical':
        this.appendCategorical(cell);
        return;
    }
  }

  finish(): DatasetColumn {
    if (this.type === 'pending') this.resolvePending();
    if (this.invalid > REPORTED_INVALID_CELLS) {
      this.settings.report(
        undefined,
        `Column "${this.name}": ${this.invalid} values in all could not be read as ${this.type} and are treated as missing.`,
      );
    }
    const info = {
      name: this.name,
      missing: this.missing,
      nonFinite: this.nonFinite,
      invalid: this.invalid,
      declared: this.settings.declared !== undefined,
    };
    if (this.type === 'categorical') {
      const column: CategoricalColumn = { ...info, type: 'categorical', codes: this.codes.toArray(), categories: this.categories };
      return column;
    }
    if (this.type === 'datetime') {
      const column: DatetimeColumn = { ...info, type: 'datetime', values: this.floats.toArray() };
      return column;
    }
    const column: NumericalColumn = { ...info, type: 'numerical', values: this.floats.toArray() };
    return column;
  }

  private resolvePending(): void {
    const kinds = new Set<CellKind>();
    for (const cell of this.pending) {
      if (!isMissingCell(cell)) kinds.add(kindOf(cell as string | number | boolean));
    }
    this.type = inferType(kinds);
    const buffered = this.pending;
    this.pending = [];
    this.rows -= buffered.length;
    for (const cell of buffered) this.append(cell, undefined);
  }

  private reportInvalid(line: number | undefined, cell: Cell, expected: string): void {
    this.invalid++;
    if (this.invalid <= REPORTED_INVALID_CELLS) {
      this.settings.report(line, `Column "${this.name}": ${JSON.stringify(cell)} is not ${expected}; treated as missing.`);
    }
  }

  private pushNumber(value: number): void {
    if (!Number.isFinite(value)) this.nonFinite++;
    this.floats.push(value);
  }

  private appendNumerical(cell: Cell, line: number | undefined): void {
    if (isMissingCell(cell)) {
      this.missing++;
      this.floats.push(NaN);
      return;
    }
    if (typeof cell === 'number') {
      this.pushNumber(cell);
      return;
    }
    const parsed = typeof cell === 'string' ? parseNumber(cell) : NaN;
    if (!Number.isNaN(parsed)) {
      this.pushNumber(parsed);
      return;
    }
    if (this.settings.declared === undefined) {
      this.promoteToCategorical();
      this.appendCategorical(cell);
      return;
    }
    if (typeof cell === 'boolean') {
      // pandas' astype(float) of a bool column
      this.floats.push(cell ? 1 : 0);
      return;
    }
    this.reportInvalid(line, cell, 'a number');
    this.floats.push(NaN);
  }

  private epochMs(value: number): number {
    this.epochUnit ??= guessEpochUnit(value);
    return epochToMs(value, this.epochUnit);
  }

  private appendDatetime(cell: Cell, line: number | undefined): void {
    if (isMissingCell(cell)) {
      this.missing++;
      this.floats.push(NaN);
      return;
    }
    if (typeof cell === 'string') {
      const ms = parseIsoDatetime(cell);
      if (!Number.isNaN(ms)) {
        this.floats.push(ms);
        return;
      }
    }
    if (this.settings.declared === undefined) {
      this.promoteToCategorical();
      this.appendCategorical(cell);
      return;
    }
    const epoch = typeof cell === 'number' ? cell : typeof cell === 'string' ? parseNumber(cell) : NaN;
    if (Number.isFinite(epoch)) {
      this.floats.push(this.epochMs(epoch));
      return;
    }
    this.reportInvalid(line, cell, 'an ISO-8601 date/time or an epoch number');
    this.floats.push(NaN);
  }

  private code(label: string): number {
    let code = this.dictionary.get(label);
    if (code === undefined) {
      code = this.categories.length;
      this.categories.push(label);
      this.dictionary.set(label, code);
    }
    return code;
  }

  private labelOf(cell: string | number | boolean): string {
    if (typeof cell === 'number') return numberLabel(cell);
    if (typeof cell === 'boolean') return booleanLabel(cell);
    if (this.settings.canonicalLabels === false) return cell;
    const asNumber = parseNumber(cell);
    if (!Number.isNaN(asNumber)) return numberLabel(asNumber);
    const asBoolean = parseBoolean(cell);
    if (asBoolean !== undefined) return booleanLabel(asBoolean);
    if (this.datesAsLabels) {
      const ms = parseIsoDatetime(cell);
      if (!Number.isNaN(ms)) return isoLabel(ms);
    }
    return cell;
  }

  private appendCategorical(cell: Cell): void {
    if (isMissingCell(cell)) {
      this.missing++;
      this.codes.push(-1);
      return;
    }
    this.codes.push(this.code(this.labelOf(cell as string | number | boolean)));
  }

  /** Earlier values get the labels they would have had as text, so the column stays consistent. */
  private promoteToCategorical(): void {
    const wasDatetime = this.type === 'datetime';
    const floats = this.floats;
    this.type = 'categorical';
    this.floats = new GrowableFloat64();
    this.nonFinite = 0;
    this.datesAsLabels = wasDatetime;
    for (let i = 0; i < floats.length; i++) {
      const value = floats.at(i);
      if (Number.isNaN(value)) this.codes.push(-1);
      else this.codes.push(this.code(wasDatetime ? isoLabel(value) : numberLabel(value)));
    }
  }
}
