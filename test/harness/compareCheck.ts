// Browser check of the "Compare runs" webview outside VS Code:
//
//   node scripts/build.mjs && npx tsc -p tsconfig.test.json && node out/test/harness/compareCheck.js
//
// Builds a real in-memory store (50 runs × 3 metrics × 5,000 points, 1,200 params per run, hostile
// strings in names and values), runs buildComparison on it, and serves the panel's own HTML
// (compareHtml, same strict CSP) with dist/webview/compare.{js,css} from a local http server on
// 127.0.0.1. A fake `acquireVsCodeApi` records what the webview posts. Checks the tables, charts,
// toggles, exports, zoom and live update, that nothing breaks the CSP and that no run string is
// parsed as HTML, then saves test-results/screenshots/compare-{dark,light}[-charts].png.
// Ends with `N passed, N failed`; exits 0 only when every check passed.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { buildComparison } from '../../src/compare/compareData';
import { compareHtml } from '../../src/compare/compareHtml';
import type { SeriesData, ToCompareWebview } from '../../src/shared/compareProtocol';
import { appendMetricPoints, Store } from '../../src/store';
import { findRepoRoot, launchChromium } from './codeServer';
import { evaluate, webviewInitScript } from './standaloneWebview';

const RUNS = 50;
const POINTS = 5000;
const PARAMS = 1200;
const METRICS = ['train/loss', 'val/accuracy', 'val/loss'];
const HOSTILE = '<img src=x onerror="window.__injected=1">|`x`</script>';



interface Result {
  name: string;
  ok: boolean;
  detail: string;
}

