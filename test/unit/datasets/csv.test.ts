import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { readCsv, type CategoricalColumn, type DatasetColumn, type DatasetDiagnostic, type NumericalColumn } from '../../../src/datasets';
import { useTempDir } from '../helpers';

function numbers(column: DatasetColumn | undefined): number[] {
  assert.ok(column, 'column exists');
  assert.notEqual(column.type, 'categorical');
  return Array.from((column as NumericalColumn).values);
}

function labels(column: DatasetColumn | undefined): (string | null)[] {
  assert.ok(column, 'column exists');
  assert.equal(column.type, 'categorical');
  const categorical = column as CategoricalColumn;
  return Array.from(categorical.codes, (code) => (code < 0 ? null : categorical.categories[code]));
}

describe('datasets: readCsv', () => {
  const tmp = useTempDir();
  const write = (name: string, text: string): string => {
    const file = path.join(tmp.path, name);
    writeFileSync(file, text);
    return file;
  };

  it('infers numerical, categorical, boolean and datetime columns', async () => {
    const file = write(
      'types.csv',
      'age,city,smoker,score,when,code\n' +
        '31,Paris,true,1.5e2,2024-01-02,1\n' +
        '45,Lyon,False,-0.25,2024-01-03T10:20:30Z,2\n' +
        '27,Paris,TRUE,.5,2024-01-04 00:00:00+01:00,1\n',
    );
    const { dataset, diagnostics, ok } = await readCsv(file);
    assert.equal(ok, true);
    assert.deepEqual(diagnostics, []);
    assert.equal(dataset.rowCount, 3);
    assert.deepEqual(
      dataset.columns.map((column) => [column.name, column.type]),
      [
        ['age', 'numerical'],
        ['city', 'categorical'],
        ['smoker', 'categorical'],
        ['score', 'numerical'],
        ['when', 'datetime'],
        ['code', 'numerical'], // few unique values stay numerical: Evidently decides by unique count later
      ],
    );
    assert.deepEqual(numbers(dataset.column('age')), [31, 45, 27]);
    assert.deepEqual(labels(dataset.column('city')), ['Paris', 'Lyon', 'Paris']);
    assert.deepEqual(labels(dataset.column('smoker')), ['True', 'False', 'True']);
    assert.deepEqual(numbers(dataset.column('score')), [150, -0.25, 0.5]);
    assert.deepEqual(numbers(dataset.column('when')), [
      Date.UTC(2024, 0, 2),
      Date.UTC(2024, 0, 3, 10, 20, 30),
      Date.UTC(2024, 0, 3, 23, 0, 0),
    ]);
  });

  it('reads missing values as pandas does and keeps ±inf, counted', async () => {
    const file = write('missing.csv', 'x,label\n1,a\n,b\nNA,\nnan,NULL\ninf,c\n-inf,n/a\n-Infinity,d\n7,None\n');
    const { dataset } = await readCsv(file);
    const x = dataset.column('x');
    assert.deepEqual(numbers(x), [1, NaN, NaN, NaN, Infinity, -Infinity, -Infinity, 7]);
    assert.equal(x?.missing, 3);
    assert.equal(x?.nonFinite, 3);
    const label = dataset.column('label');
    assert.deepEqual(labels(label), ['a', 'b', null, null, 'c', null, 'd', null]);
    assert.equal(label?.missing, 4);
  });

  it('handles quoted delimiters, quotes and line breaks, BOM and CRLF', async () => {
    const file = write('quoted.csv', '\ufeff"name","note",v\r\n"Smith, J","said ""hi""\r\nthen left",1\r\nplain,"",2\r\n');
    const { dataset, diagnostics } = await readCsv(file);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(
      dataset.columns.map((column) => column.name),
      ['name', 'note', 'v'],
    );
    assert.deepEqual(labels(dataset.column('name')), ['Smith, J', 'plain']);
    assert.deepEqual(labels(dataset.column('note')), ['said "hi"\r\nthen left', null]);
    assert.deepEqual(numbers(dataset.column('v')), [1, 2]);
  });

  it('detects semicolons and tabs, and honours a given delimiter', async () => {
    const semicolon = write('semi.csv', 'a;b\n1,5;x\n2,5;y\n');
    const read = await readCsv(semicolon);
    assert.deepEqual(labels(read.dataset.column('a')), ['1,5', '2,5']); // decimal commas are not numbers by default
    assert.deepEqual(labels(read.dataset.column('b')), ['x', 'y']);
    const tsv = write('data.tsv', 'a\tb\n1\t2\n');
    assert.deepEqual(numbers((await readCsv(tsv)).dataset.column('b')), [2]);
    const forced = await readCsv(semicolon, { delimiter: ',' });
    assert.deepEqual(
      forced.dataset.columns.map((column) => column.name),
      ['a;b'],
    );
    assert.equal(forced.diagnostics.length, 2, 'both rows have 2 fields against a 1-field header');
  });

  it('skips a row of the wrong width with a diagnostic naming its line', async () => {
    const file = write('wide.csv', 'a,b\n1,2\n3,4,5\n"multi\nline",6\n7\n8,9\n');
    const seen: DatasetDiagnostic[] = [];
    const { dataset, diagnostics } = await readCsv(file, { onDiagnostic: (diagnostic) => seen.push(diagnostic) });
    assert.equal(dataset.rowCount, 3);
    assert.deepEqual(labels(dataset.column('a')), ['1', 'multi\nline', '8']);
    assert.deepEqual(
      diagnostics.map((diagnostic) => diagnostic.line),
      [3, 6],
    );
    assert.equal(diagnostics[0].file, file);
    assert.match(diagnostics[0].message, /Expected 2 fields, found 3/);
    assert.deepEqual(seen, diagnostics);
  });

  it('keeps the rows before an unterminated quote and says where it starts', async () => {
    const file = write('open.csv', 'a,b\n1,2\n3,"never closed\n4,5\n');
    const { dataset, diagnostics } = await readCsv(file);
    assert.equal(dataset.rowCount, 1);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0].line, 3);
    assert.match(diagnostics[0].message, /never closed/);
  });

  it('applies overrides, the timestamp column, column selection and ignore', async () => {
    const file = write(
      'over.csv',
      'id,grade,ts,epoch,drop,price\n1,1,2024-03-01,1700000000,x,3.5\n2,1.0,bad,1700086400,y,oops\n3,2,,1700172800,z,4\n',
    );
    const { dataset, diagnostics } = await readCsv(file, {
      overrides: { categorical: ['grade'], numerical: ['price'], datetime: ['epoch'], ignore: ['drop'] },
      timestampColumn: 'ts',
      columns: ['grade', 'epoch', 'price', 'drop', 'missing_one'],
    });
    assert.deepEqual(
      dataset.columns.map((column) => `${column.name}:${column.type}`),
      ['grade:categorical', 'ts:datetime', 'epoch:datetime', 'price:numerical'],
    );
    assert.deepEqual(labels(dataset.column('grade')), ['1', '1', '2'], '1 and 1.0 are one category, as in a float column');
    assert.deepEqual(numbers(dataset.column('ts')), [Date.UTC(2024, 2, 1), NaN, NaN]);
    assert.equal(dataset.column('ts')?.invalid, 1);
    assert.equal(dataset.column('ts')?.missing, 1);
    assert.deepEqual(numbers(dataset.column('epoch')), [1700000000000, 1700086400000, 1700172800000]);
    assert.deepEqual(numbers(dataset.column('price')), [3.5, NaN, 4]);
    assert.equal(dataset.column('price')?.invalid, 1);
    const messages = diagnostics.map((diagnostic) => `${diagnostic.line ?? '-'} ${diagnostic.message}`);
    assert.equal(messages.length, 3, messages.join('\n'));
    assert.ok(messages.some((message) => message.startsWith('- ') && message.includes('"missing_one"')));
    assert.ok(messages.some((message) => message.startsWith('3 ') && message.includes('"bad"')));
    assert.ok(messages.some((message) => message.startsWith('3 ') && message.includes('"oops"')));
  });

  it('promotes a column to categorical when a value after the inference rows contradicts it', async () => {
    const file = write('late.csv', 'v,d\n1,2024-01-01\n2.50,2024-01-02\n,2024-01-03\nabc,2024-01-04\n2.5,not a date\n');
    const { dataset } = await readCsv(file, { inferenceRows: 2 });
    assert.deepEqual(labels(dataset.column('v')), ['1', '2.5', null, 'abc', '2.5']);
    assert.equal(dataset.column('v')?.missing, 1);
    assert.deepEqual(labels(dataset.column('d')), [
      '2024-01-01T00:00:00.000Z',
      '2024-01-02T00:00:00.000Z',
      '2024-01-03T00:00:00.000Z',
      '2024-01-04T00:00:00.000Z',
      'not a date',
    ]);
  });

  it('skips blank lines, also in a one-column file (pandas skip_blank_lines)', async () => {
    const { dataset } = await readCsv(write('one.csv', '\nv\n1\n\n2\r\n\r\n3'));
    assert.deepEqual(numbers(dataset.column('v')), [1, 2, 3]);
  });

  it('names blank and duplicate headers as pandas does', async () => {
    const file = write('dup.csv', 'a,a,,a\n1,2,3,4\n');
    const { dataset, diagnostics } = await readCsv(file);
    assert.deepEqual(
      dataset.columns.map((column) => column.name),
      ['a', 'a.1', 'Unnamed: 2', 'a.2'],
    );
    assert.equal(diagnostics.length, 2);
  });

  it('reports an empty, missing or header-only file without throwing', async () => {
    const empty = await readCsv(write('empty.csv', ''));
    assert.equal(empty.ok, false);
    assert.equal(empty.dataset.rowCount, 0);
    assert.match(empty.diagnostics[0].message, /empty/);
    const missing = await readCsv(path.join(tmp.path, 'nope.csv'));
    assert.equal(missing.ok, false);
    assert.match(missing.diagnostics[0].message, /ENOENT/);
    const headerOnly = await readCsv(write('header.csv', 'a,b\n'));
    assert.equal(headerOnly.ok, true);
    assert.equal(headerOnly.dataset.rowCount, 0);
    assert.deepEqual(
      headerOnly.dataset.columns.map((column) => numbers(column).length),
      [0, 0],
    );
  });

  it('caps the stored diagnostics on a garbage file', async () => {
    const lines = ['a,b'];
    for (let i = 0; i < 50; i++) lines.push('1,2,3');
    const { diagnostics } = await readCsv(write('bad.csv', lines.join('\n')), { maxDiagnostics: 10 });
    assert.equal(diagnostics.length, 11);
    assert.match(diagnostics[10].message, /40 more problems/);
  });

  it('reports progress up to the file size and stops when aborted', async () => {
    const lines = ['a,b'];
    for (let i = 0; i < 200_000; i++) lines.push(`${i},${i % 3}`);
    const file = write('progress.csv', lines.join('\n'));
    const expectedBytes = Buffer.byteLength(lines.join('\n'));
    const progress: number[] = [];
    await readCsv(file, { onProgress: ({ bytesRead, totalBytes }) => {
      assert.equal(totalBytes, expectedBytes);
      progress.push(bytesRead);
    } });
    assert.equal(progress.at(-1), expectedBytes);
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b));

    const controller = new AbortController();
    const read = readCsv(file, { signal: controller.signal, onProgress: () => controller.abort() });
    await assert.rejects(read, (error: Error) => error.name === 'AbortError');
    const already = new AbortController();
    already.abort();
    await assert.rejects(readCsv(file, { signal: already.signal }), (error: Error) => error.name === 'AbortError');
  });

  it('reads 1,000,000 rows: sums, missing counts and categories match what was written', async function () {
    this.timeout(120_000);
    const file = path.join(tmp.path, 'million.csv');
    const fd = openSync(file, 'w');
    writeSync(fd, 'id,value,maybe,group\n');
    let sumValue = 0;
    let sumMaybe = 0;
    let missingMaybe = 0;
    const groupCounts = [0, 0, 0, 0];
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    let batch: string[] = [];
    for (let row = 0; row < 1_000_000; row++) {
      const value = (random() - 0.5) * 1e4;
      sumValue += value;
      let maybe = '';
      if (row % 10 === 0) missingMaybe++;
      else {
        const integer = Math.floor(random() * 1000);
        sumMaybe += integer;
        maybe = String(integer);
      }
      const group = Math.floor(random() * 4);
      groupCounts[group]++;
      batch.push(`${row},${value},${maybe},g${group}`);
      if (batch.length === 50_000) {
        writeSync(fd, batch.join('\n') + '\n');
        batch = [];
      }
    }
    closeSync(fd);

    const { dataset, diagnostics } = await readCsv(file);
    assert.deepEqual(diagnostics, []);
    assert.equal(dataset.rowCount, 1_000_000);
    const sum = (values: Float64Array): number => values.reduce((total, value) => (Number.isNaN(value) ? total : total + value), 0);
    const id = dataset.column('id') as NumericalColumn;
    assert.equal(sum(id.values), (999_999 * 1_000_000) / 2);
    assert.equal(sum((dataset.column('value') as NumericalColumn).values), sumValue);
    const maybe = dataset.column('maybe') as NumericalColumn;
    assert.equal(sum(maybe.values), sumMaybe);
    assert.equal(maybe.missing, missingMaybe);
    const group = dataset.column('group') as CategoricalColumn;
    const counts = new Map<string, number>();
    for (const code of group.codes) counts.set(group.categories[code], (counts.get(group.categories[code]) ?? 0) + 1);
    assert.deepEqual(
      [0, 1, 2, 3].map((index) => counts.get(`g${index}`)),
      groupCounts,
    );
  });
});
