import assert from 'node:assert/strict';
import fc from 'fast-check';
import { columnNotation, formatCount, formatDuration, formatNumber, formatSigned, plural } from '../../../src/shared/format';

describe('shared/format: one way to write numbers for people', () => {
  it('writes metric values with 4 significant digits and no float noise', () => {
    assert.equal(formatNumber(0.30000000000000004), '0.3');
    assert.equal(formatNumber(0.7889273356401384), '0.7889');
    assert.equal(formatNumber(0.036629), '0.03663');
    assert.equal(formatNumber(1234.5678), '1235');
    assert.equal(formatNumber(0), '0');
    assert.equal(formatNumber(null), '—');
    assert.equal(formatNumber(Number.NaN), 'NaN');
    assert.equal(formatNumber(-Infinity), '-Infinity');
  });

  it('uses exponents only where fixed notation is unreadable, and one notation per column', () => {
    assert.equal(formatNumber(6.168e-7), '6.168e-7');
    assert.equal(formatNumber(1.5e-7), '1.5e-7');
    assert.equal(formatNumber(123456789), '1.235e+8');
    const column = [6.168e-7, 0.036629, 0.0040662];
    const notation = columnNotation(column);
    assert.equal(notation, 'exponent');
    assert.deepEqual(column.map((v) => formatNumber(v, { notation })), ['6.168e-7', '3.663e-2', '4.066e-3']);
    assert.equal(columnNotation([0.5, 0.25, null]), 'fixed');
    // Fixed notation stays fixed even where Number#toString would switch.
    assert.equal(formatNumber(5e-7, { notation: 'fixed' }), '0.0000005');
  });

  it('round-trips to within the stated precision (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), (value) => {
        const text = formatNumber(value);
        const back = Number(text);
        if (value === 0) return back === 0;
        return Math.abs(back - value) <= Math.abs(value) * 5e-4 + Number.EPSILON;
      }),
    );
  });

  it('groups counts with thin spaces, exact', () => {
    assert.equal(formatCount(999), '999');
    assert.equal(formatCount(1000), '1000');
    assert.equal(formatCount(12345), '12\u2009345');
    assert.equal(formatCount(1234567), '1\u2009234\u2009567');
    assert.equal(formatCount(-1234567), '-1\u2009234\u2009567');
  });

  it('gets plurals right', () => {
    assert.equal(plural(1, 'version'), '1 version');
    assert.equal(plural(0, 'version'), '0 versions');
    assert.equal(plural(2, 'run'), '2 runs');
    assert.equal(plural(3, 'entry', 'entries'), '3 entries');
  });

  it('writes durations and signed deltas', () => {
    assert.equal(formatDuration(42_000), '42s');
    assert.equal(formatDuration(185_000), '3m 5s');
    assert.equal(formatDuration(7_620_000), '2h 7m');
    assert.equal(formatDuration(3 * 86_400_000 + 4 * 3_600_000), '3d 4h');
    assert.equal(formatSigned(-0.9, '%'), '−0.9 %');
    assert.equal(formatSigned(0.0123), '+0.0123');
  });
});
