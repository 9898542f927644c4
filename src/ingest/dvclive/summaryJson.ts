/**
 * DVC metrics files (`metrics.json` of DVCLive or of a pipeline, also YAML ones): nested objects of
 * numbers, flattened to `a/b/c` (DVCLive's own names for nested metrics). Python's json module writes
 * NaN, Infinity and -Infinity bare, which JSON.parse rejects: they are read as numbers here.
 */
import { parseYaml } from '../../shared/boundedYaml';

export interface FlatMetrics {
  /** Numeric leaves by flattened name (NaN and ±Infinity included). */
  readonly values: Map<string, number>;
  /** The top-level `step`, when numeric (DVCLive writes the last step there). */
  readonly step: number | undefined;
}

const SPECIAL_MARK = '\u0000special:';
const MAX_DEPTH = 32;

/** Throws a SyntaxError (with the parser's message) for text that is not JSON. */
export function parseMetricsJson(text: string): unknown {
  return JSON.parse(markBareSpecials(text), (_key, value: unknown) => {
    if (typeof value === 'string' && value.startsWith(SPECIAL_MARK)) return Number(value.slice(SPECIAL_MARK.length));
    return value;
  });
}

/** Throws for YAML errors. */
export function parseMetricsYaml(text: string): unknown {
  return parseYaml(text, { prettyErrors: false }) as unknown;
}

/** Numeric leaves of a parsed metrics document; top-level `step` and `timestamp` are axes, not metrics. */
export function flattenMetrics(document: unknown): FlatMetrics {
  const values = new Map<string, number>();
  let step: number | undefined;
  if (isObject(document)) {
    const rawStep = document.step;
    if (typeof rawStep === 'number' && Number.isFinite(rawStep)) step = Math.round(rawStep);
    const visit = (node: Record<string, unknown>, prefix: string, depth: number): void => {
      if (depth > MAX_DEPTH) return;
      for (const [key, value] of Object.entries(node)) {
        if (prefix === '' && (key === 'step' || key === 'timestamp')) continue;
        const name = prefix === '' ? key : `${prefix}/${key}`;
        if (typeof value === 'number') values.set(name, value);
        else if (isObject(value)) visit(value, name, depth + 1);
      }
    };
    visit(document, '', 0);
  }
  return { values, step };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rewrites bare NaN / Infinity / -Infinity (outside strings) as marked strings for the reviver. */
function markBareSpecials(text: string): string {
  if (!/NaN|Infinity/.test(text)) return text;
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      out += char;
      if (char === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (char === '"') {
        inString = false;
      }
      continue;
    }
    if (char === '"') {
      inString = true;
      out += char;
      continue;
    }
    const special = ['-Infinity', 'Infinity', 'NaN'].find((token) => text.startsWith(token, i));
    if (special !== undefined) {
      out += JSON.stringify(SPECIAL_MARK + special);
      i += special.length - 1;
      continue;
    }
    out += char;
  }
  return out;
}
