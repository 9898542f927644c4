// The store is moved aside only when it is recognisably ours; other files are refused untouched;
// two writers serialise (issue 15, item 3).
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import initSqlJs from 'sql.js';
import { runCli } from '../../../src/cli/main';
import { NotAStoreError, Store, STORE_APPLICATION_ID } from '../../../src/store';
import { fixturePath } from '../../fixturePath';
import { useTempDir } from '../helpers';

async function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} });
  return { code, stdout, stderr };
}

describe('store ownership and lock', () => {
  const tmp = useTempDir();

  it('refuses a ledger, an MLflow database or an empty file given as --store: exit 2, file untouched', async () => {
    const ledger = path.join(tmp.path, 'ledger.jsonl');
    writeFileSync(ledger, '{"v":1}\n');
    const mlflow = path.join(tmp.path, 'mlflow.db');
    copyFileSync(fixturePath('mlflow', 'mlflow-2.12-generated', 'mlflow.db'), mlflow);
    const empty = path.join(tmp.path, 'empty.sqlite');
    writeFileSync(empty, '');
    for (const file of [ledger, mlflow, empty]) {
      const before = readFileSync(file);
      const result = await cli(['runs', '--store', file], tmp.path);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /is not a Model Ledger store .*left untouched/);
      assert.deepEqual(readFileSync(file), before);
    }
    assert.deepEqual(readdirSync(tmp.path).sort(), ['empty.sqlite', 'ledger.jsonl', 'mlflow.db']);
  });

  it('marks its stores with an application id and recognises them (and older ones by their tables) when named', async () => {
    const file = path.join(tmp.path, 'store.sqlite');
    const { store } = await Store.open(file);
    await store.close();
    assert.equal(readFileSync(file).readUInt32BE(68), STORE_APPLICATION_ID);
    // An older store: the same tables, no application id.
    const SQL = await initSqlJs();
    const old = new SQL.Database(readFileSync(file));
    old.exec('PRAGMA application_id = 0');
    writeFileSync(file, old.export());
    old.close();
    assert.equal(readFileSync(file).readUInt32BE(68), 0);
    const reopened = await Store.open(file, { owned: false });
    assert.equal(reopened.report.recovered, undefined);
    await reopened.store.close();
  });

  it('moves aside a named store only when its header says it is ours', async () => {
    const file = path.join(tmp.path, 'store.sqlite');
    const { store } = await Store.open(file);
    await store.close();
    const bytes = readFileSync(file);
    bytes.fill(0xab, 100); // ours by header, unreadable after it
    writeFileSync(file, bytes);
    const opened = await Store.open(file, { owned: false });
    assert.ok(opened.report.recovered);
    await opened.store.close();
    const foreign = Buffer.from(bytes);
    foreign.writeUInt32BE(0x12345678, 68);
    writeFileSync(file, foreign);
    await assert.rejects(Store.open(file, { owned: false }), NotAStoreError);
    assert.deepEqual(readFileSync(file), foreign);
  });

  it('serialises two writers of one store: the second opens after the first closes and sees its rows', async () => {
    const file = path.join(tmp.path, 'store.sqlite');
    const told: string[] = [];
    const first = await Store.open(file, { lock: {} });
    const secondOpening = Store.open(file, { lock: { onWait: (m) => told.push(m) } });
    first.store.db.run("INSERT INTO meta(key, value) VALUES ('a', '1')");
    first.store.changed();
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    await first.store.close();
    const second = await secondOpening;
    assert.equal(second.store.getMeta('a'), '1', 'the second writer read the first one\'s save');
    second.store.setMeta('b', '2');
    await second.store.close();
    const third = await Store.open(file, { lock: {} });
    assert.deepEqual([third.store.getMeta('a'), third.store.getMeta('b')], ['1', '2']);
    await third.store.close();
    assert.equal(told.length, 1);
    assert.match(told[0], /the store .* is locked by pid \d+ since .*: waiting/);
  });
});
