// Browser checks of the "Compare runs" panel in the REAL workbench (code-server 4.100.3 + headless
// chromium), offline, one code-server session:
//
//   node scripts/build.mjs && npx tsc -p tsconfig.test.json && node out/test/harness/compareWorkbenchCheck.js
//
// Unlike compareCheck.ts (the webview served on its own, fed a prepared state), everything here
// goes through the product: runs are written to a temporary workspace (MLflow fixture runs, and
// Model Ledger run logs written by logger/js/model-ledger.js itself), the extension imports them,
// each panel is opened from the command palette ("Model Ledger: Compare Runs…", a filter typed into
// the multi-select quick pick, its select-all checkbox, Enter), and the webview's DOM is read
// through the workbench's webview iframes. Scenarios: 3 MLflow runs; 50 runs × 3 metrics × 2,000
// steps (plus the smoothing slider); 1,000 params and "only differences"; HTML/script payloads in
// names, params, tags and a metric key; a RUNNING run appended to while its panel is open.
//
// Expected values come from the fixture files and from what this script wrote, never from the
// product. Saves test-results/screenshots/compare-workbench-<scenario>.png, prints
// `PASS/FAIL name: detail` per check and ends with `N passed, N failed`; exits 0 only when every
// check passed. Environment: ML_TEST_VERBOSE=1 (code-server and browser output), CHROMIUM_PATH,
// ML_REPO_ROOT (the extension to load, when this file was compiled outside the repository).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import type * as ModelLedgerLogger from '../../logger/js/model-ledger';
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
import { fixturePath } from '../fixturePath';

const MLFLOW_EXPERIMENT_DIR = fixturePath('mlflow', 'mlflow-2.12-generated', 'mlruns', '762818830862955249');
/** sweep-lr-0.01, sweep-lr-0.03, sweep-lr-0.05: the same params and metrics, two params differ. */
const MLFLOW_RUN_IDS = ['b0fe5d1c7a69438fb9a3caaf5846e611', '7af7755c77cf4878bac83513540643d2', '18b7df37dfde4feea85f14d79ecbfd9a'];

const SWEEP_RUNS = 50;
const SWEEP_STEPS = 2000;
const SWEEP_METRICS = ['train/loss', 'val/loss', 'val/accuracy'];
const WIDE_PARAMS = 1000;
const LIVE_INITIAL_POINTS = 20;
const LIVE_APPENDED_POINTS = 50;
const LIVE_DEADLINE_MS = 15_000;

const COMMAND_TITLE = 'Model Ledger: Compare Runs…';
const SCREENSHOT_PREFIX = 'compare-workbench-';
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** Each payload sets window.__pwned if anything parses it as HTML. */
const PAYLOAD_IMG = '<img src=x onerror="window.__pwned=1">';
const PAYLOAD_SCRIPT = '<script>window.__pwned=2</script>';
const PAYLOAD_SVG = '"><svg onload=window.__pwned=3>';
const PAYLOAD_IFRAME = '<iframe src="javascript:parent.__pwned=4"></iframe>';
const PAYLOAD_METRIC = '<img src=y onerror=window.__pwned=5>/loss';
const HOSTILE_PARAMS: Record<string, string> = { [PAYLOAD_SCRIPT]: PAYLOAD_SVG, lr: PAYLOAD_IMG, note: PAYLOAD_IFRAME };
const HOSTILE_TAGS: Record<string, string> = { [PAYLOAD_SVG]: PAYLOAD_SCRIPT };

type Logger = typeof ModelLedgerLogger;
type LoggerRun = ModelLedgerLogger.Run;

interface Result {
  name: string;
  ok: boolean;
  detail: string;
}

/** What the workspace holds, known from the files written or copied, not from the product. */
interface Expected {
  mlflow: { names: string[]; paramKeys: number; differingParams: number; lossPoints: number; metricKeys: number };
  wide: { differingParams: number };
  liveRun: LoggerRun;
  liveNextStep: number;
}

// ---------------------------------------------------------------------------------------------
// The workspace

function readTrimmed(file: string): string {
  return fs.readFileSync(file, 'utf8').trim();
}

