// Browser check of the Runs Table webview outside VS Code:
//
//   node scripts/build.mjs && npx tsc -p tsconfig.test.json && node out/test/harness/runsTableCheck.js
//
// 10,000 generated sweep runs in a real sql.js store plus hostile runs (a 6,000-character value, 20,000
// distinct param keys, HTML in names, all-NaN metrics, a run without params). The panel's own HTML
// (runsTableHtml, strict CSP) and dist/webview/runsTable.{js,css} are served from 127.0.0.1; the page's
// messages go to the same host-free RunsTableSession the panel uses, and its replies come back as
// messages. Dark and light, 1,600 and 500 px: grid roles, virtualisation, sort, multi-sort, keyboard
// selection, filter, group by, column chooser, parallel coordinates brushed (brush → table time),
// frame timing while scrolling. Screenshots in test-results/screenshots/runs-table-*.png.
// Ends with `N passed, N failed`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { sweepStore } from '../../bench/sweepStore';
import { runsTableHtml, RunsTableSession } from '../../src/runsTable';
import { isFromRunsTableWebview } from '../../src/shared/runsTableProtocol';
import type { Store } from '../../src/store';
import { findRepoRoot, launchChromium } from './codeServer';
import { evaluate, serveFiles, webviewInitScript } from './standaloneWebview';

// The page's document, for functions run in the page (the tests compile without the DOM library).
declare const document: { querySelector(selector: string): { textContent: string | null } | null; querySelectorAll(selector: string): { length: number } };

const RUNS = Number(process.env.RUNS_TABLE_CHECK_RUNS ?? 10_000);
const HOSTILE = '<img src=x onerror="window.__injected=1">';

async function buildStore(): Promise<Store> {
  const store = await sweepStore({ runs: RUNS, extraParams: 40, extraMetrics: 10 });
  const db = store.db;
  const add = (id: number, name: string, params: [string, string][], metrics: [string, number | null][]) => {
    db.run("INSERT INTO runs(id, uid, experiment_id, name, status, start_time, format) VALUES (?, ?, 1, ?, 'FINISHED', ?, 'jsonl')", [id, `bad:${id}`, name, 1_700_000_000_000 + id]);
    for (const [k, v] of params) db.run('INSERT INTO params(run_id, key, value) VALUES (?, ?, ?)', [id, k, v]);
    for (const [k, v] of metrics) db.run('INSERT INTO metric_series(run_id, key, point_count, last_value, last_is_nan, min_value, max_value, last_step) VALUES (?, ?, 3, ?, ?, ?, ?, 2)', [id, k, v, v === null ? 1 : 0, v, v]);
  };
  store.transaction(() => {
    add(RUNS + 1, `${HOSTILE} <script>window.__injected=2</script>`, [['lr', '0.01'], ['note', HOSTILE]], [['val_loss', 0.5]]);
    add(RUNS + 2, 'long/value.run ünïcødé 🚀', [['lr', '0.02'], ['long', 'x'.repeat(6000)]], [['val_loss', null], ['all_nan', null]]);
    add(RUNS + 3, 'no-params', [], [['val_loss', 0.4]]);
    add(RUNS + 4, 'many-keys', Array.from({ length: 20_000 }, (_, i) => [`key_${String(i).padStart(5, '0')}.a/b`, String(i)] as [string, string]), [['val_loss', 0.45]]);
  });
  return store;
}

