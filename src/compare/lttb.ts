/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013): picks `threshold` points of a line so that its
 * shape survives, where taking every k-th point loses spikes. `x` must be ascending.
 *
 * Returns the kept indices, ascending: all of them when `n <= threshold`, otherwise exactly
 * `threshold` of them (at least 2: the first and last points are always kept).
 * NaN values never win a bucket against finite ones, so a gap does not push out a real extreme.
 */
export function lttbIndices(x: ArrayLike<number>, y: ArrayLike<number>, threshold: number): number[] {
  const n = Math.min(x.length, y.length);
  const target = Math.max(2, Math.floor(threshold));
  if (n <= target) return Array.from({ length: n }, (_, i) => i);

  const kept = new Array<number>(target);
  kept[0] = 0;
  // The points between first and last go into target − 2 buckets of (almost) equal size.
  const bucketSize = (n - 2) / (target - 2);
  let previous = 0;
  for (let bucket = 0; bucket < target - 2; bucket++) {
    const start = Math.floor(bucket * bucketSize) + 1;
    const end = Math.min(Math.floor((bucket + 1) * bucketSize) + 1, n - 1);

    // The third corner of the triangle: the mean of the next bucket (or the last point).
    const nextStart = end;
    const nextEnd = Math.min(Math.floor((bucket + 2) * bucketSize) + 1, n);
    let meanX = 0;
    let meanY = 0;
    let finite = 0;
    for (let i = nextStart; i < nextEnd; i++) {
      if (Number.isFinite(y[i])) {
        meanX += x[i];
        meanY += y[i];
        finite++;
      }
    }
    if (finite > 0) {
      meanX /= finite;
      meanY /= finite;
    } else {
      meanX = x[n - 1];
      meanY = Number.isFinite(y[n - 1]) ? y[n - 1] : 0;
    }

    const ax = x[previous];
    const ay = Number.isFinite(y[previous]) ? y[previous] : meanY;
    let chosen = start;
    let largest = -1;
    for (let i = start; i < end; i++) {
      const area = Math.abs((ax - meanX) * (y[i] - ay) - (ax - x[i]) * (meanY - ay));
      // NaN > largest is false, so a NaN point is kept only when its whole bucket is NaN.
      if (area > largest) {
        largest = area;
        chosen = i;
      }
    }
    kept[bucket + 1] = chosen;
    previous = chosen;
  }
  kept[target - 1] = n - 1;
  return kept;
}

/** Every k-th point plus the last: what LTTB is measured against in the tests. */
export function strideIndices(n: number, threshold: number): number[] {
  const target = Math.max(2, Math.floor(threshold));
  if (n <= target) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let k = 0; k < target - 1; k++) out.push(Math.floor((k * (n - 1)) / (target - 1)));
  out.push(n - 1);
  return out;
}
