import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { appendToLedger, readLedger } from '../../../src/registry/ledgerFile';
import { LedgerRegistry } from '../../../src/registry/ledgerRegistry';
import { project, type VersionState } from '../../../src/registry/projection';
import { checkLedgerAgainstPolicy } from '../../../src/policy/ledgerCheck';
import { parsePolicy, type Policy } from '../../../src/policy/policyFile';
import { useTempDir } from '../helpers';

const PEOPLE = {
  ada: { name: 'Ada Lovelace', email: 'ada@example.com' },
  bob: { name: 'Bob Noyce', email: 'bob@example.com' },
  eve: { name: 'Eve', email: 'eve@example.com' },
};

/** The last metric values of each source run, as the store would give them. */
const RUN_METRICS: Record<string, Record<string, number>> = {
  'mlflow-file:mlruns/1/a': { accuracy: 0.92, val_loss: 0.3 },
  'mlflow-file:mlruns/1/b': { accuracy: 0.95, val_loss: 0.29 },
  'mlflow-file:mlruns/1/c': { accuracy: 0.8, val_loss: 0.5 },
};
const metricsOf = (_model: string, version: VersionState) => (version.runUid ? RUN_METRICS[version.runUid] : undefined);

function policy(text: string): Policy {
  const parsed = parsePolicy(text, '.model-ledger/policy.yaml');
  assert.ok(parsed.policy, JSON.stringify(parsed.diagnostics));
  return parsed.policy;
}

const STRICT = policy(`version: 1
models:
  "*":
    Production:
      gates:
        - metric: accuracy >= 0.9
        - approvals: 1
          approvers: [bob@example.com, eve@example.com]
`);

const OVERRIDABLE = policy(`version: 1
models:
  "*":
    Production:
      allowOverride: true
      gates:
        - metric: accuracy >= 0.9
`);