async function buildState(): Promise<{ init: ToCompareWebview; differing: number; totalParams: number }> {
  const { store } = await Store.open(undefined);
  store.db.run("INSERT INTO experiments(uid, name, format) VALUES ('jsonl:sweep', 'sweep <b>bold</b>', 'jsonl')");
  let differing = 0;
  store.transaction(() => {
    for (let r = 0; r < RUNS; r++) {
      const name = r === 3 ? `run-${r} <script>window.__injected=2</script>` : `lr-sweep-${String(r).padStart(2, '0')}`;
      store.db.run(
        "INSERT INTO runs(uid, experiment_id, external_id, name, status, start_time, end_time, format, source_path, git_commit) VALUES (?, 1, ?, ?, ?, ?, ?, 'jsonl', ?, ?)",
        [`jsonl:runs/r${r}.jsonl`, `id${r}`, name, r % 7 === 0 ? 'RUNNING' : r % 11 === 0 ? 'FAILED' : 'FINISHED', 1_700_000_000_000 + r * 1000, r % 7 === 0 ? null : 1_700_000_000_000 + r * 1000 + 3_600_000 + r * 60_000, `runs/r${r}.jsonl`, `${(r * 2654435761).toString(16).padStart(8, '0')}deadbeefcafe`],
      );
      const runId = r + 1;
      store.db.run("INSERT INTO run_tags(run_id, key, value) VALUES (?, 'team', 'vision'), (?, 'sweep', 'lr')", [runId, runId]);
      for (let p = 0; p < PARAMS; p++) {
        // Every 10th param differs between runs; one holds hostile text; one is very long.
        const value = p === 5 ? HOSTILE : p === 6 ? `a very long value ${'x'.repeat(300)} ${r}` : p % 10 === 0 ? String(r * p) : `same-${p}`;
        store.db.run('INSERT INTO params(run_id, key, value) VALUES (?, ?, ?)', [runId, `model.layer_${p}.setting`, value]);
      }
      const steps = Array.from({ length: POINTS }, (_, i) => i * 10);
      const timestamps = steps.map((s) => 1_700_000_000_000 + r * 1000 + s * 700);
      const lr = 1 + r / 10;
      const noise = (i: number) => Math.sin(i * 12.9898 + r * 78.233) * 0.02;
      appendMetricPoints(store.db, runId, 'train/loss', { steps, timestamps, values: steps.map((s, i) => 2.3 * Math.exp(-s / (8000 * lr)) + 0.1 + noise(i)) });
      appendMetricPoints(store.db, runId, 'val/loss', { steps, timestamps, values: steps.map((s, i) => 2.4 * Math.exp(-s / (9000 * lr)) + 0.2 + r / 500 + noise(i) * 2) });
      appendMetricPoints(store.db, runId, 'val/accuracy', { steps, timestamps, values: steps.map((s, i) => 0.95 - 0.85 * Math.exp(-s / (7000 * lr)) - r / 1000 + noise(i)) });
    }
  });
  // Differ: every 10th param except p = 0 (r * 0 is "0" everywhere), and the long value (it ends in r).
  for (let p = 0; p < PARAMS; p++) if ((p % 10 === 0 && p > 0) || p === 6) differing++;
  const model = buildComparison(
    store.db,
    Array.from({ length: RUNS }, (_, r) => `jsonl:runs/r${r}.jsonl`),
    { maxPointsPerSeries: POINTS },
  );
  await store.close();
  return { init: { type: 'init', folder: 'file:///workspace', model, onlyDifferences: false }, differing, totalParams: PARAMS };
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

/** Runs in the page before any of its scripts: the fake VS Code API and a CSP-violation log. */
async function main(): Promise<number> {
  const repo = process.env.ML_REPO_ROOT ?? findRepoRoot(__dirname);
  const dist = path.join(repo, 'dist', 'webview');
  const screenshots = path.join(repo, 'test-results', 'screenshots');
  fs.mkdirSync(screenshots, { recursive: true });
  for (const f of ['compare.js', 'compare.css']) {
    if (!fs.existsSync(path.join(dist, f))) {
      console.error(`${path.join(dist, f)} is missing: run node scripts/build.mjs first`);
      console.log('0 passed, 1 failed');
      return 1;
    }
  }
  const started = Date.now();
  const { init, differing, totalParams } = await buildState();
  console.log(`state built in ${Date.now() - started} ms`);

  const results: Result[] = [];
  const browser = await launchChromium();
  const files: Record<string, { type: string; body: string | Buffer }> = {
    '/compare.js': { type: 'text/javascript', body: fs.readFileSync(path.join(dist, 'compare.js')) },
    '/compare.css': { type: 'text/css', body: fs.readFileSync(path.join(dist, 'compare.css')) },
  };
  const server = await serve(files);
  files['/'] = { type: 'text/html', body: compareHtml({ cspSource: server.origin, scriptUri: `${server.origin}/compare.js`, styleUri: `${server.origin}/compare.css`, initial: init }) };
  console.log(`page: ${(files['/'].body.length / 1e6).toFixed(1)} MB of HTML (state inlined)`);

  try {
    for (const themeName of ['dark', 'light'] as const) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const consoleErrors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => consoleErrors.push(`${e.message} ${(e.stack ?? '').split('\n').slice(1, 4).join(' | ')}`));
      await page.addInitScript(webviewInitScript(themeName));
      const check = async (name: string, body: () => Promise<string>) => {
        const t = Date.now();
        try {
          const detail = await body();
          results.push({ name: `${themeName}: ${name}`, ok: true, detail: `${detail} (${Date.now() - t} ms)` });
          console.log(`ok   ${themeName}: ${name}: ${detail}`);
        } catch (error) {
          results.push({ name: `${themeName}: ${name}`, ok: false, detail: (error as Error).message });
          console.log(`FAIL ${themeName}: ${name}: ${(error as Error).message}`);
        }
      };
      const expect = (condition: boolean, message: string) => {
        if (!condition) throw new Error(message);
      };

      await check('page loads and renders the inlined state', async () => {
        const t = Date.now();
        await page.goto(server.origin + '/', { waitUntil: 'load', timeout: 60_000 });
        await page.locator('h1', { hasText: `Compare ${RUNS} runs` }).waitFor({ timeout: 30_000 });
        return `first render ${Date.now() - t} ms`;
      });
      await check('posts ready', async () => {
        const posted = await evaluate<{ type: string }[]>(page, 'window.__posted');
        expect(posted.some((m) => m.type === 'ready'), `posted: ${JSON.stringify(posted)}`);
        return 'ready received';
      });
      await check('run cards', async () => {
        const n = await page.locator('.card').count();
        expect(n === RUNS, `${n} cards`);
        expect((await page.locator('.card.baseline').count()) === 1, 'one baseline card');
        return `${n} cards, 1 baseline`;
      });
      await check('params table renders only a window of rows', async () => {
        const rendered = await page.locator('#params tbody tr:not(.vtable-spacer)').count();
        const count = await page.locator('#params .count').textContent();
        expect(rendered > 10 && rendered < 200, `${rendered} rows in the DOM`);
        expect(count === `${totalParams} shown · ${differing} of ${totalParams} differ`, `count reads "${count}"`);
        return `${rendered} of ${totalParams} rows in the DOM; "${count}"`;
      });
      await check('hostile strings are text, never HTML', async () => {
        await page.waitForTimeout(200);
        const injected = await evaluate<unknown>(page, 'window.__injected');
        expect(injected === undefined, `window.__injected = ${String(injected)}`);
        expect((await page.locator('#params img, #runs img, #runs script').count()) === 0, 'an element was created from a run string');
        const cell = await page.locator('#params td', { hasText: '<img src=x onerror=' }).first().textContent();
        expect(cell === HOSTILE, `cell text ${cell}`);
        const title = await page.locator('#params td', { hasText: 'a very long value' }).first().getAttribute('title');
        expect((title ?? '').length > 300, 'long value has its full text in title');
        return 'no injection; long values truncated with a title';
      });
      await check('"only differences" toggles the params', async () => {
        await page.locator('#only-differences').click();
        await page.waitForFunction(`document.querySelector('#params .count').textContent.startsWith('${differing} shown')`, undefined, { timeout: 5000 });
        const posted = await evaluate<{ type: string; onlyDifferences?: boolean }[]>(page, 'window.__posted');
        expect(posted.some((m) => m.type === 'toggleDifferences' && m.onlyDifferences === true), 'toggleDifferences not posted');
        const state = await evaluate<{ onlyDifferences?: boolean; runUids?: string[] }>(page, 'window.__state');
        expect(state.onlyDifferences === true && state.runUids?.length === RUNS, `state ${JSON.stringify(state).slice(0, 200)}`);
        return `${differing} rows; state persisted`;
      });
      await check('search filters params', async () => {
        await page.locator('#param-search').click();
        await page.keyboard.type('layer_10.');
        await page.waitForFunction(`document.querySelector('#params .count').textContent.startsWith('1 shown')`, undefined, { timeout: 5000 });
        for (let i = 0; i < 9; i++) await page.keyboard.press('Backspace');
        await page.waitForFunction(`document.querySelector('#params .count').textContent.startsWith('${differing} shown')`, undefined, { timeout: 5000 });
        return 'one match, then all again';
      });
      await check('metrics table', async () => {
        // Virtualized: a group row per metric plus a row per (metric, run), only a window in the DOM.
        const rowCount = Number(await page.locator('#metrics table').getAttribute('aria-rowcount'));
        expect(rowCount === 1 + METRICS.length * (RUNS + 1), `aria-rowcount ${rowCount}`);
        const first = await page.locator('#metrics tr.group th').first().textContent();
        expect(first === `${METRICS[0]} ↓ lower is better`, `first group reads ${first}`);
        expect((await page.locator('#metrics tr.best').count()) >= 0, 'best row');
        const star = await page.locator('#metrics tr.best th').allTextContents();
        return `${rowCount - 1} rows; best in view: ${star.join(', ') || 'none in the first window'}`;
      });
      await check('one chart per metric with every run drawn', async () => {
        await page.locator('#charts').scrollIntoViewIfNeeded();
        await page.waitForTimeout(500);
        const n = await page.locator('.chart-card canvas').count();
        expect(n === METRICS.length, `${n} charts`);
        // Count distinct non-background colours on the first canvas: 50 runs draw many hues.
        const colours = await evaluate<number>(
          page,
          `(() => { const c = document.querySelector('.chart-card canvas'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             const seen = new Set(); for (let i = 0; i < d.length; i += 16) seen.add((d[i] >> 4) << 8 | (d[i+1] >> 4) << 4 | (d[i+2] >> 4)); return seen.size; })()`,
        );
        expect(colours > 40, `only ${colours} colours on the canvas`);
        return `${n} charts, ${colours} colours on the first`;
      });
      await check('legend hides a run', async () => {
        const item = page.locator('.legend-item').first();
        await item.click();
        expect((await item.getAttribute('aria-pressed')) === 'false', 'aria-pressed stays true');
        await item.click();
        return 'toggled off and on';
      });
      await check('smoothing, log scale and x axis', async () => {
        await page.locator('#smoothing').fill('0.9');
        await page.locator('#log-scale').click();
        await evaluate(page, `(() => { const s = document.querySelector('#x-axis'); s.value = 'relative'; s.dispatchEvent(new Event('change')); })()`);
        await page.waitForTimeout(300);
        const title = await page.locator('#smoothing + .slider-value').textContent();
        expect(title === '0.90', `slider reads ${title}`);
        return 'applied without errors';
      });
      if (themeName === 'dark') {
        await check('PNG export posts a data URL', async () => {
          await page.locator('.chart-card vscode-button', { hasText: 'PNG' }).first().click();
          const posted = await evaluate<{ type: string; format?: string; dataUrl?: string }[]>(page, 'window.__posted');
          const png = posted.find((m) => m.type === 'export' && m.format === 'png');
          expect(!!png?.dataUrl?.startsWith('data:image/png;base64,') && png.dataUrl.length > 5000, 'no PNG posted');
          return `${png?.dataUrl?.length} chars`;
        });
        await check('CSV and Markdown exports post requests', async () => {
          await page.locator('header vscode-button', { hasText: 'Export CSV' }).click();
          await page.locator('header vscode-button', { hasText: 'Copy as Markdown' }).click();
          const posted = await evaluate<{ type: string; format?: string; target?: string }[]>(page, 'window.__posted');
          expect(posted.some((m) => m.type === 'export' && m.format === 'csv' && m.target === 'file'), 'no csv export');
          expect(posted.some((m) => m.type === 'export' && m.format === 'markdown' && m.target === 'clipboard'), 'no markdown export');
          await evaluate(page, `window.postMessage({ type: 'exportResult', format: 'markdown', ok: true, message: 'Copied the comparison as Markdown' }, '*')`);
          await page.locator('.status', { hasText: 'Copied' }).waitFor({ timeout: 3000 });
          return 'both posted; result shown';
        });
        await check('shift+drag zooms and asks for full resolution', async () => {
          await evaluate(page, `(() => { const s = document.querySelector('#x-axis'); s.value = 'step'; s.dispatchEvent(new Event('change')); })()`);
          const box = await page.locator('.chart-box').first().boundingBox();
          if (!box) throw new Error('no chart box');
          await page.keyboard.down('Shift');
          await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
          await page.mouse.down();
          await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
          await page.mouse.up();
          await page.keyboard.up('Shift');
          const posted = await evaluate<{ type: string; requestId?: number; key?: string; runUids?: string[]; fromStep?: number; toStep?: number }[]>(page, 'window.__posted');
          const request = posted.find((m) => m.type === 'requestRange');
          // Every series is sent whole (5,000 ≤ maxPointsPerSeries), so the webview needs nothing more.
          const resetVisible = await page.locator('.chart-card vscode-button', { hasText: 'Reset zoom' }).first().isVisible();
          expect(resetVisible, 'reset zoom not shown');
          if (request) {
            const fake: SeriesData = { runUid: request.runUids![0], key: request.key!, x: [request.fromStep!, request.toStep!], y: [1, 2], t: [0, 1], totalPoints: 2, fingerprint: 'f' };
            await evaluate(page, `window.postMessage(${JSON.stringify({ type: 'rangeData', requestId: request.requestId, series: [fake] })}, '*')`);
          }
          await page.locator('.chart-card vscode-button', { hasText: 'Reset zoom' }).first().click();
          return request ? `requestRange ${request.fromStep}..${request.toStep}` : 'zoomed (no request needed: series complete)';
        });
        await check('live update replaces only the sent series', async () => {
          const changed: SeriesData = { ...(init.type === 'init' ? init.model.series[0] : ({} as SeriesData)), y: Array.from({ length: POINTS }, () => 0.5), fingerprint: 'changed' };
          const { series: _series, ...tables } = init.type === 'init' ? init.model : ({} as never);
          await evaluate(page, `window.postMessage(${JSON.stringify({ type: 'update', model: tables, changedSeries: [changed], removedSeries: [] })}, '*')`);
          await page.waitForTimeout(300);
          expect((await page.locator('.card').count()) === RUNS, 'cards lost after update');
          return 'applied';
        });
        await check('keyboard: Tab reaches the toolbar buttons', async () => {
          await page.evaluate('window.scrollTo(0, 0)');
          await page.locator('h1').click();
          const reached: string[] = [];
          for (let i = 0; i < 6; i++) {
            await page.keyboard.press('Tab');
            reached.push(await evaluate<string>(page, `(document.activeElement && (document.activeElement.textContent || document.activeElement.tagName)).trim().slice(0, 30)`));
          }
          expect(reached.some((t) => t.includes('Export CSV')) && reached.some((t) => t.includes('Copy as Markdown')), `focus went ${reached.join(' → ')}`);
          return reached.join(' → ');
        });
        // Back to a clean view for the screenshots.
        await page.locator('#log-scale').click();
        await page.locator('#smoothing').fill('0.6');
      }
      await check('no CSP violations, no script errors', async () => {
        const csp = await evaluate<string[]>(page, 'window.__csp');
        const errors = [...(await evaluate<string[]>(page, 'window.__errors')), ...consoleErrors];
        expect(csp.length === 0, `CSP: ${csp.join('; ')}`);
        expect(errors.length === 0, `errors: ${errors.join('; ')}`);
        return 'clean';
      });

      await page.evaluate('window.scrollTo(0, 0)');
      await page.waitForTimeout(300);
      const top = path.join(screenshots, `compare-${themeName}.png`);
      await page.screenshot({ path: top });
      await page.locator('#metrics').scrollIntoViewIfNeeded();
      await page.evaluate(`document.querySelector('#metrics').scrollIntoView()`);
      await page.waitForTimeout(500);
      const lower = path.join(screenshots, `compare-${themeName}-charts.png`);
      await page.screenshot({ path: lower });
      console.log(`screenshots: ${top}, ${lower}`);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
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
