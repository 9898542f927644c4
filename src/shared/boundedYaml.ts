// YAML read within limits, everywhere YAML is read (run folders, configs, registries, the policy).
// Host-free; not for webviews (it uses the `yaml` package).
import { isAlias, isCollection, isPair, parseDocument, type Alias, type Document, type DocumentOptions, type Node, type ParseOptions, type SchemaOptions, type ToJSOptions } from 'yaml';

/**
 * The limits. Real configuration files stay far below them; hostile ones (an alias "billion laughs",
 * 20,000 `<<: *b` merge keys, 50,000 nested `[`) are refused before any walk over them.
 */
export const YAML_LIMITS = {
  /** Characters of YAML text read at all. */
  maxChars: 8 * 1024 * 1024,
  /** Flow collections (`[`, `{`) nested deeper than this are refused before the parser sees them. */
  maxFlowDepth: 64,
  /** Nesting of the parsed document (block and flow). */
  maxDepth: 256,
  /** Alias nodes (`*a`, merge keys `<<: *a` included). */
  maxAliases: 1000,
  /** Nodes the document has once every alias is expanded. */
  maxExpandedNodes: 1_000_000,
} as const;

/** A YAML text beyond a limit: the message names the limit and the figure found. */
export class YamlLimitError extends Error {}

type YamlOptions = ParseOptions & DocumentOptions & SchemaOptions;

/** Alias → the node it names, per document (computed once: `Alias.resolve` visits the whole document each call). */
const aliasTargets = new WeakMap<Document, Map<Alias, Node>>();

/** `parseDocument` after the limits; throws `YamlLimitError` for text beyond them. */
export function parseYamlDocument(text: string, options: YamlOptions = {}): Document.Parsed {
  if (text.length > YAML_LIMITS.maxChars) throw new YamlLimitError(`YAML larger than ${YAML_LIMITS.maxChars} characters (${text.length}): not read`);
  const { flowDepth, aliases } = scanText(text);
  if (flowDepth > YAML_LIMITS.maxFlowDepth) throw new YamlLimitError(`YAML collections nested ${flowDepth} deep (more than ${YAML_LIMITS.maxFlowDepth}): not read`);
  if (aliases > YAML_LIMITS.maxAliases) throw tooManyAliases();
  const document = parseDocument(text, options);
  aliasTargets.set(document, checkExpansion(document));
  return document;
}

/** `YAML.parse` within the limits: the value, or a throw (a YAML error or a `YamlLimitError`). */
export function parseYaml(text: string, options: YamlOptions & ToJSOptions = {}): unknown {
  const document = parseYamlDocument(text, options);
  if (document.errors.length > 0) throw document.errors[0];
  return document.toJS({ maxAliasCount: YAML_LIMITS.maxAliases, ...(options.mapAsMap !== undefined ? { mapAsMap: options.mapAsMap } : {}) });
}

/** The node an alias names, found in constant time in a document read by `parseYamlDocument`. */
export function resolveAlias(document: Document, alias: Alias): Node | undefined {
  const known = aliasTargets.get(document);
  return known ? known.get(alias) : (alias.resolve(document) as Node | undefined);
}

const tooManyAliases = () => new YamlLimitError(`YAML with more than ${YAML_LIMITS.maxAliases} aliases or merge keys: not read`);

/**
 * Deepest nesting of `[`/`{` and the number of aliases (`*a`, `<<`), outside quotes and comments:
 * one linear pass before the parser, which recurses through nested collections (50,000 levels ran
 * it out of stack, more out of memory) and takes quadratic time over thousands of merge keys.
 */
function scanText(text: string): { flowDepth: number; aliases: number } {
  let depth = 0;
  let deepest = 0;
  let aliases = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || (c === "'" && (i === 0 || /[\s[{,:-]/.test(text[i - 1])))) {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === '[' || c === '{') {
      deepest = Math.max(deepest, ++depth);
    } else if ((c === ']' || c === '}') && depth > 0) {
      depth--;
    } else if ((c === '*' || (c === '<' && text[i + 1] === '<')) && (i === 0 || /[\s[{,:]/.test(text[i - 1]))) {
      aliases++;
      if (c === '<') i++;
    }
  }
  return { flowDepth: deepest, aliases };
}

/**
 * One walk in document order: every alias's target (the last anchor of its name before it), the
 * count of aliases, the depth, and the size the document would have with every alias expanded
 * (a node's expanded size is remembered, so a bomb is measured without being expanded).
 */
function checkExpansion(document: Document): Map<Alias, Node> {
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  const sizes = new Map<Node, number>();
  let aliases = 0;
  const sizeOf = (node: unknown, depth: number): number => {
    if (depth > YAML_LIMITS.maxDepth) throw new YamlLimitError(`YAML nested more than ${YAML_LIMITS.maxDepth} deep: not read`);
    if (isPair(node)) return sizeOf(node.key, depth) + sizeOf(node.value, depth);
    if (isAlias(node)) {
      if (++aliases > YAML_LIMITS.maxAliases) throw tooManyAliases();
      const target = anchors.get(node.source);
      if (!target) return 1;
      targets.set(node, target);
      return sizes.get(target) ?? 1; // an alias inside its own anchor: the parser reports it
    }
    let size = 1;
    if (isCollection(node)) for (const item of node.items) size += sizeOf(item, depth + 1);
    if (size > YAML_LIMITS.maxExpandedNodes) throw new YamlLimitError(`YAML whose aliases expand to more than ${YAML_LIMITS.maxExpandedNodes} nodes: not read`);
    const anchored = node as Node;
    if (anchored && typeof anchored === 'object' && anchored.anchor) {
      sizes.set(anchored, size);
      anchors.set(anchored.anchor, anchored);
    }
    return size;
  };
  sizeOf(document.contents, 0);
  return targets;
}
