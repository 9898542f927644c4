/**
 * Gate expressions of a promotion policy: `SUBJECT OP THRESHOLD`.
 *
 *   accuracy >= 0.9
 *   val_loss <= production.val_loss * 1.02
 *   eval/f1-macro > current.eval/f1-macro - 0.01
 *   "val acc" != 0                    (in YAML the whole expression is then quoted: '"val acc" != 0')
 *
 * - SUBJECT: a metric name of the candidate. Unquoted names start with a letter or `_` and run on over
 *   letters, digits and `_ . / -` (so `val-loss-0.1` is one name: put spaces around arithmetic).
 *   Any other name goes in "double" or 'single' quotes.
 * - OP: `<` `<=` `>` `>=` `==` `!=`.
 * - THRESHOLD: a finite number, or `production.<metric>` (the version now in Production) or
 *   `current.<metric>` (the version now in the target stage), optionally followed by `* n`, `+ n` or `- n`.
 *
 * Parsed by hand into data; nothing is ever evaluated as code.
 */

export const COMPARISON_OPERATORS = ['<', '<=', '>', '>=', '==', '!='] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export const HOLDERS = ['production', 'current'] as const;
/** Whose metric a relative threshold reads: the Production holder, or the holder of the target stage. */
export type Holder = (typeof HOLDERS)[number];

export type Threshold =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'relative'; readonly holder: Holder; readonly metric: string; readonly arithmetic?: { readonly op: '*' | '+' | '-'; readonly operand: number } };

export interface Comparison {
  readonly subject: string;
  readonly operator: ComparisonOperator;
  readonly threshold: Threshold;
  /** The expression as written (trimmed). */
  readonly text: string;
}

