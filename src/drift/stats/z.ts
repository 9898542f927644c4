/**
 * Evidently's `z` test: pooled two-proportion z-test, the first category in sorted order coded 0
 * and every other category 1; two identical constant columns give p = 1.
 */
import { type RawValue } from '../types';
import { categoryCounts, cleanCategorical, requireNonEmpty } from './arrays';
import { ndtr } from './special';

export interface ZTestResult {
  readonly statistic: number;
  readonly pvalue: number;
}

export function twoProportionZTest(reference: readonly RawValue[], current: readonly RawValue[]): ZTestResult {
  const ref = cleanCategorical(reference);
  const cur = cleanCategorical(current);
  requireNonEmpty(ref, 'reference', reference.length);
  requireNonEmpty(cur, 'current', current.length);
  const { keys, referenceCounts, currentCounts } = categoryCounts(ref, cur);
  if (keys.length === 1) return { statistic: 0, pvalue: 1 };
  const n1 = ref.length;
  const n2 = cur.length;
  // Everything but the first key is coded 1.
  const p1 = (n1 - referenceCounts[0]) / n1;
  const p2 = (n2 - currentCounts[0]) / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return { statistic: z, pvalue: 2 * (1 - ndtr(Math.abs(z))) };
}
