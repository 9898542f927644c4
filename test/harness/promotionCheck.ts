// Browser check of the promotion panel and the audit report, in headless Chromium:
//
//   node scripts/build.mjs && npx tsc -p tsconfig.test.json && node out/test/harness/promotionCheck.js
//
// (1) The panel's own HTML (promotionHtml, strict CSP) with dist/webview/promotion.{js,css}, served on
// 127.0.0.1. The host side is played by this script with the product's host-free code: a real ledger
// (LedgerRegistry) and policy file in a temp workspace, a store with the source runs, the state built
// by buildPromotionState, and every write the webview asks for done through LedgerRegistry with the
// policy's move check — the same calls the panel makes. Scenario: one failing and one passing gate
// (Promote disabled), the policy threshold is fixed in the file, the gate turns green, Promote with a
// reason; then the ledger's last event and the registry projection the Models tree reads are checked.
// (2) The audit report of the demo workspace (scripts/demoWorkspace.mjs, registry history written with
// the CLI as scripts/demo.mjs does), `model-ledger report --format html`, opened in Chromium.
// Expected values come from what this script wrote (file lines, fixture numbers), never from the product.
// Screenshots: test-results/screenshots/promotion-*.png, audit-report.png. Ends with `N passed, N failed`.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { loadPolicy, policyMoveCheck } from '../../src/policy';
import { promotionHtml } from '../../src/promotion/promotionHtml';
import { buildPromotionState } from '../../src/promotion/promotionState';
import type { Actor, Stage } from '../../src/registry/events';
import { LedgerRegistry, PolicyBlockedError } from '../../src/registry/ledgerRegistry';
import { listModels, listVersions } from '../../src/registry/queries';
import { ledgerModels, replaceRegistry } from '../../src/registry/storeProjection';
import type { FromPromotionWebview, ToPromotionWebview } from '../../src/shared/promotionProtocol';
import { appendMetricPoints, Store } from '../../src/store';
import { findRepoRoot, launchChromium } from './codeServer';
import { evaluate, webviewInitScript } from './standaloneWebview';

const ADA: Actor = { name: 'Ada Lovelace', email: 'ada@example.com' };
const BOB: Actor = { name: 'Bob Noyce', email: 'bob@example.com' };
const POLICY = (threshold: string) =>
  `version: 1\nmodels:\n  "*":\n    Production:\n      allowOverride: false\n      gates:\n        - metric: accuracy >= ${threshold}\n        - metric: val_loss <= production.val_loss * 1.05\n`;
/** Candidate v2's last accuracy and val_loss; Production v1's. Gate 1 fails at 0.95 and passes at 0.9; gate 2: 0.31 <= 0.3 × 1.05 = 0.315. */
const CANDIDATE = { accuracy: 0.925, val_loss: 0.31 };
const PRODUCTION = { accuracy: 0.9, val_loss: 0.3 };


function serve(files: Record<string, { type: string; body: string | Buffer }>): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const file = files[(req.url ?? '/').split('?')[0]];
    if (req.url === '/favicon.ico') res.writeHead(204).end();
    else if (!file) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ origin: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    }),
  );
}

