import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { createTensorboardImporter, tensorboardImporter } from '../../../../src/ingest/tensorboard/importer';
import { useTempDir } from '../../helpers';
import { event, fileVersionRecord, frame, histogramTensor, hparamsPluginValue, hparamsValue, imageValue, Message, simpleValue, tensorScalar } from './eventWriter';
import type { TensorEncoding } from './eventWriter';
import { recordingContext } from './recordingSink';

const EVENTS_0 = 'events.out.tfevents.1700000000.host.1.0.v2';
const EVENTS_1 = 'events.out.tfevents.1700000500.host.1.1.v2';

/** A TF2 Keras-like stream: `epoch_loss` as tensor scalars (metadata on the first only), plus noise. */
function tf2Events(steps: number, encoding: TensorEncoding = 'float_val', firstStep = 0): Buffer[] {
  const out: Buffer[] = [];
  for (let step = firstStep; step < firstStep + steps; step++) {
    const first = step === firstStep;
    out.push(frame(event({ wallTime: 1_700_000_001 + step, step, values: [tensorScalar('epoch_loss', 1 / (step + 1), first, encoding)] })));
    out.push(frame(event({ wallTime: 1_700_000_001 + step, step, values: [histogramTensor('kernel_0', first), imageValue('inputs')] })));
  }
  return out;
}

