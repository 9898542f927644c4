/**
 * Every value the real Fairlearn 0.14 recorded in test/fixtures/fairness (10 cases): the MetricFrame
 * per group, overall, group_min/max, difference and ratio of each metric, every fairness function with
 * each method and agg, ROC AUC per group, the pos_label-aware results, and the recorded errors —
 * matched to 1e-12·max(1, |a|, |b|).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readDataset } from '../../../src/datasets';
import { computeFairness, FairnessInputError, type FairnessResult, type GroupMetricName, type MetricAggregates } from '../../../src/fairness';
import { fixturePath } from '../../fixturePath';

type Recorded = number | 'NaN' | 'Infinity' | '-Infinity' | null;
interface Call {
  value: Recorded;
  error?: { type: string; message: string };
}
interface GroupValue {
  group: Record<string, string>;
  value: Recorded;
}
interface RecordedMetric {
  overall: Call;
  by_group: { value: GroupValue[] };
  group_min: Call;
  group_max: Call;
  difference: Record<string, Call>;
  ratio: Record<string, Call>;
}
interface FairnessCase {
  case_id: string;
  csv: string;
  n_rows: number;
  sensitive_feature_columns: string[];
  sample_weight_column: string | null;
  y_score_column: string | null;
  pos_label: string | null;
  fairness_functions: Record<string, Record<string, Call | Record<string, Call>>>;
  metric_frame: { metrics: Record<string, RecordedMetric> };
  roc_auc_metric_frame?: RecordedMetric & { roc_auc_score_group_min: Call };
  pos_label_aware_results?: Record<string, Record<string, Call | Record<string, Call>>>;
}

const METRIC_NAMES: Record<string, GroupMetricName> = {
  selection_rate: 'selectionRate',
  true_positive_rate: 'tpr',
  false_positive_rate: 'fpr',
  accuracy: 'accuracy',
  count: 'count',
};

function expectedNumber(value: Recorded): number {
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  assert.ok(typeof value === 'number', `recorded value ${String(value)} is not a number`);
  return value;
}

class Checker {
  checked = 0;

  close(actual: number, recorded: Recorded, where: string): void {
    const expected = expectedNumber(recorded);
    this.checked++;
    if (Number.isNaN(expected) || !Number.isFinite(expected)) {
      assert.ok(Object.is(actual, expected), `${where}: expected ${expected}, got ${actual}`);
      return;
    }
    const tolerance = 1e-12 * Math.max(1, Math.abs(actual), Math.abs(expected));
    assert.ok(Math.abs(actual - expected) <= tolerance, `${where}: expected ${expected}, got ${actual} (off by ${Math.abs(actual - expected)})`);
  }

  metric(result: FairnessResult, name: GroupMetricName, recorded: RecordedMetric, where: string): void {
    const aggregates = result.aggregates[name] as MetricAggregates;
    this.close(result.overall[name] as number, recorded.overall.value, `${where} overall`);
    assert.deepEqual(result.byGroup.map((g) => g.group), recorded.by_group.value.map((g) => g.group), `${where} groups and their order`);
    recorded.by_group.value.forEach((g, i) => this.close(result.byGroup[i][name] as number, g.value, `${where} ${JSON.stringify(g.group)}`));
    this.close(aggregates.groupMin, recorded.group_min.value, `${where} group_min`);
    this.close(aggregates.groupMax, recorded.group_max.value, `${where} group_max`);
    for (const method of ['between_groups', 'to_overall'] as const) {
      this.close(aggregates.difference[method], recorded.difference[method].value, `${where} difference ${method}`);
      this.close(aggregates.ratio[method], recorded.ratio[method].value, `${where} ratio ${method}`);
    }
  }

  fairnessFunctions(result: FairnessResult, recorded: FairnessCase['fairness_functions'], where: string): void {
    const d = result.disparities as unknown as Record<string, Record<string, number | Record<string, number>>>;
    for (const [fn, byKey] of Object.entries(recorded)) {
      for (const [key, entry] of Object.entries(byKey)) {
        if ('value' in entry || 'error' in entry) {
          this.close(d[fn][key] as number, (entry as Call).value, `${where} ${fn}(${key})`);
        } else {
          for (const [method, call] of Object.entries(entry as Record<string, Call>)) {
            this.close((d[fn][key] as Record<string, number>)[method], call.value, `${where} ${fn}(${method}, agg=${key})`);
          }
        }
      }
    }
  }
}

function loadCase(json: string): FairnessCase {
  return JSON.parse(readFileSync(fixturePath('fairness', json), 'utf8')) as FairnessCase;
}

async function compute(c: FairnessCase, withPosLabel: boolean): Promise<FairnessResult> {
  const read = await readDataset(fixturePath('fairness', c.csv));
  assert.ok(read.ok, `${c.csv} reads`);
  assert.equal(read.dataset.rowCount, c.n_rows);
  return computeFairness(read.dataset, {
    label: 'y_true',
    prediction: 'y_pred',
    sensitive: c.sensitive_feature_columns,
    ...(c.sample_weight_column ? { weight: c.sample_weight_column } : {}),
    ...(c.y_score_column ? { score: c.y_score_column } : {}),
    ...(withPosLabel && c.pos_label !== null ? { posLabel: c.pos_label } : {}),
  });
}

const manifest = JSON.parse(readFileSync(fixturePath('fairness', 'manifest.json'), 'utf8')) as { cases: { case_id: string; json: string }[] };

describe('fairness: every value Fairlearn 0.14 recorded', () => {
  let total = 0;
  after(() => {
    // Every recorded number in the ten files (679, counted independently of this test); the 17 recorded
    // errors (value null: string labels without a positive label in c07) are checked as refusals below.
    assert.equal(total, 679);
  });

  for (const entry of manifest.cases) {
    it(`${entry.case_id}`, async () => {
      const c = loadCase(entry.json);
      const checker = new Checker();
      const result = await compute(c, true);
      for (const [name, recorded] of Object.entries(c.metric_frame.metrics)) checker.metric(result, METRIC_NAMES[name], recorded, `${c.case_id} ${name}`);
      if (c.roc_auc_metric_frame) {
        checker.metric(result, 'rocAuc', c.roc_auc_metric_frame, `${c.case_id} roc_auc`);
        checker.close(result.aggregates.rocAuc!.groupMin, c.roc_auc_metric_frame.roc_auc_score_group_min.value, `${c.case_id} roc_auc_score_group_min`);
      }
      if (c.pos_label === null) {
        checker.fairnessFunctions(result, c.fairness_functions, c.case_id);
      } else {
        checkPosLabelAware(checker, result, c);
        await checkStringLabelErrors(c);
      }
      total += checker.checked;
    });
  }
});

/** c07: Fairlearn's derived metrics with pos_label, and equalized odds composed as _fairness_metrics.py does. */
function checkPosLabelAware(checker: Checker, result: FairnessResult, c: FairnessCase): void {
  const recorded = c.pos_label_aware_results!;
  const a = result.aggregates;
  const derived: Record<string, MetricAggregates> = { selection_rate: a.selectionRate!, true_positive_rate: a.tpr!, false_positive_rate: a.fpr! };
  for (const [base, aggregates] of Object.entries(derived)) {
    for (const kind of ['difference', 'ratio'] as const) {
      for (const method of ['between_groups', 'to_overall'] as const) {
        checker.close(aggregates[kind][method], (recorded[`${base}_${kind}`][method] as Call).value, `${c.case_id} ${base}_${kind}(${method})`);
      }
    }
  }
  const composed = recorded.equalized_odds_with_pos_label_composed_like_fairlearn as unknown as Record<string, Record<string, Call>>;
  const d = result.disparities;
  for (const method of ['between_groups', 'to_overall'] as const) {
    const calls = composed[method];
    checker.close(d.equalized_odds_difference.worst_case[method], calls.worst_case_difference.value, `${c.case_id} EO worst diff ${method}`);
    checker.close(d.equalized_odds_difference.mean[method], calls.mean_difference.value, `${c.case_id} EO mean diff ${method}`);
    checker.close(d.equalized_odds_ratio.worst_case[method], calls.worst_case_ratio.value, `${c.case_id} EO worst ratio ${method}`);
    checker.close(d.equalized_odds_ratio.mean[method], calls.mean_ratio.value, `${c.case_id} EO mean ratio ${method}`);
  }
}

/** Where Fairlearn raises for string labels without a positive label, we refuse with a message that says what to give. */
async function checkStringLabelErrors(c: FairnessCase): Promise<void> {
  const recordedErrors = Object.values(c.fairness_functions).flatMap((byKey) => Object.values(byKey)).filter((e) => 'error' in e);
  assert.ok(recordedErrors.length > 0, 'the fixture records errors for string labels');
  await assert.rejects(compute(c, false), (error: unknown) => error instanceof FairnessInputError && /--pos-label/.test(error.message));
}
