import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { readDataset, readJsonl, type CategoricalColumn, type DatasetColumn, type NumericalColumn } from '../../../src/datasets';
import { useTempDir } from '../helpers';

function numbers(column: DatasetColumn | undefined): number[] {
  assert.ok(column && column.type !== 'categorical', `numeric column expected, got ${column?.type}`);
  return Array.from((column as NumericalColumn).values);
}

function labels(column: DatasetColumn | undefined): (string | null)[] {
  assert.ok(column && column.type === 'categorical', `categorical column expected, got ${column?.type}`);
  const categorical = column as CategoricalColumn;
  return Array.from(categorical.codes, (code) => (code < 0 ? null : categorical.categories[code]));
}

describe('datasets: readJsonl', () => {
  const tmp = useTempDir();
  const write = (name: string, text: string): string => {
    const file = path.join(tmp.path, name);
    writeFileSync(file, text);
    return file;
  };

  it('flattens nested objects, fills absent keys with missing and infers types', async () => {
    const file = write(
      'rows.jsonl',
      [
        '{"x": 1.5, "user": {"age": 30, "country": "FR"}, "ok": true, "at": "2024-05-01T12:00:00Z"}',
        '{"x": "2", "user": {"age": null}, "ok": false, "tags": ["a", "b"], "at": "2024-05-02T12:00:00Z"}',
        '',
        '{"x": null, "user": {"country": "DE"}, "ok": true, "at": null}',
      ].join('\r\n') + '\r\n',
    );
    const { dataset, diagnostics } = await readJsonl(file);
    assert.deepEqual(diagnostics, []);
    assert.equal(dataset.rowCount, 3);
    assert.deepEqual(
      dataset.columns.map((column) => `${column.name}:${column.type}`),
      ['x:numerical', 'user.age:numerical', 'user.country:categorical', 'ok:categorical', 'at:datetime', 'tags:categorical'],
    );
    assert.deepEqual(numbers(dataset.column('x')), [1.5, 2, NaN]);
    assert.deepEqual(numbers(dataset.column('user.age')), [30, NaN, NaN]);
    assert.equal(dataset.column('user.age')?.missing, 2);
    assert.deepEqual(labels(dataset.column('user.country')), ['FR', null, 'DE']);
    assert.deepEqual(labels(dataset.column('ok')), ['True', 'False', 'True']);
    assert.deepEqual(numbers(dataset.column('at')), [Date.UTC(2024, 4, 1, 12), Date.UTC(2024, 4, 2, 12), NaN]);
    assert.deepEqual(labels(dataset.column('tags')), [null, '["a","b"]', null]);
  });

  it("reads Python's bare NaN and Infinity, but not inside strings", async () => {
    const file = write('py.jsonl', '{"v": NaN, "s": "NaN Infinity"}\n{"v": Infinity, "s": "x"}\n{"v": -Infinity, "s": "y"}\n{"v": 3, "s": "z"}\n');
    const { dataset, diagnostics } = await readJsonl(file);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(numbers(dataset.column('v')), [NaN, Infinity, -Infinity, 3]);
    assert.equal(dataset.column('v')?.nonFinite, 2);
    assert.equal(dataset.column('v')?.missing, 1);
    assert.deepEqual(labels(dataset.column('s')), ['NaN Infinity', 'x', 'y', 'z']);
  });

  it('skips bad lines with their line numbers and keeps the rest', async () => {
    const file = write('bad.jsonl', '\ufeff{"a": 1}\n{"a": 2\n[1, 2]\n"text"\n\n{"a": 3}\n{"a": 4, "b": "late"}\n');
    const { dataset, diagnostics } = await readJsonl(file);
    assert.equal(dataset.rowCount, 3);
    assert.deepEqual(numbers(dataset.column('a')), [1, 3, 4]);
    assert.deepEqual(
      diagnostics.map((diagnostic) => diagnostic.line),
      [2, 3, 4],
    );
    assert.match(diagnostics[0].message, /Not valid JSON/);
    assert.match(diagnostics[1].message, /Not a JSON object/);
    assert.deepEqual(labels(dataset.column('b')), [null, null, 'late']);
  });

  it('reads only the selected columns and dispatches .ndjson through readDataset', async () => {
    const file = write('sel.ndjson', '{"a": 1, "b": {"c": 2, "d": 3}, "e": "x"}\n{"a": 5, "b": {"c": 6, "d": 7}, "e": "y"}\n');
    const read = await readDataset(file, { columns: ['a', 'b.d'], overrides: { categorical: ['a'] } });
    assert.equal(read.format, 'jsonl');
    assert.deepEqual(
      read.dataset.columns.map((column) => `${column.name}:${column.type}`),
      ['a:categorical', 'b.d:numerical'],
    );
    assert.deepEqual(numbers(read.dataset.column('b.d')), [3, 7]);
  });

  it('reports a missing file and an unknown extension without throwing', async () => {
    const missing = await readJsonl(path.join(tmp.path, 'none.jsonl'));
    assert.equal(missing.ok, false);
    assert.equal(missing.diagnostics.length, 1);
    const unknown = await readDataset(write('data.xlsx', 'x'));
    assert.equal(unknown.ok, false);
    assert.equal(unknown.format, 'unknown');
    assert.match(unknown.diagnostics[0].message, /Unknown dataset format/);
  });

  it('reads 1,000,000 lines: sums and missing counts match what was written', async function () {
    this.timeout(120_000);
    const file = path.join(tmp.path, 'million.jsonl');
    const fd = openSync(file, 'w');
    let sumScore = 0;
    let missingScore = 0;
    let trueCount = 0;
    let batch: string[] = [];
    for (let row = 0; row < 1_000_000; row++) {
      const score = row % 17 === 0 ? null : ((row * 7919) % 10_007) / 8;
      if (score === null) missingScore++;
      else sumScore += score;
      const flag = row % 3 === 0;
      if (flag) trueCount++;
      batch.push(JSON.stringify({ id: row, score, meta: { flag } }));
      if (batch.length === 50_000) {
        writeSync(fd, batch.join('\n') + '\n');
        batch = [];
      }
    }
    closeSync(fd);
    const { dataset, diagnostics } = await readJsonl(file);
    assert.deepEqual(diagnostics, []);
    assert.equal(dataset.rowCount, 1_000_000);
    const score = dataset.column('score') as NumericalColumn;
    assert.equal(score.missing, missingScore);
    assert.equal(score.values.reduce((total, value) => (Number.isNaN(value) ? total : total + value), 0), sumScore);
    assert.equal(labels(dataset.column('meta.flag')).filter((label) => label === 'True').length, trueCount);
  });
});
