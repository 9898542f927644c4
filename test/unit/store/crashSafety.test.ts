import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadSqlJs } from '../../../src/store';
import { useTempDir } from '../helpers';

const KILLS = 60;

/**
 * Starts the writer and lets it save twice to learn how long one save cycle takes, then kills it
 * with SIGKILL at `fraction` of a cycle after a save: a uniform spread over transaction, export,
 * write, fsync and rename. Returns the last generation the writer confirmed.
 */
function runAndKill(file: string, fraction: number): Promise<{ confirmed: number; opened: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'crashWriter.js'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let confirmed = -1;
    let opened = -1;
    let buffered = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const savedAt: number[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const [word, n] = line.split(' ');
        if (word === 'opened') {
          opened = Number(n);
          confirmed = opened;
        } else if (word === 'saved') {
          confirmed = Number(n);
          savedAt.push(performance.now());
          if (savedAt.length === 2) {
            const cycle = savedAt[1] - savedAt[0];
            timer = setTimeout(() => child.kill('SIGKILL'), fraction * cycle);
          }
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`writer exited on its own (${signal ?? code}): ${stderr}`));
      } else {
        resolve({ confirmed, opened });
      }
    });
  });
}

describe('store crash safety', function () {
  this.timeout(300_000);
  const tmp = useTempDir();

  it(`is always the previous or the new version after ${KILLS} kills at random points of a save`, async () => {
    const SQL = await loadSqlJs();
    const file = path.join(tmp.path, 'store.sqlite');
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let previous = 0;
    const outcomes = new Set<string>();
    for (let kill = 0; kill < KILLS; kill++) {
      const { confirmed, opened } = await runAndKill(file, random());
      if (opened >= 0) {
        assert.equal(opened, previous, `kill ${kill}: the writer opened the last saved generation`);
      }
      // Read the file directly (not through Store.open, which would repair it).
      const bytes = readFileSync(file);
      const db = new SQL.Database(bytes);
      assert.equal(db.exec('PRAGMA integrity_check')[0].values[0][0], 'ok', `kill ${kill}: integrity`);
      const generation = Number(db.exec("SELECT value FROM meta WHERE key = 'generation'")[0]?.values[0][0] ?? 0);
      const points = Number(db.exec('SELECT coalesce(sum(point_count), 0) FROM metric_series')[0].values[0][0]);
      db.close();
      // The killed save either landed whole (confirmed + 1) or not at all (confirmed).
      assert.ok(generation === confirmed || generation === confirmed + 1, `kill ${kill}: generation ${generation}, confirmed ${confirmed}`);
      assert.equal(points, generation * 20_000, `kill ${kill}: the points of exactly ${generation} generations`);
      outcomes.add(generation === confirmed ? 'old' : 'new');
      previous = generation;
    }
    // A kill between opening the temp file and the rename leaves the temp file behind: proof that
    // kills did land in the middle of saves, not only between them.
    const interrupted = readdirSync(tmp.path).filter((name) => name.startsWith('store.sqlite.tmp-')).length;
    assert.ok(interrupted >= 3, `only ${interrupted} kills interrupted a write`);
    assert.ok(previous > 0, 'some saves happened');
    assert.ok(outcomes.has('old'));
  });
});
