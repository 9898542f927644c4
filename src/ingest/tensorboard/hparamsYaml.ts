/**
 * Lightning's `hparams.yaml`: a YAML map of the module's hyperparameters. Lightning dumps it with
 * PyYAML's full dumper, so Python-only tags (`!!python/name:torch.optim.adam.Adam ''`,
 * `!!python/object/apply:...`) are common; a safe loader rejects the whole file for one of them.
 * Here the `yaml` package parses leniently (an unknown tag is only a warning) and every value is
 * kept as the text written in the file.
 */
import { Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Scalar } from 'yaml';
import { parseYamlDocument, resolveAlias } from '../../shared/boundedYaml';
import type { Node as YamlNode, YAMLError } from 'yaml';

export interface YamlProblem {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** 1-based line, when known. */
  readonly line?: number;
}

export interface HParamsYaml {
  /** Flattened with '/' between nested keys, as Lightning's TensorBoard logger names them. */
  readonly params: Map<string, string>;
  readonly problems: YamlProblem[];
}

const MAX_DEPTH = 32;

/** Never throws; a file that is not a map gives no params and a problem. */
export function parseHParamsYaml(text: string): HParamsYaml {
  const params = new Map<string, string>();
  const problems: YamlProblem[] = [];
  try {
    const lineCounter = new LineCounter();
    const document = parseYamlDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
    const report = (severity: 'error' | 'warning', issue: YAMLError): void => {
      const line = issue.linePos?.[0].line ?? lineCounter.linePos(issue.pos[0]).line;
      problems.push({ severity, message: describe(issue), line });
    };
    for (const error of document.errors) report('error', error);
    for (const warning of document.warnings) report('warning', warning);
    const root = document.contents;
    if (root === null || (isScalar(root) && root.value === null)) return { params, problems };
    if (!isMap(root)) {
      problems.push({ severity: 'error', message: 'hparams.yaml is not a map of names to values: no params taken from it', line: 1 });
      return { params, problems };
    }
    flatten(root, '', text, document, params, 0);
  } catch (error) {
    problems.push({ severity: 'error', message: `hparams.yaml could not be read: ${error instanceof Error ? error.message : String(error)}` });
  }
  return { params, problems };
}

function describe(issue: YAMLError): string {
  const firstLine = issue.message.split('\n')[0];
  if (issue.code === 'TAG_RESOLVE_FAILED') return `hparams.yaml: ${firstLine}; the value is kept as written`;
  return `hparams.yaml: ${firstLine}`;
}

function flatten(node: YamlNode, prefix: string, text: string, document: Document, into: Map<string, string>, depth: number): void {
  if (!isMap(node) || depth > MAX_DEPTH) return;
  for (const pair of node.items) {
    if (!isPair(pair)) continue;
    const key = isScalar(pair.key) ? String(pair.key.value) : pair.key === null ? '' : String(pair.key);
    const name = prefix === '' ? key : `${prefix}/${key}`;
    const value = pair.value as YamlNode | null;
    if (isMap(value) && value.tag === undefined && value.items.length > 0) {
      flatten(value, name, text, document, into, depth + 1);
    } else {
      into.set(name, render(value, text, document, depth));
    }
  }
}

/** The value as written: plain scalars verbatim (so `1e-08` stays `1e-08`), quoted ones unquoted. */
function render(node: YamlNode | null, text: string, document: Document, depth: number): string {
  if (node === null || depth > MAX_DEPTH) return '';
  const tag = unresolvedTagOf(node, document);
  let body: string;
  if (isAlias(node)) {
    const target = resolveAlias(document, node);
    body = target === undefined ? `*${node.source}` : render(target as YamlNode, text, document, depth + 1);
  } else if (isScalar(node)) {
    const verbatim = node.range ? text.slice(node.range[0], node.range[1]) : undefined;
    // An unresolved tag leaves the value's meaning to Python: keep its quotes too.
    body = verbatim !== undefined && (node.type === Scalar.PLAIN || tag !== undefined) ? verbatim : String(node.value);
  } else if (isSeq(node)) {
    body = `[${node.items.map((item) => render(item as YamlNode | null, text, document, depth + 1)).join(', ')}]`;
  } else if (isMap(node)) {
    const entries = node.items.filter(isPair).map((pair) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      return `${key}: ${render(pair.value as YamlNode | null, text, document, depth + 1)}`;
    });
    body = `{${entries.join(', ')}}`;
  } else {
    body = String(node);
  }
  return tag === undefined ? body : `${tag} ${body}`;
}

const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq', 'binary', 'omap', 'pairs', 'set', 'timestamp', 'merge'].map((name) => `tag:yaml.org,2002:${name}`));

/** A tag the parser could not resolve (e.g. a Python one), in its written short form. */
function unresolvedTagOf(node: YamlNode, document: Document): string | undefined {
  if (isAlias(node) || node.tag === undefined || CORE_TAGS.has(node.tag)) return undefined;
  try {
    return document.directives?.tagString(node.tag) ?? node.tag;
  } catch {
    return node.tag;
  }
}
