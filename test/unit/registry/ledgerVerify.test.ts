// What `verify` must reject or name since the adversarial run (issue 15, items 1, 10 and 14).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hashEvent, type LedgerEvent } from '../../../src/registry/events';
import { parseLedger } from '../../../src/registry/ledgerFile';
import { LedgerRegistry } from '../../../src/registry/ledgerRegistry';
import { project } from '../../../src/registry/projection';
import { useTempDir } from '../helpers';

function sealed(fields: Omit<LedgerEvent, 'hash'>): LedgerEvent {
  return { ...fields, hash: hashEvent(fields) };
}

describe('ledger verification (adversarial cases)', () => {
  const tmp = useTempDir();
  const ledger = () => path.join(tmp.path, '.model-ledger', 'ledger.jsonl');

  /** register m v1, v2; v1 to Staging: three chained events. */
  async function threeEvents(): Promise<string[]> {
    let clock = Date.UTC(2026, 10, 1);
    const registry = new LedgerRegistry(ledger(), async () => ({ name: 'Ada' }), () => new Date((clock += 60_000)));
    await registry.register({ model: 'm', source: 'a' });
    await registry.register({ model: 'm', source: 'b' });
    await registry.transition({ model: 'm', version: 1, stage: 'Staging' });
    return readFileSync(ledger(), 'utf8').trimEnd().split('\n');
  }

  function forgedRoot(): LedgerEvent {
    // Knows no existing hash: moves v2 to Production from nowhere.
    return sealed({ v: 1, id: 'f'.repeat(16), time: '2026-11-01T00:10:00.000Z', actor: { name: 'Mallory' }, action: 'transition', model: 'm', version: 2, before: { stage: 'None' }, after: { stage: 'Production' }, prev: [] });
  }

  it('rejects a forged "prev": [] event after the first line, and anything that follows it', async () => {
    const original = await threeEvents();
    const forged = forgedRoot();
    const follower = sealed({ v: 1, id: 'e'.repeat(16), time: '2026-11-01T00:11:00.000Z', actor: { name: 'Mallory' }, action: 'set-alias', model: 'm', version: 2, after: { alias: 'prod' }, prev: [forged.hash] });
    const read = parseLedger([...original, JSON.stringify(forged), JSON.stringify(follower)].join('\n') + '\n');
    assert.deepEqual(read.problems.map((p) => [p.line, p.kind]), [[4, 'unlinked']]);
    assert.equal(read.events.length, 3, 'the three real events only');
    assert.equal(read.heads.length, 1);
    const { state } = project(read.events);
    assert.equal(state.models.get('m')!.versions.get(2)!.stage, 'None');
  });

  it('the next legitimate append does not link a forged root in', async () => {
    await threeEvents();
    const { appendFileSync } = await import('node:fs');
    appendFileSync(ledger(), JSON.stringify(forgedRoot()) + '\n');
    const registry = new LedgerRegistry(ledger(), async () => ({ name: 'Ada' }), () => new Date(Date.UTC(2026, 10, 2)));
    const written = await registry.transition({ model: 'm', version: 1, stage: 'Production' });
    assert.equal(written.prev.length, 1, 'follows the real head only');
    const read = parseLedger(readFileSync(ledger(), 'utf8'));
    assert.deepEqual(read.problems.map((p) => p.kind), ['unlinked']);
  });

  it('accepts a second root adopted by a later linked event (the union-merge marker) and says so', async () => {
    const original = await threeEvents();
    const other = sealed({ v: 1, id: 'a'.repeat(16), time: '2026-11-01T00:20:00.000Z', actor: { name: 'Bo' }, action: 'register', model: 'other', version: 1, after: { source: 'x' }, prev: [] });
    const head = (JSON.parse(original[2]) as LedgerEvent).hash;
    const join = sealed({ v: 1, id: 'b'.repeat(16), time: '2026-11-01T00:30:00.000Z', actor: { name: 'Ada' }, action: 'set-tag', model: 'other', version: 1, after: { key: 'k', value: 'v' }, adopts: [other.hash], prev: [head] });
    const read = parseLedger([...original, JSON.stringify(other), JSON.stringify(join)].join('\n') + '\n');
    assert.deepEqual(read.problems, []);
    assert.equal(read.events.length, 5);
    assert.equal(read.heads.length, 2, 'the adopted chain is a branch the next append joins');
    assert.match(read.notes!.join('\n'), /line 4: a second root, adopted/);
  });

  it('rejects duplicate keys in an event (readers would disagree on its value)', async () => {
    const original = await threeEvents();
    // Same hash either way JSON.parse reads it: the duplicate comes first and loses.
    const line = original[2].replace('{"v":1,', '{"v":1,"model":"elsewhere",');
    const read = parseLedger([original[0], original[1], line].join('\n'));
    assert.deepEqual(read.problems.map((p) => [p.line, p.kind]), [[3, 'malformed']]);
    assert.match(read.problems[0].message, /key "model" appears twice/);
  });

  it('strips a UTF-8 byte-order mark with a note instead of failing every event', async () => {
    const original = await threeEvents();
    const read = parseLedger('\uFEFF' + original.join('\n') + '\n');
    assert.deepEqual(read.problems, []);
    assert.equal(read.events.length, 3);
    assert.match(read.notes![0], /byte-order mark/);
  });

  it('names a torn write as such, at the end and in the middle', async () => {
    const original = await threeEvents();
    const torn = original[2].slice(0, 57);
    const atEnd = parseLedger([original[0], original[1], torn].join('\n'));
    assert.deepEqual(atEnd.problems.map((p) => [p.line, p.kind]), [[3, 'torn']]);
    assert.match(atEnd.problems[0].message, /next append moves it aside/);
    const inMiddle = parseLedger([original[0], torn, original[1]].join('\n') + '\n');
    assert.deepEqual(inMiddle.problems.map((p) => [p.line, p.kind]), [[2, 'torn']]);
    assert.equal(parseLedger([original[0], 'garbage'].join('\n')).problems[0].kind, 'malformed');
  });
});

