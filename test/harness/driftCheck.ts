// Browser check of the drift panel outside VS Code:
//
//   node scripts/build.mjs && npx tsc -p tsconfig.test.json && node out/test/harness/driftCheck.js
//
// Generates the demo's drift data (scripts/driftDemoData.cjs: 5,000 reference rows, 14 days × 500
// current rows; amount, country and sessions drift from DRIFT_START on; the model's predictions get
// worse from then, the challenger's do not), reads it with the real readers, builds the report with
// buildDriftReport and serves the panel's own HTML (driftHtml, same CSP) with dist/webview/drift.*.
// Checks against values computed here independently of the report code, then saves
// test-results/screenshots/drift-{dark,light}[-time|-performance].png.
// Ends with `N passed, N failed`; exits 0 only when every check passed.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { readDataset } from '../../src/datasets';
import { buildDriftReport } from '../../src/monitoring/driftReport';
import { driftHtml } from '../../src/monitoring/driftHtml';
import { parseRule, type AlertRule } from '../../src/monitoring/rules';
import type { DriftReportModel } from '../../src/shared/driftProtocol';
import { findRepoRoot, launchChromium } from './codeServer';
import { evaluate, webviewInitScript } from './standaloneWebview';

const HOSTILE = '<img src=x onerror=window.__injected=1>age';
const RESTORE = { referenceFile: '/w/data/reference.csv', currentFile: '/w/data/current.csv', folder: 'file:///w', model: 'churn-classifier', version: 1, window: 'day' as const };

interface DemoData {
  driftDemoCsv(options?: { seed?: number; referenceRows?: number; rowsPerDay?: number }): { reference: string; current: string };
  DRIFT_START: number;
  CURRENT_START: number;
  DAYS: number;
  DAY_MS: number;
  FEATURES: string[];
  DRIFTING: string[];
}


/** F1 of the positive class 1 for one day of the current CSV, counted straight from the text. */
function f1ForDay(csv: string, dayStart: number, dayEnd: number, predictionIndex: number): number {
  const lines = csv.trim().split('\n');
  const header = lines[0].split(',');
  const label = header.indexOf('label');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const t = Date.parse(`${cells[0]}Z`);
    if (t < dayStart || t >= dayEnd) continue;
    const y = cells[label] === '1';
    const p = cells[predictionIndex] === '1';
    if (y && p) tp++;
    else if (p) fp++;
    else if (y) fn++;
  }
  return (2 * tp) / (2 * tp + fp + fn);
}

function serve(files: Record<string, { type: string; body: string | Buffer }>): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const file = files[(req.url ?? '/').split('?')[0]];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ origin: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    }),
  );
}

/** Pixels of a canvas that differ from transparent: a chart that drew something has many. */
function inkScript(selector: string): string {
  return `(() => { const c = document.querySelector(${JSON.stringify(selector)}); if (!c) return -1; const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; })()`;
}

