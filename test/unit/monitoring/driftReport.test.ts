import assert from 'node:assert/strict';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readDataset } from '../../../src/datasets';
import { distinctCountSorted, sortedCopy, withSortCache } from '../../../src/drift/stats/arrays';
import { buildDriftReport, featureHistogram } from '../../../src/monitoring/driftReport';
import { LedgerRegistry, RegistryError } from '../../../src/registry/ledgerRegistry';
import { useTempDir } from '../helpers';

describe('monitoring: drift report model', () => {
  const tmp = useTempDir();

  it('categorical histogram: shares counted per label, most frequent first', () => {
    const h = featureHistogram(['a', 'b', 'b', null, 'c'], ['b', 'b', 'b', 'a'], 'categorical');
    assert.equal(h.kind, 'categories');
    assert.deepEqual(h.labels, ['b', 'a', 'c']);
    // Reference: 4 non-missing values (a 1, b 2, c 1); current: 4 (a 1, b 3).
    assert.deepEqual(h.reference, [2 / 4, 1 / 4, 1 / 4]);
    assert.deepEqual(h.current, [3 / 4, 1 / 4, 0]);
  });

  it('numerical histogram: Sturges bins on reference ∪ current whose shares sum to 1 per side', () => {
    const ref = Array.from({ length: 200 }, (_, i) => i / 7);
    const cur = Array.from({ length: 100 }, (_, i) => 10 + i / 5);
    const h = featureHistogram(ref, cur, 'numerical');
    assert.equal(h.kind, 'bins');
    // numpy: ceil(log2(300)) + 1 = 10 bins over [0, 29.8].
    assert.equal(h.reference.length, 10);
    assert.equal(h.edges?.[0], 0);
    assert.equal(h.edges?.[10], 29.8);
    assert.ok(Math.abs(h.reference.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.ok(Math.abs(h.current.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  });

  it('drifted features first, label/prediction columns skipped, drift share as counted', async () => {
    const ref = path.join(tmp.path, 'ref.csv');
    const cur = path.join(tmp.path, 'cur.csv');
    const rows = (shift: number, n: number) => Array.from({ length: n }, (_, i) => `${(i % 50) + shift},${(i * 7) % 50},${i % 3 === 0 ? 'x' : 'y'},${i % 2},${i % 2}`);
    writeFileSync(ref, ['a,b,c,label,prediction', ...rows(0, 300)].join('\n') + '\n');
    writeFileSync(cur, ['a,b,c,label,prediction', ...rows(30, 300)].join('\n') + '\n');
    const [r, c] = await Promise.all([readDataset(ref), readDataset(cur)]);
    const report = buildDriftReport(r.dataset, c.dataset, { referenceLabel: 'ref.csv', currentLabel: 'cur.csv' });
    // b and c are the same in both files; a moved by 30 (of a 0..49 range).
    assert.deepEqual(report.features.map((f) => f.drifted), [true, false, false]);
    assert.equal(report.features[0].column, 'a');
    assert.equal(report.driftedCount, 1);
    assert.equal(report.columnCount, 3);
    assert.deepEqual(report.skipped.map((s) => s.column).sort(), ['label', 'prediction']);
    assert.equal(report.overTime, null);
  });
});

describe('drift: sorting once per column', () => {
  it('the distinct count over two sorted samples equals a Set over both', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -20, max: 20 })), fc.array(fc.double({ noNaN: true, min: -5, max: 5 })), (a, b) => {
        const expected = new Set([...a, ...b]).size;
        assert.equal(distinctCountSorted(sortedCopy(a), sortedCopy(b)), expected);
      }),
    );
  });

  it('sorted copies are shared only inside withSortCache', () => {
    const values = [3, 1, 2];
    assert.notEqual(sortedCopy(values), sortedCopy(values));
    withSortCache(() => assert.equal(sortedCopy(values), sortedCopy(values)));
    const outside = sortedCopy(values);
    values[0] = -1;
    assert.deepEqual([...sortedCopy(values)], [-1, 1, 2]);
    assert.deepEqual([...outside], [1, 2, 3]);
  });
});

describe('ledger: set-reference and alert events', () => {
  const tmp = useTempDir();

  it('records a version’s reference dataset and alerts; refuses unknown versions and empty paths', async () => {
    const file = path.join(tmp.path, '.model-ledger', 'ledger.jsonl');
    let clock = Date.UTC(2026, 10, 1);
    const registry = new LedgerRegistry(file, async () => ({ name: 'Ada' }), () => new Date((clock += 60_000)));
    await registry.register({ model: 'churn', source: 'models/a' });
    await registry.setReference({ model: 'churn', version: 1, path: 'data/train-v1.csv' });
    await registry.setReference({ model: 'churn', version: 1, path: 'data/train-v1b.csv', reason: 'deduplicated rows' });
    await registry.recordAlert({ model: 'churn', version: 1, alert: { rule: 'f1 < 0.92 for 48h', series: 'prediction', value: 0.79 } });
    await assert.rejects(registry.setReference({ model: 'churn', version: 2, path: 'x.csv' }), RegistryError);
    await assert.rejects(registry.setReference({ model: 'churn', version: 1, path: ' ' }), /no dataset path/);
    const { state, problems, read } = await registry.snapshot();
    assert.deepEqual(problems, []);
    assert.deepEqual(
      read.events.map((e) => e.action),
      ['register', 'set-reference', 'set-reference', 'alert'],
    );
    assert.deepEqual(read.events[2].before, { path: 'data/train-v1.csv' });
    assert.equal(state.models.get('churn')?.versions.get(1)?.reference, 'data/train-v1b.csv');
  });
});
