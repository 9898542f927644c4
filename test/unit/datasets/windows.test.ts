import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { driftValues, readCsv, timeWindows } from '../../../src/datasets';
import { useTempDir } from '../helpers';

describe('datasets: timeWindows and driftValues', () => {
  const tmp = useTempDir();

  async function sample() {
    const file = path.join(tmp.path, 'w.csv');
    // 2024-01-01 is a Monday; 2024-01-08 the next one
    writeFileSync(
      file,
      'ts,x,c\n' +
        '2024-01-03T10:00:00Z,1,a\n' +
        '2024-01-01T00:00:00Z,2,b\n' +
        ',3,c\n' +
        '2024-01-07T23:59:59.999Z,4,\n' +
        '2024-01-08T00:00:00Z,5,a\n' +
        '2024-01-03T23:00:00-02:00,6,b\n',
    );
    return (await readCsv(file, { timestampColumn: 'ts' })).dataset;
  }

  it('groups rows by UTC day, ISO week and custom windows, skipping rows without a timestamp', async () => {
    const dataset = await sample();
    const day = Date.UTC(2024, 0, 1);
    const DAY = 86_400_000;
    const asPlain = (windows: ReturnType<typeof timeWindows>) =>
      windows.map((window) => [(window.start - day) / DAY, (window.end - day) / DAY, Array.from(window.rowIndices)]);
    assert.deepEqual(asPlain(timeWindows(dataset, 'ts', 'day')), [
      [0, 1, [1]],
      [2, 3, [0]],
      [3, 4, [5]], // 23:00 at -02:00 is 01:00 UTC the next day
      [6, 7, [3]],
      [7, 8, [4]],
    ]);
    assert.deepEqual(asPlain(timeWindows(dataset, 'ts', 'week')), [
      [0, 7, [0, 1, 3, 5]],
      [7, 14, [4]],
    ]);
    assert.deepEqual(asPlain(timeWindows(dataset, 'ts', { ms: 3 * DAY, originMs: day })), [
      [0, 3, [0, 1]],
      [3, 6, [5]],
      [6, 9, [3, 4]],
    ]);
  });

  it('rejects a column that is not a timestamp and a window of no length', async () => {
    const dataset = await sample();
    assert.throws(() => timeWindows(dataset, 'x', 'day'), /numerical, not datetime/);
    assert.throws(() => timeWindows(dataset, 'nope', 'day'), /no column/);
    assert.throws(() => timeWindows(dataset, 'ts', { ms: 0 }), RangeError);
  });

  it('gives plain arrays for the drift statistics, for all rows or a window', async () => {
    const dataset = await sample();
    const x = dataset.column('x');
    const c = dataset.column('c');
    assert.ok(x && c);
    assert.deepEqual(driftValues(x), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(driftValues(c), ['a', 'b', 'c', null, 'a', 'b']);
    const [firstWeek] = timeWindows(dataset, 'ts', 'week');
    assert.deepEqual(driftValues(x, firstWeek.rowIndices), [1, 2, 4, 6]);
    assert.deepEqual(driftValues(c, firstWeek.rowIndices), ['a', 'b', null, 'b']);
  });
});
