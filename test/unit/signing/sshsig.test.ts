import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parseAllowedSigners, verifyWithAllowedSigners } from '../../../src/signing/allowedSigners';
import { parseSshSignature, verifySshSignature, SSHSIG_BEGIN, SSHSIG_END } from '../../../src/signing/sshsig';
import { sshString } from '../../../src/signing/sshWire';
import { fixturePath } from '../../fixturePath';
import { useTempDir } from '../helpers';
import { HAS_SSH_KEYGEN, makeKey, publicKeyText, sshKeygenVerifies, sshSign } from './sshTools';

const dir = (...parts: string[]) => fixturePath('ssh-signatures', ...parts);
const read = (name: string) => readFileSync(dir(name));
const SIGNERS = parseAllowedSigners(read('allowed_signers').toString('utf8'), 'allowed_signers').signers;

/** What the fixtures' README says ssh-keygen decided (principal, namespace, message per signature file). */
const EXPECTED_GOOD = new Set([
  'event1.json.ada_ed25519.sig|ada@example.com|model-ledger|event1.json',
  'event1.json.bob_ecdsa.sig|bob@example.com|model-ledger|event1.json',
  'event1.json.carol_rsa.sig|carol@example.com|model-ledger|event1.json',
  'event2.txt.ada_ed25519.sig|ada@example.com|model-ledger|event2.txt',
]);

describe('signing/sshsig: fixtures decided as ssh-keygen -Y verify decides', () => {
  const signatures = readdirSync(dir()).filter((f) => f.endsWith('.sig'));
  const principals = ['ada@example.com', 'bob@example.com', 'carol@example.com', 'eve@example.com'];
  const namespaces = ['model-ledger', 'file', 'git'];
  const messages = ['event1.json', 'event2.txt'];

  it('finds the five fixture signatures', () => assert.equal(signatures.length, 5));

  for (const sig of signatures) {
    it(`${sig}: every principal × namespace × message`, function () {
      for (const principal of principals) {
        for (const namespace of namespaces) {
          for (const message of messages) {
            const ours = verifyWithAllowedSigners(SIGNERS, read(sig).toString('utf8'), read(message), { principal, namespace }).ok;
            const key = `${sig}|${principal}|${namespace}|${message}`;
            assert.equal(ours, EXPECTED_GOOD.has(key), `${key}: README says ${EXPECTED_GOOD.has(key)}`);
            if (HAS_SSH_KEYGEN) assert.equal(ours, sshKeygenVerifies(dir('allowed_signers'), principal, namespace, dir(sig), read(message)), `${key}: ssh-keygen disagrees`);
          }
        }
      }
    });
  }

  it('names the signature algorithm and key of each fixture', () => {
    const kinds = signatures.map((s) => {
      const parsed = parseSshSignature(read(s).toString('utf8'));
      assert.ok(parsed.ok);
      return `${parsed.signature.publicKey.type}/${parsed.signature.signatureAlgorithm}/${parsed.signature.hashAlgorithm}`;
    });
    assert.deepEqual([...new Set(kinds)].sort(), ['ecdsa-sha2-nistp256/ecdsa-sha2-nistp256/sha512', 'ssh-ed25519/ssh-ed25519/sha512', 'ssh-rsa/rsa-sha2-512/sha512']);
  });

  it('the namespace-file signature is refused for model-ledger with the namespace named', () => {
    const result = verifySshSignature(read('event1.json.ada_ed25519.namespace-file.sig').toString('utf8'), read('event1.json'), 'model-ledger');
    assert.ok(!result.ok);
    assert.equal(result.code, 'namespace');
    assert.match(result.reason, /"file"/);
    // good for "file" cryptographically, but ada's allowed_signers line does not allow that namespace
    const allowed = verifyWithAllowedSigners(SIGNERS, read('event1.json.ada_ed25519.namespace-file.sig').toString('utf8'), read('event1.json'), { principal: 'ada@example.com', namespace: 'file' });
    assert.ok(!allowed.ok);
    assert.equal(allowed.code, 'not-allowed');
  });
});

describe('signing/sshsig: keys made by ssh-keygen at test time', function () {
  const tmp = useTempDir();
  const message = Buffer.from('{"action":"register","model":"m","version":1}\n');
  const types: [string, string, number?][] = [
    ['ed', 'ed25519'],
    ['p256', 'ecdsa', 256],
    ['p384', 'ecdsa', 384],
    ['p521', 'ecdsa', 521],
    ['rsa', 'rsa', 2048],
  ];
  for (const [name, type, bits] of types) {
    it(`${name}: a signature verifies, a changed message or byte does not, as ssh-keygen decides`, function () {
      if (!HAS_SSH_KEYGEN) this.skip();
      const key = makeKey(tmp.path, name, type, bits);
      const allowed = path.join(tmp.path, 'allowed');
      writeFileSync(allowed, `${name}@example.com ${publicKeyText(key)}\n`);
      const signature = sshSign(key, 'model-ledger', message);
      const signers = parseAllowedSigners(`${name}@example.com ${publicKeyText(key)}\n`).signers;
      const decide = (sig: string, msg: Buffer) => verifyWithAllowedSigners(signers, sig, msg, { principal: `${name}@example.com`, namespace: 'model-ledger' }).ok;
      const sigFile = path.join(tmp.path, 'sig');
      const cases: [string, Buffer][] = [
        [signature, message],
        [signature, Buffer.concat([message, Buffer.from(' ')])],
        [flipSignatureByte(signature), message],
      ];
      for (const [sig, msg] of cases) {
        writeFileSync(sigFile, sig);
        assert.equal(decide(sig, msg), sshKeygenVerifies(allowed, `${name}@example.com`, 'model-ledger', sigFile, msg));
      }
      assert.equal(decide(signature, message), true);
      assert.equal(decide(flipSignatureByte(signature), message), false);
    });
  }
});

