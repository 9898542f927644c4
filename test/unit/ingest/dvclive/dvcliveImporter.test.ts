import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { dvcliveImporter } from '../../../../src/ingest/dvclive';
import { useTempDir } from '../../helpers';
import { makeContext } from '../csv/importHarness';
import { fixturePath } from '../../../fixturePath';

const FIXTURE = fixturePath('dvclive', 'alex000kim__ML-Pipeline-With-DVC-SkyPilot-HuggingFace');

/** Data rows of a TSV, counted without the importer: non-empty lines after the header. */
function tsvRows(file: string): string[][] {
  return readFileSync(file, 'utf8').split('\n').slice(1).filter((line) => line !== '').map((line) => line.split('\t'));
}

function listTsv(folder: string, prefix = ''): string[] {
  return readdirSync(folder).flatMap((name) => {
    const full = path.join(folder, name);
    return statSync(full).isDirectory() ? listTsv(full, `${prefix}${name}/`) : name.endsWith('.tsv') ? [`${prefix}${name.slice(0, -4)}`] : [];
  });
}

describe('dvclive importer: the DVC 3 / DVCLive (HuggingFace callback) fixture', () => {
  const temp = useTempDir();
  let repo: string;
  beforeEach(() => {
    repo = path.join(temp.path, 'llm-pipeline');
    cpSync(FIXTURE, repo, { recursive: true });
  });

  it('maps the fixture files to the DVCLive folder and the repository', () => {
    const live = path.join(repo, 'dvclive');
    for (const file of ['metrics.json', 'params.yaml', 'dvc.yaml', 'plots/metrics/eval/loss.tsv', 'plots/metrics/epoch.tsv']) {
      assert.equal(dvcliveImporter.unitOf(path.join(live, file)), live, file);
    }
    assert.equal(dvcliveImporter.unitOf(path.join(repo, 'dvc.yaml')), repo);
    assert.equal(dvcliveImporter.unitOf(path.join(repo, 'params.yaml')), repo);
    assert.equal(dvcliveImporter.unitOf(path.join(repo, 'dvclive.json')), live);
    assert.equal(dvcliveImporter.unitOf(path.join(live, 'plots', 'sklearn', 'confusion.tsv')), undefined, 'not a metric series');
    // A project that sits in a folder called dvclive still gets its own DVCLive folder.
    assert.equal(dvcliveImporter.unitOf(path.join('/x', 'dvclive', 'proj', 'dvclive', 'metrics.json')), path.join('/x', 'dvclive', 'proj', 'dvclive'));
    assert.equal(dvcliveImporter.unitOf(path.join(repo, 'README.md')), undefined);
  });

  it('imports the DVCLive run: one series per TSV with every row, params as written', async () => {
    const live = path.join(repo, 'dvclive');
    const context = makeContext(temp.path);
    assert.deepEqual(await dvcliveImporter.importUnit(live, context), ['dvclive:llm-pipeline/dvclive']);
    const uid = 'dvclive:llm-pipeline/dvclive';
    const sink = context.sink;

    const keys = listTsv(path.join(live, 'plots', 'metrics')).sort();
    // Hand-checked against `find dvclive/plots -name '*.tsv'`: 11 files.
    assert.equal(keys.length, 11);
    assert.deepEqual(sink.keys(uid), keys);
    for (const key of keys) {
      const rows = tsvRows(path.join(live, 'plots', 'metrics', `${key}.tsv`));
      assert.deepEqual(
        sink.points(uid, key).map((p) => [p.step, p.value]),
        rows.map(([step, value]) => [Number(step), Number(value)]),
        key,
      );
    }
    // `wc -l` once: epoch.tsv 216 lines, eval/*, loss, learning_rate 108, train/* 2 (each with a header line).
    assert.equal(sink.points(uid, 'epoch').length, 215);
    assert.equal(sink.points(uid, 'eval/loss').length, 107);
    assert.equal(sink.points(uid, 'loss').length, 107);
    assert.equal(sink.points(uid, 'train/runtime').length, 1);
    assert.deepEqual(sink.points(uid, 'eval/loss')[0], { step: 1, timestamp: 0, value: 2.8583109378814697 });
    assert.deepEqual(sink.points(uid, 'train/loss'), [{ step: 214, timestamp: 0, value: 0.8070883238426992 }]);

    const run = sink.runs.find((r) => r.uid === uid);
    assert.ok(run);
    assert.equal(run.experimentUid, 'dvclive:llm-pipeline');
    assert.equal(run.sourcePath, 'llm-pipeline/dvclive');
    // 113 leaves, counted with PyYAML (nested maps flattened with '.', lists and empty maps as one value).
    assert.equal(Object.keys(run.params).length, 113);
    assert.equal(run.params.adam_epsilon, '1e-08');
    assert.equal(run.params.learning_rate, '0.0002');
    assert.equal(run.params.per_gpu_train_batch_size, '');
    assert.equal(run.params.mp_parameters, '');
    assert.equal(run.params['fsdp_config.xla'], 'false');
    assert.equal(run.params.report_to, '[wandb]');
    assert.equal(run.params.debug, '[]');
    assert.deepEqual(sink.experiments[0], { uid: 'dvclive:llm-pipeline', name: 'llm-pipeline', format: 'dvclive', lifecycle: 'active' });
    assert.deepEqual(sink.diagnostics, []);
  });

  it('imports the pipeline as a "workspace" run with the flattened params.yaml', async () => {
    const context = makeContext(temp.path);
    assert.deepEqual(await dvcliveImporter.importUnit(repo, context), ['dvclive:llm-pipeline/dvc.yaml']);
    const run = context.sink.runs[0];
    assert.equal(run.name, 'workspace');
    assert.equal(run.experimentUid, 'dvclive:llm-pipeline');
    // 39 leaves, counted with PyYAML.
    assert.equal(Object.keys(run.params).length, 39);
    assert.equal(run.params['train.trainer_args.learning_rate'], '2.0e-4');
    assert.equal(run.params['data.data_split.val_size'], '0.2');
    assert.equal(run.params['train.model_tokenizer_args.device_map.'], '0');
    assert.equal(run.params['train.lora_args.task_type'], 'CAUSAL_LM');
    // No metrics file in this repository (dvc.yaml declares none outside dvclive/).
    assert.equal(context.sink.batches.length, 0);
    assert.deepEqual(context.sink.diagnostics, []);
  });

  it('re-imports nothing when nothing changed, and only the appended rows of a TSV', async () => {
    const live = path.join(repo, 'dvclive');
    const uid = 'dvclive:llm-pipeline/dvclive';
    const context = makeContext(temp.path);
    await dvcliveImporter.importUnit(live, context);
    context.sink.clearEmitted();
    await dvcliveImporter.importUnit(live, context);
    assert.equal(context.sink.batches.length + context.sink.resets.length, 0);
    assert.equal(context.sink.runs.length, 1);

    const lossFile = path.join(live, 'plots', 'metrics', 'eval', 'loss.tsv');
    appendFileSync(lossFile, '215\t0.71\n216\t0.7');
    context.sink.clearEmitted();
    await dvcliveImporter.importUnit(live, context);
    assert.deepEqual(context.sink.batches.map((b) => [b.key, b.steps, b.values]), [['eval/loss', [215], [0.71]]]);
    appendFileSync(lossFile, '05\n');
    context.sink.clearEmitted();
    await dvcliveImporter.importUnit(live, context);
    assert.deepEqual(context.sink.batches.map((b) => [b.key, b.steps, b.values]), [['eval/loss', [216], [0.705]]]);
    assert.equal(context.sink.points(uid, 'eval/loss').length, 109);
  });

  it('resets one series when DVCLive starts a new run, and drops the series whose TSV is gone', async () => {
    const live = path.join(repo, 'dvclive');
    const uid = 'dvclive:llm-pipeline/dvclive';
    const context = makeContext(temp.path);
    await dvcliveImporter.importUnit(live, context);
    writeFileSync(path.join(live, 'plots', 'metrics', 'loss.tsv'), 'step\tloss\n0\t2.5\n');
    rmSync(path.join(live, 'plots', 'metrics', 'train'), { recursive: true });
    context.sink.clearEmitted();
    await dvcliveImporter.importUnit(live, context);
    assert.deepEqual(context.sink.points(uid, 'loss'), [{ step: 0, timestamp: 0, value: 2.5 }]);
    assert.deepEqual(
      context.sink.resets.map((r) => r.key).sort(),
      ['loss', 'train/loss', 'train/runtime', 'train/samples_per_second', 'train/steps_per_second'],
    );
    assert.equal(context.sink.keys(uid).length, 11 - 4);
    assert.equal(context.sink.points(uid, 'eval/loss').length, 107, 'the other series are untouched');
  });
});

