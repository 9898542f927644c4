// The adversarial run of issue 15, re-runnable by hand (not part of `npm test`; each part bounded):
//   npx tsc -p tsconfig.test.json && node out/test/adversarial/run.js [kills-store|kills-ledger|writers|fuzz|all] [--n N]
// Prints one line of figures per part.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readLedger } from '../../src/registry/ledgerFile';
import { project } from '../../src/registry/projection';
import { Store } from '../../src/store';
import { FORMATS } from './mutants';

const part = process.argv[2] ?? 'all';
const nIndex = process.argv.indexOf('--n');
const N = nIndex > 0 ? Number(process.argv[nIndex + 1]) : 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a child and collects its stdout lines. */
function start(script: string, args: string[]): { child: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [path.join(__dirname, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buffer = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
  });
  let errors = '';
  child.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
  child.on('exit', (code) => {
    if (code) process.stderr.write(`${script} ${args.join(' ')} exited ${code}: ${errors.slice(0, 500)}\n`);
  });
  return { child, lines, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

async function killsStore(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ml-adv-store-'));
  const file = path.join(dir, 'store.sqlite');
  let corrupt = 0;
  let lost = 0;
  for (let i = 0; i < N; i++) {
    const run = start(path.join('..', 'unit', 'store', 'crashWriter.js'), [file]);
    // Kill during the save loop: once the store is open, at a random moment.
    for (let waited = 0; !run.lines.some((l) => l.startsWith('opened ')) && waited < 30_000; waited += 20) await sleep(20);
    await sleep(Math.random() * 1500);
    run.child.kill('SIGKILL');
    await run.exited;
    const saved = run.lines.filter((l) => l.startsWith('saved ')).map((l) => Number(l.slice(6)));
    const owed = saved.length ? Math.max(...saved) : 0;
    const { store, report } = await Store.open(file, { owned: false });
    if (report.recovered) corrupt++;
    if (Number(store.getMeta('generation') ?? '0') < owed) lost++;
    await store.close();
  }
  rmSync(dir, { recursive: true, force: true });
  return `store saves: ${N} SIGKILLs, ${corrupt} corrupt stores, ${lost} with a saved generation lost`;
}

async function killsLedger(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ml-adv-ledger-'));
  const file = path.join(dir, 'ledger.jsonl');
  const owed = new Set<string>();
  let tornSeen = 0;
  for (let i = 0; i < N; i++) {
    const run = start('ledgerChild.js', [file, `w${i}`]);
    // Kill while it appends: after its first append has returned, at a random moment.
    for (let waited = 0; !run.lines.some((l) => l.startsWith('appended ')) && waited < 20_000; waited += 20) await sleep(20);
    await sleep(Math.random() * 300);
    run.child.kill('SIGKILL');
    await run.exited;
    for (const l of run.lines) if (l.startsWith('appended ')) owed.add(l.split(' ')[2]);
    const read = await readLedger(file);
    tornSeen += read.problems.filter((p) => p.kind === 'torn').length;
  }
  // One more append repairs a torn tail (and takes over the last child's lock at once: its pid is gone).
  const last = start('ledgerChild.js', [file, 'final', '1']);
  await last.exited;
  const read = await readLedger(file);
  const present = new Set(read.events.map((e) => e.hash));
  const lost = [...owed].filter((h) => !present.has(h)).length;
  const { problems } = project(read.events);
  rmSync(dir, { recursive: true, force: true });
  return `ledger writes: ${N} SIGKILLs, ${read.problems.length + problems.length} problems after the next append (${tornSeen} torn tails seen before it), ${lost} of ${owed.size} acknowledged events lost`;
}

async function writers(count: number, each: number, staleLock: boolean): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ml-adv-writers-'));
  const file = path.join(dir, 'ledger.jsonl');
  if (staleLock) {
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: dead, host: os.hostname(), nonce: 'dead', since: Date.now() }));
  }
  const started = Date.now();
  const runs = Array.from({ length: count }, (_, w) => start('ledgerChild.js', [file, `writer-${w}`, String(each)]));
  const codes = await Promise.all(runs.map((r) => r.exited));
  const seconds = (Date.now() - started) / 1000;
  const read = await readLedger(file);
  const { state, problems } = project(read.events);
  const versions = [...(state.models.get('adversarial')?.versions.keys() ?? [])];
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n').length;
  const given = runs.flatMap((r) => r.lines.filter((l) => l.startsWith('appended ')).map((l) => l.split(' ')[1]));
  const duplicates = given.length - new Set(given).size;
  rmSync(dir, { recursive: true, force: true });
  return `${count} writers × ${each}${staleLock ? ' after a crashed writer\'s lock' : ''}: ${lines} lines, ${count * each - versions.length} lost, ${duplicates} duplicate versions, ${read.problems.length + problems.length} verify problems, exits ${codes.join(',')}, ${seconds.toFixed(1)} s`;
}

async function fuzz(): Promise<string[]> {
  const out: string[] = [];
  const perFormat = Math.max(N, 200);
  for (const format of Object.keys(FORMATS)) {
    let hangs = 0;
    let aborts = 0;
    let done = 0;
    let slowest = 0;
    for (let batch = 0; done < perFormat; batch++) {
      const run = start('fuzzChild.js', [format, String(batch), String(perFormat - done)]);
      let seen = 0;
      let quietSince = Date.now();
      let code: number | null | undefined;
      void run.exited.then((c) => (code = c));
      while (code === undefined) {
        await sleep(100);
        const oks = run.lines.filter((l) => l.startsWith('ok '));
        if (oks.length > seen) {
          seen = oks.length;
          quietSince = Date.now();
        } else if (Date.now() - quietSince > 20_000) {
          hangs++; // one mutant took > 20 s: counted as a hang, skipped
          run.child.kill('SIGKILL');
          await run.exited;
          break;
        }
      }
      const oks = run.lines.filter((l) => l.startsWith('ok ')).map((l) => Number(l.slice(3)));
      slowest = Math.max(slowest, ...oks, 0);
      done += oks.length + (code === undefined ? 1 : 0);
      if (code !== undefined && code !== 0) {
        aborts++;
        done++;
      }
    }
    out.push(`fuzz ${format}: ${perFormat} mutants, ${hangs} hangs (> 20 s), ${aborts} aborts, slowest ${slowest} ms`);
  }
  return out;
}

async function main(): Promise<void> {
  const report = (line: string) => process.stdout.write(line + '\n');
  if (part === 'kills-store' || part === 'all') report(await killsStore());
  if (part === 'kills-ledger' || part === 'all') report(await killsLedger());
  if (part === 'writers' || part === 'all') {
    report(await writers(2, 300, false));
    report(await writers(4, 300, false));
    report(await writers(4, 300, true));
  }
  if (part === 'fuzz' || part === 'all') for (const line of await fuzz()) report(line);
}

void main();
