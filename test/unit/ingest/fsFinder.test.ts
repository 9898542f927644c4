import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FsFileFinder } from '../../../src/ingest';
import { mlflowFileStoreImporter } from '../../../src/ingest/mlflow/fileStore';
import { useTempDir } from '../helpers';
import { scanWith } from './engineHelpers';

describe('discovery and vanishing files', () => {
  const tmp = useTempDir();

  it('terminates on a symbolic-link loop and skips node_modules and .git', async () => {
    mkdirSync(path.join(tmp.path, 'a', 'mlruns', '0'), { recursive: true });
    writeFileSync(path.join(tmp.path, 'a', 'mlruns', '0', 'meta.yaml'), 'name: x\n');
    symlinkSync(tmp.path, path.join(tmp.path, 'a', 'loop'));
    mkdirSync(path.join(tmp.path, 'node_modules', 'mlruns', '0'), { recursive: true });
    writeFileSync(path.join(tmp.path, 'node_modules', 'mlruns', '0', 'meta.yaml'), 'name: y\n');
    const found = await new FsFileFinder().find(tmp.path, ['**/mlruns/*/meta.yaml']);
    assert.deepEqual(found, [path.join(tmp.path, 'a', 'mlruns', '0', 'meta.yaml')]);
  });

  it('a metric entry that points nowhere (a file gone after the folder was listed) is skipped; the rest is imported', async () => {
    const run = path.join(tmp.path, 'mlruns', '1', 'r1');
    mkdirSync(path.join(run, 'metrics'), { recursive: true });
    writeFileSync(path.join(tmp.path, 'mlruns', '1', 'meta.yaml'), "experiment_id: '1'\nlifecycle_stage: active\nname: e\n");
    writeFileSync(path.join(run, 'meta.yaml'), 'run_id: r1\nstatus: 3\nlifecycle_stage: active\nstart_time: 1\n');
    writeFileSync(path.join(run, 'metrics', 'kept'), '1 1 0\n');
    // A dangling symlink behaves like a file deleted after the folder was listed.
    symlinkSync(path.join(run, 'metrics', 'gone-already'), path.join(run, 'metrics', 'vanished'));
    const scanned = await scanWith(tmp.path, [mlflowFileStoreImporter]);
    assert.equal(scanned.counts.metricPoints, 1);
    assert.equal(scanned.counts.runs, 1);
    rmSync(path.join(run, 'metrics', 'vanished'));
    await scanned.store.close();
  });
});

describe('readNewBytes', () => {
  const tmp = useTempDir();

  it('throws the fs error of a file deleted before reading (importers turn it into a diagnostic)', async () => {
    const { readNewBytes } = await import('../../../src/ingest/tail');
    await assert.rejects(readNewBytes(path.join(tmp.path, 'gone'), undefined), /ENOENT/);
  });

  it('re-reads from the start a file replaced by a shorter one, and reads nothing when unchanged', async () => {
    const { readNewBytes } = await import('../../../src/ingest/tail');
    const file = path.join(tmp.path, 'f');
    writeFileSync(file, 'first line\nsecond line\n');
    const first = (await readNewBytes(file, undefined))!;
    const cursor = { size: first.size, mtimeMs: first.mtimeMs, offset: first.bytes.length, head: first.head };
    assert.equal(await readNewBytes(file, cursor), undefined);
    writeFileSync(file, 'other\n');
    const again = (await readNewBytes(file, cursor))!;
    assert.equal(again.restarted, true);
    assert.equal(again.bytes.toString(), 'other\n');
  });
});
