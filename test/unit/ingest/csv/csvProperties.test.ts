import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { csvImporter } from '../../../../src/ingest/csv';
import { readDelimited, type DelimitedState } from '../../../../src/ingest/csv/delimitedReader';
import type { FileCursor } from '../../../../src/ingest/types';
import { useTempDir } from '../../helpers';
import { makeContext } from './importHarness';

type Cell = { kind: 'number'; value: number } | { kind: 'empty' } | { kind: 'text'; text: string };

const cellArbitrary: fc.Arbitrary<Cell> = fc.oneof(
  { weight: 5, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Object.is(value, -0)).map((value) => ({ kind: 'number' as const, value })) },
  { weight: 3, arbitrary: fc.constant({ kind: 'empty' as const }) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{1,6}$/).filter((t) => !['nan', 'inf', 'infinity'].includes(t)).map((text) => ({ kind: 'text' as const, text })) },
);

const tableArbitrary = fc
  .record({ columns: fc.integer({ min: 1, max: 5 }), rows: fc.integer({ min: 0, max: 40 }) })
  .chain(({ columns, rows }) => fc.record({ columns: fc.constant(columns), cells: fc.array(fc.array(cellArbitrary, { minLength: columns, maxLength: columns }), { minLength: rows, maxLength: rows }) }));

function render(cell: Cell): string {
  return cell.kind === 'number' ? String(cell.value) : cell.kind === 'empty' ? '' : cell.text;
}

describe('csv importer: properties', () => {
  const temp = useTempDir();

  it('delivers exactly the non-empty numeric cells, whatever the chunking of appends', async function () {
    this.timeout(120000);
    let round = 0;
    await fc.assert(
      fc.asyncProperty(tableArbitrary, fc.array(fc.nat(), { maxLength: 8 }), async (table, cutSeeds) => {
        const folder = path.join(temp.path, `r${round++}`, 'lightning_logs', 'version_0');
        mkdirSync(folder, { recursive: true });
        const file = path.join(folder, 'metrics.csv');
        const names = Array.from({ length: table.columns }, (_, i) => `m${i}`);
        const text = [['step', ...names].join(','), ...table.cells.map((row, r) => [String(r), ...row.map(render)].join(','))].join('\n') + '\n';
        const cuts = [...new Set(cutSeeds.map((seed) => seed % (text.length + 1))), text.length].sort((a, b) => a - b);
        writeFileSync(file, '');
        const context = makeContext(temp.path);
        let written = 0;
        for (const cut of cuts) {
          appendFileSync(file, text.slice(written, cut));
          written = cut;
          await csvImporter.importUnit(folder, context);
        }
        const uid = `csv:${path.relative(temp.path, folder).split(path.sep).join('/')}`;
        assert.equal(context.sink.resets.length, 0);
        names.forEach((name, column) => {
          const expected = table.cells.flatMap((row, r) => (row[column].kind === 'number' ? [{ step: r, value: (row[column] as { value: number }).value }] : []));
          assert.deepEqual(context.sink.points(uid, name).map((p) => ({ step: p.step, value: p.value })), expected);
        });
        const textCells = table.cells.flat().filter((cell) => cell.kind === 'text').length;
        const reported = context.sink.diagnostics.filter((d) => d.message.includes('not a number')).length;
        // Diagnostics are capped at 20 per file per import.
        if (textCells <= 20) assert.equal(reported, textCells);
        else assert.ok(reported >= 20 && reported <= textCells);
      }),
      { numRuns: 60 },
    );
  });

  it('never throws on arbitrary bytes, appended in arbitrary pieces', async function () {
    this.timeout(120000);
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 5 }), fc.boolean(), async (pieces, withHeader) => {
        const folder = path.join(temp.path, `f${round++}`, 'lightning_logs', 'version_0');
        mkdirSync(folder, { recursive: true });
        const file = path.join(folder, 'metrics.csv');
        writeFileSync(file, withHeader ? 'epoch,step,loss\n' : '');
        const context = makeContext(temp.path);
        for (const piece of pieces) {
          appendFileSync(file, piece);
          await csvImporter.importUnit(folder, context);
        }
        for (const batch of context.sink.batches) assert.ok(Array.from(batch.values).every((v) => typeof v === 'number'));
      }),
      { numRuns: 150 },
    );
  });

  it('reader: quoted fields with delimiters, quotes and line breaks survive any chunking', async function () {
    this.timeout(120000);
    const field = fc.string({ unit: fc.constantFrom('a', '1', ',', '"', '\n', '\r', ' ', '\t', 'é', '€'), maxLength: 8 });
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(field, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 15 }), fc.array(fc.nat(), { maxLength: 6 }), async (rows, cutSeeds) => {
        const file = path.join(temp.path, `q${round++}.csv`);
        const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;
        const text = ['a,b', ...rows.map((row) => row.map(quote).join(','))].join('\n') + '\n';
        const bytes = Buffer.from(text, 'utf8');
        const cuts = [...new Set(cutSeeds.map((seed) => seed % (bytes.length + 1))), bytes.length].sort((a, b) => a - b);
        writeFileSync(file, '');
        let cursor: FileCursor | undefined;
        let state: DelimitedState | undefined;
        const seen: string[][] = [];
        let written = 0;
        for (const cut of cuts) {
          appendFileSync(file, bytes.subarray(written, cut));
          written = cut;
          const read = await readDelimited(file, cursor, state, { delimiter: ',', report: (p) => assert.fail(p.message) });
          if (read === undefined) continue;
          assert.equal(read.restarted, false);
          seen.push(...read.rows.map((row) => [...row.cells]));
          cursor = read.cursor;
          state = read.state;
        }
        assert.deepEqual(seen, rows);
      }),
      { numRuns: 120 },
    );
  });
});
