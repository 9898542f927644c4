/**
 * ROC AUC as scikit-learn's `roc_auc_score` computes it for a binary target: the ROC curve through
 * every distinct score (ties form one step), normalised by the final counts, then the trapezoidal area.
 */

/**
 * `rows`: the indices to use; `positive[i]` is 1 when row i's label is the positive one. NaN when the
 * rows hold only one class (scikit-learn raises "Only one class present in y_true" there).
 */
export function rocAuc(rows: readonly number[] | Int32Array, scores: Float64Array, positive: Uint8Array, weights?: Float64Array): number {
  // scikit-learn sorts by descending score with a stable sort; ties are one threshold, so order within them does not matter.
  const order = Array.from(rows).sort((a, b) => scores[b] - scores[a]);
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const row = order[k];
    const weight = weights ? weights[row] : 1;
    if (positive[row] === 1) tp += weight;
    else fp += weight;
    if (k === order.length - 1 || scores[order[k + 1]] !== scores[row]) {
      tps.push(tp);
      fps.push(fp);
    }
  }
  if (tp <= 0 || fp <= 0) return NaN;
  let area = 0;
  let previousTpr = 0;
  let previousFpr = 0;
  for (let k = 0; k < tps.length; k++) {
    const tpr = tps[k] / tp;
    const fpr = fps[k] / fp;
    area += ((fpr - previousFpr) * (tpr + previousTpr)) / 2;
    previousTpr = tpr;
    previousFpr = fpr;
  }
  return area;
}
