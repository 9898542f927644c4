import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readdirSync, writeFileSync, cpSync, truncateSync, rmSync } from 'node:fs';
import path from 'node:path';
import { csvImporter } from '../../../../src/ingest/csv';
import { useTempDir } from '../../helpers';
import { makeContext } from './importHarness';
import { fixturePath } from '../../../fixturePath';

/**
 * Expected values here come from the table text itself (split on ',' and count non-empty numeric
 * cells), never from the importer: the synthetic files below have no quoted fields.
 */
function expectedPoints(csv: string): Map<string, { step: number; value: number }[]> {
  const lines = csv.split('\n').filter((line) => line !== '');
  const header = lines[0].split(',');
  const stepColumn = header.indexOf('step');
  const out = new Map<string, { step: number; value: number }[]>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    header.forEach((name, column) => {
      if (column === stepColumn || cells[column] === undefined || cells[column] === '' || Number.isNaN(Number(cells[column]))) return;
      const list = out.get(name) ?? [];
      list.push({ step: Number(cells[stepColumn]), value: Number(cells[column]) });
      out.set(name, list);
    });
  }
  return out;
}

/** What Lightning's CSVLogger writes for `epochs` epochs of `stepsPerEpoch` logged steps, then `trainer.test`. */
function lightningCsv(columnOrder: readonly string[], epochs: number, stepsPerEpoch: number): string {
  const rows: Record<string, string>[] = [];
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = 0; i < stepsPerEpoch; i++) {
      step += 10;
      rows.push({ epoch: String(epoch), step: String(step - 1), train_loss: (1 / step).toFixed(6) });
    }
    // The validation row repeats the step of the last training row.
    rows.push({ epoch: String(epoch), step: String(step - 1), val_loss: (2 / step).toFixed(6), val_acc: (1 - 1 / step).toFixed(4) });
  }
  rows.push({ epoch: String(epochs - 1), step: String(step), test_acc: '0.9125' });
  const lines = [columnOrder.join(',')];
  for (const row of rows) lines.push(columnOrder.map((column) => row[column] ?? '').join(','));
  return lines.join('\n') + '\n';
}

const ORDER_A = ['epoch', 'step', 'train_loss', 'val_loss', 'val_acc', 'test_acc'];
const ORDER_B = ['test_acc', 'train_loss', 'epoch', 'val_acc', 'val_loss', 'step'];

const HPARAMS = `batch_size: 32
learning_rate: 1e-08
betas: !!python/tuple
- 0.9
- 0.999
optimizer: !!python/name:torch.optim.adam.Adam ''
model:
  hidden: 128
  dropout: 0.1
  name: "resnet: 18"
scheduler: null
empty:
`;

