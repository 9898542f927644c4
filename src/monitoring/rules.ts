/**
 * Alert rules over a metric per time window (host-free): "f1 < 0.92 for 48h" fires when the metric
 * is on the wrong side of the threshold in consecutive windows that together last at least the
 * duration (a window that holds no data breaks nothing and counts nothing).
 */
export type Operator = '<' | '<=' | '>' | '>=';

export interface AlertRule {
  /** A performance metric (f1, accuracy, precision, recall, mae, rmse) or `drift_share`. */
  readonly metric: string;
  readonly operator: Operator;
  readonly threshold: number;
  /** How long the condition must hold, in ms (0: a single window is enough). */
  readonly forMs: number;
  /** The prediction column the rule watches (default: every series). */
  readonly series?: string;
}

export interface Breach {
  readonly rule: AlertRule;
  readonly series: string;
  /** Start of the first window in breach and end of the last one (ms since the epoch). */
  readonly start: number;
  readonly end: number;
  /** The worst value seen during the breach. */
  readonly worst: number;
  readonly windows: number;
}

const RULE_PATTERN = /^\s*([A-Za-z_][\w.]*)\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*(?:for\s+(\d+(?:\.\d+)?)\s*(m|min|h|d|w)?)?\s*$/i;
/** Longer than any rule: refused as unreadable before the pattern sees it. */
const MAX_RULE_CHARS = 10_000;
const UNIT_MS: Record<string, number> = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses "f1 < 0.92 for 48h" (duration optional; units m, h, d, w; hours by default). */
export function parseRule(text: string): AlertRule | string {
  // Whitespace runs collapsed first: around its optional parts the pattern backtracked quadratically over long runs.
  const match = text.length > MAX_RULE_CHARS ? null : RULE_PATTERN.exec(text.replace(/\s+/g, ' '));
  if (!match) return `cannot read the rule "${text.length > 80 ? `${text.slice(0, 80)}…` : text}": write e.g. "f1 < 0.92 for 48h" or "drift_share >= 0.5"`;
  const [, metric, operator, threshold, duration, unit] = match;
  return { metric, operator: operator as Operator, threshold: Number(threshold), forMs: duration ? Number(duration) * UNIT_MS[(unit ?? 'h').toLowerCase()] : 0 };
}

export function formatRule(rule: AlertRule): string {
  const hours = rule.forMs / 3_600_000;
  return `${rule.metric} ${rule.operator} ${rule.threshold}${rule.forMs > 0 ? ` for ${Number.isInteger(hours) ? `${hours}h` : `${rule.forMs / 60_000}m`}` : ''}`;
}

export function violates(operator: Operator, value: number, threshold: number): boolean {
  switch (operator) {
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
  }
}

/**
 * The breaches of one rule over one series: maximal runs of consecutive windows (adjacent in time)
 * that violate the threshold and last at least `forMs`. NaN values (no data) end a run.
 */
export function evaluateRule(rule: AlertRule, windows: readonly { readonly start: number; readonly end: number }[], values: readonly number[], series = ''): Breach[] {
  const breaches: Breach[] = [];
  let runStart = -1;
  let worst = NaN;
  const close = (last: number) => {
    if (runStart < 0) return;
    const start = windows[runStart].start;
    const end = windows[last].end;
    if (end - start >= rule.forMs) breaches.push({ rule, series, start, end, worst, windows: last - runStart + 1 });
    runStart = -1;
  };
  for (let i = 0; i < windows.length; i++) {
    const value = values[i];
    const bad = Number.isFinite(value) && violates(rule.operator, value, rule.threshold);
    const adjacent = i > 0 && windows[i - 1].end === windows[i].start;
    if (bad && runStart >= 0 && adjacent) {
      worst = rule.operator.startsWith('<') ? Math.min(worst, value) : Math.max(worst, value);
      continue;
    }
    close(i - 1);
    if (bad) {
      runStart = i;
      worst = value;
    }
  }
  close(windows.length - 1);
  return breaches;
}
