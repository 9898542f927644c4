// One CSV cell as every export writes it (comparison panel, runs table): host-free, no imports, so
// webview code may use it too.

/** Text that is a plain number: left as it is (a leading `-` or `+` there is a sign, not a formula). */
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** First characters that make a spreadsheet read a cell as a formula (or, for tab and CR, hide one after them). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A spreadsheet opening the CSV must not run what a run file wrote (`=HYPERLINK(…)`,
 * `=cmd|' /C calc'!A0`): text starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, which
 * spreadsheets show as text (OWASP's advice). Numbers such as `-0.5` are unchanged.
 */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, and quotes inside are doubled. */
export function quoteCsvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A cell of an exported CSV: formula-neutralised, then quoted as RFC 4180 asks. */
export function csvCell(value: string): string {
  return quoteCsvField(neutraliseFormula(value));
}
