// `verify --against-git REV`: what the chain alone cannot see, a truncated tail or a rewritten
// history, found against the ledger as committed (issue 15, item 14 of the adversarial run).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { LedgerRegistry } from '../../../src/registry/ledgerRegistry';
import { useTempDir } from '../helpers';

describe('verify --against-git', () => {
  const tmp = useTempDir();

  async function verify(rev: string): Promise<{ code: number; stdout: string }> {
    let stdout = '';
    const code = await runCli(['verify', '--against-git', rev], { stdout: (t) => (stdout += t), stderr: () => undefined, cwd: tmp.path, env: {} });
    return { code, stdout };
  }

  it('passes an appended ledger, and fails a truncated or a rewritten one that the chain alone accepts', async function () {
    this.timeout(30_000);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: tmp.path, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } });
    git('init', '-q');
    const file = path.join(tmp.path, '.model-ledger', 'ledger.jsonl');
    const registry = new LedgerRegistry(file, async () => ({ name: 'Ada' }));
    for (const source of ['a', 'b', 'c']) await registry.register({ model: 'm', source });
    git('add', '-A');
    git('commit', '-qm', 'ledger');
    await registry.register({ model: 'm', source: 'd' });
    assert.equal((await verify('HEAD')).code, 0);

    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    writeFileSync(file, lines.slice(0, 2).join('\n') + '\n'); // the tail cut off: a valid chain
    const truncated = await verify('HEAD');
    assert.equal(truncated.code, 1);
    assert.match(truncated.stdout, /rewritten: the ledger at HEAD has 3 events, today's only 2/);

    // A whole new chain from the start (different content, correctly hashed): valid on its own.
    writeFileSync(file, '');
    const forger = new LedgerRegistry(file, async () => ({ name: 'Mallory' }));
    for (const source of ['x', 'y', 'z', 'w']) await forger.register({ model: 'm', source });
    const rewritten = await verify('HEAD');
    assert.equal(rewritten.code, 1);
    assert.match(rewritten.stdout, /:1: rewritten: differs from line 1 of the ledger at HEAD/);
  });
});
