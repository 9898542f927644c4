import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import path from 'node:path';
import fc from 'fast-check';
import { readDataset, readParquet, type CategoricalColumn, type DatasetColumn, type NumericalColumn } from '../../../src/datasets';
import { useTempDir } from '../helpers';
import { DATE_LOGICAL, STRING_LOGICAL, timestampLogical, writeParquet, type PageCodec, type ParquetColumnSpec } from './parquetWriter';

function numbers(column: DatasetColumn | undefined): number[] {
  assert.ok(column && column.type !== 'categorical', `numeric column expected, got ${column?.type}`);
  return Array.from((column as NumericalColumn).values);
}

function labels(column: DatasetColumn | undefined): (string | null)[] {
  assert.ok(column && column.type === 'categorical', `categorical column expected, got ${column?.type}`);
  const categorical = column as CategoricalColumn;
  return Array.from(categorical.codes, (code) => (code < 0 ? null : categorical.categories[code]));
}

const BEYOND_DOUBLE = 9007199254740993n; // 2^53 + 1: no double holds it

/** Nine rows in two row groups (4 + 5); every physical type the reader maps. */
const COLUMNS: ParquetColumnSpec[] = [
  { name: 'x', type: 'DOUBLE', optional: true, values: [1.5, null, Infinity, -2, 3, null, 7, 8, 9.25] },
  { name: 'n', type: 'INT64', optional: false, values: [1n, 2n, BEYOND_DOUBLE, 4n, 5n, 6n, 7n, 8n, -9n] },
  { name: 'i', type: 'INT32', optional: true, values: [10, 20, 30, null, 50, 60, 70, 80, 90] },
  { name: 's', type: 'BYTE_ARRAY', optional: true, convertedType: 0, logicalType: STRING_LOGICAL, values: ['a', '1.0', null, 'b', 'a', 'true', null, 'zz', 'é'] },
  { name: 'b', type: 'BOOLEAN', optional: false, values: [true, false, true, true, false, false, true, false, true] },
  { name: 'ts', type: 'INT64', optional: true, convertedType: 9, logicalType: timestampLogical(1), values: [0, 86_400_000, null, 1_700_000_000_000, 1, 2, 3, 4, 5] },
  { name: 'us', type: 'INT64', optional: false, convertedType: 10, logicalType: timestampLogical(2), values: [1_000n, 2_000n, 3_000n, 4_000n, 5_000n, 6_000n, 7_000n, 8_000n, 1_700_000_000_000_000n] },
  { name: 'd', type: 'INT32', optional: false, convertedType: 6, logicalType: DATE_LOGICAL, values: [0, 1, 2, 3, 4, 5, 6, 7, 19_000] },
];

/**
 * A zstd frame (RFC 8878) holding the page as raw blocks: what a zstd decoder must read, written
 * without a zstd compressor (Node 20 has none): magic, a single-segment frame header with a 4-byte
 * content size, then blocks of at most 128 KiB, each with a 3-byte header (last flag, type 0 = raw, size).
 */
function zstdRawFrame(page: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUInt32LE(0xfd2fb528, 0);
  header[4] = 0xa0; // content size field of 4 bytes, single segment, no checksum, no dictionary
  header.writeUInt32LE(page.length, 5);
  const parts: Buffer[] = [header];
  for (let start = 0; start < page.length || start === 0; start += 128 * 1024) {
    const block = page.subarray(start, start + 128 * 1024);
    const last = start + block.length >= page.length ? 1 : 0;
    const blockHeader = Buffer.alloc(3);
    blockHeader.writeUIntLE((block.length << 3) | last, 0, 3);
    parts.push(blockHeader, block);
    if (page.length === 0) break;
  }
  return Buffer.concat(parts);
}

