import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createWandbImporter } from '../../../../src/ingest/wandb';
import { INCOMPLETE_TAG } from '../../../../src/ingest/wandb/importer';
import { useTempDir } from '../../helpers';
import { recordingContext } from './recordingSink';
import { fixturePath } from '../../../fixturePath';

/** test/fixtures/wandb (see its README): a real wandb 0.12.15 project folder, text files only. */
const FIXTURE = fixturePath('wandb', 'ARM-software__keyword-transformer');
const RUNS = ['run-20220429_201847-2zuxwf70', 'run-20220429_201936-3ojed7lz'];
/** startedAt of each run's wandb-metadata.json (UTC, no zone written), converted with python3's datetime. */
const STARTED_AT = [1651263527597, 1651263576187];

describe('wandb importer on the keyword-transformer fixture', () => {
  const tmp = useTempDir();

  it('imports both runs: config.yaml params, summary values, metadata facts and nothing private', async () => {
    cpSync(FIXTURE, path.join(tmp.path, 'kwt'), { recursive: true });
    // Copies are fresh files; the folders have no log anyway, so liveness never comes into it.
    const importer = createWandbImporter({ now: () => Date.now() + 3_600_000 });
    const context = recordingContext(tmp.path);
    for (const run of RUNS) {
      assert.deepEqual(await importer.importUnit(path.join(tmp.path, 'kwt', 'wandb', run), context), [`wandb:kwt/wandb/${run}`]);
    }
    // The fixture has no binary run-<id>.wandb logs (see its README): each run is read from its
    // summary and config alone, which the import says, naming the missing file.
    assert.deepEqual(
      context.sink.diagnostics.map((d) => [d.severity, path.basename(d.file)]),
      RUNS.map((run) => ['warning', `run-${run.slice(run.lastIndexOf('-') + 1)}.wandb`]),
    );
    for (const d of context.sink.diagnostics) assert.match(d.message, /^run-\w+\.wandb is missing: the run was read from .*config\.yaml.* only, so it has no history and its status is unknown/);
    assert.deepEqual([...new Set(context.sink.experiments.map((e) => e.uid))], ['wandb:kwt']);

    RUNS.forEach((run, index) => {
      const files = path.join(FIXTURE, 'wandb', run, 'files');
      const uid = `wandb:kwt/wandb/${run}`;
      const record = context.sink.lastRun(uid);
      assert.ok(record, run);
      assert.equal(record.name, run.slice(run.lastIndexOf('-') + 1));
      assert.equal(record.status, 'FINISHED');
      assert.equal(record.tags[INCOMPLETE_TAG], `run-${run.slice(run.lastIndexOf('-') + 1)}.wandb is missing`);
      assert.equal(record.startTime, STARTED_AT[index]);

      // The one user key of config.yaml, read with a regular expression rather than a YAML parser.
      const notes = /^Notes:\n {2}desc: null\n {2}value: (.*)$/m.exec(readFileSync(path.join(files, 'config.yaml'), 'utf8'));
      assert.ok(notes);
      assert.deepEqual(record.params, { Notes: notes[1] });

      const metadata = JSON.parse(readFileSync(path.join(files, 'wandb-metadata.json'), 'utf8')) as { program: string; git: { commit: string }; host: string; username: string };
      assert.equal(record.gitCommit, metadata.git.commit);
      assert.equal(record.tags['wandb.program'], metadata.program);

      let summary: Record<string, number> = {};
      try {
        summary = JSON.parse(readFileSync(path.join(files, 'wandb-summary.json'), 'utf8')) as Record<string, number>;
      } catch {
        // 2zuxwf70 has no summary: the run stopped before wandb wrote one.
      }
      const userKeys = Object.keys(summary).filter((key) => !key.startsWith('_'));
      const counts = context.sink.pointCounts(uid);
      assert.deepEqual(Object.keys(counts).sort(), [...userKeys].sort());
      for (const key of userKeys) {
        assert.deepEqual(context.sink.points(uid, key), [[summary._step, summary._timestamp * 1000, summary[key]]]);
      }
      assert.equal(record.endTime, summary._timestamp === undefined ? undefined : summary._timestamp * 1000);
    });
    assert.equal(context.sink.batches.reduce((sum, batch) => sum + batch.values.length, 0), 5);

    // Cursor keys are absolute paths of this machine; what the importer took from the files is in their states.
    const emitted = JSON.stringify({ operations: context.sink.operations, states: [...context.cursors.values()] });
    for (const privateValue of ['ip-172-31-3-98', 'ubuntu', '/home/']) assert.ok(!emitted.includes(privateValue), privateValue);
  });
});
