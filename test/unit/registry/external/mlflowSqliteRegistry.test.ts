import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { readMlflowSqliteRegistry } from '../../../../src/registry/external/mlflowSqliteRegistry';
import { loadSqlJs } from '../../../../src/store';
import { useTempDir } from '../../helpers';
import { fixturePath } from '../../../fixturePath';

const GENERATED = fixturePath('mlflow', 'mlflow-2.12-generated');
const DB = path.join(GENERATED, 'mlflow.db');
const rest = (name: string) => JSON.parse(readFileSync(path.join(GENERATED, 'rest', `${name}.json`), 'utf8'));

interface RestVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  current_stage: string;
  description: string;
  source: string;
  run_id: string;
  status: string;
  tags?: { key: string; value: string }[];
}

const tagRecord = (tags: { key: string; value: string }[] | undefined) => Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]));

async function writeDb(file: string, sql: string): Promise<void> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.run(sql);
  writeFileSync(file, db.export());
  db.close();
}

describe('registry/external: MLflow SQLite registry', () => {
  const temp = useTempDir();

  /*
   * mlflow.db was saved after the whole recorded REST session (rest/_index.txt): version 3 was moved to
   * Production (archiving 2), an alias was set and one alias was deleted. So the database matches the
   * responses recorded AFTER those calls: model_versions_search_after_transition.json for versions and
   * registered_models_get_after_alias.json minus the deleted alias for aliases.
   */
  it('matches the REST responses of the server that wrote it, field by field', async () => {
    const result = await readMlflowSqliteRegistry(DB);
    assert.deepEqual(result.diagnostics, []);
    const registered = rest('registered_models_get').registered_model;
    const afterAlias = rest('registered_models_get_after_alias').registered_model;
    const versions: RestVersion[] = rest('model_versions_search_after_transition').model_versions;

    assert.deepEqual(
      result.models.map((m) => m.name),
      rest('registered_models_search').registered_models.map((m: { name: string }) => m.name),
    );
    const model = result.models[0]!;
    assert.equal(model.origin, 'mlflow-sqlite');
    assert.equal(model.location, DB);
    assert.equal(model.description, registered.description);
    assert.equal(model.createdAt, registered.creation_timestamp);
    assert.equal(model.updatedAt, afterAlias.last_updated_timestamp);
    assert.deepEqual(model.tags, tagRecord(registered.tags));

    assert.equal(model.versions.length, versions.length);
    for (const expected of versions) {
      const read = model.versions.find((v) => v.version === Number(expected.version));
      assert.ok(read, `version ${expected.version}`);
      assert.equal(read.stage, expected.current_stage);
      assert.equal(read.runId, expected.run_id);
      assert.equal(read.description, expected.description);
      assert.equal(read.source, expected.source);
      assert.equal(read.status, expected.status);
      assert.equal(read.createdAt, expected.creation_timestamp);
      assert.equal(read.updatedAt, expected.last_updated_timestamp);
      assert.deepEqual(read.tags, tagRecord(expected.tags));
      assert.equal(read.deleted, undefined);
    }

    const deletes = readFileSync(path.join(GENERATED, 'rest', '_index.txt'), 'utf8')
      .split('\n')
      .filter((line) => /^\d+\s+DELETE\s+200\s+registered_models_alias_delete\b/.test(line)).length;
    const restAliases: { alias: string; version: string }[] = afterAlias.aliases;
    assert.equal(Object.keys(model.aliases).length, restAliases.length - deletes);
    for (const [alias, version] of Object.entries(model.aliases)) {
      assert.equal(String(version), restAliases.find((a) => a.alias === alias)?.version, alias);
      assert.ok(model.versions.find((v) => v.version === version)!.aliases.includes(alias));
    }
    // The alias set before the transition, still present afterwards.
    assert.equal(model.aliases.champion, Number(registered.aliases.find((a: { alias: string }) => a.alias === 'champion').version));
  });

  it('returns an empty result without a diagnostic for a tracking-only database', async () => {
    const file = path.join(temp.path, 'mlflow.db');
    await writeDb(file, 'CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name TEXT); INSERT INTO experiments VALUES (0, "Default");');
    assert.deepEqual(await readMlflowSqliteRegistry(file), { models: [], diagnostics: [] });
  });

  it('reports one error for a file that is not SQLite, and one for a missing file', async () => {
    const garbage = path.join(temp.path, 'mlflow.db');
    writeFileSync(garbage, 'this is not a database, just text that goes on for a while '.repeat(100));
    const result = await readMlflowSqliteRegistry(garbage);
    assert.deepEqual(result.models, []);
    assert.equal(result.diagnostics.length, 1);
    assert.equal(result.diagnostics[0]!.severity, 'error');
    assert.equal(result.diagnostics[0]!.file, garbage);

    const missing = await readMlflowSqliteRegistry(path.join(temp.path, 'absent.db'));
    assert.deepEqual(missing.models, []);
    assert.equal(missing.diagnostics.length, 1);
    assert.equal(missing.diagnostics[0]!.severity, 'error');
  });

  it('marks soft-deleted versions, canonicalises stages and reports dangling rows', async () => {
    const file = path.join(temp.path, 'mlflow.db');
    await writeDb(
      file,
      `CREATE TABLE registered_models (name TEXT PRIMARY KEY, creation_time BIGINT, last_updated_time BIGINT, description TEXT);
       CREATE TABLE model_versions (name TEXT, version INTEGER, creation_time BIGINT, last_updated_time BIGINT, description TEXT, user_id TEXT, current_stage TEXT, source TEXT, run_id TEXT, status TEXT);
       CREATE TABLE registered_model_aliases (alias TEXT, version INTEGER, name TEXT);
       CREATE TABLE registered_model_tags (key TEXT, value TEXT, name TEXT);
       INSERT INTO registered_models VALUES ('m', 1000, 2000, '');
       INSERT INTO model_versions VALUES ('m', 1, 1000, 1500, NULL, 'ana', 'Deleted_Internal', NULL, NULL, 'READY');
       INSERT INTO model_versions VALUES ('m', 2, 1100, 1600, 'second', 'ana', 'production', 's3://b/m', 'r2', 'READY');
       INSERT INTO model_versions VALUES ('m', 3, 1200, 1700, NULL, NULL, 'Shipping', NULL, NULL, 'READY');
       INSERT INTO registered_model_aliases VALUES ('old', 1, 'm');
       INSERT INTO registered_model_aliases VALUES ('best', 2, 'm');
       INSERT INTO registered_model_tags VALUES ('k', 'v', 'ghost');`,
    );
    const result = await readMlflowSqliteRegistry(file);
    const model = result.models[0]!;
    assert.equal(model.description, undefined);
    assert.deepEqual(
      model.versions.map((v) => [v.version, v.stage, v.deleted ?? false]),
      [
        [1, 'None', true],
        [2, 'Production', false],
        [3, 'None', false],
      ],
    );
    assert.equal(model.versions[1]!.createdBy, 'ana');
    assert.deepEqual(model.aliases, { best: 2 });
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message);
    assert.equal(warnings.length, 3, warnings.join('\n'));
    assert.ok(warnings.some((m) => m.includes('"Shipping"')));
    assert.ok(warnings.some((m) => m.includes('"old"') && m.includes('soft-deleted')));
    assert.ok(warnings.some((m) => m.includes('"ghost"')));
  });

  it('never throws on truncated or random bytes', async () => {
    const real = readFileSync(DB);
    const file = path.join(temp.path, 'mlflow.db');
    for (const size of [0, 100, 4096, Math.floor(real.length / 2)]) {
      writeFileSync(file, real.subarray(0, size));
      const result = await readMlflowSqliteRegistry(file);
      assert.ok(Array.isArray(result.models) && Array.isArray(result.diagnostics), `size ${size}`);
    }
    const header = Buffer.from('SQLite format 3\0', 'latin1');
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), async (bytes, withHeader) => {
        writeFileSync(file, withHeader ? Buffer.concat([header, bytes]) : bytes);
        const result = await readMlflowSqliteRegistry(file);
        assert.ok(Array.isArray(result.models));
      }),
      { numRuns: 60 },
    );
  });
});
