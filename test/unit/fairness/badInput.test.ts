/**
 * The issue's bad input: one group, thousands of groups, missing sensitive values, string labels,
 * probabilities where labels belong, unknown columns, unreadable files, JSON lines — clear messages
 * and no crash. Expected numbers are hand computations on the small files written here.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { fairnessFromFile, type FairnessColumns } from '../../../src/fairness';
import { useTempDir } from '../helpers';

const COLUMNS: FairnessColumns = { label: 'y', prediction: 'p', sensitive: ['g'] };

describe('fairness: bad input', () => {
  const tmp = useTempDir();
  const write = (name: string, text: string): string => {
    const file = path.join(tmp.path, name);
    writeFileSync(file, text);
    return file;
  };

  it('one group: differences 0, ratios 1', async () => {
    const file = write('one.csv', 'y,p,g\n1,1,a\n0,1,a\n1,0,a\n0,0,a\n');
    const { result } = await fairnessFromFile(file, COLUMNS);
    assert.equal(result!.byGroup.length, 1);
    assert.equal(result!.overall.selectionRate, 0.5);
    assert.equal(result!.disparities.demographic_parity_difference.between_groups, 0);
    assert.equal(result!.disparities.demographic_parity_ratio.to_overall, 1);
  });

  it('thousands of groups: one per value, sorted by code point', async () => {
    const rows = Array.from({ length: 6000 }, (_, i) => `${i % 2},${(i >> 1) % 2},g${i % 3000}`);
    const { result } = await fairnessFromFile(write('many.csv', `y,p,g\n${rows.join('\n')}\n`), COLUMNS);
    assert.equal(result!.byGroup.length, 3000);
    assert.deepEqual(result!.byGroup.slice(0, 3).map((g) => g.group.g), ['g0', 'g1', 'g10']);
    assert.ok(result!.byGroup.every((g) => g.count === 2));
  });

  it('an identifier as the sensitive column is refused, not tabulated', async () => {
    const rows = Array.from({ length: 100_001 }, (_, i) => `1,1,id${i}`);
    const outcome = await fairnessFromFile(write('ids.csv', `y,p,g\n${rows.join('\n')}\n`), COLUMNS);
    assert.match(outcome.error!, /100001 groups .* more than 100000.*identifier/);
  });

  it('missing sensitive values: counted overall, in no group (as Fairlearn), with a note', async () => {
    const file = write('missing.csv', 'y,p,g\n1,1,a\n0,0,a\n1,1,\n1,0,b\n');
    const { result } = await fairnessFromFile(file, COLUMNS);
    assert.equal(result!.overall.count, 4);
    assert.deepEqual(result!.byGroup.map((g) => [g.group.g, g.count]), [['a', 2], ['b', 1]]);
    assert.equal(result!.rowsWithoutGroup, 1);
    assert.match(result!.notes.join(' '), /1 rows have no value in a sensitive column/);
  });

  it('string labels need a positive label; with one they work', async () => {
    const file = write('strings.csv', 'y,p,g\nyes,yes,a\nno,yes,a\nyes,no,b\nno,no,b\n');
    assert.match((await fairnessFromFile(file, COLUMNS)).error!, /not 0\/1 or -1\/1: name the positive label \(--pos-label\)/);
    const { result } = await fairnessFromFile(file, { ...COLUMNS, posLabel: 'yes' });
    assert.deepEqual(result!.byGroup.map((g) => [g.selectionRate, g.tpr, g.fpr]), [[1, 1, 1], [0, 0, 0]]);
    assert.match((await fairnessFromFile(file, { ...COLUMNS, posLabel: 'maybe' })).error!, /"maybe" is not among the label values/);
  });

  it('probabilities as predictions: a clear error that points at --score', async () => {
    const file = write('probs.csv', 'y,p,g\n1,0.91,a\n0,0.12,a\n1,0.55,b\n');
    assert.match((await fairnessFromFile(file, COLUMNS)).error!, /looks like probabilities or scores.*--score/);
  });

  it('a missing label, an unknown column, a text weight, an unreadable file', async () => {
    assert.match((await fairnessFromFile(write('gap.csv', 'y,p,g\n1,1,a\n,0,a\n'), COLUMNS)).error!, /label column "y" has a missing value at data row 2/);
    assert.match((await fairnessFromFile(write('cols.csv', 'y,p,g\n1,1,a\n'), { ...COLUMNS, sensitive: ['sex'] })).error!, /sensitive column "sex" is not in the data/);
    assert.match((await fairnessFromFile(write('w.csv', 'y,p,g,w\n1,1,a,x\n'), { ...COLUMNS, weight: 'w' })).error!, /weight column "w" is not numeric/);
    assert.match((await fairnessFromFile(path.join(tmp.path, 'absent.csv'), COLUMNS)).error!, /Cannot read/);
    const binary = path.join(tmp.path, 'binary.parquet');
    writeFileSync(binary, Buffer.from([0, 1, 2, 255, 254, 80, 65, 82]));
    assert.match((await fairnessFromFile(binary, COLUMNS)).error!, /Cannot read/);
  });

  it('JSON lines with booleans read as 0/1 labels (numpy: True == 1)', async () => {
    const file = write('rows.jsonl', '{"y":true,"p":true,"g":"a"}\n{"y":false,"p":true,"g":"b"}\n');
    const { result } = await fairnessFromFile(file, COLUMNS);
    assert.deepEqual(result!.byGroup.map((g) => [g.group.g, g.selectionRate, g.accuracy]), [['a', 1, 1], ['b', 1, 0]]);
  });

  it('random binary data: never throws, rates in [0, 1], ratios in [0, 1] or NaN', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.boolean(), fc.boolean(), fc.constantFrom('a', 'b', 'c', '')), { minLength: 1, maxLength: 60 }), async (rows) => {
        const text = `y,p,g\n${rows.map(([y, p, g]) => `${Number(y)},${Number(p)},${g}`).join('\n')}\n`;
        const outcome = await fairnessFromFile(write('random.csv', text), COLUMNS);
        assert.equal(outcome.error, undefined);
        const r = outcome.result!;
        for (const g of r.byGroup) for (const v of [g.selectionRate, g.tpr, g.fpr, g.accuracy]) assert.ok(v >= 0 && v <= 1);
        for (const m of ['between_groups', 'to_overall'] as const) {
          const ratio = r.disparities.demographic_parity_ratio[m];
          assert.ok(Number.isNaN(ratio) || (ratio >= 0 && ratio <= 1));
        }
      }),
      { numRuns: 60 },
    );
  });
});
