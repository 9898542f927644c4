// A small workspace for the report and promotion tests: a ledger written through LedgerRegistry with
// known events, a policy, an in-memory store with the source runs, and a data file with a known hash.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parsePolicy, policyMoveCheck } from '../../../src/policy';
import type { Actor } from '../../../src/registry/events';
import { LedgerRegistry } from '../../../src/registry/ledgerRegistry';
import { appendMetricPoints, Store } from '../../../src/store';

export const ADA: Actor = { name: 'Ada Lovelace', email: 'ada@example.com' };
export const BOB: Actor = { name: 'Bob Noyce', email: 'bob@example.com' };
export const HOSTILE_DESCRIPTION = '<script>alert("pwned")</script> & <img src=x onerror=alert(2)>';
/** `a,b\n1,2\n`, hashed with python3's hashlib.sha256 (not by the code under test). */
export const DATA_SHA256 = '492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470';
export const POLICY_TEXT = 'version: 1\nmodels:\n  "*":\n    Production:\n      gates:\n        - metric: accuracy >= 0.9\n        - metric: val_loss <= production.val_loss * 1.02\n';

export interface Fixture {
  readonly root: string;
  readonly ledger: string;
  readonly policyFile: string;
  readonly store: Store;
  registryAs(actor: Actor): LedgerRegistry;
}

/**
 * Events, in order: 1 register churn v1 (run a, hostile description), 2 register churn v2 (run b),
 * 3 churn v1 → Production (gates pass: nothing in Production yet, so the relative gate... is not
 * evaluable — the policy is applied only from event 5 on), 4 approve churn v2 for Production by Bob,
 * 5 churn v2 → Production by Ada under the policy (both gates pass; v1 archived), 6 alias champion → v2,
 * 7 register other v1 (no run).
 */
export async function buildFixture(root: string): Promise<Fixture> {
  mkdirSync(path.join(root, '.model-ledger'), { recursive: true });
  mkdirSync(path.join(root, 'data'), { recursive: true });
  writeFileSync(path.join(root, 'data', 'train.csv'), 'a,b\n1,2\n');
  const policyFile = path.join(root, '.model-ledger', 'policy.yaml');
  writeFileSync(policyFile, POLICY_TEXT);
  const ledger = path.join(root, '.model-ledger', 'ledger.jsonl');
  const { store } = await Store.open(undefined);
  store.db.run("INSERT INTO experiments (id, uid, name, format) VALUES (1, 'jsonl:churn', 'churn-exp', 'jsonl')");
  store.db.run("INSERT INTO runs (id, uid, experiment_id, name, format, source_path) VALUES (1, 'jsonl:runs/a.jsonl', 1, 'run-a', 'jsonl', 'runs/a.jsonl')");
  store.db.run("INSERT INTO runs (id, uid, experiment_id, name, format, source_path) VALUES (2, 'jsonl:runs/b.jsonl', 1, 'run-b', 'jsonl', 'runs/b.jsonl')");
  store.db.run("INSERT INTO params (run_id, key, value) VALUES (1, 'lr', '0.01'), (1, 'train_data', 'data/train.csv'), (2, 'lr', '0.003'), (2, 'train_data', 'data/train.csv')");
  const metric = (runId: number, key: string, values: number[]) => appendMetricPoints(store.db, runId, key, { steps: values.map((_, i) => i), timestamps: values.map((_, i) => 1000 + i), values });
  metric(1, 'accuracy', [0.5, 0.91]);
  metric(1, 'val_loss', [0.9, 0.3]);
  metric(2, 'accuracy', [0.6, 0.93]);
  metric(2, 'val_loss', [0.8, 0.305]);
  let clock = Date.UTC(2026, 10, 1, 9, 0, 0);
  const registryAs = (actor: Actor) => new LedgerRegistry(ledger, async () => actor, () => new Date((clock += 60_000)));
  const ada = registryAs(ADA);
  await ada.register({ model: 'churn', runUid: 'jsonl:runs/a.jsonl', runId: 'a', description: HOSTILE_DESCRIPTION, reason: 'first candidate' });
  await ada.register({ model: 'churn', runUid: 'jsonl:runs/b.jsonl', runId: 'b', reason: 'sweep winner' });
  await ada.transition({ model: 'churn', version: 1, stage: 'Production', reason: 'baseline goes live' });
  await registryAs(BOB).approve({ model: 'churn', version: 2, stage: 'Production', reason: 'looked at the eval' });
  const policy = parsePolicy(POLICY_TEXT, policyFile).policy!;
  await ada.transition({ model: 'churn', version: 2, stage: 'Production', reason: 'better accuracy', check: policyMoveCheck(policy, store.db) });
  await ada.setAlias({ model: 'churn', alias: 'champion', version: 2 });
  await ada.register({ model: 'other', source: 's3://bucket/other', reason: 'external artifact' });
  return { root, ledger, policyFile, store, registryAs };
}
