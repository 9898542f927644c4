/** Energy distance between two 1-D samples, scipy.stats.energy_distance (√2 × the L2 CDF distance). */
import { requireNumbers } from './arrays';
import { cdfDistance } from './wasserstein';

export function energyDistance(reference: readonly number[], current: readonly number[]): number {
  return Math.SQRT2 * cdfDistance(2, requireNumbers(reference, 'reference'), requireNumbers(current, 'current'));
}
