/**
 * The audit report as an evidence pack: every registry the workspace sees in the inventory (the
 * fixture's MLflow 2.12 file store and its mlflow.db each hold `tabular-regressor` v1–v3, v2 resp. v3 in
 * Production, written by MLflow itself), governed or not; the fairness gate results recorded per version; the cards; and the
 * EU AI Act Annex IV index — in Markdown and in the self-contained, script-free HTML.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ANNEX_IV } from '../../../src/report/evidencePack';
import { fixturePath } from '../../fixturePath';
import { runCliIn, useTempDir } from '../helpers';
import { copyFixture } from '../ingest/engineHelpers';

const cli = runCliIn;

describe('audit report: evidence pack', () => {
  const tmp = useTempDir();

  it('inventories the ledger and the imported MLflow registry, lists fairness results and maps sections to Annex IV', async () => {
    const root = copyFixture('mlflow/mlflow-2.12-generated', tmp.path);
    const store = path.join(tmp.path, 'store.sqlite');
    assert.equal((await cli(root, 'scan', '--store', store)).code, 0);
    mkdirSync(path.join(root, '.model-ledger'), { recursive: true });
    writeFileSync(path.join(root, '.model-ledger', 'policy.yaml'), 'version: 1\nmodels:\n  "*":\n    Production:\n      gates:\n        - fairness: demographic_parity_ratio(sex) >= 0.6\n');
    assert.equal((await cli(root, 'register', '--source', 'models/credit', '--model', 'credit-scorer')).code, 0);
    const promoted = await cli(root, 'promote', 'credit-scorer', '1', '--to', 'Production', '--fairness-data', fixturePath('fairness', 'c01_binary_two_groups.csv'));
    assert.equal(promoted.code, 0, promoted.stdout);

    const mdFile = path.join(tmp.path, 'audit.md');
    assert.equal((await cli(root, 'report', '--format', 'md', '--out', mdFile, '--store', store)).code, 0);
    const md = readFileSync(mdFile, 'utf8');
    assert.match(md, /\| credit-scorer \| ledger \| yes \| 1 \| v1 \|/);
    // MLflow's own registries in the fixture (file store and mlflow.db): three versions each, v2 in Production, not governed.
    assert.match(md, /\| tabular-regressor \| mlflow-file:mlruns \| no \| 3 \| v2 \|/);
    assert.match(md, /\| tabular-regressor \| mlflow-sqlite:mlflow\.db \| no \| 3 \| v3 \|/);
    // verify --policy: the fairness pass recorded in the event stands (the replay has no evaluation data).
    assert.match(md, /^Verified: 2 events/m);
    // Fairlearn's demographic_parity_ratio(between_groups) of c01 is 0.6130892948216043.
    assert.match(md, /\| credit-scorer \| 1 \| .* \| fairness: demographic_parity_ratio\(sex\) >= 0\.6 \| pass \| 0\.613089 \|/);
    for (const row of ANNEX_IV) assert.ok(md.includes(row.heading), row.heading);
    assert.match(md, /model-ledger card credit-scorer 1 --format md/);

    const htmlFile = path.join(tmp.path, 'audit.html');
    assert.equal((await cli(root, 'report', '--format', 'html', '--out', htmlFile, '--store', store)).code, 0);
    const html = readFileSync(htmlFile, 'utf8');
    assert.ok(!/<script/i.test(html) && !/<[^>]*\s(src|href)=/i.test(html), 'self-contained and script-free');
    assert.equal((html.match(/<tr data-governed="false">/g) ?? []).length, 2);
    assert.equal((html.match(/<tr data-governed="true">/g) ?? []).length, 1);
    for (const id of ['annex-iv', 'inventory', 'fairness', 'cards', 'monitoring', 'standards', 'models']) assert.ok(html.includes(`<h2 id="${id}">`), id);

    const noStore = await cli(root, 'report', '--format', 'md');
    assert.match(noStore.stdout, /No store was given: imported registries are not listed/);
  });
});