/** Names, params and metric facts of the copied MLflow runs, read straight from the fixture files. */
function mlflowFacts(experimentDir: string): Expected['mlflow'] {
  const names = MLFLOW_RUN_IDS.map((id) => /^run_name:\s*(.+)$/m.exec(fs.readFileSync(path.join(experimentDir, id, 'meta.yaml'), 'utf8'))?.[1].trim() ?? id);
  const valuesByKey = new Map<string, string[]>();
  for (const id of MLFLOW_RUN_IDS) {
    const dir = path.join(experimentDir, id, 'params');
    for (const key of fs.readdirSync(dir)) valuesByKey.set(key, [...(valuesByKey.get(key) ?? []), readTrimmed(path.join(dir, key))]);
  }
  const differingParams = [...valuesByKey.values()].filter((values) => values.length < MLFLOW_RUN_IDS.length || new Set(values).size > 1).length;
  const lossLines = readTrimmed(path.join(experimentDir, MLFLOW_RUN_IDS[0], 'metrics', 'loss')).split('\n').length;
  const metricKeys = new Set(MLFLOW_RUN_IDS.flatMap((id) => fs.readdirSync(path.join(experimentDir, id, 'metrics')))).size;
  return { names, paramKeys: valuesByKey.size, differingParams, lossPoints: lossLines, metricKeys };
}

function buildWorkspace(repoRoot: string): { workspace: TempWorkspace; expected: Expected } {
  const workspace = createTempWorkspace({ prefix: 'ml-compare-workbench-' });
  const experimentCopy = path.join(workspace.path, 'mlruns', path.basename(MLFLOW_EXPERIMENT_DIR));
  fs.mkdirSync(experimentCopy, { recursive: true });
  fs.copyFileSync(path.join(MLFLOW_EXPERIMENT_DIR, 'meta.yaml'), path.join(experimentCopy, 'meta.yaml'));
  for (const id of MLFLOW_RUN_IDS) fs.cpSync(path.join(MLFLOW_EXPERIMENT_DIR, id), path.join(experimentCopy, id), { recursive: true });

  // The logger users ship, so the run logs are exactly what a training script writes.
  const logger = require(path.join(repoRoot, 'logger', 'js', 'model-ledger.js')) as Logger;
  const dir = path.join(workspace.path, 'runs');
  const start = (name: string, experiment: string) => logger.startRun({ name, experiment, dir, exitHook: false });

  for (let r = 0; r < SWEEP_RUNS; r++) {
    const run = start(`sweep50-run-${String(r).padStart(2, '0')}`, 'sweep50');
    run.logParams({ lr: (0.001 * (r + 1)).toPrecision(3), batch_size: r % 2 ? 64 : 32, optimizer: 'adam', seed: r });
    const rate = 1 + r / 25;
    for (let step = 0; step < SWEEP_STEPS; step++) {
      const noise = Math.sin(step * 12.9898 + r * 78.233) * 0.02;
      run.log(step, {
        'train/loss': 2.3 * Math.exp(-step / (400 * rate)) + 0.1 + noise,
        'val/loss': 2.4 * Math.exp(-step / (450 * rate)) + 0.2 + r / 500 + noise * 2,
        'val/accuracy': 0.95 - 0.85 * Math.exp(-step / (350 * rate)) - r / 1000 + noise,
      });
    }
    run.finish();
  }

  // "Compare" needs two runs: the wide run gets a twin with the same keys, every 10th value different.
  const wideParams: Record<string, string> = {};
  const twinParams: Record<string, string> = {};
  for (let p = 0; p < WIDE_PARAMS; p++) {
    const key = `model.block_${String(Math.floor(p / 10)).padStart(3, '0')}.setting_${p % 10}`;
    wideParams[key] = `value-${p}`;
    twinParams[key] = p % 10 === 0 ? `other-${p}` : `value-${p}`;
  }
  const differingWide = Object.keys(wideParams).filter((key) => wideParams[key] !== twinParams[key]).length;
  for (const [name, params] of [
    ['wide', wideParams],
    ['wide-twin', twinParams],
  ] as const) {
    const run = start(name, 'wide');
    run.logParams(params);
    for (let step = 0; step < 10; step++) run.log(step, { loss: 1 / (step + 1) });
    run.finish();
  }

  for (const name of [PAYLOAD_IMG, PAYLOAD_SCRIPT]) {
    const run = start(name, 'hostile');
    run.logParams(HOSTILE_PARAMS);
    run.setTags(HOSTILE_TAGS);
    for (let step = 0; step < 20; step++) run.log(step, { [PAYLOAD_METRIC]: 1 / (step + 1) + (name === PAYLOAD_IMG ? 0 : 0.1) });
    run.finish();
  }

  const reference = start('reference-run', 'live');
  for (let step = 0; step < 100; step++) reference.log(step, { loss: 1 / (step + 1) });
  reference.finish();
  // Left RUNNING: the check appends to it while its panel is open.
  const liveRun = start('live', 'live');
  liveRun.logParams({ lr: '0.01' });
  for (let step = 0; step < LIVE_INITIAL_POINTS; step++) liveRun.log(step, { loss: 2 / (step + 1) });

  return {
    workspace,
    expected: { mlflow: mlflowFacts(MLFLOW_EXPERIMENT_DIR), wide: { differingParams: differingWide }, liveRun, liveNextStep: LIVE_INITIAL_POINTS },
  };
}

