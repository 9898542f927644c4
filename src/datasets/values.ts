/**
 * Reading single cells the way pandas' `read_csv` does by default, so that a file gives the same
 * columns here as in the notebook that produced Evidently's reference numbers.
 */
import type { EpochUnit } from './types';

/** pandas' default `na_values` (STR_NA_VALUES), matched exactly (no trimming), plus the empty cell. */
const MISSING_TOKENS = new Set([
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN',
  '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
]);

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)(?:inf|infinity)$/i;
const TRUE_TOKENS = new Set(['True', 'TRUE', 'true']);
const FALSE_TOKENS = new Set(['False', 'FALSE', 'false']);
const ISO_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

const LONGEST_MISSING_TOKEN = 8;

export function isMissingToken(text: string): boolean {
  return text.length <= LONGEST_MISSING_TOKEN && MISSING_TOKENS.has(text);
}

/** A decimal, exponent or inf token (surrounding blanks allowed, as pandas' C parser does); NaN otherwise. */
export function parseNumber(text: string): number {
  // Fast path for plain numbers; Number() alone would also accept '', '0x1f', '0b1' and '0o7'.
  const first = text.charCodeAt(0);
  if ((first >= 48 && first <= 57) || first === 45 || first === 43 || first === 46) {
    const second = text.charCodeAt(1) | 0x20;
    if (!(first === 48 && (second === 0x78 || second === 0x62 || second === 0x6f))) {
      const value = Number(text);
      if (!Number.isNaN(value)) return value;
    }
  }
  const trimmed = text.length > 0 && (text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32) ? text.trim() : text;
  if (DECIMAL.test(trimmed)) return Number(trimmed);
  const inf = INFINITY.exec(trimmed);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  return NaN;
}

export function parseBoolean(text: string): boolean | undefined {
  if (TRUE_TOKENS.has(text)) return true;
  if (FALSE_TOKENS.has(text)) return false;
  return undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

/**
 * ISO-8601 date or date-time → ms since the epoch; NaN if it is not one. Times without an offset are
 * read as UTC (pandas keeps them naive; UTC keeps day windows independent of the machine's zone).
 */
export function parseIsoDatetime(text: string): number {
  if (text.length < 10 || text.length > 40) return NaN;
  const match = ISO_DATETIME.exec(text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32 ? text.trim() : text);
  if (!match) return NaN;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = match[4] === undefined ? 0 : Number(match[4]);
  const minute = match[5] === undefined ? 0 : Number(match[5]);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  const fractionMs = match[7] === undefined ? 0 : Number(`0.${match[7]}`) * 1000;
  let offsetMinutes = 0;
  const zone = match[8];
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const zoneHours = Number(digits.slice(0, 2));
    const zoneMinutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (zoneHours > 23 || zoneMinutes > 59) return NaN;
    offsetMinutes = sign * (zoneHours * 60 + zoneMinutes);
  }
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
  return seconds * 1000 + fractionMs - offsetMinutes * 60_000;
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const UNIT_MS: Record<Exclude<EpochUnit, 'auto'>, number> = { s: 1000, ms: 1, us: 1e-3, ns: 1e-6 };

/** Picks the unit an epoch number is most plausibly in, for dates between 1973 and 5138. */
export function guessEpochUnit(value: number): Exclude<EpochUnit, 'auto'> {
  const magnitude = Math.abs(value);
  if (magnitude < 1e11) return 's';
  if (magnitude < 1e14) return 'ms';
  if (magnitude < 1e17) return 'us';
  return 'ns';
}

export function epochToMs(value: number, unit: Exclude<EpochUnit, 'auto'>): number {
  return value * UNIT_MS[unit];
}

/**
 * The label a number gets in a categorical column: one label per value, so 1, 1.0 and 1e0 are one
 * category (as they are once pandas has read the column as float).
 */
export function numberLabel(value: number): string {
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}

export function booleanLabel(value: boolean): string {
  return value ? 'True' : 'False';
}
