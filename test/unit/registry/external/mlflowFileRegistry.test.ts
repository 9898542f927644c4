import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { readMlflowFileRegistry } from '../../../../src/registry/external/mlflowFileRegistry';
import type { RegistryReadResult } from '../../../../src/registry/external/types';
import { useTempDir } from '../../helpers';
import { fixturePath } from '../../../fixturePath';

const FIXTURES = fixturePath('mlflow');
const GENERATED = path.join(FIXTURES, 'mlflow-2.12-generated', 'mlruns');
const IRIS = path.join(FIXTURES, 'Rajat-Jamblekar__mlops-iris', 'mlruns');

/** What a version folder says, read the simple way: one regular expression per field, files listed by hand. */
function rawVersion(dir: string) {
  const meta = readFileSync(path.join(dir, 'meta.yaml'), 'utf8');
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(meta)?.[1];
  const tagsDir = path.join(dir, 'tags');
  let tagFiles: string[] = [];
  try {
    tagFiles = readdirSync(tagsDir);
  } catch {
    // no tags folder: no tags
  }
  return {
    version: Number(field('version')),
    stage: field('current_stage'),
    runId: field('run_id'),
    description: field('description'),
    tags: Object.fromEntries(tagFiles.map((f) => [f, readFileSync(path.join(tagsDir, f), 'utf8')])),
  };
}

function rawAliasFiles(modelDir: string): Record<string, number> {
  const dir = path.join(modelDir, 'aliases');
  return Object.fromEntries(readdirSync(dir).map((f) => [f, Number(readFileSync(path.join(dir, f), 'utf8').trim())]));
}

function messages(result: RegistryReadResult, severity?: 'error' | 'warning' | 'info'): string[] {
  return result.diagnostics.filter((d) => !severity || d.severity === severity).map((d) => d.message);
}

