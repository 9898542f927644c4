import assert from 'node:assert/strict';
import fc from 'fast-check';
import { contentOf, decodeEvent, decodeHParams } from '../../../../src/ingest/tensorboard/events';
import type { TfEvent } from '../../../../src/ingest/tensorboard/events';
import { event, histogramTensor, hparamsValue, imageValue, Message, simpleValue, tensorScalar } from './eventWriter';

function decoded(bytes: Uint8Array): TfEvent {
  const result = decodeEvent(bytes);
  if (!result.ok) assert.fail(result.message);
  return result.value;
}

/** float32 rounding of a double, computed without the code under test. */
function asFloat32(value: number): number {
  return new Float32Array([value])[0];
}

describe('tensorboard Event decoding', () => {
  it('reads wall_time, step and file_version', () => {
    const first = decoded(event({ wallTime: 1677069283.0612, fileVersion: 'brain.Event:2' }));
    assert.equal(first.wallTime, 1677069283.0612);
    assert.equal(first.step, 0);
    assert.equal(first.fileVersion, 'brain.Event:2');
    assert.deepEqual(first.values, []);
    assert.equal(decoded(event({ step: 2n ** 40n + 3n })).step, 2 ** 40 + 3);
    assert.equal(decoded(event({ step: -5 })).step, -5);
  });

  it('reads simple_value scalars, including 0', () => {
    const content = contentOf(decoded(event({ step: 49, values: [simpleValue('loss', 0.25), simpleValue('zero', 0)] })), new Map());
    assert.deepEqual(content.scalars, [{ tag: 'loss', value: 0.25 }, { tag: 'zero', value: 0 }]);
  });

  for (const encoding of ['float_val', 'tensor_content', 'double_val', 'double_content'] as const) {
    it(`reads TF2 tensor scalars (${encoding}) and remembers the plugin of tags whose metadata came earlier`, () => {
      const tagPlugins = new Map<string, string>();
      const value = 0.1;
      const expected = encoding.startsWith('double') ? value : asFloat32(value);
      const first = contentOf(decoded(event({ step: 1, values: [tensorScalar('epoch_loss', value, true, encoding)] })), tagPlugins);
      const later = contentOf(decoded(event({ step: 2, values: [tensorScalar('epoch_loss', value, false, encoding)] })), tagPlugins);
      assert.deepEqual(first.scalars, [{ tag: 'epoch_loss', value: expected }]);
      assert.deepEqual(later.scalars, [{ tag: 'epoch_loss', value: expected }]);
      assert.deepEqual([...tagPlugins], [['epoch_loss', 'scalars']]);
      // Without the memory, a bare tensor is not known to be a scalar.
      assert.deepEqual(contentOf(decoded(event({ step: 3, values: [tensorScalar('epoch_loss', value, false, encoding)] })), new Map()).scalars, []);
    });
  }

  it('skips histograms, images and other plugins\' tensors', () => {
    const tagPlugins = new Map<string, string>();
    const content = contentOf(decoded(event({ step: 1, values: [histogramTensor('weights', true), imageValue('input'), simpleValue('acc', 0.5)] })), tagPlugins);
    assert.deepEqual(content.scalars, [{ tag: 'acc', value: 0.5 }]);
    assert.deepEqual(contentOf(decoded(event({ step: 2, values: [histogramTensor('weights', false)] })), tagPlugins).scalars, []);
  });

  it('skips fields it does not know (graph_def, log_message)', () => {
    const bytes = new Message().double(1, 5).varint(2, 7).bytes(4, Buffer.from([1, 2, 3])).message(6, new Message().varint(1, 1).string(2, 'hello')).finish();
    const result = decoded(bytes);
    assert.equal(result.step, 7);
    assert.deepEqual(result.values, []);
  });

  it('reads the hparams plugin\'s session_start_info', () => {
    const content = contentOf(decoded(event({ values: [hparamsValue({ lr: 0.01, layers: 2, optimizer: "<class 'torch.optim.adam.Adam'>", shuffle: true, scheduler: null })] })), new Map());
    assert.deepEqual(content.scalars, []);
    assert.equal(content.hparams.length, 1);
    const hparams = decodeHParams(content.hparams[0]);
    assert.ok(hparams.ok);
    assert.deepEqual(Object.fromEntries(hparams.value), { lr: '0.01', layers: '2', optimizer: "<class 'torch.optim.adam.Adam'>", shuffle: 'true', scheduler: 'null' });
  });

  it('reports truncated and malformed events instead of throwing', () => {
    const valid = event({ step: 3, values: [simpleValue('loss', 1), tensorScalar('acc', 2, true)] });
    for (let cut = 1; cut < valid.length; cut++) {
      assert.doesNotThrow(() => decodeEvent(valid.subarray(0, cut)));
    }
    assert.equal(decodeEvent(valid.subarray(0, valid.length - 1)).ok, false);
    assert.equal(decodeEvent(Buffer.from([0x07])).ok, false); // field 0
    assert.equal(decodeEvent(Buffer.from([0x0f])).ok, false); // wire type 7
  });

  it('never throws on random bytes or damaged events', () => {
    const valid = event({ step: 3, values: [simpleValue('loss', 1), tensorScalar('acc', 2, true), hparamsValue({ a: 1, b: 'x' }), histogramTensor('h', true)] });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const result = decodeEvent(bytes);
      if (result.ok) {
        const content = contentOf(result.value, new Map());
        for (const payload of content.hparams) decodeHParams(payload);
      }
    }), { numRuns: 1000 });
    fc.assert(fc.property(fc.nat(valid.length), fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })), { maxLength: 3 }), (cut, flips) => {
      const bytes = Buffer.from(valid.subarray(0, cut));
      for (const [index, mask] of flips) if (index < bytes.length) bytes[index] ^= mask;
      const result = decodeEvent(bytes);
      if (result.ok) for (const payload of contentOf(result.value, new Map()).hparams) decodeHParams(payload);
    }), { numRuns: 1000 });
  });
});
