/**
 * JSON as wandb writes it. Python's `json.dumps` (allow_nan, the default) writes the bare tokens
 * `NaN`, `Infinity` and `-Infinity`, which `JSON.parse` rejects, and params must keep numbers as
 * written (`1e-08` stays `1e-08`), which `JSON.parse` would round-trip through a double. So this
 * small parser keeps every number's source text and accepts those tokens.
 */

export type JsonValue =
  | { readonly kind: 'number'; readonly raw: string; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'array'; readonly items: JsonValue[]; readonly raw: string }
  | { readonly kind: 'object'; readonly entries: [string, JsonValue][]; readonly raw: string };

const MAX_DEPTH = 256;

export class JsonSyntaxError extends Error {}

/** Parses one JSON text (surrounding whitespace allowed). Throws JsonSyntaxError. */
export function parseJson(text: string): JsonValue {
  const parser = new Parser(text);
  parser.skipSpace();
  const value = parser.value(0);
  parser.skipSpace();
  if (parser.position < text.length) parser.fail('unexpected text after the value');
  return value;
}

/** undefined instead of an exception. */
export function tryParseJson(text: string): JsonValue | undefined {
  try {
    return parseJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return undefined;
    throw error;
  }
}

const SIMPLE_ESCAPES = new Map([['"', '"'], ['\\', '\\'], ['/', '/'], ['b', '\b'], ['f', '\f'], ['n', '\n'], ['r', '\r'], ['t', '\t']]);

class Parser {
  position = 0;

  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new JsonSyntaxError(`${message} at character ${this.position + 1}`);
  }

  skipSpace(): void {
    while (this.position < this.text.length && ' \t\n\r'.includes(this.text[this.position])) this.position++;
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    const c = this.text[this.position];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return { kind: 'string', value: this.string() };
    if (this.text.startsWith('true', this.position)) return this.word('true', { kind: 'bool', value: true });
    if (this.text.startsWith('false', this.position)) return this.word('false', { kind: 'bool', value: false });
    if (this.text.startsWith('null', this.position)) return this.word('null', { kind: 'null' });
    if (this.text.startsWith('NaN', this.position)) return this.word('NaN', { kind: 'number', raw: 'NaN', value: NaN });
    if (this.text.startsWith('Infinity', this.position)) return this.word('Infinity', { kind: 'number', raw: 'Infinity', value: Infinity });
    if (this.text.startsWith('-Infinity', this.position)) return this.word('-Infinity', { kind: 'number', raw: '-Infinity', value: -Infinity });
    return this.number();
  }

  private word<T extends JsonValue>(word: string, value: T): T {
    this.position += word.length;
    return value;
  }

  private number(): JsonValue {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.position, this.position + 400));
    if (match === null || match[0] === '' || match[0] === '-') this.fail('expected a value');
    this.position += match[0].length;
    return { kind: 'number', raw: match[0], value: Number(match[0]) };
  }

  private string(): string {
    this.position++; // opening quote
    let out = '';
    for (;;) {
      const end = this.text.indexOf('"', this.position);
      const backslash = this.text.indexOf('\\', this.position);
      if (end < 0) this.fail('unterminated string');
      if (backslash < 0 || backslash > end) {
        out += this.text.slice(this.position, end);
        this.position = end + 1;
        return out;
      }
      out += this.text.slice(this.position, backslash);
      this.position = backslash + 1;
      const escape = this.text[this.position];
      const simple = escape === undefined ? undefined : SIMPLE_ESCAPES.get(escape);
      if (simple !== undefined) {
        out += simple;
        this.position++;
      } else if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.position + 1, this.position + 5))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.position + 1, this.position + 5), 16));
        this.position += 5;
      } else {
        this.fail('invalid escape in string');
      }
    }
  }

  private array(depth: number): JsonValue {
    const begin = this.position;
    this.position++;
    const items: JsonValue[] = [];
    this.skipSpace();
    if (this.text[this.position] === ']') {
      this.position++;
      return { kind: 'array', items, raw: this.text.slice(begin, this.position) };
    }
    for (;;) {
      this.skipSpace();
      items.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.text[this.position++];
      if (c === ']') return { kind: 'array', items, raw: this.text.slice(begin, this.position) };
      if (c !== ',') {
        this.position--;
        this.fail("expected ',' or ']'");
      }
    }
  }

  private object(depth: number): JsonValue {
    const begin = this.position;
    this.position++;
    const entries: [string, JsonValue][] = [];
    this.skipSpace();
    if (this.text[this.position] === '}') {
      this.position++;
      return { kind: 'object', entries, raw: this.text.slice(begin, this.position) };
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.position] !== '"') this.fail('expected a key');
      const key = this.string();
      this.skipSpace();
      if (this.text[this.position] !== ':') this.fail("expected ':'");
      this.position++;
      this.skipSpace();
      entries.push([key, this.value(depth + 1)]);
      this.skipSpace();
      const c = this.text[this.position++];
      if (c === '}') return { kind: 'object', entries, raw: this.text.slice(begin, this.position) };
      if (c !== ',') {
        this.position--;
        this.fail("expected ',' or '}'");
      }
    }
  }
}

/** A param value as written: strings unquoted, numbers and containers as their source text. */
export function paramText(value: JsonValue): string {
  switch (value.kind) {
    case 'number': return value.raw;
    case 'string': return value.value;
    case 'bool': return value.value ? 'true' : 'false';
    case 'null': return 'null';
    case 'array': return value.raw;
    case 'object': return value.raw;
  }
}

/**
 * Flattens nested objects into dotted keys (W&B shows `{"train": {"loss": 1}}` as `train.loss`).
 * An object with a `_type` (a W&B media or histogram) is a leaf.
 */
export function flattenJson(prefix: string, value: JsonValue, visit: (key: string, leaf: JsonValue) => void, depth = 0): void {
  if (value.kind === 'object' && value.entries.length > 0 && depth < MAX_DEPTH && !value.entries.some(([key]) => key === '_type')) {
    for (const [key, child] of value.entries) flattenJson(prefix === '' ? key : `${prefix}.${key}`, child, visit, depth + 1);
    return;
  }
  visit(prefix, value);
}

/**
 * The number a metric value stands for: JSON numbers (NaN and the infinities included) and, because
 * old wandb wrote some values as strings, strings that hold a number. Anything else is not a metric.
 */
export function metricNumber(value: JsonValue, acceptNumericStrings: boolean): number | undefined {
  if (value.kind === 'number') return value.value;
  if (value.kind === 'string' && acceptNumericStrings) return numericString(value.value);
  return undefined;
}

const SPECIAL_NUMBERS = new Map<string, number>([
  ['nan', NaN], ['+nan', NaN], ['-nan', NaN],
  ['inf', Infinity], ['+inf', Infinity], ['infinity', Infinity], ['+infinity', Infinity],
  ['-inf', -Infinity], ['-infinity', -Infinity],
]);

function numericString(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(trimmed)) return Number(trimmed);
  return SPECIAL_NUMBERS.get(trimmed.toLowerCase());
}
