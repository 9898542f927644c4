import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { findPrincipals, matchPatternList, parseAllowedSigners, parseSshTime, verifyWithAllowedSigners } from '../../../src/signing/allowedSigners';
import { fixturePath } from '../../fixturePath';
import { useTempDir } from '../helpers';
import { HAS_SSH_KEYGEN, makeKey, publicKeyText, sshKeygenVerifies, sshSign } from './sshTools';

const fixture = (name: string) => readFileSync(fixturePath('ssh-signatures', name));
const ADA = fixture('ada_ed25519.pub').toString('utf8').trim().split(' ').slice(0, 2).join(' ');

describe('signing/allowedSigners: parsing', () => {
  it('reads the fixture file: three signers, ada limited to model-ledger and git', () => {
    const { signers, diagnostics } = parseAllowedSigners(fixture('allowed_signers').toString('utf8'));
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(signers.map((s) => [s.line, s.principals, s.key.type, s.namespaces]), [
      [1, 'ada@example.com', 'ssh-ed25519', 'model-ledger,git'],
      [2, 'bob@example.com', 'ecdsa-sha2-nistp256', undefined],
      [3, 'carol@example.com', 'ssh-rsa', undefined],
    ]);
  });

  it('comments, blank lines, quoted principals, trailing comments and all options', () => {
    const text = [
      '# team keys',
      '',
      `   "ada@example.com,*@ops.example.com" ${ADA} ada laptop`,
      `ada@example.com cert-authority,namespaces="git",valid-after="20260101",valid-before="20270101Z" ${ADA}`,
    ].join('\n');
    const { signers, diagnostics } = parseAllowedSigners(text);
    assert.deepEqual(diagnostics, []);
    assert.equal(signers[0]!.principals, 'ada@example.com,*@ops.example.com');
    assert.equal(signers[1]!.certAuthority, true);
    assert.equal(signers[1]!.namespaces, 'git');
    assert.equal(signers[1]!.validAfter, new Date(2026, 0, 1).getTime());
    assert.equal(signers[1]!.validBefore, Date.UTC(2027, 0, 1));
  });

  it('syntax errors carry line and column and leave the line out', () => {
    const cases: [string, number, RegExp][] = [
      [`ada@example.com namespaces="git ${ADA}`, 17, /unterminated quote/],
      [`ada@example.com namespace="git" ${ADA}`, 17, /unknown option/],
      [`ada@example.com namespaces="git",,valid-after="2026" ${ADA}`, 34, /unknown option/],
      [`ada@example.com valid-after="2026-01-01" ${ADA}`, 17, /invalid "valid-after" time/],
      [`ada@example.com valid-after="20270101",valid-before="20260101" ${ADA}`, 17, /not after/],
      [`ada@example.com namespaces=git ${ADA}`, 28, /double quotes/],
      ['ada@example.com', 16, /missing key/],
      ['ada@example.com ssh-ed25519 AAAA!!', 29, /invalid key/],
      ['ada@example.com ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABgQCnt', 29, /invalid key/],
      ['ada@example.com sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIA7vgablE9Iz9XkrRHcOE3Pa5McNQ8BhToFAYw7VvncUAAAABHNzaDo=', 17, /unsupported key type "sk-ssh-ed25519@openssh.com"/],
    ];
    for (const [line, column, message] of cases) {
      const { signers, diagnostics } = parseAllowedSigners(`# header\n${line}\n`, 'team/allowed_signers');
      assert.equal(signers.length, 0, line);
      assert.equal(diagnostics.length, 1, line);
      assert.equal(diagnostics[0]!.file, 'team/allowed_signers');
      assert.equal(diagnostics[0]!.line, 2, line);
      assert.equal(diagnostics[0]!.column, column, `${line}: ${diagnostics[0]!.message}`);
      assert.match(diagnostics[0]!.message, message, line);
    }
  });

  it('OpenSSH times: date, minutes, seconds, Z; impossible dates refused', () => {
    assert.equal(parseSshTime('20260315Z'), Date.UTC(2026, 2, 15));
    assert.equal(parseSshTime('202603151230Z'), Date.UTC(2026, 2, 15, 12, 30));
    assert.equal(parseSshTime('20260315123045Z'), Date.UTC(2026, 2, 15, 12, 30, 45));
    for (const bad of ['20260230', '2026031', '202603152560Z', 'yesterday', '']) assert.equal(parseSshTime(bad), undefined, bad);
  });

  it('pattern lists: wildcards and negation as OpenSSH match_pattern_list', () => {
    assert.ok(matchPatternList('ada@example.com', '*@example.com'));
    assert.ok(matchPatternList('ada@example.com', 'bob@x,a?a@example.com'));
    assert.ok(!matchPatternList('eve@example.com', '*@example.com,!eve@*'));
    assert.ok(!matchPatternList('eve@example.com', '!bob@example.com'));
    assert.ok(!matchPatternList('ADA@example.com', 'ada@example.com'));
  });

  it('random text never throws; long patterns stay linear (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => void parseAllowedSigners(text)), { numRuns: 500 });
    const started = process.hrtime.bigint();
    matchPatternList('a'.repeat(5000), '*a*a*a*a*a*a*a*a*b');
    assert.ok(process.hrtime.bigint() - started < 2_000_000_000n);
  });
});