describe('dvclive importer: other layouts and bad input', () => {
  const temp = useTempDir();

  function write(relative: string, text: string | Buffer): string {
    const file = path.join(temp.path, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  }

  it('reads the 0.x layout: dvclive.json beside the folder, TSVs with a timestamp column in it', async () => {
    write('proj/dvclive.json', '{"step": 1, "loss": 0.5, "acc": 0.8, "timestamp": 1600000001000}');
    write('proj/dvclive/loss.tsv', 'timestamp\tstep\tloss\n1600000000000\t0\t0.9\n1600000001000\t1\t0.5\n');
    write('proj/dvclive/acc.tsv', 'timestamp\tstep\tacc\n1600000000000\t0\t0.6\n1600000001000\t1\t0.8\n');
    const live = path.join(temp.path, 'proj', 'dvclive');
    assert.equal(dvcliveImporter.unitOf(path.join(live, 'loss.tsv')), live);
    const context = makeContext(temp.path);
    assert.deepEqual(await dvcliveImporter.importUnit(live, context), ['dvclive:proj/dvclive']);
    assert.deepEqual(context.sink.keys('dvclive:proj/dvclive'), ['acc', 'loss']);
    assert.deepEqual(context.sink.points('dvclive:proj/dvclive', 'loss'), [
      { step: 0, timestamp: 1600000000000, value: 0.9 },
      { step: 1, timestamp: 1600000001000, value: 0.5 },
    ]);
  });

  it('finds a DVCLive folder with another name by its plots/metrics', async () => {
    const tsv = write('exp/results/plots/metrics/train/acc.tsv', 'step\tacc\n0\t0.5\n1\t0.6\n');
    write('exp/results/metrics.json', '{"step": 1, "train": {"acc": 0.6}}');
    write('exp/results/params.yaml', 'epochs: 2\n');
    const folder = path.join(temp.path, 'exp', 'results');
    assert.equal(dvcliveImporter.unitOf(tsv), folder);
    assert.equal(dvcliveImporter.unitOf(path.join(folder, 'metrics.json')), folder);
    const context = makeContext(temp.path);
    assert.deepEqual(await dvcliveImporter.importUnit(folder, context), ['dvclive:exp/results']);
    assert.deepEqual(context.sink.keys('dvclive:exp/results'), ['train/acc']);
    assert.equal(context.sink.points('dvclive:exp/results', 'train/acc').length, 2);
    assert.deepEqual(context.sink.runs[0].params, { epochs: '2' });
  });

  it('makes a summary value without a TSV a one-point series, and replaces it when it changes', async () => {
    write('p/dvclive/plots/metrics/loss.tsv', 'step\tloss\n0\t1\n1\t0.5\n');
    const summary = write('p/dvclive/metrics.json', '{"step": 1, "loss": 0.5, "test": {"acc": 0.75, "f1": NaN}, "note": "text"}');
    const live = path.join(temp.path, 'p', 'dvclive');
    const uid = 'dvclive:p/dvclive';
    const context = makeContext(temp.path);
    await dvcliveImporter.importUnit(live, context);
    assert.deepEqual(context.sink.keys(uid), ['loss', 'test/acc', 'test/f1']);
    assert.deepEqual(context.sink.points(uid, 'test/acc'), [{ step: 1, timestamp: 0, value: 0.75 }]);
    assert.ok(Number.isNaN(context.sink.points(uid, 'test/f1')[0].value));
    assert.equal(context.sink.points(uid, 'loss').length, 2, 'a key with a TSV is not doubled by the summary');

    writeFileSync(summary, '{"step": 2, "loss": 0.5, "test": {"acc": 0.8}}   ');
    context.sink.clearEmitted();
    await dvcliveImporter.importUnit(live, context);
    assert.deepEqual(context.sink.points(uid, 'test/acc'), [{ step: 2, timestamp: 0, value: 0.8 }]);
    assert.deepEqual(context.sink.keys(uid), ['loss', 'test/acc']);
  });

  it('imports a pipeline workspace: params.yaml and metrics.json as one-point series', async () => {
    write('repo/dvc.yaml', 'stages:\n  train:\n    cmd: python train.py\n    metrics:\n    - eval/scores.json:\n        cache: false\n');
    write('repo/params.yaml', 'train:\n  lr: 1e-08\n  epochs: 10\n');
    write('repo/metrics.json', '{"auc": 0.91, "nested": {"rmse": 1.5}}');
    write('repo/eval/scores.json', '{"precision": 0.5}');
    const folder = path.join(temp.path, 'repo');
    const context = makeContext(temp.path);
    assert.deepEqual(await dvcliveImporter.importUnit(folder, context), ['dvclive:repo/dvc.yaml']);
    assert.deepEqual(context.sink.runs[0].params, { 'train.lr': '1e-08', 'train.epochs': '10' });
    assert.deepEqual(context.sink.keys('dvclive:repo/dvc.yaml'), ['auc', 'nested/rmse', 'precision']);
    assert.deepEqual(context.sink.points('dvclive:repo/dvc.yaml', 'auc'), [{ step: 0, timestamp: 0, value: 0.91 }]);
  });

  it('ignores a folder with a dvc.yaml but nothing to import, and folders that are neither', async () => {
    write('empty/dvc.yaml', 'stages: {}\n');
    write('plain/metrics.json', '{"a": 1}');
    const context = makeContext(temp.path);
    assert.deepEqual(await dvcliveImporter.importUnit(path.join(temp.path, 'empty'), context), []);
    assert.deepEqual(await dvcliveImporter.importUnit(path.join(temp.path, 'plain'), context), []);
    assert.deepEqual(await dvcliveImporter.importUnit(path.join(temp.path, 'gone'), context), []);
    assert.equal(context.sink.runs.length + context.sink.diagnostics.length, 0);
  });

  it('reports broken files without throwing and keeps the rest', async () => {
    write('b/dvclive/plots/metrics/loss.tsv', 'step\tloss\n0\t1\nx\t2\n2\tbad\n3\t0.5\n');
    write('b/dvclive/plots/metrics/bin.tsv', Buffer.from([0x00, 0x01, 0xff, 0x0a, 0x02, 0x0a]));
    write('b/dvclive/plots/metrics/noheader.tsv', '\n');
    write('b/dvclive/metrics.json', '{"loss": 0.5, "x": ');
    write('b/dvclive/params.yaml', 'a: 1\nb: !!python/name:os.path ""\n: :\n');
    const live = path.join(temp.path, 'b', 'dvclive');
    const uid = 'dvclive:b/dvclive';
    const context = makeContext(temp.path);
    assert.deepEqual(await dvcliveImporter.importUnit(live, context), [uid]);
    assert.deepEqual(context.sink.points(uid, 'loss').map((p) => [p.step, p.value]), [[0, 1], [3, 0.5]]);
    const lossProblems = context.sink.diagnostics.filter((d) => d.file.endsWith('loss.tsv')).map((d) => d.position);
    assert.deepEqual(lossProblems, ['line 3', 'line 4']);
    assert.ok(context.sink.diagnostics.some((d) => d.file.endsWith('bin.tsv')));
    assert.ok(context.sink.diagnostics.some((d) => d.file.endsWith('metrics.json') && d.severity === 'error'));
    assert.equal(context.sink.runs[0].params.a, '1');
  });

  it('never throws on arbitrary TSV and summary bytes', async function () {
    this.timeout(120000);
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 100 }), async (tsv, summary, more) => {
        const live = path.join(temp.path, `z${round++}`, 'dvclive');
        write(path.relative(temp.path, path.join(live, 'plots', 'metrics', 'm.tsv')), Buffer.concat([Buffer.from('step\tm\n'), tsv]));
        write(path.relative(temp.path, path.join(live, 'metrics.json')), Buffer.from(summary));
        const context = makeContext(temp.path);
        await dvcliveImporter.importUnit(live, context);
        appendFileSync(path.join(live, 'plots', 'metrics', 'm.tsv'), more);
        await dvcliveImporter.importUnit(live, context);
      }),
      { numRuns: 100 },
    );
  });
});
