// Test entry loaded by the extension host (extensionTestsPath), both under code-server
// (test/harness/runInCodeServer.ts) and under @vscode/test-electron (test/harness/runInElectron.ts).
// It runs every compiled *.test.js below this folder with Mocha and ends with a plain line
// `N passed, N failed[, N skipped]`, which CI reads.
//
// Environment: ML_TEST_GREP (only tests whose full title contains this text; ML_TEST_GREP_INVERT=1
// inverts it), ML_TEST_TIMEOUT_PER_TEST_MS (default 60000).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';

/** Every `*.test.js` below `dir`, sorted, without glob. */
export function findTestFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') {
          walk(full);
        }
      } else if (entry.isFile() && entry.name.endsWith('.test.js')) {
        found.push(full);
      }
    }
  };
  walk(dir);
  return found.sort();
}

/** `N passed, N failed` plus `, N skipped` when some tests were pending. */
export function summaryLine(passed: number, failed: number, skipped: number): string {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}

type ConsoleLog = (...args: unknown[]) => void;
const reporterBase = Mocha.reporters.Base as unknown as { consoleLog: ConsoleLog };

export function run(): Promise<void> {
  // Mocha's reporters call consoleLog(format, ...args). The code-server workbench forwards the
  // extension host's console arguments joined, without printf substitution ("✔ %s (%dms) title 61"),
  // so format here; under test-electron this changes nothing visible.
  const originalConsoleLog = reporterBase.consoleLog;
  reporterBase.consoleLog = (...args: unknown[]) => console.log(util.format(...args));

  const mocha = new Mocha({
    ui: 'bdd',
    timeout: Number(process.env.ML_TEST_TIMEOUT_PER_TEST_MS) || 60_000,
    color: false,
    reporter: 'spec',
  });
  const grep = process.env.ML_TEST_GREP;
  if (grep) {
    mocha.grep(grep); // a string is matched literally against the full test title
    if (process.env.ML_TEST_GREP_INVERT === '1') {
      mocha.invert();
    }
  }

  const testsRoot = __dirname;
  const files = findTestFiles(testsRoot);
  for (const file of files) {
    mocha.addFile(file);
  }

  return new Promise<void>((resolve, reject) => {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const finish = (failures: number) => {
      reporterBase.consoleLog = originalConsoleLog;
      // On its own line, after the reporter's own summary.
      console.log(summaryLine(passed, Math.max(failed, failures), skipped));
      if (failures > 0 || failed > 0) {
        reject(new Error(`${Math.max(failed, failures)} test(s) failed.`));
      } else {
        resolve();
      }
    };
    try {
      if (files.length === 0) {
        console.log(`No *.test.js files found under ${testsRoot}`);
      }
      const runner = mocha.run((failures) => finish(failures));
      runner.on('pass', () => passed++);
      runner.on('fail', () => failed++);
      runner.on('pending', () => skipped++);
    } catch (error) {
      // A test file that throws while loading ends up here.
      console.error(error);
      failed++;
      finish(1);
    }
  });
}
