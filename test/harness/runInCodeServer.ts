// `npm run test:integration`: runs the integration tests (out/test/integration/index.js) inside
// a real VS Code extension host (code-server 4.100.3) driven by headless chromium, offline.
//
//   node out/test/harness/runInCodeServer.js [--extension DIR] [--tests FILE] [--fixture DIR]
//
// Defaults: the repository root, <repo>/out/test/integration/index.js and a temporary copy of
// <repo>/test/fixtures/integration-workspace/ (an empty folder when that does not exist).
// Environment: ML_TEST_TIMEOUT_MS (whole run, default 600000), ML_TEST_GREP (passed on to the
// extension host, read by the test entry), ML_TEST_VERBOSE=1 (also code-server's output and the
// browser console), CHROMIUM_PATH.
// Exit code: the one the workbench reports (0 when all tests passed), 1 on harness errors.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import {
  type CodeServerHandle,
  type TempWorkspace,
  createTempWorkspace,
  extensionBuildProblem,
  findRepoRoot,
  formatDuration,
  launchChromium,
  startCodeServer,
} from './codeServer';

export interface RunInCodeServerOptions {
  extensionDevelopmentPath: string;
  extensionTestsPath: string;
  /** Folder copied into the temporary workspace, if it exists. */
  fixtureDir?: string;
  timeoutMs?: number;
  verbose?: boolean;
  /** Where the workbench's log files go when the run fails (default <repo>/test-results/logs/integration). */
  logsDir?: string;
  /** Written to stdout (default process.stdout). */
  write?: (text: string) => void;
}

export interface RunResult {
  exitCode: number;
  durationMs: number;
  /** The last `N passed, N failed[, N skipped]` line seen, if any. */
  summary?: string;
}

const SUMMARY = /^\d+ passed, \d+ failed(, \d+ skipped)?$/;

/** codeAutomationLog(level, message): message is a string in 1.100, but accept anything. */
export function formatLogMessage(args: unknown): string {
  const parts = Array.isArray(args) ? args : [args];
  return parts
    .map((part) => {
      if (typeof part === 'string') {
        return part;
      }
      try {
        return JSON.stringify(part);
      } catch {
        return String(part);
      }
    })
    .join(' ');
}