/** Flips one bit in the last byte of the blob (the signature bytes). */
function flipSignatureByte(armored: string): string {
  const blob = armoredBlob(armored);
  blob[blob.length - 1] ^= 1;
  return armor(blob);
}

function armoredBlob(armored: string): Buffer {
  return Buffer.from(armored.replace(SSHSIG_BEGIN, '').replace(SSHSIG_END, '').replace(/\s/g, ''), 'base64');
}

function armor(blob: Buffer, width = 70): string {
  const body = (blob.toString('base64').match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join('\n');
  return `${SSHSIG_BEGIN}\n${body}\n${SSHSIG_END}\n`;
}

describe('signing/sshsig: bad input', () => {
  const good = read('event1.json.ada_ed25519.sig').toString('utf8');
  const message = read('event1.json');
  const tmp = useTempDir();

  it('every truncation of the blob is refused as malformed, never thrown, never good', () => {
    const blob = armoredBlob(good);
    for (let length = 0; length < blob.length; length++) {
      const result = verifySshSignature(armor(blob.subarray(0, length)), message, 'model-ledger');
      assert.ok(!result.ok, `length ${length}`);
      assert.ok(result.code === 'malformed' || result.code === 'bad-signature', `length ${length}: ${result.code}`);
    }
  });

  it('a truncated armor (no footer) is refused with the reason', () => {
    const result = verifySshSignature(good.slice(0, good.length - 40), message, 'model-ledger');
    assert.ok(!result.ok);
    assert.match(result.reason, /footer/);
  });

  it('re-armored signatures: PGP armor, doubled armor, text around it, bad base64 refused; re-wrapped lines decided as ssh-keygen decides', () => {
    const blob = armoredBlob(good);
    const bad = [
      good.replace(/SSH SIGNATURE/g, 'PGP SIGNATURE'),
      `${SSHSIG_BEGIN}\n${good}${SSHSIG_END}\n`,
      `note\n${good}`,
      `${good}trailing text\n`,
      good.replace('U1NI', 'U1N!'),
      armor(Buffer.from(blob.toString('base64'))),
    ];
    for (const text of bad) assert.ok(!verifySshSignature(text, message, 'model-ledger').ok, text.slice(0, 60));
    for (const width of [64, 76, 4000]) {
      const rewrapped = armor(blob, width);
      const ours = verifySshSignature(rewrapped, message, 'model-ledger').ok;
      if (HAS_SSH_KEYGEN) {
        writeFileSync(path.join(tmp.path, 'sig'), rewrapped);
        assert.equal(ours, sshKeygenVerifies(dir('allowed_signers'), 'ada@example.com', 'model-ledger', path.join(tmp.path, 'sig'), message), `width ${width}`);
      }
    }
  });

  it('a key type we do not support is named', () => {
    const blob = armoredBlob(good);
    for (const keyType of ['sk-ssh-ed25519@openssh.com', 'ssh-dss', 'ssh-ed25519-cert-v01@openssh.com']) {
      const fake = Buffer.concat([Buffer.from('SSHSIG'), Buffer.from([0, 0, 0, 1]), sshString(Buffer.concat([sshString(keyType), sshString(Buffer.alloc(32))])), blob.subarray(6 + 4 + 4 + 51)]);
      const result = parseSshSignature(armor(fake));
      assert.ok(!result.ok);
      assert.equal(result.code, 'unsupported-key');
      assert.ok(result.reason.includes(JSON.stringify(keyType)), result.reason);
    }
  });

  it('a SHA-1 RSA signature (ssh-rsa) is refused even when the math is right for the algorithm name', () => {
    const carol = armoredBlob(read('event1.json.carol_rsa.sig').toString('utf8'));
    const renamed = Buffer.from(carol.toString('latin1').replace('rsa-sha2-512', 'ssh-rsa\0\0\0\0\0'), 'latin1');
    assert.ok(!verifySshSignature(armor(renamed), message, 'model-ledger').ok);
  });

  it('random bytes and random text never throw and are never good (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        assert.equal(verifySshSignature(armor(Buffer.from(bytes)), message, 'model-ledger').ok, false);
        assert.equal(verifySshSignature(Buffer.from(bytes), message, 'model-ledger').ok, false);
      }),
      { numRuns: 300 },
    );
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => assert.equal(verifySshSignature(text, message, 'model-ledger').ok, false)), { numRuns: 300 });
  });

  it('a huge armored body is refused quickly', () => {
    const huge = armor(Buffer.alloc(8 * 1024 * 1024, 7));
    assert.equal(verifySshSignature(huge, message, 'model-ledger').ok, false);
  });
});
