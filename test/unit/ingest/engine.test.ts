import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FsFileFinder, ImportEngine, type Importer } from '../../../src/ingest';
import type { SourceFormat } from '../../../src/ingest/types';
import { Store } from '../../../src/store';
import { storeCounts } from '../../../src/tracking/report';
import { useTempDir } from '../helpers';

/** A minimal importer: every `<dir>/<marker>` file makes `<dir>` a unit holding one run named after the format. */
function fakeImporter(format: SourceFormat, marker: string, behaviour: { throws?: boolean; claims?: boolean } = {}): Importer {
  return {
    format,
    patterns: [`**/${marker}`],
    unitOf: (file) => path.dirname(file),
    async importUnit(unit, context) {
      if (behaviour.throws) throw new Error('importer bug');
      if (behaviour.claims === false) return [];
      const uid = `${format}:${path.relative(context.root, unit)}`;
      context.sink.experiment({ uid: `${format}:exp`, name: format, format, lifecycle: 'active' });
      context.sink.run({ uid, experimentUid: `${format}:exp`, format, status: 'FINISHED', sourcePath: path.relative(context.root, unit), deleted: false, params: {}, tags: {} });
      if (!context.cursor(unit)) {
        // Incremental like a real importer: the point is new only the first time.
        context.sink.metrics({ runUid: uid, key: 'loss', steps: [0], timestamps: [0], values: [1] });
        context.setCursor(unit, { size: 0, mtimeMs: 0, offset: 0, head: '' });
      }
      return [uid];
    },
  };
}

describe('ImportEngine', () => {
  const tmp = useTempDir();

  async function engineFor(importers: Importer[]): Promise<{ store: Store; engine: ImportEngine }> {
    const { store } = await Store.open(undefined);
    return { store, engine: new ImportEngine(store, tmp.path, importers) };
  }

  it('keeps the runs of two formats that read the same folder apart', async () => {
    const run = path.join(tmp.path, 'lightning_logs', 'version_0');
    mkdirSync(run, { recursive: true });
    writeFileSync(path.join(run, 'events.out'), '');
    writeFileSync(path.join(run, 'hparams.yaml'), '');
    const { store, engine } = await engineFor([fakeImporter('tensorboard', 'events.out'), fakeImporter('csv', 'hparams.yaml', { claims: false })]);
    await engine.scan(new FsFileFinder());
    await engine.scan(new FsFileFinder());
    assert.equal(storeCounts(store.db).runs, 1, 'the TensorBoard run survives the CSV importer declining the same folder');
    await store.close();
  });

  it('removes the runs of a unit whose files are gone, and only those', async () => {
    for (const name of ['a', 'b']) {
      mkdirSync(path.join(tmp.path, name), { recursive: true });
      writeFileSync(path.join(tmp.path, name, 'run.marker'), '');
    }
    const { store, engine } = await engineFor([fakeImporter('jsonl', 'run.marker')]);
    await engine.scan(new FsFileFinder());
    assert.equal(storeCounts(store.db).runs, 2);
    rmSync(path.join(tmp.path, 'a'), { recursive: true });
    const summary = await engine.scan(new FsFileFinder());
    assert.equal(summary.runsRemoved, 1);
    assert.equal(storeCounts(store.db).runs, 1);
    assert.equal(storeCounts(store.db).metricPoints, 1);
    await store.close();
  });

  it('turns an importer that throws into a diagnostic and applies nothing of that unit', async () => {
    mkdirSync(path.join(tmp.path, 'x'), { recursive: true });
    writeFileSync(path.join(tmp.path, 'x', 'run.marker'), '');
    const { store, engine } = await engineFor([fakeImporter('jsonl', 'run.marker', { throws: true })]);
    const summary = await engine.scan(new FsFileFinder());
    assert.equal(summary.diagnostics.length, 1);
    assert.match(summary.diagnostics[0].message, /importer bug/);
    assert.equal(storeCounts(store.db).runs, 0);
    await store.close();
  });

  it('stops between units when cancelled, and keeps what it imported', async () => {
    for (let i = 0; i < 5; i++) {
      mkdirSync(path.join(tmp.path, `r${i}`), { recursive: true });
      writeFileSync(path.join(tmp.path, `r${i}`, 'run.marker'), '');
    }
    const controller = new AbortController();
    const { store, engine } = await engineFor([fakeImporter('jsonl', 'run.marker')]);
    const summary = await engine.scan(new FsFileFinder(), {
      signal: controller.signal,
      progress: { report: (done) => (done === 2 ? controller.abort() : undefined) },
    });
    assert.equal(summary.cancelled, true);
    assert.equal(storeCounts(store.db).runs, 2);
    await store.close();
  });

  it('maps a changed file to its units through the watch globs', async () => {
    const { store, engine } = await engineFor([fakeImporter('jsonl', 'run.marker')]);
    assert.deepEqual(engine.unitsOf(path.join(tmp.path, 'deep', 'er', 'run.marker')).map((u) => u.unit), [path.join(tmp.path, 'deep', 'er')]);
    assert.deepEqual(engine.unitsOf(path.join(tmp.path, 'other.txt')), []);
    assert.deepEqual(engine.unitsOf('/somewhere/else/run.marker'), [], 'outside the folder');
    await store.close();
  });
});
