import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LedgerRegistry } from '../../../src/registry/ledgerRegistry';
import { appendMetricPoints, Store } from '../../../src/store';
import { gateContextFor, holderOf, judgeMove, lastMetricValues, policyTargetFor } from '../../../src/policy/context';
import { DRIFT_FIELDS, GATE_KINDS, parsePolicy, POLICY_TARGETS, REQUIREMENTS } from '../../../src/policy/policyFile';
import { useTempDir } from '../helpers';

describe('gate context from the registry', () => {
  const tmp = useTempDir();

  it('names the rule a move answers to, the current holders, and the approvals for that stage only', async () => {
    let clock = Date.UTC(2026, 10, 1);
    const as = (name: string) => new LedgerRegistry(path.join(tmp.path, 'ledger.jsonl'), async () => ({ name, email: `${name.toLowerCase()}@example.com` }), () => new Date((clock += 60_000)));
    for (const run of ['a', 'b', 'c', 'd']) await as('Ada').register({ model: 'm', runUid: `run:${run}`, ...(run === 'c' ? { description: 'the candidate' } : {}) });
    await as('Ada').transition({ model: 'm', version: 1, stage: 'Production' });
    await as('Ada').transition({ model: 'm', version: 2, stage: 'Staging' });
    await as('Ada').transition({ model: 'm', version: 4, stage: 'Staging' }); // entered Staging last
    await as('Bob').approve({ model: 'm', version: 3, stage: 'Production' });
    await as('Eve').approve({ model: 'm', version: 3, stage: 'Staging' });
    const model = (await as('Ada').snapshot()).state.models.get('m')!;
    const v3 = model.versions.get(3)!;

    assert.equal(policyTargetFor(v3, 'None'), undefined);
    assert.equal(policyTargetFor(v3, 'Production'), 'Production');
    assert.equal(policyTargetFor(v3, 'Production', { rollback: true }), 'rollback');
    assert.equal(policyTargetFor(v3, 'Staging'), 'Staging');
    assert.equal(holderOf(model, 'Staging', 3)?.version, 4);
    assert.equal(holderOf(model, 'Staging', 4)?.version, 2);
    assert.equal(holderOf(model, 'Production', 1), undefined, 'the candidate is not its own holder');

    const metrics: Record<string, Record<string, number>> = { 'run:a': { acc: 0.9 }, 'run:b': { acc: 0.8 }, 'run:c': { acc: 0.95 }, 'run:d': { acc: 0.85 } };
    const inputs = { requester: { name: 'Ada' }, metricsOf: (_m: string, v: { runUid?: string }) => metrics[v.runUid ?? ''], reason: 'why not' };
    const toProduction = gateContextFor(model, v3, 'Production', inputs);
    assert.deepEqual(toProduction.current, { version: 1, metrics: { acc: 0.9 } });
    assert.deepEqual(toProduction.production, { version: 1, metrics: { acc: 0.9 } });
    assert.deepEqual(toProduction.candidate, { metrics: { acc: 0.95 }, description: 'the candidate' });
    assert.deepEqual(toProduction.approvals?.map((a) => a.name), ['Bob']);
    assert.equal(toProduction.reason, 'why not');
    const toStaging = gateContextFor(model, v3, 'Staging', inputs);
    assert.deepEqual([toStaging.current?.version, toStaging.production?.version], [4, 1]);
    assert.deepEqual(toStaging.approvals?.map((a) => a.name), ['Eve']);
    assert.equal(gateContextFor(model, v3, 'Archived', inputs).current, undefined);

    const policy = parsePolicy('version: 1\nmodels:\n  "*":\n    Production:\n      gates:\n        - metric: acc > production.acc\n        - approvals: 1\n    Staging:\n      gates: []\n').policy!;
    const judged = judgeMove(policy, model, v3, 'Production', inputs);
    assert.deepEqual([judged?.target, judged?.scope, judged?.decision.allowed, judged?.results.map((r) => r.status)], ['Production', '*', true, ['pass', 'pass']]);
    assert.equal(judgeMove(policy, model, v3, 'Staging', inputs), undefined, 'a rule without gates gates nothing');
    assert.equal(judgeMove(policy, model, v3, 'None', inputs), undefined);
    assert.equal(judgeMove(policy, model, model.versions.get(2)!, 'Production', inputs)?.decision.allowed, false, 'v2 is worse and unapproved');

    // Moving v1 out of Production and back is a rollback.
    await as('Ada').transition({ model: 'm', version: 3, stage: 'Production' });
    const after = (await as('Ada').snapshot()).state.models.get('m')!;
    assert.equal(policyTargetFor(after.versions.get(1)!, 'Production'), 'rollback');
  });

  it('reads the last value (at the largest step) of every metric of a run in the store', async () => {
    const { store } = await Store.open(undefined);
    try {
      store.db.run("INSERT INTO experiments (id, uid, name, format) VALUES (1, 'x:e', 'e', 'x')");
      store.db.run("INSERT INTO runs (id, uid, experiment_id, format) VALUES (7, 'x:run', 1, 'x')");
      appendMetricPoints(store.db, 7, 'acc', { steps: [0, 2, 1], timestamps: [10, 30, 20], values: [0.5, 0.61, 0.7] });
      appendMetricPoints(store.db, 7, 'eval/loss', { steps: [5], timestamps: [50], values: [NaN] });
      const values = lastMetricValues(store.db, 'x:run');
      assert.ok(values);
      assert.deepEqual(Object.keys(values).sort(), ['acc', 'eval/loss']);
      assert.equal(values.acc, 0.61);
      assert.ok(Number.isNaN(values['eval/loss']));
      assert.equal(lastMetricValues(store.db, 'x:missing'), undefined);
    } finally {
      await store.close();
    }
  });

  it('the editor’s JSON Schema knows the same stages, gate kinds and requirements as the parser', () => {
    const schema = JSON.parse(readFileSync(path.join(__dirname, '../../../../media/policy.schema.json'), 'utf8'));
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.deepEqual(Object.keys(schema.definitions.modelRules.properties), [...POLICY_TARGETS]);
    const kinds = schema.definitions.gate.oneOf.filter((g: { required?: string[] }) => g.required).map((g: { required: string[] }) => g.required[0]);
    assert.deepEqual(kinds, [...GATE_KINDS]);
    const require = schema.definitions.gate.oneOf.find((g: { required?: string[] }) => g.required?.[0] === 'require');
    assert.deepEqual(require.properties.require.enum, [...REQUIREMENTS]);
    const drift = schema.definitions.gate.oneOf.find((g: { required?: string[] }) => g.required?.[0] === 'drift');
    for (const field of DRIFT_FIELDS) assert.match(`${field} <= 0.3`, new RegExp(drift.properties.drift.pattern));
    assert.deepEqual(Object.keys(schema.definitions.stageRule.properties).sort(), ['allowOverride', 'gates', 'signatures']);
  });
});
