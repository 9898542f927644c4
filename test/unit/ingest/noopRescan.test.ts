import assert from 'node:assert/strict';
import { appendFileSync, promises as fsp, statSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { ALL_IMPORTERS, FsFileFinder, ImportEngine } from '../../../src/ingest';
import { Store } from '../../../src/store';
import { useTempDir } from '../helpers';
import { copyFixture } from './engineHelpers';

/** Counts the store saves (each is one rename of a temp file over the store) while `work` runs. */
async function countingRenames<T>(work: () => Promise<T>): Promise<{ result: T; renames: string[] }> {
  const renames: string[] = [];
  const original = fsp.rename;
  // A spy, not a stand-in: every rename still happens, through the real function.
  fsp.rename = (from, to) => {
    renames.push(String(to));
    return original(from, to);
  };
  try {
    return { result: await work(), renames };
  } finally {
    fsp.rename = original;
  }
}

describe('a rescan of nothing costs nothing', () => {
  const tmp = useTempDir();

  it('saves the store once per scan however many runs it imports, and a no-op rescan writes no byte', async () => {
    // Two real MLflow stores (one with a model registry): 20+ units, read by import workers.
    copyFixture('mlflow/PacktPublishing__Hyperparameter-Tuning-with-Python', tmp.path);
    copyFixture('mlflow/Rajat-Jamblekar__mlops-iris', tmp.path);
    const storeFile = path.join(tmp.path, 'store.sqlite');
    const { store } = await Store.open(storeFile, { saveDelayMs: 0 });
    const engine = new ImportEngine(store, tmp.path, ALL_IMPORTERS);
    const first = await countingRenames(async () => {
      const summary = await engine.scan(new FsFileFinder());
      await store.save();
      return summary;
    });
    assert.ok(first.result.unitsImported >= 20, `units: ${first.result.unitsImported}`);
    assert.equal(first.renames.length, 1, 'one save for the whole first scan, not one per unit');
    const before = statSync(storeFile);

    const again = await countingRenames(() => engine.scan(new FsFileFinder()));
    assert.equal(again.result.changed, false);
    assert.equal(again.result.unitsImported, first.result.unitsImported);
    assert.equal(store.hasUnsavedChanges, false, 'nothing to save');
    await store.close();
    assert.deepEqual(again.renames, [], 'no save');
    const after = statSync(storeFile);
    assert.equal(after.ino, before.ino, 'the store file was not replaced');
    assert.equal(after.mtimeMs, before.mtimeMs, 'the store file was not written');
  });

  it('the CLI scan writes nothing on a rescan, and saves once when one metric file grew', async () => {
    const root = copyFixture('mlflow/PacktPublishing__Hyperparameter-Tuning-with-Python', tmp.path);
    const storeFile = path.join(tmp.path, 'cli.sqlite');
    const io = { stdout: (t: string) => outputs.push(t), stderr: () => undefined, cwd: root, env: {} };
    const outputs: string[] = [];
    assert.equal(await runCli(['scan', root, '--store', storeFile, '--json'], io), 0);
    const firstCounts = JSON.parse(outputs[0]) as { runs: number; metricPoints: number };
    const before = statSync(storeFile);

    const rescan = await countingRenames(() => runCli(['scan', root, '--store', storeFile, '--json'], io));
    assert.equal(rescan.result, 0);
    assert.deepEqual(rescan.renames, [], 'a no-op rescan renames nothing over the store');
    assert.equal(statSync(storeFile).mtimeMs, before.mtimeMs);
    const secondCounts = JSON.parse(outputs[1]) as { runs: number; metricPoints: number };
    assert.equal(secondCounts.runs, firstCounts.runs);
    assert.equal(secondCounts.metricPoints, firstCounts.metricPoints);

    // One appended point (MLflow's line format) in the store's one live run: exactly one save, and the point is there.
    appendFileSync(path.join(root, 'mlruns', '6', 'a3112407148b4966b929bc9f8784a3d3', 'metrics', 'foo'), '1700000000000 0.5 999\n');
    const grown = await countingRenames(() => runCli(['scan', root, '--store', storeFile, '--json'], io));
    assert.equal(grown.renames.length, 1, 'one save');
    assert.equal((JSON.parse(outputs[2]) as { metricPoints: number }).metricPoints, firstCounts.metricPoints + 1);
  });
});
