import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePolicy } from '../../../src/policy';
import { checkLedgerAgainstPolicy } from '../../../src/policy';
import { parseLedger } from '../../../src/registry/ledgerFile';
import { LedgerRegistry, PolicyBlockedError } from '../../../src/registry/ledgerRegistry';
import { project } from '../../../src/registry/projection';
import { listModels, listVersions } from '../../../src/registry/queries';
import { MlflowClient, MlflowServerError } from '../../../src/server/client';
import { approveOnServer, deleteAliasOnServer, promoteOnServer, setAliasOnServer, setDescriptionOnServer } from '../../../src/server/serverRegistry';
import { ServerSource } from '../../../src/server/serverSource';
import { serverIdFor } from '../../../src/server/serverStore';
import { Store } from '../../../src/store';
import { useTempDir } from '../helpers';
import { fixture, MlflowTestServer } from '../../server/mlflowTestServer';

const ada = { name: 'Ada', email: 'ada@example.com' };
const bob = { name: 'Bob', email: 'bob@example.com' };

/** r2 of a run, read from the recorded runs/search answer. */
function r2Of(runName: string): number {
  const run = fixture<{ runs: { info: { run_name: string }; data: { metrics: { key: string; value: number }[] } }[] }>('runs_search_all').runs.find((r) => r.info.run_name === runName)!;
  return run.data.metrics.find((m) => m.key === 'r2')!.value;
}

