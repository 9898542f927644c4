// `npm run test:browser`: a UI smoke check of the extension in a real VS Code workbench
// (code-server 4.100.3 + headless chromium), offline. No test entry runs: this drives the UI.
//
//   node out/test/harness/browserCheck.js [--extension DIR] [--screenshots DIR]
//
// Checks, in order: the workbench loads; the "Model Ledger" activity-bar item exists and opens
// the container; the "Runs" and "Models" pane headers are visible; welcome content is shown;
// "Model Ledger: Show Store Info" runs from the command palette and shows a notification.
// Saves test-results/screenshots/workbench-model-ledger.png (or ...-failure.png when a check
// failed), ends with `N passed, N failed` and exits 0 only if every check passed.
// Environment: ML_BROWSER_CHECK_TIMEOUT_MS (per check, default 30000), ML_TEST_VERBOSE=1,
// CHROMIUM_PATH.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
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

export interface BrowserCheckOptions {
  extensionDevelopmentPath: string;
  /** Folder for the screenshots (default <repo>/test-results/screenshots). */
  screenshotsDir: string;
  /** Per-check timeout. */
  checkTimeoutMs?: number;
  verbose?: boolean;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export interface BrowserCheckResult {
  results: CheckResult[];
  screenshot?: string;
  passed: number;
  failed: number;
}

/** A tiny MLflow-like store: one experiment, no runs. */
export const MLFLOW_WORKSPACE_FILES: Readonly<Record<string, string>> = {
  'mlruns/0/meta.yaml': "name: Default\nexperiment_id: '0'\nlifecycle_stage: active\nartifact_location: mlruns/0\n",
};

const CONTAINER_TITLE = 'Model Ledger';
const VIEW_TITLES = ['Runs', 'Models'];
const COMMAND_TITLE = 'Model Ledger: Show Store Info';
const SCREENSHOT_NAME = 'workbench-model-ledger';
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

interface Check {
  name: string;
  /** When it fails, the later checks are not attempted (and count as failed). */
  critical?: boolean;
  run(page: Page, timeout: number): Promise<string>;
}

function sidebar(page: Page): Locator {
  return page.locator('.part.sidebar');
}

function paneHeader(page: Page, title: string): Locator {
  // The header's text is the view name; `h3.title` holds it in 1.100.
  return sidebar(page).locator('.pane-header').filter({
    has: page.locator('h3.title', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`, 'i') }),
  });
}

/** Runs one step of a check; a failure names the step. */
async function step<T>(name: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${name}: ${message}`);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const CHECKS: Check[] = [
  {
    name: 'workbench loads (.monaco-workbench)',
    critical: true,
    async run(page, timeout) {
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout });
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout });
      return 'workbench and activity bar visible';
    },
  },
  {
    name: `activity bar has "${CONTAINER_TITLE}" and opens it`,
    critical: true,
    async run(page, timeout) {
      const item = page
        .locator('.monaco-workbench .part.activitybar')
        .locator(`[aria-label*="${CONTAINER_TITLE}"], [title*="${CONTAINER_TITLE}"]`)
        .first();
      await item.waitFor({ state: 'visible', timeout });
      const label = (await item.getAttribute('aria-label')) ?? (await item.getAttribute('title')) ?? '';
      await item.click({ timeout });
      // The side bar's title shows the container's name once it is open.
      await sidebar(page)
        .locator('.composite.title', { hasText: new RegExp(escapeRegExp(CONTAINER_TITLE), 'i') })
        .first()
        .waitFor({ state: 'visible', timeout });
      // Away from the activity bar, so that its hover tooltip does not cover the screenshot.
      await page.mouse.move(900, 400);
      return `clicked activity-bar item "${label}"; side bar shows "${CONTAINER_TITLE}"`;
    },
  },
  {
    name: `pane headers ${VIEW_TITLES.map((t) => `"${t}"`).join(' and ')} visible`,
    async run(page, timeout) {
      for (const title of VIEW_TITLES) {
        await paneHeader(page, title).first().waitFor({ state: 'visible', timeout });
      }
      return 'both view headers visible';
    },
  },
  {
    name: 'welcome content shown',
    async run(page, timeout) {
      const welcome = sidebar(page).locator('.welcome-view-content').filter({ hasText: /\S/ });
      await welcome.first().waitFor({ state: 'visible', timeout });
      const texts: string[] = [];
      for (const element of await welcome.all()) {
        if (await element.isVisible()) {
          texts.push((await element.innerText()).replace(/\s+/g, ' ').trim());
        }
      }
      return texts.map((text) => `"${text.slice(0, 80)}${text.length > 80 ? '…' : ''}"`).join('; ');
    },
  },
  {
    name: `command palette runs "${COMMAND_TITLE}" and a notification appears`,
    async run(page, timeout) {
      const input = page.locator('.quick-input-widget input');
      await step('opening the command palette with F1', async () => {
        await page.keyboard.press('F1');
        await input.waitFor({ state: 'visible', timeout });
      });
      const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: COMMAND_TITLE.split(': ')[1] }).first();
      await step(`finding "${COMMAND_TITLE}" in the palette`, async () => {
        await input.fill(`>${COMMAND_TITLE}`);
        await row.waitFor({ state: 'visible', timeout });
      });
      await page.keyboard.press('Enter');
      const message = page.locator('.notification-list-item-message').first();
      await step('waiting for a notification after running the command', () =>
        message.waitFor({ state: 'visible', timeout }),
      );
      // Let the toast finish fading in before the screenshot (best effort).
      await page
        .locator('.notification-toast.notification-fade-in-done')
        .first()
        .waitFor({ state: 'visible', timeout: 3000 })
        .catch(() => undefined);
      const text = (await message.innerText()).replace(/\s+/g, ' ').trim();
      return `notification: "${text.slice(0, 160)}"`;
    },
  },
];

