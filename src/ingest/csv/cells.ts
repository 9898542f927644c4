/**
 * Cell-level conversions shared by the CSV (Lightning, Keras) and DVCLive TSV readers.
 */

// Decimal notation only: Number('0x1f'), Number(' ') and Number('') would accept what no logger writes.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIALS: Readonly<Record<string, number>> = {
  nan: NaN,
  '+nan': NaN,
  '-nan': NaN,
  inf: Infinity,
  '+inf': Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-inf': -Infinity,
  '-infinity': -Infinity,
};

/** The number a cell holds; undefined when it is empty or not a number (Python writes nan, inf, -inf). */
export function parseNumericCell(cell: string): number | undefined {
  const text = cell.trim();
  if (text === '') return undefined;
  if (DECIMAL.test(text)) return Number(text);
  const special = SPECIALS[text.toLowerCase()];
  return special;
}

/** True when the cell has nothing in it: Lightning leaves the other phase's columns empty. */
export function isEmptyCell(cell: string | undefined): boolean {
  return cell === undefined || cell.trim() === '';
}

// Epoch seconds stay below 1e11 until the year 5138; epoch milliseconds passed 1e11 in 1973.
const MILLISECONDS_THRESHOLD = 1e11;

/** A time cell in ms since the epoch: seconds or ms as numbers, or an ISO date; 0 when unreadable. */
export function toEpochMs(cell: string | undefined): number {
  if (cell === undefined) return 0;
  const numeric = parseNumericCell(cell);
  if (numeric !== undefined) {
    if (!Number.isFinite(numeric) || numeric < 0) return 0;
    return Math.round(numeric < MILLISECONDS_THRESHOLD ? numeric * 1000 : numeric);
  }
  const parsed = Date.parse(cell.trim());
  return Number.isNaN(parsed) ? 0 : parsed;
}

/** A step from a cell: logged steps are integers, but some loggers write `3.0`. */
export function parseStepCell(cell: string | undefined): number | undefined {
  if (cell === undefined) return undefined;
  const value = parseNumericCell(cell);
  if (value === undefined || !Number.isFinite(value)) return undefined;
  return Math.round(value);
}

/** Shortens a cell for a diagnostic message. */
export function quoteCell(cell: string): string {
  const shown = cell.length > 40 ? `${cell.slice(0, 40)}…` : cell;
  return JSON.stringify(shown);
}
