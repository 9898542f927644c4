// Browser check of MLflow Tracking Server roots in the REAL workbench (code-server + headless
// chromium), offline, against the loopback test server built from recorded MLflow 2.12 answers:
//
//   node scripts/build.mjs && npx tsc -p tsconfig.test.json && node out/test/harness/serverWorkbenchCheck.js
//
// Connects through the palette ("Model Ledger: Connect to MLflow Server…", URL typed into the input
// box, "No authentication", a name), then reads the Runs and Models views: the server root with its
// status, its experiments and runs beside the workspace's own, its registered model. Then the server
// goes away and a refresh must leave the cached runs visible, marked stale. Dark and light themes.
// Saves test-results/screenshots/server-workbench-<scenario>.png; prints PASS/FAIL per check and
// `N passed, N failed`. Expected names come from the fixture files, not from the product.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type CodeServerHandle, type TempWorkspace, createTempWorkspace, findRepoRoot, formatDuration, launchChromium, startCodeServer } from './codeServer';
import { fixture, MlflowTestServer } from '../server/mlflowTestServer';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs a palette command; until the extension host has registered the extension the palette does not list it, so retry for `patienceMs`. */
export async function palette(page: Page, title: string, rowText: string, patienceMs = 5_000): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  const until = Date.now() + patienceMs;
  for (;;) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    try {
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: rowText }).first().waitFor({ state: 'visible', timeout: 3_000 });
      break;
    } catch (error) {
      if (Date.now() > until) throw error;
    }
  }
  await page.keyboard.press('Enter');
}

/** Answers the input box or quick pick `title` shows (the palette's widget is reused, so wait for the title). */
async function answer(page: Page, title: string | RegExp | undefined, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  if (title) await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 10_000 });
  else await sleep(1000);
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(text);
  await sleep(200);
  await page.keyboard.press('Enter');
  await sleep(300);
}

