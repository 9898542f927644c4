import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compare, parseComparison, resolveThreshold } from '../../../src/policy/expressions';
import { parsePolicy } from '../../../src/policy/policyFile';

describe('gate expressions', () => {
  it('parses names with / . - and quotes, every operator, numbers and relative thresholds', () => {
    const cases: [string, string, string, unknown][] = [
      ['accuracy >= 0.9', 'accuracy', '>=', { kind: 'number', value: 0.9 }],
      ['eval/f1-macro>.5', 'eval/f1-macro', '>', { kind: 'number', value: 0.5 }],
      ['train.loss < 1e-3', 'train.loss', '<', { kind: 'number', value: 0.001 }],
      ['delta != -2', 'delta', '!=', { kind: 'number', value: -2 }],
      ['"val acc" == 1', 'val acc', '==', { kind: 'number', value: 1 }],
      ["'a >= b' <= 3", 'a >= b', '<=', { kind: 'number', value: 3 }],
      ['val_loss <= production.val_loss * 1.02', 'val_loss', '<=', { kind: 'relative', holder: 'production', metric: 'val_loss', arithmetic: { op: '*', operand: 1.02 } }],
      ['acc >= current.acc - 0.01', 'acc', '>=', { kind: 'relative', holder: 'current', metric: 'acc', arithmetic: { op: '-', operand: 0.01 } }],
      ['acc >= production."val acc" + -1', 'acc', '>=', { kind: 'relative', holder: 'production', metric: 'val acc', arithmetic: { op: '+', operand: -1 } }],
      ['eval/acc > production.eval/acc', 'eval/acc', '>', { kind: 'relative', holder: 'production', metric: 'eval/acc' }],
    ];
    for (const [text, subject, operator, threshold] of cases) {
      const { comparison, error } = parseComparison(text);
      assert.equal(error, undefined, text);
      assert.deepEqual({ subject: comparison?.subject, operator: comparison?.operator, threshold: comparison?.threshold }, { subject, operator, threshold }, text);
    }
  });

  it('says where an expression is wrong', () => {
    const cases: [string, number, RegExp][] = [
      ['accuracy >= high', 12, /"high" is not a number/],
      ['accuracy => 0.9', 9, /write >= \(not =>\)/],
      ['accuracy 0.9', 9, /expected one of/],
      ['accuracy = 0.9', 9, /use ==/],
      ['accuracy >=', 10, /threshold is missing/],
      ['>= 0.9', 0, /metric name first/],
      ['acc >= 0.9 extra', 11, /unexpected "extra"/],
      ['"acc >= 1', 0, /unterminated/],
      ['acc >= 1e999', 7, /finite/],
      ['acc >= production.acc * x', 24, /expected a number/],
      ['production.acc > acc', 0, /on the right/],
      ['acc ~ 1', 4, /unexpected character/],
      ['', 0, /empty expression/],
      ['acc >= production.', 7, /metric name is missing/],
    ];
    for (const [text, start, message] of cases) {
      const { comparison, error } = parseComparison(text);
      assert.equal(comparison, undefined, text);
      assert.ok(error, text);
      assert.equal(error.start, start, text);
      assert.match(error.message, message, text);
    }
  });

  it('compares and resolves relative thresholds', () => {
    assert.equal(compare(0.9, '>=', 0.9), true);
    assert.equal(compare(0.9, '>', 0.9), false);
    assert.equal(compare(1, '!=', 2), true);
    const threshold = parseComparison('l <= production.l * 1.5').comparison!.threshold;
    assert.equal(resolveThreshold(threshold, (holder, metric) => (holder === 'production' && metric === 'l' ? 2 : undefined)), 3);
    assert.equal(resolveThreshold(threshold, () => undefined), undefined);
    assert.equal(resolveThreshold(parseComparison('l <= current.l - 1').comparison!.threshold, () => 2), 1);
  });

  it('never throws and never evaluates code, whatever the text', () => {
    (globalThis as Record<string, unknown>).policyPwned = false;
    assert.ok(parseComparison('globalThis.policyPwned = true').error);
    assert.ok(parseComparison('acc >= (globalThis.policyPwned = 1)').error);
    assert.equal((globalThis as Record<string, unknown>).policyPwned, false);
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (text) => void parseComparison(text)), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => void parsePolicy(text)), { numRuns: 500 });
    const base = 'version: 1\nmodels:\n  "*":\n    Production:\n      gates:\n        - metric: a >= 1\n        - approvals: 2\n          approvers: [x@y]\n';
    fc.assert(
      fc.property(fc.nat(base.length), fc.nat(base.length), fc.string({ maxLength: 6 }), (from, length, insert) => {
        const text = base.slice(0, from) + insert + base.slice(from + (length % 8));
        const parsed = parsePolicy(text);
        for (const d of parsed.diagnostics) assert.ok(d.line >= 1 && d.column >= 1);
      }),
      { numRuns: 1000 },
    );
  });
});
