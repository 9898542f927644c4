// One CSV field that a spreadsheet cannot run: a value starting with =, +, -, @, tab or CR is a formula to
// Excel, LibreOffice and Google Sheets (OWASP "CSV injection"), so it gets a leading apostrophe, which
// they show as text. Then RFC 4180 quoting (comma, quote, CR, LF).
import { csvField } from '../compare/exportFormats';

const FORMULA_START = /^[=+\-@\t\r]/;

export function safeCsvCell(value: string): string {
  return csvField(FORMULA_START.test(value) ? `'${value}` : value);
}
