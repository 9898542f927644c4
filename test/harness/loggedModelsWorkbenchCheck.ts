// Browser check of MLflow 3 LoggedModels in the REAL workbench (code-server + headless chromium),
// offline, on the MLflow 3.11 file store of the fixtures:
//
//   node scripts/build.mjs && npx tsc -p tsconfig.test.json && node out/test/harness/loggedModelsWorkbenchCheck.js
//
// Opens the Runs view, expands the run `baseline-logreg` to its LoggedModel `churn-logreg` and that
// to its metrics (val_auc on churn_eval), hovers the run for its tooltip (metrics on datasets apart).
// Dark and light themes; saves test-results/screenshots/logged-models-<theme>.png. Expected names
// come from the fixture's expected-file.json (MLflow's answers), not from the product.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type CodeServerHandle, type TempWorkspace, createTempWorkspace, findRepoRoot, launchChromium, startCodeServer } from './codeServer';
import { palette } from './serverWorkbenchCheck';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function main(): Promise<number> {
  const repoRoot = path.resolve(process.env.ML_REPO_ROOT ?? findRepoRoot(__dirname));
  const fixture = path.join(repoRoot, 'test', 'fixtures', 'mlflow', 'mlflow-3.11-generated');
  const expected = JSON.parse(fs.readFileSync(path.join(fixture, 'expected-file.json'), 'utf8')) as { logged_models: { name: string; source_run_id: string | null }[]; runs: { run_id: string; run_name: string }[] };
  const model = expected.logged_models.find((m) => m.name === 'churn-logreg')!;
  const runName = expected.runs.find((r) => r.run_id === model.source_run_id)!.run_name;
  const screenshots = path.join(repoRoot, 'test-results', 'screenshots');
  fs.mkdirSync(screenshots, { recursive: true });
  let failed = 0;
  for (const [label, theme] of [
    ['dark', 'Default Dark Modern'],
    ['light', 'Default Light Modern'],
  ] as const) {
    let workspace: TempWorkspace | undefined;
    let server: CodeServerHandle | undefined;
    let browser: Browser | undefined;
    let page: Page | undefined;
    try {
      workspace = createTempWorkspace({ fixtureDir: path.join(fixture, 'file-store'), prefix: 'ml-logged-models-' });
      server = await startCodeServer({ workspaceFolder: workspace.path, repoRoot, userSettings: { 'workbench.colorTheme': theme } });
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(server.url({ extensionDevelopmentPath: repoRoot }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: 60_000 });
      const open = page;
      const row = (text: string | RegExp) => open.locator('.part.sidebar .monaco-list-row', { hasText: text }).first();
      const expand = async (text: string | RegExp) => {
        await row(text).waitFor({ state: 'visible', timeout: 30_000 });
        await row(text).click();
        await open.keyboard.press('ArrowRight');
      };
      await palette(page, 'Model Ledger: Focus on Runs View', 'Focus on Runs View', 90_000);
      await expand(runName);
      await expand(model.name);
      await expand(/^Metrics/);
      await row(/^val_auc · churn_eval/).waitFor({ state: 'visible', timeout: 10_000 });
      const metric = (await row(/^val_auc · churn_eval/).innerText()).replace(/\s+/g, ' ');
      const modelRow = (await row(model.name).innerText()).replace(/\s+/g, ' ');
      // The run's tooltip: metrics logged against a dataset in their own table.
      await row(runName).hover();
      await page.locator('.monaco-hover', { hasText: 'Metrics on datasets' }).first().waitFor({ state: 'visible', timeout: 15_000 });
      await sleep(500);
      const file = path.join(screenshots, `logged-models-${label}.png`);
      await page.screenshot({ path: file });
      console.log(`PASS ${label}: ${modelRow} / ${metric}; screenshot ${file}`);
    } catch (error) {
      failed++;
      await page?.screenshot({ path: path.join(screenshots, `logged-models-${label}-failure.png`) }).catch(() => undefined);
      console.log(`FAIL ${label}: ${(error instanceof Error ? error.message : String(error)).split('\n').slice(0, 3).join(' | ')}`);
    } finally {
      await browser?.close().catch(() => undefined);
      await server?.stop().catch(() => undefined);
      workspace?.dispose();
    }
  }
  console.log(`${2 - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
