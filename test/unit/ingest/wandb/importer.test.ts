import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { FsFileFinder } from '../../../../src/ingest/fsFinder';
import { globToRegExp } from '../../../../src/ingest/glob';
import { createWandbImporter, runFolderOf, wandbImporter } from '../../../../src/ingest/wandb';
import { useTempDir } from '../../helpers';
import { scanWith } from '../engineHelpers';
import { recordingContext } from './recordingSink';
import type { RecordingSink } from './recordingSink';
import { BLOCK, configRecord, exitRecord, historyRow, outputRecord, runRecord, summaryRecord, writeLog } from './wandbWriter';

const RUN_FOLDER = 'run-20231114_221320-abc123';
const RUN_REL = `proj/wandb/${RUN_FOLDER}`;
const RUN_UID = `wandb:${RUN_REL}`;
const SECRETS = ['me@example.com', 'secret-host.local', 'jdoe'];

/** One logged row: the JSON text of each value as wandb writes it, and the numbers expected from it. */
interface Row {
  readonly step: number;
  readonly seconds: number;
  readonly values: Record<string, string>;
  readonly expected: Record<string, number>;
}

const ROWS: Row[] = [
  { step: 0, seconds: 1700000001.5, values: { loss: '0.9', acc: '0.1', note: '"warming up"' }, expected: { loss: 0.9, acc: 0.1 } },
  { step: 1, seconds: 1700000002.5, values: { loss: '0.7', acc: '0.3', train: '{"lr": 0.001}' }, expected: { loss: 0.7, acc: 0.3, 'train.lr': 0.001 } },
  { step: 2, seconds: 1700000003.5, values: { loss: 'NaN', acc: '0.5', img: '{"_type": "image-file", "path": "x.png"}' }, expected: { loss: NaN, acc: 0.5 } },
  { step: 3, seconds: 1700000004.5, values: { loss: 'Infinity', acc: '0.7', flag: 'true' }, expected: { loss: Infinity, acc: 0.7 } },
  { step: 4, seconds: 1700000005.5, values: { loss: '-Infinity', acc: '0.9' }, expected: { loss: -Infinity, acc: 0.9 } },
];

/** [step, timestamp ms, value] per key, straight from ROWS. */
function expectedSeries(rows: Row[]): Record<string, [number, number, number][]> {
  const series: Record<string, [number, number, number][]> = {};
  for (const row of rows) {
    for (const [key, value] of Object.entries(row.expected)) (series[key] ??= []).push([row.step, Math.round(row.seconds * 1000), value]);
  }
  return series;
}

function startPayloads(): Buffer[] {
  return [
    runRecord({
      runId: 'abc123', entity: 'jdoe', project: 'demo', displayName: 'bright-sun-1', host: 'secret-host.local',
      settings: { email: '"me@example.com"', host: '"secret-host.local"', username: '"jdoe"' },
      startSeconds: 1700000000, gitCommit: 'f00dfeed', tags: ['baseline'],
    }),
    configRecord([['lr', '1e-08'], ['model', '{"layers": [64, 32], "act": "relu"}'], ['_wandb', '{"cli_version": "0.16.0"}']]),
    outputRecord('epoch 1 done'),
  ];
}

function rowPayloads(rows: Row[]): Buffer[] {
  return rows.map((row) => historyRow(row.step, row.seconds, row.values));
}

function endPayloads(exitCode: number): Buffer[] {
  return [summaryRecord([['best_acc', '0.9'], ['loss', '-Infinity'], ['_step', '4'], ['_timestamp', '1700000005.5']]), exitRecord(exitCode, 42)];
}

