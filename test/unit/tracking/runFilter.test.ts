import assert from 'node:assert/strict';
import { Store, appendMetricPoints } from '../../../src/store';
import { listExperiments, listRuns } from '../../../src/tracking/queries';
import { compileRunFilter, RunFilterError } from '../../../src/tracking/runFilter';

async function fixtureStore(): Promise<Store> {
  const { store } = await Store.open(undefined);
  const db = store.db;
  db.run("INSERT INTO experiments(uid, name, format) VALUES ('e1', 'sweep', 'jsonl'), ('e2', 'other', 'jsonl')");
  const runs: [string, string, string, number, Record<string, string>, Record<string, number>, Record<string, string>][] = [
    ['a', 'sweep-lr-0.01', 'FINISHED', 1, { lr: '0.01', opt: 'adam' }, { val_loss: 0.25, acc: 0.91 }, { stage: 'prod' }],
    ['b', 'sweep-lr-1e-3', 'RUNNING', 1, { lr: '1e-3', opt: 'sgd' }, { val_loss: 0.35, acc: 0.88 }, {}],
    ['c', 'baseline <b>', 'FAILED', 1, { lr: '0.1', opt: 'adam' }, { val_loss: NaN }, { stage: 'dev' }],
    ['d', 'elsewhere', 'FINISHED', 2, { lr: '0.001' }, { val_loss: 0.2 }, {}],
  ];
  runs.forEach(([uid, name, status, experiment, params, metrics, tags], i) => {
    db.run('INSERT INTO runs(uid, experiment_id, name, status, format, start_time) VALUES (?, ?, ?, ?, ?, ?)', [uid, experiment, name, status, 'jsonl', 1000 + i]);
    const id = i + 1;
    for (const [k, v] of Object.entries(params)) db.run('INSERT INTO params VALUES (?, ?, ?)', [id, k, v]);
    for (const [k, v] of Object.entries(tags)) db.run('INSERT INTO run_tags VALUES (?, ?, ?)', [id, k, v]);
    for (const [k, v] of Object.entries(metrics)) appendMetricPoints(db, id, k, { steps: [0, 1], timestamps: [0, 1], values: [9, v] });
  });
  return store;
}

function names(store: Store, filter: string, experimentId = 1): string[] {
  return listRuns(store.db, experimentId, { filter: compileRunFilter(filter), sort: 'name' }).map((r) => r.name!);
}

describe('run filters', () => {
  it('filters on a metric’s last value (bare names are metrics); NaN never matches', async () => {
    const store = await fixtureStore();
    assert.deepEqual(names(store, 'val_loss < 0.3'), ['sweep-lr-0.01']);
    assert.deepEqual(names(store, 'metrics.val_loss >= 0.25'), ['sweep-lr-0.01', 'sweep-lr-1e-3']);
    assert.deepEqual(names(store, 'acc > 0.5 and val_loss > 0.3'), ['sweep-lr-1e-3']);
    await store.close();
  });

  it('compares params as numbers when both sides are numbers, else as text', async () => {
    const store = await fixtureStore();
    assert.deepEqual(names(store, 'params.lr = 0.001'), ['sweep-lr-1e-3']);
    assert.deepEqual(names(store, 'params.lr < 0.05'), ['sweep-lr-0.01', 'sweep-lr-1e-3']);
    assert.deepEqual(names(store, 'params.opt = "adam"'), ['baseline <b>', 'sweep-lr-0.01']);
    assert.deepEqual(names(store, 'params.opt != adam'), ['sweep-lr-1e-3']);
    await store.close();
  });

  it('filters on tags, status and name', async () => {
    const store = await fixtureStore();
    assert.deepEqual(names(store, 'tags.stage = prod'), ['sweep-lr-0.01']);
    assert.deepEqual(names(store, 'status = running'), ['sweep-lr-1e-3']);
    assert.deepEqual(names(store, 'name ~ <b>'), ['baseline <b>']);
    assert.deepEqual(names(store, 'name ~ 50%'), []);
    await store.close();
  });

  it('counts only matching runs per experiment', async () => {
    const store = await fixtureStore();
    const counts = listExperiments(store.db, { filter: compileRunFilter('val_loss < 0.3') }).map((e) => [e.name, e.runCount]);
    assert.deepEqual(counts, [['other', 1], ['sweep', 1]]);
    await store.close();
  });

  it('explains what it could not read', () => {
    assert.throws(() => compileRunFilter('val_loss'), RunFilterError);
    assert.throws(() => compileRunFilter('val_loss < low'), /compares with a number/);
    assert.throws(() => compileRunFilter('attributes.color = red'), /unknown attribute/);
    assert.throws(() => compileRunFilter('   '), /empty/);
  });

  it('sorts by the key metric with runs lacking it last', async () => {
    const store = await fixtureStore();
    const ascending = listRuns(store.db, 1, { keyMetric: 'val_loss', sort: 'metric-asc' }).map((r) => r.name);
    assert.deepEqual(ascending, ['sweep-lr-0.01', 'sweep-lr-1e-3', 'baseline <b>']);
    const descending = listRuns(store.db, 1, { keyMetric: 'val_loss', sort: 'metric-desc' }).map((r) => r.name);
    assert.deepEqual(descending, ['sweep-lr-1e-3', 'sweep-lr-0.01', 'baseline <b>']);
    await store.close();
  });
});