describe('registry/external: MLflow file store registry', () => {
  const temp = useTempDir();

  it('reads tabular-regressor from the MLflow 2.12 store as the raw files say', async () => {
    const result = await readMlflowFileRegistry(GENERATED);
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.models.length, readdirSync(path.join(GENERATED, 'models')).length);
    const [model] = result.models;
    assert.ok(model);
    assert.equal(model.name, 'tabular-regressor');
    assert.equal(model.origin, 'mlflow-file');
    assert.equal(model.location, path.resolve(GENERATED));
    const modelDir = path.join(GENERATED, 'models', 'tabular-regressor');
    const modelMeta = readFileSync(path.join(modelDir, 'meta.yaml'), 'utf8');
    assert.equal(model.description, /^description: (.*)$/m.exec(modelMeta)?.[1]);
    assert.equal(model.createdAt, Number(/^creation_timestamp: (\d+)$/m.exec(modelMeta)?.[1]));
    assert.equal(model.updatedAt, Number(/^last_updated_timestamp: (\d+)$/m.exec(modelMeta)?.[1]));
    assert.deepEqual(model.tags, { owner: readFileSync(path.join(modelDir, 'tags', 'owner'), 'utf8') });

    // The fixture's documented state (SOURCES.md), then every field against the raw files.
    assert.deepEqual(
      model.versions.map((v) => [v.version, v.stage]),
      [
        [1, 'Archived'],
        [2, 'Production'],
        [3, 'Staging'],
      ],
    );
    assert.deepEqual(model.aliases, { champion: 2, challenger: 3 });
    assert.deepEqual(model.aliases, rawAliasFiles(modelDir));
    const versionDirs = readdirSync(modelDir).filter((d) => d.startsWith('version-'));
    assert.equal(model.versions.length, versionDirs.length);
    for (const dir of versionDirs) {
      const raw = rawVersion(path.join(modelDir, dir));
      const read = model.versions.find((v) => v.version === raw.version);
      assert.ok(read, dir);
      assert.equal(read.stage, raw.stage);
      assert.equal(read.runId, raw.runId);
      assert.equal(read.description, raw.description);
      assert.deepEqual(read.tags, raw.tags);
      assert.equal(read.deleted, undefined);
      assert.deepEqual(
        read.aliases,
        Object.entries(rawAliasFiles(modelDir))
          .filter(([, v]) => v === raw.version)
          .map(([a]) => a)
          .sort(),
      );
    }
  });

  it('reads iris_model from an MLflow 3 store (null and empty descriptions, models:/ sources)', async () => {
    const result = await readMlflowFileRegistry(IRIS);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      result.models.map((m) => m.name),
      ['iris_model'],
    );
    const model = result.models[0]!;
    const modelDir = path.join(IRIS, 'models', 'iris_model');
    const versionDirs = readdirSync(modelDir).filter((d) => d.startsWith('version-'));
    assert.equal(versionDirs.length, 2);
    assert.equal(model.versions.length, versionDirs.length);
    assert.deepEqual(model.aliases, {});
    assert.equal(model.description, undefined); // `description: null`
    for (const dir of versionDirs) {
      const raw = rawVersion(path.join(modelDir, dir));
      const read = model.versions.find((v) => v.version === raw.version)!;
      assert.equal(read.stage, raw.stage);
      assert.equal(read.runId, raw.runId);
      assert.equal(read.description, undefined, `${dir}: ${raw.description}`); // null and '' both mean none
      assert.match(read.source ?? '', /^models:\//);
    }
  });

  describe('bad and edited input', () => {
    let mlruns = '';
    let modelDir = '';
    beforeEach(() => {
      mlruns = path.join(temp.path, 'mlruns');
      cpSync(path.join(GENERATED, 'models'), path.join(mlruns, 'models'), { recursive: true });
      modelDir = path.join(mlruns, 'models', 'tabular-regressor');
    });
    const edit = (file: string, change: (text: string) => string) => writeFileSync(file, change(readFileSync(file, 'utf8')));

    it('skips a version with malformed meta.yaml (error with its line) and keeps the others', async () => {
      writeFileSync(path.join(modelDir, 'version-2', 'meta.yaml'), 'name: tabular-regressor\nversion: [2\ncurrent_stage: Production\n');
      const result = await readMlflowFileRegistry(mlruns);
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      assert.equal(errors.length, 1);
      assert.equal(errors[0]!.file, path.join(modelDir, 'version-2', 'meta.yaml'));
      assert.match(errors[0]!.position ?? '', /^line \d+$/);
      assert.deepEqual(
        result.models[0]!.versions.map((v) => v.version),
        [1, 3],
      );
      // champion pointed at version 2, which could not be read: said, not silently dropped
      assert.ok(messages(result, 'warning').some((m) => m.includes('"champion"') && m.includes('version 2')));
      assert.deepEqual(result.models[0]!.aliases, { challenger: 3 });
    });

    it('reads the versions of a model whose own meta.yaml is malformed, under the folder name', async () => {
      writeFileSync(path.join(modelDir, 'meta.yaml'), 'name: "unterminated\n');
      const result = await readMlflowFileRegistry(mlruns);
      assert.equal(messages(result, 'error').length, 1);
      assert.equal(result.models[0]!.name, 'tabular-regressor');
      assert.equal(result.models[0]!.versions.length, 3);
      assert.equal(result.models[0]!.description, undefined);
    });

    it('warns about a version folder without meta.yaml and skips it', async () => {
      mkdirSync(path.join(modelDir, 'version-4', 'tags'), { recursive: true });
      writeFileSync(path.join(modelDir, 'version-4', 'tags', 'alpha'), '100.0');
      const result = await readMlflowFileRegistry(mlruns);
      assert.equal(result.models[0]!.versions.length, 3);
      const warning = result.diagnostics.find((d) => d.file === path.join(modelDir, 'version-4'));
      assert.equal(warning?.severity, 'warning');
      assert.match(warning?.message ?? '', /no meta\.yaml/);
    });

    it('ignores an alias file that does not hold a number, and says so', async () => {
      writeFileSync(path.join(modelDir, 'aliases', 'champion'), 'the best one');
      const result = await readMlflowFileRegistry(mlruns);
      assert.deepEqual(result.models[0]!.aliases, { challenger: 3 });
      const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
      assert.ok(warnings.some((d) => d.file === path.join(modelDir, 'aliases', 'champion') && d.message.includes('not a version number')));
      // meta.yaml still has champion → 2: the disagreement is reported too
      assert.ok(warnings.some((d) => d.message.includes('"champion" → 2') && d.message.includes('no valid aliases/champion')));
      assert.deepEqual(result.models[0]!.versions.find((v) => v.version === 2)!.aliases, []);
    });

    it('reports each disagreement between alias files and meta.yaml, keeping the alias files', async () => {
      edit(path.join(modelDir, 'meta.yaml'), (t) => t.replace("champion: '2'", "champion: '1'"));
      writeFileSync(path.join(modelDir, 'aliases', 'shadow'), '1');
      rmSync(path.join(modelDir, 'aliases', 'challenger'));
      edit(path.join(modelDir, 'version-1', 'meta.yaml'), (t) => t.replace('aliases: []', 'aliases:\n- champion'));
      const result = await readMlflowFileRegistry(mlruns);
      const warnings = messages(result, 'warning');
      assert.ok(warnings.some((m) => m.includes('"champion"') && m.includes('says version 2') && m.includes('meta.yaml says 1')), warnings.join('\n'));
      assert.ok(warnings.some((m) => m.includes('"shadow" → 1') && m.includes('missing from meta.yaml')));
      assert.ok(warnings.some((m) => m.includes('"challenger" → 3') && m.includes('no valid aliases/challenger')));
      assert.ok(warnings.some((m) => m.includes('[champion]') && m.includes('version 1 [shadow]')));
      assert.equal(warnings.length, 4);
      assert.deepEqual(result.models[0]!.aliases, { champion: 2, shadow: 1 });
      assert.deepEqual(
        result.models[0]!.versions.map((v) => v.aliases),
        [['shadow'], ['champion'], []],
      );
    });

    it('marks Deleted_Internal versions deleted and keeps scalars exactly as written', async () => {
      edit(path.join(modelDir, 'version-1', 'meta.yaml'), (t) => t.replace('current_stage: Archived', 'current_stage: Deleted_Internal'));
      edit(path.join(modelDir, 'version-3', 'meta.yaml'), (t) =>
        t.replace('description: alpha=10.0', 'description: 1.0').replace(/creation_timestamp: \d+/, 'creation_timestamp: 12345678901234567890'),
      );
      edit(path.join(modelDir, 'version-2', 'meta.yaml'), (t) => t.replace('description: alpha=1.0', 'description: 12345678901234567890123'));
      const result = await readMlflowFileRegistry(mlruns);
      const [v1, v2, v3] = result.models[0]!.versions;
      assert.equal(v1!.deleted, true);
      assert.equal(v1!.stage, 'None');
      assert.equal(v2!.description, '12345678901234567890123');
      assert.equal(v3!.description, '1.0');
      assert.equal(v3!.createdAt, undefined);
      assert.ok(messages(result, 'warning').some((m) => m.includes('creation_timestamp') && m.includes('12345678901234567890')));
    });

    it('returns nothing, and no diagnostic, for an empty models folder or a store without one', async () => {
      rmSync(path.join(mlruns, 'models'), { recursive: true });
      assert.deepEqual(await readMlflowFileRegistry(mlruns), { models: [], diagnostics: [] });
      mkdirSync(path.join(mlruns, 'models'));
      assert.deepEqual(await readMlflowFileRegistry(mlruns), { models: [], diagnostics: [] });
    });

    it('reports a store that does not exist', async () => {
      const result = await readMlflowFileRegistry(path.join(temp.path, 'nowhere'));
      assert.deepEqual(result.models, []);
      assert.equal(messages(result, 'error').length, 1);
    });

    it('never throws whatever a meta.yaml holds', async () => {
      const file = path.join(modelDir, 'version-1', 'meta.yaml');
      await fc.assert(
        fc.asyncProperty(fc.string({ maxLength: 300 }), async (text) => {
          writeFileSync(file, text);
          const result = await readMlflowFileRegistry(mlruns);
          assert.equal(result.models.length, 1);
          assert.ok(result.models[0]!.versions.some((v) => v.version === 3));
        }),
        { numRuns: 60 },
      );
    });
  });
});
