import assert from 'node:assert/strict';
import { activeAlertKeys, alertTransitions, crossingKey, endedBody, startedBody, type Crossing } from '../../../src/monitoring/alertState';

const drift: Crossing = { rule: 'drift_share >= 0.5', value: 0.6, text: 'dataset drift' };
const f1: Crossing = { rule: 'f1 < 0.92 for 48h', series: 'prediction', start: '2026-11-08T00:00:00.000Z', end: '2026-11-10T00:00:00.000Z', value: 0.9, text: 'f1 breach' };

describe('monitoring/alertState: alerts change state, reports do not', () => {
  it('a report read again with the same crossings starts nothing and ends nothing', () => {
    const active = new Set([crossingKey(drift), crossingKey(f1)]);
    const again = alertTransitions(active, [drift, { ...f1, end: '2026-11-12T00:00:00.000Z', value: 0.88 }]);
    assert.deepEqual(again, { started: [], ended: [] });
  });

  it('a new breach starts; a recovered one ends', () => {
    const t = alertTransitions(new Set([crossingKey(drift)]), [f1]);
    assert.deepEqual(t.started, [f1]);
    assert.deepEqual(t.ended, [crossingKey(drift)]);
  });

  it('replays started and ended ledger bodies into what is still active', () => {
    const bodies = [startedBody(drift), startedBody(f1), endedBody(crossingKey(drift))];
    assert.deepEqual([...activeAlertKeys(bodies)], [crossingKey(f1)]);
    assert.deepEqual(endedBody(crossingKey(f1)), { rule: f1.rule, series: 'prediction', start: f1.start, state: 'ended' });
    // Events written before states existed (no `state`) count as started.
    assert.equal(activeAlertKeys([{ rule: drift.rule, value: 0.7 }]).has(crossingKey(drift)), true);
  });

  it('ignores alert bodies without a rule', () => {
    assert.equal(activeAlertKeys([{ value: 1 }, { rule: 42 }]).size, 0);
  });
});
