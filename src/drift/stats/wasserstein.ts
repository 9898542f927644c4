/** First Wasserstein distance (scipy.stats.wasserstein_distance) and Evidently's normed variant. */
import { mergeSorted, pairwiseSum, requireNumbers, sortedCopy, variance } from './arrays';

/**
 * SciPy's `_cdf_distance`: the integral of |U − V|^p between the two empirical CDFs, evaluated on
 * the merged sorted values.
 */
export function cdfDistance(p: 1 | 2, u: readonly number[], v: readonly number[]): number {
  const uSorted = sortedCopy(u);
  const vSorted = sortedCopy(v);
  const all = mergeSorted(uSorted, vSorted);
  const terms = new Float64Array(all.length - 1);
  // searchsorted(sorted, all[i], 'right') with two pointers: all[] ascends, so the counts only grow.
  let uCount = 0;
  let vCount = 0;
  for (let i = 0; i < all.length - 1; i++) {
    const delta = all[i + 1] - all[i];
    while (uCount < uSorted.length && uSorted[uCount] <= all[i]) uCount++;
    while (vCount < vSorted.length && vSorted[vCount] <= all[i]) vCount++;
    const uCdf = uCount / u.length;
    const vCdf = vCount / v.length;
    const diff = uCdf - vCdf;
    terms[i] = p === 1 ? Math.abs(diff) * delta : diff * diff * delta;
  }
  const sum = pairwiseSum(terms);
  return p === 1 ? sum : Math.sqrt(sum);
}

export function wassersteinDistance(reference: readonly number[], current: readonly number[]): number {
  return cdfDistance(1, requireNumbers(reference, 'reference'), requireNumbers(current, 'current'));
}

export interface WassersteinNormedResult {
  readonly distance: number;
  readonly referenceStd: number;
  /** W1 / max(std(reference, ddof=0), 0.001): the floor keeps constant references finite. */
  readonly normed: number;
}

export function wassersteinNormed(reference: readonly number[], current: readonly number[]): WassersteinNormedResult {
  const ref = requireNumbers(reference, 'reference');
  const cur = requireNumbers(current, 'current');
  const distance = cdfDistance(1, ref, cur);
  const referenceStd = Math.sqrt(variance(ref, 0));
  return { distance, referenceStd, normed: distance / Math.max(referenceStd, 0.001) };
}
