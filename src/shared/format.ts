// One way to write numbers, counts, durations and plurals for people: trees, panels, reports and the
// CLI's text output all use it, so one metric reads the same everywhere. Host-free and DOM-free (the
// webviews import it too). Machine output (JSON, CSV) keeps full precision and does not come here.

/** Significant digits of every metric value shown to a person. */
export const SIGNIFICANT_DIGITS = 4;

export type Notation = 'fixed' | 'exponent';

/** Values this small or large are unreadable in fixed notation. */
function needsExponent(value: number): boolean {
  const abs = Math.abs(value);
  return abs !== 0 && Number.isFinite(abs) && (abs < 1e-4 || abs >= 1e7);
}

/** One notation for a whole column: exponent if any of its values needs it, so a column never mixes them. */
export function columnNotation(values: Iterable<number | null | undefined>): Notation {
  for (const value of values) if (typeof value === 'number' && needsExponent(value)) return 'exponent';
  return 'fixed';
}

function exponent(value: number, digits: number): string {
  // 1.500e-7 → 1.5e-7: trailing zeros of the mantissa say nothing.
  const [mantissa, power] = value.toExponential(digits - 1).split('e');
  const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  return `${trimmed}e${power}`;
}

/**
 * A metric value: `digits` significant digits, no 0.30000000000000004, `—` when there is none;
 * non-finite values as NaN, Infinity, -Infinity (the words the JSON output uses).
 */
export function formatNumber(value: number | null | undefined, options: { digits?: number; notation?: Notation } = {}): string {
  if (value === null || value === undefined) return '—';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  const digits = options.digits ?? SIGNIFICANT_DIGITS;
  const notation = options.notation ?? (needsExponent(value) ? 'exponent' : 'fixed');
  if (notation === 'exponent' && value !== 0) return exponent(value, digits);
  const rounded = Number(value.toPrecision(digits));
  // Number#toString switches to exponents below 1e-6; fixed notation must stay fixed.
  return Math.abs(rounded) < 1e-6 && rounded !== 0 ? rounded.toFixed(20).replace(/0+$/, '') : String(rounded);
}

/** A signed difference (+0.012, −3.4 %) for delta columns. */
export function formatSigned(value: number | null | undefined, suffix = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const text = formatNumber(Math.abs(value));
  return `${value > 0 ? '+' : value < 0 ? '−' : ''}${text}${suffix ? ` ${suffix}` : ''}`;
}

/** A count with thin-space groups of three (12 345 678), exact, never abbreviated. */
export function formatCount(count: number): string {
  if (!Number.isFinite(count)) return String(count);
  const [whole, fraction] = String(Math.abs(count)).split('.');
  const grouped = whole.length <= 4 ? whole : whole.replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
  return `${count < 0 ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/** "1 version", "2 versions", "1 run", "0 runs"; an irregular plural can be given. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`;
}

/** 42s, 3m 5s, 2h 7m, 3d 4h. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}