/** The temp workspace: ledger (v1 in Production, v2 candidate), policy, store with both runs. */
async function buildWorkspace(root: string): Promise<{ store: Store; ledger: string; policyFile: string; registry: LedgerRegistry }> {
  fs.mkdirSync(path.join(root, '.model-ledger'), { recursive: true });
  const ledger = path.join(root, '.model-ledger', 'ledger.jsonl');
  const policyFile = path.join(root, '.model-ledger', 'policy.yaml');
  const { store } = await Store.open(undefined);
  store.db.run("INSERT INTO experiments (id, uid, name, format) VALUES (1, 'jsonl:churn', 'churn', 'jsonl')");
  store.db.run("INSERT INTO runs (id, uid, experiment_id, name, format) VALUES (1, 'jsonl:v1', 1, 'baseline-run', 'jsonl'), (2, 'jsonl:v2', 1, 'tuned-run', 'jsonl')");
  store.db.run("INSERT INTO params (run_id, key, value) VALUES (1, 'lr', '0.01'), (1, 'depth', '6'), (2, 'lr', '0.003'), (2, 'depth', '6')");
  for (const [id, m] of [[1, PRODUCTION], [2, CANDIDATE]] as const) {
    for (const [key, value] of Object.entries(m)) appendMetricPoints(store.db, id, key, { steps: [0, 1], timestamps: [1, 2], values: [value * 0.5, value] });
  }
  let clock = Date.UTC(2026, 10, 20, 9, 0, 0);
  const as = (actor: Actor) => new LedgerRegistry(ledger, async () => actor, () => new Date((clock += 60_000)));
  await as(ADA).register({ model: 'churn', runUid: 'jsonl:v1', description: 'baseline gradient boosting' });
  await as(ADA).transition({ model: 'churn', version: 1, stage: 'Production', reason: 'first model' });
  await as(ADA).register({ model: 'churn', runUid: 'jsonl:v2', description: 'tuned learning rate' });
  await as(BOB).approve({ model: 'churn', version: 2, stage: 'Production', reason: 'eval looks right' });
  fs.writeFileSync(policyFile, POLICY('0.95'));
  return { store, ledger, policyFile, registry: as(ADA) };
}

function ledgerLines(file: string): { action: string; version?: number; actor: Actor; after?: Record<string, unknown>; reason?: string }[] {
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as never);
}

