import assert from 'node:assert/strict';
import { canPromote, evaluateGates, type GateContext, type GateResult } from '../../../src/policy/gates';
import { parsePolicy, ruleFor, type Policy, type PolicyTarget } from '../../../src/policy/policyFile';

function policyOf(gates: string[], target: PolicyTarget = 'Production', extra = ''): Policy {
  const text = `version: 1\nmodels:\n  "*":\n    ${target}:\n${extra}      gates:\n${gates.map((g) => `        - ${g}`).join('\n')}\n`;
  const parsed = parsePolicy(text, 'policy.yaml');
  assert.ok(parsed.policy, JSON.stringify(parsed.diagnostics));
  return parsed.policy;
}

const ada = { name: 'Ada', email: 'ada@example.com' };

function context(overrides: Partial<GateContext> = {}): GateContext {
  return {
    model: 'churn',
    version: 3,
    targetStage: 'Production',
    requester: ada,
    candidate: { metrics: { accuracy: 0.93, val_loss: 0.3, 'eval/f1-macro': 0.7 }, description: 'gradient boosting, v3 features' },
    current: { version: 2, metrics: { accuracy: 0.91, val_loss: 0.31 } },
    drift: { share: 0.1 },
    approvals: [],
    ...overrides,
  };
}

function only(policy: Policy, ctx: GateContext): GateResult {
  const results = evaluateGates(policy, ctx);
  assert.equal(results.length, 1);
  return results[0];
}

