// Reading one MLflow metric file incrementally: the appended bytes since the cursor, parsed into
// columns (typed arrays, which move from an import worker to the main thread without a copy).
import type { FileCursor } from '../types';
import { readNewBytes } from '../tail';
import { parseMetricLines, type MetricFileKind, type ParsedMetricLines } from './metricLines';

/** The points of one dataset ('' for none) read from a metric file, in file order. */
export interface MetricFileSeries {
  readonly dataset: string;
  readonly datasetDigest: string | undefined;
  readonly steps: Float64Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

export interface MetricFileUpdate {
  readonly size: number;
  readonly mtimeMs: number;
  readonly head: string;
  /** File offset where the parsed bytes start (0 when `restarted`). */
  readonly start: number;
  readonly restarted: boolean;
  /** Bytes of complete lines parsed: the next cursor's offset is start + consumed. */
  readonly consumed: number;
  /** Complete lines in the file so far (for the next call's line numbers). */
  readonly lines: number;
  /** One entry per dataset the new lines name (one entry, dataset '', for a plain file). */
  readonly series: readonly MetricFileSeries[];
  readonly errors: readonly { readonly line: number; readonly message: string }[];
}

/** Undefined when the file did not change; throws the fs error when it cannot be read. */
export async function readMetricFile(file: string, cursor: FileCursor | undefined, kind: MetricFileKind = 'run'): Promise<MetricFileUpdate | undefined> {
  const update = await readNewBytes(file, cursor);
  if (!update) return undefined;
  // The importer keeps the number of lines already read in the cursor's state (for line numbers).
  const previousLines = update.restarted ? 0 : ((cursor?.state as { lines?: number } | undefined)?.lines ?? 0);
  const parsed = parseMetricLines(update.bytes, previousLines + 1, kind);
  return {
    size: update.size,
    mtimeMs: update.mtimeMs,
    head: update.head,
    start: update.start,
    restarted: update.restarted,
    consumed: parsed.consumed,
    lines: previousLines + parsed.lines,
    series: splitByDataset(parsed),
    errors: parsed.errors,
  };
}

/** The parsed points grouped by dataset, each group in file order. */
export function splitByDataset(parsed: ParsedMetricLines): MetricFileSeries[] {
  // Typed arrays move between threads without a copy (transfer), plain arrays would be cloned.
  const { datasets } = parsed;
  if (!datasets) {
    return [{ dataset: '', datasetDigest: undefined, steps: Float64Array.from(parsed.steps), timestamps: Float64Array.from(parsed.timestamps), values: Float64Array.from(parsed.values) }];
  }
  const indexes = new Map<string, number[]>();
  datasets.forEach((name, i) => {
    const list = indexes.get(name);
    if (list) list.push(i);
    else indexes.set(name, [i]);
  });
  return [...indexes].map(([dataset, at]) => ({
    dataset,
    datasetDigest: dataset === '' ? undefined : parsed.digests[dataset],
    steps: Float64Array.from(at, (i) => parsed.steps[i]),
    timestamps: Float64Array.from(at, (i) => parsed.timestamps[i]),
    values: Float64Array.from(at, (i) => parsed.values[i]),
  }));
}
