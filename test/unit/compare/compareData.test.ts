import assert from 'node:assert/strict';
import { buildComparison, ComparisonCache, fetchRange, metricDirection } from '../../../src/compare/compareData';
import { appendMetricPoints, Store } from '../../../src/store';

interface RunSpec {
  uid: string;
  name: string;
  params: Record<string, string>;
  metrics: Record<string, [number, number, number][]>; // [step, timestamp, value] in arrival order
}

async function storeWith(runs: RunSpec[]): Promise<Store> {
  const { store } = await Store.open(undefined);
  store.db.run("INSERT INTO experiments(uid, name, format) VALUES ('e', 'sweep', 'jsonl')");
  runs.forEach((run, i) => {
    store.db.run(
      "INSERT INTO runs(uid, experiment_id, external_id, name, status, start_time, end_time, format, source_path, git_commit) VALUES (?, 1, ?, ?, 'FINISHED', ?, ?, 'jsonl', ?, ?)",
      [run.uid, `ext-${i}`, run.name, 1000 * i, 1000 * i + 60_000, `runs/${run.name}.jsonl`, `abc${i}`],
    );
    const runId = Number(store.db.exec('SELECT last_insert_rowid()')[0].values[0][0]);
    store.db.run("INSERT INTO run_tags(run_id, key, value) VALUES (?, 'team', 'vision')", [runId]);
    for (const [key, value] of Object.entries(run.params)) store.db.run('INSERT INTO params(run_id, key, value) VALUES (?, ?, ?)', [runId, key, value]);
    for (const [key, points] of Object.entries(run.metrics)) {
      appendMetricPoints(store.db, runId, key, { steps: points.map((p) => p[0]), timestamps: points.map((p) => p[1]), values: points.map((p) => p[2]) });
    }
  });
  return store;
}

const curve = (n: number, f: (i: number) => number): [number, number, number][] => Array.from({ length: n }, (_, i) => [i, 1_000_000 + i * 10, f(i)]);