async function main(): Promise<number> {
  const repoRoot = path.resolve(process.env.ML_REPO_ROOT ?? findRepoRoot(__dirname));
  const screenshots = path.join(repoRoot, 'test-results', 'screenshots');
  fs.mkdirSync(screenshots, { recursive: true });
  const results: { ok: boolean }[] = [];
  const check = async (name: string, body: () => Promise<string>): Promise<boolean> => {
    try {
      const detail = await body();
      results.push({ ok: true });
      console.log(`PASS ${name}: ${detail}`);
      return true;
    } catch (error) {
      results.push({ ok: false });
      console.log(`FAIL ${name}: ${(error instanceof Error ? error.message : String(error)).split('\n').slice(0, 3).join(' | ')}`);
      return false;
    }
  };
  const expect = (condition: boolean, message: string) => {
    if (!condition) throw new Error(message);
  };

  const started = Date.now();
  for (const [label, theme] of [
    ['dark', 'Default Dark Modern'],
    ['light', 'Default Light Modern'],
  ] as const) {
    console.log(`--- ${theme}`);
    const mlflow = new MlflowTestServer();
    const url = await mlflow.start();
    const experiments = fixture<{ experiments: { name: string }[] }>('experiments_search_post').experiments.map((e) => e.name).filter((n) => n !== 'Default');
    const modelName = fixture<{ registered_models: { name: string }[] }>('registered_models_search').registered_models[0].name;
    let workspace: TempWorkspace | undefined;
    let server: CodeServerHandle | undefined;
    let browser: Browser | undefined;
      try {
      workspace = createTempWorkspace({ fixtureDir: path.join(repoRoot, 'test', 'fixtures', 'integration-workspace'), prefix: 'ml-server-workbench-' });
      server = await startCodeServer({ workspaceFolder: workspace.path, repoRoot, userSettings: { 'workbench.colorTheme': theme, 'modelLedger.servers.pollIntervalSeconds': 0 } });
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(server.url({ extensionDevelopmentPath: repoRoot }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: 60_000 });
      const sidebar = page.locator('.part.sidebar');
      const row = (text: string | RegExp) => sidebar.locator('.monaco-list-row', { hasText: text }).first();
      const shot = async (scenario: string) => {
        await page.mouse.move(1200, 800);
        await sleep(400);
        const file = path.join(screenshots, `server-workbench-${scenario}.png`);
        await page.screenshot({ path: file });
        console.log(`screenshot ${file}`);
      };

      await check('connect through the palette', async () => {
        await palette(page, 'Model Ledger: Connect to MLflow Server', 'Connect to MLflow Server', 90_000);
        await answer(page, /Connect to MLflow Server \(1\/3\)/, url);
        await answer(page, /authentication/, 'No authentication');
        await answer(page, /Name shown/, 'team server');
        const until = Date.now() + 20_000;
        while (mlflow.count('registered-models/search') === 0 && Date.now() < until) await sleep(200);
        expect(mlflow.total > 0, 'the extension sent no request to the server');
        return `${url}: ${mlflow.total} requests`;
      });
      await check('the Runs view shows the server root, connected, with its experiments and runs', async () => {
        await palette(page, 'Model Ledger: Focus on Runs View', 'Focus on Runs View').catch(() => palette(page, 'Focus on Runs View', 'Runs'));
        await row('team server').waitFor({ state: 'visible', timeout: 30_000 });
        const until = Date.now() + 20_000;
        let text = await row('team server').innerText();
        while (!/connected/.test(text) && Date.now() < until) {
          await sleep(300);
          text = await row('team server').innerText();
        }
        expect(/connected/.test(text), `server row reads "${text.replace(/\s+/g, ' ')}"`);
        for (const name of experiments) await row(name).waitFor({ state: 'visible', timeout: 10_000 });
        return `${text.replace(/\s+/g, ' ')}; experiments ${experiments.join(', ')}`;
      });
      await check('the Models view shows the server model', async () => {
        await palette(page, 'Model Ledger: Focus on Models View', 'Focus on Models View').catch(() => palette(page, 'Focus on Models View', 'Models'));
        await row(modelName).waitFor({ state: 'visible', timeout: 30_000 });
        await row(modelName).click();
        await page.keyboard.press('ArrowRight');
        await row(/^v3/).waitFor({ state: 'visible', timeout: 10_000 });
        const v3 = (await row(/^v3/).innerText()).replace(/\s+/g, ' ');
        expect(/Staging/.test(v3) && /@challenger/.test(v3), `v3 reads "${v3}"`);
        return v3;
      });
      await shot(`${label}-trees`);
      if (label === 'dark') {
        await check('compare a server run with a local run from the Runs view (context menu on a multi-selection)', async () => {
          await palette(page, 'Model Ledger: Focus on Runs View', 'Focus on Runs View');
          const before = mlflow.count('metrics/get-history');
          // Rows can still move while the server's runs arrive: select again (a plain click resets the
          // selection) until exactly the two intended rows are selected.
          for (let attempt = 0; attempt < 5; attempt++) {
            await row('sweep-lr-0.01').click();
            await row('baseline-run').click({ modifiers: ['Control'] });
            await sleep(300);
            const selected = await sidebar.locator('.monaco-list-row[aria-selected="true"]').allInnerTexts();
            const runs = selected.filter((t) => /sweep-lr-|baseline-run|live-run/.test(t)); // the Models view keeps its own selection
            if (runs.length === 2 && runs.some((t) => t.includes('sweep-lr-0.01')) && runs.some((t) => t.includes('baseline-run'))) break;
          }
          await row('baseline-run').click({ button: 'right' });
          // The first entry of the run's context menu is "Compare Runs…" (package.json, group navigation@0).
          await sleep(500);
          await page.keyboard.press('ArrowDown');
          await page.keyboard.press('Enter');
          const inner = page.locator('iframe.webview.ready').last().contentFrame().frameLocator('#active-frame');
          await inner.locator('h1', { hasText: 'Compare 2 runs' }).waitFor({ state: 'visible', timeout: 45_000 });
          const names = await inner.locator('.card .card-name').allTextContents();
          expect([...names].sort().join() === 'baseline-run,sweep-lr-0.01', `cards ${names.join(', ')}`);
          const fetched = mlflow.count('metrics/get-history') - before;
          expect(fetched === 4, `${fetched} history requests for the server run's 4 metrics`);
          await page.keyboard.press('Escape');
          return `cards ${names.join(', ')}; ${fetched} histories fetched`;
        });
        await sleep(1500);
        await shot('compare');
        await palette(page, 'View: Close All Editor Groups', 'Close All Editor Groups').catch(() => undefined);
      }
      await check('an unreachable server keeps the cached runs, marked stale', async () => {
        await mlflow.stop();
        await palette(page, 'Model Ledger: Refresh MLflow Server', 'Refresh MLflow Server');
        const until = Date.now() + 20_000;
        let text = await row('team server').innerText();
        while (!/stale/.test(text) && Date.now() < until) {
          await sleep(300);
          text = await row('team server').innerText();
        }
        expect(/stale/.test(text), `server row reads "${text.replace(/\s+/g, ' ')}"`);
        await row(experiments[0]).waitFor({ state: 'visible', timeout: 5_000 });
        return text.replace(/\s+/g, ' ');
      });
      await shot(`${label}-stale`);
    } catch (error) {
      results.push({ ok: false });
      console.log(`FAIL harness: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    } finally {
      await browser?.close().catch(() => undefined);
      await server?.stop().catch(() => undefined);
      await mlflow.stop().catch(() => undefined);
      workspace?.dispose();
    }
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