describe('server/serverRegistry: promotions on the server, gated by the policy, recorded in the ledger', () => {
  const tmp = useTempDir();
  let server: MlflowTestServer;
  let store: Store;
  let source: ServerSource;
  let url = '';
  const ledger = () => path.join(tmp.path, '.model-ledger', 'ledger.jsonl');
  const context = (actor = ada) => ({ source, ledgerFile: ledger(), actor, db: store.db, name: 'team' });

  beforeEach(async () => {
    server = new MlflowTestServer();
    url = await server.start();
    store = (await Store.open(undefined)).store;
    source = new ServerSource({ id: serverIdFor(url), client: new MlflowClient({ url, retryBaseMs: 1 }), store, name: 'team' });
    await source.refresh();
  });
  afterEach(async () => {
    source.client.close();
    await store.close();
    await server.stop();
  });

  it('a gate comparing with Production blocks, with the values; nothing is sent to the server', async () => {
    const policy = parsePolicy('version: 1\nmodels:\n  "*":\n    Production:\n      gates:\n        - metric: r2 >= production.r2\n').policy!;
    await assert.rejects(promoteOnServer(context(), { model: 'tabular-regressor', version: 3, stage: 'Production', policy }), (e: unknown) => {
      assert.ok(e instanceof PolicyBlockedError);
      const gate = e.verdict.gates[0] as { status: string; value: number; threshold: number };
      assert.equal(gate.status, 'fail');
      assert.equal(gate.value, r2Of('ridge-alpha-10.0'));
      assert.equal(gate.threshold, r2Of('ridge-alpha-1.0'));
      return true;
    });
    assert.equal(server.count('model-versions/transition-stage'), 0);
  });

  it('with the approval recorded, promotes through transition-stage (archiving Production) and records the event with the server', async () => {
    const policy = parsePolicy('version: 1\nmodels:\n  "*":\n    Production:\n      gates:\n        - metric: r2 >= 0.4\n        - approvals: 1\n').policy!;
    await assert.rejects(promoteOnServer(context(), { model: 'tabular-regressor', version: 3, stage: 'Production', policy }), PolicyBlockedError);
    await approveOnServer(context(bob), { model: 'tabular-regressor', version: 3, stage: 'Production', reason: 'looks fine' });
    const { event, archived } = await promoteOnServer(context(), { model: 'tabular-regressor', version: 3, stage: 'Production', reason: 'ship it', policy });
    assert.deepEqual(archived, [2]);
    const sent = server.bodies.find((b) => b.path === 'model-versions/transition-stage')!.body;
    assert.deepEqual(sent, { name: 'tabular-regressor', version: '3', stage: 'Production', archive_existing_versions: true });
    assert.deepEqual(event.server, { url, name: 'team' });
    assert.equal((event.after as { gates: { status: string }[] }).gates.map((g) => g.status).join(), 'pass,pass');

    const read = parseLedger(readFileSync(ledger(), 'utf8'));
    assert.deepEqual(read.problems, [], 'the ledger verifies');
    assert.deepEqual(read.events.map((e) => [e.action, e.server?.url]), [['approve', url], ['transition', url]]);
    assert.equal(project(read.events).state.models.size, 0, 'server changes do not enter the local registry');
    assert.deepEqual(checkLedgerAgainstPolicy(read.events, () => policy, () => undefined), [], 'verify --policy does not judge server events against the local registry');

    // The cache follows the server (the recorded answers after the transition).
    const model = listModels(store.db).find((m) => m.origin === `mlflow-server:${source.id}`)!;
    const stages = Object.fromEntries(listVersions(store.db, model.id).map((v) => [v.version, v.stage]));
    const after = fixture<{ model_versions: { version: string; current_stage: string }[] }>('model_versions_search_after_transition').model_versions;
    assert.deepEqual(stages, Object.fromEntries(after.map((v) => [Number(v.version), v.current_stage])));
  });

  it('a local registry in the same ledger keeps working beside server events', async () => {
    await approveOnServer(context(bob), { model: 'tabular-regressor', version: 3, stage: 'Production' });
    const local = new LedgerRegistry(ledger(), async () => ada);
    await local.register({ model: 'tabular-regressor', source: 'models/x' });
    const snapshot = await local.snapshot();
    assert.deepEqual(snapshot.problems, []);
    assert.equal(snapshot.state.models.get('tabular-regressor')?.versions.size, 1);
  });

  it('aliases and descriptions go through the API and into the ledger', async () => {
    await setAliasOnServer(context(), { model: 'tabular-regressor', alias: 'production', version: 3 });
    await deleteAliasOnServer(context(), { model: 'tabular-regressor', alias: 'champion' });
    await setDescriptionOnServer(context(), { model: 'tabular-regressor', version: 3, description: 'ridge, alpha 10' });
    assert.deepEqual(
      server.bodies.filter((b) => b.path !== 'runs/search' && b.path !== 'experiments/search' && b.path !== 'logged-models/search').map((b) => [b.path, b.body]),
      [
        ['registered-models/alias', { name: 'tabular-regressor', alias: 'production', version: '3' }],
        ['registered-models/alias', { name: 'tabular-regressor', alias: 'champion' }],
        ['model-versions/update', { name: 'tabular-regressor', version: '3', description: 'ridge, alpha 10' }],
      ],
    );
    const events = parseLedger(readFileSync(ledger(), 'utf8')).events;
    assert.deepEqual(events.map((e) => e.action), ['set-alias', 'delete-alias', 'set-description']);
    assert.deepEqual(events[1].before, { alias: 'champion', version: 2 });
    assert.deepEqual(events[2].before, { description: 'alpha=10.0' });
  });

  it('errors from the server reach the caller and write nothing to the ledger', async () => {
    await assert.rejects(promoteOnServer(context(), { model: 'nope', version: 1, stage: 'Staging' }), (e: unknown) => e instanceof MlflowServerError && e.kind === 'not-found' && /Registered Model with name=nope not found/.test(e.message));
    server.olderServer = true;
    await assert.rejects(setAliasOnServer(context(), { model: 'tabular-regressor', alias: 'x', version: 3 }), (e: unknown) => e instanceof MlflowServerError && e.kind === 'unsupported');
    assert.throws(() => readFileSync(ledger(), 'utf8'), /ENOENT/);
  });
});