describe('ledger against policy (verify --policy)', () => {
  const tmp = useTempDir();
  const ledger = () => path.join(tmp.path, '.model-ledger', 'ledger.jsonl');
  let clock = Date.UTC(2026, 10, 1);
  const as = (who: keyof typeof PEOPLE) => new LedgerRegistry(ledger(), async () => PEOPLE[who], () => new Date((clock += 60_000)));
  const lineCount = () => readFileSync(ledger(), 'utf8').trimEnd().split('\n').length;

  /** v1 and v2 promoted by the rules: approved by a listed approver, accurate enough. v3 is registered, not promoted. */
  async function compliantLedger(): Promise<void> {
    await as('ada').register({ model: 'churn', runUid: 'mlflow-file:mlruns/1/a' });
    await as('ada').register({ model: 'churn', runUid: 'mlflow-file:mlruns/1/b' });
    await as('ada').register({ model: 'churn', runUid: 'mlflow-file:mlruns/1/c' });
    await as('bob').approve({ model: 'churn', version: 1, stage: 'Production' });
    await as('ada').transition({ model: 'churn', version: 1, stage: 'Production', reason: 'first release' });
    await as('eve').approve({ model: 'churn', version: 2, stage: 'Production' });
    await as('ada').transition({ model: 'churn', version: 2, stage: 'Production', reason: 'better' });
  }

  /** What someone bypassing the gates writes: a well-formed, correctly chained transition. */
  async function forgeTransition(version: number, stage: string, actor = PEOPLE.ada, extra: Record<string, unknown> = {}): Promise<number> {
    await appendToLedger(ledger(), (current) => {
      const before = project(current.events).state.models.get('churn')?.versions.get(version)?.stage;
      return [{ time: new Date((clock += 60_000)).toISOString(), actor, action: 'transition', model: 'churn', version, before: before ? { stage: before } : null, after: { stage, ...extra } }];
    });
    return lineCount();
  }

  async function check(policyInForce: Policy | undefined) {
    const read = await readLedger(ledger());
    assert.deepEqual(read.problems, [], 'the ledger itself is intact');
    return checkLedgerAgainstPolicy(read.events, () => policyInForce, metricsOf);
  }

  it('accepts a ledger whose every transition passed its gates', async () => {
    await compliantLedger();
    assert.deepEqual(await check(STRICT), []);
    assert.deepEqual(await check(undefined), [], 'no policy: nothing gated');
  });

  it('rejects a transition appended without approvals and below the threshold, at its line, with the failed gates', async () => {
    await compliantLedger();
    const line = await forgeTransition(3, 'Production');
    const problems = await check(STRICT);
    assert.equal(problems.length, 1);
    const [problem] = problems;
    assert.equal(problem.line, line);
    assert.equal(problem.kind, 'policy');
    assert.deepEqual([problem.model, problem.version, problem.target, problem.scope], ['churn', 3, 'Production', '*']);
    assert.deepEqual(problem.failed.map((r) => [r.gate, r.status]), [['metric: accuracy >= 0.9', 'fail'], ['approvals: 1', 'fail']]);
    assert.match(problem.message, /churn v3 → Production by Ada Lovelace broke the policy/);
  });

  it('does not count the requester’s own approval, an unlisted approver, or an approval for another stage', async () => {
    await compliantLedger();
    await as('ada').register({ model: 'churn', runUid: 'mlflow-file:mlruns/1/b' }); // v4, accurate enough
    await as('ada').approve({ model: 'churn', version: 4, stage: 'Production' }); // Ada is not listed
    await as('bob').approve({ model: 'churn', version: 4, stage: 'Staging' }); // another stage
    const line = await forgeTransition(4, 'Production', PEOPLE.bob); // Bob requests: his approval would not count anyway
    const problems = await check(STRICT);
    assert.deepEqual(problems.map((p) => [p.line, p.failed.map((r) => r.gate)]), [[line, ['approvals: 1']]]);
    assert.match(problems[0].failed[0].reason, /0 of 1/);
  });

  it('accepts an override only where the policy allows one, with a justification', async () => {
    await compliantLedger();
    const line = await forgeTransition(3, 'Production', PEOPLE.ada, { override: { justification: 'incident 42: v2 leaks PII' } });
    assert.deepEqual(await check(OVERRIDABLE), []);
    const strict = await check(STRICT);
    assert.deepEqual(strict.map((p) => p.line), [line]);
    assert.match(strict[0].message, /does not allow overrides/);
  });

  it('rejects an override without a justification even where overrides are allowed', async () => {
    await compliantLedger();
    const line = await forgeTransition(3, 'Production', PEOPLE.ada, { override: { justification: '  ' } });
    const problems = await check(OVERRIDABLE);
    assert.deepEqual(problems.map((p) => p.line), [line]);
    assert.match(problems[0].message, /justification/);
  });

  it('judges a rollback by the rollback rule, and leaves it ungated without one', async () => {
    await compliantLedger();
    await as('ada').rollback({ model: 'churn', reason: 'v2 regressed' });
    const line = lineCount();
    assert.deepEqual(await check(STRICT), [], 'the Production gates do not apply to a rollback');
    const gatedRollback = policy(`version: 1\nmodels:\n  churn:\n    rollback:\n      gates:\n        - require: reason\n        - approvals: 1\n`);
    const problems = await check(gatedRollback);
    assert.deepEqual(problems.map((p) => [p.line, p.target, p.scope, p.failed.map((r) => r.gate)]), [[line, 'rollback', 'churn', ['approvals: 1']]]);
  });

  it('leaves illegal events to the projection and ungoverned stages alone', async () => {
    await compliantLedger();
    await forgeTransition(9, 'Production'); // no such version: project() reports it, not the policy check
    await as('ada').transition({ model: 'churn', version: 3, stage: 'Staging' }); // no Staging rule
    const read = await readLedger(ledger());
    assert.equal(project(read.events).problems.length, 1);
    assert.deepEqual(checkLedgerAgainstPolicy(read.events, () => STRICT, metricsOf), []);
  });

  it('fails a gate whose metric is not in the store rather than passing it', async () => {
    await compliantLedger();
    const read = await readLedger(ledger());
    const problems = checkLedgerAgainstPolicy(read.events, () => STRICT, () => undefined);
    assert.equal(problems.length, 2, 'both promotions are unproven without metrics');
    assert.ok(problems.every((p) => p.failed.length === 1 && p.failed[0].status === 'not-evaluable'));
  });
});
