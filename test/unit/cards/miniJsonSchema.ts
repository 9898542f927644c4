/**
 * A small JSON Schema (draft-07) validator for the keywords the Model Card Toolkit schema uses:
 * type, properties, additionalProperties (false), items, required, oneOf, $ref to its definitions
 * (including the schema's own "#definitions/graphic" spelling), and the formats date and uri.
 * No dependency is added for it; anything else the schema held would be reported, not skipped.
 */
type Schema = Record<string, unknown>;

const HANDLED = new Set(['$schema', '$id', 'title', 'description', 'type', 'properties', 'additionalProperties', 'items', 'required', 'oneOf', '$ref', 'format', 'definitions', 'contentEncoding', 'contentMediaType']);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function validate(root: Schema, value: unknown): string[] {
  const errors: string[] = [];
  const resolve = (ref: string): Schema => {
    const name = /^#\/?definitions\/(.+)$/.exec(ref)?.[1];
    const found = name ? (root.definitions as Record<string, Schema>)[name] : undefined;
    if (!found) throw new Error(`cannot resolve ${ref}`);
    return found;
  };
  const check = (schema: Schema, v: unknown, at: string): void => {
    for (const key of Object.keys(schema)) if (!HANDLED.has(key)) throw new Error(`${at}: keyword ${key} is not handled by this validator`);
    if (typeof schema.$ref === 'string') return check(resolve(schema.$ref), v, at);
    if (typeof schema.type === 'string') {
      const actual = typeOf(v);
      const ok = actual === schema.type || (schema.type === 'number' && actual === 'integer');
      if (!ok) return void errors.push(`${at}: expected ${schema.type}, found ${actual}`);
    }
    if (schema.format === 'date' && typeof v === 'string' && !/^\d{4}-\d{2}-\d{2}$/.test(v)) errors.push(`${at}: not a date: ${v}`);
    if (schema.format === 'uri' && typeof v === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(v)) errors.push(`${at}: not a URI: ${v}`);
    if (Array.isArray(v) && schema.items) v.forEach((item, i) => check(schema.items as Schema, item, `${at}[${i}]`));
    if (typeOf(v) === 'object') {
      const object = v as Record<string, unknown>;
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      for (const [key, inner] of Object.entries(object)) {
        if (properties[key]) check(properties[key], inner, `${at}.${key}`);
        else if (schema.additionalProperties === false) errors.push(`${at}: property ${key} is not allowed`);
      }
      for (const key of (schema.required ?? []) as string[]) if (!(key in object)) errors.push(`${at}: ${key} is required`);
    }
    if (Array.isArray(schema.oneOf)) {
      const passing = schema.oneOf.filter((branch) => validate({ ...(branch as Schema), definitions: root.definitions }, v).length === 0).length;
      if (passing !== 1) errors.push(`${at}: matches ${passing} of the oneOf branches, not exactly 1`);
    }
  };
  check(root, value, '$');
  return errors;
}