export async function runBrowserCheck(options: BrowserCheckOptions): Promise<BrowserCheckResult> {
  const timeout = options.checkTimeoutMs ?? 30_000;
  const started = Date.now();
  const say = (line: string) => process.stdout.write(`[browser-check] ${line}\n`);
  const results: CheckResult[] = [];
  let screenshot: string | undefined;

  const problem = extensionBuildProblem(options.extensionDevelopmentPath);
  if (problem) {
    say(`warning: ${problem}`);
  }

  let workspace: TempWorkspace | undefined;
  let server: CodeServerHandle | undefined;
  let browser: Browser | undefined;
  try {
    workspace = createTempWorkspace({ files: { ...MLFLOW_WORKSPACE_FILES }, prefix: 'ml-browser-' });
    server = await startCodeServer({
      workspaceFolder: workspace.path,
      onOutput: options.verbose ? (line) => say(`[code-server] ${line}`) : undefined,
    });
    say(`code-server listening on ${server.baseUrl} (${formatDuration(Date.now() - started)})`);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (error) => say(`[page error] ${error.message}`));
    if (options.verbose) {
      page.on('console', (message) => say(`[browser ${message.type()}] ${message.text()}`));
    }
    const url = server.url({ extensionDevelopmentPath: options.extensionDevelopmentPath });
    say(`opening ${url}`);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });

    let blockedBy: string | undefined;
    for (const check of CHECKS) {
      const checkStarted = Date.now();
      if (blockedBy) {
        results.push({ name: check.name, ok: false, detail: `not run: "${blockedBy}" failed`, ms: 0 });
        continue;
      }
      try {
        // The first check also waits for the whole workbench to load.
        const detail = await check.run(page, results.length === 0 ? Math.max(timeout, 60_000) : timeout);
        results.push({ name: check.name, ok: true, detail, ms: Date.now() - checkStarted });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // Playwright's messages carry ANSI colours and a call log: keep the first lines, plain.
        const detail = message
          .replace(ANSI_COLOUR, '')
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line && line !== 'Call log:')
          .slice(0, 4)
          .join(' | ');
        results.push({ name: check.name, ok: false, detail, ms: Date.now() - checkStarted });
        if (check.critical) {
          blockedBy = check.name;
        }
      }
      const last = results[results.length - 1];
      say(`${last.ok ? 'PASS' : 'FAIL'} ${last.name} (${formatDuration(last.ms)}): ${last.detail}`);
    }

    const allPassed = results.every((result) => result.ok);
    screenshot = path.join(options.screenshotsDir, `${SCREENSHOT_NAME}${allPassed ? '' : '-failure'}.png`);
    fs.mkdirSync(options.screenshotsDir, { recursive: true });
    // A stale screenshot of the other outcome would mislead.
    fs.rmSync(path.join(options.screenshotsDir, `${SCREENSHOT_NAME}${allPassed ? '-failure' : ''}.png`), { force: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    say(`screenshot ${screenshot}`);
  } catch (error) {
    const detail = error instanceof Error ? error.stack ?? error.message : String(error);
    results.push({ name: 'harness', ok: false, detail, ms: 0 });
    say(`ERROR: ${detail}`);
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop().catch((error) => say(`stopping code-server failed: ${String(error)}`));
    try {
      workspace?.dispose();
    } catch (error) {
      say(`removing the workspace failed: ${String(error)}`);
    }
  }
  // Every check counts, including those not attempted after a critical failure.
  const passed = results.filter((result) => result.ok).length;
  const failed = CHECKS.length - passed + results.filter((result) => result.name === 'harness').length;
  say(`done after ${formatDuration(Date.now() - started)}`);
  return { results, screenshot, passed, failed };
}

function parseArgs(argv: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([\w-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!match || !['extension', 'screenshots'].includes(match[1])) {
      throw new Error(`Unexpected argument ${argv[i]} (known: --extension DIR, --screenshots DIR)`);
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
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143)); // exit hook stops code-server
  }
  const result = await runBrowserCheck({
    extensionDevelopmentPath: path.resolve(args.extension ?? repoRoot),
    screenshotsDir: path.resolve(args.screenshots ?? path.join(repoRoot, 'test-results', 'screenshots')),
    checkTimeoutMs: Number(process.env.ML_BROWSER_CHECK_TIMEOUT_MS) || 30_000,
    verbose: process.env.ML_TEST_VERBOSE === '1',
  });
  const failures = result.results.filter((r) => !r.ok);
  if (failures.length > 0) {
    console.log('\nFailed checks:');
    for (const failure of failures) {
      console.log(`  - ${failure.name}: ${failure.detail}`);
    }
  }
  console.log(`${result.passed} passed, ${result.failed} failed`);
  process.exit(result.failed === 0 ? 0 : 1);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
