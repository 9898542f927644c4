import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { hashEvent, type LedgerEvent } from '../../../src/registry/events';
import { useTempDir } from '../helpers';
import { HAS_SSH_KEYGEN, makeKey, publicKeyText, sshKeygenVerifies } from './sshTools';

/** Canonical JSON written independently of src/registry/events.ts: keys sorted at every level, undefined left out. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

describe('signing: signed ledger events', function () {
  const tmp = useTempDir();
  let key = '';
  const ledger = () => path.join(tmp.path, '.model-ledger', 'ledger.jsonl');
  const lines = () => readFileSync(ledger(), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LedgerEvent & { signature?: string });

  beforeEach(function () {
    if (!HAS_SSH_KEYGEN) this.skip();
    spawnSync('git', ['init', '-q'], { cwd: tmp.path });
    spawnSync('git', ['config', 'user.name', 'Ada'], { cwd: tmp.path });
    spawnSync('git', ['config', 'user.email', 'ada@example.com'], { cwd: tmp.path });
    key = makeKey(tmp.path, 'ada', 'ed25519');
  });

  async function cli(env: Record<string, string>, ...args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: tmp.path, env });
    return { code, stdout, stderr };
  }
  const signed = { MODEL_LEDGER_SIGNING_KEY: 'ada' };

  async function history(env: Record<string, string> = signed) {
    assert.equal((await cli(env, 'register', '--source', 's3://b/m', '--model', 'churn')).code, 0);
    assert.equal((await cli(env, 'promote', 'churn', '1', '--to', 'Staging', '--reason', 'tests pass')).code, 0);
    assert.equal((await cli(env, 'promote', 'churn', '1', '--to', 'Production')).code, 0);
  }
  const allow = (line: string) => writeFileSync(path.join(tmp.path, '.model-ledger', 'allowed_signers'), line + '\n');

  it('every event carries an SSHSIG that ssh-keygen -Y verify accepts for the actor over the canonical content', async () => {
    await history();
    allow(`ada@example.com ${publicKeyText(key)}`);
    for (const [index, event] of lines().entries()) {
      assert.match(event.signature ?? '', /^-----BEGIN SSH SIGNATURE-----/);
      const { hash: _h, signature, ...content } = event;
      const contentFile = path.join(tmp.path, `content-${index}`);
      writeFileSync(contentFile, canonical(content));
      writeFileSync(`${contentFile}.sig`, signature!);
      assert.ok(sshKeygenVerifies(path.join(tmp.path, '.model-ledger', 'allowed_signers'), 'ada@example.com', 'model-ledger', `${contentFile}.sig`, readFileSync(contentFile)), `event ${index}`);
    }
    const verify = await cli({}, 'verify');
    assert.equal(verify.code, 0, verify.stdout);
    assert.equal((verify.stdout.match(/: signed {6}ada@example\.com SHA256:/g) ?? []).length, 3, verify.stdout);
    const json = JSON.parse((await cli({}, 'verify', '--json')).stdout);
    assert.deepEqual(json.signatures.map((s: { status: string; line: number }) => [s.line, s.status]), [[1, 'signed'], [2, 'signed'], [3, 'signed']]);
  });

  it('the rewrite attack: a signed event edited and the whole chain re-hashed passes the hash check but not the signatures', async () => {
    await history();
    allow(`ada@example.com ${publicKeyText(key)}`);
    const events = lines();
    const renamed = new Map<string, string>();
    const rewritten = events.map((event, index) => {
      const edited: Record<string, unknown> = { ...event, prev: event.prev.map((p) => renamed.get(p) ?? p) };
      if (index === 1) edited.reason = 'approved by the board';
      const hash = hashEvent(edited as unknown as LedgerEvent);
      renamed.set(event.hash, hash);
      return { ...edited, hash };
    });
    writeFileSync(ledger(), rewritten.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const verify = await cli({}, 'verify', '--json');
    assert.equal(verify.code, 1);
    const report = JSON.parse(verify.stdout);
    assert.deepEqual(report.problems.map((p: { kind: string }) => p.kind), ['signature', 'signature'], verify.stdout); // line 2 edited; line 3's prev changed
    assert.deepEqual(report.signatures.map((s: { status: string }) => s.status), ['signed', 'invalid', 'invalid']);
    assert.match(report.problems[0].message, /changed after it was signed/);
  });

  it('stripped signatures fail where the policy requires them; a forger\'s own key is an unknown key', async () => {
    await history();
    allow(`ada@example.com ${publicKeyText(key)}`);
    const stripped = lines().map((event) => {
      const { signature: _s, hash: _h, ...rest } = event;
      return rest;
    });
    // re-link and re-hash without signatures
    const renamed = new Map<string, string>();
    const rehashed = stripped.map((e) => {
      const edited = { ...e, prev: e.prev.map((p) => renamed.get(p) ?? p) } as unknown as LedgerEvent;
      const hash = hashEvent(edited);
      renamed.set(lines()[stripped.indexOf(e)]!.hash, hash);
      return { ...edited, hash };
    });
    writeFileSync(ledger(), rehashed.map((e) => JSON.stringify(e)).join('\n') + '\n');
    assert.equal((await cli({}, 'verify')).code, 0, 'no policy: unsigned events are allowed');
    writeFileSync(path.join(tmp.path, '.model-ledger', 'policy.yaml'), 'version: 1\nmodels:\n  "*":\n    Production:\n      signatures: required\n      gates: []\n');
    const perTarget = JSON.parse((await cli({}, 'verify', '--json')).stdout);
    assert.deepEqual(perTarget.problems.map((p: { line: number }) => p.line), [3], 'only the move to Production is required to be signed');
    writeFileSync(path.join(tmp.path, '.model-ledger', 'policy.yaml'), 'version: 1\nsignatures: required\nmodels: {}\n');
    const everything = JSON.parse((await cli({}, 'verify', '--json')).stdout);
    assert.deepEqual(everything.problems.map((p: { line: number }) => p.line), [1, 2, 3]);
    assert.match(everything.problems[0].message, /requires a signature/);
  });

  it('a key allowed for someone else, an unknown key, and a broken allowed_signers line are reported', async () => {
    const eve = makeKey(tmp.path, 'eve', 'ecdsa', 256);
    await history({ MODEL_LEDGER_SIGNING_KEY: 'eve' });
    allow(`bob@example.com ${publicKeyText(eve)}`);
    const notAllowed = JSON.parse((await cli({}, 'verify', '--json')).stdout);
    assert.deepEqual(notAllowed.signatures.map((s: { status: string }) => s.status), ['not-allowed', 'not-allowed', 'not-allowed']);
    allow(`ada@example.com ${publicKeyText(key)}`);
    const unknown = await cli({}, 'verify');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stdout, /unknown-key/);
    allow(`ada@example.com namespaces="model-ledger ${publicKeyText(key)}`);
    const broken = await cli({}, 'verify');
    assert.match(broken.stdout, /allowed_signers:1:17: unterminated quote/);
  });

  it('a configured key that cannot sign refuses the write instead of writing unsigned', async () => {
    const result = await cli({ MODEL_LEDGER_SIGNING_KEY: 'no-such-key' }, 'register', '--source', 's3://b/m', '--model', 'churn');
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /could not sign/);
    assert.throws(() => readFileSync(ledger()));
  });
});
