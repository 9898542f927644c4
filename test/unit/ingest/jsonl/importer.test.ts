import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { jsonlImporter, MAX_LINE_BYTES, metricValueOf, parseRunLogLine } from '../../../../src/ingest/jsonl';
import { useTempDir } from '../../helpers';
import { JS_LOGGER_FILE, makeContext, RecordingSink } from './recordingSink';

/** Lines written by hand here, independent of both loggers. */
function header(extra: Record<string, unknown> = {}): string {
  const runId = typeof extra.run_id === 'string' ? extra.run_id : 'abc123';
  return JSON.stringify({ type: 'header', run_id: runId, format: 'model-ledger-run', version: 1, name: 'hand', experiment: 'exp', time: 1000, start_time: 1000, ...extra }) + '\n';
}
function metrics(step: number, values: Record<string, unknown>, time = 2000 + step): string {
  return JSON.stringify({ type: 'metrics', time, step, values }) + '\n';
}

const RUN_UID = 'jsonl:r.mlrun.jsonl';

describe('jsonl: parser', () => {
  it('reads the non-finite encodings and plain numbers, and nothing else', () => {
    assert.ok(Number.isNaN(metricValueOf('NaN')));
    assert.ok(Number.isNaN(metricValueOf('nan')));
    assert.equal(metricValueOf('Infinity'), Infinity);
    assert.equal(metricValueOf('inf'), Infinity);
    assert.equal(metricValueOf('-Infinity'), -Infinity);
    assert.equal(metricValueOf('-INF'), -Infinity);
    assert.equal(metricValueOf(0.5), 0.5);
    assert.equal(metricValueOf(' 2.5 '), 2.5);
    for (const bad of ['', 'abc', null, true, {}, [], undefined]) assert.equal(metricValueOf(bad), undefined, String(bad));
  });

  it('rejects what is not a record, with a reason', () => {
    for (const line of ['{', '[1,2]', '42', '"text"', '{"no":"type"}', '{"type":"header","format":"other","version":1}', '{"type":"header","format":"model-ledger-run","version":"one"}', '{"type":"metrics","step":"x","values":{}}', '{"type":"metrics","step":1}', '{"type":"status","status":"DONE"}', '{"type":"end","status":"RUNNING"}', '{"type":"params","params":[1]}']) {
      const parsed = parseRunLogLine(line);
      assert.equal(parsed.kind, 'invalid', line);
    }
    assert.equal(parseRunLogLine('   ').kind, 'blank');
    const unknown = parseRunLogLine('{"type":"artifact","path":"x"}');
    assert.deepEqual(unknown, { kind: 'record', record: { type: 'unknown', recordType: 'artifact' } });
  });

  it('renders non-string param values as JSON text', () => {
    const parsed = parseRunLogLine('{"type":"params","time":1,"params":{"a":1e-8,"b":true,"c":null,"d":{"x":[1]},"e":"1e-08"}}');
    assert.deepEqual(parsed, { kind: 'record', record: { type: 'params', time: 1, values: { a: '1e-8', b: 'true', c: 'null', d: '{"x":[1]}', e: '1e-08' } } });
  });
});

