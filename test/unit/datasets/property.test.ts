import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseCsvSync } from 'csv-parse/sync';
import fc from 'fast-check';
import { readCsv, readJsonl, type CategoricalColumn, type NumericalColumn } from '../../../src/datasets';
import { CsvTokenizer } from '../../../src/datasets/csvTokenizer';
import { parseIsoDatetime, parseNumber } from '../../../src/datasets/values';
import { useTempDir } from '../helpers';

/** Feeds `text` to a tokenizer in chunks cut at `cuts` and returns the records and problems. */
function tokenize(text: string, cuts: readonly number[], delimiter = ','): { records: string[][]; lines: number[]; fatal: number } {
  const records: string[][] = [];
  const lines: number[] = [];
  let fatal = 0;
  const tokenizer = new CsvTokenizer(delimiter, {
    record(fields, line, blank) {
      if (blank) return;
      records.push(fields);
      lines.push(line);
    },
    fatal() {
      fatal++;
    },
  });
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    tokenizer.push(text.slice(start, cut));
    start = cut;
  }
  tokenizer.push(text.slice(start));
  tokenizer.end();
  return { records, lines, fatal };
}

const fieldText = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', '"', '\n', '\r', ';', 'é', '1'), maxLength: 8 });
const lineEnding = fc.constantFrom('\n', '\r\n', '\r');

function csvField(value: string, alwaysQuote: boolean): string {
  return alwaysQuote || /[",\r\n]/.test(value) || value === '' ? `"${value.replace(/"/g, '""')}"` : value;
}

/** -0 written as "-0": String(-0) is "0" and would lose the sign. */
function numberText(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

describe('datasets: properties', () => {
  const tmp = useTempDir();

  it('the tokenizer reads back any table written with CSV quoting, whatever the chunking (and agrees with csv-parse)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fieldText, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        lineEnding,
        fc.array(fc.nat(), { maxLength: 6 }),
        (table, alwaysQuote, ending, rawCuts) => {
          const text = table.map((row) => row.map((value) => csvField(value, alwaysQuote)).join(',')).join(ending) + ending;
          const cuts = rawCuts.map((cut) => cut % (text.length + 1));
          const { records, fatal } = tokenize(text, cuts);
          assert.equal(fatal, 0);
          assert.deepEqual(records, table);
          const oracle = parseCsvSync(text, { relax_column_count: true, record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];
          assert.deepEqual(records, oracle);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the tokenizer never throws on arbitrary text and its output does not depend on chunking', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' '), maxLength: 40 }), fc.array(fc.nat(), { maxLength: 5 }), (text, rawCuts) => {
        const whole = tokenize(text, []);
        const chunked = tokenize(text, rawCuts.map((cut) => cut % (text.length + 1)));
        assert.deepEqual(chunked, whole);
      }),
      { numRuns: 1000 },
    );
  });

  it('line numbers count the physical lines before each record', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fieldText, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }), lineEnding, (table, ending) => {
        const rows = table.map((row) => row.map((value) => csvField(value, false)).join(','));
        const text = rows.join(ending) + ending;
        const expected: number[] = [];
        let line = 1;
        for (const row of rows) {
          expected.push(line);
          // physical lines in the row: \r\n, \r and \n each end one
          line += 1 + (row.match(/\r\n|\r|\n/g)?.length ?? 0);
        }
        assert.deepEqual(tokenize(text, []).lines, expected);
      }),
      { numRuns: 300 },
    );
  });

  const doubles = fc.double({ noNaN: false });
  const labels = fc.string({ maxLength: 6 }).map((text) => `k${text}`); // the leading k keeps them from reading as numbers, booleans or dates
  const tables = fc.integer({ min: 1, max: 30 }).chain((rows) =>
    fc.record({
      numbers: fc.array(doubles, { minLength: rows, maxLength: rows }),
      labels: fc.array(fc.option(labels, { nil: null }), { minLength: rows, maxLength: rows }),
    }),
  );

  it('random tables written as CSV read back equal, numbers exactly', async () => {
    const file = path.join(tmp.path, 'random.csv');
    await fc.assert(
      fc.asyncProperty(tables, fc.constantFrom(',', ';', '\t'), lineEnding, fc.boolean(), async (table, delimiter, ending, bom) => {
        const quote = (value: string): string => (/[",;\t\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
        const lines = ['num,label'.replace(',', delimiter)];
        table.numbers.forEach((value, row) => {
          const label = table.labels[row];
          lines.push(`${Number.isNaN(value) ? 'nan' : numberText(value).replace('Infinity', 'inf')}${delimiter}${label === null ? '' : quote(label)}`);
        });
        writeFileSync(file, (bom ? '\ufeff' : '') + lines.join(ending) + ending);
        const { dataset, diagnostics } = await readCsv(file, { overrides: { categorical: ['label'], numerical: ['num'] } });
        assert.deepEqual(diagnostics, []);
        assert.equal(dataset.rowCount, table.numbers.length);
        assert.deepEqual(Array.from((dataset.column('num') as NumericalColumn).values), table.numbers);
        const column = dataset.column('label') as CategoricalColumn;
        assert.deepEqual(
          Array.from(column.codes, (code) => (code < 0 ? null : column.categories[code])),
          table.labels,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('random tables written as JSON lines (Python-style NaN/Infinity) read back equal', async () => {
    const file = path.join(tmp.path, 'random.jsonl');
    await fc.assert(
      fc.asyncProperty(tables, async (table) => {
        const lines = table.numbers.map((value, row) => {
          const number = Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? numberText(value) : value > 0 ? 'Infinity' : '-Infinity';
          return `{"num": ${number}, "label": ${JSON.stringify(table.labels[row])}}`;
        });
        writeFileSync(file, lines.join('\n'));
        const { dataset, diagnostics } = await readJsonl(file, { overrides: { categorical: ['label'], numerical: ['num'] } });
        assert.deepEqual(diagnostics, []);
        assert.deepEqual(Array.from((dataset.column('num') as NumericalColumn).values), table.numbers);
        const column = dataset.column('label') as CategoricalColumn;
        assert.deepEqual(
          Array.from(column.codes, (code) => (code < 0 ? null : column.categories[code])),
          table.labels,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('inferred numeric columns read every double exactly as text', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        assert.ok(Object.is(parseNumber(numberText(value)), value));
        assert.ok(Object.is(parseNumber(value.toExponential()), Number(value.toExponential())));
      }),
    );
  });

  it('ISO-8601 timestamps match Date.UTC, with and without offsets', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (date, offsetMinutes) => {
          assert.equal(parseIsoDatetime(date.toISOString()), date.getTime());
          const shifted = new Date(date.getTime() + offsetMinutes * 60_000);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const magnitude = Math.abs(offsetMinutes);
          const zone = `${sign}${String(Math.floor(magnitude / 60)).padStart(2, '0')}:${String(magnitude % 60).padStart(2, '0')}`;
          const local = shifted.toISOString().replace('Z', zone);
          assert.equal(parseIsoDatetime(local), date.getTime(), local);
        },
      ),
      { numRuns: 500 },
    );
    for (const invalid of ['2023-02-29', '2024-13-01', '2024-01-01T24:00:00', '2024-1-1', '20240101', 'yesterday']) {
      assert.ok(Number.isNaN(parseIsoDatetime(invalid)), invalid);
    }
    assert.equal(parseIsoDatetime('2024-02-29'), Date.UTC(2024, 1, 29));
  });
});