async function main(): Promise<number> {
  const repo = process.env.ML_REPO_ROOT ?? findRepoRoot(__dirname);
  const dist = path.join(repo, 'dist', 'webview');
  const screenshots = path.join(repo, 'test-results', 'screenshots');
  fs.mkdirSync(screenshots, { recursive: true });
  for (const f of ['drift.js', 'drift.css']) {
    if (!fs.existsSync(path.join(dist, f))) {
      console.error(`${path.join(dist, f)} is missing: run node scripts/build.mjs first`);
      console.log('0 passed, 1 failed');
      return 1;
    }
  }
  const demo = require(path.join(repo, 'scripts', 'driftDemoData.cjs')) as DemoData;
  const generated = demo.driftDemoCsv();
  // A hostile column name: it must show as text.
  const reference = generated.reference.replace('sessions,age,label', `sessions,${HOSTILE},label`);
  const current = generated.current.replace('sessions,age,label', `sessions,${HOSTILE},label`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-check-'));
  fs.writeFileSync(path.join(dir, 'reference.csv'), reference);
  fs.writeFileSync(path.join(dir, 'current.csv'), current);
  const [ref, cur] = await Promise.all([readDataset(path.join(dir, 'reference.csv'), { timestampColumn: 'timestamp' }), readDataset(path.join(dir, 'current.csv'), { timestampColumn: 'timestamp' })]);
  const rule = parseRule('f1 < 0.92 for 48h') as AlertRule;
  const model: DriftReportModel = buildDriftReport(ref.dataset, cur.dataset, {
    referenceLabel: 'data/reference.csv',
    currentLabel: 'data/current.csv',
    version: 'churn-classifier v1',
    timestampColumn: 'timestamp',
    window: 'day',
    labelColumn: 'label',
    predictionColumn: 'prediction',
    rules: [rule],
  });
  fs.rmSync(dir, { recursive: true, force: true });

  // Independent expectations, from the generator's spec and the raw text.
  const expectedDrifted = demo.DRIFTING.length;
  const expectedFirstWindow = (demo.DRIFT_START - demo.CURRENT_START) / demo.DAY_MS;
  const driftDate = new Date(demo.DRIFT_START).toISOString().slice(0, 10);
  const header = current.split('\n')[0].split(',');
  const day0 = demo.CURRENT_START;
  const lastDay = demo.CURRENT_START + (demo.DAYS - 1) * demo.DAY_MS;

  const results: { name: string; ok: boolean; detail: string }[] = [];
  const check = async (name: string, body: () => Promise<string> | string) => {
    try {
      const detail = await body();
      results.push({ name, ok: true, detail });
      console.log(`ok   ${name}: ${detail}`);
    } catch (error) {
      results.push({ name, ok: false, detail: (error as Error).message });
      console.log(`FAIL ${name}: ${(error as Error).message}`);
    }
  };
  const expect = (condition: boolean, message: string) => {
    if (!condition) throw new Error(message);
  };

  await check('report: drifted features are the generated ones', () => {
    const drifted = model.features.filter((f) => f.drifted).map((f) => f.column).sort();
    expect(JSON.stringify(drifted) === JSON.stringify([...demo.DRIFTING].sort()), `drifted: ${drifted.join(', ')}`);
    return drifted.join(', ');
  });
  await check('report: drift starts in the generated window', () => {
    expect(model.overTime?.firstDriftWindow === expectedFirstWindow, `first drift window ${model.overTime?.firstDriftWindow}, expected ${expectedFirstWindow}`);
    return `window ${expectedFirstWindow} (${driftDate})`;
  });
  await check('report: F1 per window equals a count from the CSV text', () => {
    const perf = model.performance;
    expect(!!perf, 'no performance');
    const champion = perf!.series.find((s) => s.name === 'prediction')!;
    const challenger = perf!.series.find((s) => s.name === 'prediction_v2')!;
    for (const [index, start] of [
      [0, day0],
      [expectedFirstWindow, demo.DRIFT_START],
      [demo.DAYS - 1, lastDay],
    ] as const) {
      const a = f1ForDay(current, start, start + demo.DAY_MS, header.indexOf('prediction'));
      const b = f1ForDay(current, start, start + demo.DAY_MS, header.indexOf('prediction_v2'));
      expect(Math.abs((champion.values.f1[index] ?? NaN) - a) < 1e-12, `champion F1 window ${index}: ${champion.values.f1[index]} vs ${a}`);
      expect(Math.abs((challenger.values.f1[index] ?? NaN) - b) < 1e-12, `challenger F1 window ${index}: ${challenger.values.f1[index]} vs ${b}`);
    }
    return `F1 day 0 ${champion.values.f1[0]?.toFixed(3)}, day ${expectedFirstWindow} ${champion.values.f1[expectedFirstWindow]?.toFixed(3)}`;
  });
  await check('report: the F1 rule breaches from the drift date for the champion only', () => {
    const breaches = model.performance?.breaches ?? [];
    expect(breaches.length === 1 && breaches[0].series === 'prediction' && breaches[0].start === demo.DRIFT_START, JSON.stringify(breaches));
    return `${breaches[0].rule} from ${new Date(breaches[0].start).toISOString()}`;
  });

  const browser = await launchChromium();
  const files: Record<string, { type: string; body: string | Buffer }> = {
    '/drift.js': { type: 'text/javascript', body: fs.readFileSync(path.join(dist, 'drift.js')) },
    '/drift.css': { type: 'text/css', body: fs.readFileSync(path.join(dist, 'drift.css')) },
  };
  const server = await serve(files);
  files['/'] = { type: 'text/html', body: driftHtml({ cspSource: server.origin, scriptUri: `${server.origin}/drift.js`, styleUri: `${server.origin}/drift.css`, initial: { type: 'init', model, restore: RESTORE } }) };
  try {
    for (const themeName of ['dark', 'light'] as const) {
      const page = await browser.newPage({ viewport: { width: 1300, height: 950 } });
      const consoleErrors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => consoleErrors.push(e.message));
      await page.addInitScript(webviewInitScript(themeName));
      const t = (name: string) => `${themeName}: ${name}`;
      await check(t('page renders the inlined report and posts ready'), async () => {
        await page.goto(server.origin + '/', { waitUntil: 'load', timeout: 60_000 });
        await page.locator('h1', { hasText: 'Drift: churn-classifier v1' }).waitFor({ timeout: 30_000 });
        const posted = await evaluate<{ type: string }[]>(page, 'window.__posted');
        expect(posted.some((m) => m.type === 'ready'), 'no ready');
        return 'ok';
      });
      await check(t('drifted rows and the share match the generated drift'), async () => {
        const drifted = await page.locator('table.features tbody tr.drifted').count();
        const rows = await page.locator('table.features tbody tr').count();
        expect(drifted === expectedDrifted, `${drifted} drifted rows, expected ${expectedDrifted}`);
        expect(rows === demo.FEATURES.length, `${rows} rows, expected ${demo.FEATURES.length}`);
        const share = await page.locator('#drift-share').textContent();
        expect(share === `${expectedDrifted} of ${demo.FEATURES.length} features drifted — share ${(expectedDrifted / demo.FEATURES.length).toFixed(2)}, threshold 0.5`, `share reads "${share}"`);
        expect((await page.locator('#verdict').textContent()) === 'Dataset drift detected', 'verdict');
        // Sorted by drift: the drifted rows come first.
        const classes = await page.locator('table.features tbody tr').evaluateAll((trs) => trs.map((tr) => tr.classList.contains('drifted')));
        expect(classes.slice(0, expectedDrifted).every(Boolean) && !classes.slice(expectedDrifted).some(Boolean), `order ${classes.join(',')}`);
        return `${drifted} of ${rows}; "${share}"`;
      });
      await check(t('every small histogram drew bars'), async () => {
        const inks = await evaluate<number[]>(
          page,
          `[...document.querySelectorAll('canvas.spark')].map((c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; })`,
        );
        expect(inks.length === demo.FEATURES.length && inks.every((n) => n > 200), `ink ${inks.join(', ')}`);
        return `ink ${inks.join(', ')}`;
      });
      await check(t('hostile column name is text'), async () => {
        await page.waitForTimeout(100);
        expect((await evaluate<unknown>(page, 'window.__injected')) === undefined, 'injected');
        expect((await page.locator('#root img').count()) === 0, 'an <img> was created from a column name');
        const cell = await page.locator('table.features th.name', { hasText: '<img' }).first().textContent();
        expect(cell === HOSTILE, `cell ${cell}`);
        return 'no injection';
      });
      await check(t('clicking a feature shows its large histogram and drift chart'), async () => {
        await page.locator('table.features tbody tr', { hasText: 'sessions' }).click();
        await page.locator('#detail h2', { hasText: 'Histogram: sessions' }).waitFor({ timeout: 5000 });
        await page.locator('#over-time h3', { hasText: 'Drift chart: sessions' }).waitFor({ timeout: 5000 });
        await page.waitForTimeout(200);
        const ink = await evaluate<number>(page, inkScript('#detail-histogram'));
        expect(ink > 5000, `large histogram ink ${ink}`);
        const state = await evaluate<{ selected?: string; restore?: unknown }>(page, 'window.__state');
        expect(state?.selected === 'sessions', `state ${JSON.stringify(state)}`);
        // What VS Code hands back to the serializer after a window reload.
        expect(JSON.stringify(state.restore) === JSON.stringify(RESTORE), `restore state ${JSON.stringify(state.restore)}`);
        return `ink ${ink}; selection and restore state persisted`;
      });
      await check(t('drift over time shows where drift starts'), async () => {
        const first = await page.locator('#first-drift').textContent();
        expect(first === `Dataset drift from the window starting ${driftDate}.`, `reads "${first}"`);
        for (const id of ['#share-chart', '#feature-chart', '#all-features-chart']) {
          const ink = await evaluate<number>(page, inkScript(id));
          expect(ink > 3000, `${id} ink ${ink}`);
        }
        return first ?? '';
      });
      await check(t('performance over time: breach, backtest, one chart per metric'), async () => {
        const breach = await page.locator('#breaches li.breach').allTextContents();
        expect(breach.length === 1 && breach[0].includes('prediction: f1 < 0.92 for 48h') && breach[0].includes(driftDate), `breaches ${JSON.stringify(breach)}`);
        expect((await page.locator('#backtest tr').count()) === 3, 'backtest rows');
        for (const metric of ['accuracy', 'precision', 'recall', 'f1']) {
          const ink = await evaluate<number>(page, inkScript(`#perf-${metric}`));
          expect(ink > 3000, `#perf-${metric} ink ${ink}`);
        }
        return breach[0];
      });
      await check(t('changing the window asks the host to recompute'), async () => {
        await evaluate(page, `(() => { const s = document.querySelector('#window'); s.value = 'week'; s.dispatchEvent(new Event('change')); })()`);
        const posted = await evaluate<{ type: string; window?: string }[]>(page, 'window.__posted');
        expect(posted.some((m) => m.type === 'setWindow' && m.window === 'week'), JSON.stringify(posted));
        expect((await page.locator('.status').textContent()) === 'Recomputing…', 'no "Recomputing…" status');
        // The host answers with a new report: the same one here.
        await evaluate(page, `window.postMessage(${JSON.stringify({ type: 'init', model })}, '*')`);
        await page.waitForFunction(`document.querySelector('.status').textContent === ''`, undefined, { timeout: 5000 });
        expect((await page.locator('table.features tbody tr.drifted').count()) === expectedDrifted, 'rows after re-render');
        return 'setWindow week posted; re-rendered from the reply';
      });
      await check(t('no CSP violations, no script errors'), async () => {
        const csp = await evaluate<string[]>(page, 'window.__csp');
        const errors = [...(await evaluate<string[]>(page, 'window.__errors')), ...consoleErrors];
        expect(csp.length === 0, `CSP: ${csp.join('; ')}`);
        expect(errors.length === 0, `errors: ${errors.join('; ')}`);
        return 'clean';
      });
      await page.evaluate('window.scrollTo(0, 0)');
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(screenshots, `drift-${themeName}.png`) });
      await page.evaluate(`document.querySelector('#over-time').scrollIntoView()`);
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(screenshots, `drift-${themeName}-time.png`) });
      await page.evaluate(`document.querySelector('#performance').scrollIntoView()`);
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(screenshots, `drift-${themeName}-performance.png`) });
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`screenshots: ${screenshots}/drift-*.png`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