interface Result {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Routes the page's posted messages to a session and posts the replies back as the host would. */
async function connect(page: Page, session: RunsTableSession): Promise<void> {
  await page.exposeFunction('__host', (message: unknown) => (isFromRunsTableWebview(message) ? (session.handle(message) ?? null) : null));
  await page.addInitScript(`
    const fake = window.acquireVsCodeApi;
    window.acquireVsCodeApi = () => {
      const api = fake();
      return { ...api, postMessage: (m) => { api.postMessage(m); window.__host(m).then((r) => r && window.dispatchEvent(new MessageEvent('message', { data: r }))); } };
    };
  `);
}

/** Scrolls the grid for `ms` and returns the frame intervals (requestAnimationFrame) meanwhile. */
async function scrollFrames(page: Page, ms: number): Promise<{ frames: number; slow: number; worst: number }> {
  return evaluate(
    page,
    `new Promise((resolve) => {
      const grid = document.querySelector('.grid');
      const times = [];
      const start = performance.now();
      const step = (t) => {
        times.push(t);
        grid.scrollTop += 97;
        grid.scrollLeft = (grid.scrollLeft + 37) % 4000;
        if (t - start < ${ms}) requestAnimationFrame(step);
        else {
          const d = times.slice(1).map((x, i) => x - times[i]);
          resolve({ frames: d.length, slow: d.filter((x) => x > 16.7 + 0.5).length, worst: Math.max(...d) });
        }
      };
      requestAnimationFrame(step);
    })`,
  );
}

async function main(): Promise<number> {
  const repo = process.env.ML_REPO_ROOT ?? findRepoRoot(__dirname);
  const dist = path.join(repo, 'dist', 'webview');
  const screenshots = path.join(repo, 'test-results', 'screenshots');
  fs.mkdirSync(screenshots, { recursive: true });
  const t0 = Date.now();
  const store = await buildStore();
  console.log(`store with ${RUNS + 4} runs built in ${Date.now() - t0} ms`);
  const results: Result[] = [];
  const browser = await launchChromium();
  const files: Record<string, { type: string; body: string | Buffer }> = {
    '/runsTable.js': { type: 'text/javascript', body: fs.readFileSync(path.join(dist, 'runsTable.js')) },
    '/runsTable.css': { type: 'text/css', body: fs.readFileSync(path.join(dist, 'runsTable.css')) },
  };
  const server = await serveFiles(files);
  try {
    for (const theme of ['dark', 'light'] as const) {
      for (const width of [1600, 500]) {
        const tag = `${theme} ${width}px`;
        const check = async (name: string, body: () => Promise<string>) => {
          try {
            const detail = await body();
            results.push({ name: `${tag}: ${name}`, ok: true, detail });
            console.log(`ok   ${tag}: ${name}: ${detail}`);
          } catch (error) {
            results.push({ name: `${tag}: ${name}`, ok: false, detail: (error as Error).message });
            console.log(`FAIL ${tag}: ${name}: ${(error as Error).message.split('\n').slice(0, 12).join(' | ')}`);
          }
        };
        const expect = (condition: boolean, message: string) => {
          if (!condition) throw new Error(message);
        };
        const hostStart = performance.now();
        const session = new RunsTableSession(store.db, {}, undefined, 'Runs');
        const init = session.init();
        const hostMs = performance.now() - hostStart;
        files['/'] = { type: 'text/html', body: runsTableHtml({ cspSource: server.origin, scriptUri: `${server.origin}/runsTable.js`, styleUri: `${server.origin}/runsTable.css`, initial: init }) };
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        await page.addInitScript(webviewInitScript(theme));
        await connect(page, session);
        const status = () => page.locator('.status').textContent();
        // Functions, not strings: the page's CSP has no 'unsafe-eval'.
        const statusStarts = (prefix: string, negate = false) =>
          page.waitForFunction(([p, n]) => (document.querySelector('.status')?.textContent ?? '').startsWith(p as string) !== n, [prefix, negate] as const, { timeout: 20_000 });
        const all = `${(RUNS + 4).toLocaleString('en-US')} of`;

        await check('opens with the inlined first window', async () => {
          const t = Date.now();
          await page.goto(`${server.origin}/`, { waitUntil: 'load' });
          await page.locator('.body .row').first().waitFor({ timeout: 20_000 });
          return `host (load + first screen) ${hostMs.toFixed(0)} ms, page ${Date.now() - t} ms, first message ${(JSON.stringify(init).length / 1024).toFixed(1)} KB`;
        });
        await check('a real grid: roles, counts, virtualised rows and columns', async () => {
          const rowcount = Number(await page.locator('.grid').getAttribute('aria-rowcount'));
          const colcount = Number(await page.locator('.grid').getAttribute('aria-colcount'));
          const rows = await page.locator('.body [role=row]').count();
          const cells = await page.locator('.body [role=gridcell]').count();
          expect(rowcount === RUNS + 4 + 1, `aria-rowcount ${rowcount}`);
          expect(colcount > 50 && colcount < 500, `aria-colcount ${colcount}`);
          expect(rows > 10 && rows < 200, `${rows} rows in the DOM`);
          expect(cells < rows * 90, `${cells} cells in the DOM`);
          expect((await page.locator('[role=columnheader]').count()) > 3, 'column headers');
          return `aria-rowcount ${rowcount}, aria-colcount ${colcount}; ${rows} rows and ${cells} cells in the DOM`;
        });
        if (width === 1600) {
          await check('sort by a header, Shift for a second key, missing last', async () => {
            await page.locator('[role=columnheader]', { hasText: /^Status/ }).first().click();
            await page.waitForFunction(() => document.querySelector('[role=columnheader][aria-sort=ascending]')?.textContent?.startsWith('Status'), undefined, { timeout: 10_000 });
            await page.locator('[role=columnheader]', { hasText: /^Name/ }).first().click({ modifiers: ['Shift'] });
            await page.waitForFunction(() => document.querySelectorAll('[role=columnheader]:not([aria-sort=none])').length === 2, undefined, { timeout: 10_000 });
            const firstStatus = await page.locator('.body .row .cell').first().textContent();
            expect(firstStatus === 'FAILED', `first row's status ${firstStatus}`);
            const sort = session.model.view.sort.map((s) => `${s.column}${s.descending ? '↓' : '↑'}`).join(', ');
            return `sorted by ${sort}`;
          });
          await check('keyboard: arrows move, Space selects, Shift+Down extends', async () => {
            await page.locator('.grid').focus();
            await page.keyboard.press('ArrowDown');
            await page.keyboard.press('Space');
            await page.keyboard.press('Shift+ArrowDown');
            await page.keyboard.press('Shift+ArrowDown');
            await page.waitForFunction(() => document.querySelectorAll('.body [aria-selected=true]').length === 3, undefined, { timeout: 10_000 });
            const active = await page.locator('.grid').getAttribute('aria-activedescendant');
            return `3 rows selected; active cell ${active}; ${await status()}`;
          });
          await check('hostile strings stay text; long values cut with a tooltip', async () => {
            await page.locator('input.search').fill('many-keys');
            await statusStarts('1 of');
            await page.locator('input.search').fill('script');
            await page.locator('.body .row .cell', { hasText: '<img' }).first().waitFor({ timeout: 10_000 });
            const name = await page.locator('.body .row .cell').nth(1).textContent();
            expect((name ?? '').includes('<img'), `name cell "${name}"`);
            expect((await evaluate(page, 'window.__injected')) === undefined && (await page.locator('.grid img, .grid script').count()) === 0, 'a run string became HTML');
            await page.locator('input.search').fill('ünïcødé');
            await page.locator('.body .row .cell', { hasText: 'ünïcødé' }).first().waitFor({ timeout: 10_000 });
            const chooser = session.model.searchColumns('long', 5);
            await page.locator('input.search').fill('');
            await statusStarts(all);
            return `no injection; ${chooser.total} "long" columns`;
          });
          await check('filter with the Runs view language, then group by', async () => {
            await page.locator('input.filter').fill('params.optimizer = sgd and val_loss < 0.8');
            await page.locator('input.filter').press('Enter');
            await statusStarts(all, true);
            const filtered = await status();
            await page.locator('select[aria-label="Group by"]').selectOption('p:batch_size');
            await page.locator('.row.group').first().waitFor({ timeout: 10_000 });
            const groups = await page.locator('.row.group').count();
            await page.screenshot({ path: path.join(screenshots, `runs-table-${theme}-grouped.png`) });
            await page.locator('select[aria-label="Group by"]').selectOption('');
            await page.locator('input.filter').fill('');
            await page.locator('input.filter').press('Enter');
            await statusStarts(all);
            return `${filtered}; ${groups} groups`;
          });
          await check('column chooser finds one of 20,000 keys and shows it', async () => {
            await page.getByRole('button', { name: 'Columns…' }).click();
            await page.locator('input[aria-label="Search columns"]').fill('key_19999');
            await page.locator('.chooser-count', { hasText: /^1 columns match/ }).waitFor({ timeout: 10_000 });
            const count = await page.locator('.chooser-count').textContent();
            await page.locator('.chooser-item input[type=checkbox]').first().check();
            for (let i = 0; i < 50 && !session.model.view.columns.includes('p:key_19999.a/b'); i++) await page.waitForTimeout(100);
            expect(session.model.view.columns.includes('p:key_19999.a/b'), 'column not shown');
            await page.getByRole('button', { name: 'Close' }).click();
            return `${count}`;
          });
        }
        await check('scrolling: frame timing', async () => {
          const timing = await scrollFrames(page, 2500);
          await page.waitForTimeout(300);
          return `${timing.frames} frames, ${((100 * timing.slow) / Math.max(1, timing.frames)).toFixed(1)}% over 16.7 ms, worst ${timing.worst.toFixed(1)} ms`;
        });
        await page.locator('.grid').evaluate((g) => {
          g.scrollTop = 0;
          g.scrollLeft = 0;
        });
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(screenshots, `runs-table-${theme}-${width}.png`) });
        await check('parallel coordinates: brushing an axis filters the table', async () => {
          await page.getByRole('button', { name: 'Sweep views' }).click();
          await page.locator('.sweep-info', { hasText: 'inside the brushes' }).waitFor({ timeout: 20_000 });
          const box = (await page.locator('canvas.plot').boundingBox())!;
          // The first axis (lr) sits 40 px from the canvas' left edge; brush its upper third.
          const x = box.x + 40;
          const t = Date.now();
          await page.mouse.move(x, box.y + box.height * 0.3);
          await page.mouse.down();
          await page.mouse.move(x, box.y + 90, { steps: 4 });
          await page.mouse.move(x, box.y + box.height - 10, { steps: 4 });
          await page.mouse.up();
          await statusStarts(all, true);
          const ms = Date.now() - t;
          const info = await page.locator('.sweep-info').textContent();
          await page.screenshot({ path: path.join(screenshots, `runs-table-${theme}-${width}-parallel.png`) });
          expect(session.model.view.brushes.length === 1, 'no brush reached the host');
          return `${await status()}; ${info}; brush gesture → table ${ms} ms`;
        });
        await check('importance names its methods', async () => {
          await page.getByRole('tab', { name: 'Parameter importance' }).click();
          await page.locator('.importance .method').waitFor({ timeout: 30_000 });
          const method = await page.locator('.importance .method').textContent();
          const first = await page.locator('.importance tbody th').first().textContent();
          expect(/Random forest/.test(method ?? '') && /Pearson/.test(method ?? ''), `method text ${method}`);
          await page.screenshot({ path: path.join(screenshots, `runs-table-${theme}-${width}-importance.png`) });
          return `top feature ${first}`;
        });
        await check('no script errors, no CSP violations', async () => {
          const csp = await evaluate<string[]>(page, 'window.__csp');
          expect(errors.length === 0, errors.join(' | '));
          expect(csp.length === 0, csp.join(' | '));
          return 'none';
        });
        await page.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
    await store.close();
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

void main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
