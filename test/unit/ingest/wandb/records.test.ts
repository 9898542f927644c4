import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRecord } from '../../../../src/ingest/wandb/records';
import { configRecord, exitRecord, historyRecord, outputRecord, runRecord, summaryRecord, varintField } from './wandbWriter';

function decoded(bytes: Buffer) {
  const result = decodeRecord(bytes);
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.value;
}

describe('wandb record decoding', () => {
  it('reads history items, nested keys and the step', () => {
    const record = decoded(historyRecord([['loss', '0.5'], [['train', 'acc'], '0.9'], ['_step', '3']], 3));
    assert.equal(record.kind, 'history');
    if (record.kind !== 'history') return;
    assert.deepEqual(record.history.items, [
      { path: ['loss'], valueJson: '0.5' },
      { path: ['train', 'acc'], valueJson: '0.9' },
      { path: ['_step'], valueJson: '3' },
    ]);
    assert.equal(record.history.stepNum, 3);
  });

  it('reads config and summary updates and removals', () => {
    const config = decoded(configRecord([['lr', '1e-08']], ['old']));
    assert.deepEqual(config, { kind: 'config', config: { update: [{ path: ['lr'], valueJson: '1e-08' }], remove: [['old']] } });
    const summary = decoded(summaryRecord([['best', '0.1']]));
    assert.deepEqual(summary, { kind: 'summary', summary: { update: [{ path: ['best'], valueJson: '0.1' }], remove: [] } });
  });

  it('reads the run record but never its host, entity or settings', () => {
    const record = decoded(runRecord({
      runId: 'abc123', entity: 'someone', project: 'proj', displayName: 'bright-sun-1', host: 'secret-host',
      settings: { email: '"me@example.com"' }, startSeconds: 1700000000, startNanos: 250_000_000, gitCommit: 'deadbeef', tags: ['a', 'b'], group: 'g',
    }));
    assert.equal(record.kind, 'run');
    if (record.kind !== 'run') return;
    assert.equal(record.run.runId, 'abc123');
    assert.equal(record.run.project, 'proj');
    assert.equal(record.run.displayName, 'bright-sun-1');
    assert.equal(record.run.startTimeMs, 1700000000250);
    assert.equal(record.run.gitCommit, 'deadbeef');
    assert.deepEqual(record.run.tags, ['a', 'b']);
    assert.equal(record.run.group, 'g');
    const text = JSON.stringify(record);
    for (const secret of ['secret-host', 'me@example.com', 'someone']) assert.ok(!text.includes(secret), secret);
  });

  it('reads the exit record, including a negative exit code', () => {
    assert.deepEqual(decoded(exitRecord(0, 12)), { kind: 'exit', exit: { exitCode: 0, runtimeSeconds: 12 } });
    assert.deepEqual(decoded(exitRecord(-9, 1)), { kind: 'exit', exit: { exitCode: -9, runtimeSeconds: 1 } });
  });

  it('passes over other record types and unknown fields', () => {
    assert.deepEqual(decoded(outputRecord('hello')), { kind: 'other' });
    assert.deepEqual(decoded(Buffer.concat([varintField(1, 7), varintField(999, 5)])), { kind: 'other' });
    assert.deepEqual(decoded(Buffer.alloc(0)), { kind: 'other' });
  });

  it('reports truncated records instead of throwing', () => {
    const bytes = historyRecord([['loss', '0.5']]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const result = decodeRecord(bytes.subarray(0, cut));
      if (result.ok) assert.ok(['other', 'history'].includes(result.value.kind));
    }
    assert.equal(decodeRecord(Buffer.from([0x12, 0x05, 0x01])).ok, false);
  });

  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      decodeRecord(bytes);
    }), { numRuns: 2000 });
  });
});
