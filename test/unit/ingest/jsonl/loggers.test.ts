import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jsonlImporter } from '../../../../src/ingest/jsonl';
import { useTempDir } from '../../helpers';
import { lastJsonLine, runScript, startScript, waitFor, waitForLine, type Language } from './processes';
import { JS_LOGGER_FILE, makeContext, RecordingSink } from './recordingSink';

const N = 137;

/** Metric lines a reader can see, counted with a plain JSON.parse per complete line. */
function countCompleteMetricPoints(file: string): Map<string, number> {
  const text = readFileSync(file, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  const counts = new Map<string, number>();
  for (const line of complete.split('\n')) {
    if (line === '') continue;
    let record: { type?: string; values?: Record<string, unknown> };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      continue;
    }
    if (record.type !== 'metrics' || !record.values) continue;
    for (const key of Object.keys(record.values)) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

async function importFile(root: string, file: string, sink = new RecordingSink(), context = makeContext(root, sink)) {
  const uids = await jsonlImporter.importUnit(file, context);
  return { sink, context, uids, uid: `jsonl:${path.relative(root, file).split(path.sep).join('/')}` };
}

function requireLogger(language: Language): string {
  return language === 'python' ? 'import json, math, os, sys\nimport model_ledger\n' : `const ml = require(${JSON.stringify(JS_LOGGER_FILE)});\n`;
}

const FULL_RUN: Record<Language, string> = {
  python: `
N = ${N}
counts = {"loss": 0, "acc": 0, "val/loss": 0, "grad_norm": 0}
run = model_ledger.start_run(name="sweep-1", experiment="mnist", dir="runs")
run.log_params({"lr": 1e-08, "batch_size": 64, "layers": [64, 32], "use_bn": True})
run.log_param("optimizer", "adam")
run.set_tags({"dataset": "mnist-v2"})
for step in range(N):
    run.log(step=step, loss=1.0 / (step + 1), acc=step / N)
    counts["loss"] += 1
    counts["acc"] += 1
    if step % 10 == 0:
        run.log_metrics({"val/loss": 2.0 / (step + 1)}, step=step)
        counts["val/loss"] += 1
for offset, value in enumerate([float("nan"), float("inf"), float("-inf")]):
    run.log(step=N + offset, grad_norm=value)
    counts["grad_norm"] += 1
run.finish()
print(json.dumps({"path": run.path, "runId": run.run_id, "counts": counts}))
`,
  node: `
const N = ${N};
const counts = { loss: 0, acc: 0, 'val/loss': 0, grad_norm: 0 };
const run = ml.startRun({ name: 'sweep-1', experiment: 'mnist', dir: 'runs' });
run.logParams({ lr: 1e-8, batch_size: 64, layers: [64, 32], use_bn: true });
run.logParam('optimizer', 'adam');
run.setTags({ dataset: 'mnist-v2' });
for (let step = 0; step < N; step++) {
  run.log(step, { loss: 1 / (step + 1), acc: step / N });
  counts.loss++;
  counts.acc++;
  if (step % 10 === 0) {
    run.log(step, { 'val/loss': 2 / (step + 1) });
    counts['val/loss']++;
  }
}
[NaN, Infinity, -Infinity].forEach((value, offset) => { run.log(N + offset, { grad_norm: value }); counts.grad_norm++; });
run.finish();
console.log(JSON.stringify({ path: run.path, runId: run.runId, counts }));
`,
};

/** How each language renders {lr: 1e-8, batch_size: 64, layers: [64, 32], use_bn: true} as text. */
const EXPECTED_PARAMS: Record<Language, Record<string, string>> = {
  python: { lr: '1e-08', batch_size: '64', layers: '[64, 32]', use_bn: 'True', optimizer: 'adam' },
  node: { lr: '1e-8', batch_size: '64', layers: '[64,32]', use_bn: 'true', optimizer: 'adam' },
};

const KILLED_MID_RUN: Record<Language, string> = {
  python: `
import time
run = model_ledger.start_run(name="doomed", experiment="crash")
run.log_params({"p": "x" * 300})
step = 0
while True:
    run.log(step=step, loss=1.0 / (step + 1), note_long_key_to_make_lines_longer_and_the_kill_land_mid_write=step * 0.5)
    step += 1
    print("logged %d" % step, flush=True)
    time.sleep(0.0005)
`,
  node: `
const run = ml.startRun({ name: 'doomed', experiment: 'crash' });
run.logParams({ p: 'x'.repeat(300) });
let step = 0;
const tick = () => {
  run.log(step, { loss: 1 / (step + 1), note_long_key_to_make_lines_longer_and_the_kill_land_mid_write: step * 0.5 });
  step++;
  process.stdout.write('logged ' + step + '\\n');
  setTimeout(tick, 0);
};
tick();
`,
};

interface ExitCase {
  readonly title: string;
  readonly source: string;
  readonly status: string;
  readonly error?: string;
}

const EXIT_CASES: Record<Language, ExitCase[]> = {
  python: [
    { title: 'an uncaught exception', source: 'run = model_ledger.start_run(name="r", dir="runs")\nrun.log(step=0, x=1)\nraise ValueError("diverged")\n', status: 'FAILED', error: 'ValueError: diverged' },
    { title: 'a normal end without finish()', source: 'run = model_ledger.start_run(name="r", dir="runs")\nrun.log(step=0, x=1)\n', status: 'FINISHED' },
    { title: 'an exception in a with block', source: 'try:\n    with model_ledger.start_run(name="r", dir="runs") as run:\n        run.log(step=0, x=1)\n        raise RuntimeError("boom")\nexcept RuntimeError:\n    pass\n', status: 'FAILED', error: 'RuntimeError: boom' },
    { title: 'KeyboardInterrupt', source: 'run = model_ledger.start_run(name="r", dir="runs")\nrun.log(step=0, x=1)\nraise KeyboardInterrupt()\n', status: 'KILLED', error: 'KeyboardInterrupt' },
    { title: 'sys.exit(3) in a with block', source: 'with model_ledger.start_run(name="r", dir="runs") as run:\n    run.log(step=0, x=1)\n    sys.exit(3)\n', status: 'FAILED', error: 'SystemExit: 3' },
    { title: 'the exit hook turned off', source: 'run = model_ledger.start_run(name="r", dir="runs", exit_hook=False)\nrun.log(step=0, x=1)\n', status: 'RUNNING' },
    { title: 'finish("KILLED")', source: 'run = model_ledger.start_run(name="r", dir="runs")\nrun.finish("KILLED")\n', status: 'KILLED' },
  ],
  node: [
    { title: 'an uncaught exception', source: "const run = ml.startRun({ name: 'r', dir: 'runs' });\nrun.log(0, { x: 1 });\nthrow new Error('diverged');\n", status: 'FAILED', error: 'process exited with code 1' },
    { title: 'a normal end without finish()', source: "const run = ml.startRun({ name: 'r', dir: 'runs' });\nrun.log(0, { x: 1 });\n", status: 'FINISHED' },
    { title: 'process.exit(3)', source: "const run = ml.startRun({ name: 'r', dir: 'runs' });\nrun.log(0, { x: 1 });\nprocess.exit(3);\n", status: 'FAILED', error: 'process exited with code 3' },
    { title: 'withRun rejecting', source: "ml.withRun({ name: 'r', dir: 'runs' }, async (run) => { run.log(0, { x: 1 }); throw new RangeError('boom'); }).catch(() => {});\n", status: 'FAILED', error: 'RangeError: boom' },
    { title: 'the exit hook turned off', source: "const run = ml.startRun({ name: 'r', dir: 'runs', exitHook: false });\nrun.log(0, { x: 1 });\n", status: 'RUNNING' },
    { title: "finish('KILLED')", source: "const run = ml.startRun({ name: 'r', dir: 'runs' });\nrun.finish('KILLED');\n", status: 'KILLED' },
  ],
};

function onlyRunFile(dir: string): string {
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.mlrun.jsonl')) found.push(full);
    }
  };
  walk(dir);
  assert.equal(found.length, 1, `expected one run file, found ${found.join(', ')}`);
  return found[0];
}

