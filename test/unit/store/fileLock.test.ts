// Locks that cannot be stolen twice (issue 15, item 2).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readLedger } from '../../../src/registry/ledgerFile';
import { project } from '../../../src/registry/projection';
import { acquireFileLock, LockTimeoutError } from '../../../src/store/fileLock';
import { useTempDir } from '../helpers';

/** The pid of a process that has exited: what a crashed writer leaves in its lock. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

function staleLock(lockFile: string, ageMs: number): void {
  writeFileSync(lockFile, JSON.stringify({ pid: deadPid(), host: os.hostname(), nonce: 'dead0000dead0000', since: Date.now() - ageMs }));
  const when = new Date(Date.now() - ageMs);
  utimesSync(lockFile, when, when);
}

describe('file lock', () => {
  const tmp = useTempDir();

  it('takes over the lock of a crashed holder at once (its pid is gone), without waiting for it to age', async () => {
    const lockFile = path.join(tmp.path, 'x.lock');
    staleLock(lockFile, 1_000);
    const started = Date.now();
    const lock = await acquireFileLock(lockFile, { what: 'x', timeoutMs: 5_000, onWait: () => undefined });
    assert.ok(Date.now() - started < 5_000);
    assert.ok(await lock.holds());
    await lock.release();
    assert.equal(existsSync(lockFile), false);
  });

  it('tells a waiter what it waits for after the report delay, and gives up with the holder named', async () => {
    const lockFile = path.join(tmp.path, 'x.lock');
    const first = await acquireFileLock(lockFile, { what: 'the ledger' });
    const told: string[] = [];
    await assert.rejects(acquireFileLock(lockFile, { what: 'the ledger', timeoutMs: 300, reportAfterMs: 100, onWait: (m) => told.push(m) }), (error: unknown) => {
      assert.ok(error instanceof LockTimeoutError);
      assert.match(error.message, new RegExp(`locked by pid ${process.pid} since \\d\\d:\\d\\d:\\d\\d UTC`));
      return true;
    });
    assert.equal(told.length, 1);
    assert.match(told[0], new RegExp(`^the ledger is locked by pid ${process.pid} since \\d\\d:\\d\\d:\\d\\d UTC: waiting`));
    await first.release();
    assert.deepEqual(readdirSync(tmp.path), [], 'no lock or side file left');
  });

  it('hands a lock to one waiter at a time when several find the same stale lock', async () => {
    const lockFile = path.join(tmp.path, 'x.lock');
    staleLock(lockFile, 120_000);
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 5; i++) {
          const lock = await acquireFileLock(lockFile, { what: 'x', onWait: () => undefined });
          inside++;
          most = Math.max(most, inside);
          await new Promise((resolve) => setTimeout(resolve, 1));
          inside--;
          await lock.release();
        }
      }),
    );
    assert.equal(most, 1);
  });

  it('four processes after a crashed writer: every version given once, the ledger verifies', async function () {
    this.timeout(240_000);
    const ledger = path.join(tmp.path, 'ledger.jsonl');
    staleLock(`${ledger}.lock`, 40_000);
    const writers = 4;
    const each = 15;
    await Promise.all(
      Array.from({ length: writers }, (_, w) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, [path.join(__dirname, '..', 'registry', 'ledgerWriter.js'), ledger, `writer-${w}`, String(each)], { stdio: ['ignore', 'ignore', 'pipe'] });
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${w}: ${stderr}`))));
        }),
      ),
    );
    const read = await readLedger(ledger);
    assert.deepEqual(read.problems, []);
    const { state, problems } = project(read.events);
    assert.deepEqual(problems, []);
    assert.deepEqual([...state.models.get('shared-model')!.versions.keys()], Array.from({ length: writers * each }, (_, i) => i + 1));
  });
});
