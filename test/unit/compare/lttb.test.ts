import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lttbIndices, strideIndices } from '../../../src/compare/lttb';

const series = fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(NaN)), { minLength: 0, maxLength: 3000 });

describe('LTTB', () => {
  it('returns exactly min(n, threshold) ascending indices of the input, first and last included', () => {
    fc.assert(
      fc.property(series, fc.integer({ min: 2, max: 500 }), (values, threshold) => {
        const x = values.map((_, i) => i * 2 + 5);
        const kept = lttbIndices(x, values, threshold);
        assert.equal(kept.length, Math.min(values.length, threshold));
        for (let i = 1; i < kept.length; i++) assert.ok(kept[i] > kept[i - 1], 'strictly ascending, so no duplicates');
        for (const i of kept) assert.ok(Number.isInteger(i) && i >= 0 && i < values.length, 'a subset of the input');
        if (values.length > 0) {
          assert.equal(kept[0], 0);
          assert.equal(kept[kept.length - 1], values.length - 1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a lone spike that striding misses', () => {
    let strideMissed = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 20000 }), fc.integer({ min: 10, max: 200 }), fc.nat(), (n, threshold, at) => {
        const spike = 1 + (at % (n - 2));
        const x = Array.from({ length: n }, (_, i) => i);
        const y = x.map((i) => (i === spike ? 1000 : Math.sin(i / 50)));
        assert.ok(lttbIndices(x, y, threshold).includes(spike), `spike at ${spike} of ${n} kept with threshold ${threshold}`);
        if (!strideIndices(n, threshold).includes(spike)) strideMissed++;
      }),
      { numRuns: 200 },
    );
    assert.ok(strideMissed > 150, `stride should miss most spikes (missed ${strideMissed} of 200)`);
  });

  it('keeps the global min and max of a noisy descending loss curve better than stride', () => {
    let random = 42;
    const next = () => ((random = (random * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const n = 50_000;
    const x = Array.from({ length: n }, (_, i) => i);
    const y = x.map((i) => Math.exp(-i / 8000) + (next() - 0.5) * 0.2);
    const range = (indices: number[]) => Math.max(...indices.map((i) => y[i])) - Math.min(...indices.map((i) => y[i]));
    const full = Math.max(...y) - Math.min(...y);
    const lttbRange = range(lttbIndices(x, y, 500));
    const strideRange = range(strideIndices(n, 500));
    assert.ok(lttbRange > strideRange, `LTTB range ${lttbRange} > stride range ${strideRange}`);
    assert.ok(lttbRange > 0.95 * full, `LTTB keeps ${lttbRange} of the full range ${full}`);
  });

  it('does not let NaN points win a bucket', () => {
    const x = Array.from({ length: 1000 }, (_, i) => i);
    const y = x.map((i) => (i % 2 === 0 ? NaN : Math.cos(i)));
    const kept = lttbIndices(x, y, 100);
    const nanInside = kept.slice(1).filter((i) => Number.isNaN(y[i]));
    assert.deepEqual(nanInside, []);
  });
});
