import assert from 'node:assert/strict';
import { evaluateRule, formatRule, parseRule, type AlertRule } from '../../../src/monitoring/rules';
import { referenceFromRun } from '../../../src/monitoring/reference';

const DAY = 86_400_000;
const days = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ start: (from + i) * DAY, end: (from + i + 1) * DAY }));

describe('monitoring: alert rules', () => {
  it('parses "f1 < 0.92 for 48h" and other forms', () => {
    assert.deepEqual(parseRule('f1 < 0.92 for 48h'), { metric: 'f1', operator: '<', threshold: 0.92, forMs: 48 * 3_600_000 });
    assert.deepEqual(parseRule('rmse>=3.5'), { metric: 'rmse', operator: '>=', threshold: 3.5, forMs: 0 });
    assert.deepEqual(parseRule('accuracy <= 0.8 for 2d'), { metric: 'accuracy', operator: '<=', threshold: 0.8, forMs: 2 * DAY });
    assert.equal(formatRule(parseRule('f1 < 0.92 for 48h') as AlertRule), 'f1 < 0.92 for 48h');
    assert.match(parseRule('f1 is low') as string, /cannot read the rule/);
  });

  it('fires only when consecutive windows stay past the threshold for the duration', () => {
    const rule = parseRule('f1 < 0.92 for 48h') as AlertRule;
    //              0     1    2     3    4    5     6    7    8
    const values = [0.95, 0.9, 0.95, 0.9, 0.91, 0.95, 0.9, 0.85, 0.88];
    const breaches = evaluateRule(rule, days(9), values, 'prediction');
    assert.deepEqual(
      breaches.map((b) => [b.start / DAY, b.end / DAY, b.worst, b.windows]),
      [
        [3, 5, 0.9, 2],
        [6, 9, 0.85, 3],
      ],
    );
  });

  it('a gap in time or a window without data breaks a run', () => {
    const rule = parseRule('f1 < 0.92 for 48h') as AlertRule;
    const windows = [...days(1, 0), ...days(1, 2)]; // days 0 and 2: not adjacent
    assert.deepEqual(evaluateRule(rule, windows, [0.5, 0.5]), []);
    assert.deepEqual(evaluateRule(rule, days(3), [0.5, NaN, 0.5]), []);
  });

  it('greater-than rules keep the largest value as the worst', () => {
    const [b] = evaluateRule(parseRule('rmse > 2') as AlertRule, days(3), [1, 3, 4]);
    assert.equal(b.worst, 4);
    assert.equal(b.windows, 2);
  });
});

describe('monitoring: reference dataset of a run', () => {
  it('takes the first known key naming a data file, tags before params', () => {
    assert.deepEqual(referenceFromRun([['train_data', 'data/train.csv']], []), { path: 'data/train.csv', source: 'param train_data' });
    assert.deepEqual(referenceFromRun([['dataset', 'data/a.parquet']], [['train_data', 'data/b.jsonl']]), { path: 'data/b.jsonl', source: 'tag train_data' });
    assert.deepEqual(referenceFromRun([['reference_data', 'ref.csv'], ['train_data', 'train.csv']], []), { path: 'ref.csv', source: 'param reference_data' });
  });

  it('ignores values that are not data files', () => {
    assert.equal(referenceFromRun([['dataset', 'imagenet'], ['data', 's3-bucket']], []), undefined);
  });
});
