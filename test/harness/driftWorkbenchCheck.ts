// The drift panel in the REAL workbench (code-server 4.100.3 + headless chromium), offline:
//
//   node scripts/build.mjs && npx tsc -p tsconfig.test.json && node out/test/harness/driftWorkbenchCheck.js
//
// A temporary workspace holds the demo's drift data (scripts/driftDemoData.cjs: amount, country and
// sessions drift from DRIFT_START; the model's F1 drops then), a ledger in which churn-classifier v1
// has data/reference.csv as its reference, and settings naming data/current.csv as the current data
// with the rule "f1 < 0.92 for 48h". The report is opened from the command palette ("Model Ledger:
// Open Drift Report", the version picked in the quick pick) and read through the workbench's webview
// iframes; the alert must show in the status bar and as a notification. Expected values come from
// the generator's spec. Saves test-results/screenshots/drift-workbench[-time].png; ends with
// `N passed, N failed`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { signEvent, type LedgerEvent, type UnsignedEvent } from '../../src/registry/events';
import { type CodeServerHandle, type TempWorkspace, createTempWorkspace, findRepoRoot, formatDuration, launchChromium, startCodeServer } from './codeServer';

interface DemoData {
  driftDemoCsv(): { reference: string; current: string };
  DRIFT_START: number;
  FEATURES: string[];
  DRIFTING: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function ledgerText(): string {
  const actor = { name: 'Ada Lovelace', email: 'ada@example.com' };
  const drafts: Omit<UnsignedEvent, 'prev' | 'v' | 'id'>[] = [
    { time: '2026-10-30T09:00:00.000Z', actor, action: 'register', model: 'churn-classifier', version: 1, before: null, after: { source: 'models/churn-v1' } },
    { time: '2026-10-30T09:05:00.000Z', actor, action: 'set-reference', model: 'churn-classifier', version: 1, before: null, after: { path: 'data/reference.csv' } },
  ];
  const events: LedgerEvent[] = [];
  for (const [i, draft] of drafts.entries()) events.push(signEvent({ v: 1, id: `00000000000000a${i}`, ...draft, prev: events.length ? [events[events.length - 1].hash] : [] }));
  return events.map((e) => JSON.stringify(e)).join('\n') + '\n';
}

async function runPaletteCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title.replace(/^.*: /, '') }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
}

async function main(): Promise<number> {
  const repoRoot = path.resolve(process.env.ML_REPO_ROOT ?? findRepoRoot(__dirname));
  const screenshots = path.join(repoRoot, 'test-results', 'screenshots');
  fs.mkdirSync(screenshots, { recursive: true });
  const results: { ok: boolean }[] = [];
  const check = async (name: string, body: () => Promise<string>): Promise<boolean> => {
    try {
      console.log(`PASS ${name}: ${await body()}`);
      results.push({ ok: true });
      return true;
    } catch (error) {
      console.log(`FAIL ${name}: ${(error as Error).message.split('\n').slice(0, 3).join(' | ')}`);
      results.push({ ok: false });
      return false;
    }
  };
  const expect = (condition: boolean, message: string) => {
    if (!condition) throw new Error(message);
  };
  const demo = require(path.join(repoRoot, 'scripts', 'driftDemoData.cjs')) as DemoData;
  const { reference, current } = demo.driftDemoCsv();
  const driftDate = new Date(demo.DRIFT_START).toISOString().slice(0, 10);
  const started = Date.now();
  let workspace: TempWorkspace | undefined;
  let server: CodeServerHandle | undefined;
  let browser: Browser | undefined;
  try {
    workspace = createTempWorkspace({
      prefix: 'ml-drift-',
      files: {
        'data/reference.csv': reference,
        'data/current.csv': current,
        '.model-ledger/ledger.jsonl': ledgerText(),
        '.vscode/settings.json': JSON.stringify({ 'modelLedger.monitoring.currentData': 'data/current.csv', 'modelLedger.monitoring.rules': ['f1 < 0.92 for 48h'] }, null, 2),
      },
    });
    server = await startCodeServer({ workspaceFolder: workspace.path, repoRoot });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(server.url({ extensionDevelopmentPath: repoRoot }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: 60_000 });
    await runPaletteCommand(page, 'View: Close Primary Side Bar').catch(() => undefined);

    const opened = await check('Open Drift Report from the palette, version picked in the quick pick', async () => {
      const deadline = Date.now() + 90_000;
      for (;;) {
        try {
          await runPaletteCommand(page, 'Model Ledger: Open Drift Report');
          const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'churn-classifier v1' }).first();
          await row.waitFor({ state: 'visible', timeout: 10_000 });
          await row.click();
          break;
        } catch (error) {
          // Until the ledger is projected, the quick pick has no version yet.
          if (Date.now() > deadline) throw error;
          await page.keyboard.press('Escape');
          await sleep(1500);
        }
      }
      return 'picked';
    });
    const frame = page.locator('iframe.webview.ready').last().contentFrame().frameLocator('#active-frame');
    if (opened) {
      await check('the report shows the generated drift', async () => {
        await frame.locator('h1', { hasText: 'Drift: churn-classifier v1' }).waitFor({ state: 'visible', timeout: 60_000 });
        await frame.locator('table.features tbody tr').first().waitFor({ state: 'visible', timeout: 60_000 });
        const drifted = (await frame.locator('table.features tbody tr.drifted th.name').allTextContents()).sort();
        expect(JSON.stringify(drifted) === JSON.stringify([...demo.DRIFTING].sort()), `drifted rows: ${drifted.join(', ')}`);
        const first = await frame.locator('#first-drift').textContent();
        expect(first === `Dataset drift from the window starting ${driftDate}.`, `"${first}"`);
        const breach = await frame.locator('#breaches li.breach').allTextContents();
        expect(breach.length === 1 && breach[0].includes('prediction: f1 < 0.92 for 48h'), JSON.stringify(breach));
        return `${drifted.join(', ')}; drift from ${driftDate}; ${breach[0]}`;
      });
      await check('the alert shows in the status bar and as a notification', async () => {
        const status = page.locator('.statusbar-item', { hasText: '1 model alert' });
        await status.waitFor({ state: 'visible', timeout: 20_000 });
        const toast = page.locator('.notification-toast', { hasText: 'churn-classifier v1' });
        await toast.waitFor({ state: 'visible', timeout: 20_000 });
        const text = (await toast.textContent()) ?? '';
        expect(text.includes('Open Drift Report'), `toast: ${text}`);
        return text.replace(/\s+/g, ' ').slice(0, 160);
      });
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(screenshots, 'drift-workbench.png') });
      await frame.locator('#over-time').scrollIntoViewIfNeeded();
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(screenshots, 'drift-workbench-time.png') });
    }
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop().catch((error) => console.log(`stopping code-server failed: ${String(error)}`));
    workspace?.dispose();
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`done after ${formatDuration(Date.now() - started)}`);
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      console.log('0 passed, 1 failed');
      process.exit(1);
    },
  );
}