async function main(): Promise<number> {
  const repo = process.env.ML_REPO_ROOT ?? findRepoRoot(__dirname);
  const dist = path.join(repo, 'dist', 'webview');
  const screenshots = path.join(repo, 'test-results', 'screenshots');
  fs.mkdirSync(screenshots, { recursive: true });
  for (const f of [path.join(dist, 'promotion.js'), path.join(dist, 'promotion.css'), path.join(repo, 'dist', 'cli.js')]) {
    if (!fs.existsSync(f)) {
      console.error(`${f} is missing: run node scripts/build.mjs first`);
      console.log('0 passed, 1 failed');
      return 1;
    }
  }
  const results: { name: string; ok: boolean }[] = [];
  const check = async (name: string, body: () => Promise<string>) => {
    try {
      const detail = await body();
      results.push({ name, ok: true });
      console.log(`PASS ${name}: ${detail}`);
    } catch (error) {
      results.push({ name, ok: false });
      console.log(`FAIL ${name}: ${(error as Error).message.split('\n').slice(0, 4).join(' | ')}`);
    }
  };
  const expect = (condition: boolean, message: string) => {
    if (!condition) throw new Error(message);
  };

  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-promotion-check-'));
  const browser = await launchChromium();
  const ws = await buildWorkspace(path.join(temp, 'ws'));
  const target: Stage = 'Production';
  const build = async () => {
    const snapshot = await ws.registry.snapshot();
    return buildPromotionState({
      folder: 'file:///ws',
      state: snapshot.state,
      events: snapshot.read.events,
      model: 'churn',
      version: 2,
      target,
      policy: await loadPolicy(ws.policyFile),
      policyLabel: '.model-ledger/policy.yaml',
      db: ws.store.db,
      identity: ADA,
    });
  };
  const files: Record<string, { type: string; body: string | Buffer }> = {
    '/promotion.js': { type: 'text/javascript', body: fs.readFileSync(path.join(dist, 'promotion.js')) },
    '/promotion.css': { type: 'text/css', body: fs.readFileSync(path.join(dist, 'promotion.css')) },
  };
  const server = await serve(files);
  files['/'] = { type: 'text/html', body: promotionHtml({ cspSource: server.origin, scriptUri: `${server.origin}/promotion.js`, styleUri: `${server.origin}/promotion.css`, initial: { type: 'state', state: await build() } }) };
  const send = (page: Page, message: ToPromotionWebview) => page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
  /** Plays the host: takes what the webview posted and answers as PromotionPanel.handle does. */
  const serveHost = async (page: Page): Promise<string[]> => {
    const posted = await evaluate<FromPromotionWebview[]>(page, 'window.__posted.splice(0)');
    const handled: string[] = [];
    for (const m of posted) {
      handled.push(m.type);
      if (m.type === 'promote') {
        const loaded = await loadPolicy(ws.policyFile);
        const check = loaded.state === 'ok' ? policyMoveCheck(loaded.policy, ws.store.db) : undefined;
        try {
          const event = await ws.registry.transition({ model: 'churn', version: 2, stage: target, ...(m.reason.trim() ? { reason: m.reason.trim() } : {}), ...(check ? { check } : {}) });
          replaceRegistry(ws.store.db, 'ledger', ledgerModels((await ws.registry.snapshot()).state));
          const archived = (event.after as { archived?: number[] }).archived ?? [];
          await send(page, { type: 'state', state: await build() });
          await send(page, { type: 'result', ok: true, action: 'promote', message: `v2 is now in ${target}${archived.length ? `; v${archived.join(', v')} archived` : ''}`, details: [] });
        } catch (error) {
          const details = error instanceof PolicyBlockedError ? error.verdict.gates.filter((g) => g.status !== 'pass').map((g) => `${String(g.gate)}: ${String(g.reason)}`) : [];
          await send(page, { type: 'result', ok: false, action: 'promote', message: (error as Error).message, details });
        }
      }
    }
    return handled;
  };

  try {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.addInitScript(webviewInitScript('dark'));
    const gateStatuses = () => page.locator('tr.gate-row').evaluateAll((rows) => rows.map((r) => [(r as unknown as { cells: { textContent: string }[] }).cells[0].textContent, (r as unknown as { dataset: { status: string } }).dataset.status]));
    const promoteDisabled = () => page.locator('#promote').evaluate((b) => (b as unknown as { hasAttribute(n: string): boolean }).hasAttribute('disabled'));

    await check('panel renders the inlined state and posts ready', async () => {
      await page.goto(server.origin + '/', { waitUntil: 'load' });
      await page.locator('h1', { hasText: 'Promote churn' }).waitFor({ timeout: 20_000 });
      const posted = await evaluate<{ type: string }[]>(page, 'window.__posted');
      expect(posted.some((m) => m.type === 'ready'), JSON.stringify(posted));
      return 'h1 "Promote churn", ready posted';
    });
    await check('side by side: candidate v2 vs Production v1, metrics and the differing param', async () => {
      const headers = await page.locator('table.side th').allTextContents();
      expect(headers[1] === 'Candidate v2 (None)' && headers[2] === 'In Production: v1 (Production)', headers.join(' | '));
      const metrics = await page.locator('table.metrics tbody tr').evaluateAll((rows) => rows.map((r) => (r as unknown as { innerText: string }).innerText.split('\t')));
      expect(JSON.stringify(metrics) === JSON.stringify([['accuracy', '0.925', '0.9', '+0.025'], ['val_loss', '0.31', '0.3', '+0.01']]), JSON.stringify(metrics));
      const params = await page.locator('table.params tbody tr').allInnerTexts();
      expect(params.length === 1 && params[0].startsWith('lr'), JSON.stringify(params));
      const drift = await page.locator('tr.drift').innerText();
      expect(drift.includes('no drift report'), drift);
      return `${metrics.length} metrics, ${params.length} differing param of 2, "no drift report"`;
    });
    await check('one failing and one passing gate; Promote disabled; no override offered', async () => {
      const gates = await gateStatuses();
      expect(JSON.stringify(gates) === JSON.stringify([['metric: accuracy >= 0.95', 'fail'], ['metric: val_loss <= production.val_loss * 1.05', 'pass']]), JSON.stringify(gates));
      expect(await promoteDisabled(), 'Promote is enabled');
      expect((await page.locator('#promote-override').count()) === 0, 'override offered although allowOverride is false');
      const approvals = await page.locator('.approval-list li').allTextContents();
      expect(approvals.length === 1 && approvals[0].startsWith('Bob Noyce <bob@example.com>'), JSON.stringify(approvals));
      return JSON.stringify(gates);
    });
    await page.screenshot({ path: path.join(screenshots, 'promotion-gates-dark.png'), fullPage: true });

    await check('fixing the policy threshold turns the gate green and enables Promote', async () => {
      fs.writeFileSync(ws.policyFile, POLICY('0.9'));
      await send(page, { type: 'state', state: await build() }); // what the panel's policy watcher does
      await page.waitForFunction("document.querySelector('tr.gate-row')?.dataset.status === 'pass'", undefined, { timeout: 5000 });
      const gates = await gateStatuses();
      expect(gates.every(([, s]) => s === 'pass'), JSON.stringify(gates));
      expect(!(await promoteDisabled()), 'Promote still disabled');
      return JSON.stringify(gates);
    });
    const linesBefore = ledgerLines(ws.ledger).length;
    await check('Promote with a reason appends the transition through the policy check', async () => {
      await page.locator('#reason').fill('accuracy up 2.5 points, approved by Bob');
      await page.locator('#promote').click();
      await page.waitForFunction("window.__posted.some((m) => m.type === 'promote')", undefined, { timeout: 5000 });
      const handled = await serveHost(page);
      expect(handled.includes('promote'), JSON.stringify(handled));
      await page.locator('#result').waitFor({ timeout: 5000 });
      const banner = await page.locator('#result').innerText();
      expect(banner.includes('v2 is now in Production; v1 archived'), banner);
      const lines = ledgerLines(ws.ledger);
      expect(lines.length === linesBefore + 1, `${lines.length} lines, expected ${linesBefore + 1}`);
      const last = lines[lines.length - 1];
      const gates = (last.after?.gates as { status: string }[]).map((g) => g.status);
      expect(last.action === 'transition' && last.version === 2 && last.after?.stage === 'Production' && JSON.stringify(last.after?.archived) === '[1]', JSON.stringify(last));
      expect(last.actor.email === ADA.email && last.reason === 'accuracy up 2.5 points, approved by Bob' && gates.join() === 'pass,pass', JSON.stringify(last));
      return `last ledger line: ${last.action} v${last.version} → ${String(last.after?.stage)}, archived [1], gates ${gates.join(',')}`;
    });
    await check('the Models tree’s data follows: v2 Production, v1 Archived', async () => {
      const model = listModels(ws.store.db).find((m) => m.name === 'churn');
      const versions = model ? listVersions(ws.store.db, model.id).map((v) => `v${v.version}:${v.stage}`) : [];
      expect(versions.join() === 'v2:Production,v1:Archived', versions.join());
      const side = await page.locator('table.side th').allTextContents();
      expect(side[1] === 'Candidate v2 (Production)', side.join(' | '));
      return versions.join(', ');
    });
    await check('History tab lists every event newest first, filterable', async () => {
      await page.locator('#tab-history').click();
      const rows = await page.locator('tr.history-row').count();
      const expected = ledgerLines(ws.ledger).length;
      expect(rows === expected, `${rows} rows, ${expected} ledger lines`);
      const first = await page.locator('tr.history-row').first().innerText();
      expect(first.includes('transition') && first.includes('None → Production'), first);
      await page.locator('#history-action').selectOption('approve');
      const approvals = await page.locator('tr.history-row').allInnerTexts();
      expect(approvals.length === 1 && approvals[0].includes('Bob Noyce'), JSON.stringify(approvals));
      await page.locator('#history-action').selectOption('');
      await page.locator('#history-filter').fill('first model');
      const filtered = await page.locator('tr.history-row').count();
      expect(filtered === 1, `${filtered} rows for "first model"`);
      await page.locator('#history-filter').fill('');
      return `${rows} rows; action filter → 1; text filter → 1`;
    });
    await page.screenshot({ path: path.join(screenshots, 'promotion-history-dark.png'), fullPage: true });
    await check('no page errors and no CSP violations', async () => {
      const csp = await evaluate<string[]>(page, 'window.__csp');
      expect(errors.length === 0 && csp.length === 0, `errors ${JSON.stringify(errors)} csp ${JSON.stringify(csp)}`);
      return 'none';
    });

    // Light theme, after the promotion: the panel as a reviewer sees it.
    const light = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await light.addInitScript(webviewInitScript('light'));
    files['/'] = { type: 'text/html', body: promotionHtml({ cspSource: server.origin, scriptUri: `${server.origin}/promotion.js`, styleUri: `${server.origin}/promotion.css`, initial: { type: 'state', state: await build() } }) };
    await light.goto(server.origin + '/', { waitUntil: 'load' });
    await light.locator('h1').waitFor();
    await light.screenshot({ path: path.join(screenshots, 'promotion-after-light.png'), fullPage: true });

    // ---- the audit report of the demo workspace -------------------------------------------------
    await check('audit report of the demo workspace opens in Chromium', async () => {
      const demo = path.join(temp, 'demo');
      type Person = { name: string; email: string };
      const importer = new Function('s', 'return import(s)') as (s: string) => Promise<{
        writeDemoWorkspace(root: string): string;
        demoRegistrySteps(store: string): { actor: Person; args: string[] }[];
        demoGitEnv(person: Person): Record<string, string>;
      }>;
      const { writeDemoWorkspace, demoRegistrySteps, demoGitEnv } = await importer(pathToFileURL(path.join(repo, 'scripts', 'demoWorkspace.mjs')).href);
      writeDemoWorkspace(demo);
      const cli = path.join(repo, 'dist', 'cli.js');
      const storeFile = path.join(temp, 'demo.sqlite');
      const ada = { name: 'Ada Lovelace', email: 'ada@example.com' };
      const as = (person: Person, ...args: string[]) =>
        execFileSync(process.execPath, [cli, ...args], { cwd: demo, env: { ...process.env, ...demoGitEnv(person) }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
      const step = (...args: string[]) => as(ada, ...args);
      for (const { actor, args } of demoRegistrySteps(storeFile)) as(actor, ...args);
      const out = path.join(temp, 'audit-report.html');
      step('report', '--format', 'html', '--out', out, '--store', storeFile);
      const ledger = ledgerLines(path.join(demo, '.model-ledger', 'ledger.jsonl'));
      const models = new Set(ledger.map((e) => (e as unknown as { model: string }).model));
      const reportPage = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
      const requests: string[] = [];
      reportPage.on('request', (r) => requests.push(r.url()));
      await reportPage.goto(pathToFileURL(out).href, { waitUntil: 'load' });
      const headings = await reportPage.locator('h2.model').allTextContents();
      expect(headings.length === models.size, `${headings.length} model sections, ${models.size} models in the ledger`);
      const rows = await reportPage.locator('tr[data-action]').count();
      expect(rows === ledger.length, `${rows} history rows, ${ledger.length} ledger lines`);
      const verdict = await reportPage.locator('.verdict').innerText();
      expect(verdict.includes(`Verified: ${ledger.length} events`), verdict);
      const hashes = await reportPage.locator('td.hash').allTextContents();
      const hashed = hashes.filter((h) => /^[0-9a-f]{64}$/.test(h)).length;
      expect(hashed > 0, `no file hashes: ${hashes.slice(0, 3).join(', ')}`);
      expect(requests.length === 1, `the report loaded ${requests.length - 1} other resources: ${requests.slice(1, 4).join(', ')}`);
      await reportPage.screenshot({ path: path.join(screenshots, 'audit-report.png'), fullPage: false });
      return `${headings.length} models, ${rows} history rows, "${verdict.trim().slice(0, 60)}…", ${hashed} file hashes, no other requests`;
    });
  } catch (error) {
    results.push({ name: 'harness', ok: false });
    console.log(`FAIL harness: ${(error as Error).stack ?? String(error)}`);
  } finally {
    await browser.close().catch(() => undefined);
    await server.close();
    await ws.store.close().catch(() => undefined);
    fs.rmSync(temp, { recursive: true, force: true });
  }
  const failed = results.filter((r) => !r.ok).length;
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
