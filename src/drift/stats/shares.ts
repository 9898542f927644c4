/** Cleaning and binning shared by the share-based methods (psi, kl_div, jensenshannon). */
import { binColumn, type Binning } from '../binning';
import { type Category, type ColumnType, type RawValue } from '../types';
import { cleanCategorical, cleanNumeric, requireNonEmpty } from './arrays';

/** Cleans a column the way its type asks for and checks neither side is empty. */
export function cleanColumn(
  reference: readonly RawValue[],
  current: readonly RawValue[],
  columnType: ColumnType,
): { reference: Category[]; current: Category[] } {
  const clean = columnType === 'numerical' ? cleanNumeric : cleanCategorical;
  const ref = clean(reference);
  const cur = clean(current);
  requireNonEmpty(ref, 'reference', reference.length);
  requireNonEmpty(cur, 'current', current.length);
  return { reference: ref, current: cur };
}

export function binnedColumn(reference: readonly RawValue[], current: readonly RawValue[], columnType: ColumnType): Binning {
  const cleaned = cleanColumn(reference, current, columnType);
  return binColumn(cleaned.reference, cleaned.current, columnType);
}

/** scipy.special.rel_entr(x, y) = x·ln(x/y), with 0 for x = 0. */
export function relativeEntropyTerm(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}