// ---------------------------------------------------------------------------------------------
// Workbench helpers

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function firstNumber(text: string | null): number | undefined {
  const match = /\d+/.exec(text ?? '');
  return match ? Number(match[0]) : undefined;
}

async function runPaletteCommand(page: Page, title: string, rowText: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: rowText }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** The multi-select quick pick's "toggle all" checkbox: its class changed across VS Code versions. */
const CHECK_ALL_SELECTORS = ['.quick-input-check-all', '.quick-input-header .monaco-checkbox', '.quick-input-header .monaco-custom-toggle', '.quick-input-header input[type=checkbox]'];

/**
 * Opens a compare panel through the palette: the filter must leave exactly `expectedRuns` rows.
 * The import of the workspace may still be running, so a short list is retried until `deadline`.
 * Returns how the runs were picked.
 */
async function openComparePanel(page: Page, filter: string, expectedRuns: number, deadline: number): Promise<string> {
  const widget = page.locator('.quick-input-widget');
  let lastSeen = 'no quick pick';
  for (;;) {
    try {
      // Until the extension host has registered the extension, the palette does not list the command.
      await runPaletteCommand(page, COMMAND_TITLE, 'Compare Runs');
      await widget.locator('.quick-input-title', { hasText: 'Compare runs' }).waitFor({ state: 'visible', timeout: 15_000 });
    } catch (error) {
      lastSeen = `palette: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`;
      console.log(`note: ${lastSeen}; trying again`);
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw new Error(`could not run "${COMMAND_TITLE}" (last: ${lastSeen})`);
      await sleep(1000);
      continue;
    }
    await widget.locator('input').fill(filter);
    const visibleCount = widget.locator('.quick-input-visible-count');
    const settle = Date.now() + 4000;
    let visible: number | undefined;
    while (Date.now() < settle) {
      visible = firstNumber(await visibleCount.textContent());
      if (visible === expectedRuns) break;
      await sleep(200);
    }
    lastSeen = `${visible ?? '?'} rows match "${filter}"`;
    if (visible === expectedRuns) break;
    console.log(`note: ${lastSeen}, expected ${expectedRuns}; the import may still be running, trying again`);
    await page.keyboard.press('Escape');
    if (Date.now() > deadline) throw new Error(`the quick pick never listed ${expectedRuns} runs for "${filter}" (last: ${lastSeen})`);
    await sleep(1500);
  }
  let used: string | undefined;
  for (const selector of CHECK_ALL_SELECTORS) {
    const candidate = widget.locator(selector).first();
    if ((await candidate.count()) > 0 && (await candidate.isVisible())) {
      await candidate.click();
      used = selector;
      break;
    }
  }
  if (!used) throw new Error(`no select-all checkbox found (tried ${CHECK_ALL_SELECTORS.join(', ')})`);
  const selected = widget.locator('.quick-input-count');
  const until = Date.now() + 5000;
  let selectedCount: number | undefined;
  while (Date.now() < until) {
    selectedCount = firstNumber(await selected.textContent());
    if (selectedCount === expectedRuns) break;
    await sleep(100);
  }
  if (selectedCount !== expectedRuns) throw new Error(`select-all (${used}) selected ${selectedCount ?? 'no'} runs, expected ${expectedRuns}`);
  await page.keyboard.press('Enter');
  return `filter "${filter}" → ${expectedRuns} rows, select-all via ${used}`;
}

/** The webview iframe the workbench hosts the panel in (outer) and the panel's own document (inner). */
function webviewFrames(page: Page): { outer: FrameLocator; inner: FrameLocator } {
  const outer = page.locator('iframe.webview.ready').last().contentFrame();
  return { outer, inner: outer.frameLocator('#active-frame') };
}

async function waitForPanel(page: Page, runs: number): Promise<FrameLocator> {
  const { inner } = webviewFrames(page);
  await inner.locator('h1', { hasText: `Compare ${runs} runs` }).waitFor({ state: 'visible', timeout: 45_000 });
  return inner;
}

/** Closes every panel, so the next one is the only webview in the page. */
async function closeAllEditors(page: Page): Promise<void> {
  await runPaletteCommand(page, 'View: Close All Editor Groups', 'Close All Editor Groups');
  await page.waitForFunction("document.querySelectorAll('iframe.webview').length === 0", undefined, { timeout: 10_000 });
}

// The functions below run in the browser. This project compiles without the DOM library, so they
// describe the few DOM members they use themselves.

