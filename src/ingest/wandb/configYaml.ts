/**
 * `files/config.yaml` of a W&B run: `wandb_version: 1`, then one entry per config key, each written
 * by wandb as `{desc, value}` (newer versions drop `desc`). `_wandb` is wandb's own bookkeeping.
 * Nested dicts are flattened with '.', as W&B shows them; scalars are kept as written.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Scalar } from 'yaml';
import { parseYamlDocument, resolveAlias } from '../../shared/boundedYaml';
import type { Document, Node as YamlNode, YAMLError } from 'yaml';

export interface ConfigProblem {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** 1-based line, when known. */
  readonly line?: number;
}

export interface ParsedConfig {
  readonly params: Map<string, string>;
  /** `_wandb.start_time` (seconds), the run's start when nothing better says it. */
  readonly startTimeSeconds?: number;
  readonly problems: ConfigProblem[];
}

const MAX_DEPTH = 32;
const SKIPPED_KEYS = new Set(['wandb_version', '_wandb']);

/** Never throws. */
export function parseConfigYaml(text: string): ParsedConfig {
  const params = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  let startTimeSeconds: number | undefined;
  try {
    const lineCounter = new LineCounter();
    const document = parseYamlDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
    const report = (severity: 'error' | 'warning', issue: YAMLError): void => {
      problems.push({ severity, message: `config.yaml: ${issue.message.split('\n')[0]}`, line: issue.linePos?.[0].line ?? lineCounter.linePos(issue.pos[0]).line });
    };
    for (const error of document.errors) report('error', error);
    for (const warning of document.warnings) report('warning', warning);
    const root = document.contents;
    if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return { params, problems };
    if (!isMap(root)) {
      problems.push({ severity: 'error', message: 'config.yaml is not a map of config keys: no params taken from it', line: 1 });
      return { params, problems };
    }
    for (const pair of root.items) {
      if (!isPair(pair)) continue;
      const key = keyText(pair.key);
      const entry = pair.value as YamlNode | null;
      if (key === '_wandb') {
        startTimeSeconds = wandbStartTime(valueNode(entry));
        continue;
      }
      if (SKIPPED_KEYS.has(key)) continue;
      flatten(key, valueNode(entry), text, document, params, 0);
    }
  } catch (error) {
    problems.push({ severity: 'error', message: `config.yaml could not be read: ${error instanceof Error ? error.message : String(error)}` });
  }
  return { params, problems, ...(startTimeSeconds === undefined ? {} : { startTimeSeconds }) };
}

/** The `value` of a `{desc, value}` entry; an entry written by hand without that wrapper is its own value. */
function valueNode(entry: YamlNode | null): YamlNode | null {
  if (isMap(entry)) {
    const keys = entry.items.filter(isPair).map((pair) => keyText(pair.key));
    if (keys.includes('value') && keys.every((key) => key === 'value' || key === 'desc')) {
      const pair = entry.items.find((item) => isPair(item) && keyText(item.key) === 'value');
      return (pair?.value as YamlNode | null | undefined) ?? null;
    }
  }
  return entry;
}

function wandbStartTime(node: YamlNode | null): number | undefined {
  if (!isMap(node)) return undefined;
  const pair = node.items.find((item) => isPair(item) && keyText(item.key) === 'start_time');
  const value = pair !== undefined && isScalar(pair.value) ? Number(pair.value.value) : NaN;
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function flatten(name: string, node: YamlNode | null, text: string, document: Document, into: Map<string, string>, depth: number): void {
  if (isMap(node) && node.items.length > 0 && depth < MAX_DEPTH) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      flatten(`${name}.${keyText(pair.key)}`, pair.value as YamlNode | null, text, document, into, depth + 1);
    }
    return;
  }
  into.set(name, render(node, text, document, depth));
}

/** Plain scalars verbatim (so `1e-08` stays `1e-08`), quoted ones unquoted, sequences in flow style. */
function render(node: YamlNode | null, text: string, document: Document, depth: number): string {
  if (node === null || depth > MAX_DEPTH) return '';
  if (isAlias(node)) {
    const target = resolveAlias(document, node);
    return target === undefined ? `*${node.source}` : render(target as YamlNode, text, document, depth + 1);
  }
  if (isScalar(node)) {
    if (node.type === Scalar.PLAIN && node.range) return text.slice(node.range[0], node.range[1]);
    return node.value === null ? 'null' : String(node.value);
  }
  if (isSeq(node)) return `[${node.items.map((item) => render(item as YamlNode | null, text, document, depth + 1)).join(', ')}]`;
  if (isMap(node)) {
    const entries = node.items.filter(isPair).map((pair) => `${keyText(pair.key)}: ${render(pair.value as YamlNode | null, text, document, depth + 1)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(node);
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return key === null || key === undefined ? '' : String(key);
}
