import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { tensorboardImporter } from '../../../../src/ingest/tensorboard/importer';
import { useTempDir } from '../../helpers';
import { recordingContext } from './recordingSink';
import { fixturePath } from '../../../fixturePath';

const FIXTURE = fixturePath('tensorboard', 'PacktPublishing__Practical-Deep-Learning-at-Scale-with-MLFlow');
const LOGS = path.join(FIXTURE, 'chapter01', 'lightning_logs');
const VERSIONS = ['version_0', 'version_1', 'version_2', 'version_3', 'version_4', 'version_5'];

/**
 * Points per tag, printed by count_events.py (beside this test: a struct-based TFRecord reader and
 * protobuf walker, no TensorFlow) run with python3 on the fixture's lightning_logs.
 */
const EXPECTED_COUNTS: Record<string, Record<string, number>> = {
  version_0: { epoch: 75, hp_metric: 1, train_accuracy_step: 75, train_cross_entropy_step: 75 },
  version_1: {
    epoch: 344, hp_metric: 2, test_accuracy: 1, test_cross_entropy: 1, train_accuracy_epoch: 3, train_accuracy_step: 337,
    train_cross_entropy_epoch: 3, train_cross_entropy_step: 337, val_accuracy: 3, val_cross_entropy: 3,
  },
  version_2: { epoch: 3, hp_metric: 1, train_accuracy_step: 3, train_cross_entropy_step: 3 },
  version_3: { epoch: 27, hp_metric: 1, train_accuracy_step: 27, train_cross_entropy_step: 27 },
  version_4: { epoch: 4, hp_metric: 1, train_accuracy_step: 4, train_cross_entropy_step: 4 },
  version_5: { epoch: 3, hp_metric: 1, train_accuracy_step: 3, train_cross_entropy_step: 3 },
};
/** First and last event wall_time in ms, from the same script. */
const EXPECTED_TIMES: Record<string, [number, number]> = {
  version_0: [1677069283060, 1677069395534],
  version_1: [1677071112518, 1677072216934],
  version_2: [1677118727253, 1677118735208],
  version_3: [1677120043012, 1677120087459],
  version_4: [1677120861864, 1677120870398],
  version_5: [1677121859514, 1677121865694],
};

/** hparams.yaml of these runs is flat `key: value` lines: split them by hand. */
function paramsWrittenIn(file: string): Record<string, string> {
  const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '');
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]));
}

