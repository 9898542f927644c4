import assert from 'node:assert/strict';
import fc from 'fast-check';
import { maskedCrc32c, readRecords } from '../../../../src/ingest/tensorboard/tfrecord';
import { crc32c, frame, masked } from './eventWriter';

describe('tensorboard TFRecord framing', () => {
  it('the test writer\'s CRC32C matches the published check value', () => {
    // RFC 3720 / iSCSI check value for "123456789".
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  });

  it('masks CRC32C as TensorFlow does, for any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      assert.equal(maskedCrc32c(bytes), masked(crc32c(bytes)));
    }));
  });

  it('splits consecutive records and reports their file offsets', () => {
    const payloads = [Buffer.from('first'), Buffer.alloc(0), Buffer.alloc(300, 7)];
    const bytes = Buffer.concat(payloads.map(frame));
    const result = readRecords(bytes, 1000);
    assert.deepEqual(result.records.map((record) => Buffer.from(record.data)), payloads);
    // Each record takes 16 bytes of framing plus its data.
    assert.deepEqual(result.records.map((record) => record.offset), [1000, 1000 + 16 + 5, 1000 + 16 + 5 + 16]);
    assert.equal(result.consumed, bytes.length);
    assert.deepEqual(result.problems, []);
  });

  it('stops before a record that is not complete yet, at every cut point', () => {
    const payloads = [Buffer.from('alpha'), Buffer.from('bravo-charlie'), Buffer.from('d')];
    const bytes = Buffer.concat(payloads.map(frame));
    const boundaries = [0, 21, 21 + 29, 21 + 29 + 17];
    for (let cut = 0; cut <= bytes.length; cut++) {
      const complete = boundaries.filter((boundary) => boundary <= cut).length - 1;
      const result = readRecords(bytes.subarray(0, cut));
      assert.equal(result.records.length, complete, `cut ${cut}`);
      assert.equal(result.consumed, boundaries[complete], `cut ${cut}`);
      assert.deepEqual(result.problems, []);
    }
  });

  it('skips a record whose data checksum is wrong and keeps the ones around it', () => {
    const bytes = Buffer.concat([frame(Buffer.from('one')), frame(Buffer.from('two')), frame(Buffer.from('three'))]);
    bytes[19 + 12] ^= 0xff; // a data byte of the second record (the first takes 19 bytes)
    const result = readRecords(bytes, 50);
    assert.deepEqual(result.records.map((record) => Buffer.from(record.data).toString()), ['one', 'three']);
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0].offset, 50 + 19);
    assert.match(result.problems[0].message, /data checksum/);
    assert.equal(result.consumed, bytes.length);
  });

  it('after a damaged length finds the next intact record', () => {
    const bytes = Buffer.concat([frame(Buffer.from('one')), frame(Buffer.from('two')), frame(Buffer.from('three'))]);
    bytes[19] ^= 0x01; // the length of the second record
    const result = readRecords(bytes);
    assert.deepEqual(result.records.map((record) => Buffer.from(record.data).toString()), ['one', 'three']);
    assert.deepEqual(result.records.map((record) => record.offset), [0, 38]);
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0].message, /length checksum/);
    assert.equal(result.consumed, bytes.length);
  });

  it('never throws on random bytes and never consumes more than it was given', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat(), (bytes, start) => {
      const result = readRecords(bytes, start);
      assert.ok(result.consumed >= 0 && result.consumed <= bytes.length);
      for (const record of result.records) assert.ok(record.offset >= start && record.offset + 16 + record.data.length <= start + bytes.length);
    }), { numRuns: 500 });
  });

  it('reads a prefix of the records from any truncation of a valid stream', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 60 }), { maxLength: 8 }), fc.double({ min: 0, max: 1, noNaN: true }), (payloads, fraction) => {
      const bytes = Buffer.concat(payloads.map(frame));
      const cut = Math.floor(bytes.length * fraction);
      const result = readRecords(bytes.subarray(0, cut));
      assert.deepEqual(result.problems, []);
      assert.deepEqual(result.records.map((record) => Buffer.from(record.data)), payloads.slice(0, result.records.length).map((payload) => Buffer.from(payload)));
      // What was left unread is less than one whole record.
      const next = payloads[result.records.length];
      if (next !== undefined) assert.ok(cut - result.consumed < next.length + 16);
    }), { numRuns: 300 });
  });

  it('never throws on valid streams with random bytes flipped, and keeps every undamaged record it can frame', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 4 }), (payloads, flips) => {
      const bytes = Buffer.concat(payloads.map(frame));
      for (const flip of flips) bytes[flip % bytes.length] ^= 0x5a;
      const result = readRecords(bytes);
      assert.ok(result.consumed <= bytes.length);
      for (const record of result.records) assert.equal(masked(crc32c(record.data)), bytes.readUInt32LE(record.offset + 12 + record.data.length));
    }), { numRuns: 300 });
  });
});
