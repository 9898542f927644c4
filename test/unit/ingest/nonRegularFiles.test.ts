// FIFOs and symlinks to them, named like run files, are skipped with a diagnostic instead of blocking
// the scan forever (issue 15, item 5). Each placement is one the adversarial run saw hang.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ALL_IMPORTERS } from '../../../src/ingest';
import { readRegularFile } from '../../../src/ingest/regularFile';
import { useTempDir } from '../helpers';
import { scanWith } from './engineHelpers';

const PLACEMENTS = [
  'logs/train.mlrun.jsonl',
  'mlruns/1/meta.yaml',
  'mlflow.db',
  'tb/events.out.tfevents.1700000000.host',
  'dvclive/metrics.json',
  'wandb/run-20240101_000000-abc/run-abc.wandb',
];

function mkfifo(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  execFileSync('mkfifo', [file]);
}

describe('non-regular files in a workspace', function () {
  if (process.platform === 'win32') return;
  const tmp = useTempDir();

  it('readRegularFile refuses a FIFO at once, naming it', async () => {
    const fifo = path.join(tmp.path, 'x.fifo');
    mkfifo(fifo);
    await assert.rejects(readRegularFile(fifo), /not a regular file \(a FIFO\)/);
  });

  for (const [how, place] of [
    ['a FIFO', (file: string) => mkfifo(file)],
    ['a symlink to a FIFO', (file: string) => {
      const fifo = path.join(path.dirname(file), `target-${path.basename(file)}.fifo`);
      mkfifo(fifo);
      symlinkSync(fifo, file);
    }],
  ] as const) {
    it(`a scan over ${how} in each run-file place ends, with a diagnostic per place`, async function () {
      this.timeout(60_000);
      for (const relative of PLACEMENTS) {
        const file = path.join(tmp.path, relative);
        mkdirSync(path.dirname(file), { recursive: true });
        place(file);
      }
      // A real run beside them still imports.
      writeFileSync(path.join(tmp.path, 'logs', 'ok.mlrun.jsonl'), '{"type":"run","run_id":"ok","name":"ok","start_time":1700000000000}\n');
      const scanned = await scanWith(tmp.path, ALL_IMPORTERS);
      const flagged = scanned.summary.diagnostics.filter((d) => /not a regular file \(a FIFO\)/.test(d.message)).map((d) => path.relative(tmp.path, d.file));
      for (const relative of PLACEMENTS.filter((p) => p !== 'mlruns/1/meta.yaml')) {
        assert.ok(flagged.some((f) => f === relative || f.startsWith(path.dirname(relative))), `${relative}: ${JSON.stringify(scanned.summary.diagnostics)}`);
      }
      await scanned.store.close();
    });
  }
});
