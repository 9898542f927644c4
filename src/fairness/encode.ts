/**
 * From a dataset's columns to the flags the metrics need, with the checks Fairlearn and scikit-learn
 * make (DEFINITIONS.md §1, `_get_labels_for_confusion_matrix`) turned into clear messages: at most two
 * distinct label values, the positive label among them, 0/1 or -1/1 unless a positive label is given.
 */
import type { Dataset, DatasetColumn } from '../datasets';
import { numberLabel, parseNumber } from '../datasets/values';
import type { EncodedFairnessData } from './groupMetrics';
import { FairnessInputError } from './types';

export interface FairnessColumns {
  readonly label: string;
  readonly prediction: string;
  /** One or more; several give intersectional groups (the full Cartesian product, as Fairlearn does). */
  readonly sensitive: readonly string[];
  readonly score?: string;
  readonly weight?: string;
  /** As the data spells it; default: 1 when the labels are 0/1 or -1/1. */
  readonly posLabel?: string;
}

/** Groups beyond this many are refused: the sensitive column is likely an identifier, and a table of them judges nothing. */
export const MAX_GROUPS = 100_000;

export interface EncodedInput {
  readonly data: EncodedFairnessData;
  readonly groups: readonly Record<string, string>[];
  readonly posLabel: string;
  readonly rowsWithoutGroup: number;
}

function requireColumn(dataset: Dataset, name: string, role: string): DatasetColumn {
  const column = dataset.column(name);
  if (!column) {
    const known = dataset.columns.map((c) => c.name).slice(0, 12).join(', ');
    throw new FairnessInputError(`The ${role} column "${name}" is not in the data (columns: ${known || 'none'}).`);
  }
  return column;
}

/** numpy compares True == 1 and False == 0, so boolean labels are 0/1 labels. */
function labelKey(text: string): string {
  if (text === 'True') return '1';
  if (text === 'False') return '0';
  return text;
}

/** The label text of every row; throws on a missing cell (a metric cannot skip rows silently). */
function labelTexts(column: DatasetColumn, role: string): string[] {
  if (column.type === 'datetime') throw new FairnessInputError(`The ${role} column "${column.name}" holds timestamps, not class labels.`);
  const out = new Array<string>(column.type === 'categorical' ? column.codes.length : column.values.length);
  for (let row = 0; row < out.length; row++) {
    const text = column.type === 'categorical' ? (column.codes[row] < 0 ? undefined : column.categories[column.codes[row]]) : Number.isNaN(column.values[row]) ? undefined : numberLabel(column.values[row]);
    if (text === undefined) throw new FairnessInputError(`The ${role} column "${column.name}" has a missing value at data row ${row + 1}; fairness metrics need a ${role} on every row.`);
    out[row] = labelKey(text);
  }
  return out;
}

function looksLikeScores(values: ReadonlySet<string>): boolean {
  return [...values].some((text) => {
    const value = parseNumber(text);
    return Number.isFinite(value) && !Number.isInteger(value);
  });
}

/** The positive label as a key of the label texts, after the checks scikit-learn makes. */
function positiveKey(labels: readonly string[], predictions: readonly string[], posLabel: string | undefined, names: FairnessColumns): string {
  const distinct = new Set(labels);
  const predicted = new Set(predictions);
  for (const value of predicted) distinct.add(value);
  const sample = [...distinct].slice(0, 5).map((v) => `"${v}"`).join(', ');
  if (distinct.size > 2) {
    const hint = looksLikeScores(predicted)
      ? ` The prediction column "${names.prediction}" looks like probabilities or scores: give the predicted class there (for example the score thresholded at 0.5) and the score as --score.`
      : '';
    throw new FairnessInputError(`Labels and predictions together have ${distinct.size} distinct values (${sample}…); fairness metrics need a binary target (at most two values).${hint}`);
  }
  if (posLabel === undefined) {
    const binary = [...distinct].every((v) => v === '0' || v === '1') || [...distinct].every((v) => v === '-1' || v === '1');
    if (!binary) throw new FairnessInputError(`The labels are ${sample}, not 0/1 or -1/1: name the positive label (--pos-label).`);
    return '1';
  }
  const asNumber = parseNumber(posLabel);
  const candidates = [posLabel, labelKey(posLabel), ...(Number.isNaN(asNumber) ? [] : [numberLabel(asNumber)])];
  const found = candidates.find((c) => distinct.has(c));
  if (found !== undefined) return found;
  if (distinct.size === 2) throw new FairnessInputError(`The positive label "${posLabel}" is not among the label values (${sample}).`);
  return labelKey(posLabel);
}

function numericColumn(dataset: Dataset, name: string, role: string): Float64Array {
  const column = requireColumn(dataset, name, role);
  if (column.type !== 'numerical') throw new FairnessInputError(`The ${role} column "${name}" is not numeric.`);
  const bad = column.values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new FairnessInputError(`The ${role} column "${name}" has a missing or non-finite value at data row ${bad + 1}.`);
  return column.values;
}