describe('csv importer: Lightning CSVLogger', () => {
  const temp = useTempDir();

  function version(name: string, csv: string | undefined, hparams?: string, logs = 'lightning_logs'): string {
    const folder = path.join(temp.path, 'proj', logs, name);
    mkdirSync(folder, { recursive: true });
    if (csv !== undefined) writeFileSync(path.join(folder, 'metrics.csv'), csv);
    if (hparams !== undefined) writeFileSync(path.join(folder, 'hparams.yaml'), hparams);
    return folder;
  }

  it('maps matched files to their version folder, Keras logs to themselves, and ignores others', () => {
    const root = temp.path;
    const v0 = path.join(root, 'lightning_logs', 'version_0');
    assert.equal(csvImporter.unitOf(path.join(v0, 'metrics.csv')), v0);
    assert.equal(csvImporter.unitOf(path.join(v0, 'hparams.yaml')), v0);
    const custom = path.join(root, 'logs', 'my_model', 'version_3');
    assert.equal(csvImporter.unitOf(path.join(custom, 'metrics.csv')), custom);
    assert.equal(csvImporter.unitOf(path.join(root, 'a', 'training.log')), path.join(root, 'a', 'training.log'));
    assert.equal(csvImporter.unitOf(path.join(root, 'a', 'fit_history.csv')), path.join(root, 'a', 'fit_history.csv'));
    assert.equal(csvImporter.unitOf(path.join(root, 'a', 'keras_log.csv')), path.join(root, 'a', 'keras_log.csv'));
    assert.equal(csvImporter.unitOf(path.join(root, 'a', 'metrics.csv')), undefined);
    assert.equal(csvImporter.unitOf(path.join(root, 'a', 'hparams.yaml')), undefined);
  });

  it('imports sparse rows, duplicate steps and the test row of two versions with different column orders', async () => {
    const csvA = lightningCsv(ORDER_A, 3, 4);
    const csvB = lightningCsv(ORDER_B, 2, 5);
    const folderA = version('version_0', csvA, HPARAMS);
    const folderB = version('version_1', csvB);
    const context = makeContext(temp.path);
    assert.deepEqual(await csvImporter.importUnit(folderA, context), ['csv:proj/lightning_logs/version_0']);
    assert.deepEqual(await csvImporter.importUnit(folderB, context), ['csv:proj/lightning_logs/version_1']);
    const sink = context.sink;

    for (const [uid, csv] of [['csv:proj/lightning_logs/version_0', csvA], ['csv:proj/lightning_logs/version_1', csvB]] as const) {
      const expected = expectedPoints(csv);
      assert.deepEqual(sink.keys(uid), [...expected.keys()].sort(), 'epoch is a series, step is not');
      for (const [key, points] of expected) {
        assert.deepEqual(sink.points(uid, key).map((p) => ({ step: p.step, value: p.value })), points, key);
        assert.ok(sink.points(uid, key).every((p) => p.timestamp === 0), 'Lightning CSV has no time column');
      }
    }
    // Hand-checked: 3 epochs × 4 train rows, 3 validation rows, 1 test row at last step + 1 = 120.
    assert.deepEqual(sink.points('csv:proj/lightning_logs/version_0', 'test_acc'), [{ step: 120, timestamp: 0, value: 0.9125 }]);
    assert.equal(sink.points('csv:proj/lightning_logs/version_0', 'train_loss').length, 12);
    assert.equal(sink.points('csv:proj/lightning_logs/version_0', 'epoch').length, 3 * 4 + 3 + 1);

    const run = sink.runs.find((r) => r.uid === 'csv:proj/lightning_logs/version_0');
    assert.ok(run);
    assert.equal(run.name, 'version_0');
    assert.equal(run.status, 'FINISHED');
    assert.equal(run.experimentUid, 'csv:proj/lightning_logs');
    assert.equal(run.sourcePath, 'proj/lightning_logs/version_0');
    assert.deepEqual(run.params, {
      batch_size: '32',
      learning_rate: '1e-08',
      betas: '!!python/tuple [0.9, 0.999]',
      optimizer: "!!python/name:torch.optim.adam.Adam ''",
      'model/hidden': '128',
      'model/dropout': '0.1',
      'model/name': 'resnet: 18',
      scheduler: 'null',
      empty: '',
    });
    assert.deepEqual(sink.experiments[0], { uid: 'csv:proj/lightning_logs', name: 'lightning_logs', format: 'csv', lifecycle: 'active' });
    const tagWarnings = sink.diagnostics.filter((d) => d.message.includes('Python-specific'));
    assert.equal(tagWarnings.length, 1);
    assert.equal(tagWarnings[0].severity, 'warning');
    assert.equal(sink.diagnostics.length, 1, JSON.stringify(sink.diagnostics));
  });

  it('skips a version with hparams.yaml and no metrics.csv, says why, and imports it once metrics.csv appears', async () => {
    // What CSVLogger leaves when training stopped before its first flush: hparams.yaml alone.
    const folder = version('version_7', undefined, 'lr: 0.01\n');
    const context = makeContext(temp.path);
    assert.deepEqual(await csvImporter.importUnit(folder, context), []);
    assert.equal(context.sink.runs.length, 0, 'not an empty FINISHED run');
    assert.deepEqual(context.sink.diagnostics.map((d) => [d.severity, d.file]), [['info', folder]]);
    assert.match(context.sink.diagnostics[0].message, /hparams\.yaml without metrics\.csv.*not a run, skipped/);
    writeFileSync(path.join(folder, 'metrics.csv'), 'epoch,step,train_loss\n0,49,0.5\n');
    const later = makeContext(temp.path);
    assert.deepEqual(await csvImporter.importUnit(folder, later), ['csv:proj/lightning_logs/version_7']);
    assert.deepEqual(later.sink.runs[0].params, { lr: '0.01' });
  });

  it("leaves TensorBoardLogger's version folders (event files, no metrics.csv) to the TensorBoard importer", async () => {
    const source = fixturePath('tensorboard', 'PacktPublishing__Practical-Deep-Learning-at-Scale-with-MLFlow', 'chapter01', 'lightning_logs');
    cpSync(source, path.join(temp.path, 'lightning_logs'), { recursive: true });
    const context = makeContext(temp.path);
    const versions = readdirSync(path.join(temp.path, 'lightning_logs'));
    assert.equal(versions.length, 6);
    for (const name of versions) {
      const hparams = path.join(temp.path, 'lightning_logs', name, 'hparams.yaml');
      const unit = csvImporter.unitOf(hparams);
      assert.ok(unit);
      assert.deepEqual(await csvImporter.importUnit(unit, context), []);
    }
    assert.equal(context.sink.runs.length + context.sink.batches.length + context.sink.diagnostics.length, 0);
  });

  it('finds versions in <save_dir>/<name>/version_N and names the experiment after <name>', async () => {
    const folder = version('version_2', lightningCsv(ORDER_A, 1, 2), undefined, path.join('logs', 'mnist'));
    const context = makeContext(temp.path);
    assert.equal(csvImporter.unitOf(path.join(folder, 'metrics.csv')), folder);
    assert.deepEqual(await csvImporter.importUnit(folder, context), ['csv:proj/logs/mnist/version_2']);
    assert.equal(context.sink.experiments[0].name, 'mnist');
  });

  it('reads only appended rows, leaves a half-written line for later, and completes it on the next import', async () => {
    const full = lightningCsv(ORDER_A, 4, 6);
    const folder = version('version_0', '');
    const file = path.join(folder, 'metrics.csv');
    const uid = 'csv:proj/lightning_logs/version_0';
    const context = makeContext(temp.path);
    // Cut points chosen to fall inside the header, inside a row, and right after a line break.
    const cuts = [5, 40, full.indexOf('\n', 100) + 1, full.length - 7, full.length];
    let written = 0;
    let total = 0;
    for (const cut of cuts) {
      appendFileSync(file, full.slice(written, cut));
      written = cut;
      context.sink.clearEmitted();
      await csvImporter.importUnit(folder, context);
      assert.equal(context.sink.resets.length, 0, 'appends never restart');
      const completeText = full.slice(0, full.lastIndexOf('\n', cut - 1) + 1);
      const expectedTotal = completeText.includes('\n') ? [...expectedPoints(completeText).values()].reduce((n, list) => n + list.length, 0) : 0;
      total += context.sink.newPointCount();
      assert.equal(total, expectedTotal, `after ${cut} bytes`);
    }
    for (const [key, points] of expectedPoints(full)) {
      assert.deepEqual(context.sink.points(uid, key).map((p) => ({ step: p.step, value: p.value })), points, key);
    }
    context.sink.clearEmitted();
    await csvImporter.importUnit(folder, context);
    assert.equal(context.sink.batches.length, 0, 'an unchanged file emits no points');
    assert.equal(context.sink.runs.length, 1, 'but the run is upserted every time');
  });

  it('restarts when Lightning rewrites the file with a wider header, and when the file is truncated', async () => {
    // Longer than the 64 head bytes readNewBytes compares: only the remembered header can tell.
    const header = 'epoch,step,train_loss_averaged_over_the_epoch,train_accuracy_averaged_over_the_epoch';
    const folder = version('version_0', `${header}\n0,9,0.5,0.1\n0,19,0.4,0.2\n`);
    const file = path.join(folder, 'metrics.csv');
    const uid = 'csv:proj/lightning_logs/version_0';
    const context = makeContext(temp.path);
    await csvImporter.importUnit(folder, context);
    assert.equal(context.sink.points(uid, 'train_loss_averaged_over_the_epoch').length, 2);

    const rewritten = `${header},val_loss\n0,9,0.5,0.1,\n0,19,0.4,0.2,\n0,19,,,0.45\n0,29,0.3,0.3,\n`;
    writeFileSync(file, rewritten);
    context.sink.clearEmitted();
    await csvImporter.importUnit(folder, context);
    assert.deepEqual(context.sink.resets, [{ runUid: uid }]);
    assert.deepEqual(context.sink.points(uid, 'train_loss_averaged_over_the_epoch').map((p) => p.value), [0.5, 0.4, 0.3]);
    assert.deepEqual(context.sink.points(uid, 'val_loss'), [{ step: 19, timestamp: 0, value: 0.45 }]);

    truncateSync(file, `${header},val_loss\n0,9,0.5,0.1,\n`.length);
    context.sink.clearEmitted();
    await csvImporter.importUnit(folder, context);
    assert.deepEqual(context.sink.resets, [{ runUid: uid }]);
    assert.deepEqual(context.sink.keys(uid), ['epoch', 'train_accuracy_averaged_over_the_epoch', 'train_loss_averaged_over_the_epoch']);
    assert.equal(context.sink.points(uid, 'train_loss_averaged_over_the_epoch').length, 1);
  });

  it('re-reads a file replaced by one of the same length with another header', async () => {
    const folder = version('version_0', 'epoch,step,aaaa\n0,1,0.5\n');
    const file = path.join(folder, 'metrics.csv');
    const uid = 'csv:proj/lightning_logs/version_0';
    const context = makeContext(temp.path);
    await csvImporter.importUnit(folder, context);
    writeFileSync(file, 'epoch,step,bbbb\n0,1,0.7\n0,2,0.8\n');
    context.sink.clearEmitted();
    await csvImporter.importUnit(folder, context);
    assert.deepEqual(context.sink.keys(uid), ['bbbb', 'epoch']);
    assert.deepEqual(context.sink.points(uid, 'bbbb').map((p) => p.value), [0.7, 0.8]);
  });

  it('reports non-numeric cells with their line and keeps the other cells', async () => {
    const folder = version('version_0', 'epoch,step,loss,acc\n0,0,0.9,0.1\n0,1,oops,0.2\n0,2,0.7,tensor(0.3)\n');
    const context = makeContext(temp.path);
    await csvImporter.importUnit(folder, context);
    const uid = 'csv:proj/lightning_logs/version_0';
    assert.deepEqual(context.sink.points(uid, 'loss').map((p) => p.value), [0.9, 0.7]);
    assert.deepEqual(context.sink.points(uid, 'acc').map((p) => p.value), [0.1, 0.2]);
    const lines = context.sink.diagnostics.map((d) => d.position).sort();
    assert.deepEqual(lines, ['line 3', 'line 4']);
    assert.ok(context.sink.diagnostics.every((d) => d.file === path.join(folder, 'metrics.csv')));
  });

  it('keeps nan and inf values, a quoted header with a comma, CRLF line ends and a BOM', async () => {
    const csv = '\ufeffepoch,step,"loss, smoothed",acc\r\n0,0,nan,inf\r\n0,1,0.5,-inf\r\n';
    const folder = version('version_0', csv);
    const context = makeContext(temp.path);
    await csvImporter.importUnit(folder, context);
    const uid = 'csv:proj/lightning_logs/version_0';
    assert.deepEqual(context.sink.keys(uid), ['acc', 'epoch', 'loss, smoothed']);
    assert.ok(Number.isNaN(context.sink.points(uid, 'loss, smoothed')[0].value));
    assert.deepEqual(context.sink.points(uid, 'acc').map((p) => p.value), [Infinity, -Infinity]);
    assert.equal(context.sink.diagnostics.length, 0);
  });

  it('uses a timestamp column for time when there is one', async () => {
    const folder = version('version_0', 'step,loss,timestamp\n0,1.5,1700000000.5\n1,1.25,1700000001\n');
    const context = makeContext(temp.path);
    await csvImporter.importUnit(folder, context);
    const points = context.sink.points('csv:proj/lightning_logs/version_0', 'loss');
    assert.deepEqual(points.map((p) => p.timestamp), [1700000000500, 1700000001000]);
    assert.deepEqual(context.sink.keys('csv:proj/lightning_logs/version_0'), ['loss']);
  });

  it('takes an empty metrics.csv as a run without metrics and without complaint', async () => {
    const folder = version('version_0', '');
    const context = makeContext(temp.path);
    assert.deepEqual(await csvImporter.importUnit(folder, context), ['csv:proj/lightning_logs/version_0']);
    assert.equal(context.sink.batches.length + context.sink.diagnostics.length, 0);
  });

  it('reports binary content without throwing and keeps what was imported before it', async () => {
    const folder = version('version_0', 'epoch,step,loss\n0,0,0.9\n0,1,0.8\n');
    const file = path.join(folder, 'metrics.csv');
    const context = makeContext(temp.path);
    const uid = 'csv:proj/lightning_logs/version_0';
    await csvImporter.importUnit(folder, context);
    appendFileSync(file, Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0x30, 0x2c, 0x32, 0x2c, 0x30, 0x2e, 0x37, 0x0a]));
    context.sink.clearEmitted();
    await csvImporter.importUnit(folder, context);
    assert.equal(context.sink.resets.length, 0);
    assert.deepEqual(context.sink.points(uid, 'loss').map((p) => p.value), [0.9, 0.8, 0.7]);
    assert.equal(context.sink.diagnostics.length, 1);
    assert.equal(context.sink.diagnostics[0].position, 'line 4');

    const garbage = version('version_1', '');
    writeFileSync(path.join(garbage, 'metrics.csv'), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256)));
    const other = makeContext(temp.path);
    await csvImporter.importUnit(garbage, other);
    assert.ok(other.sink.diagnostics.length >= 1);
    assert.ok(other.sink.diagnostics.length <= 21, 'diagnostics are capped per file');
  });

  it('skips a quoted field that never closes instead of waiting for it forever', async () => {
    const lines = ['epoch,step,loss', '0,0,0.5', '0,1,"never closed', ...Array.from({ length: 120000 }, (_, i) => `0,${i + 2},0.25`)];
    const folder = version('version_0', lines.join('\n') + '\n');
    const context = makeContext(temp.path);
    await csvImporter.importUnit(folder, context);
    assert.ok(context.sink.diagnostics.some((d) => d.position === 'line 3'));
    assert.equal(context.sink.points('csv:proj/lightning_logs/version_0', 'loss').length, 1 + 120000);
  });

  it('handles a quoted field that spans lines, even when the read stops inside it', async () => {
    const folder = version('version_0', 'epoch,step,loss,note\n0,0,0.5,"two\n');
    const file = path.join(folder, 'metrics.csv');
    const uid = 'csv:proj/lightning_logs/version_0';
    const context = makeContext(temp.path);
    await csvImporter.importUnit(folder, context);
    assert.equal(context.sink.points(uid, 'loss').length, 0, 'the open record waits');
    appendFileSync(file, 'lines"\n0,1,0.25,\n');
    await csvImporter.importUnit(folder, context);
    assert.deepEqual(context.sink.points(uid, 'loss').map((p) => p.value), [0.5, 0.25]);
    // The note cell is text: one diagnostic, at the line where its record starts.
    assert.deepEqual(context.sink.diagnostics.map((d) => d.position), ['line 2']);
  });

  it('imports a 50,000-row file quickly and completely', async function () {
    this.timeout(20000);
    const rows = ['epoch,step,train_loss,val_loss'];
    for (let i = 0; i < 50000; i++) rows.push(i % 5 === 4 ? `${Math.floor(i / 100)},${i},,${(i % 97) / 97}` : `${Math.floor(i / 100)},${i},${(i % 89) / 89},`);
    const folder = version('version_0', rows.join('\n') + '\n');
    const context = makeContext(temp.path);
    const started = performance.now();
    await csvImporter.importUnit(folder, context);
    const elapsed = performance.now() - started;
    const uid = 'csv:proj/lightning_logs/version_0';
    assert.equal(context.sink.points(uid, 'train_loss').length, 40000);
    assert.equal(context.sink.points(uid, 'val_loss').length, 10000);
    assert.equal(context.sink.points(uid, 'epoch').length, 50000);
    assert.ok(elapsed < 5000, `${elapsed} ms`);
  });

  it('gives up the run of a metrics.csv that vanished while hparams.yaml stayed, and reads a new one from its start', async () => {
    const folder = version('version_0', 'epoch,step,loss\n0,0,0.9\n', 'lr: 1\n');
    const context = makeContext(temp.path);
    await csvImporter.importUnit(folder, context);
    rmSync(path.join(folder, 'metrics.csv'));
    context.sink.clearEmitted();
    assert.deepEqual(await csvImporter.importUnit(folder, context), [], 'no run left (the engine removes it with its points)');
    assert.equal(context.cursor(path.join(folder, 'metrics.csv'))?.offset, 0);
    writeFileSync(path.join(folder, 'metrics.csv'), 'epoch,step,loss\n0,0,0.9\n');
    context.sink.clearEmitted();
    assert.deepEqual(await csvImporter.importUnit(folder, context), ['csv:proj/lightning_logs/version_0']);
    assert.deepEqual(Array.from(context.sink.batches.find((b) => b.key === 'loss')?.values ?? []), [0.9], 'the new file read whole');
  });

  it('returns no run for a vanished unit', async () => {
    const context = makeContext(temp.path);
    assert.deepEqual(await csvImporter.importUnit(path.join(temp.path, 'lightning_logs', 'version_9'), context), []);
    assert.equal(context.sink.diagnostics.length, 0);
  });

  it('reports hparams.yaml problems once per change, not on every import', async () => {
    const folder = version('version_0', 'epoch,step,loss\n0,0,0.9\n', 'a: 1\nb: [unclosed\nc: 3\n');
    const file = path.join(folder, 'metrics.csv');
    const context = makeContext(temp.path);
    await csvImporter.importUnit(folder, context);
    const first = context.sink.diagnostics.filter((d) => d.file.endsWith('hparams.yaml'));
    assert.ok(first.length >= 1);
    assert.equal(context.sink.runs[0].params.a, '1', 'the readable part of a broken file is kept');
    appendFileSync(file, '0,1,0.8\n');
    context.sink.clearEmitted();
    await csvImporter.importUnit(folder, context);
    assert.equal(context.sink.diagnostics.length, 0);
    assert.equal(context.sink.runs[0].params.a, '1');
  });
});

