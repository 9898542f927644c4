import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { loadPolicy } from '../../../src/policy';
import { buildPromotionState } from '../../../src/promotion/promotionState';
import { isFromPromotionWebview } from '../../../src/shared/promotionProtocol';
import { useTempDir } from '../helpers';
import { ADA, BOB, buildFixture, type Fixture } from '../report/fixture';

async function stateFor(f: Fixture, version: number, target: 'Production' | 'Staging' | 'Archived', identity = ADA) {
  const snapshot = await f.registryAs(identity).snapshot();
  return buildPromotionState({
    folder: 'file:///ws',
    state: snapshot.state,
    events: snapshot.read.events,
    model: 'churn',
    version,
    target,
    policy: await loadPolicy(f.policyFile),
    policyLabel: '.model-ledger/policy.yaml',
    db: f.store.db,
    identity,
  });
}

describe('promotion panel state', () => {
  const tmp = useTempDir();

  it('puts the candidate beside the Production holder, with one failing and one passing gate, approvals and history', async () => {
    const f = await buildFixture(tmp.path);
    // v3 from run a again (accuracy 0.91, val_loss 0.3) against Production v2 (0.93, 0.305).
    await f.registryAs(ADA).register({ model: 'churn', runUid: 'jsonl:runs/a.jsonl', description: 'retrained' });
    writeFileSync(f.policyFile, 'version: 1\nmodels:\n  churn:\n    Production:\n      allowOverride: true\n      gates:\n        - metric: accuracy >= 0.92\n        - metric: val_loss <= production.val_loss\n        - require: reason\n');
    const s = await stateFor(f, 3, 'Production', BOB);
    assert.equal(s.current?.version, 2);
    assert.equal(s.candidate.runName, 'run-a');
    assert.deepEqual(s.metrics.map((m) => m.key), ['accuracy', 'val_loss']);
    assert.ok(Math.abs(s.metrics[0].candidate! - 0.91) < 1e-6 && Math.abs(s.metrics[0].current! - 0.93) < 1e-6);
    assert.deepEqual(s.params, [{ key: 'lr', candidate: '0.01', current: '0.003' }], 'only the differing param');
    assert.equal(s.paramCount, 2);
    assert.equal(s.drift, null);
    assert.deepEqual(s.gates.map((g) => [g.gate, g.status, g.needsReason]), [
      ['metric: accuracy >= 0.92', 'fail', false],
      ['metric: val_loss <= production.val_loss', 'pass', false],
      ['require: reason', 'fail', true],
    ]);
    assert.equal(s.gatesPass, false);
    assert.equal(s.policy.scope, 'churn');
    assert.equal(s.policy.allowOverride, true);
    assert.equal(s.blocked, null);
    assert.equal(s.rollbackTo, 1);
    assert.equal(s.productionVersion, 2);
    // History: every churn event (7 written), newest first.
    assert.equal(s.history.length, 7);
    assert.deepEqual(s.history.slice(0, 2).map((h) => [h.action, h.version]), [['register', 3], ['set-alias', 2]]);
    const promotion = s.history.find((h) => h.action === 'transition' && h.version === 2)!;
    assert.deepEqual(promotion.gates.map((g) => g.status), ['pass', 'pass']);
    assert.equal(s.approvals.length, 0, 'Bob approved v2, not v3');
  });

  it('counts an approval by the current identity, blocks on an invalid policy and on a move to the stage it holds', async () => {
    const f = await buildFixture(tmp.path);
    await f.registryAs(ADA).register({ model: 'churn', runUid: 'jsonl:runs/a.jsonl' });
    await f.registryAs(BOB).approve({ model: 'churn', version: 3, stage: 'Production' });
    const asBob = await stateFor(f, 3, 'Production', BOB);
    assert.equal(asBob.approvedByMe, true);
    assert.deepEqual(asBob.approvals.map((a) => a.name), ['Bob Noyce']);
    assert.equal((await stateFor(f, 3, 'Production', ADA)).approvedByMe, false);
    assert.match((await stateFor(f, 2, 'Production')).blocked ?? '', /already in Production/);
    writeFileSync(f.policyFile, 'version: 1\nmodels:\n  "*":\n    Production:\n      gates:\n        - metric: accuracy >>= 0.9\n');
    const invalid = await stateFor(f, 3, 'Production');
    assert.equal(invalid.policy.state, 'invalid');
    assert.match(invalid.blocked ?? '', /has errors/);
    assert.match(invalid.policy.problems[0], /^6:\d+ /, 'the problem names the gate’s line');
  });

  it('accepts only well-formed messages from the webview', () => {
    assert.ok(isFromPromotionWebview({ type: 'promote', reason: 'x' }));
    assert.ok(isFromPromotionWebview({ type: 'promote', reason: 'x', justification: 'hotfix' }));
    assert.ok(!isFromPromotionWebview({ type: 'promote' }));
    assert.ok(!isFromPromotionWebview({ type: 'setTarget', stage: 'Prod' }));
    assert.ok(!isFromPromotionWebview({ type: 'setVersion', version: 1.5 }));
    assert.ok(!isFromPromotionWebview({ type: 'rollback', reason: 3 }));
    assert.ok(!isFromPromotionWebview('ready'));
  });
});
