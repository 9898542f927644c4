import type { Stage } from './types';

/** MLflow marks a soft-deleted model version with this stage, in the file store and in SQL alike. */
export const MLFLOW_DELETED_STAGE = 'Deleted_Internal';

const CANONICAL_STAGES: readonly Stage[] = ['None', 'Staging', 'Production', 'Archived'];

/** MLflow compares stages case-insensitively (`get_canonical_stage`); hand-edited stores rely on it. */
export function canonicalMlflowStage(value: string): Stage | undefined {
  const lower = value.toLowerCase();
  return CANONICAL_STAGES.find((stage) => stage.toLowerCase() === lower);
}

/** Empty strings mean "absent": MLflow writes `''` and `null` for the same thing depending on version. */
export function presentString(value: string | undefined | null): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : value;
}

export function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Removes keys whose value is undefined, so results compare and serialise cleanly. */
export function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
