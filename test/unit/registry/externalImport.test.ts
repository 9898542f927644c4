import assert from 'node:assert/strict';
import path from 'node:path';
import { FsFileFinder } from '../../../src/ingest';
import { mlflowFileStoreImporter } from '../../../src/ingest/mlflow/fileStore';
import { importExternalRegistries } from '../../../src/registry/externalImport';
import { listModels, listVersions } from '../../../src/registry/queries';
import { useTempDir } from '../helpers';
import { copyFixture, scanWith } from '../ingest/engineHelpers';

describe('imported registries in the store', () => {
  const tmp = useTempDir();

  it('projects the MLflow file-store registry read-only, linked to the imported runs', async () => {
    const root = copyFixture('mlflow/mlflow-2.12-generated', tmp.path);
    const scanned = await scanWith(root, [mlflowFileStoreImporter]);
    const result = await importExternalRegistries(scanned.store.db, root, new FsFileFinder(), { git: false });
    assert.ok(result.models >= 1);
    const model = listModels(scanned.store.db).find((m) => m.origin === 'mlflow-file:mlruns' && m.name === 'tabular-regressor');
    assert.ok(model, listModels(scanned.store.db).map((m) => `${m.origin}/${m.name}`).join());
    // SOURCES.md: v1 Archived, v2 Production, v3 Staging; champion → 2, challenger → 3.
    const versions = listVersions(scanned.store.db, model.id).map((v) => [v.version, v.stage, v.aliases]);
    assert.deepEqual(versions, [[3, 'Staging', ['challenger']], [2, 'Production', ['champion']], [1, 'Archived', []]]);
    assert.equal(model.productionVersion, 2);
    // Each version's run is the imported MLflow run with that id (run_id in version-N/meta.yaml).
    const linked = scanned.store.db.exec("SELECT count(*) FROM model_versions v JOIN runs r ON r.uid = v.run_uid WHERE v.model_id = " + model.id)[0].values[0][0];
    assert.equal(linked, 3);
    // A registry that disappears from the folder disappears from the store.
    const { rmSync } = await import('node:fs');
    rmSync(path.join(root, 'mlruns', 'models'), { recursive: true });
    rmSync(path.join(root, 'mlflow.db'));
    await importExternalRegistries(scanned.store.db, root, new FsFileFinder(), { git: false });
    assert.deepEqual(listModels(scanned.store.db), []);
    await scanned.store.close();
  });
});