for (const language of ['python', 'node'] as const) {
  describe(`jsonl: the ${language} logger, read back by the importer`, function () {
    this.timeout(60000);
    const temp = useTempDir();

    it('writes a run whose counts, values, params, tags and attributes all arrive', async () => {
      const before = Date.now();
      const finished = await runScript(language, temp.path, requireLogger(language) + FULL_RUN[language]);
      const after = Date.now();
      assert.equal(finished.code, 0, finished.stderr);
      const reported = lastJsonLine<{ path: string; runId: string; counts: Record<string, number> }>(finished);
      const file = path.resolve(temp.path, reported.path);
      assert.match(path.relative(temp.path, file).split(path.sep).join('/'), /^runs\/mnist\/sweep-1-[0-9a-f]{8}\.mlrun\.jsonl$/);

      const { sink, uids, uid } = await importFile(temp.path, file);
      assert.deepEqual(uids, [uid]);
      assert.deepEqual(sink.diagnostics, []);
      // The script's own loop counters, and the counts this test derives from N on its own.
      assert.deepEqual(reported.counts, { loss: N, acc: N, 'val/loss': Math.ceil(N / 10), grad_norm: 3 });
      for (const [key, count] of Object.entries(reported.counts)) assert.equal(sink.points(uid, key).length, count, key);
      assert.deepEqual(sink.keys(uid), ['acc', 'grad_norm', 'loss', 'val/loss']);

      const loss = sink.points(uid, 'loss');
      assert.deepEqual(loss.map((p) => p.step), Array.from({ length: N }, (_, step) => step));
      assert.deepEqual(loss.map((p) => p.value), Array.from({ length: N }, (_, step) => 1 / (step + 1)));
      assert.deepEqual(sink.points(uid, 'acc').map((p) => p.value), Array.from({ length: N }, (_, step) => step / N));
      assert.deepEqual(sink.points(uid, 'val/loss').map((p) => p.step), Array.from({ length: Math.ceil(N / 10) }, (_, i) => i * 10));
      assert.deepEqual(sink.points(uid, 'grad_norm').map((p) => [p.step, p.value]), [[N, NaN], [N + 1, Infinity], [N + 2, -Infinity]]);
      for (const point of loss) assert.ok(point.timestamp >= before - 1000 && point.timestamp <= after + 1000, `timestamp ${point.timestamp}`);

      const run = sink.runs.get(uid)!;
      assert.equal(run.status, 'FINISHED');
      assert.equal(run.name, 'sweep-1');
      assert.equal(run.externalId, reported.runId);
      assert.match(reported.runId, /^[0-9a-f]{32}$/);
      assert.equal(run.experimentUid, 'jsonl:mnist');
      assert.equal(sink.experiments.get('jsonl:mnist')?.name, 'mnist');
      assert.equal(run.sourcePath, path.relative(temp.path, file).split(path.sep).join('/'));
      assert.equal(run.user, os.userInfo().username);
      assert.equal(run.gitCommit, undefined, 'no repository around the temp folder');
      assert.ok(run.startTime! >= before - 1000 && run.endTime! >= run.startTime! && run.endTime! <= after + 1000);
      assert.deepEqual(run.params, EXPECTED_PARAMS[language]);
      assert.deepEqual(run.tags, { dataset: 'mnist-v2' });
      const header = readFileSync(file, 'utf8').split('\n')[0];
      assert.doesNotMatch(header, /@|hostname|"host"/, 'no e-mail or host in the header');
      // A replaced file is told from an appended one by its first 64 bytes: the run id must be in them.
      assert.ok(readFileSync(file).subarray(0, 64).toString('utf8').includes(reported.runId));
    });

    it('leaves a readable RUNNING run when the process is killed with SIGKILL mid-run', async () => {
      const child = startScript(language, temp.path, requireLogger(language) + KILLED_MID_RUN[language]);
      const done = waitFor(child);
      const line = await waitForLine(child, (text) => text === 'logged 300');
      assert.equal(line, 'logged 300');
      child.kill('SIGKILL');
      const finished = await done;
      assert.equal(finished.signal, 'SIGKILL');

      const file = onlyRunFile(temp.path);
      const expected = countCompleteMetricPoints(file);
      const { sink, uid } = await importFile(temp.path, file);
      const run = sink.runs.get(uid)!;
      assert.equal(run.status, 'RUNNING');
      assert.equal(run.endTime, undefined);
      assert.equal(run.params.p, 'x'.repeat(300));
      assert.ok(expected.get('loss')! >= 300, `at least the 300 confirmed points: ${expected.get('loss')}`);
      assert.equal(sink.points(uid, 'loss').length, expected.get('loss'));
      assert.equal(sink.points(uid, 'note_long_key_to_make_lines_longer_and_the_kill_land_mid_write').length, expected.get('loss'));
      assert.deepEqual(sink.diagnostics, [], 'an unterminated last line is not an error');
    });

    for (const exitCase of EXIT_CASES[language]) {
      it(`records ${exitCase.status} after ${exitCase.title}`, async () => {
        const finished = await runScript(language, temp.path, requireLogger(language) + exitCase.source);
        // Python ends an uncaught KeyboardInterrupt by re-raising SIGINT, after its exit handlers ran.
        assert.ok(finished.signal === null || (exitCase.status === 'KILLED' && finished.signal === 'SIGINT'), String(finished.signal));
        const { sink, uid } = await importFile(temp.path, onlyRunFile(temp.path));
        const run = sink.runs.get(uid)!;
        assert.equal(run.status, exitCase.status, finished.stderr);
        assert.equal(run.tags['model_ledger.error'], exitCase.error);
        assert.equal(run.endTime === undefined, exitCase.status === 'RUNNING');
      });
    }

    it('resumes a run whose last line a crash cut in half: that line is reported, the rest imported', async () => {
      const first = await runScript(language, temp.path, requireLogger(language) + (language === 'python'
        ? 'run = model_ledger.start_run(name="r", path="run.mlrun.jsonl", exit_hook=False)\nfor step in range(20):\n    run.log(step=step, loss=step * 0.25)\n'
        : "const run = ml.startRun({ name: 'r', path: 'run.mlrun.jsonl', exitHook: false });\nfor (let step = 0; step < 20; step++) run.log(step, { loss: step * 0.25 });\n"));
      assert.equal(first.code, 0, first.stderr);
      const file = path.join(temp.path, 'run.mlrun.jsonl');
      const original = readFileSync(file, 'utf8');
      const lineCount = original.split('\n').length - 1; // header + 20 metric lines
      assert.equal(lineCount, 21);
      truncateSync(file, Buffer.byteLength(original) - 12); // the crash: half of the last record

      const sink = new RecordingSink();
      const context = makeContext(temp.path, sink);
      await importFile(temp.path, file, sink, context);
      const uid = 'jsonl:run.mlrun.jsonl';
      assert.equal(sink.points(uid, 'loss').length, 19);
      assert.equal(sink.diagnostics.length, 0, 'an unterminated last line waits for its end');

      const resumed = await runScript(language, temp.path, requireLogger(language) + (language === 'python'
        ? 'run = model_ledger.resume_run("run.mlrun.jsonl")\nfor step in range(100, 110):\n    run.log(step=step, loss=1.5)\nrun.finish()\n'
        : "const run = ml.resumeRun('run.mlrun.jsonl');\nfor (let step = 100; step < 110; step++) run.log(step, { loss: 1.5 });\nrun.finish();\n"));
      assert.equal(resumed.code, 0, resumed.stderr);
      const batchesBefore = sink.batches.length;
      await importFile(temp.path, file, sink, context);
      const newPoints = sink.batches.slice(batchesBefore).reduce((sum, batch) => sum + batch.values.length, 0);
      assert.equal(newPoints, 10, 'only the appended points arrive');
      assert.deepEqual(sink.points(uid, 'loss').map((p) => p.step), [...Array.from({ length: 19 }, (_, i) => i), ...Array.from({ length: 10 }, (_, i) => 100 + i)]);
      assert.equal(sink.diagnostics.length, 1);
      assert.equal(sink.diagnostics[0].position, `line ${lineCount}`);
      assert.equal(sink.diagnostics[0].line, lineCount - 1);
      assert.equal(sink.runs.get(uid)!.status, 'FINISHED');
    });

    it('keeps unicode and HTML in names as text, and params of several KB exactly', async () => {
      const big = Array.from({ length: 6000 }, (_, i) => String.fromCharCode(0x41 + (i % 26))).join('');
      const spec = {
        name: `<script>alert('x')</script> ünïcødé 🚀 "quoted" & more`,
        experiment: '実験 & <b>bold</b>/sub',
        params: { big, 'multi\nline': 'a\tb\nc', 'emoji 🚀': '✓ <i>ok</i>', html: '<img src=x onerror=alert(1)>' } as Record<string, string>,
      };
      // A literal "__proto__" key, as a JSON file would have it.
      Object.defineProperty(spec.params, '__proto__', { value: 'not a prototype', enumerable: true });
      writeFileSync(path.join(temp.path, 'spec.json'), JSON.stringify(spec));
      const finished = await runScript(language, temp.path, requireLogger(language) + (language === 'python'
        ? 'spec = json.load(open("spec.json", encoding="utf-8"))\nrun = model_ledger.start_run(name=spec["name"], experiment=spec["experiment"])\nrun.log_params(spec["params"])\nrun.set_tag("title", spec["name"])\nrun.log(step=0, **{"accuracy 🚀": 0.5})\nrun.finish()\nprint(json.dumps({"path": run.path}))\n'
        : "const spec = JSON.parse(require('fs').readFileSync('spec.json', 'utf8'));\nconst run = ml.startRun({ name: spec.name, experiment: spec.experiment });\nrun.logParams(spec.params);\nrun.setTag('title', spec.name);\nrun.log(0, { 'accuracy 🚀': 0.5 });\nrun.finish();\nconsole.log(JSON.stringify({ path: run.path }));\n"));
      assert.equal(finished.code, 0, finished.stderr);
      const file = path.resolve(temp.path, lastJsonLine<{ path: string }>(finished).path);
      const { sink, uid } = await importFile(temp.path, file);
      const run = sink.runs.get(uid)!;
      assert.equal(run.name, spec.name);
      assert.equal(sink.experiments.get(run.experimentUid)?.name, spec.experiment);
      assert.equal(run.experimentUid, `jsonl:${spec.experiment}`);
      assert.equal(run.tags.title, spec.name);
      assert.equal(run.params.big.length, 6000);
      assert.equal(Object.keys(run.params).length, 5);
      for (const key of Object.keys(spec.params)) assert.equal(Object.getOwnPropertyDescriptor(run.params, key)?.value, spec.params[key], key);
      assert.equal(Object.getPrototypeOf(run.params), Object.prototype);
      assert.deepEqual(sink.points(uid, 'accuracy 🚀').map((p) => p.value), [0.5]);
      assert.deepEqual(sink.diagnostics, []);
      // The file name is made safe; the folder sits under runs/.
      assert.match(path.relative(temp.path, file).split(path.sep).join('/'), /^runs\/[^/<>:"\\|?*]+\/[^/<>:"\\|?*]+-[0-9a-f]{8}\.mlrun\.jsonl$/);
    });

    for (const layout of ['loose ref', 'packed ref', 'detached HEAD', 'worktree'] as const) {
      it(`reads the git commit from .git without running git (${layout})`, async () => {
        const commit = '0123456789abcdef0123456789abcdef01234567';
        const project = path.join(temp.path, 'project');
        let gitDir = path.join(project, '.git');
        if (layout === 'worktree') {
          const main = path.join(temp.path, 'main-repo', '.git');
          gitDir = path.join(main, 'worktrees', 'wt');
          mkdirSync(path.join(main, 'refs', 'heads'), { recursive: true });
          mkdirSync(gitDir, { recursive: true });
          writeFileSync(path.join(main, 'refs', 'heads', 'feature'), commit + '\n');
          writeFileSync(path.join(gitDir, 'commondir'), '../..\n');
          mkdirSync(project, { recursive: true });
          writeFileSync(path.join(project, '.git'), `gitdir: ${gitDir}\n`);
          writeFileSync(path.join(gitDir, 'HEAD'), 'ref: refs/heads/feature\n');
        } else {
          mkdirSync(path.join(gitDir, 'refs', 'heads'), { recursive: true });
          if (layout === 'detached HEAD') writeFileSync(path.join(gitDir, 'HEAD'), commit + '\n');
          else writeFileSync(path.join(gitDir, 'HEAD'), 'ref: refs/heads/main\n');
          if (layout === 'loose ref') writeFileSync(path.join(gitDir, 'refs', 'heads', 'main'), commit + '\n');
          if (layout === 'packed ref') writeFileSync(path.join(gitDir, 'packed-refs'), `# pack-refs with: peeled fully-peeled sorted\nffffffffffffffffffffffffffffffffffffffff refs/heads/other\n${commit} refs/heads/main\n`);
        }
        const work = path.join(project, 'src', 'train');
        mkdirSync(work, { recursive: true });
        const finished = await runScript(language, work, requireLogger(language) + (language === 'python'
          ? 'run = model_ledger.start_run(name="g")\nrun.finish()\n'
          : "ml.startRun({ name: 'g' }).finish();\n"));
        assert.equal(finished.code, 0, finished.stderr);
        const { sink, uid } = await importFile(temp.path, onlyRunFile(work));
        assert.equal(sink.runs.get(uid)!.gitCommit, commit);
      });
    }

    if (language === 'python') {
      it('keeps every line whole when threads log at once (fsync on)', async () => {
        const finished = await runScript(language, temp.path, requireLogger(language) + `
import threading
run = model_ledger.start_run(name="threads", path="threads.mlrun.jsonl", fsync=True)
logged = [0] * 8
def work(index):
    for i in range(150):
        run.log_metrics({"thread_%d" % index: i * 0.5, "long_" + "k" * 200: 1.0}, step=i)
        logged[index] += 1
threads = [threading.Thread(target=work, args=(index,)) for index in range(8)]
for thread in threads: thread.start()
for thread in threads: thread.join()
run.finish()
print(json.dumps({"logged": logged}))
`);
        assert.equal(finished.code, 0, finished.stderr);
        const { logged } = lastJsonLine<{ logged: number[] }>(finished);
        assert.deepEqual(logged, Array.from({ length: 8 }, () => 150));
        const { sink, uid } = await importFile(temp.path, path.join(temp.path, 'threads.mlrun.jsonl'));
        assert.equal(sink.diagnostics.length, 0);
        for (let index = 0; index < 8; index++) assert.equal(sink.points(uid, `thread_${index}`).length, 150);
        assert.equal(sink.points(uid, 'long_' + 'k'.repeat(200)).length, 8 * 150);
      });
    }

    it('is read incrementally while the process is still logging', async () => {
      const child = startScript(language, temp.path, requireLogger(language) + (language === 'python'
        ? 'run = model_ledger.start_run(name="live", path="live.mlrun.jsonl")\nfor step in range(50):\n    run.log(step=step, loss=step)\nprint("ready", flush=True)\nsys.stdin.readline()\nfor step in range(50, 100):\n    run.log(step=step, loss=step)\nrun.finish()\n'
        : "const run = ml.startRun({ name: 'live', path: 'live.mlrun.jsonl' });\nfor (let step = 0; step < 50; step++) run.log(step, { loss: step });\nconsole.log('ready');\nprocess.stdin.once('data', () => { for (let step = 50; step < 100; step++) run.log(step, { loss: step }); run.finish(); process.exit(0); });\n"));
      const done = waitFor(child);
      await waitForLine(child, (line) => line === 'ready');
      const file = path.join(temp.path, 'live.mlrun.jsonl');
      const sink = new RecordingSink();
      const context = makeContext(temp.path, sink);
      const { uid } = await importFile(temp.path, file, sink, context);
      assert.equal(sink.points(uid, 'loss').length, 50);
      assert.equal(sink.runs.get(uid)!.status, 'RUNNING');
      child.stdin!.write('go\n');
      assert.equal((await done).code, 0);
      const batchesBefore = sink.batches.length;
      await importFile(temp.path, file, sink, context);
      const arrived = sink.batches.slice(batchesBefore).flatMap((batch) => Array.from(batch.steps));
      assert.deepEqual(arrived, Array.from({ length: 50 }, (_, i) => 50 + i));
      assert.equal(sink.points(uid, 'loss').length, 100);
      assert.equal(sink.runs.get(uid)!.status, 'FINISHED');
      assert.deepEqual(sink.resets, []);
    });
  });
}
