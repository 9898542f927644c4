// Which way a metric is better, from its name. Host-free and DOM-free: the comparison and promotion
// panels, exports, the CLI and the runs table all ask here, so a metric reads the same everywhere.
//
// The documented lists (README, "Metric direction"):
// - lower is better: names containing loss, error, perplexity; the whole tokens err, mae, mse, rmse,
//   mape, ppl, wer, cer, fpr, fnr, latency, eer.
// - neutral (no best, no star, no better/worse colour): the whole tokens lr, learning_rate, epoch,
//   step, steps, time, duration, runtime, throughput, samples_per_second, steps_per_second, grad_norm,
//   momentum, weight_decay, batch_size, memory, gpu, cpu, and names starting with `system/` or `sys.`.
// - higher is better: everything else (accuracy, f1, auc, precision, recall, r2, bleu, map…).
// A per-workspace override (the comparison table's header menu, or `modelLedger.metrics.direction`)
// wins over the lists.

export type MetricDirection = 'min' | 'max' | 'neutral';

// Short abbreviations only count as whole tokens: "answer_acc" is not a word-error rate.
const LOWER_IS_BETTER_SUBSTRING = /loss|error|perplexity/i;
const LOWER_IS_BETTER_TOKEN = /(^|[^a-z])(err|mae|mse|rmse|mape|ppl|wer|cer|fpr|fnr|latency|eer)([^a-z]|$)/i;
const NEUTRAL_TOKEN =
  /(^|[^a-z])(lr|learning_rate|learning-rate|epoch|epochs|step|steps|time|duration|runtime|throughput|samples_per_second|steps_per_second|grad_norm|momentum|weight_decay|batch_size|memory|gpu|cpu)([^a-z]|$)/i;
const NEUTRAL_PREFIX = /^(system\/|sys\.)/i;

export function isMetricDirection(value: unknown): value is MetricDirection {
  return value === 'min' || value === 'max' || value === 'neutral';
}

/** The direction of a metric key: an override for it if any, else the documented lists. */
export function metricDirection(key: string, overrides?: Readonly<Record<string, MetricDirection>>): MetricDirection {
  const override = overrides && Object.prototype.hasOwnProperty.call(overrides, key) ? overrides[key] : undefined;
  if (override && isMetricDirection(override)) return override;
  if (LOWER_IS_BETTER_SUBSTRING.test(key) || LOWER_IS_BETTER_TOKEN.test(key)) return 'min';
  if (NEUTRAL_PREFIX.test(key) || NEUTRAL_TOKEN.test(key)) return 'neutral';
  return 'max';
}

/** The arrow and words a header shows for a direction. */
export function directionLabel(direction: MetricDirection): { readonly arrow: string; readonly words: string } {
  return direction === 'min' ? { arrow: '↓', words: 'lower is better' } : direction === 'max' ? { arrow: '↑', words: 'higher is better' } : { arrow: '', words: 'no better direction' };
}
