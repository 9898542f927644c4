/** Public surface of the fairness metrics (host-free: the CLI, the policy gates, cards and reports use it). */
import type { Dataset, DatasetDiagnostic } from '../datasets';
import { readDataset } from '../datasets';
import { encodeFairnessInput, type FairnessColumns } from './encode';
import { aggregatesOf, computeGroupMetrics, disparitiesOf } from './groupMetrics';
import { FairnessInputError, type FairnessResult } from './types';

export { encodeFairnessInput, MAX_GROUPS, type FairnessColumns } from './encode';
export { equalizedOdds, metricAggregates, pythonBuiltinExtreme } from './aggregates';
export { rocAuc } from './rocAuc';
export { fairnessJson, type FairnessJson } from './json';
export * from './types';

export function computeFairness(dataset: Dataset, columns: FairnessColumns): FairnessResult {
  const input = encodeFairnessInput(dataset, columns);
  const metrics = computeGroupMetrics(input.data);
  const aggregates = aggregatesOf(metrics);
  const notes: string[] = [];
  if (input.rowsWithoutGroup > 0) {
    notes.push(`${input.rowsWithoutGroup} rows have no value in a sensitive column: they count in "overall" but in no group (as Fairlearn does).`);
  }
  const emptyCells = metrics.byGroup.filter((row) => Number.isNaN(row.count)).length;
  if (emptyCells > 0) notes.push(`${emptyCells} combinations of the sensitive values never occur: their rows are NaN (as Fairlearn reports them).`);
  if (columns.score && metrics.byGroup.some((row) => row.count > 0 && Number.isNaN(row.rocAuc ?? 0))) {
    notes.push('ROC AUC is NaN for a group whose labels are all one class (scikit-learn refuses to compute it there).');
  }
  return {
    sensitiveColumns: columns.sensitive,
    posLabel: input.posLabel,
    weighted: columns.weight !== undefined,
    overall: metrics.overall,
    byGroup: metrics.byGroup.map((row, i) => ({ group: input.groups[i], ...row })),
    aggregates,
    disparities: disparitiesOf(aggregates),
    rowsWithoutGroup: input.rowsWithoutGroup,
    notes,
  };
}

export interface FairnessFileResult {
  readonly result?: FairnessResult;
  /** Why there is no result (unreadable file or unusable columns). */
  readonly error?: string;
  readonly diagnostics: readonly DatasetDiagnostic[];
}

/** Reads CSV/TSV/JSONL/Parquet with the drift panel's readers, then computes; never throws for bad input. */
export async function fairnessFromFile(file: string, columns: FairnessColumns, signal?: AbortSignal): Promise<FairnessFileResult> {
  const wanted = [columns.label, columns.prediction, ...columns.sensitive, ...(columns.score ? [columns.score] : []), ...(columns.weight ? [columns.weight] : [])];
  const read = await readDataset(file, { columns: wanted, ...(signal ? { signal } : {}) });
  if (!read.ok) return { error: `Cannot read ${file}: ${read.diagnostics[0]?.message ?? 'unreadable'}`, diagnostics: read.diagnostics };
  try {
    return { result: computeFairness(read.dataset, columns), diagnostics: read.diagnostics };
  } catch (error) {
    if (error instanceof FairnessInputError) return { error: `${file}: ${error.message}`, diagnostics: read.diagnostics };
    throw error;
  }
}
