import assert from 'node:assert/strict';
import { parsePolicy } from '../../../src/policy/policyFile';

describe('policy: monitoring section', () => {
  it('reads alert rules and the drift share', () => {
    const { policy, diagnostics } = parsePolicy('version: 1\nmodels: {}\nmonitoring:\n  rules: ["f1 < 0.92 for 48h", "rmse > 3"]\n  drift_share: 0.3\n');
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(policy?.monitoring, {
      rules: [
        { metric: 'f1', operator: '<', threshold: 0.92, forMs: 48 * 3_600_000 },
        { metric: 'rmse', operator: '>', threshold: 3, forMs: 0 },
      ],
      driftShare: 0.3,
    });
  });

  it('a policy without the section has none', () => {
    assert.equal(parsePolicy('version: 1\nmodels: {}\n').policy?.monitoring, undefined);
  });

  it('reports a bad rule, a bad share and an unknown key at their lines', () => {
    const { policy, diagnostics } = parsePolicy('version: 1\nmodels: {}\nmonitoring:\n  rules:\n    - f1 is low\n  drift_share: 2\n  window: day\n');
    assert.equal(policy, undefined);
    assert.deepEqual(
      diagnostics.map((d) => [d.line, d.message.split(':')[0]]),
      [
        [5, 'monitoring.rules'],
        [6, 'monitoring.drift_share'],
        [7, 'monitoring'],
      ],
    );
  });
});