function writeRunFolder(root: string, bytes: Buffer, files: Record<string, string> = {}): string {
  const dir = path.join(root, RUN_REL);
  mkdirSync(path.join(dir, 'files'), { recursive: true });
  writeFileSync(path.join(dir, 'run-abc123.wandb'), bytes);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const METADATA = JSON.stringify({
  os: 'Linux', python: '3.11.4', startedAt: '2023-11-14T22:13:20.123456Z', program: 'train.py', codePath: 'train.py',
  git: { remote: 'https://example.com/repo.git', commit: 'f00dfeed' }, email: 'me@example.com', root: '/srv/jdoe/proj',
  host: 'secret-host.local', username: 'jdoe', executable: '/usr/bin/python3',
});

function assertSeries(sink: RecordingSink, runUid: string, expected: Record<string, [number, number, number][]>): void {
  for (const [key, points] of Object.entries(expected)) {
    const actual = sink.points(runUid, key);
    assert.equal(actual.length, points.length, `points of ${key}`);
    points.forEach((point, index) => {
      assert.equal(actual[index][0], point[0], `${key}[${index}] step`);
      assert.equal(actual[index][1], point[1], `${key}[${index}] timestamp`);
      assert.ok(Object.is(actual[index][2], point[2]) || actual[index][2] === point[2], `${key}[${index}] value ${actual[index][2]} vs ${point[2]}`);
    });
  }
}

describe('wandb importer', () => {
  const tmp = useTempDir();

  it('imports a finished run from its log, config.yaml and metadata', async () => {
    const log = writeLog([...startPayloads(), ...rowPayloads(ROWS), ...endPayloads(0)]);
    const dir = writeRunFolder(tmp.path, log.bytes, {
      'files/config.yaml': 'wandb_version: 1\n\n_wandb:\n  desc: null\n  value:\n    cli_version: 0.16.0\nlr:\n  desc: null\n  value: 1e-08\nbatch:\n  desc: null\n  value: 32\n',
      'files/wandb-metadata.json': METADATA,
    });
    const context = recordingContext(tmp.path);
    assert.deepEqual(await wandbImporter.importUnit(dir, context), [RUN_UID]);
    const { sink } = context;
    assert.deepEqual(sink.diagnostics, []);
    assert.deepEqual(sink.experiments.map((e) => [e.uid, e.name]), [['wandb:project:demo', 'demo']]);
    const run = sink.lastRun(RUN_UID);
    assert.ok(run);
    assert.equal(run.experimentUid, 'wandb:project:demo');
    assert.equal(run.name, 'bright-sun-1');
    assert.equal(run.externalId, 'abc123');
    assert.equal(run.status, 'FINISHED');
    assert.equal(run.startTime, 1700000000000);
    assert.equal(run.endTime, 1700000000000 + 42_000);
    assert.equal(run.gitCommit, 'f00dfeed');
    assert.equal(run.sourcePath, RUN_REL);
    assert.equal(run.user, undefined);
    assert.deepEqual(run.params, { lr: '1e-08', 'model.layers': '[64, 32]', 'model.act': 'relu', batch: '32' });
    assert.equal(run.tags['wandb.program'], 'train.py');
    assert.equal(run.tags['wandb.tags'], 'baseline');

    const expected = expectedSeries(ROWS);
    assert.deepEqual(sink.pointCounts(RUN_UID), { ...Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, v.length])), best_acc: 1 });
    assertSeries(sink, RUN_UID, expected);
    // best_acc is only in the summary: one point at the summary's step and time.
    assert.deepEqual(sink.points(RUN_UID, 'best_acc'), [[4, 1700000005500, 0.9]]);
  });

  it('never lets the e-mail, host or user name from metadata or the log into any record', async () => {
    const log = writeLog([...startPayloads(), ...rowPayloads(ROWS.slice(0, 2))]);
    const dir = writeRunFolder(tmp.path, log.bytes, {
      'files/wandb-metadata.json': METADATA,
      'files/config.yaml': 'wandb_version: 1\n\nlr:\n  value: 0.1\n',
      'files/wandb-summary.json': '{"loss": 0.7, "_step": 1}',
    });
    const context = recordingContext(tmp.path);
    await wandbImporter.importUnit(dir, context);
    const emitted = JSON.stringify({ operations: context.sink.operations, diagnostics: context.sink.diagnostics, states: [...context.cursors.values()] });
    assert.ok(emitted.includes('train.py'), 'metadata was read at all');
    for (const secret of SECRETS) assert.ok(!emitted.includes(secret), `${secret} leaked into what the importer emitted or kept`);
  });

  it('derives the status: exit code, recent writes, or a dead process', async () => {
    const failed = writeRunFolder(tmp.path, writeLog([...startPayloads(), ...endPayloads(1)]).bytes);
    let context = recordingContext(tmp.path);
    await wandbImporter.importUnit(failed, context);
    assert.equal(context.sink.lastRun(RUN_UID)?.status, 'FAILED');

    const unfinished = writeRunFolder(tmp.path, writeLog([...startPayloads(), ...rowPayloads(ROWS)]).bytes);
    context = recordingContext(tmp.path);
    await createWandbImporter({ now: () => Date.now() }).importUnit(unfinished, context);
    assert.equal(context.sink.lastRun(RUN_UID)?.status, 'RUNNING');
    assert.equal(context.sink.lastRun(RUN_UID)?.endTime, undefined);

    // The same folder looked at 10 minutes later, with no write since: the process is gone.
    context = recordingContext(tmp.path);
    await createWandbImporter({ now: () => Date.now() + 10 * 60 * 1000 }).importUnit(unfinished, context);
    const killed = context.sink.lastRun(RUN_UID);
    assert.equal(killed?.status, 'KILLED');
    assert.equal(killed?.endTime, Math.round(ROWS[ROWS.length - 1].seconds * 1000));
  });

  it('reads records that span 32 KiB blocks, in small slices', async () => {
    const longText = 'x'.repeat(3 * BLOCK);
    const payloads = [...startPayloads(), configRecord([['prompt', JSON.stringify(longText)]]), ...rowPayloads(ROWS), ...endPayloads(0)];
    const log = writeLog(payloads);
    assert.ok(log.chunks.some((chunk) => chunk.type === 3), 'a MIDDLE chunk was written');
    const dir = writeRunFolder(tmp.path, log.bytes);
    const context = recordingContext(tmp.path);
    await createWandbImporter({ maxChunkBytes: 1000 }).importUnit(dir, context);
    assert.deepEqual(context.sink.diagnostics, []);
    assert.equal(context.sink.lastRun(RUN_UID)?.params.prompt, longText);
    assertSeries(context.sink, RUN_UID, expectedSeries(ROWS));
  });

  it('skips a record with a bad checksum, says where, and imports the rest', async () => {
    const payloads = [...startPayloads(), ...rowPayloads(ROWS), ...endPayloads(0)];
    const log = writeLog(payloads);
    const damagedRow = 2;
    const damaged = log.records[startPayloads().length + damagedRow];
    const bytes = Buffer.from(log.bytes);
    bytes[damaged.start + 20] ^= 0x04;
    const dir = writeRunFolder(tmp.path, bytes);
    const context = recordingContext(tmp.path);
    await wandbImporter.importUnit(dir, context);
    assert.equal(context.sink.diagnostics.length, 1);
    assert.equal(context.sink.diagnostics[0].position, `byte ${damaged.start}`);
    assert.match(context.sink.diagnostics[0].message, /checksum.*; the rest of the log was read$/);
    assertSeries(context.sink, RUN_UID, expectedSeries(ROWS.filter((_, index) => index !== damagedRow)));
    assert.equal(context.sink.lastRun(RUN_UID)?.status, 'FINISHED', 'records after the damage were read');
  });

  it('leaves a record cut short for later and reads only what is new after the append', async () => {
    const bigRow: Row = { step: 5, seconds: 1700000006.5, values: { loss: '0.1', blob: JSON.stringify('y'.repeat(BLOCK + 500)) }, expected: { loss: 0.1 } };
    const rows = [...ROWS, bigRow];
    const payloads = [...startPayloads(), ...rowPayloads(rows), ...endPayloads(0)];
    const log = writeLog(payloads);
    const bigRecord = log.records[startPayloads().length + rows.length - 1];
    // Cut inside the spanning record's second chunk: rows 0..4 are complete, the big one is not.
    const cut = bigRecord.start + BLOCK;
    const dir = writeRunFolder(tmp.path, log.bytes.subarray(0, cut));
    const file = path.join(dir, 'run-abc123.wandb');
    const importer = createWandbImporter({ maxChunkBytes: 4096, now: () => Date.now() });
    const context = recordingContext(tmp.path);
    await importer.importUnit(dir, context);
    assert.deepEqual(context.sink.diagnostics, []);
    assertSeries(context.sink, RUN_UID, expectedSeries(ROWS));
    assert.equal(context.cursors.get(file)?.offset, bigRecord.start, 'resumes at the first chunk of the unfinished record');
    assert.equal(context.sink.lastRun(RUN_UID)?.status, 'RUNNING');

    context.sink.clear();
    appendFileSync(file, log.bytes.subarray(cut));
    await importer.importUnit(dir, context);
    assert.deepEqual(context.sink.diagnostics, []);
    assert.deepEqual(context.sink.resets, []);
    assert.deepEqual(context.sink.pointCounts(RUN_UID), { loss: 1, best_acc: 1 });
    assert.deepEqual(context.sink.points(RUN_UID, 'loss'), [[5, 1700000006500, 0.1]]);
    assert.equal(context.sink.lastRun(RUN_UID)?.status, 'FINISHED');
    assert.equal(context.cursors.get(file)?.offset, log.bytes.length);

    context.sink.clear();
    await importer.importUnit(dir, context);
    assert.deepEqual(context.sink.batches, [], 'nothing new, nothing emitted');
    assert.equal(context.sink.runs.length, 1, 'the run is still upserted');
  });

  it('starts over when the log shrinks or is replaced', async () => {
    const full = writeLog([...startPayloads(), ...rowPayloads(ROWS), ...endPayloads(0)]);
    const dir = writeRunFolder(tmp.path, full.bytes);
    const file = path.join(dir, 'run-abc123.wandb');
    const context = recordingContext(tmp.path);
    await wandbImporter.importUnit(dir, context);

    context.sink.clear();
    const kept = full.records[startPayloads().length + 1].end; // start records and two rows
    truncateSync(file, kept);
    await wandbImporter.importUnit(dir, context);
    assert.deepEqual(context.sink.resets, [{ runUid: RUN_UID }]);
    assertSeries(context.sink, RUN_UID, expectedSeries(ROWS.slice(0, 2)));

    context.sink.clear();
    const other = writeLog([runRecord({ runId: 'abc123', project: 'demo' }), ...rowPayloads(ROWS.slice(3))]);
    writeFileSync(file, other.bytes);
    await wandbImporter.importUnit(dir, context);
    assert.deepEqual(context.sink.resets, [{ runUid: RUN_UID }]);
    assertSeries(context.sink, RUN_UID, expectedSeries(ROWS.slice(3)));
  });

  it('reports a file that is not a W&B log and still imports the folder', async () => {
    const dir = writeRunFolder(tmp.path, Buffer.from('this is not a log\n'), { 'files/config.yaml': 'wandb_version: 1\n\nlr:\n  value: 0.5\n' });
    const context = recordingContext(tmp.path);
    await wandbImporter.importUnit(dir, context);
    assert.equal(context.sink.diagnostics.length, 1);
    assert.equal(context.sink.diagnostics[0].position, 'byte 0');
    assert.deepEqual(context.sink.lastRun(RUN_UID)?.params, { lr: '0.5' });
    assert.equal(context.sink.lastRun(RUN_UID)?.name, 'abc123', 'the id from the folder name');
    assert.equal(context.sink.experiments[0].uid, 'wandb:proj', 'the folder holding wandb/');
  });

  it('emits a summary-only value once, and again only when it changes', async () => {
    const dir = writeRunFolder(tmp.path, writeLog([...startPayloads(), ...rowPayloads(ROWS.slice(0, 2))]).bytes, {
      'files/wandb-summary.json': '{"loss": 0.7, "test_acc": 0.81, "_step": 1, "_timestamp": 1700000002.5, "_runtime": 2}',
    });
    const summaryFile = path.join(dir, 'files', 'wandb-summary.json');
    const context = recordingContext(tmp.path);
    await wandbImporter.importUnit(dir, context);
    assert.deepEqual(context.sink.points(RUN_UID, 'test_acc'), [[1, 1700000002500, 0.81]]);
    assert.equal(context.sink.points(RUN_UID, 'loss').length, 2, 'loss comes from history only');

    context.sink.clear();
    await wandbImporter.importUnit(dir, context);
    assert.deepEqual(context.sink.batches, []);
    assert.deepEqual(context.sink.resets, []);

    context.sink.clear();
    writeFileSync(summaryFile, '{"loss": 0.7, "test_acc": 0.83, "_step": 1, "_timestamp": 1700000009}');
    utimesSync(summaryFile, new Date(), new Date(Date.now() + 5000));
    await wandbImporter.importUnit(dir, context);
    assert.deepEqual(context.sink.resets, [{ runUid: RUN_UID, key: 'test_acc' }]);
    assert.deepEqual(context.sink.points(RUN_UID, 'test_acc'), [[1, 1700000009000, 0.83]]);
  });

  it('reads the 0.8 layout: wandb-history.jsonl with values as strings, appended lines', async () => {
    const dir = path.join(tmp.path, 'old', 'wandb', 'run-20190601_101010-old01');
    mkdirSync(dir, { recursive: true });
    const history = path.join(dir, 'wandb-history.jsonl');
    writeFileSync(history, [
      '{"_step": 0, "_runtime": 1.1, "_timestamp": 1559383810.5, "loss": 0.9, "acc": "0.5"}',
      '{"_step": 1, "_runtime": 2.2, "_timestamp": 1559383811.5, "loss": "0.8", "acc": "n/a"}',
      '{not json',
      '{"_step": 2, "_runtime": 3.3, "_timestamp": 1559383812.5, "loss": "NaN"}',
      '',
    ].join('\n'));
    writeFileSync(path.join(dir, 'config.yaml'), 'wandb_version: 1\n\nlr:\n  desc: null\n  value: 0.01\n');
    writeFileSync(path.join(dir, 'wandb-summary.json'), '{"loss": 0.5, "epochs_done": 3, "_step": 2}');
    const uid = 'wandb:old/wandb/run-20190601_101010-old01';
    const context = recordingContext(tmp.path);
    assert.equal(runFolderOf(history), dir);
    assert.deepEqual(await wandbImporter.importUnit(dir, context), [uid]);
    const errors = context.sink.diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].position, 'line 3');
    assert.equal(errors[0].line, 2);
    // Text read as numbers is said once per key, where it first happens ("acc" line 1, "loss" line 2).
    const converted = context.sink.diagnostics.filter((d) => d.severity === 'info');
    assert.deepEqual(converted.map((d) => [d.position, /^"(\w+)" is written as text \((".*")\)/.exec(d.message)?.slice(1)]), [
      ['line 1', ['acc', '"0.5"']],
      ['line 2', ['loss', '"0.8"']],
    ]);
    const loss = context.sink.points(uid, 'loss');
    assert.deepEqual(loss.slice(0, 2), [[0, 1559383810500, 0.9], [1, 1559383811500, 0.8]]);
    assert.ok(loss.length === 3 && loss[2][0] === 2 && Number.isNaN(loss[2][2]));
    assert.deepEqual(context.sink.points(uid, 'acc'), [[0, 1559383810500, 0.5]]);
    assert.deepEqual(context.sink.points(uid, 'epochs_done'), [[2, 0, 3]]);
    const run = context.sink.lastRun(uid);
    assert.equal(run?.status, 'FINISHED');
    assert.equal(run?.name, 'old01');
    assert.deepEqual(run?.params, { lr: '0.01' });

    context.sink.clear();
    appendFileSync(history, '{"_step": 3, "_timestamp": 1559383813.5, "loss": 0.4}\n{"_step": 4, "_timestamp": 1559383814.5, "loss": "0.3"}\n{"_step": 5, "lo');
    await wandbImporter.importUnit(dir, context);
    assert.deepEqual(context.sink.diagnostics, []);
    assert.deepEqual(context.sink.resets, []);
    assert.deepEqual(context.sink.pointCounts(uid), { loss: 2 });
  });

  it('a 0-byte .wandb is not a RUNNING run: read from its summary, marked incomplete, the empty file named', async () => {
    const dir = writeRunFolder(tmp.path, Buffer.alloc(0));
    writeFileSync(path.join(dir, 'files', 'wandb-summary.json'), '{"acc": 0.8, "_step": 9, "_timestamp": 1700000100.0}');
    // Just written: a log with content would make this run RUNNING.
    const context = recordingContext(tmp.path);
    await createWandbImporter({ now: () => Date.now() }).importUnit(dir, context);
    const run = context.sink.lastRun(RUN_UID);
    assert.equal(run?.status, 'FINISHED');
    assert.equal(run?.tags['model_ledger.incomplete'], 'run-abc123.wandb is empty (0 bytes)');
    assert.deepEqual(context.sink.diagnostics.map((d) => [d.severity, d.file]), [['warning', path.join(dir, 'run-abc123.wandb')]]);
    assert.deepEqual(context.sink.points(RUN_UID, 'acc'), [[9, 1700000100000, 0.8]], 'the summary value is kept');
  });

  it('a run without its log takes the project from wandb/settings, not the folder name', async () => {
    const dir = path.join(tmp.path, 'proj', 'wandb', RUN_FOLDER);
    mkdirSync(path.join(dir, 'files'), { recursive: true });
    writeFileSync(path.join(dir, 'files', 'wandb-summary.json'), '{"acc": 0.8, "_step": 9}');
    // What `wandb init` writes beside the run folders.
    writeFileSync(path.join(tmp.path, 'proj', 'wandb', 'settings'), '[default]\nentity = someone\nproject = speech-kws\nbase_url = https://api.wandb.ai\n');
    const context = recordingContext(tmp.path);
    await wandbImporter.importUnit(dir, context);
    assert.deepEqual(context.sink.experiments.map((e) => [e.uid, e.name]), [['wandb:project:speech-kws', 'speech-kws']]);
    assert.equal(context.sink.lastRun(RUN_UID)?.experimentUid, 'wandb:project:speech-kws');
    assert.equal(context.sink.lastRun(RUN_UID)?.tags['model_ledger.incomplete'], 'run-abc123.wandb is missing');
  });

  it('finds units under wandb/ run folders and never through latest-run', async () => {
    const patterns = wandbImporter.patterns.map(globToRegExp);
    const matches = (relative: string): boolean => patterns.some((pattern) => pattern.test(relative));
    assert.ok(matches('a/wandb/run-20231114_221320-abc123/run-abc123.wandb'));
    assert.ok(matches('wandb/offline-run-20231114_221320-abc123/run-abc123.wandb'));
    assert.ok(matches('wandb/offline-run-20231114_221320-abc123/files/wandb-summary.json'));
    assert.ok(matches('wandb/run-20190601_101010-old01/wandb-history.jsonl'));
    assert.ok(!matches('wandb/latest-run/run-abc123.wandb'));
    assert.ok(!matches('wandb/latest-run/files/config.yaml'));
    assert.equal(runFolderOf('/w/wandb/latest-run/files/config.yaml'), undefined);
    assert.equal(runFolderOf('/w/wandb/offline-run-20231114_221320-abc123/files/config.yaml'), '/w/wandb/offline-run-20231114_221320-abc123');
    assert.equal(runFolderOf('/w/wandb/run-20231114_221320-abc123/run-abc123.wandb'), '/w/wandb/run-20231114_221320-abc123');

    const dir = writeRunFolder(tmp.path, writeLog(startPayloads()).bytes);
    symlinkSync(dir, path.join(tmp.path, 'proj', 'wandb', 'latest-run'));
    const found = await new FsFileFinder().find(tmp.path, wandbImporter.patterns);
    const units = new Set(found.map((file) => wandbImporter.unitOf(file)).filter((unit) => unit !== undefined));
    assert.deepEqual([...units], [dir]);
  });

  it('imports through the engine into a store, and a rescan adds nothing', async () => {
    writeRunFolder(tmp.path, writeLog([...startPayloads(), ...rowPayloads(ROWS), ...endPayloads(0)]).bytes, { 'files/wandb-metadata.json': METADATA });
    const scanned = await scanWith(tmp.path, [wandbImporter]);
    assert.deepEqual(scanned.summary.diagnostics, []);
    const pointsExpected = Object.values(expectedSeries(ROWS)).reduce((sum, series) => sum + series.length, 0) + 1; // + best_acc
    assert.equal(scanned.counts.runs, 1);
    assert.equal(scanned.counts.metricPoints, pointsExpected);
    const again = await scanned.rescan();
    assert.equal(again.counts.metricPoints, pointsExpected);
    assert.equal(again.counts.runs, 1);
    const [run] = scanned.runs();
    assert.equal(run.status, 'FINISHED');
    assert.equal(run.experiment, 'demo');
  });

  it('survives truncated and bit-flipped logs, emitting only points that were written', async () => {
    const payloads = [...startPayloads(), ...rowPayloads(ROWS), configRecord([['big', JSON.stringify('z'.repeat(BLOCK))]]), ...endPayloads(0)];
    const log = writeLog(payloads);
    const written = new Set(Object.entries(expectedSeries(ROWS)).flatMap(([key, points]) => points.map(([step, , value]) => `${key}|${step}|${value}`)));
    written.add('best_acc|4|0.9');
    let round = 0;
    await fc.assert(fc.asyncProperty(fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.nat(), { maxLength: 4 }), async (fraction, flips) => {
      const bytes = Buffer.from(log.bytes.subarray(0, Math.floor(log.bytes.length * fraction)));
      for (const flip of flips) if (bytes.length > 0) bytes[flip % bytes.length] ^= 1 << (flip % 8);
      const root = path.join(tmp.path, `round-${round++}`);
      const dir = path.join(root, 'wandb', RUN_FOLDER);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'run-abc123.wandb'), bytes);
      const context = recordingContext(root);
      await wandbImporter.importUnit(dir, context);
      assert.ok(!context.sink.diagnostics.some((d) => /import failed/.test(d.message)), JSON.stringify(context.sink.diagnostics));
      for (const batch of context.sink.batches) {
        Array.from(batch.steps).forEach((step, index) => assert.ok(written.has(`${batch.key}|${step}|${batch.values[index]}`), `${batch.key} ${step} ${batch.values[index]}`));
      }
    }), { numRuns: 60 });
  });
});