/** Parquet's CompressionCodec ids (parquet.thrift): GZIP 2, BROTLI 4, ZSTD 6. */
const CODECS: Record<'GZIP' | 'BROTLI' | 'ZSTD', PageCodec> = {
  GZIP: { id: 2, compress: (page) => gzipSync(page) },
  BROTLI: { id: 4, compress: (page) => brotliCompressSync(page) },
  ZSTD: { id: 6, compress: zstdRawFrame },
};

function packageInstalled(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

describe('datasets: readParquet (files built byte by byte by ./parquetWriter)', () => {
  const tmp = useTempDir();
  const writeFile = (name: string, bytes: Buffer): string => {
    const file = path.join(tmp.path, name);
    writeFileSync(file, bytes);
    return file;
  };

  it('maps Parquet types: numbers, strings, booleans, timestamps and dates', async () => {
    const file = writeFile('all.parquet', writeParquet(COLUMNS, [4, 5]));
    const { dataset, diagnostics, ok, format } = await readParquet(file);
    assert.equal(ok, true);
    assert.equal(format, 'parquet');
    assert.equal(dataset.rowCount, 9);
    assert.deepEqual(
      dataset.columns.map((column) => `${column.name}:${column.type}`),
      ['x:numerical', 'n:numerical', 'i:numerical', 's:categorical', 'b:categorical', 'ts:datetime', 'us:datetime', 'd:datetime'],
    );
    assert.deepEqual(numbers(dataset.column('x')), [1.5, NaN, Infinity, -2, 3, NaN, 7, 8, 9.25]);
    assert.equal(dataset.column('x')?.missing, 2);
    assert.equal(dataset.column('x')?.nonFinite, 1);
    assert.deepEqual(numbers(dataset.column('n')), [1, 2, 2 ** 53, 4, 5, 6, 7, 8, -9]);
    assert.deepEqual(numbers(dataset.column('i')), [10, 20, 30, NaN, 50, 60, 70, 80, 90]);
    // typed strings keep their text: "1.0" and "true" are not canonicalised as CSV cells are
    assert.deepEqual(labels(dataset.column('s')), ['a', '1.0', null, 'b', 'a', 'true', null, 'zz', 'é']);
    assert.deepEqual(labels(dataset.column('b')), ['True', 'False', 'True', 'True', 'False', 'False', 'True', 'False', 'True']);
    assert.deepEqual(numbers(dataset.column('ts')), [0, 86_400_000, NaN, 1_700_000_000_000, 1, 2, 3, 4, 5]);
    assert.deepEqual(numbers(dataset.column('us')), [1, 2, 3, 4, 5, 6, 7, 8, 1_700_000_000_000]);
    assert.deepEqual(numbers(dataset.column('d')), [0, 1, 2, 3, 4, 5, 6, 7, 19_000].map((days) => days * 86_400_000));
    assert.equal(diagnostics.length, 1);
    assert.match(diagnostics[0].message, /1 integers beyond ±2\^53 were rounded/);
    assert.equal(diagnostics[0].position, 'column n');
  });

  for (const codec of ['GZIP', 'BROTLI', 'ZSTD'] as const) {
    it(`reads column chunks compressed with ${codec} like uncompressed ones`, async function () {
      // ZSTD is read through hyparquet-compressors (a dependency); skipped only where it is missing.
      if (codec === 'ZSTD' && !packageInstalled('hyparquet-compressors')) this.skip();
      const file = writeFile(`${codec}.parquet`, writeParquet(COLUMNS, [4, 5], CODECS[codec]));
      const { dataset, ok } = await readParquet(file);
      assert.equal(ok, true);
      assert.equal(dataset.rowCount, 9);
      assert.deepEqual(numbers(dataset.column('x')), [1.5, NaN, Infinity, -2, 3, NaN, 7, 8, 9.25]);
      assert.deepEqual(labels(dataset.column('s')), ['a', '1.0', null, 'b', 'a', 'true', null, 'zz', 'é']);
      assert.equal(dataset.column('x')?.missing, 2, 'only the null values are missing, not the chunks');
    });
  }

  it('reads only the requested columns (fewer bytes) and applies overrides', async () => {
    const wide: ParquetColumnSpec[] = [
      ...COLUMNS,
      { name: 'big', type: 'DOUBLE', optional: false, values: Array.from({ length: 9 }, (_, index) => index) },
    ];
    // large enough that the footer fetch (the last 512 kB) is not the whole file
    const padded = wide.map((column) => ({ ...column, values: Array.from({ length: 100_000 }, (_, index) => column.values[index % 9]) }));
    const file = writeFile('wide.parquet', writeParquet(padded, [50_000, 50_000]));
    let readAll = 0;
    await readParquet(file, { onProgress: ({ bytesRead }) => (readAll = bytesRead) });
    let readSome = 0;
    const { dataset, diagnostics } = await readParquet(file, {
      columns: ['i', 'ts', 'nothing'],
      overrides: { categorical: ['i'], numerical: ['ts'] },
      onProgress: ({ bytesRead }) => (readSome = bytesRead),
    });
    assert.deepEqual(
      dataset.columns.map((column) => `${column.name}:${column.type}`),
      ['i:categorical', 'ts:numerical'],
    );
    assert.deepEqual(labels(dataset.column('i')).slice(0, 5), ['10', '20', '30', null, '50']);
    assert.deepEqual(numbers(dataset.column('ts')).slice(0, 4), [0, 86_400_000, NaN, 1_700_000_000_000]);
    assert.equal(dataset.rowCount, 100_000);
    assert.deepEqual(
      diagnostics.map((diagnostic) => diagnostic.message),
      ['Column "nothing" was requested but the file has no such column.'],
    );
    assert.ok(readSome * 2 < readAll, `read ${readSome} of ${readAll} bytes`);
  });

  it('dispatches .parquet through readDataset and honours a timestamp column declared as text', async () => {
    const file = writeFile('d.parquet', writeParquet(COLUMNS));
    const read = await readDataset(file, { overrides: { categorical: ['d'] }, columns: ['d'] });
    assert.equal(read.format, 'parquet');
    assert.deepEqual(labels(read.dataset.column('d')).slice(0, 2), ['1970-01-01T00:00:00.000Z', '1970-01-02T00:00:00.000Z']);
  });

  it('reports a non-Parquet, truncated or missing file without throwing', async () => {
    const good = writeParquet(COLUMNS, [4, 5]);
    for (const [name, bytes] of [
      ['text.parquet', Buffer.from('a,b\n1,2\n')],
      ['empty.parquet', Buffer.alloc(0)],
      ['truncated.parquet', good.subarray(0, good.length - 10)],
    ] as const) {
      const read = await readParquet(writeFile(name, bytes));
      assert.equal(read.ok, false, name);
      assert.equal(read.dataset.rowCount, 0);
      assert.ok(read.diagnostics.length >= 1);
    }
    const missing = await readParquet(path.join(tmp.path, 'none.parquet'));
    assert.equal(missing.ok, false);
    assert.match(missing.diagnostics[0].message, /ENOENT/);
  });

  it('never throws on corrupted bytes (fuzz)', async function () {
    this.timeout(60_000);
    const good = writeParquet(COLUMNS, [4, 5]);
    const file = path.join(tmp.path, 'fuzz.parquet');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat({ max: good.length }),
        async (edits, cut) => {
          const bytes = Buffer.from(good.subarray(0, Math.max(cut, good.length - 64)));
          for (const [offset, value] of edits) if (offset < bytes.length) bytes[offset] = value;
          writeFileSync(file, bytes);
          const read = await readParquet(file);
          assert.equal(typeof read.ok, 'boolean');
          for (const column of read.dataset.columns) {
            const length = column.type === 'categorical' ? column.codes.length : column.values.length;
            assert.equal(length, read.dataset.rowCount, 'every column has one cell per row');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
