import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LATEST_SCHEMA_VERSION, loadSqlJs, migrate, MIGRATIONS, Store, StoreTooNewError } from '../../../src/store';
import { useTempDir } from '../helpers';

describe('Store', () => {
  const tmp = useTempDir();
  const file = () => path.join(tmp.path, 'store.sqlite');

  it('creates a new store at the latest schema version and saves it', async () => {
    const { store, report } = await Store.open(file());
    assert.equal(report.created, true);
    assert.equal(store.schemaVersion, LATEST_SCHEMA_VERSION);
    await store.close();
    assert.equal(readFileSync(file()).subarray(0, 15).toString('latin1'), 'SQLite format 3');
  });

  it('keeps what was saved across a reopen', async () => {
    const first = await Store.open(file());
    first.store.setMeta('greeting', 'héllo <b>world</b>');
    await first.store.close();
    const second = await Store.open(file());
    assert.equal(second.report.created, false);
    assert.equal(second.store.getMeta('greeting'), 'héllo <b>world</b>');
    await second.store.close();
  });

  it('migrates a store written at an older schema version and keeps its data', async () => {
    const SQL = await loadSqlJs();
    const old = new SQL.Database();
    migrate(old, 1);
    old.run("INSERT INTO experiments(uid, name, format) VALUES ('mlflow-file:0', 'Default', 'mlflow-file')");
    writeFileSync(file(), old.export());
    old.close();
    assert.ok(MIGRATIONS.length >= 2, 'this test needs at least two migrations');

    const { store, report } = await Store.open(file());
    assert.equal(report.migratedFrom, 1);
    assert.equal(store.schemaVersion, LATEST_SCHEMA_VERSION);
    assert.equal(store.count('experiments'), 1);
    assert.equal(store.count('models'), 0); // a table of migration 2 exists
    await store.close();
    // The migrated version was saved.
    const reopened = await Store.open(file());
    assert.equal(reopened.report.migratedFrom, undefined);
    await reopened.store.close();
  });

  it('refuses a store from a newer version and leaves the file untouched', async () => {
    const SQL = await loadSqlJs();
    const newer = new SQL.Database();
    migrate(newer);
    newer.exec(`PRAGMA user_version = ${LATEST_SCHEMA_VERSION + 7}`);
    const bytes = newer.export();
    newer.close();
    writeFileSync(file(), bytes);
    await assert.rejects(Store.open(file()), (error: unknown) => {
      assert.ok(error instanceof StoreTooNewError);
      assert.match(error.message, new RegExp(`schema version ${LATEST_SCHEMA_VERSION + 7}`));
      return true;
    });
    assert.deepEqual(readFileSync(file()), Buffer.from(bytes));
    assert.deepEqual(readdirSync(tmp.path), ['store.sqlite']);
  });

  for (const [what, bytes] of [
    ['random bytes', Buffer.from('this is not a database at all, just text\n'.repeat(200))],
    ['an empty file', Buffer.alloc(0)],
    ['binary junk after a valid header', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(8192, 0xab)])],
  ] as const) {
    it(`moves aside ${what}, keeps it, and builds a fresh store`, async () => {
      writeFileSync(file(), bytes);
      const { store, report } = await Store.open(file(), { now: () => new Date('2026-11-23T10:00:00.123Z') });
      assert.ok(report.recovered, 'a recovery was reported');
      assert.equal(report.recovered.movedTo, `${file()}.corrupt-2026-11-23T10-00-00-123Z`);
      assert.deepEqual(readFileSync(report.recovered.movedTo), bytes);
      assert.equal(store.schemaVersion, LATEST_SCHEMA_VERSION);
      await store.close();
      assert.equal((await Store.open(file())).report.recovered, undefined);
    });
  }

  it('recovers from a real store file cut in half', async () => {
    const { store } = await Store.open(file());
    for (let i = 0; i < 2000; i++) store.db.run('INSERT INTO meta(key, value) VALUES (?, ?)', [`k${i}`, 'x'.repeat(200)]);
    await store.close();
    const whole = readFileSync(file());
    writeFileSync(file(), whole.subarray(0, Math.floor(whole.length / 2)));
    const reopened = await Store.open(file());
    assert.ok(reopened.report.recovered);
    assert.equal(reopened.store.count('meta'), 0);
    await reopened.store.close();
  });

  it('debounces saves: many changes, one write after the delay', async () => {
    const { store } = await Store.open(file(), { saveDelayMs: 80 });
    const before = readFileSync(file());
    for (let i = 0; i < 20; i++) store.setMeta(`k${i}`, String(i));
    assert.equal(store.hasUnsavedChanges, true);
    assert.deepEqual(readFileSync(file()), before, 'nothing written synchronously');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(store.hasUnsavedChanges, false);
    const again = await Store.open(file());
    assert.equal(again.store.getMeta('k19'), '19');
    await again.store.close();
    await store.close();
  });

  it('leaves no temporary files behind and keeps foreign keys on after a save', async () => {
    const { store } = await Store.open(file());
    await store.save();
    const fk = store.db.exec('PRAGMA foreign_keys')[0].values[0][0];
    assert.equal(fk, 1);
    await store.close();
    assert.deepEqual(readdirSync(tmp.path), ['store.sqlite']);
  });

  it('removes stale temp files a crashed writer left, and only stale ones', async () => {
    const stale = `${file()}.tmp-999-dead`;
    writeFileSync(stale, 'partial');
    const old = new Date(Date.now() - 3_600_000);
    const { utimesSync } = await import('node:fs');
    utimesSync(stale, old, old);
    const fresh = `${file()}.tmp-998-live`;
    writeFileSync(fresh, 'in progress');
    const { store } = await Store.open(file());
    await store.close();
    assert.equal(existsSync(stale), false);
    assert.equal(existsSync(fresh), true);
  });

  it('keeps an in-memory store out of the file system', async () => {
    const { store } = await Store.open(undefined);
    store.setMeta('a', 'b');
    await store.save();
    await store.close();
    assert.deepEqual(readdirSync(tmp.path), []);
  });
});
