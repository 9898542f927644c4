/**
 * Model cards of the demo workspace's Production version (scripts/demoWorkspace.mjs, registry steps
 * as `npm run demo` runs them, in-process): the Hugging Face Markdown (front matter, model-index from
 * the run's metrics, the standard sections) and the Model Card Toolkit JSON, validated against the
 * toolkit's own v0.0.2 schema (test/fixtures/model-card-toolkit). Human parts are read, never written.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { parseHumanParts } from '../../../src/cards';
import { fixturePath, REPO_ROOT } from '../../fixturePath';
import { runCli } from '../../../src/cli/main';
import { useTempDir } from '../helpers';
import { validate } from './miniJsonSchema';

async function cli(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliAs({}, cwd, ...args);
}

async function cliAs(env: Record<string, string>, cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: { GIT_CONFIG_NOSYSTEM: '1', HOME: cwd, ...env } });
  return { code, stdout, stderr };
}

const SCHEMA = JSON.parse(readFileSync(fixturePath('model-card-toolkit', 'v0.0.2', 'model_card.schema.json'), 'utf8')) as Record<string, unknown>;

type Person = { name: string; email: string };
type Demo = {
  writeDemoWorkspace(root: string): string;
  demoRegistrySteps(store: string): { actor: Person; args: string[] }[];
  demoGitEnv(person: Person): Record<string, string>;
};

describe('model cards', () => {
  const tmp = useTempDir();

  async function demo(): Promise<{ root: string; store: string }> {
    const importer = new Function('s', 'return import(s)') as (s: string) => Promise<Demo>;
    const { writeDemoWorkspace, demoRegistrySteps, demoGitEnv } = await importer(pathToFileURL(path.join(REPO_ROOT, 'scripts', 'demoWorkspace.mjs')).href);
    const root = path.join(tmp.path, 'demo');
    writeDemoWorkspace(root);
    const store = path.join(tmp.path, 'demo.sqlite');
    for (const { actor, args } of demoRegistrySteps(store)) assert.equal((await cliAs(demoGitEnv(actor), root, ...args)).code, 0, args.join(' '));
    return { root, store };
  }

  it('the demo’s Production version: Hugging Face Markdown with model-index and the standard sections', async () => {
    const { root, store } = await demo();
    const result = await cli(root, 'card', 'churn-classifier', '1', '--format', 'md', '--store', store, '--out', path.join(tmp.path, 'card.md'));
    assert.equal(result.code, 0, result.stderr);
    const card = readFileSync(path.join(tmp.path, 'card.md'), 'utf8');
    writeFileSync(path.join(REPO_ROOT, 'out', 'demo-model-card.md'), card); // for a person to look at (out/ is not tracked)
    const front = /^---\n([\s\S]*?)\n---\n/.exec(card);
    assert.ok(front, 'a YAML metadata block first');
    const meta = parseYaml(front[1]) as { tags: string[]; 'model-index': { name: string; results: { task: { type: string }; metrics: { type: string; value: number }[] }[] }[] };
    assert.ok(meta.tags.includes('model-ledger'));
    const metrics = meta['model-index'][0].results[0].metrics;
    // The demo's run logs f1 among its metrics; the card reports the same last values the store holds.
    const runs = JSON.parse((await cli(root, 'runs', '--store', store, '--json')).stdout) as { id: string; metrics: Record<string, number> }[];
    const ledger = readFileSync(path.join(root, '.model-ledger', 'ledger.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { action: string; version?: number; model: string; after: { runId?: string } });
    const runId = ledger.find((e) => e.action === 'register' && e.model === 'churn-classifier' && e.version === 1)!.after.runId!;
    const run = runs.find((r) => r.id === runId)!;
    assert.deepEqual(Object.fromEntries(metrics.map((m) => [m.type, m.value])), Object.fromEntries(Object.entries(run.metrics).filter(([, v]) => Number.isFinite(v))));
    for (const heading of ['# Model Card for churn-classifier v1', '## Model Details', '### Direct Use', '### Out-of-Scope Use', '## Bias, Risks, and Limitations', '## Training and Evaluation Data', '## Evaluation Results', '### Fairness']) {
      assert.ok(card.includes(`\n${heading}\n`), `missing ${heading}`);
    }
    assert.match(card, /\| Stage \| Production \|/);
    assert.match(card, /\| Aliases \| @champion \|/);
    assert.match(card, /data\/reference\.csv \| \d+ \| `[0-9a-f]{64}`/);
    assert.match(card, /Not documented yet: add a "## Intended Use" section to `\.model-ledger\/cards\/churn-classifier\.md`/);
  });

  it('Model Card Toolkit JSON validates against the toolkit’s v0.0.2 schema, with per-slice fairness metrics', async () => {
    const { root, store } = await demo();
    mkdirSync(path.join(root, '.model-ledger', 'cards'), { recursive: true });
    const human = path.join(root, '.model-ledger', 'cards', 'churn-classifier.md');
    writeFileSync(human, '---\nlicense: apache-2.0\nowners:\n  - name: Ada Lovelace\n    contact: ada@example.com\n---\n## Intended Use\n\nRanking accounts for retention calls.\n\n## Limitations\n\nNot for credit decisions.\n');
    const before = statSync(human).mtimeMs;
    const evaluation = fixturePath('fairness', 'c01_binary_two_groups.csv');
    const result = await cli(root, 'card', 'churn-classifier', '1', '--format', 'json', '--store', store, '--fairness-data', evaluation, '--label', 'y_true', '--prediction', 'y_pred', '--sensitive', 'sex', '--score', 'y_score');
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as { model_details: { licenses: { identifier: string }[]; owners: { name: string }[] }; quantitative_analysis: { performance_metrics: { type: string; value: string; slice?: string }[] }; considerations: { use_cases: { description: string }[] } };
    assert.deepEqual(validate(SCHEMA, json), []);
    assert.equal(json.model_details.licenses[0].identifier, 'apache-2.0');
    assert.equal(json.considerations.use_cases[0].description, 'Ranking accounts for retention calls.');
    const female = json.quantitative_analysis.performance_metrics.find((m) => m.type === 'selectionRate' && m.slice === 'sex=female')!;
    assert.ok(Math.abs(Number(female.value) - 0.3480278422273782) < 1e-12, 'Fairlearn’s recorded selection rate of c01’s female group');
    assert.equal(statSync(human).mtimeMs, before, 'the human parts are never written');
    // The validator can fail: a number where the schema wants a string, and a key the schema does not allow.
    assert.equal(validate(SCHEMA, { quantitative_analysis: { performance_metrics: [{ type: 'x', value: 0.5 }] } }).length, 1);
    assert.equal(validate(SCHEMA, { fairness: {} }).length, 1);
    assert.equal(validate(SCHEMA, { model_details: { licenses: [{}] } }).length, 1);
  });

  it('a human parts file with invalid front matter: a message with the line, the sections still used', () => {
    const parts = parseHumanParts('---\nlicense: [unclosed\n---\n## Intended Use\n\nTriage.\n## Something Else\n\nKept.\n', 'cards/m.md');
    assert.match(parts.problems[0], /^cards\/m\.md:\d+: invalid YAML front matter/);
    assert.equal(parts.sections.intendedUse, 'Triage.');
    assert.deepEqual(parts.extra, [{ heading: 'Something Else', text: 'Kept.' }]);
    assert.match(parseHumanParts('---\nlicense: x\n## Intended Use\n', 'm.md').problems[0], /not closed/);
  });

  it('card refuses an unknown model or version (exit 2)', async () => {
    const { root } = await demo();
    assert.match((await cli(root, 'card', 'nope', '1')).stderr, /no model "nope"/);
    assert.equal((await cli(root, 'card', 'churn-classifier', '9')).code, 2);
  });
});
