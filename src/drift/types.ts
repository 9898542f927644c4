/** Shared, host-free types of the drift module. */

export type ColumnType = 'numerical' | 'categorical';

/** One cell of a column as it arrives from a dataset: missing values are null/undefined/NaN. */
export type RawValue = number | string | boolean | null | undefined;

/** A non-missing categorical value (numbers stand for themselves when a numerical column is binned per value). */
export type Category = number | string | boolean;

/** The input cannot be tested at all (e.g. a column is empty after removing missing values). */
export class DriftInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriftInputError';
  }
}

/** The chosen method is undefined for this data (e.g. Anderson–Darling on a single distinct value). */
export class DriftComputationError extends Error {
  constructor(
    readonly method: string,
    message: string,
  ) {
    super(`${method}: ${message}`);
    this.name = 'DriftComputationError';
  }
}