describe('gate evaluation', () => {
  describe('metric gates', () => {
    it('pass, fail, and cannot be evaluated without the metric', () => {
      const policy = policyOf(['metric: accuracy >= 0.9']);
      const pass = only(policy, context());
      assert.deepEqual([pass.status, pass.value, pass.threshold, pass.gate, pass.kind], ['pass', 0.93, 0.9, 'metric: accuracy >= 0.9', 'metric']);
      const fail = only(policy, context({ candidate: { metrics: { accuracy: 0.85 } } }));
      assert.deepEqual([fail.status, fail.value, fail.threshold], ['fail', 0.85, 0.9]);
      assert.match(fail.reason, /accuracy 0\.85 < 0\.9/);
      const missing = only(policy, context({ candidate: { metrics: { acc: 0.99 } } }));
      assert.equal(missing.status, 'not-evaluable');
      assert.match(missing.reason, /no metric "accuracy" \(it has acc\)/);
      const nan = only(policy, context({ candidate: { metrics: { accuracy: NaN } } }));
      assert.equal(nan.status, 'not-evaluable');
      assert.match(nan.reason, /NaN/);
    });

    it('compare with the version now in Production, and cannot be evaluated without one', () => {
      const policy = policyOf(['metric: val_loss <= production.val_loss * 1.02']);
      // 0.31 * 1.02 = 0.3162
      const pass = only(policy, context({ candidate: { metrics: { val_loss: 0.316 } } }));
      assert.equal(pass.status, 'pass');
      assert.ok(Math.abs(pass.threshold! - 0.3162) < 1e-12);
      assert.match(pass.reason, /Production v2: val_loss 0\.31 × 1\.02/);
      const fail = only(policy, context({ candidate: { metrics: { val_loss: 0.317 } } }));
      assert.equal(fail.status, 'fail');
      const nobody = only(policy, context({ current: undefined }));
      assert.equal(nobody.status, 'not-evaluable');
      assert.match(nobody.reason, /no version is in Production/);
      const lacking = only(policy, context({ current: { version: 2, metrics: { accuracy: 0.9 } } }));
      assert.equal(lacking.status, 'not-evaluable');
      assert.match(lacking.reason, /v2 \(in Production\) has no metric "val_loss"/);
    });

    it('read production.* from the Production holder when the target is another stage', () => {
      const policy = policyOf(['metric: accuracy >= production.accuracy', 'metric: accuracy > current.accuracy'], 'Staging');
      const results = evaluateGates(policy, context({ targetStage: 'Staging', current: { version: 1, metrics: { accuracy: 0.95 } }, production: { version: 2, metrics: { accuracy: 0.92 } } }));
      assert.deepEqual(results.map((r) => [r.status, r.threshold]), [['pass', 0.92], ['fail', 0.95]]);
      // Without a Production holder the Staging holder must not stand in for it.
      const alone = evaluateGates(policy, context({ targetStage: 'Staging', current: { version: 1, metrics: { accuracy: 0.5 } } }));
      assert.deepEqual(alone.map((r) => r.status), ['not-evaluable', 'pass']);
    });

    it('match metric names with slashes and dashes exactly', () => {
      assert.equal(only(policyOf(['metric: eval/f1-macro > 0.6']), context()).status, 'pass');
      assert.equal(only(policyOf(['metric: eval/f1 > 0.6']), context()).status, 'not-evaluable');
      // an inherited property name is not a metric
      assert.equal(only(policyOf(['metric: constructor > 0']), context()).status, 'not-evaluable');
    });
  });

  describe('drift gates', () => {
    it('pass, fail, and cannot be evaluated without a drift report', () => {
      const policy = policyOf(['drift.share <= 0.3']);
      const pass = only(policy, context({ drift: { share: 0.3 } }));
      assert.deepEqual([pass.status, pass.kind, pass.value, pass.threshold], ['pass', 'drift', 0.3, 0.3]);
      const fail = only(policy, context({ drift: { share: 0.45 } }));
      assert.equal(fail.status, 'fail');
      assert.match(fail.reason, /drift\.share 0\.45 > 0\.3/);
      const none = only(policy, context({ drift: undefined }));
      assert.equal(none.status, 'not-evaluable');
      assert.match(none.reason, /no drift report/);
      assert.equal(only(policyOf(['drift: share < 0.5']), context({ drift: { share: 0.2 } })).status, 'pass');
    });
  });

  describe('approval gates', () => {
    const bob = { name: 'Bob', email: 'bob@example.com', time: '2026-11-02T10:00:00.000Z' };
    const carol = { name: 'Carol', email: 'carol@example.com', time: '2026-11-02T11:00:00.000Z' };
    const listed = policyOf(['approvals: 2\n          approvers: [ada@example.com, bob@example.com, Carol]']);

    it('pass with enough distinct approvers, fail without, and cannot be evaluated when approvals are unknown', () => {
      const pass = only(listed, context({ approvals: [bob, carol] }));
      assert.deepEqual([pass.status, pass.value, pass.threshold], ['pass', 2, 2]);
      assert.match(pass.reason, /2 of 2 approvals: Bob, Carol/);
      const fail = only(listed, context({ approvals: [bob] }));
      assert.deepEqual([fail.status, fail.value], ['fail', 1]);
      const unknown = only(listed, context({ approvals: undefined }));
      assert.equal(unknown.status, 'not-evaluable');
    });

    it('count one person approving twice once, even with another display name or e-mail case', () => {
      const twice = only(listed, context({ approvals: [bob, { ...bob, time: '2026-11-03T00:00:00.000Z' }] }));
      assert.deepEqual([twice.status, twice.value], ['fail', 1]);
      assert.match(twice.reason, /more than once/);
      const renamed = only(listed, context({ approvals: [bob, { name: 'Robert', email: 'BOB@example.com', time: '2026-11-03T00:00:00.000Z' }] }));
      assert.equal(renamed.value, 1);
      // The same name from a machine without a configured e-mail is the same person too (fail-safe).
      const noEmail = only(policyOf(['approvals: 2']), context({ approvals: [bob, { name: 'bob', time: '2026-11-03T00:00:00.000Z' }] }));
      assert.equal(noEmail.value, 1);
    });

    it('count only listed approvers (an e-mail entry matches the e-mail, a name entry the name)', () => {
      const mallory = { name: 'Mallory', email: 'mallory@example.com', time: '2026-11-02T09:00:00.000Z' };
      const bobByName = { name: 'bob@example.com', time: '2026-11-02T09:30:00.000Z' }; // a name is not an e-mail
      const result = only(listed, context({ approvals: [mallory, bobByName, carol] }));
      assert.deepEqual([result.status, result.value], ['fail', 1]);
      assert.match(result.reason, /Mallory <mallory@example\.com> is not a listed approver/);
      // Without a list, anyone but the requester counts.
      assert.equal(only(policyOf(['approvals: 2']), context({ approvals: [mallory, carol] })).status, 'pass');
    });

    it('ignore the requester’s own approval unless excludeRequester is false', () => {
      const own = { name: 'Ada', email: 'ada@example.com', time: '2026-11-02T08:00:00.000Z' };
      const excluded = only(listed, context({ approvals: [own, bob] }));
      assert.deepEqual([excluded.status, excluded.value], ['fail', 1]);
      assert.match(excluded.reason, /requester/);
      const allowed = policyOf(['approvals: 2\n          approvers: [ada@example.com, bob@example.com]\n          excludeRequester: false']);
      assert.equal(only(allowed, context({ approvals: [own, bob] })).status, 'pass');
    });
  });

  describe('require gates', () => {
    it('pass with a description or reason, fail without', () => {
      const description = policyOf(['require: description']);
      assert.equal(only(description, context()).status, 'pass');
      assert.equal(only(description, context({ candidate: { metrics: {} } })).status, 'fail');
      assert.equal(only(description, context({ candidate: { metrics: {}, description: '   ' } })).status, 'fail');
      const reason = policyOf(['require: reason']);
      assert.equal(only(reason, context({ reason: 'beats v2 on the holdout' })).status, 'pass');
      assert.equal(only(reason, context()).status, 'fail');
    });
  });

  it('evaluates nothing where no rule applies, and every gate of a rule in order', () => {
    const policy = policyOf(['metric: accuracy >= 0.9', 'drift.share <= 0.3', 'approvals: 1', 'require: description']);
    assert.deepEqual(evaluateGates(policy, context({ targetStage: 'Staging' })), []);
    const results = evaluateGates(policy, context({ approvals: [{ name: 'Bob', time: '2026-11-02T10:00:00.000Z' }] }));
    assert.deepEqual(results.map((r) => [r.kind, r.status, r.line]), [['metric', 'pass', 6], ['drift', 'pass', 7], ['approvals', 'pass', 8], ['require', 'pass', 9]]);
  });
});

