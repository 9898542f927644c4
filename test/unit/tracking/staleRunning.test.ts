import assert from 'node:assert/strict';
import { appendMetricPoints, Store } from '../../../src/store';
import { listRuns, staleRunning } from '../../../src/tracking/queries';

const HOUR = 3_600_000;

describe('tracking: a RUNNING run that stopped logging', () => {
  it('says how long nothing came once past the threshold, and nothing before or for finished runs', () => {
    const now = Date.UTC(2026, 11, 6, 12);
    assert.equal(staleRunning({ status: 'RUNNING', lastUpdate: now - 3 * 24 * HOUR - 4 * HOUR, startTime: 0 }, now, 24 * HOUR), 'no update for 3d');
    assert.equal(staleRunning({ status: 'RUNNING', lastUpdate: now - 2 * HOUR, startTime: 0 }, now, 24 * HOUR), undefined);
    assert.equal(staleRunning({ status: 'FINISHED', lastUpdate: now - 30 * 24 * HOUR, startTime: 0 }, now, 24 * HOUR), undefined);
    // No point logged yet: the start counts.
    assert.equal(staleRunning({ status: 'RUNNING', startTime: now - 30 * HOUR }, now, 24 * HOUR), 'no update for 30h');
    assert.equal(staleRunning({ status: 'RUNNING', startTime: now - 30 * HOUR }, now, 0), undefined, '0 turns it off');
  });

  it('lists the newest point time of RUNNING runs only', async () => {
    const { store } = await Store.open(undefined);
    store.db.run("INSERT INTO experiments (id, uid, name, format) VALUES (1, 'jsonl:e', 'e', 'jsonl')");
    store.db.run("INSERT INTO runs (id, uid, experiment_id, name, format, status, start_time) VALUES (1, 'jsonl:a', 1, 'a', 'jsonl', 'RUNNING', 100), (2, 'jsonl:b', 1, 'b', 'jsonl', 'FINISHED', 100)");
    appendMetricPoints(store.db, 1, 'loss', { steps: [0, 1], timestamps: [1000, 5000], values: [1, 0.5] });
    appendMetricPoints(store.db, 1, 'acc', { steps: [0], timestamps: [7000], values: [0.5] });
    appendMetricPoints(store.db, 2, 'loss', { steps: [0], timestamps: [9000], values: [1] });
    const runs = listRuns(store.db, 1);
    assert.equal(runs.find((r) => r.name === 'a')?.lastUpdate, 7000);
    assert.equal(runs.find((r) => r.name === 'b')?.lastUpdate, undefined);
    await store.close();
  });
});
