// `npm test`: every check, in order, stopping at the first stage that fails:
// type-check, lint, build, compile the tests, unit tests (plain Node), integration tests (inside a
// real VS Code extension host via code-server), browser check of the workbench (screenshot).
// Ends with one line "N passed, N failed" over all the tests that ran.
// First the set-up a fresh clone needs (system packages, npm dependencies): scripts/setup.mjs.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { setUp } from './setup.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
setUp('test');
process.env.CHROMIUM_PATH ??= '/usr/bin/chromium';
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

const stages = [
  { name: 'type-check', command: bin('tsc'), args: ['-p', '.', '--noEmit'] },
  { name: 'type-check webviews', command: bin('tsc'), args: ['-p', 'webview', '--noEmit'] },
  { name: 'lint', command: bin('eslint'), args: ['src', 'test', 'scripts', 'bench', 'webview'] },
  { name: 'build', command: process.execPath, args: ['scripts/build.mjs'] },
  { name: 'compile tests', command: bin('tsc'), args: ['-p', 'tsconfig.test.json'] },
  { name: 'unit tests', command: bin('mocha'), args: ['--config', 'test/unit/.mocharc.json'], counts: 'mocha' },
  { name: 'integration tests (VS Code extension host)', command: process.execPath, args: ['out/test/harness/runInCodeServer.js'], counts: 'plain' },
  { name: 'browser check (workbench screenshot)', command: process.execPath, args: ['out/test/harness/browserCheck.js'], counts: 'plain' },
  { name: 'browser check (comparison panel, 50 runs, dark and light themes)', command: process.execPath, args: ['out/test/harness/compareCheck.js'], counts: 'plain' },
  { name: 'browser check (comparison panels in the real workbench)', command: process.execPath, args: ['out/test/harness/compareWorkbenchCheck.js'], counts: 'plain' },
  { name: 'browser check (promotion panel and audit report)', command: process.execPath, args: ['out/test/harness/promotionCheck.js'], counts: 'plain' },
  { name: 'browser check (drift panel: drift after a date, performance over time, dark and light themes)', command: process.execPath, args: ['out/test/harness/driftCheck.js'], counts: 'plain' },
  { name: 'browser check (drift panel in the real workbench, opened from the palette)', command: process.execPath, args: ['out/test/harness/driftWorkbenchCheck.js'], counts: 'plain' },
  { name: 'browser check (MLflow server roots in the real workbench)', command: process.execPath, args: ['out/test/harness/serverWorkbenchCheck.js'], counts: 'plain' },
  { name: 'browser check (MLflow 3 LoggedModels in the real workbench, dark and light)', command: process.execPath, args: ['out/test/harness/loggedModelsWorkbenchCheck.js'], counts: 'plain' },
];

function runStage(stage) {
  return new Promise((resolve) => {
    console.log(`\n=== ${stage.name} ===`);
    const child = spawn(stage.command, stage.args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      output += chunk.toString();
    });
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

function countsOf(kind, output) {
  // ANSI colour codes would break the patterns.
  // eslint-disable-next-line no-control-regex -- ANSI colour codes are control characters by definition
  const text = output.replace(/\u001b\[[0-9;]*m/g, "");
  if (kind === 'mocha') {
    const number = (re) => Number(text.match(re)?.[1] ?? 0);
    return { passed: number(/(\d+) passing/), failed: number(/(\d+) failing/), skipped: number(/(\d+) pending/) };
  }
  const lines = [...text.matchAll(/^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/gm)];
  const last = lines[lines.length - 1];
  return last ? { passed: Number(last[1]), failed: Number(last[2]), skipped: Number(last[3] ?? 0) } : { passed: 0, failed: 1, skipped: 0 };
}

const total = { passed: 0, failed: 0, skipped: 0 };
let failedStage;
for (const stage of stages) {
  const { code, output } = await runStage(stage);
  if (stage.counts) {
    const counts = countsOf(stage.counts, output);
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
    if (code !== 0 && counts.failed === 0) total.failed += 1; // a runner that crashed counts as a failure
  }
  if (code !== 0) {
    failedStage = stage.name;
    break;
  }
}
console.log(failedStage ? `\nnpm test: '${failedStage}' failed.` : '\nnpm test: every stage passed.');
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(failedStage ? 1 : 0);
