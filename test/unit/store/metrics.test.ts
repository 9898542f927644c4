import assert from 'node:assert/strict';
import fc from 'fast-check';
import { appendMetricPoints, CHUNK_POINTS, readMetricSeries, seriesSummaries, Store } from '../../../src/store';

async function storeWithRun(): Promise<{ store: Store; runId: number }> {
  const { store } = await Store.open(undefined);
  store.db.run("INSERT INTO experiments(uid, name, format) VALUES ('e', 'E', 'jsonl')");
  store.db.run("INSERT INTO runs(uid, experiment_id, format) VALUES ('r', 1, 'jsonl')");
  return { store, runId: 1 };
}

/** MLflow's "latest": max by (step, timestamp, value), computed the plain way. */
function mlflowLatest(points: [number, number, number][]): [number, number, number] {
  return points.reduce((best, p) => {
    for (let i = 0; i < 3; i++) {
      if (p[i] !== best[i]) return p[i] > best[i] ? p : best;
    }
    return best;
  });
}

describe('metric series', () => {
  it('returns every point in arrival order across chunk boundaries and batch sizes', async () => {
    const { store, runId } = await storeWithRun();
    const total = CHUNK_POINTS * 2 + 123;
    const steps: number[] = [];
    const timestamps: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < total; i++) {
      steps.push(i);
      timestamps.push(1_000 + i * 3);
      values.push(Math.sin(i) * 10);
    }
    // Uneven batches, as a tailed file delivers them.
    for (let start = 0, size = 1; start < total; start += size, size = (size * 7) % 1500 + 1) {
      const end = Math.min(total, start + size);
      store.transaction(() =>
        appendMetricPoints(store.db, runId, 'train/loss', {
          steps: steps.slice(start, end),
          timestamps: timestamps.slice(start, end),
          values: values.slice(start, end),
        }),
      );
    }
    const series = readMetricSeries(store.db, runId, 'train/loss');
    assert.deepEqual(Array.from(series.steps), steps);
    assert.deepEqual(Array.from(series.timestamps), timestamps);
    assert.deepEqual(Array.from(series.values), values);
    const chunks = Number(store.db.exec('SELECT count(*) FROM metric_chunks')[0].values[0][0]);
    assert.equal(chunks, Math.ceil(total / CHUNK_POINTS), 'chunks are filled before new ones start');
    const range = readMetricSeries(store.db, runId, 'train/loss', { fromStep: 5000, toStep: 5009 });
    assert.deepEqual(Array.from(range.steps), [5000, 5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008, 5009]);
    await store.close();
  });

  it('keeps summaries equal to the ones computed from the raw points', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(fc.tuple(fc.integer({ min: -5, max: 50 }), fc.integer({ min: 0, max: 20 }), fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(NaN))), {
            minLength: 1,
            maxLength: 40,
          }),
          { minLength: 1, maxLength: 6 },
        ),
        async (batches) => {
          const { store, runId } = await storeWithRun();
          for (const batch of batches) {
            appendMetricPoints(store.db, runId, 'acc', {
              steps: batch.map((p) => p[0]),
              timestamps: batch.map((p) => p[1]),
              values: batch.map((p) => p[2]),
            });
          }
          const all = batches.flat();
          const [summary] = seriesSummaries(store.db, runId);
          const finite = all.map((p) => p[2]).filter((v) => !Number.isNaN(v));
          assert.equal(summary.pointCount, all.length);
          // SQLite keeps no sign on a REAL zero: a summary of -0 reads back as 0 (the points keep it).
          const unsignedZero = (v: number | undefined) => (v === 0 ? 0 : v);
          assert.equal(unsignedZero(summary.min), finite.length ? unsignedZero(Math.min(...finite)) : undefined);
          assert.equal(unsignedZero(summary.max), finite.length ? unsignedZero(Math.max(...finite)) : undefined);
          assert.equal(summary.minStep, Math.min(...all.map((p) => p[0])));
          assert.equal(summary.maxStep, Math.max(...all.map((p) => p[0])));
          // MLflow compares NaN as the lowest value at equal step and timestamp.
          const ranked = all.map((p) => [p[0], p[1], Number.isNaN(p[2]) ? -Infinity : p[2]] as [number, number, number]);
          const latest = mlflowLatest(ranked);
          assert.equal(summary.last?.step, latest[0]);
          assert.equal(summary.last?.timestamp, latest[1]);
          const expectedValue = all.find((p) => p[0] === latest[0] && p[1] === latest[1] && (Number.isNaN(p[2]) ? -Infinity : p[2]) === latest[2])![2];
          assert.ok(Object.is(summary.last?.value, expectedValue) || (summary.last?.value === 0 && expectedValue === 0), `${summary.last?.value} vs ${expectedValue}`);
          await store.close();
        },
      ),
      { numRuns: 100 },
    );
  });

  it('deletes a run’s series and chunks with the run', async () => {
    const { store, runId } = await storeWithRun();
    appendMetricPoints(store.db, runId, 'x', { steps: [0, 1], timestamps: [0, 1], values: [1, 2] });
    store.db.run('DELETE FROM runs WHERE id = ?', [runId]);
    assert.equal(store.count('metric_series'), 0);
    assert.equal(store.count('metric_chunks'), 0);
    await store.close();
  });
});
