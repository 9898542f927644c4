/**
 * Params from a YAML map (Lightning's `hparams.yaml`, DVC's `params.yaml`, DVCLive's `params.yaml`),
 * flattened to `name → value as written`.
 *
 * - Values keep their source text: `1e-08` stays "1e-08" (YAML 1.1 reads it as a string, 1.2 as a
 *   float; the file is the only truth both agree on), `2.0e-4` stays "2.0e-4", `yes` stays "yes".
 *   Quoted and block scalars give their string content. Sequences and tagged or empty maps are
 *   rendered inline (`[0.9, 0.999]`, `{}`).
 * - Lightning dumps hparams with PyYAML's full dumper, so Python-only tags
 *   (`!!python/name:torch.optim.adam.Adam ''`, `!!python/object:...`) are common and a safe loader
 *   rejects the whole file for one of them. The `yaml` package's Document API only warns about an
 *   unknown tag; such a value is kept as its written form with the tag in front (the same form the
 *   TensorBoard importer gives the same file), and one warning names the tags.
 * - Nested names are joined with the separator the tool itself uses when it shows them: '/' for
 *   Lightning (its loggers flatten hparams with '/'), '.' for DVC (`dvc params diff`, `dvc exp show`
 *   and dvc.yaml's `params:` references say `train.lr`).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Scalar } from 'yaml';
import { parseYamlDocument, resolveAlias } from '../../shared/boundedYaml';
import type { Document, Node as YamlNode, YAMLError } from 'yaml';
import type { Problem } from './problems';

export interface YamlParams {
  readonly params: Record<string, string>;
  readonly problems: Problem[];
}

const MAX_DEPTH = 32;
const CORE_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq', 'binary', 'omap', 'pairs', 'set', 'timestamp', 'merge'].map((name) => `tag:yaml.org,2002:${name}`),
);

/** Never throws: a broken file gives the params that could be read and problems. */
export function flattenYamlParams(text: string, separator: '/' | '.', fileName: string): YamlParams {
  const params: Record<string, string> = {};
  const problems: Problem[] = [];
  try {
    const lineCounter = new LineCounter();
    const document = parseYamlDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
    const lineOf = (issue: YAMLError): number => issue.linePos?.[0].line ?? lineCounter.linePos(issue.pos[0]).line;
    for (const error of document.errors) {
      problems.push({ severity: 'error', message: `${fileName}: ${firstLine(error.message)}; the rest of the file is kept`, line: lineOf(error) });
    }
    const unresolvedTags: string[] = [];
    for (const warning of document.warnings) {
      if (warning.code === 'TAG_RESOLVE_FAILED') unresolvedTags.push(`line ${lineOf(warning)}`);
      else problems.push({ severity: 'warning', message: `${fileName}: ${firstLine(warning.message)}`, line: lineOf(warning) });
    }
    const root = document.contents;
    if (root !== null && !(isScalar(root) && root.value === null)) {
      if (isMap(root)) {
        flatten(root, '', separator, text, document, params, 0);
      } else {
        problems.push({ severity: 'error', message: `${fileName} is not a map of names to values: no params taken from it`, line: 1 });
      }
    }
    if (unresolvedTags.length > 0) {
      const tags = new Set<string>();
      collectUnresolvedTags(document.contents, document, tags, 0);
      problems.push({
        severity: 'warning',
        message: `${fileName}: Python-specific YAML tags kept as written (${[...tags].slice(0, 5).join(', ')}${tags.size > 5 ? ', …' : ''}) at ${unresolvedTags.slice(0, 5).join(', ')}${unresolvedTags.length > 5 ? ', …' : ''}`,
        line: Number(unresolvedTags[0].slice('line '.length)),
      });
    }
  } catch (error) {
    problems.push({ severity: 'error', message: `${fileName} could not be read: ${firstLine(error instanceof Error ? error.message : String(error))}` });
  }
  return { params, problems };
}

function flatten(node: YamlNode, prefix: string, separator: string, text: string, document: Document, into: Record<string, string>, depth: number): void {
  if (!isMap(node) || depth > MAX_DEPTH) return;
  for (const pair of node.items) {
    if (!isPair(pair)) continue;
    const key = keyText(pair.key);
    const name = prefix === '' ? key : `${prefix}${separator}${key}`;
    let value = pair.value as YamlNode | null;
    if (isAlias(value)) value = (resolveAlias(document, value) as YamlNode | undefined) ?? value;
    if (isMap(value) && unresolvedTagOf(value, document) === undefined && value.items.length > 0) {
      flatten(value, name, separator, text, document, into, depth + 1);
    } else {
      into[name] = render(value, text, document, depth);
    }
  }
}

function keyText(key: unknown): string {
  if (key === null || key === undefined) return '';
  if (isScalar(key)) return key.source ?? (key.value === null ? '' : String(key.value));
  return String(key);
}

function render(node: YamlNode | null, text: string, document: Document, depth: number): string {
  if (node === null || depth > MAX_DEPTH) return '';
  const tag = unresolvedTagOf(node, document);
  let body: string;
  if (isAlias(node)) {
    const target = resolveAlias(document, node) as YamlNode | undefined;
    body = target === undefined ? `*${node.source}` : render(target, text, document, depth + 1);
  } else if (isScalar(node)) {
    const verbatim = node.range ? text.slice(node.range[0], node.range[1]) : undefined;
    // A tag left unresolved leaves the value's meaning to Python: keep its quotes too.
    body = verbatim !== undefined && (node.type === Scalar.PLAIN || tag !== undefined) ? verbatim : node.value === null ? '' : String(node.value);
  } else if (isSeq(node)) {
    body = `[${node.items.map((item) => render(item as YamlNode | null, text, document, depth + 1)).join(', ')}]`;
  } else if (isMap(node)) {
    const entries = node.items.filter(isPair).map((pair) => `${keyText(pair.key)}: ${render(pair.value as YamlNode | null, text, document, depth + 1)}`);
    body = `{${entries.join(', ')}}`;
  } else {
    body = String(node);
  }
  return tag === undefined ? body : `${tag} ${body}`;
}

/** A tag the parser could not resolve (e.g. a Python one), in its written short form. */
function unresolvedTagOf(node: YamlNode, document: Document): string | undefined {
  if (isAlias(node) || node.tag === undefined || CORE_TAGS.has(node.tag)) return undefined;
  try {
    return document.directives?.tagString(node.tag) ?? node.tag;
  } catch {
    return node.tag;
  }
}

function collectUnresolvedTags(node: unknown, document: Document, into: Set<string>, depth: number): void {
  if (node === null || node === undefined || depth > MAX_DEPTH || isAlias(node)) return;
  if (isScalar(node) || isSeq(node) || isMap(node)) {
    const tag = unresolvedTagOf(node, document);
    if (tag !== undefined) into.add(tag);
  }
  if (isSeq(node)) for (const item of node.items) collectUnresolvedTags(item, document, into, depth + 1);
  if (isMap(node)) for (const pair of node.items) collectUnresolvedTags(pair.value, document, into, depth + 1);
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}