function python3Available(): boolean {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('tensorboard importer on the Lightning fixture', () => {
  it('imports 6 runs with the points per tag counted independently', async () => {
    const context = recordingContext(FIXTURE);
    for (const version of VERSIONS) {
      const uids = await tensorboardImporter.importUnit(path.join(LOGS, version), context);
      assert.deepEqual(uids, [`tensorboard:chapter01/lightning_logs/${version}`]);
    }
    for (const version of VERSIONS) {
      const uid = `tensorboard:chapter01/lightning_logs/${version}`;
      assert.deepEqual(context.sink.pointCounts(uid), EXPECTED_COUNTS[version], version);
      const run = context.sink.lastRun(uid);
      assert.ok(run);
      assert.equal(run.name, version);
      assert.equal(run.experimentUid, 'tensorboard:chapter01/lightning_logs');
      assert.equal(run.sourcePath, `chapter01/lightning_logs/${version}`);
      assert.equal(run.status, 'FINISHED');
      assert.deepEqual([run.startTime, run.endTime], EXPECTED_TIMES[version]);
      assert.deepEqual(run.params, paramsWrittenIn(path.join(LOGS, version, 'hparams.yaml')));
    }
    assert.deepEqual(new Set(context.sink.experiments.map((experiment) => `${experiment.uid} ${experiment.name}`)), new Set(['tensorboard:chapter01/lightning_logs lightning_logs']));
    // Each hparams.yaml holds one `!!python/name:` tag: one warning per file, and no other diagnostic.
    assert.deepEqual(context.sink.diagnostics.map((diagnostic) => [path.basename(diagnostic.file), diagnostic.severity, diagnostic.position]), VERSIONS.map(() => ['hparams.yaml', 'warning', 'line 8']));
  });

  it('reads the series in file order, steps as written', async () => {
    const context = recordingContext(FIXTURE);
    await tensorboardImporter.importUnit(path.join(LOGS, 'version_1'), context);
    const uid = 'tensorboard:chapter01/lightning_logs/version_1';
    const trainSteps = context.sink.series(uid, 'train_accuracy_step').map(([step]) => step);
    // Listed once with python3 using count_events.py's reader: every 50th batch (49, 99, ... 16849),
    // then the test metric at step 16875 with float32 value 0.6308000087738037.
    assert.deepEqual([trainSteps[0], trainSteps[1], trainSteps[trainSteps.length - 1]], [49, 99, 16849]);
    assert.deepEqual(context.sink.series(uid, 'test_accuracy'), [[16875, 0.6308000087738037]]);
    assert.deepEqual(context.sink.series(uid, 'hp_metric'), [[0, -1], [0, -1]]);
  });

  it('emits nothing new when imported again unchanged', async () => {
    const context = recordingContext(FIXTURE);
    for (const version of VERSIONS) await tensorboardImporter.importUnit(path.join(LOGS, version), context);
    context.sink.clear();
    for (const version of VERSIONS) await tensorboardImporter.importUnit(path.join(LOGS, version), context);
    assert.deepEqual(context.sink.batches, []);
    assert.deepEqual(context.sink.diagnostics, []);
    assert.equal(context.sink.runs.length, 6);
    assert.equal(context.sink.runs[1].params.optimizer, "!!python/name:torch.optim.adam.Adam ''");
  });

  describe('copied and grown', () => {
    const temp = useTempDir();

    it('a copy cut mid-record and then completed gives each point exactly once', async () => {
      const runDir = path.join(temp.path, 'lightning_logs', 'version_1');
      mkdirSync(runDir, { recursive: true });
      const names = readdirSync(path.join(LOGS, 'version_1')).sort();
      const first = readFileSync(path.join(LOGS, 'version_1', names[0]));
      const cut = 30001; // an arbitrary byte, most likely inside a record
      writeFileSync(path.join(runDir, names[0]), first.subarray(0, cut));
      const context = recordingContext(temp.path);
      await tensorboardImporter.importUnit(runDir, context);
      const partial = context.sink.pointCounts('tensorboard:lightning_logs/version_1');
      assert.ok(partial.epoch > 0 && partial.epoch < EXPECTED_COUNTS.version_1.epoch);

      appendFileSync(path.join(runDir, names[0]), first.subarray(cut));
      copyFileSync(path.join(LOGS, 'version_1', names[1]), path.join(runDir, names[1]));
      copyFileSync(path.join(LOGS, 'version_1', 'hparams.yaml'), path.join(runDir, 'hparams.yaml'));
      await tensorboardImporter.importUnit(runDir, context);
      assert.deepEqual(context.sink.pointCounts('tensorboard:lightning_logs/version_1'), EXPECTED_COUNTS.version_1);
      assert.deepEqual(context.sink.resets, []);
      assert.deepEqual(context.sink.diagnostics.map((diagnostic) => diagnostic.severity), ['warning']);
    });
  });

  (python3Available() ? it : it.skip)('agrees with count_events.py run now', async function () {
    // Run from the sources (ts-node) or from out/test/unit/ingest/tensorboard after tsc.
    const script = [path.join(__dirname, 'count_events.py'), path.resolve(__dirname, '../../../../../test/unit/ingest/tensorboard/count_events.py')].find((candidate) => {
      try {
        readFileSync(candidate);
        return true;
      } catch {
        return false;
      }
    });
    if (script === undefined) this.skip();
    const printed = JSON.parse(execFileSync('python3', [script, LOGS], { encoding: 'utf8' })) as Record<string, { counts: Record<string, number>; hparams: string[]; start_ms: number; end_ms: number }>;
    assert.deepEqual(Object.keys(printed), VERSIONS);
    const context = recordingContext(FIXTURE);
    for (const version of VERSIONS) {
      await tensorboardImporter.importUnit(path.join(LOGS, version), context);
      const uid = `tensorboard:chapter01/lightning_logs/${version}`;
      assert.deepEqual(context.sink.pointCounts(uid), printed[version].counts);
      assert.deepEqual(Object.keys(context.sink.lastRun(uid)?.params ?? {}).sort(), printed[version].hparams);
      assert.deepEqual([context.sink.lastRun(uid)?.startTime, context.sink.lastRun(uid)?.endTime], [printed[version].start_ms, printed[version].end_ms]);
    }
  });
});
