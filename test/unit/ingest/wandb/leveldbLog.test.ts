import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkFileHeader, chunkChecksum, scanLog } from '../../../../src/ingest/wandb/leveldbLog';
import { BLOCK, FILE_HEADER, HEADER, writeLog } from './wandbWriter';

/** Scans a whole log written with a file header, as the importer does. */
function scanFile(bytes: Buffer) {
  return scanLog(bytes.subarray(7), 7);
}

function payload(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 7) & 0xff;
  return bytes;
}

describe('wandb log framing', () => {
  it('checksums chunks as zlib.crc32(data, zlib.crc32(type)) does', () => {
    // Computed with python3: zlib.crc32(b'hello wandb', zlib.crc32(bytes([t]))) for t = 1..4.
    const expected = [1390684275, 628816515, 3202332396, 3393675107];
    expected.forEach((crc, index) => assert.equal(chunkChecksum(index + 1, Buffer.from('hello wandb')), crc));
  });

  it('recognises the file header and rejects others', () => {
    assert.equal(checkFileHeader(FILE_HEADER), 'ok');
    assert.equal(checkFileHeader(FILE_HEADER.subarray(0, 4)), 'incomplete');
    assert.equal(checkFileHeader(Buffer.alloc(0)), 'incomplete');
    assert.equal(checkFileHeader(Buffer.from(':W&B\xe1\xbe\x01', 'latin1')), 'invalid'); // version 1
    assert.equal(checkFileHeader(Buffer.from('{"json": true}')), 'invalid');
  });

  it('reads consecutive records with their file offsets', () => {
    const payloads = [Buffer.from('first'), Buffer.from('second record'), payload(300, 1)];
    const log = writeLog(payloads);
    const scan = scanFile(log.bytes);
    assert.deepEqual(scan.records.map((r) => Buffer.from(r.data)), payloads);
    // Header 7, then each record: 7 + length.
    assert.deepEqual(scan.records.map((r) => r.offset), [7, 7 + 12, 7 + 12 + 20]);
    assert.equal(scan.consumed + 7, log.bytes.length);
    assert.deepEqual(scan.problems, []);
  });

  it('joins records that span blocks (FIRST, MIDDLE, LAST)', () => {
    const big = payload(3 * BLOCK, 2);
    const log = writeLog([Buffer.from('a'), big, Buffer.from('after')]);
    assert.deepEqual(log.chunks.map((c) => c.type), [1, 2, 3, 3, 4, 1], 'the writer made a spanning record');
    const scan = scanFile(log.bytes);
    assert.equal(scan.records.length, 3);
    assert.ok(Buffer.from(scan.records[1].data).equals(big));
    assert.equal(scan.records[1].offset, log.records[1].start);
    assert.equal(Buffer.from(scan.records[2].data).toString(), 'after');
    assert.deepEqual(scan.problems, []);
  });

  it('skips block trailers and handles a zero-length FIRST chunk', () => {
    // First record leaves exactly 3 bytes in block 0: they are padding.
    const first = payload(BLOCK - 7 - 7 - 3, 3);
    const trailer = writeLog([first, Buffer.from('next')]);
    assert.equal(trailer.records[1].start, BLOCK, 'the writer padded the block');
    assert.deepEqual(scanFile(trailer.bytes).records.map((r) => r.data.length), [first.length, 4]);
    // First record leaves exactly 7 bytes: the next record starts with an empty FIRST chunk.
    const exact = writeLog([payload(BLOCK - 7 - 7 - 7, 4), Buffer.from('spans')]);
    assert.deepEqual(exact.chunks.slice(1).map((c) => [c.type, c.length]), [[2, 0], [4, 5]]);
    const scan = scanFile(exact.bytes);
    assert.deepEqual(scan.records.map((r) => Buffer.from(r.data).toString()).slice(1), ['spans']);
    assert.deepEqual(scan.problems, []);
  });

  it('stops before a record that is not complete yet, at every cut point', () => {
    const payloads = [Buffer.from('alpha'), payload(BLOCK + 100, 5), Buffer.from('omega')];
    const log = writeLog(payloads);
    const ends = log.records.map((r) => r.end);
    const starts = log.records.map((r) => r.start);
    const cuts = new Set<number>();
    for (const boundary of [...ends, ...starts, BLOCK]) for (let d = -8; d <= 8; d++) cuts.add(boundary + d);
    for (let cut = 7; cut <= log.bytes.length; cut += 997) cuts.add(cut);
    for (const cut of [...cuts].filter((c) => c >= 7 && c <= log.bytes.length)) {
      const complete = ends.filter((end) => end <= cut).length;
      const scan = scanFile(log.bytes.subarray(0, cut));
      assert.equal(scan.records.length, complete, `cut ${cut}`);
      assert.deepEqual(scan.problems, [], `cut ${cut}`);
      // Resumes at the start of the first incomplete record (or at the end).
      const resume = complete < starts.length ? Math.min(starts[complete], cut) : cut;
      assert.ok(scan.consumed + 7 <= resume && scan.consumed + 7 >= (complete > 0 ? ends[complete - 1] : 7), `cut ${cut}: consumed ${scan.consumed}`);
      // Reading the rest from there gives exactly the remaining records.
      const rest = scanLog(log.bytes.subarray(scan.consumed + 7), scan.consumed + 7);
      assert.equal(rest.records.length, payloads.length - complete, `cut ${cut}: rest`);
    }
  });

  it('reports a record with a bad checksum and keeps the others', () => {
    const log = writeLog([Buffer.from('one'), Buffer.from('two'), Buffer.from('three')]);
    const bytes = Buffer.from(log.bytes);
    bytes[log.records[1].start + HEADER] ^= 0x20; // a data byte of "two"
    const scan = scanFile(bytes);
    assert.deepEqual(scan.records.map((r) => Buffer.from(r.data).toString()), ['one', 'three']);
    assert.equal(scan.problems.length, 1);
    assert.equal(scan.problems[0].offset, log.records[1].start);
    assert.match(scan.problems[0].message, /checksum/);
  });

  it('drops a spanning record whose middle chunk is damaged, with one problem', () => {
    const log = writeLog([Buffer.from('a'), payload(2 * BLOCK, 6), Buffer.from('z')]);
    const middle = log.chunks.find((c) => c.type === 3);
    assert.ok(middle);
    const bytes = Buffer.from(log.bytes);
    bytes[middle.offset + HEADER + 10] ^= 1;
    const scan = scanFile(bytes);
    assert.deepEqual(scan.records.map((r) => Buffer.from(r.data).toString()), ['a', 'z']);
    assert.equal(scan.problems.length, 1);
    assert.equal(scan.problems[0].offset, middle.offset);
  });

  it('reports a damaged first chunk once, even when the rest of its record comes in a later read', () => {
    const log = writeLog([Buffer.from('a'), payload(2 * BLOCK, 7), Buffer.from('z'), Buffer.from('y')]);
    const first = log.chunks.find((c) => c.type === 2);
    assert.ok(first);
    const bytes = Buffer.from(log.bytes);
    bytes[first.offset + HEADER + 3] ^= 0x10;
    const head = scanFile(bytes.subarray(0, BLOCK));
    assert.equal(head.problems.length, 1);
    assert.equal(head.afterDamage, true);
    const rest = scanLog(bytes.subarray(head.consumed + 7), head.consumed + 7, head.afterDamage);
    assert.deepEqual(rest.problems, []);
    assert.deepEqual([...head.records, ...rest.records].map((r) => Buffer.from(r.data).toString()), ['a', 'z', 'y']);
    assert.equal(rest.afterDamage, false);
    // Without being told, the continuation chunks look orphaned.
    assert.equal(scanLog(bytes.subarray(BLOCK), BLOCK).problems.length, 2);
  });

  it('after a damaged length finds the next intact chunk', () => {
    const log = writeLog([Buffer.from('one'), Buffer.from('two'), Buffer.from('three')]);
    const bytes = Buffer.from(log.bytes);
    bytes[log.records[1].start + 4] ^= 0x40; // the length of "two"
    const scan = scanFile(bytes);
    assert.deepEqual(scan.records.map((r) => Buffer.from(r.data).toString()), ['one', 'three']);
    assert.equal(scan.records[1].offset, log.records[2].start);
    assert.equal(scan.problems.length, 1);
  });

  it('skips a zero-filled rest of a block', () => {
    const log = writeLog([Buffer.from('one')]);
    const zeros = Buffer.alloc(BLOCK - log.bytes.length);
    const next = writeLog([Buffer.from('two')], false);
    const scan = scanFile(Buffer.concat([log.bytes, zeros, next.bytes]));
    assert.deepEqual(scan.records.map((r) => Buffer.from(r.data).toString()), ['one', 'two']);
    assert.deepEqual(scan.problems, []);
  });

  it('never throws on random bytes and never consumes more than it was given', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat({ max: 3 * BLOCK }), (bytes, start) => {
      const scan = scanLog(bytes, start);
      assert.ok(scan.consumed >= 0 && scan.consumed <= bytes.length);
      for (const record of scan.records) assert.ok(record.offset >= start && record.offset < start + bytes.length);
    }), { numRuns: 500 });
  });

  it('returns only original records from truncated or bit-flipped logs', () => {
    const payloadArb = fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: BLOCK - 200, max: BLOCK + 200 }).map((n) => new Uint8Array(payload(n, n))));
    fc.assert(fc.property(fc.array(payloadArb, { minLength: 1, maxLength: 6 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.nat(), { maxLength: 3 }), (payloads, fraction, flips) => {
      const log = writeLog(payloads.map((p) => Buffer.from(p)));
      const bytes = Buffer.from(log.bytes);
      for (const flip of flips) {
        const at = 7 + (flip % Math.max(1, bytes.length - 7));
        if (at < bytes.length) bytes[at] ^= 1 << (flip % 8);
      }
      const cut = 7 + Math.floor((bytes.length - 7) * fraction);
      const scan = scanFile(bytes.subarray(0, cut));
      assert.ok(scan.consumed >= 0 && scan.consumed + 7 <= cut);
      const originals = new Map(log.records.map((r, index) => [r.start, Buffer.from(payloads[index])]));
      for (const record of scan.records) {
        const original = originals.get(record.offset);
        assert.ok(original !== undefined, `record at ${record.offset} is not one that was written`);
        assert.ok(Buffer.from(record.data).equals(original), `record at ${record.offset} differs from what was written`);
      }
      if (flips.length === 0) assert.deepEqual(scan.problems, []);
    }), { numRuns: 300 });
  });
});