describe('jsonl: importer', function () {
  this.timeout(60000);
  const temp = useTempDir();
  const file = (): string => path.join(temp.path, 'r.mlrun.jsonl');

  it('matches *.mlrun.jsonl files, one unit each', () => {
    assert.deepEqual(jsonlImporter.patterns, ['**/*.mlrun.jsonl']);
    assert.equal(jsonlImporter.format, 'jsonl');
    assert.equal(jsonlImporter.unitOf('/w/runs/a/b-1234.mlrun.jsonl'), '/w/runs/a/b-1234.mlrun.jsonl');
    assert.equal(jsonlImporter.unitOf('/w/runs/a/notes.jsonl'), undefined);
  });

  it('gets exactly the logged points whatever the sizes of the appended chunks', async () => {
    const recordArbitrary = fc.oneof(
      fc.record({ kind: fc.constant('metrics' as const), step: fc.nat(10_000), values: fc.dictionary(fc.constantFrom('loss', 'acc', 'val/loss', 'ünï 🚀'), fc.oneof(fc.double(), fc.integer()), { minKeys: 1 }) }),
      fc.record({ kind: fc.constant('params' as const), values: fc.dictionary(fc.string(), fc.string({ unit: 'binary' })) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(recordArbitrary, { maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 60 }), async (records, chunkSizes) => {
        rmSync(file(), { force: true });
        const expectedPoints = new Map<string, number[]>();
        const expectedParams: Record<string, string> = {};
        let text = header();
        records.forEach((record, index) => {
          if (record.kind === 'metrics') {
            const encoded: Record<string, unknown> = {};
            for (const [key, value] of Object.entries(record.values)) {
              encoded[key] = Number.isNaN(value) ? 'NaN' : value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : value;
              // -0 survives JSON as 0
              expectedPoints.set(key, [...(expectedPoints.get(key) ?? []), Object.is(value, -0) ? 0 : value]);
            }
            text += metrics(record.step, encoded, 5000 + index);
          } else {
            text += JSON.stringify({ type: 'params', time: 5000 + index, params: record.values }) + '\n';
            for (const [key, value] of Object.entries(record.values)) Object.defineProperty(expectedParams, key, { value, enumerable: true, writable: true, configurable: true });
          }
        });
        const bytes = Buffer.from(text, 'utf8');
        const sink = new RecordingSink();
        const context = makeContext(temp.path, sink);
        let at = 0;
        let chunk = 0;
        while (at < bytes.length) {
          const size = chunkSizes[chunk++ % chunkSizes.length];
          appendFileSync(file(), bytes.subarray(at, at + size));
          at += size;
          await jsonlImporter.importUnit(file(), context);
        }
        await jsonlImporter.importUnit(file(), context);
        for (const [key, values] of expectedPoints) assert.deepEqual(sink.points(RUN_UID, key).map((p) => p.value), values, key);
        assert.deepEqual(sink.keys(RUN_UID), [...expectedPoints.keys()].sort());
        assert.deepEqual(sink.runs.get(RUN_UID)?.params, expectedParams);
        assert.equal(sink.diagnostics.length, 0);
        assert.equal(sink.resets.length, 0);
      }),
      { numRuns: 60 },
    );
  });

  it('emits the run again but no points when nothing changed', async () => {
    writeFileSync(file(), header() + metrics(0, { loss: 1 }) + metrics(1, { loss: 2 }));
    const sink = new RecordingSink();
    const context = makeContext(temp.path, sink);
    assert.deepEqual(await jsonlImporter.importUnit(file(), context), [RUN_UID]);
    sink.runs.clear();
    assert.deepEqual(await jsonlImporter.importUnit(file(), context), [RUN_UID]);
    assert.equal(sink.batches.length, 1);
    assert.equal(sink.runs.get(RUN_UID)?.name, 'hand');
  });

  it('reports garbage, binary and JSON-but-not-record lines by line number and imports the rest', async () => {
    const binary = Buffer.from([0x00, 0xff, 0xfe, 0x81, 0x7b, 0x22, 0x00, 0x0d, 0x1b]);
    const parts: Array<string | Buffer> = [header(), metrics(0, { loss: 0.5 }), 'garbage here\n', binary, '\n', metrics(1, { loss: 0.25 }), '[1,2,3]\n', '{"type":"metrics","step":2,"values":{"loss":"oops","acc":1}}\n', '\n', metrics(3, { loss: 0.125 }), '{"type":"params","params":{"lr":"0.1"}\n'];
    writeFileSync(file(), Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part))));
    const sink = new RecordingSink();
    await jsonlImporter.importUnit(file(), makeContext(temp.path, sink));
    assert.deepEqual(sink.points(RUN_UID, 'loss').map((p) => p.value), [0.5, 0.25, 0.125]);
    assert.deepEqual(sink.points(RUN_UID, 'acc').map((p) => p.step), [2]);
    assert.deepEqual(sink.diagnostics.map((d) => d.position), ['line 3', 'line 4', 'line 6', 'line 7', 'line 10']);
    assert.ok(sink.diagnostics.every((d) => d.file === file()));
    assert.match(sink.diagnostics[3].message, /"loss"/);
  });

  it('survives fuzzed garbage lines between records: no exception, every valid point kept', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), fc.integer({ min: 1, max: 97 }), async (garbage, chunkSize) => {
        rmSync(file(), { force: true });
        const pieces: Buffer[] = [Buffer.from(header())];
        garbage.forEach((bytes, index) => {
          pieces.push(Buffer.from(bytes.filter((byte) => byte !== 0x0a)), Buffer.from('\n'), Buffer.from(metrics(index, { loss: index })));
        });
        const all = Buffer.concat(pieces);
        const sink = new RecordingSink();
        const context = makeContext(temp.path, sink);
        for (let at = 0; at < all.length; at += chunkSize) {
          appendFileSync(file(), all.subarray(at, at + chunkSize));
          await jsonlImporter.importUnit(file(), context);
        }
        assert.deepEqual(sink.points(RUN_UID, 'loss').map((p) => p.value), garbage.map((_, index) => index));
      }),
      { numRuns: 80 },
    );
  });

  it('skips a 5 MB line with one diagnostic, whether it arrives at once or in pieces', async () => {
    const huge = '{"type":"params","params":{"blob":"' + 'x'.repeat(5 * 1024 * 1024) + '"}}\n';
    const content = [header(), metrics(0, { loss: 1 }), huge, 'not json\n', metrics(1, { loss: 2 })];
    for (const pieces of [1, 7]) {
      rmSync(file(), { force: true });
      const sink = new RecordingSink();
      const context = makeContext(temp.path, sink);
      appendFileSync(file(), content[0] + content[1]);
      await jsonlImporter.importUnit(file(), context);
      const slice = Math.ceil(huge.length / pieces);
      for (let at = 0; at < huge.length; at += slice) {
        appendFileSync(file(), huge.slice(at, at + slice));
        await jsonlImporter.importUnit(file(), context);
      }
      appendFileSync(file(), content[3] + content[4]);
      await jsonlImporter.importUnit(file(), context);
      assert.deepEqual(sink.points(RUN_UID, 'loss').map((p) => p.value), [1, 2], `${pieces} pieces`);
      assert.deepEqual(sink.diagnostics.map((d) => d.position), ['line 3', 'line 4'], `${pieces} pieces`);
      assert.match(sink.diagnostics[0].message, new RegExp(`longer than ${MAX_LINE_BYTES} bytes`));
      assert.equal(sink.runs.get(RUN_UID)?.params.blob, undefined);
      assert.ok(context.cursors.get(file())!.offset === Buffer.byteLength(content.join('')));
    }
  });

  it('keeps a line just under the limit', async () => {
    const blob = 'y'.repeat(MAX_LINE_BYTES - 100);
    writeFileSync(file(), header() + JSON.stringify({ type: 'params', time: 1, params: { blob } }) + '\n');
    const sink = new RecordingSink();
    await jsonlImporter.importUnit(file(), makeContext(temp.path, sink));
    assert.equal(sink.runs.get(RUN_UID)?.params.blob, blob);
    assert.equal(sink.diagnostics.length, 0);
  });

  it('turns a file of random binary data into diagnostics and no run', async () => {
    const random = Buffer.alloc(100_000);
    let seed = 12345;
    for (let i = 0; i < random.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      random[i] = seed >> 16;
    }
    writeFileSync(file(), random);
    const sink = new RecordingSink();
    const uids = await jsonlImporter.importUnit(file(), makeContext(temp.path, sink));
    assert.deepEqual(uids, []);
    assert.equal(sink.runs.size, 0);
    const newlines = random.subarray(0, random.lastIndexOf(0x0a) + 1).filter((byte) => byte === 0x0a).length;
    assert.ok(newlines > 20);
    // At most 20 line diagnostics, then a summary of the rest.
    assert.equal(sink.diagnostics.length, 21);
    assert.match(sink.diagnostics[20].message, /more malformed lines/);
  });

  it('returns no run for an empty file, and none for a file that vanished', async () => {
    writeFileSync(file(), '');
    const sink = new RecordingSink();
    const context = makeContext(temp.path, sink);
    assert.deepEqual(await jsonlImporter.importUnit(file(), context), []);
    writeFileSync(file(), header());
    assert.deepEqual(await jsonlImporter.importUnit(file(), context), [RUN_UID]);
    rmSync(file());
    assert.deepEqual(await jsonlImporter.importUnit(file(), context), []);
    assert.equal(sink.diagnostics.length, 0);
  });

  it('reports an unreadable unit instead of throwing, and keeps what it imported', async () => {
    const folder = path.join(temp.path, 'odd.mlrun.jsonl');
    mkdirSync(folder);
    const sink = new RecordingSink();
    assert.deepEqual(await jsonlImporter.importUnit(folder, makeContext(temp.path, sink)), []);
    assert.equal(sink.diagnostics.length, 1);
  });

  it('re-reads a truncated or replaced file from the start after dropping its points', async () => {
    const sink = new RecordingSink();
    const context = makeContext(temp.path, sink);
    writeFileSync(file(), header() + metrics(0, { loss: 1 }) + metrics(1, { loss: 2 }) + metrics(2, { loss: 3 }));
    await jsonlImporter.importUnit(file(), context);
    assert.equal(sink.points(RUN_UID, 'loss').length, 3);
    writeFileSync(file(), header() + metrics(0, { loss: 9 }));
    await jsonlImporter.importUnit(file(), context);
    assert.deepEqual(sink.resets, [{ runUid: RUN_UID, key: undefined }]);
    assert.deepEqual(sink.points(RUN_UID, 'loss').map((p) => p.value), [9]);
    // Same size, other content (another run written over it): the head differs.
    writeFileSync(file(), header({ run_id: 'zzz999', name: 'othr' }) + metrics(0, { loss: 7 }));
    await jsonlImporter.importUnit(file(), context);
    assert.equal(sink.resets.length, 2);
    assert.deepEqual(sink.points(RUN_UID, 'loss').map((p) => p.value), [7]);
    assert.equal(sink.runs.get(RUN_UID)?.name, 'othr');
  });

  it('re-reads from the start when the stored state is unusable', async () => {
    writeFileSync(file(), header() + metrics(0, { loss: 1 }));
    const sink = new RecordingSink();
    const context = makeContext(temp.path, sink);
    await jsonlImporter.importUnit(file(), context);
    const stored = context.cursors.get(file())!;
    context.setCursor(file(), { ...stored, state: { schema: 0 } });
    await jsonlImporter.importUnit(file(), context);
    assert.equal(sink.resets.length, 1);
    assert.deepEqual(sink.points(RUN_UID, 'loss').map((p) => p.value), [1]);
    assert.equal(sink.runs.get(RUN_UID)?.name, 'hand');
  });

  it('reads a file without a header, named after the file, in the Default experiment', async () => {
    writeFileSync(file(), metrics(0, { loss: 1 }) + '{"type":"end","time":5,"status":"FAILED","error":"boom"}\n');
    const sink = new RecordingSink();
    await jsonlImporter.importUnit(file(), makeContext(temp.path, sink));
    const run = sink.runs.get(RUN_UID)!;
    assert.equal(run.name, 'r');
    assert.equal(run.experimentUid, 'jsonl:Default');
    assert.equal(run.status, 'FAILED');
    assert.equal(run.endTime, 5);
    assert.deepEqual(run.tags, { 'model_ledger.error': 'boom' });
    assert.equal(sink.diagnostics.length, 1);
    assert.equal(sink.diagnostics[0].severity, 'warning');
  });

  it('warns about a second header, unknown record types in version 1, and a newer version once', async () => {
    writeFileSync(file(), header() + header({ name: 'second' }) + '{"type":"artifact","time":1}\n' + metrics(0, { a: 1 }));
    let sink = new RecordingSink();
    await jsonlImporter.importUnit(file(), makeContext(temp.path, sink));
    assert.deepEqual(sink.diagnostics.map((d) => d.position), ['line 2', 'line 3']);
    assert.equal(sink.runs.get(RUN_UID)?.name, 'hand');

    writeFileSync(file(), header({ version: 2 }) + '{"type":"artifact","time":1}\n' + metrics(0, { a: 1 }) + '{"type":"future","time":1}\n');
    sink = new RecordingSink();
    await jsonlImporter.importUnit(file(), makeContext(temp.path, sink));
    assert.deepEqual(sink.diagnostics.map((d) => d.position), ['line 1']);
    assert.equal(sink.points(RUN_UID, 'a').length, 1);
  });

  it('follows status records: resumed runs lose their end, CRLF lines are read', async () => {
    const text = header() + metrics(0, { a: 1 }) + '{"type":"end","time":3000,"status":"KILLED"}\n' + '{"type":"status","time":4000,"status":"RUNNING"}\n' + metrics(1, { a: 2 });
    writeFileSync(file(), text.replace(/\n/g, '\r\n'));
    const sink = new RecordingSink();
    const context = makeContext(temp.path, sink);
    await jsonlImporter.importUnit(file(), context);
    let run = sink.runs.get(RUN_UID)!;
    assert.equal(run.status, 'RUNNING');
    assert.equal(run.endTime, undefined);
    assert.equal(run.startTime, 1000);
    assert.deepEqual(sink.points(RUN_UID, 'a').map((p) => [p.step, p.timestamp, p.value]), [[0, 2000, 1], [1, 2001, 2]]);
    appendFileSync(file(), '{"type":"end","time":6000}\r\n');
    await jsonlImporter.importUnit(file(), context);
    run = sink.runs.get(RUN_UID)!;
    assert.equal(run.status, 'FINISHED');
    assert.equal(run.endTime, 6000);
    assert.equal(sink.diagnostics.length, 0);
  });

  it('keeps a "__proto__" param as a plain param', async () => {
    writeFileSync(file(), header() + '{"type":"params","time":1,"params":{"__proto__":"x","constructor":"y"}}\n');
    const sink = new RecordingSink();
    const context = makeContext(temp.path, sink);
    await jsonlImporter.importUnit(file(), context);
    appendFileSync(file(), '{"type":"params","time":2,"params":{"z":"1"}}\n');
    await jsonlImporter.importUnit(file(), context);
    const params = sink.runs.get(RUN_UID)!.params;
    assert.deepEqual(Object.keys(params).sort(), ['__proto__', 'constructor', 'z']);
    assert.equal(Object.getOwnPropertyDescriptor(params, '__proto__')?.value, 'x');
    assert.equal(Object.getPrototypeOf(params), Object.prototype);
  });
});