interface CanvasLike {
  readonly width: number;
  readonly height: number;
  toDataURL(type: string): string;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

interface ElementLike {
  readonly textContent: string | null;
  readonly children: ArrayLike<ElementLike>;
  readonly classList: { contains(name: string): boolean };
  querySelectorAll(selector: string): ArrayLike<ElementLike>;
}

/** A tiny hash of a canvas' pixels: changes when anything drawn changes. */
async function canvasDigest(frame: FrameLocator, selector: string): Promise<string> {
  return frame
    .locator(selector)
    .first()
    .evaluate((element) => {
      const url = (element as unknown as CanvasLike).toDataURL('image/png');
      let hash = 0;
      for (let i = 0; i < url.length; i++) hash = (Math.imul(hash, 31) + url.charCodeAt(i)) | 0;
      return `${url.length}:${(hash >>> 0).toString(16)}`;
    });
}

/** Distinct (4-bit quantised) colours on a canvas: a blank chart has one or two. */
async function canvasColours(frame: FrameLocator, selector: string): Promise<number> {
  return frame
    .locator(selector)
    .first()
    .evaluate((element) => {
      const canvas = element as unknown as CanvasLike;
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
      if (!data) return 0;
      const seen = new Set<number>();
      for (let i = 0; i < data.length; i += 16) seen.add(((data[i] >> 4) << 8) | ((data[i + 1] >> 4) << 4) | (data[i + 2] >> 4));
      return seen.size;
    });
}

interface MetricRowText {
  group: string;
  cells: string[];
}

/** The metric summary rows in the DOM, each with the text of the metric group row above it. */
async function metricRows(frame: FrameLocator): Promise<MetricRowText[]> {
  return frame.locator('#metrics tbody').evaluate((element) => {
    const out: { group: string; cells: string[] }[] = [];
    let group = '';
    for (const tr of Array.from((element as unknown as ElementLike).querySelectorAll('tr:not(.vtable-spacer)'))) {
      const cells = Array.from(tr.children).map((cell) => cell.textContent ?? '');
      if (tr.classList.contains('group')) group = cells[0];
      else out.push({ group, cells });
    }
    return out;
  });
}

interface InjectionProbe {
  pwned: unknown;
  handlers: number;
  stray: number;
}

/** What a payload parsed as HTML would leave behind in a document: window.__pwned, inline handlers, stray elements. */
function probeForInjection(): InjectionProbe {
  const scope = globalThis as unknown as { __pwned?: unknown; document: ElementLike };
  return {
    pwned: scope.__pwned,
    handlers: scope.document.querySelectorAll('[onerror], [onload], [onmouseover]').length,
    stray: scope.document.querySelectorAll('#root img, #root svg, #root iframe, #root script, body > img, body > svg').length,
  };
}

async function metricHeader(frame: FrameLocator): Promise<string[]> {
  return frame.locator('#metrics thead th').allTextContents();
}

// ---------------------------------------------------------------------------------------------
// The checks

async function main(): Promise<number> {
  const repoRoot = path.resolve(process.env.ML_REPO_ROOT ?? findRepoRoot(__dirname));
  const screenshots = path.join(repoRoot, 'test-results', 'screenshots');
  fs.mkdirSync(screenshots, { recursive: true });
  const verbose = process.env.ML_TEST_VERBOSE === '1';
  const results: Result[] = [];
  const record = (name: string, ok: boolean, detail: string) => {
    results.push({ name, ok, detail });
    console.log(`${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
  };
  const check = async (name: string, body: () => Promise<string>): Promise<boolean> => {
    const started = Date.now();
    try {
      record(name, true, `${await body()} (${formatDuration(Date.now() - started)})`);
      return true;
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).replace(ANSI_COLOUR, '');
      record(name, false, message.split('\n').filter((line) => line.trim() && line.trim() !== 'Call log:').slice(0, 4).join(' | '));
      return false;
    }
  };
  const expect = (condition: boolean, message: string) => {
    if (!condition) throw new Error(message);
  };

  for (const file of ['dist/extension.js', 'dist/webview/compare.js', 'dist/webview/compare.css']) {
    if (!fs.existsSync(path.join(repoRoot, file))) {
      record('build present', false, `${file} is missing: run node scripts/build.mjs first`);
      console.log('0 passed, 1 failed');
      return 1;
    }
  }
  const buildProblem = extensionBuildProblem(repoRoot);
  if (buildProblem) console.log(`warning: ${buildProblem}`);

  const started = Date.now();
  let workspace: TempWorkspace | undefined;
  let expected: Expected | undefined;
  let server: CodeServerHandle | undefined;
  let browser: Browser | undefined;
  const dialogs: string[] = [];
  const webviewErrors: string[] = [];
  const workbenchErrors: string[] = [];
  try {
    ({ workspace, expected } = buildWorkspace(repoRoot));
    console.log(`workspace ${workspace.path} written in ${formatDuration(Date.now() - started)}`);
    server = await startCodeServer({
      workspaceFolder: workspace.path,
      repoRoot,
      onOutput: verbose ? (line) => console.log(`[code-server] ${line}`) : undefined,
    });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss().catch(() => undefined);
    });
    page.on('console', (message) => {
      if (verbose) console.log(`[browser ${message.type()}] ${message.text()}`);
      if (message.type() !== 'error') return;
      const where = message.location().url;
      (/\/webview\//.test(where) ? webviewErrors : workbenchErrors).push(`${message.text()} (${where})`);
    });
    page.on('pageerror', (error) => workbenchErrors.push(`page error: ${error.message}`));
    await page.goto(server.url({ extensionDevelopmentPath: repoRoot }), { waitUntil: 'domcontentloaded', timeout: 60_000 });

    const loaded = await check('workbench loads', async () => {
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: 60_000 });
      // Room for the panels: they open beside an (empty) first editor group.
      await runPaletteCommand(page, 'View: Close Primary Side Bar', 'Close Primary Side Bar').catch(() => undefined);
      return `workbench up after ${formatDuration(Date.now() - started)}`;
    });
    if (!loaded) throw new Error('the workbench did not load');
    const importDeadline = Date.now() + 120_000;
    const shot = async (scenario: string) => {
      const file = path.join(screenshots, `${SCREENSHOT_PREFIX}${scenario}.png`);
      await page.waitForTimeout(300);
      await page.screenshot({ path: file });
      console.log(`screenshot ${file}`);
    };
    const facts = expected;

    // ---- (a) three MLflow runs -------------------------------------------------------------------
    let frame: FrameLocator | undefined;
    if (
      await check('MLflow: panel opens from the palette with 3 runs', async () => {
        const how = await openComparePanel(page, 'image-classifier', MLFLOW_RUN_IDS.length, importDeadline);
        frame = await waitForPanel(page, MLFLOW_RUN_IDS.length);
        const tab = await page.locator('.tabs-container .tab', { hasText: `Compare ${MLFLOW_RUN_IDS.length} runs` }).count();
        expect(tab === 1, `${tab} editor tabs titled "Compare ${MLFLOW_RUN_IDS.length} runs"`);
        return how;
      })
    ) {
      const panel = frame!;
      await check('MLflow: 3 run cards with the fixture run names', async () => {
        const names = await panel.locator('.card .card-name').allTextContents();
        expect(names.length === MLFLOW_RUN_IDS.length, `${names.length} cards`);
        expect([...names].sort().join(',') === [...facts.mlflow.names].sort().join(','), `card names ${names.join(', ')}; expected ${facts.mlflow.names.join(', ')}`);
        return names.join(', ');
      });
      await check('MLflow: params table lists every param of the fixture', async () => {
        const header = await panel.locator('#params thead th').allTextContents();
        expect(header.length === 1 + MLFLOW_RUN_IDS.length, `params header has ${header.length} columns: ${header.join(' | ')}`);
        const rows = await panel.locator('#params tbody tr:not(.vtable-spacer)').count();
        expect(rows === facts.mlflow.paramKeys, `${rows} param rows, expected ${facts.mlflow.paramKeys}`);
        const count = await panel.locator('#params .count').textContent();
        const want = `${facts.mlflow.paramKeys} shown · ${facts.mlflow.differingParams} of ${facts.mlflow.paramKeys} differ`;
        expect(count === want, `count reads "${count}", expected "${want}"`);
        return `${rows} rows; "${count}"`;
      });
      await check('MLflow: metric points and one chart per metric', async () => {
        const header = await metricHeader(panel);
        const pointsColumn = header.indexOf('Points');
        expect(pointsColumn > 0, `no "Points" column in ${header.join(' | ')}`);
        const loss = (await metricRows(panel)).filter((row) => row.group.startsWith('loss '));
        expect(loss.length === MLFLOW_RUN_IDS.length, `${loss.length} rows under "loss"`);
        expect(loss.every((row) => row.cells[pointsColumn] === String(facts.mlflow.lossPoints)), `loss points ${loss.map((r) => r.cells[pointsColumn]).join(', ')}, expected ${facts.mlflow.lossPoints}`);
        const charts = await panel.locator('.chart-card').count();
        expect(charts === facts.mlflow.metricKeys, `${charts} charts, expected ${facts.mlflow.metricKeys}`);
        return `loss: ${facts.mlflow.lossPoints} points per run; ${charts} charts`;
      });
      await shot('mlflow');
    }
    await closeAllEditors(page).catch((error) => console.log(`closing the editors failed: ${String(error)}`));

    // ---- (b) fifty runs, charts, smoothing -------------------------------------------------------
    if (
      await check(`sweep50: panel opens with ${SWEEP_RUNS} runs`, async () => {
        const how = await openComparePanel(page, 'sweep50', SWEEP_RUNS, importDeadline);
        frame = await waitForPanel(page, SWEEP_RUNS);
        return how;
      })
    ) {
      const panel = frame!;
      await check(`sweep50: ${SWEEP_RUNS} run cards and legend entries`, async () => {
        const cards = await panel.locator('.card').count();
        const legend = await panel.locator('.legend-item').count();
        expect(cards === SWEEP_RUNS && legend === SWEEP_RUNS, `${cards} cards, ${legend} legend items`);
        return `${cards} cards, ${legend} legend items`;
      });
      await check(`sweep50: ${SWEEP_METRICS.length} charts drawn with every run`, async () => {
        await panel.locator('#charts').scrollIntoViewIfNeeded();
        const charts = panel.locator('.chart-card canvas');
        expect((await charts.count()) === SWEEP_METRICS.length, `${await charts.count()} charts`);
        const titles = await panel.locator('.chart-card .chart-title').allTextContents();
        expect([...titles].sort().join(',') === [...SWEEP_METRICS].sort().join(','), `chart titles ${titles.join(', ')}`);
        // Charts are created when they scroll into view: wait for the first one to be drawn.
        let colours = 0;
        const until = Date.now() + 10_000;
        while (Date.now() < until && (colours = await canvasColours(panel, '.chart-card canvas')) <= 40) await sleep(250);
        expect(colours > 40, `only ${colours} colours on the first chart`);
        return `${titles.join(', ')}; ${colours} colours on the first chart`;
      });
      await check('sweep50: metric rows carry every step', async () => {
        const rowCount = Number(await panel.locator('#metrics table').getAttribute('aria-rowcount'));
        expect(rowCount === 1 + SWEEP_METRICS.length * (SWEEP_RUNS + 1), `aria-rowcount ${rowCount}`);
        const header = await metricHeader(panel);
        const rows = await metricRows(panel);
        const points = new Set(rows.map((row) => row.cells[header.indexOf('Points')]));
        const lastSteps = new Set(rows.map((row) => row.cells[header.indexOf('Last step')]));
        expect(points.size === 1 && points.has(String(SWEEP_STEPS)), `points cells ${[...points].join(', ')}`);
        expect(lastSteps.size === 1 && lastSteps.has(String(SWEEP_STEPS - 1)), `last step cells ${[...lastSteps].join(', ')}`);
        return `${rowCount - 1} rows; ${rows.length} in the DOM, each ${SWEEP_STEPS} points, last step ${SWEEP_STEPS - 1}`;
      });
      await check('sweep50: smoothing slider changes the label and the chart', async () => {
        const label = panel.locator('#smoothing + .slider-value');
        const before = await label.textContent();
        // A chart still settling (first draw, resize) would change without the slider.
        let pixelsBefore = await canvasDigest(panel, '.chart-card canvas');
        for (let settled = 0; settled < 10; settled++) {
          await sleep(200);
          const again = await canvasDigest(panel, '.chart-card canvas');
          if (again === pixelsBefore) break;
          pixelsBefore = again;
        }
        await panel.locator('#smoothing').fill('0.9');
        const until = Date.now() + 5000;
        let after = await label.textContent();
        while (after !== '0.90' && Date.now() < until) {
          await sleep(100);
          after = await label.textContent();
        }
        expect(after === '0.90', `label reads "${after}" after setting 0.9 (was "${before}")`);
        await sleep(300);
        const pixelsAfter = await canvasDigest(panel, '.chart-card canvas');
        expect(pixelsBefore !== pixelsAfter, 'the first chart did not change');
        return `label "${before}" → "${after}"; chart pixels ${pixelsBefore} → ${pixelsAfter}`;
      });
      await panel.locator('#charts').scrollIntoViewIfNeeded().catch(() => undefined);
      await shot('sweep50');
    }
    await closeAllEditors(page).catch((error) => console.log(`closing the editors failed: ${String(error)}`));

    // ---- (c) a thousand params, only differences ---------------------------------------------------
    if (
      await check('wide: panel opens with the 1,000-param run and its twin', async () => {
        const how = await openComparePanel(page, 'wide', 2, importDeadline);
        frame = await waitForPanel(page, 2);
        return how;
      })
    ) {
      const panel = frame!;
      const rowCount = async () => Number(await panel.locator('#params table').getAttribute('aria-rowcount')) - 1;
      await check('wide: all 1,000 params, only a window of rows in the DOM', async () => {
        const all = await rowCount();
        const inDom = await panel.locator('#params tbody tr:not(.vtable-spacer)').count();
        const count = await panel.locator('#params .count').textContent();
        expect(all === WIDE_PARAMS, `aria-rowcount says ${all} params`);
        expect(inDom > 0 && inDom < 200, `${inDom} rows in the DOM`);
        expect(count === `${WIDE_PARAMS} shown · ${facts.wide.differingParams} of ${WIDE_PARAMS} differ`, `count reads "${count}"`);
        return `${all} rows, ${inDom} rendered; "${count}"`;
      });
      await check('wide: "Only differences" changes the rows shown', async () => {
        const before = await rowCount();
        await panel.locator('#only-differences').click();
        const until = Date.now() + 5000;
        let after = await rowCount();
        while (after === before && Date.now() < until) {
          await sleep(100);
          after = await rowCount();
        }
        expect(after === facts.wide.differingParams, `${before} → ${after} rows, expected ${facts.wide.differingParams}`);
        const count = await panel.locator('#params .count').textContent();
        expect(count === `${facts.wide.differingParams} shown · ${facts.wide.differingParams} of ${WIDE_PARAMS} differ`, `count reads "${count}"`);
        const shown = await panel.locator('#params tbody tr:not(.vtable-spacer) th').allTextContents();
        expect(shown.length > 0 && shown.every((key) => key.endsWith('.setting_0')), `rows shown: ${shown.slice(0, 5).join(', ')}`);
        return `${before} → ${after} rows; "${count}"`;
      });
      await shot('wide');
    }
    await closeAllEditors(page).catch((error) => console.log(`closing the editors failed: ${String(error)}`));

    // ---- (d) hostile strings -----------------------------------------------------------------------
    if (
      await check('hostile: panel opens with the two payload runs', async () => {
        const how = await openComparePanel(page, 'hostile', 2, importDeadline);
        frame = await waitForPanel(page, 2);
        return how;
      })
    ) {
      const panel = frame!;
      await sleep(500); // an injected onerror/onload would have fired by now
      await check('hostile: run names are shown literally', async () => {
        const names = await panel.locator('.card .card-name').allTextContents();
        expect([...names].sort().join('\n') === [PAYLOAD_IMG, PAYLOAD_SCRIPT].sort().join('\n'), `card names ${JSON.stringify(names)}`);
        const legend = await panel.locator('.legend-item').allTextContents();
        expect(legend.includes(PAYLOAD_IMG) && legend.includes(PAYLOAD_SCRIPT), `legend ${JSON.stringify(legend)}`);
        return JSON.stringify(names);
      });
      await check('hostile: param keys, values and tags are shown literally', async () => {
        const cells = await panel.locator('#params tbody tr:not(.vtable-spacer) > *').allTextContents();
        for (const [key, value] of Object.entries(HOSTILE_PARAMS)) {
          expect(cells.includes(key), `no param cell ${JSON.stringify(key)}`);
          expect(cells.filter((c) => c === value).length === 2, `param value ${JSON.stringify(value)} not shown once per run`);
        }
        const tags = await panel.locator('.card .tag').allTextContents();
        const [tagKey, tagValue] = Object.entries(HOSTILE_TAGS)[0];
        expect(tags.filter((t) => t === `${tagKey}=${tagValue}`).length === 2, `tags ${JSON.stringify(tags)}`);
        return `${Object.keys(HOSTILE_PARAMS).length} params and a tag as text`;
      });
      await check('hostile: the metric key is shown literally', async () => {
        const groups = (await metricRows(panel)).map((row) => row.group);
        expect(groups.some((g) => g.startsWith(`${PAYLOAD_METRIC} `)), `metric groups ${JSON.stringify([...new Set(groups)])}`);
        const titles = await panel.locator('.chart-card .chart-title').allTextContents();
        expect(titles.includes(PAYLOAD_METRIC), `chart titles ${JSON.stringify(titles)}`);
        return JSON.stringify(PAYLOAD_METRIC);
      });
      await check('hostile: no element or script came from a payload', async () => {
        const { outer } = webviewFrames(page);
        const inPanel = await panel.locator(':root').evaluate(probeForInjection);
        const inHost = await outer.locator(':root').evaluate(probeForInjection);
        const inPage = await page.evaluate(probeForInjection);
        expect(inPanel.pwned === undefined && inHost.pwned === undefined && inPage.pwned === undefined, `window.__pwned: panel ${String(inPanel.pwned)}, webview host ${String(inHost.pwned)}, page ${String(inPage.pwned)}`);
        expect(inPanel.handlers === 0 && inPanel.stray === 0, `panel DOM: ${inPanel.handlers} inline handlers, ${inPanel.stray} img/svg/iframe/script elements`);
        expect(inPage.handlers === 0, `workbench DOM: ${inPage.handlers} inline handlers`);
        expect(dialogs.length === 0, `dialogs: ${dialogs.join('; ')}`);
        return 'window.__pwned undefined in the panel, its host frame and the page; no inline handlers; no dialogs';
      });
      await shot('hostile');
    }
    await closeAllEditors(page).catch((error) => console.log(`closing the editors failed: ${String(error)}`));

    // ---- (e) a running run, appended to ------------------------------------------------------------
    if (
      await check('live: panel opens with the running run and a reference', async () => {
        const how = await openComparePanel(page, 'live', 2, importDeadline);
        frame = await waitForPanel(page, 2);
        const status = await frame.locator('.card').filter({ has: frame.locator('.card-name', { hasText: /^live$/ }) }).locator('.badge').textContent();
        expect(status === 'RUNNING', `the live run's badge reads "${status}"`);
        return `${how}; badge RUNNING`;
      })
    ) {
      const panel = frame!;
      const liveCells = async () => {
        const header = await metricHeader(panel);
        const row = (await metricRows(panel)).find((r) => r.group.startsWith('loss ') && /^(★ )?live( \(baseline\))?$/.test(r.cells[0]));
        return row ? { points: row.cells[header.indexOf('Points')], lastStep: row.cells[header.indexOf('Last step')] } : undefined;
      };
      await check(`live: the metrics table shows the first ${LIVE_INITIAL_POINTS} points`, async () => {
        const cells = await liveCells();
        expect(cells?.points === String(LIVE_INITIAL_POINTS) && cells.lastStep === String(LIVE_INITIAL_POINTS - 1), `live row ${JSON.stringify(cells)}`);
        return `Points ${cells?.points}, Last step ${cells?.lastStep}`;
      });
      await check(`live: ${LIVE_APPENDED_POINTS} appended points show within ${LIVE_DEADLINE_MS / 1000} s`, async () => {
        const pixelsBefore = await canvasDigest(panel, '.chart-card canvas').catch(() => 'none');
        const appended = Date.now();
        for (let i = 0; i < LIVE_APPENDED_POINTS; i++) {
          const step = facts.liveNextStep++;
          facts.liveRun.log(step, { loss: 2 / (step + 1) });
        }
        const total = LIVE_INITIAL_POINTS + LIVE_APPENDED_POINTS;
        let cells = await liveCells();
        while (!(cells?.points === String(total) && cells.lastStep === String(total - 1)) && Date.now() - appended < LIVE_DEADLINE_MS) {
          await sleep(200);
          cells = await liveCells();
        }
        const took = Date.now() - appended;
        expect(cells?.points === String(total) && cells.lastStep === String(total - 1), `after ${formatDuration(took)}: live row ${JSON.stringify(cells)}, expected Points ${total}, Last step ${total - 1}`);
        const pixelsAfter = await canvasDigest(panel, '.chart-card canvas').catch(() => 'none');
        return `Points ${cells?.points}, Last step ${cells?.lastStep} after ${formatDuration(took)}; chart ${pixelsBefore === pixelsAfter ? 'unchanged' : 'redrawn'}`;
      });
      await shot('live');
    }

    await check('no console errors in the compare webviews, no dialogs', async () => {
      expect(dialogs.length === 0, `dialogs: ${dialogs.join('; ')}`);
      expect(webviewErrors.length === 0, `webview errors: ${webviewErrors.slice(0, 5).join('; ')}`);
      return `none (${workbenchErrors.length} console errors from the workbench itself, not counted)`;
    });
    for (const line of workbenchErrors.slice(0, verbose ? 50 : 5)) console.log(`note: workbench console error: ${line.slice(0, 300)}`);
  } catch (error) {
    record('harness', false, error instanceof Error ? (error.stack ?? error.message) : String(error));
  } finally {
    try {
      if (expected && !expected.liveRun.finished) expected.liveRun.finish();
    } catch {
      // the workspace may be gone already
    }
    await browser?.close().catch(() => undefined);
    await server?.stop().catch((error) => console.log(`stopping code-server failed: ${String(error)}`));
    try {
      workspace?.dispose();
    } catch (error) {
      console.log(`removing the workspace failed: ${String(error)}`);
    }
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`done after ${formatDuration(Date.now() - started)}`);
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143)); // codeServer's exit hook stops the server
  }
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      console.log('0 passed, 1 failed');
      process.exit(1);
    },
  );
}
