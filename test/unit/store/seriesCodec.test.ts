import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChunkFormatError, decodeChunk, encodeChunk } from '../../../src/store/seriesCodec';

const anyDouble = fc.double({ noDefaultInfinity: false, noNaN: false });

function sameNumbers(actual: Float64Array, expected: readonly number[]): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Object.is(actual[i], expected[i]), `index ${i}: ${actual[i]} !== ${expected[i]}`);
  }
}

describe('seriesCodec', () => {
  it('round-trips any points exactly (NaN, ±Infinity, -0, huge and fractional steps)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(fc.integer(), fc.maxSafeInteger(), anyDouble), fc.oneof(fc.integer({ min: 0 }), anyDouble), anyDouble), {
          maxLength: 300,
        }),
        (points) => {
          const steps = points.map((p) => p[0]);
          const timestamps = points.map((p) => p[1]);
          const values = points.map((p) => p[2]);
          const decoded = decodeChunk(encodeChunk(steps, timestamps, values));
          sameNumbers(decoded.steps, steps);
          sameNumbers(decoded.timestamps, timestamps);
          sameNumbers(decoded.values, values);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('encodes a sub-range of the arrays', () => {
    const decoded = decodeChunk(encodeChunk([1, 2, 3, 4], [10, 20, 30, 40], [0.5, 1.5, 2.5, 3.5], 1, 3));
    sameNumbers(decoded.steps, [2, 3]);
    sameNumbers(decoded.timestamps, [20, 30]);
    sameNumbers(decoded.values, [1.5, 2.5]);
  });

  it('stores a typical float32 training curve in under 7 bytes per point', () => {
    const n = 4096;
    const steps = Array.from({ length: n }, (_, i) => i);
    let t = 1_700_000_000_000;
    const timestamps = steps.map(() => (t += 150 + ((t * 7) % 90)));
    const values = steps.map((i) => Math.fround(2 * Math.exp(-i / 500) + 0.01 * Math.sin(i)));
    const bytes = encodeChunk(steps, timestamps, values);
    assert.ok(bytes.length / n < 7, `${bytes.length / n} bytes per point`);
  });

  it('stores float64 values in under 11 bytes per point', () => {
    const n = 4096;
    const steps = Array.from({ length: n }, (_, i) => i * 10);
    const timestamps = steps.map((s) => 1_700_000_000_000 + s * 37);
    const values = steps.map((s) => Math.log1p(s) / 3); // not representable in f32
    const bytes = encodeChunk(steps, timestamps, values);
    assert.ok(bytes.length / n < 11, `${bytes.length / n} bytes per point`);
  });

  it('rejects truncated, extended and random bytes with ChunkFormatError only', () => {
    const good = encodeChunk([0, 1, 5], [100, 200, 300], [1.1, 2.2, NaN]);
    for (let cut = 0; cut < good.length; cut++) {
      assert.throws(() => decodeChunk(good.subarray(0, cut)), ChunkFormatError);
    }
    assert.throws(() => decodeChunk(Uint8Array.from([...good, 0])), ChunkFormatError);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeChunk(bytes);
        } catch (error) {
          assert.ok(error instanceof ChunkFormatError, `unexpected ${(error as Error).name}: ${(error as Error).message}`);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