describe('promotion decision', () => {
  const failing = policyOf(['metric: accuracy >= 0.99', 'metric: accuracy >= 0.5']);
  const overridable = policyOf(['metric: accuracy >= 0.99'], 'Production', '      allowOverride: true\n');

  it('allows a move whose gates all pass, and blocks one with a failing gate', () => {
    const passing = policyOf(['metric: accuracy >= 0.5']);
    const ok = canPromote(evaluateGates(passing, context()), ruleFor(passing, 'churn', 'Production')?.rule);
    assert.deepEqual([ok.allowed, ok.overridden, ok.blockedBy.length], [true, false, 0]);
    const results = evaluateGates(failing, context());
    const blocked = canPromote(results, ruleFor(failing, 'churn', 'Production')?.rule);
    assert.deepEqual([blocked.allowed, blocked.overridden], [false, false]);
    assert.deepEqual(blocked.blockedBy.map((r) => r.gate), ['metric: accuracy >= 0.99']);
    assert.deepEqual(canPromote([], undefined), { allowed: true, overridden: false, blockedBy: [], message: 'no gates apply' });
  });

  it('blocks on a gate that cannot be evaluated just as on a failing one', () => {
    const policy = policyOf(['metric: auc >= 0.5']);
    const decision = canPromote(evaluateGates(policy, context()), ruleFor(policy, 'churn', 'Production')?.rule);
    assert.equal(decision.allowed, false);
    assert.equal(decision.blockedBy[0].status, 'not-evaluable');
  });

  it('allows an override only where the policy does, and only with a justification', () => {
    const notAllowed = canPromote(evaluateGates(failing, context()), ruleFor(failing, 'churn', 'Production')?.rule, { justification: 'hotfix for incident 42' });
    assert.deepEqual([notAllowed.allowed, notAllowed.overridden], [false, false]);
    assert.match(notAllowed.message, /does not allow an override/);
    const rule = ruleFor(overridable, 'churn', 'Production')?.rule;
    const results = evaluateGates(overridable, context());
    const allowed = canPromote(results, rule, { justification: 'hotfix for incident 42' });
    assert.deepEqual([allowed.allowed, allowed.overridden, allowed.blockedBy.length], [true, true, 1]);
    for (const justification of ['', '   ', undefined]) {
      const without = canPromote(results, rule, { justification });
      assert.deepEqual([without.allowed, without.overridden], [false, false]);
      assert.match(without.message, /justification/);
    }
  });
});