/** Offsets are into the expression text given to `parseComparison`, end exclusive. */
export interface ExpressionError {
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

type Token =
  | { kind: 'name'; text: string; start: number; end: number }
  | { kind: 'quoted'; text: string; start: number; end: number }
  | { kind: 'number'; text: string; value: number; start: number; end: number }
  | { kind: 'op'; text: string; start: number; end: number }
  | { kind: 'end'; text: ''; start: number; end: number };

const NAME_START = /[\p{L}_]/u;
const NAME_PART = /[\p{L}\p{N}_./-]/u;
/** Sticky: matched at `lastIndex`, so no copy of the rest of the text per token. */
const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const OPERATOR_TEXT = ['<=', '>=', '==', '!=', '=>', '=<', '<', '>', '*', '+', '-', '='];

function tokenize(text: string): { tokens: Token[]; error?: ExpressionError } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) return { tokens, error: { message: `unterminated quoted name: add the closing ${c}`, start: i, end: text.length } };
      if (close === i + 1) return { tokens, error: { message: 'an empty metric name', start: i, end: close + 1 } };
      tokens.push({ kind: 'quoted', text: text.slice(i + 1, close), start: i, end: close + 1 });
      i = close + 1;
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(text);
    if (number) {
      const value = Number(number[0]);
      if (!Number.isFinite(value)) return { tokens, error: { message: `${number[0]} is not a finite number`, start: i, end: i + number[0].length } };
      tokens.push({ kind: 'number', text: number[0], value, start: i, end: i + number[0].length });
      i += number[0].length;
      continue;
    }
    if (NAME_START.test(c)) {
      let j = i + 1;
      while (j < text.length && NAME_PART.test(text[j])) j++;
      tokens.push({ kind: 'name', text: text.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    const operator = OPERATOR_TEXT.find((op) => text.startsWith(op, i));
    if (operator) {
      tokens.push({ kind: 'op', text: operator, start: i, end: i + operator.length });
      i += operator.length;
      continue;
    }
    return { tokens, error: { message: `unexpected character ${JSON.stringify(c)}`, start: i, end: i + 1 } };
  }
  tokens.push({ kind: 'end', text: '', start: text.length, end: text.length });
  return { tokens };
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the expression' : `"${token.text}"`;
}

/** Parses `SUBJECT OP THRESHOLD`; on failure, says where and why. */
export function parseComparison(source: string): { comparison?: Comparison; error?: ExpressionError } {
  const { tokens, error } = tokenize(source);
  if (error) return { error };
  let at = 0;
  const next = () => tokens[at];
  // At the end of the text, point at its last character: an editor cannot underline past it.
  const fail = (token: Token, message: string) =>
    token.kind === 'end' ? { error: { message, start: Math.max(0, source.trimEnd().length - 1), end: source.trimEnd().length } } : { error: { message, start: token.start, end: token.end } };

  const subjectToken = next();
  if (subjectToken.kind === 'end') return fail(subjectToken, 'an empty expression: write one like `accuracy >= 0.9`');
  if (subjectToken.kind !== 'name' && subjectToken.kind !== 'quoted') {
    return fail(subjectToken, `expected a metric name first, found ${describe(subjectToken)} (the form is \`metric OP threshold\`, e.g. \`accuracy >= 0.9\`)`);
  }
  if (subjectToken.kind === 'name' && HOLDERS.some((h) => subjectToken.text.startsWith(`${h}.`))) {
    return fail(subjectToken, `the left side is the candidate's metric; put ${subjectToken.text.split('.')[0]}.* on the right (e.g. \`val_loss <= production.val_loss\`)`);
  }
  at++;

  const operatorToken = next();
  if (operatorToken.kind !== 'op' || !(COMPARISON_OPERATORS as readonly string[]).includes(operatorToken.text)) {
    const hint =
      operatorToken.text === '=' ? 'use == to compare for equality'
      : operatorToken.text === '=>' || operatorToken.text === '=<' ? `write ${operatorToken.text[1]}= (not ${operatorToken.text})`
      : `expected one of ${COMPARISON_OPERATORS.join(' ')} after the metric name, found ${describe(operatorToken)}`;
    return fail(operatorToken, hint);
  }
  const operator = operatorToken.text as ComparisonOperator;
  at++;

  const thresholdResult = parseThreshold();
  if ('error' in thresholdResult) return { error: thresholdResult.error };
  const trailing = next();
  if (trailing.kind !== 'end') return fail(trailing, `unexpected ${describe(trailing)} after the threshold`);
  return { comparison: { subject: subjectToken.text, operator, threshold: thresholdResult.threshold, text: source.trim() } };

  function signedNumber(): { value: number } | { error: ExpressionError } {
    let sign = 1;
    let token = next();
    if (token.kind === 'op' && (token.text === '-' || token.text === '+')) {
      sign = token.text === '-' ? -1 : 1;
      at++;
      token = next();
    }
    if (token.kind !== 'number') return fail(token, `expected a number, found ${describe(token)}`);
    at++;
    return { value: sign * token.value };
  }

  function parseThreshold(): { threshold: Threshold } | { error: ExpressionError } {
    const token = next();
    if (token.kind === 'end') return fail(token, `a threshold is missing after ${operator}: a number or production.<metric>`);
    if (token.kind === 'number' || (token.kind === 'op' && (token.text === '-' || token.text === '+'))) {
      const n = signedNumber();
      return 'error' in n ? n : { threshold: { kind: 'number', value: n.value } };
    }
    if (token.kind === 'name') {
      const holder = HOLDERS.find((h) => token.text.startsWith(`${h}.`));
      if (!holder) {
        return fail(token, `the threshold ${describe(token)} is not a number: write a number (e.g. 0.9), or production.<metric> / current.<metric> to compare with the version now in that stage`);
      }
      let metric = token.text.slice(holder.length + 1);
      at++;
      if (metric === '') {
        // `production."val acc"`: the name is quoted right after the dot
        const quoted = next();
        if (quoted.kind !== 'quoted' || quoted.start !== token.end) return fail(token, `a metric name is missing after ${holder}.`);
        metric = quoted.text;
        at++;
      }
      const arithmeticToken = next();
      if (arithmeticToken.kind === 'op' && (arithmeticToken.text === '*' || arithmeticToken.text === '+' || arithmeticToken.text === '-')) {
        at++;
        const operand = signedNumber();
        if ('error' in operand) return operand;
        return { threshold: { kind: 'relative', holder, metric, arithmetic: { op: arithmeticToken.text, operand: operand.value } } };
      }
      return { threshold: { kind: 'relative', holder, metric } };
    }
    return fail(token, `the threshold ${describe(token)} is not a number: write a number, or production.<metric> / current.<metric>`);
  }
}

export function compare(value: number, operator: ComparisonOperator, threshold: number): boolean {
  switch (operator) {
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

/**
 * The threshold's value; for a relative one, `metricOf(holder, metric)` reads the holder's metric
 * (undefined: no holder, or it lacks the metric).
 */
export function resolveThreshold(threshold: Threshold, metricOf: (holder: Holder, metric: string) => number | undefined): number | undefined {
  if (threshold.kind === 'number') return threshold.value;
  const base = metricOf(threshold.holder, threshold.metric);
  if (base === undefined || !Number.isFinite(base)) return undefined;
  if (!threshold.arithmetic) return base;
  const { op, operand } = threshold.arithmetic;
  return op === '*' ? base * operand : op === '+' ? base + operand : base - operand;
}

/** A short, stable rendering of a number for reasons and tables (no 0.30000000000000004). */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}