describe('tensorboard importer', () => {
  const temp = useTempDir();
  const runDir = (): string => path.join(temp.path, 'logs', 'run_a');
  const uid = 'tensorboard:logs/run_a';
  const write = (name: string, ...chunks: Buffer[]): void => {
    mkdirSync(runDir(), { recursive: true });
    writeFileSync(path.join(runDir(), name), Buffer.concat(chunks));
  };
  const append = (name: string, ...chunks: Buffer[]): void => appendFileSync(path.join(runDir(), name), Buffer.concat(chunks));

  it('maps event files to their directory, and nothing else', () => {
    assert.equal(tensorboardImporter.format, 'tensorboard');
    assert.deepEqual(tensorboardImporter.patterns, ['**/events.out.tfevents.*']);
    assert.equal(tensorboardImporter.unitOf(path.join('/w', 'logs', 'run_a', EVENTS_0)), path.join('/w', 'logs', 'run_a'));
    assert.equal(tensorboardImporter.unitOf(path.join('/w', 'logs', 'run_a', 'hparams.yaml')), undefined);
  });

  for (const encoding of ['float_val', 'tensor_content'] as const) {
    it(`imports TF2 tensor scalars (${encoding}) and skips histograms and images`, async () => {
      write(EVENTS_0, fileVersionRecord(), ...tf2Events(5, encoding));
      const context = recordingContext(temp.path);
      assert.deepEqual(await tensorboardImporter.importUnit(runDir(), context), [uid]);
      assert.deepEqual(context.sink.pointCounts(uid), { epoch_loss: 5 });
      const expected = [0, 1, 2, 3, 4].map((step): [number, number] => [step, new Float32Array([1 / (step + 1)])[0]]);
      assert.deepEqual(context.sink.series(uid, 'epoch_loss'), expected);
      assert.deepEqual(context.sink.batches[0].timestamps, [0, 1, 2, 3, 4].map((step) => (1_700_000_001 + step) * 1000));
      const run = context.sink.lastRun(uid);
      assert.deepEqual([run?.name, run?.experimentUid, run?.sourcePath, run?.status], ['run_a', 'tensorboard:logs', 'logs/run_a', 'FINISHED']);
      assert.deepEqual([run?.startTime, run?.endTime], [1_700_000_000_000, 1_700_000_005_000]);
      assert.deepEqual(context.sink.diagnostics, []);
    });
  }

  it('remembers a tag\'s plugin across imports (TF2 writes its metadata only once)', async () => {
    write(EVENTS_0, fileVersionRecord(), ...tf2Events(2));
    const context = recordingContext(temp.path);
    await tensorboardImporter.importUnit(runDir(), context);
    context.sink.clear();
    append(EVENTS_0, ...tf2Events(3, 'float_val', 2).filter((_, index) => index !== 0), frame(event({ step: 2, values: [tensorScalar('epoch_loss', 0.5, false)] })));
    // A new importer instance: only the cursors (through JSON) carry what the first import learnt.
    await createTensorboardImporter().importUnit(runDir(), context);
    assert.deepEqual(context.sink.series(uid, 'epoch_loss').map(([step]) => step), [3, 4, 2]);
    assert.deepEqual(context.sink.resets, []);
  });

  it('resumes at a partial last record once the rest is appended', async () => {
    const full = Buffer.concat([fileVersionRecord(), frame(event({ step: 1, values: [simpleValue('loss', 1)] })), frame(event({ step: 2, values: [simpleValue('loss', 2)] }))]);
    const cut = full.length - 7;
    write(EVENTS_0, full.subarray(0, cut));
    const context = recordingContext(temp.path);
    await tensorboardImporter.importUnit(runDir(), context);
    assert.deepEqual(context.sink.series(uid, 'loss'), [[1, 1]]);
    assert.equal(context.cursors.get(path.join(runDir(), EVENTS_0))?.offset, full.length - frame(event({ step: 2, values: [simpleValue('loss', 2)] })).length);
    context.sink.clear();
    append(EVENTS_0, full.subarray(cut));
    await tensorboardImporter.importUnit(runDir(), context);
    assert.deepEqual(context.sink.series(uid, 'loss'), [[2, 2]]);
    assert.deepEqual(context.sink.diagnostics, []);
    assert.deepEqual(context.sink.resets, []);
  });

  it('reports a record with a bad checksum and imports the others', async () => {
    const head = fileVersionRecord();
    const good = frame(event({ step: 1, values: [simpleValue('loss', 1)] }));
    const bad = frame(event({ step: 2, values: [simpleValue('loss', 2)] }));
    bad[bad.length - 6] ^= 0xff; // inside the data
    const after = frame(event({ step: 3, values: [simpleValue('loss', 3)] }));
    write(EVENTS_0, head, good, bad, after);
    const context = recordingContext(temp.path);
    await tensorboardImporter.importUnit(runDir(), context);
    assert.deepEqual(context.sink.series(uid, 'loss'), [[1, 1], [3, 3]]);
    assert.equal(context.sink.diagnostics.length, 1);
    assert.equal(context.sink.diagnostics[0].file, path.join(runDir(), EVENTS_0));
    assert.equal(context.sink.diagnostics[0].position, `byte ${head.length + good.length}`);
    assert.equal(context.sink.diagnostics[0].severity, 'error');
  });

  it('reports a record that frames correctly but does not decode', async () => {
    write(EVENTS_0, fileVersionRecord(), frame(Buffer.from([0x0a, 0x05, 0x01])), frame(event({ step: 3, values: [simpleValue('loss', 3)] })));
    const context = recordingContext(temp.path);
    await tensorboardImporter.importUnit(runDir(), context);
    assert.deepEqual(context.sink.series(uid, 'loss'), [[3, 3]]);
    assert.equal(context.sink.diagnostics.length, 1);
    assert.match(context.sink.diagnostics[0].message, /undecodable event/);
  });

  it('re-reads the whole run when a file shrinks or is replaced', async () => {
    write(EVENTS_0, fileVersionRecord(), frame(event({ step: 1, values: [simpleValue('loss', 1)] })), frame(event({ step: 2, values: [simpleValue('loss', 2)] })));
    write(EVENTS_1, fileVersionRecord(1_700_000_500), frame(event({ step: 3, values: [simpleValue('loss', 3)] })));
    const context = recordingContext(temp.path);
    await tensorboardImporter.importUnit(runDir(), context);
    assert.deepEqual(context.sink.series(uid, 'loss'), [[1, 1], [2, 2], [3, 3]]);

    context.sink.clear();
    write(EVENTS_0, fileVersionRecord(), frame(event({ step: 1, values: [simpleValue('loss', 1)] })));
    await tensorboardImporter.importUnit(runDir(), context);
    assert.deepEqual(context.sink.resets, [{ runUid: uid, key: undefined }]);
    assert.deepEqual(context.sink.series(uid, 'loss'), [[1, 1], [3, 3]]);

    context.sink.clear();
    // Same length, other bytes: a different file under the same name.
    write(EVENTS_0, fileVersionRecord(1_600_000_000), frame(event({ step: 1, values: [simpleValue('loss', 9)] })));
    await tensorboardImporter.importUnit(runDir(), context);
    assert.deepEqual(context.sink.resets, [{ runUid: uid, key: undefined }]);
    assert.deepEqual(context.sink.series(uid, 'loss'), [[1, 9], [3, 3]]);
    assert.equal(context.sink.lastRun(uid)?.startTime, 1_600_000_000_000);
  });

  it('reads a new event file of the run alone, and re-reads the run when one vanishes', async () => {
    write(EVENTS_0, fileVersionRecord(), frame(event({ step: 1, values: [simpleValue('loss', 1)] })));
    const context = recordingContext(temp.path);
    await tensorboardImporter.importUnit(runDir(), context);
    context.sink.clear();
    write(EVENTS_1, fileVersionRecord(1_700_000_500), frame(event({ step: 2, wallTime: 1_700_000_600, values: [simpleValue('loss', 2)] })));
    await tensorboardImporter.importUnit(runDir(), context);
    assert.deepEqual(context.sink.series(uid, 'loss'), [[2, 2]]);
    assert.deepEqual(context.sink.resets, []);
    assert.deepEqual([context.sink.lastRun(uid)?.startTime, context.sink.lastRun(uid)?.endTime], [1_700_000_000_000, 1_700_000_600_000]);

    context.sink.clear();
    rmSync(path.join(runDir(), EVENTS_0));
    await tensorboardImporter.importUnit(runDir(), context);
    assert.deepEqual(context.sink.resets, [{ runUid: uid, key: undefined }]);
    assert.deepEqual(context.sink.series(uid, 'loss'), [[2, 2]]);
    assert.equal(context.sink.lastRun(uid)?.startTime, 1_700_000_500_000);

    rmSync(path.join(runDir(), EVENTS_1));
    assert.deepEqual(await tensorboardImporter.importUnit(runDir(), context), []);
    rmSync(runDir(), { recursive: true });
    assert.deepEqual(await tensorboardImporter.importUnit(runDir(), context), []);
  });

  it('takes params from hparams summaries and hparams.yaml, the YAML winning', async () => {
    write(EVENTS_0, fileVersionRecord(), frame(event({ values: [hparamsValue({ lr: 0.001, layers: 3, shuffle: false, name: 'mlp' })] })));
    writeFileSync(path.join(runDir(), 'hparams.yaml'), "lr: 1e-03\noptimizer: !!python/name:torch.optim.sgd.SGD ''\nbatch_size: 32\n");
    const context = recordingContext(temp.path);
    await tensorboardImporter.importUnit(runDir(), context);
    assert.deepEqual(context.sink.lastRun(uid)?.params, { lr: '1e-03', layers: '3', shuffle: 'false', name: 'mlp', optimizer: "!!python/name:torch.optim.sgd.SGD ''", batch_size: '32' });
    assert.deepEqual(context.sink.diagnostics.map((diagnostic) => [path.basename(diagnostic.file), diagnostic.severity, diagnostic.line]), [['hparams.yaml', 'warning', 1]]);
    assert.deepEqual(context.sink.batches, []);

    // Unchanged hparams.yaml is not re-parsed: its params come back from its cursor, without the warning again.
    context.sink.clear();
    append(EVENTS_0, frame(event({ step: 1, values: [simpleValue('loss', 1)] })));
    await tensorboardImporter.importUnit(runDir(), context);
    assert.equal(context.sink.lastRun(uid)?.params.optimizer, "!!python/name:torch.optim.sgd.SGD ''");
    assert.equal(context.sink.lastRun(uid)?.params.layers, '3');
    assert.deepEqual(context.sink.diagnostics, []);
  });

  it('copes with empty, binary and unreadable event files', async () => {
    write(EVENTS_0);
    const context = recordingContext(temp.path);
    assert.deepEqual(await tensorboardImporter.importUnit(runDir(), context), [], 'an empty event file is no run');
    assert.equal(context.sink.runs.length, 0);
    assert.deepEqual(context.sink.diagnostics.map((d) => [d.severity, d.file]), [['info', runDir()]]);
    assert.deepEqual(context.sink.batches, []);

    write(EVENTS_0, Buffer.from('PK\u0003\u0004 this is a zip, not an event file; it is long enough to be framed'));
    symlinkSync(path.join(runDir(), 'nowhere'), path.join(runDir(), EVENTS_1));
    await tensorboardImporter.importUnit(runDir(), context);
    const files = context.sink.diagnostics.map((diagnostic) => path.basename(diagnostic.file));
    assert.ok(files.includes(EVENTS_0));
    assert.ok(files.includes(EVENTS_1));
    assert.deepEqual(context.sink.batches, []);
  });

  it("skips the hparams plugin's experiment definition folder (no scalar, no session values) and says why", async () => {
    // What `hp.hparams_config(...)` writes into the top log folder: the search space, nothing measured.
    const experiment = new Message().message(4, new Message().string(1, 'learning_rate')).message(5, new Message().message(1, new Message().string(2, 'accuracy')));
    const definition = frame(event({ step: 0, values: [hparamsPluginValue('_hparams_/experiment', new Message().varint(1, 0).message(2, experiment))] }));
    write(EVENTS_0, fileVersionRecord(), definition);
    const context = recordingContext(temp.path);
    assert.deepEqual(await tensorboardImporter.importUnit(runDir(), context), []);
    assert.equal(context.sink.runs.length, 0, 'not an empty FINISHED run');
    assert.equal(context.sink.diagnostics.length, 1);
    assert.match(context.sink.diagnostics[0].message, /no scalar and no hyperparameter value in its 1 event file\(s\).*not a run, skipped/);
    // A trial folder beside it, with a measured value, is a run.
    append(EVENTS_0, frame(event({ step: 1, values: [simpleValue('accuracy', 0.9)] })));
    assert.deepEqual(await tensorboardImporter.importUnit(runDir(), recordingContext(temp.path)), [uid]);
  });

  it('treats event files at the workspace root as one run', async () => {
    writeFileSync(path.join(temp.path, EVENTS_0), Buffer.concat([fileVersionRecord(), frame(event({ step: 1, values: [simpleValue('loss', 1)] }))]));
    const context = recordingContext(temp.path);
    assert.deepEqual(await tensorboardImporter.importUnit(temp.path, context), ['tensorboard:.']);
    assert.equal(context.sink.lastRun('tensorboard:.')?.sourcePath, '.');
  });

  it('reads large files in slices, records straddling them, with the same result', async () => {
    const big = simpleValue('big', 7).string(99, 'x'.repeat(300)); // an unknown field makes one record long
    write(EVENTS_0, fileVersionRecord(), ...tf2Events(20), frame(event({ step: 21, values: [big] })));
    const sliced = recordingContext(temp.path);
    await createTensorboardImporter({ maxChunkBytes: 40 }).importUnit(runDir(), sliced);
    assert.deepEqual(sliced.sink.pointCounts(uid), { epoch_loss: 20, big: 1 });
    assert.deepEqual(sliced.sink.diagnostics, []);
  });

  describe('fuzzed', () => {
    it('never throws on random event file contents, and still reports the run', async () => {
      let case_ = 0;
      await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.string({ maxLength: 80 }), async (bytes, yamlText) => {
        const dir = path.join(temp.path, `random_${case_++}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, EVENTS_0), bytes);
        writeFileSync(path.join(dir, 'hparams.yaml'), yamlText);
        const context = recordingContext(temp.path);
        const uids = await tensorboardImporter.importUnit(dir, context);
        // A run when anything was read from it; else skipped, saying so.
        assert.deepEqual(uids, context.sink.runs.length === 1 ? [`tensorboard:random_${case_ - 1}`] : []);
        if (uids.length === 0) assert.ok(context.sink.diagnostics.some((d) => d.severity === 'info' && /not a run, skipped/.test(d.message)));
      }), { numRuns: 60 });
    });

    it('any split of a valid file into two writes yields every point once', async () => {
      const full = Buffer.concat([fileVersionRecord(), ...tf2Events(6, 'tensor_content'), frame(event({ step: 9, values: [hparamsValue({ a: 1 }), simpleValue('acc', 0.5)] }))]);
      let case_ = 0;
      await fc.assert(fc.asyncProperty(fc.nat(full.length), fc.integer({ min: 16, max: 300 }), async (cut, chunk) => {
        const dir = path.join(temp.path, `split_${case_++}`);
        mkdirSync(dir, { recursive: true });
        const file = path.join(dir, EVENTS_0);
        writeFileSync(file, full.subarray(0, cut));
        const context = recordingContext(temp.path);
        const importer = createTensorboardImporter({ maxChunkBytes: chunk });
        await importer.importUnit(dir, context);
        appendFileSync(file, full.subarray(cut));
        await importer.importUnit(dir, context);
        const runUid = `tensorboard:split_${case_ - 1}`;
        assert.deepEqual(context.sink.pointCounts(runUid), { epoch_loss: 6, acc: 1 });
        assert.deepEqual(context.sink.resets, []);
        // Only "not a run (yet)" when the first write held no scalar.
        assert.deepEqual(context.sink.diagnostics.filter((d) => d.severity !== 'info'), []);
        assert.deepEqual(context.sink.lastRun(runUid)?.params, { a: '1' });
      }), { numRuns: 80 });
    });

    it('never throws on truncated or damaged valid files, imported then grown', async () => {
      const full = Buffer.concat([fileVersionRecord(), ...tf2Events(4), frame(event({ step: 9, values: [hparamsValue({ a: 1 }), simpleValue('acc', 0.5)] }))]);
      let case_ = 0;
      await fc.assert(fc.asyncProperty(fc.nat(full.length), fc.array(fc.tuple(fc.nat(full.length - 1), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }), async (cut, flips) => {
        const dir = path.join(temp.path, `damaged_${case_++}`);
        mkdirSync(dir, { recursive: true });
        const damaged = Buffer.from(full);
        for (const [index, mask] of flips) damaged[index] ^= mask;
        writeFileSync(path.join(dir, EVENTS_0), damaged.subarray(0, cut));
        const context = recordingContext(temp.path);
        await tensorboardImporter.importUnit(dir, context);
        appendFileSync(path.join(dir, EVENTS_0), damaged.subarray(cut));
        const uids = await tensorboardImporter.importUnit(dir, context);
        assert.ok(uids.length === 0 || uids[0] === `tensorboard:damaged_${case_ - 1}`);
        const counts = context.sink.pointCounts(`tensorboard:damaged_${case_ - 1}`);
        assert.ok((counts.epoch_loss ?? 0) <= 4 && (counts.acc ?? 0) <= 1);
      }), { numRuns: 80 });
    });
  });
});