describe('signing/allowedSigners: decisions as ssh-keygen -Y verify makes them', () => {
  const tmp = useTempDir();
  const message = Buffer.from('event content\n');

  it('wildcard principals, namespaces=, valid-after/valid-before and cert-authority against OpenSSH', function () {
    if (!HAS_SSH_KEYGEN) this.skip();
    const key = makeKey(tmp.path, 'dev', 'ed25519');
    const pub = publicKeyText(key).split(' ').slice(0, 2).join(' ');
    const signature = sshSign(key, 'model-ledger', message);
    const sigFile = path.join(tmp.path, 'sig');
    writeFileSync(sigFile, signature);
    const lines: [string, string, boolean][] = [
      [`*@example.com ${pub}`, 'dev@example.com', true],
      [`*@example.com,!dev@* ${pub}`, 'dev@example.com', false],
      [`dev@example.com namespaces="git,model-*" ${pub}`, 'dev@example.com', true],
      [`dev@example.com namespaces="git" ${pub}`, 'dev@example.com', false],
      [`dev@example.com valid-after="20990101" ${pub}`, 'dev@example.com', false],
      [`dev@example.com valid-before="20000101" ${pub}`, 'dev@example.com', false],
      [`dev@example.com valid-after="20000101Z",valid-before="20990101Z" ${pub}`, 'dev@example.com', true],
      [`dev@example.com cert-authority ${pub}`, 'dev@example.com', false],
      [`other@example.com ${pub}`, 'dev@example.com', false],
      [`dev@example.com ${ADA}`, 'dev@example.com', false],
    ];
    const allowed = path.join(tmp.path, 'allowed');
    for (const [line, principal, expected] of lines) {
      writeFileSync(allowed, line + '\n');
      const decision = verifyWithAllowedSigners(parseAllowedSigners(line).signers, signature, message, { principal, namespace: 'model-ledger' });
      assert.equal(decision.ok, expected, `${line}: ${decision.ok ? '' : decision.reason}`);
      assert.equal(decision.ok, sshKeygenVerifies(allowed, principal, 'model-ledger', sigFile, message), `${line}: ssh-keygen disagrees`);
    }
  });

  it('an unknown key and a key allowed for someone else are told apart', () => {
    const signers = parseAllowedSigners(fixture('allowed_signers').toString('utf8')).signers;
    const sig = fixture('event1.json.bob_ecdsa.sig').toString('utf8');
    const asAda = verifyWithAllowedSigners(signers, sig, fixture('event1.json'), { principal: 'ada@example.com', namespace: 'model-ledger' });
    assert.ok(!asAda.ok && asAda.code === 'not-allowed');
    const onlyAda = signers.filter((s) => s.principals.startsWith('ada'));
    const unknown = verifyWithAllowedSigners(onlyAda, sig, fixture('event1.json'), { principal: 'bob@example.com', namespace: 'model-ledger' });
    assert.ok(!unknown.ok && unknown.code === 'unknown-key');
    assert.deepEqual(findPrincipals(signers, signers[1]!.key, 'model-ledger'), ['bob@example.com']);
    assert.deepEqual(findPrincipals(signers, signers[0]!.key, 'file'), []);
  });
});