/** Runs the tests once; always cleans up what it started. */
export async function runInCodeServer(options: RunInCodeServerOptions): Promise<RunResult> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const repoRoot = findRepoRoot();
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const started = Date.now();
  const say = (line: string) => write(`[harness] ${line}\n`);

  if (!fs.existsSync(options.extensionTestsPath)) {
    say(`Test entry ${options.extensionTestsPath} does not exist: run \`npm run compile-tests\` first.`);
    return { exitCode: 1, durationMs: 0 };
  }
  const problem = extensionBuildProblem(options.extensionDevelopmentPath);
  if (problem) {
    say(`warning: ${problem}`);
  }

  let workspace: TempWorkspace | undefined;
  let server: CodeServerHandle | undefined;
  let browser: Browser | undefined;
  let summary: string | undefined;
  let exitCode = 1;
  try {
    workspace = createTempWorkspace({ fixtureDir: options.fixtureDir, prefix: 'ml-it-' });
    say(`workspace ${workspace.path}${options.fixtureDir && fs.existsSync(options.fixtureDir) ? ` (copy of ${options.fixtureDir})` : ' (empty)'}`);
    server = await startCodeServer({
      workspaceFolder: workspace.path,
      onOutput: options.verbose ? (line) => write(`[code-server] ${line}\n`) : undefined,
      env: { ML_TEST_GREP: process.env.ML_TEST_GREP ?? '', ML_TEST_GREP_INVERT: process.env.ML_TEST_GREP_INVERT ?? '' },
    });
    say(`code-server listening on ${server.baseUrl} (${formatDuration(Date.now() - started)})`);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (resolveExit = resolve));
    let logs: Array<{ relativePath: string; contents: string }> = [];

    await page.exposeFunction('codeAutomationLog', (type: unknown, args: unknown) => {
      const text = formatLogMessage(args);
      for (const line of text.split(/\r?\n/)) {
        if (SUMMARY.test(line.trim())) {
          summary = line.trim();
        }
      }
      const level = String(type);
      const prefix = level === 'info' || level === 'log' ? '' : `[${level}] `;
      write(`${text.split(/\r?\n/).map((line) => prefix + line).join('\n')}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code: unknown, workbenchLogs: unknown) => {
      if (Array.isArray(workbenchLogs)) {
        logs = workbenchLogs as typeof logs;
      }
      resolveExit(typeof code === 'number' ? code : Number(code) || 1);
    });
    page.on('pageerror', (error) => write(`[browser error] ${error.message}\n`));
    if (options.verbose) {
      page.on('console', (message) => write(`[browser ${message.type()}] ${message.text()}\n`));
    }

    const url = server.url({
      extensionDevelopmentPath: options.extensionDevelopmentPath,
      extensionTestsPath: options.extensionTestsPath,
    });
    say(`opening ${url}`);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });

    const remaining = Math.max(1000, timeoutMs - (Date.now() - started));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), remaining)));
    const outcome = await Promise.race([exited, timedOut]);
    clearTimeout(timer);

    if (outcome === 'timeout') {
      say(`TIMEOUT: no result after ${formatDuration(timeoutMs)} (ML_TEST_TIMEOUT_MS)`);
      const shot = path.join(repoRoot, 'test-results', 'screenshots', 'integration-timeout.png');
      fs.mkdirSync(path.dirname(shot), { recursive: true });
      await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
      say(`screenshot ${shot}`);
      if (!options.verbose) {
        write(`--- code-server output ---\n${server.output().trim()}\n--------------------------\n`);
      }
      exitCode = 1;
    } else {
      say(`result received after ${formatDuration(Date.now() - started)}`);
      exitCode = outcome;
    }
    if (exitCode !== 0) {
      const dir = options.logsDir ?? path.join(repoRoot, 'test-results', 'logs', 'integration');
      saveLogs(dir, logs, server.userDataDir);
      say(`workbench and code-server logs saved in ${dir}`);
    }
  } catch (error) {
    say(`ERROR: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    exitCode = 1;
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop().catch((error) => say(`stopping code-server failed: ${String(error)}`));
    try {
      workspace?.dispose();
    } catch (error) {
      say(`removing the workspace failed: ${String(error)}`);
    }
  }
  const durationMs = Date.now() - started;
  if (!summary) {
    say('no "N passed, N failed" line was received from the test entry');
  }
  say(`exit code ${exitCode} after ${formatDuration(durationMs)}`);
  return { exitCode, durationMs, summary };
}

/** The browser workbench's logs (from codeAutomationExit) in dir/, the server's (extension host too) in dir/server/. */
function saveLogs(dir: string, logs: Array<{ relativePath: string; contents: string }>, userDataDir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const log of logs) {
    const relative = path.normalize(log.relativePath).replace(/^(\.\.(\/|\\|$))+/, '');
    const file = path.join(dir, 'browser', relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, log.contents);
  }
  const serverLogs = path.join(userDataDir, 'logs');
  if (fs.existsSync(serverLogs)) {
    fs.cpSync(serverLogs, path.join(dir, 'server'), { recursive: true });
  }
}

function parseArgs(argv: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([\w-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!match) {
      throw new Error(`Unexpected argument ${argv[i]}`);
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined) {
      throw new Error(`Missing value for --${match[1]}`);
    }
    result[match[1]] = value;
  }
  return result;
}

async function main(): Promise<void> {
  const repoRoot = findRepoRoot();
  const args = parseArgs(process.argv.slice(2));
  const known = new Set(['extension', 'tests', 'fixture', 'timeout-ms']);
  for (const key of Object.keys(args)) {
    if (!known.has(key)) {
      throw new Error(`Unknown option --${key} (known: ${[...known].map((k) => `--${k}`).join(', ')})`);
    }
  }
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      // The exit hook in codeServer.ts kills code-server's process group; chromium is closed by
      // playwright's own handlers.
      interrupted = true;
      process.stdout.write(`[harness] ${signal}: stopping\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  const result = await runInCodeServer({
    extensionDevelopmentPath: path.resolve(args.extension ?? repoRoot),
    extensionTestsPath: path.resolve(args.tests ?? path.join(repoRoot, 'out', 'test', 'integration', 'index.js')),
    fixtureDir: path.resolve(args.fixture ?? path.join(repoRoot, 'test', 'fixtures', 'integration-workspace')),
    timeoutMs: Number(args['timeout-ms'] ?? process.env.ML_TEST_TIMEOUT_MS) || 10 * 60_000,
    verbose: process.env.ML_TEST_VERBOSE === '1',
  });
  if (!interrupted) {
    process.exit(result.exitCode);
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