describe('buildComparison', () => {
  it('computes cards, params that differ, metric summaries, best run and deltas from a real store', async () => {
    const a = curve(5000, (i) => 2 / (1 + i / 100));
    const b = curve(5000, (i) => 1.5 / (1 + i / 100) + (i === 4000 ? -5 : 0));
    const accA = curve(50, (i) => i / 100);
    const accB = curve(50, (i) => (i < 25 ? i / 50 : 0.3));
    const store = await storeWith([
      { uid: 'jsonl:a', name: 'baseline', params: { lr: '0.1', seed: '1', note: 'same' }, metrics: { 'val/loss': a, acc: accA } },
      { uid: 'jsonl:b', name: 'wide', params: { lr: '0.01', seed: '1', note: 'same', width: '512' }, metrics: { 'val/loss': b, acc: accB } },
    ]);
    const model = buildComparison(store.db, ['jsonl:a', 'jsonl:b', 'jsonl:gone'], { maxPointsPerSeries: 300 });
    assert.deepEqual(model.missingUids, ['jsonl:gone']);
    assert.equal(model.baselineUid, 'jsonl:a');
    assert.deepEqual(model.runs.map((r) => [r.uid, r.name, r.id, r.durationMs, r.gitCommit, r.sourcePath]), [
      ['jsonl:a', 'baseline', 'ext-0', 60_000, 'abc0', 'runs/baseline.jsonl'],
      ['jsonl:b', 'wide', 'ext-1', 60_000, 'abc1', 'runs/wide.jsonl'],
    ]);
    assert.deepEqual(model.runs[0].tags, [['team', 'vision']]);
    assert.notEqual(model.runs[0].color, model.runs[1].color);

    assert.deepEqual(
      model.params.map((p) => [p.key, p.values, p.differs]),
      [
        ['lr', ['0.1', '0.01'], true],
        ['note', ['same', 'same'], false],
        ['seed', ['1', '1'], false],
        ['width', [null, '512'], true],
      ],
    );

    const loss = model.metrics.find((m) => m.key === 'val/loss')!;
    assert.equal(loss.direction, 'min');
    const bLoss = loss.cells[1]!;
    // Independent numbers: b's minimum is the spike at step 4000, its last point is step 4999.
    assert.equal(bLoss.min!.step, 4000);
    assert.equal(bLoss.min!.value, 1.5 / (1 + 4000 / 100) - 5);
    assert.equal(bLoss.last!.step, 4999);
    assert.equal(bLoss.last!.value, 1.5 / (1 + 4999 / 100));
    assert.equal(bLoss.max!.step, 0);
    assert.equal(bLoss.best!.step, 4000);
    assert.equal(loss.bestRunIndex, 1);
    const expectedDelta = 1.5 / (1 + 4999 / 100) - 2 / (1 + 4999 / 100);
    assert.ok(Math.abs(bLoss.deltaAbs! - expectedDelta) < 1e-12);
    assert.ok(Math.abs(bLoss.deltaPct! - (expectedDelta / (2 / (1 + 4999 / 100))) * 100) < 1e-9);
    assert.equal(loss.cells[0]!.deltaAbs, null, 'no delta for the baseline itself');

    const acc = model.metrics.find((m) => m.key === 'acc')!;
    assert.equal(acc.direction, 'max');
    assert.equal(acc.cells[1]!.best!.value, 24 / 50);
    assert.equal(acc.cells[1]!.best!.step, 24);
    assert.equal(acc.bestRunIndex, 0, 'a reaches 0.49 > 0.48');

    // Series: decimated to the limit, first/last kept, the spike survives, steps ascending.
    const bSeries = model.series.find((s) => s.runUid === 'jsonl:b' && s.key === 'val/loss')!;
    assert.equal(bSeries.x.length, 300);
    assert.equal(bSeries.totalPoints, 5000);
    assert.equal(bSeries.x[0], 0);
    assert.equal(bSeries.x[299], 4999);
    assert.ok(bSeries.x.includes(4000));
    assert.equal(bSeries.t[bSeries.x.indexOf(4000)], 1_000_000 + 40_000);
    const small = model.series.find((s) => s.runUid === 'jsonl:a' && s.key === 'acc')!;
    assert.equal(small.x.length, 50, 'short series are sent whole');

    // Baseline override changes the deltas' reference.
    const swapped = buildComparison(store.db, ['jsonl:a', 'jsonl:b'], { baselineUid: 'jsonl:b', directions: { acc: 'min' } });
    assert.equal(swapped.baselineUid, 'jsonl:b');
    assert.ok(Math.abs(swapped.metrics.find((m) => m.key === 'val/loss')!.cells[0]!.deltaAbs! + expectedDelta) < 1e-12);
    assert.equal(swapped.metrics.find((m) => m.key === 'acc')!.direction, 'min');
    await store.close();
  });

  it('reads steps out of arrival order, NaN values and a zoomed range at full resolution', async () => {
    const points: [number, number, number][] = [
      [10, 5, 1],
      [11, 6, NaN],
      [3, 7, 7],
      [12, 8, 0.5],
    ];
    const many = curve(10_000, (i) => Math.sin(i));
    const store = await storeWith([
      { uid: 'r1', name: 'one', params: {}, metrics: { loss: points, wave: many } },
      { uid: 'r2', name: 'two', params: {}, metrics: {} },
    ]);
    const model = buildComparison(store.db, ['r1', 'r2']);
    const s = model.series.find((x) => x.key === 'loss')!;
    assert.deepEqual(s.x, [3, 10, 11, 12]);
    assert.deepEqual(s.y, [7, 1, null, 0.5]);
    const cell = model.metrics.find((m) => m.key === 'loss')!.cells[0]!;
    assert.deepEqual([cell.min, cell.max, cell.last?.step], [{ value: 0.5, step: 12 }, { value: 7, step: 3 }, 12]);
    assert.equal(model.metrics.find((m) => m.key === 'loss')!.cells[1], null);

    const range = fetchRange(store.db, 'r1', 'wave', 2000, 2999, 5000)!;
    assert.equal(range.x.length, 1000);
    assert.equal(range.x[0], 2000);
    assert.equal(range.x[999], 2999);
    assert.equal(range.y[500], Math.sin(2500));
    assert.equal(fetchRange(store.db, 'r1', 'wave', 0, 9999, 100)!.x.length, 100);
    assert.equal(fetchRange(store.db, 'nope', 'wave', 0, 1, 10), undefined);
    await store.close();
  });

  it('reuses unchanged series from the cache and re-reads only changed ones', async () => {
    const store = await storeWith([
      { uid: 'r1', name: 'one', params: {}, metrics: { loss: curve(100, (i) => 1 / (i + 1)) } },
      { uid: 'r2', name: 'two', params: {}, metrics: { loss: curve(100, (i) => 2 / (i + 1)) } },
    ]);
    const cache = new ComparisonCache();
    const first = buildComparison(store.db, ['r1', 'r2'], { cache });
    appendMetricPoints(store.db, 2, 'loss', { steps: [100], timestamps: [2_000_000], values: [0.001] });
    const second = buildComparison(store.db, ['r1', 'r2'], { cache });
    const fp = (m: typeof first, uid: string) => m.series.find((s) => s.runUid === uid)!;
    assert.equal(fp(second, 'r1'), fp(first, 'r1'), 'the very same object: not decoded again');
    assert.notEqual(fp(second, 'r2').fingerprint, fp(first, 'r2').fingerprint);
    assert.equal(fp(second, 'r2').x.length, 101);
    assert.equal(second.metrics[0].bestRunIndex, 1);
    await store.close();
  });

  it('guesses lower-is-better from the metric name', () => {
    for (const key of ['loss', 'val_loss', 'train/loss_epoch', 'error_rate', 'eval/wer', 'test_cer', 'mae', 'val/rmse', 'perplexity', 'top1_err']) {
      assert.equal(metricDirection(key), 'min', key);
    }
    for (const key of ['accuracy', 'val/acc', 'f1', 'answer_accuracy', 'lower_bound', 'precision', 'bleu']) {
      assert.equal(metricDirection(key), 'max', key);
    }
    assert.equal(metricDirection('loss', { loss: 'max' }), 'max');
  });

  it('treats learning rates, epochs, steps, times and system metrics as neutral (no best, no colour)', () => {
    for (const key of ['lr', 'learning_rate', 'train/lr', 'epoch', 'step', 'time', 'throughput', 'samples_per_second', 'grad_norm', 'system/gpu_utilization', 'lr-AdamW']) {
      assert.equal(metricDirection(key), 'neutral', key);
    }
    // Tokens only: these are not learning rates or times.
    for (const key of ['lrap', 'timeliness_score', 'stepwise_accuracy']) assert.equal(metricDirection(key), 'max', key);
    assert.equal(metricDirection('learning_rate', { learning_rate: 'min' }), 'min');
    // Overrides are own properties only: a key named like an Object method is not looked up on the prototype.
    assert.equal(metricDirection('constructor', {}), 'max');
  });

  it('gives a neutral metric no best run and no best value', async () => {
    const { store } = await Store.open(undefined);
    store.db.run("INSERT INTO experiments (id, uid, name, format) VALUES (1, 'jsonl:e', 'e', 'jsonl')");
    store.db.run("INSERT INTO runs (id, uid, experiment_id, name, format) VALUES (1, 'jsonl:a', 1, 'a', 'jsonl'), (2, 'jsonl:b', 1, 'b', 'jsonl')");
    appendMetricPoints(store.db, 1, 'learning_rate', { steps: [0, 1], timestamps: [1, 2], values: [0.1, 0.01] });
    appendMetricPoints(store.db, 2, 'learning_rate', { steps: [0, 1], timestamps: [1, 2], values: [0.3, 0.03] });
    const lr = buildComparison(store.db, ['jsonl:a', 'jsonl:b'], {}).metrics.find((m) => m.key === 'learning_rate')!;
    assert.equal(lr.direction, 'neutral');
    assert.equal(lr.bestRunIndex, null);
    assert.deepEqual(lr.cells.map((c) => c?.best ?? null), [null, null]);
    await store.close();
  });
});
