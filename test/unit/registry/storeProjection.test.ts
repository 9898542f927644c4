import assert from 'node:assert/strict';
import path from 'node:path';
import type { Database } from 'sql.js';
import { LedgerRegistry } from '../../../src/registry/ledgerRegistry';
import { ledgerModels, replaceRegistry, replaceRegistryEvents } from '../../../src/registry/storeProjection';
import { Store } from '../../../src/store';
import { useTempDir } from '../helpers';

/** The registry tables as comparable rows (ids replaced by names). */
function registryRows(db: Database): unknown {
  const all = (sql: string) => db.exec(sql)[0]?.values ?? [];
  return {
    models: all('SELECT name, origin, description, created_at, updated_at FROM models ORDER BY name'),
    versions: all('SELECT m.name, v.version, v.stage, v.run_uid, v.source, v.description, v.created_by, v.created_at, v.updated_at FROM model_versions v JOIN models m ON m.id = v.model_id ORDER BY m.name, v.version'),
    aliases: all('SELECT m.name, a.alias, a.version FROM aliases a JOIN models m ON m.id = a.model_id ORDER BY 1, 2'),
    modelTags: all('SELECT m.name, t.key, t.value FROM model_tags t JOIN models m ON m.id = t.model_id ORDER BY 1, 2'),
    versionTags: all('SELECT m.name, v.version, t.key, t.value FROM version_tags t JOIN model_versions v ON v.id = t.version_id JOIN models m ON m.id = v.model_id ORDER BY 1, 2, 3'),
    events: all('SELECT event_id, time, actor, action, model, version, hash, prev_hash, line FROM registry_events ORDER BY seq'),
  };
}

async function project(registry: LedgerRegistry, store: Store): Promise<void> {
  const snapshot = await registry.snapshot();
  store.transaction(() => {
    replaceRegistry(store.db, 'ledger', ledgerModels(snapshot.state));
    replaceRegistryEvents(store.db, registry.ledgerFile, snapshot.read.events);
  });
}

describe('registry projection', () => {
  const tmp = useTempDir();

  it('rebuilt from the ledger alone equals the live store updated after every change', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const registry = new LedgerRegistry(path.join(tmp.path, 'ledger.jsonl'), async () => ({ name: 'Ada' }), () => new Date((clock += 1000)));
    const { store: live } = await Store.open(undefined);
    const steps: (() => Promise<unknown>)[] = [
      () => registry.register({ model: 'churn', runUid: 'r1', description: 'first', tags: { team: 'growth' } }),
      () => registry.register({ model: 'churn', source: 'models/v2' }),
      () => registry.register({ model: 'fraud <b>', source: 'models/f1' }),
      () => registry.transition({ model: 'churn', version: 1, stage: 'Production' }),
      () => registry.transition({ model: 'churn', version: 2, stage: 'Production', reason: 'better' }),
      () => registry.setAlias({ model: 'churn', alias: 'champion', version: 2 }),
      () => registry.setAlias({ model: 'churn', alias: 'challenger', version: 1 }),
      () => registry.deleteAlias({ model: 'churn', alias: 'challenger' }),
      () => registry.setDescription({ model: 'churn', description: 'Churn classifier' }),
      () => registry.rollback({ model: 'churn' }),
    ];
    for (const step of steps) {
      await step();
      await project(registry, live);
    }
    const { store: rebuilt } = await Store.open(undefined);
    await project(registry, rebuilt);
    assert.deepEqual(registryRows(rebuilt.db), registryRows(live.db));
    const versions = rebuilt.db.exec("SELECT version, stage FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name = 'churn' ORDER BY version")[0].values;
    assert.deepEqual(versions, [[1, 'Production'], [2, 'Archived']]);
    await live.close();
    await rebuilt.close();
  });
});