describe('jsonl: the Node logger used from TypeScript', function () {
  this.timeout(60000);
  const temp = useTempDir();

  it('type-checks against model-ledger.d.ts and writes what the importer reads', async () => {
    const modelLedger = require(JS_LOGGER_FILE) as typeof import('../../../../logger/js/model-ledger');
    const run: import('../../../../logger/js/model-ledger').Run = modelLedger.startRun({ name: 'typed', experiment: 'ts', dir: path.join(temp.path, 'runs'), exitHook: false, fsync: true });
    run.logParams({ lr: 0.01, layers: [1, 2], name: 'x' });
    run.setTag('kind', 'unit');
    let logged = 0;
    for (let step = 0; step < 25; step++) {
      run.log(step, { loss: 1 / (step + 1) });
      logged++;
    }
    run.log({ loss: 0 });
    logged++;
    run.finish();
    run.finish();
    assert.throws(() => run.log(99, { loss: 1 }), /already finished/);
    assert.throws(() => modelLedger.startRun({ path: run.path }), /EEXIST/);

    const sink = new RecordingSink();
    const uids = await jsonlImporter.importUnit(run.path, makeContext(temp.path, sink));
    const uid = uids[0];
    assert.equal(sink.points(uid, 'loss').length, logged);
    assert.deepEqual(sink.points(uid, 'loss').map((p) => p.step).slice(-2), [24, 25]);
    assert.deepEqual(sink.runs.get(uid)!.params, { lr: '0.01', layers: '[1,2]', name: 'x' });
    assert.equal(readFileSync(run.path, 'utf8').split('\n').length - 1, 2 + 1 + logged + 1);
  });

  it('refuses values that are not metrics, before writing anything', () => {
    const modelLedger = require(JS_LOGGER_FILE) as typeof import('../../../../logger/js/model-ledger');
    const run = modelLedger.startRun({ name: 'strict', dir: temp.path, exitHook: false });
    assert.throws(() => run.log(0, { loss: 'high' as unknown as number }), TypeError);
    assert.throws(() => run.log(1.5, { loss: 1 }), TypeError);
    assert.throws(() => run.finish('DONE' as 'FINISHED'), RangeError);
    run.finish();
    assert.equal(readFileSync(run.path, 'utf8').split('\n').length - 1, 2);
  });
});
