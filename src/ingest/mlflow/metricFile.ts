// Reading one MLflow metric file incrementally: the appended bytes since the cursor, parsed into
// columns (typed arrays, which move from an import worker to the main thread without a copy).
import type { FileCursor } from '../types';
import { readNewBytes } from '../tail';
import { parseMetricLines } from './metricLines';

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
  readonly steps: Float64Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly errors: readonly { readonly line: number; readonly message: string }[];
}

/** Undefined when the file did not change; throws the fs error when it cannot be read. */
export async function readMetricFile(file: string, cursor: FileCursor | undefined): Promise<MetricFileUpdate | undefined> {
  const update = await readNewBytes(file, cursor);
  if (!update) return undefined;
  // The importer keeps the number of lines already read in the cursor's state (for line numbers).
  const previousLines = update.restarted ? 0 : ((cursor?.state as { lines?: number } | undefined)?.lines ?? 0);
  const parsed = parseMetricLines(update.bytes, previousLines + 1);
  return {
    size: update.size,
    mtimeMs: update.mtimeMs,
    head: update.head,
    start: update.start,
    restarted: update.restarted,
    consumed: parsed.consumed,
    lines: previousLines + parsed.lines,
    // Typed arrays move between threads without a copy (transfer), plain arrays would be cloned.
    steps: Float64Array.from(parsed.steps),
    timestamps: Float64Array.from(parsed.timestamps),
    values: Float64Array.from(parsed.values),
    errors: parsed.errors,
  };
}
