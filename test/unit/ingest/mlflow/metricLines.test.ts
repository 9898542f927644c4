import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMetricLines } from '../../../../src/ingest/mlflow/metricLines';

/** How Python's repr writes a float (what MLflow's file store writes). */
function pythonRepr(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  return String(v).replace('e+', 'e+').replace(/e(-?)(\d)$/, 'e$10$2');
}

describe('MLflow metric lines', () => {
  it('reads back exactly what was written, for any values, timestamps and steps', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 ** 50 }), fc.double(), fc.integer({ min: -(2 ** 40), max: 2 ** 50 })), { maxLength: 200 }),
        (points) => {
          const text = points.map(([t, v, s]) => `${t} ${pythonRepr(v)} ${s}\n`).join('');
          const parsed = parseMetricLines(Buffer.from(text));
          assert.deepEqual(parsed.errors, []);
          assert.equal(parsed.values.length, points.length);
          points.forEach(([t, v, s], i) => {
            assert.equal(parsed.timestamps[i], t);
            assert.equal(parsed.steps[i], s);
            assert.ok(Object.is(parsed.values[i], v === 0 ? parsed.values[i] : v) && (v !== 0 || parsed.values[i] === 0), `${v} read as ${parsed.values[i]}`);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses hex, words and empty fields that Number() alone would accept', () => {
    const parsed = parseMetricLines(Buffer.from('1 0x10 0\n2 Infinity 1\n3 1e400 2\n4 nan 3\n5 -INF 4\n6 abc 5\n7 1_000 6\n'));
    assert.deepEqual(parsed.errors.map((e) => e.line), [1, 6, 7]);
    assert.deepEqual(parsed.values.slice(0, 2), [Infinity, Infinity]);
    assert.ok(Number.isNaN(parsed.values[2]));
    assert.equal(parsed.values[3], -Infinity);
  });

  it('never throws on random bytes, and consumes only complete lines', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), (bytes) => {
        const parsed = parseMetricLines(bytes);
        const lastNewline = bytes.lastIndexOf(10);
        assert.equal(parsed.consumed, lastNewline + 1);
        assert.equal(parsed.values.length + parsed.errors.length <= parsed.lines, true);
      }),
      { numRuns: 1000 },
    );
  });
});