export function encodeFairnessInput(dataset: Dataset, names: FairnessColumns): EncodedInput {
  if (names.sensitive.length === 0) throw new FairnessInputError('Name at least one sensitive column.');
  const labels = labelTexts(requireColumn(dataset, names.label, 'label'), 'label');
  const predictions = labelTexts(requireColumn(dataset, names.prediction, 'prediction'), 'prediction');
  const positive = positiveKey(labels, predictions, names.posLabel, names);
  const rowCount = dataset.rowCount;
  const labelPositive = new Uint8Array(rowCount);
  const predictionPositive = new Uint8Array(rowCount);
  const correct = new Uint8Array(rowCount);
  for (let row = 0; row < rowCount; row++) {
    labelPositive[row] = labels[row] === positive ? 1 : 0;
    predictionPositive[row] = predictions[row] === positive ? 1 : 0;
    correct[row] = labels[row] === predictions[row] ? 1 : 0;
  }
  const grouping = groupRows(dataset, names.sensitive);
  const data: EncodedFairnessData = {
    rowCount,
    labelPositive,
    predictionPositive,
    correct,
    groupOf: grouping.groupOf,
    groupCount: grouping.groups.length,
    ...(names.weight ? { weights: numericColumn(dataset, names.weight, 'weight') } : {}),
    ...(names.score ? { scores: numericColumn(dataset, names.score, 'score') } : {}),
  };
  return { data, groups: grouping.groups, posLabel: positive, rowsWithoutGroup: grouping.rowsWithoutGroup };
}

/** pandas sorts string group keys by code point (JavaScript's default sort compares UTF-16 units). */
function compareCodePoints(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const diff = left[i].codePointAt(0)! - right[i].codePointAt(0)!;
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}

interface SortedFeature {
  readonly name: string;
  readonly labels: readonly string[];
  /** Per row: index into `labels`, -1 when missing. */
  readonly index: Int32Array;
}

/** A sensitive column's observed values in pandas' order (numbers numerically, text by code point). */
function sortedFeature(column: DatasetColumn): SortedFeature {
  const rows = column.type === 'categorical' ? column.codes.length : column.values.length;
  const index = new Int32Array(rows);
  if (column.type === 'categorical') {
    const order = column.categories.map((label, code) => ({ label, code })).sort((a, b) => compareCodePoints(a.label, b.label));
    const rank = new Int32Array(column.categories.length);
    order.forEach((entry, position) => (rank[entry.code] = position));
    for (let row = 0; row < rows; row++) index[row] = column.codes[row] < 0 ? -1 : rank[column.codes[row]];
    return { name: column.name, labels: order.map((entry) => entry.label), index };
  }
  const distinct = [...new Set(Array.from(column.values).filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b);
  const rank = new Map(distinct.map((value, position) => [value, position]));
  for (let row = 0; row < rows; row++) index[row] = Number.isNaN(column.values[row]) ? -1 : rank.get(column.values[row])!;
  const labels = column.type === 'datetime' ? distinct.map((ms) => new Date(ms).toISOString()) : distinct.map(numberLabel);
  return { name: column.name, labels, index };
}

/** One feature: its observed values. Several: every combination of their values (mixed-radix index), absent ones included. */
function groupRows(dataset: Dataset, sensitive: readonly string[]): { groupOf: Int32Array; groups: Record<string, string>[]; rowsWithoutGroup: number } {
  const features = sensitive.map((name) => sortedFeature(requireColumn(dataset, name, 'sensitive')));
  const total = features.reduce((product, f) => product * f.labels.length, 1);
  if (total > MAX_GROUPS) {
    const sizes = features.map((f) => `${f.name}: ${f.labels.length}`).join(', ');
    throw new FairnessInputError(`${total} groups (${sizes}) is more than ${MAX_GROUPS}: a sensitive column with that many values is likely an identifier.`);
  }
  const groupOf = new Int32Array(dataset.rowCount);
  let rowsWithoutGroup = 0;
  for (let row = 0; row < dataset.rowCount; row++) {
    let group = 0;
    for (const feature of features) {
      const position = feature.index[row];
      if (position < 0) {
        group = -1;
        break;
      }
      group = group * feature.labels.length + position;
    }
    groupOf[row] = group;
    if (group < 0) rowsWithoutGroup++;
  }
  const groups: Record<string, string>[] = [];
  for (let group = 0; group < total; group++) {
    const key: Record<string, string> = {};
    let rest = group;
    for (let f = features.length - 1; f >= 0; f--) {
      key[features[f].name] = features[f].labels[rest % features[f].labels.length];
      rest = Math.floor(rest / features[f].labels.length);
    }
    groups.push(Object.fromEntries(features.map((f) => [f.name, key[f.name]])));
  }
  return { groupOf, groups, rowsWithoutGroup };
}
