// `npm run test:electron`: the same integration suite (out/test/integration/index.js) in desktop
// VS Code through @vscode/test-electron. It downloads VS Code from Microsoft's update server into
// .vscode-test/, so it needs internet (or VSCODE_EXECUTABLE_PATH pointing at an installed VS Code);
// on machines without either, use `npm run test:integration` (code-server) instead.
// On a Linux machine without a display, run it under xvfb-run.
//
//   node out/test/harness/runInElectron.js [--extension DIR] [--tests FILE] [--fixture DIR]
//
// Environment: VSCODE_TEST_VERSION (default "stable"; e.g. 1.100.3), VSCODE_EXECUTABLE_PATH,
// ML_TEST_GREP / ML_TEST_GREP_INVERT (passed on to the test entry).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { createTempWorkspace, extensionBuildProblem, findRepoRoot, formatDuration } from './codeServer';

export interface RunInElectronOptions {
  extensionDevelopmentPath: string;
  extensionTestsPath: string;
  /** Folder copied into the temporary workspace, if it exists. */
  fixtureDir?: string;
  version?: string;
  vscodeExecutablePath?: string;
}

/** Resolves with the exit code (0: all tests passed). */
export async function runInElectron(options: RunInElectronOptions): Promise<number> {
  const say = (line: string) => process.stdout.write(`[harness] ${line}\n`);
  if (!fs.existsSync(options.extensionTestsPath)) {
    say(`Test entry ${options.extensionTestsPath} does not exist: run \`npm run compile-tests\` first.`);
    return 1;
  }
  const problem = extensionBuildProblem(options.extensionDevelopmentPath);
  if (problem) {
    say(`warning: ${problem}`);
  }
  const started = Date.now();
  const workspace = createTempWorkspace({ fixtureDir: options.fixtureDir, prefix: 'ml-electron-' });
  try {
    say(`workspace ${workspace.path}`);
    const extensionTestsEnv: Record<string, string | undefined> = {};
    for (const key of ['ML_TEST_GREP', 'ML_TEST_GREP_INVERT', 'ML_TEST_TIMEOUT_PER_TEST_MS']) {
      if (process.env[key] !== undefined) {
        extensionTestsEnv[key] = process.env[key];
      }
    }
    const exitCode = await runTests({
      extensionDevelopmentPath: options.extensionDevelopmentPath,
      extensionTestsPath: options.extensionTestsPath,
      extensionTestsEnv,
      launchArgs: [workspace.path, '--disable-extensions', '--disable-workspace-trust'],
      ...(options.vscodeExecutablePath
        ? { vscodeExecutablePath: options.vscodeExecutablePath }
        : { version: options.version ?? 'stable' }),
    });
    say(`exit code ${exitCode} after ${formatDuration(Date.now() - started)}`);
    return exitCode;
  } catch (error) {
    // runTests rejects (TestRunFailedError) when VS Code exits non-zero, i.e. a test failed.
    const code = (error as { code?: unknown }).code;
    say(`failed after ${formatDuration(Date.now() - started)}: ${error instanceof Error ? error.message : String(error)}`);
    return typeof code === 'number' && code !== 0 ? code : 1;
  } finally {
    workspace.dispose();
  }
}

function parseArgs(argv: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([\w-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!match || !['extension', 'tests', 'fixture'].includes(match[1])) {
      throw new Error(`Unexpected argument ${argv[i]} (known: --extension DIR, --tests FILE, --fixture DIR)`);
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
  const exitCode = await runInElectron({
    extensionDevelopmentPath: path.resolve(args.extension ?? repoRoot),
    extensionTestsPath: path.resolve(args.tests ?? path.join(repoRoot, 'out', 'test', 'integration', 'index.js')),
    fixtureDir: path.resolve(args.fixture ?? path.join(repoRoot, 'test', 'fixtures', 'integration-workspace')),
    version: process.env.VSCODE_TEST_VERSION || undefined,
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH || undefined,
  });
  process.exit(exitCode);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
