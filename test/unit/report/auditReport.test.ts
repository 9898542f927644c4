import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadPolicy } from '../../../src/policy';
import { auditHtml, auditMarkdown, buildAudit } from '../../../src/report/auditReport';
import { eventSummary } from '../../../src/report/eventText';
import { useTempDir } from '../helpers';
import { buildFixture, DATA_SHA256, HOSTILE_DESCRIPTION } from './fixture';

/** The rows of the first Markdown table after a heading line. */
function tableAfter(markdown: string, heading: string, occurrence = 0): string[][] {
  const lines = markdown.split('\n');
  let index = -1;
  for (let i = 0, seen = 0; i < lines.length; i++) {
    if (lines[i] === heading && seen++ === occurrence) {
      index = i;
      break;
    }
  }
  assert.ok(index >= 0, `no heading ${heading}`);
  let i = index + 1;
  while (i < lines.length && !lines[i].startsWith('|')) i++;
  const rows: string[][] = [];
  for (i += 2; i < lines.length && lines[i].startsWith('|'); i++) rows.push(lines[i].slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  return rows;
}

function ledgerLines(file: string): { model: string; action: string }[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { model: string; action: string });
}

describe('audit report', () => {
  const tmp = useTempDir();

  it('lists versions per stage, every event with reasons and recorded gates, lineage with file hashes, and the verification', async () => {
    const f = await buildFixture(tmp.path);
    const data = await buildAudit({ ledgerFile: f.ledger, workspaceRoot: f.root, db: f.store.db, policy: await loadPolicy(f.policyFile), generatedAt: new Date('2026-11-23T00:00:00Z') });
    const md = auditMarkdown(data);
    const events = ledgerLines(f.ledger);
    assert.equal(events.length, 7);

    const stages = tableAfter(md, '### Current versions per stage', 0);
    assert.deepEqual(stages, [['None', '–'], ['Staging', '–'], ['Production', 'v2'], ['Archived', 'v1']]);
    const history = tableAfter(md, '### History', 0);
    assert.equal(history.length, events.filter((e) => e.model === 'churn').length, 'one row per churn event');
    assert.deepEqual(history.map((r) => r[2]), ['register', 'register', 'transition', 'approve', 'transition', 'set-alias']);
    const promoted = history[4];
    assert.equal(promoted[1], '2');
    assert.equal(promoted[3], 'None → Production (archived v1)');
    assert.equal(promoted[4], 'Ada Lovelace &lt;ada@example.com>');
    assert.equal(promoted[5], 'better accuracy');
    // v2's last accuracy 0.93 >= 0.9; val_loss 0.305 <= 0.3 × 1.02 = 0.306 (checked by hand).
    assert.match(promoted[6], /^pass: metric: accuracy >= 0\.9 \(accuracy 0\.93 >= 0\.9\); pass: metric: val_loss &lt;= production\.val_loss \* 1\.02 \(val_loss 0\.305 &lt;= 0\.306 \(Production v1: val_loss 0\.3 × 1\.02\)\)$/);
    assert.equal(history[3][4], 'Bob Noyce &lt;bob@example.com>');
    assert.equal(history[3][3], 'approved for Production');

    // v1 went to Production before the policy existed; judged by it now, its relative gate has nothing to compare with.
    assert.match(md, /^NOT verified: 1 problem\(s\) in 7 events, every transition checked against the policy\.$/m);
    const problems = tableAfter(md, '## Ledger verification');
    assert.equal(problems.length, 1);
    assert.deepEqual(problems[0].slice(0, 2), ['3', 'policy']);
    assert.match(problems[0][2], /churn v1 → Production by Ada Lovelace broke the policy.*no version is in Production to compare with/);
    const files = tableAfter(md, '#### v2 (Production) @champion', 0);
    assert.ok(files.length > 0);
    const v2Files = md.split('#### v2 (Production) @champion')[1].split('####')[0];
    assert.match(v2Files, new RegExp(`\\| data/train\\.csv \\| data \\| 8 \\| ${DATA_SHA256} \\|`));
    assert.match(v2Files, /\| accuracy \| 0\.93 \|/);
    assert.match(v2Files, /\| train_data \| data\/train\.csv \|/);
    const other = md.split('## Model other')[1];
    assert.match(other, /Run: none recorded/);
    assert.match(other, /Source: s3:\/\/bucket\/other/);
  });

  it('escapes everything from the ledger in the HTML and uses no scripts or external resources', async () => {
    const f = await buildFixture(tmp.path);
    const data = await buildAudit({ ledgerFile: f.ledger, workspaceRoot: f.root, db: f.store.db });
    const html = auditHtml(data);
    assert.equal(data.verification.ok, true, 'an untouched ledger without a policy verifies');
    assert.ok(html.includes('Verified: 7 events, all hashes, links and transitions valid.'));
    assert.ok(!/<script/i.test(html), 'no script element');
    assert.ok(!/<img/i.test(html), 'no img element');
    assert.ok(!/<[^>]*\s(src|href)=/i.test(html), 'no element loads anything');
    assert.ok(html.includes('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;'), 'description shown as text');
    assert.equal((html.match(/<h2 class="model">/g) ?? []).length, 2);
    assert.equal((html.match(/<tr data-action=/g) ?? []).length, 7, 'every event is a history row');
    assert.ok(html.includes(DATA_SHA256));
    const md = auditMarkdown(data);
    assert.ok(!md.includes(HOSTILE_DESCRIPTION) && !/<script/i.test(md), 'Markdown carries no raw HTML either');
  });

  it('reports a tampered ledger as not verified, at the edited line, and a transition that broke the policy', async () => {
    const f = await buildFixture(tmp.path);
    const lines = readFileSync(f.ledger, 'utf8').split('\n');
    lines[3] = lines[3].replace('looked at the eval', 'looked at nothing');
    writeFileSync(f.ledger, lines.join('\n'));
    const data = await buildAudit({ ledgerFile: f.ledger, workspaceRoot: f.root, db: f.store.db });
    assert.equal(data.verification.ok, false);
    assert.deepEqual(data.verification.problems.map((p) => [p.line, p.kind]).slice(0, 1), [[4, 'hash']]);
    assert.match(auditMarkdown(data), /^NOT verified: \d+ problem\(s\)/m);
    assert.match(auditHtml(data), /class="verdict failed"/);
  });

  it('judges every transition against a stricter policy and reports the ones that break it', async () => {
    const f = await buildFixture(tmp.path);
    writeFileSync(f.policyFile, 'version: 1\nmodels:\n  "*":\n    Production:\n      gates:\n        - metric: accuracy >= 0.95\n');
    const data = await buildAudit({ ledgerFile: f.ledger, workspaceRoot: f.root, db: f.store.db, policy: await loadPolicy(f.policyFile) });
    // Both transitions to Production (lines 3 and 5) had accuracy below 0.95 (0.91 and 0.93).
    assert.deepEqual(data.verification.problems.map((p) => [p.line, p.kind]), [[3, 'policy'], [5, 'policy']]);
  });

  it('shows actions it does not know generically, with their fields', () => {
    assert.equal(eventSummary({ action: 'alert' as never, before: null, after: { metric: 'drift.share', value: 0.4 } }), 'alert after: metric=drift.share, value=0.4');
    assert.equal(eventSummary({ action: 'set-reference' as never, before: { dataset: 'a.csv' }, after: { dataset: 'b.csv' } }), 'set-reference before: dataset=a.csv after: dataset=b.csv');
  });
});
