// YAML bounded everywhere it is read (issue 15, item 4): each reader gets the hostile file that hung
// or aborted it and must answer with a problem, fast (the old code ran > 60 s on each of these).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { flattenYamlParams } from '../../../src/ingest/csv/yamlParams';
import { mlflowFileStoreImporter } from '../../../src/ingest/mlflow/fileStore';
import { parseHParamsYaml } from '../../../src/ingest/tensorboard/hparamsYaml';
import { parseConfigYaml } from '../../../src/ingest/wandb/configYaml';
import { parsePolicy } from '../../../src/policy/policyFile';
import { parseYaml, parseYamlDocument, YAML_LIMITS, YamlLimitError } from '../../../src/shared/boundedYaml';
import { scanWith } from '../ingest/engineHelpers';
import { useTempDir } from '../helpers';

/** The classic alias bomb: 9 levels of 9 aliases each, 9^9 leaves once expanded, ~330 bytes. */
function aliasBomb(): string {
  const names = 'abcdefghi';
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < names.length; i++) lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(',')}]`);
  return lines.join('\n') + '\n';
}

/** 20,000 merge keys naming one anchor (each a separate `<<` in its own map). */
function mergeKeyFlood(count = 20_000): string {
  const lines = ['base: &b {lr: 0.1, depth: 3}'];
  for (let i = 0; i < count; i++) lines.push(`k${i}:\n  <<: *b`);
  return lines.join('\n') + '\n';
}

describe('bounded YAML', () => {
  const tmp = useTempDir();

  it('reads ordinary YAML with aliases as before', () => {
    assert.deepEqual(parseYaml('base: &b {lr: 0.1}\nrun: *b\n'), { base: { lr: 0.1 }, run: { lr: 0.1 } });
    assert.equal(aliasBomb().length < 400, true);
  });

  it('refuses an alias bomb, a merge-key flood, deep flow nesting and a huge text, naming the limit', () => {
    assert.throws(() => parseYamlDocument(aliasBomb()), (e: unknown) => e instanceof YamlLimitError && /expand to more than/.test(e.message));
    assert.throws(() => parseYamlDocument(mergeKeyFlood()), (e: unknown) => e instanceof YamlLimitError && new RegExp(`more than ${YAML_LIMITS.maxAliases} aliases or merge keys`).test(e.message));
    assert.throws(() => parseYamlDocument(`a: ${'['.repeat(50_000)}\n`), (e: unknown) => e instanceof YamlLimitError && /nested 50000 deep/.test(e.message));
    assert.throws(() => parseYamlDocument('x'.repeat(YAML_LIMITS.maxChars + 1)), YamlLimitError);
    // Brackets in quotes and comments are text, not nesting.
    assert.deepEqual(parseYaml(`a: "${'['.repeat(100)}"\n# ${'{'.repeat(100)}\n`), { a: '['.repeat(100) });
  });

  it('params.yaml (DVC/CSV), hparams.yaml and W&B config.yaml readers answer a bomb with a problem', function () {
    this.timeout(20_000);
    for (const text of [aliasBomb(), mergeKeyFlood()]) {
      assert.match(flattenYamlParams(text, '.', 'params.yaml').problems[0].message, /params.yaml could not be read: YAML/);
      assert.equal(parseHParamsYaml(text).problems[0].severity, 'error');
      assert.equal(parseConfigYaml(text).problems[0].severity, 'error');
    }
  });

  it('the policy answers 8,000 aliases with a diagnostic instead of quadratic time', function () {
    this.timeout(20_000);
    const lines = ['version: 1', 'x: &g "metrics.acc >= 0.9"', 'stages:', '  Production:', '    gates:'];
    for (let i = 0; i < 8000; i++) lines.push('      - *g');
    const parsed = parsePolicy(lines.join('\n') + '\n');
    assert.equal(parsed.policy, undefined);
    assert.match(parsed.diagnostics[0].message, /more than 1000 aliases/);
  });

  it('an MLflow experiment meta.yaml of 50,000 nested "[" is one diagnostic, and its runs still import', async function () {
    this.timeout(60_000);
    const experiment = path.join(tmp.path, 'mlruns', '1');
    mkdirSync(experiment, { recursive: true });
    writeFileSync(path.join(experiment, 'meta.yaml'), `name: x\nartifact_location: ${'['.repeat(50_000)}\n`);
    for (const run of ['r1', 'r2', 'r3']) {
      mkdirSync(path.join(experiment, run, 'metrics'), { recursive: true });
      writeFileSync(path.join(experiment, run, 'meta.yaml'), `run_id: ${run}\nexperiment_id: '1'\nstatus: 3\nstart_time: 1700000000000\nlifecycle_stage: active\n`);
      writeFileSync(path.join(experiment, run, 'metrics', 'loss'), '1700000000000 0.5 0\n');
    }
    const scanned = await scanWith(tmp.path, [mlflowFileStoreImporter]);
    const nested = scanned.summary.diagnostics.filter((d) => /nested 50000 deep/.test(d.message));
    assert.ok(nested.length >= 1, JSON.stringify(scanned.summary.diagnostics));
    await scanned.store.close();
  });
});