describe('csv importer: Keras CSVLogger', () => {
  const temp = useTempDir();

  it('imports a Keras log: step = epoch, epoch and every other column a series, run = the file', async () => {
    const log = 'epoch,accuracy,loss,val_accuracy,val_loss\n0,0.5,1.2,0.55,1.1\n1,0.7,0.8,0.68,0.9\n2,0.8,0.6,0.74,0.85\n';
    mkdirSync(path.join(temp.path, 'runs', 'cnn'), { recursive: true });
    const file = path.join(temp.path, 'runs', 'cnn', 'training.log');
    writeFileSync(file, log);
    const context = makeContext(temp.path);
    assert.equal(csvImporter.unitOf(file), file);
    assert.deepEqual(await csvImporter.importUnit(file, context), ['csv:runs/cnn/training.log']);
    const uid = 'csv:runs/cnn/training.log';
    assert.deepEqual(context.sink.keys(uid), ['accuracy', 'epoch', 'loss', 'val_accuracy', 'val_loss']);
    assert.deepEqual(context.sink.points(uid, 'val_loss'), [
      { step: 0, timestamp: 0, value: 1.1 },
      { step: 1, timestamp: 0, value: 0.9 },
      { step: 2, timestamp: 0, value: 0.85 },
    ]);
    assert.equal(context.sink.runs[0].experimentUid, 'csv:runs/cnn');
    assert.equal(context.sink.runs[0].name, 'training.log');
    assert.equal(context.sink.experiments[0].name, 'cnn');

    appendFileSync(file, '3,0.85,0.5,0.75,0.84\n');
    context.sink.clearEmitted();
    await csvImporter.importUnit(file, context);
    assert.equal(context.sink.newPointCount(), 5);
  });

  it('reads a Keras log written with another separator', async () => {
    const file = path.join(temp.path, 'keras_log.csv');
    writeFileSync(file, 'epoch;loss;lr\n0;0,5;0.001\n1;0.4;0.001\n');
    const context = makeContext(temp.path);
    await csvImporter.importUnit(file, context);
    const uid = 'csv:keras_log.csv';
    // "0,5" is a decimal comma, not a number this importer reads: reported, skipped.
    assert.deepEqual(context.sink.points(uid, 'loss').map((p) => p.value), [0.4]);
    assert.deepEqual(context.sink.points(uid, 'lr').map((p) => p.step), [0, 1]);
    assert.equal(context.sink.diagnostics.length, 1);
  });

  it('ignores a training.log or *history*.csv that is not a Keras log, and reads it again once replaced by one', async () => {
    const file = path.join(temp.path, 'training.log');
    writeFileSync(file, '2024-01-01 INFO starting\n2024-01-01 INFO epoch 1 done\n');
    const data = path.join(temp.path, 'price_history.csv');
    writeFileSync(data, 'date,price\n2024-01-01,3\n');
    const context = makeContext(temp.path);
    assert.deepEqual(await csvImporter.importUnit(file, context), []);
    assert.deepEqual(await csvImporter.importUnit(data, context), []);
    assert.equal(context.sink.runs.length + context.sink.diagnostics.length, 0);

    writeFileSync(file, 'epoch,loss\n0,0.5\n');
    assert.deepEqual(await csvImporter.importUnit(file, context), ['csv:training.log']);
    assert.deepEqual(context.sink.points('csv:training.log', 'loss').map((p) => p.value), [0.5]);
  });
});