describe('ledger appends after a torn write', () => {
  const tmp = useTempDir();
  const ledger = () => path.join(tmp.path, 'ledger.jsonl');

  it('moves a torn last line aside before the next append, so verify passes again', async () => {
    let clock = Date.UTC(2026, 10, 1);
    const registry = new LedgerRegistry(ledger(), async () => ({ name: 'Ada' }), () => new Date((clock += 60_000)));
    await registry.register({ model: 'm', source: 'a' });
    await registry.register({ model: 'm', source: 'b' });
    const whole = readFileSync(ledger(), 'utf8');
    const lines = whole.trimEnd().split('\n');
    const { writeFileSync, readdirSync } = await import('node:fs');
    writeFileSync(ledger(), `${lines[0]}\n${lines[1].slice(0, 80)}`); // killed mid-append of the second event
    await registry.register({ model: 'm', source: 'c' });
    const read = parseLedger(readFileSync(ledger(), 'utf8'));
    assert.deepEqual(read.problems, []);
    assert.equal(read.events.length, 2);
    const aside = readdirSync(tmp.path).filter((n) => n.startsWith('ledger.jsonl.torn-'));
    assert.equal(aside.length, 1);
    assert.equal(readFileSync(path.join(tmp.path, aside[0]), 'utf8'), lines[1].slice(0, 80));
  });

  it('leaves a last line without newline that is a whole event as it is', async () => {
    const registry = new LedgerRegistry(ledger(), async () => ({ name: 'Ada' }));
    await registry.register({ model: 'm', source: 'a' });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(ledger(), readFileSync(ledger(), 'utf8').trimEnd());
    await registry.register({ model: 'm', source: 'b' });
    assert.deepEqual(parseLedger(readFileSync(ledger(), 'utf8')).problems, []);
    assert.equal(parseLedger(readFileSync(ledger(), 'utf8')).events.length, 2);
  });
});
