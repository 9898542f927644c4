import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hashEvent, type LedgerEvent } from '../../../src/registry/events';
import { parseLedger, readLedger } from '../../../src/registry/ledgerFile';
import { LedgerRegistry, RegistryError } from '../../../src/registry/ledgerRegistry';
import { project } from '../../../src/registry/projection';
import { useTempDir } from '../helpers';

function registryAt(file: string, name = 'Ada Lovelace', start = Date.UTC(2026, 10, 1)): LedgerRegistry {
  let clock = start;
  return new LedgerRegistry(file, async () => ({ name, email: `${name.split(' ')[0].toLowerCase()}@example.com` }), () => new Date((clock += 60_000)));
}

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').trimEnd().split('\n');
}

describe('ledger', () => {
  const tmp = useTempDir();
  const ledger = () => path.join(tmp.path, '.model-ledger', 'ledger.jsonl');

  it('records register, stage, alias and rollback as chained events, and projects MLflow-like state', async () => {
    const registry = registryAt(ledger());
    await registry.register({ model: 'churn', runUid: 'mlflow-file:mlruns/1/a', description: 'baseline' });
    await registry.register({ model: 'churn', runUid: 'mlflow-file:mlruns/1/b' });
    await registry.register({ model: 'churn', source: 'models/c' });
    await registry.transition({ model: 'churn', version: 1, stage: 'Production', reason: 'first release' });
    await registry.transition({ model: 'churn', version: 2, stage: 'Staging' });
    await registry.transition({ model: 'churn', version: 2, stage: 'Production', reason: 'better val_loss' });
    await registry.setAlias({ model: 'churn', alias: 'champion', version: 2 });
    await registry.setAlias({ model: 'churn', alias: 'challenger', version: 3 });
    await registry.rollback({ model: 'churn', reason: 'v2 regressed in production' });

    const { state, problems, read } = await registry.snapshot();
    assert.deepEqual(problems, []);
    assert.equal(read.events.length, 9);
    assert.equal(lines(ledger()).length, 9);
    const churn = state.models.get('churn')!;
    // Moving v2 to Production archived v1; rolling back restored v1 and archived v2.
    assert.deepEqual([...churn.versions.values()].map((v) => [v.version, v.stage]), [[1, 'Production'], [2, 'Archived'], [3, 'None']]);
    assert.deepEqual(Object.fromEntries(churn.aliases), { champion: 2, challenger: 3 });
    assert.equal(churn.versions.get(1)!.description, 'baseline');
    // Each event follows the one before it.
    const events = lines(ledger()).map((l) => JSON.parse(l) as LedgerEvent);
    events.forEach((e, i) => assert.deepEqual(e.prev, i === 0 ? [] : [events[i - 1].hash]));
    assert.equal(events[0].actor.name, 'Ada Lovelace');
    assert.equal(events[8].reason, 'v2 regressed in production');
  });

  it('records approvals per stage, refuses the same approver twice, and clears them when the stage changes', async () => {
    const registry = registryAt(ledger());
    await registry.register({ model: 'm', source: 'x' });
    await registry.approve({ model: 'm', version: 1, stage: 'Production', reason: 'looks good' });
    await assert.rejects(registry.approve({ model: 'm', version: 1, stage: 'Production' }), /already approved/);
    await registryAt(ledger(), 'Bob').approve({ model: 'm', version: 1, stage: 'Production' });
    let v1 = (await registry.snapshot()).state.models.get('m')!.versions.get(1)!;
    assert.deepEqual(v1.approvals.map((a) => a.actor.name), ['Ada Lovelace', 'Bob']);
    await registry.transition({ model: 'm', version: 1, stage: 'Production' });
    v1 = (await registry.snapshot()).state.models.get('m')!.versions.get(1)!;
    assert.deepEqual(v1.approvals, []);
  });

  it('refuses illegal changes and writes nothing for them', async () => {
    const registry = registryAt(ledger());
    await registry.register({ model: 'm', source: 'x' });
    await assert.rejects(registry.transition({ model: 'm', version: 7, stage: 'Staging' }), RegistryError);
    await assert.rejects(registry.transition({ model: 'nope', version: 1, stage: 'Staging' }), /no model "nope"/);
    await assert.rejects(registry.transition({ model: 'm', version: 1, stage: 'None' }), /already None/);
    await assert.rejects(registry.rollback({ model: 'm' }), /no earlier Production/);
    await assert.rejects(registry.register({ model: '  ', source: 'x' }), /not a usable model name/);
    await assert.rejects(registry.register({ model: 'tab\there', source: 'x' }), /not a usable model name/);
    assert.equal(lines(ledger()).length, 1);
  });

  it('takes any printable name: spaces, slashes, unicode, HTML', async () => {
    const registry = registryAt(ledger());
    for (const name of ['team/churn model', 'modèle-été-🚀', '<img src=x onerror=alert(1)>']) {
      await registry.register({ model: name, source: 'x' });
    }
    const { state, problems } = await registry.snapshot();
    assert.deepEqual(problems, []);
    assert.deepEqual([...state.models.keys()], ['team/churn model', 'modèle-été-🚀', '<img src=x onerror=alert(1)>']);
  });

  async function sampleLedger(): Promise<string[]> {
    const registry = registryAt(ledger());
    await registry.register({ model: 'm', source: 'a' });
    await registry.register({ model: 'm', source: 'b' });
    await registry.transition({ model: 'm', version: 1, stage: 'Staging' });
    await registry.transition({ model: 'm', version: 2, stage: 'Production' });
    return lines(ledger());
  }

  it('detects an edited event by its line', async () => {
    const original = await sampleLedger();
    const edited = [...original];
    edited[2] = edited[2].replace('"Staging"', '"Production"');
    const read = parseLedger(edited.join('\n') + '\n');
    assert.equal(read.problems[0].line, 3);
    assert.equal(read.problems[0].kind, 'hash');
  });

  it('detects a removed event (its follower points at nothing)', async () => {
    const original = await sampleLedger();
    const read = parseLedger([original[0], original[1], original[3]].join('\n'));
    assert.deepEqual(read.problems.map((p) => [p.line, p.kind]), [[3, 'missing-parent']]);
  });

  it('detects reordered events', async () => {
    const original = await sampleLedger();
    const read = parseLedger([original[0], original[2], original[1], original[3]].join('\n'));
    assert.ok(read.problems.some((p) => p.kind === 'order' && p.line === 2), JSON.stringify(read.problems));
  });

  it('detects a forged event with a correct hash that breaks the rules', async () => {
    const original = await sampleLedger();
    const last = JSON.parse(original[3]) as LedgerEvent;
    // Re-register version 1 (already taken), correctly hashed and chained.
    const forged = { ...last, id: 'f'.repeat(16), action: 'register', version: 1, before: null, after: { source: 'evil' }, prev: [last.hash] } as unknown as LedgerEvent;
    const signed = { ...forged, hash: hashEvent(forged) };
    const read = parseLedger([...original, JSON.stringify(signed)].join('\n'));
    assert.deepEqual(read.problems, [], 'the hash chain itself is intact');
    const { problems } = project(read.events);
    assert.deepEqual(problems.map((p) => [p.line, p.kind]), [[5, 'illegal']]);
    assert.match(problems[0].message, /expects version 3/);
  });

  it('reports malformed lines and keeps reading', async () => {
    const original = await sampleLedger();
    const read = parseLedger([original[0], '{"not": "an event"}', 'garbage', original[1]].join('\n'));
    assert.deepEqual(read.problems.map((p) => [p.line, p.kind]), [[2, 'malformed'], [3, 'malformed']]);
    assert.equal(read.events.length, 2);
  });

  it('reads a union merge of two branches in one order whatever the side, and the next append joins them', async () => {
    const base = await sampleLedger();
    const branchA = registryAt(ledger(), 'Ann', Date.UTC(2026, 10, 5));
    await branchA.setAlias({ model: 'm', alias: 'champion', version: 2 });
    const afterA = lines(ledger());
    writeFileSync(ledger(), base.join('\n') + '\n');
    const branchB = registryAt(ledger(), 'Bob', Date.UTC(2026, 10, 6));
    await branchB.register({ model: 'm', source: 'c' });
    await branchB.transition({ model: 'm', version: 3, stage: 'Staging' });
    const afterB = lines(ledger());
    const newA = afterA.slice(base.length);
    const newB = afterB.slice(base.length);
    const mergedAB = parseLedger([...base, ...newA, ...newB].join('\n'));
    const mergedBA = parseLedger([...base, ...newB, ...newA].join('\n'));
    assert.deepEqual(mergedAB.problems, []);
    assert.deepEqual(mergedBA.problems, []);
    assert.deepEqual(mergedAB.events.map((e) => e.id), mergedBA.events.map((e) => e.id));
    assert.equal(mergedAB.heads.length, 2);
    writeFileSync(ledger(), [...base, ...newB, ...newA].join('\n') + '\n');
    const joined = await registryAt(ledger(), 'Cy', Date.UTC(2026, 10, 7)).transition({ model: 'm', version: 3, stage: 'Production' });
    assert.equal(joined.prev.length, 2);
    const after = await readLedger(ledger());
    assert.deepEqual(after.problems, []);
    assert.equal(after.heads.length, 1);
    const { state } = project(after.events);
    assert.deepEqual([...state.models.get('m')!.versions.values()].map((v) => v.stage), ['Staging', 'Archived', 'Production']);
  });

  it('loses no event when two processes append 1,000 events each at the same time', async function () {
    this.timeout(300_000);
    const writers = 2;
    const each = 1000;
    await Promise.all(
      Array.from({ length: writers }, (_, w) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, [path.join(__dirname, 'ledgerWriter.js'), ledger(), `writer-${w}`, String(each)], { stdio: ['ignore', 'ignore', 'pipe'] });
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${w}: ${stderr}`))));
        }),
      ),
    );
    const raw = lines(ledger());
    assert.equal(raw.length, writers * each, 'one line per event, none torn');
    const read = await readLedger(ledger());
    assert.deepEqual(read.problems, []);
    assert.equal(read.heads.length, 1, 'one chain: every append saw the one before');
    const { state, problems } = project(read.events);
    assert.deepEqual(problems, []);
    assert.deepEqual([...state.models.get('shared-model')!.versions.keys()], Array.from({ length: writers * each }, (_, i) => i + 1));
    for (let w = 0; w < writers; w++) assert.equal(raw.filter((l) => l.includes(`"writer-${w}"`)).length, each);
  });
});
