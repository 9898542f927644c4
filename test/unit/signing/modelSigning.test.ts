import { strict as assert } from 'node:assert';
import { createHash, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { dssePae, verifyModel, type ModelTrust } from '../../../src/signing/modelSigning';
import { parsePemCertificates } from '../../../src/signing/x509Chain';
import { fixturePath } from '../../fixturePath';
import { useTempDir } from '../helpers';

const MS = (...parts: string[]) => fixturePath('model-signing', ...parts);
const KEY: ModelTrust = { kind: 'key', key: createPublicKey(readFileSync(MS('keys', 'signing-key-pub.pem'), 'utf8')) };
const CHAIN: ModelTrust = { kind: 'certificates', anchors: parsePemCertificates(readFileSync(MS('keys', 'ca-cert.pem'), 'utf8')) };

/** Each fixture: the model path, the trust, the extra ignore paths the upstream test scripts pass. */
const FIXTURES: [string, string, ModelTrust, string[]][] = [
  ['v1.0.0-elliptic-key', 'signme-1', KEY, []],
  ['v1.0.1-elliptic-key', '', KEY, ['ignore-me']],
  ['v1.1.0-elliptic-key', '', KEY, ['ignore-me']],
  ['v1.0.1-certificate', '', CHAIN, ['ignore-me']],
  ['v1.1.0-certificate', '', CHAIN, ['ignore-me']],
];

describe('signing/modelSigning: the model-transparency fixtures', () => {
  const tmp = useTempDir();

  for (const [folder, model, trust, ignorePaths] of FIXTURES) {
    it(`${folder}: valid with the ${trust.kind === 'key' ? 'public key' : 'certificate chain'}`, async () => {
      const result = await verifyModel({ modelPath: MS(folder, model), signaturePath: MS(folder, 'model.sig'), trust, ignorePaths });
      assert.equal(result.status, 'valid', result.reasons.join('; '));
      assert.equal(result.signedFiles, model ? 1 : 2);
    });
  }

  it('v1.1.0 signatures carry their ignore paths: valid without --ignore-paths; v1.0.1 without them sees an added file', async () => {
    const v11 = await verifyModel({ modelPath: MS('v1.1.0-elliptic-key'), trust: KEY });
    assert.equal(v11.status, 'valid', v11.reasons.join('; '));
    const v101 = await verifyModel({ modelPath: MS('v1.0.1-elliptic-key'), trust: KEY });
    assert.equal(v101.status, 'invalid');
    assert.deepEqual(v101.differences, { added: ['ignore-me'], removed: [], changed: [] });
  });

  it('the root digest the bundles record is the one a hand computation gives (sha256 over the file digests)', async () => {
    const h = createHash('sha256');
    for (const f of ['signme-1', 'signme-2']) h.update(createHash('sha256').update(readFileSync(MS('v1.1.0-certificate', f))).digest());
    const result = await verifyModel({ modelPath: MS('v1.1.0-certificate'), trust: CHAIN });
    assert.equal(result.manifestDigest, h.digest('hex'));
  });

  it('the keyless Sigstore bundle is reported as keyless, never valid', async () => {
    for (const trust of [KEY, CHAIN]) {
      const result = await verifyModel({ modelPath: MS('v1.1.0-sigstore'), trust });
      assert.equal(result.status, 'keyless');
      assert.match(result.reasons[0]!, /not verifiable offline/);
    }
  });

  const mutations: [string, (dir: string) => void, Partial<Record<'added' | 'removed' | 'changed', string[]>>][] = [
    ['one changed byte', (d) => writeFileSync(path.join(d, 'signme-2'), Buffer.from(readFileSync(path.join(d, 'signme-2'))).fill(0x41, 0, 1)), { changed: ['signme-2'] }],
    ['one added file', (d) => writeFileSync(path.join(d, 'extra.bin'), 'x'), { added: ['extra.bin'] }],
    ['one renamed file', (d) => renameSync(path.join(d, 'signme-1'), path.join(d, 'signme-3')), { added: ['signme-3'], removed: ['signme-1'] }],
  ];
  for (const folder of ['v1.1.0-elliptic-key', 'v1.0.1-certificate']) {
    for (const [name, mutate, expected] of mutations) {
      it(`${folder}: ${name} → invalid, with the difference named`, async () => {
        const copy = path.join(tmp.path, folder);
        cpSync(MS(folder), copy, { recursive: true });
        mutate(copy);
        const trust = folder.includes('certificate') ? CHAIN : KEY;
        const result = await verifyModel({ modelPath: copy, trust, ignorePaths: ['ignore-me'] });
        assert.equal(result.status, 'invalid');
        assert.deepEqual(result.differences, { added: [], removed: [], changed: [], ...expected });
      });
    }
  }

  it('a wrong key and a wrong trust anchor → invalid', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey;
    for (const folder of ['v1.0.1-elliptic-key', 'v1.1.0-elliptic-key']) {
      const result = await verifyModel({ modelPath: MS(folder), trust: { kind: 'key', key: other }, ignorePaths: ['ignore-me'] });
      assert.equal(result.status, 'invalid', folder);
    }
    const leafOnly: ModelTrust = { kind: 'certificates', anchors: parsePemCertificates(readFileSync(MS('keys', 'signing-key-cert.pem'), 'utf8')) };
    const result = await verifyModel({ modelPath: MS('v1.1.0-certificate'), trust: leafOnly });
    assert.equal(result.status, 'invalid');
    assert.match(result.reasons[0]!, /certificate chain/);
    // a certificate bundle checked with the key alone still verifies (model_signing's key verifier reads no chain)
    assert.equal((await verifyModel({ modelPath: MS('v1.1.0-certificate'), trust: KEY })).status, 'valid');
  });

  it('symlinks in the model folder are reported, not followed', async () => {
    const copy = path.join(tmp.path, 'model');
    cpSync(MS('v1.1.0-elliptic-key'), copy, { recursive: true });
    symlinkSync('/etc/hostname', path.join(copy, 'weights.bin'));
    const result = await verifyModel({ modelPath: copy, trust: KEY });
    assert.equal(result.status, 'invalid');
    assert.deepEqual(result.symlinks, ['weights.bin']);
    assert.match(result.reasons.join(' '), /symlinks .*not followed/);
  });
});

/** A bundle as model_signing writes one, signed with a key made here, so we can sign statements the tool never would. */
function writeBundle(file: string, statement: unknown, privateKey: KeyObject, overrides: Record<string, unknown> = {}): void {
  const payload = Buffer.from(JSON.stringify(statement));
  const sig = sign('sha384', dssePae('application/vnd.in-toto+json', payload), privateKey);
  const bundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [] },
    dsseEnvelope: { payload: payload.toString('base64'), payloadType: 'application/vnd.in-toto+json', signatures: [{ sig: sig.toString('base64'), keyid: '' }] },
    ...overrides,
  };
  writeFileSync(file, JSON.stringify(bundle));
}

function statementFor(resources: { name: string; digest: string }[], serialization: Record<string, unknown>, predicateType = 'https://model_signing/signature/v1.0') {
  const root = createHash('sha256');
  for (const r of resources) root.update(Buffer.from(r.digest, 'hex'));
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'model', digest: { sha256: root.digest('hex') } }],
    predicateType,
    predicate: { serialization, resources: resources.map((r) => ({ ...r, algorithm: 'sha256' })) },
  };
}

describe('signing/modelSigning: bundles with bad content', () => {
  const tmp = useTempDir();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  const trust: ModelTrust = { kind: 'key', key: publicKey };
  const files = { serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false } };
  const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

  function model(): string {
    const dir = path.join(tmp.path, 'model');
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'sub', 'w.bin'), 'weights');
    writeFileSync(path.join(dir, '.gitignore'), '*.tmp');
    return dir;
  }

  it('shard serialization: shard digests computed by hand from the bytes match; nested paths use "/"', async () => {
    const dir = model();
    const bytes = Buffer.from('0123456789abc');
    writeFileSync(path.join(dir, 'big.bin'), bytes);
    const resources = [
      { name: 'big.bin:0:5', digest: sha(bytes.subarray(0, 5)) },
      { name: 'big.bin:5:10', digest: sha(bytes.subarray(5, 10)) },
      { name: 'big.bin:10:13', digest: sha(bytes.subarray(10, 13)) },
      { name: 'sub/w.bin:0:5', digest: sha('weigh') },
      { name: 'sub/w.bin:5:7', digest: sha('ts') },
    ];
    writeBundle(path.join(dir, 'model.sig'), statementFor(resources, { method: 'shards', hash_type: 'sha256', shard_size: 5, allow_symlinks: false }), privateKey);
    const result = await verifyModel({ modelPath: dir, trust });
    assert.equal(result.status, 'valid', result.reasons.join('; '));
  });

  const cases: [string, (dir: string) => void, string, RegExp][] = [
    ['a ../ path in the manifest', (d) => writeBundle(path.join(d, 'model.sig'), statementFor([{ name: '../etc/passwd', digest: sha('x') }], files.serialization), privateKey), 'invalid', /outside the model folder/],
    ['an unknown predicate', (d) => writeBundle(path.join(d, 'model.sig'), statementFor([], files.serialization, 'https://example.com/other'), privateKey), 'invalid', /unknown predicate type/],
    ['an unknown media type', (d) => writeBundle(path.join(d, 'model.sig'), statementFor([], files.serialization), privateKey, { mediaType: 'application/vnd.dev.sigstore.bundle+json;version=9' }), 'invalid', /unknown bundle media type/],
    ['BLAKE3 hashing', (d) => writeBundle(path.join(d, 'model.sig'), statementFor([], { ...files.serialization, hash_type: 'blake3' }), privateKey), 'unverifiable', /hash type "blake3" is not supported/],
    ['a subject digest that does not cover the files', (d) => writeBundle(path.join(d, 'model.sig'), { ...statementFor([{ name: 'sub/w.bin', digest: sha('weights') }], files.serialization), subject: [{ name: 'm', digest: { sha256: sha('') } }] }, privateKey), 'invalid', /inconsistent/],
    ['a truncated bundle', (d) => writeFileSync(path.join(d, 'model.sig'), readFileSync(MS('v1.1.0-elliptic-key', 'model.sig')).subarray(0, 500)), 'invalid', /not JSON/],
    ['no bundle at all', () => undefined, 'unverifiable', /no signature file/],
    ['binary garbage', (d) => writeFileSync(path.join(d, 'model.sig'), Buffer.from([0, 159, 146, 150, 255])), 'invalid', /not JSON/],
  ];
  for (const [name, make, status, reason] of cases) {
    it(`${name} → ${status}`, async () => {
      const dir = model();
      make(dir);
      const result = await verifyModel({ modelPath: dir, trust });
      assert.equal(result.status, status);
      assert.match(result.reasons.join('; '), reason);
    });
  }

  it('a payload edited after signing fails the signature check; .gitignore and model.sig are not model files', async () => {
    const dir = model();
    writeBundle(path.join(dir, 'model.sig'), statementFor([{ name: 'sub/w.bin', digest: sha('weights') }], files.serialization), privateKey);
    assert.equal((await verifyModel({ modelPath: dir, trust })).status, 'valid');
    const bundle = JSON.parse(readFileSync(path.join(dir, 'model.sig'), 'utf8'));
    const edited = Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8').replace(sha('weights'), sha('other'));
    bundle.dsseEnvelope.payload = Buffer.from(edited).toString('base64');
    writeFileSync(path.join(dir, 'model.sig'), JSON.stringify(bundle));
    const result = await verifyModel({ modelPath: dir, trust });
    assert.equal(result.status, 'invalid');
    assert.match(result.reasons[0]!, /DSSE signature does not verify/);
  });
});

describe('signing/modelSigning: model-ledger verify-model', () => {
  async function cli(...args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['verify-model', ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: MS(), env: {} });
    return { code, stdout, stderr };
  }

  it('exit 0 valid, 1 invalid or keyless, 2 bad usage', async () => {
    assert.equal((await cli('v1.1.0-elliptic-key', '--key', 'keys/signing-key-pub.pem')).code, 0);
    const cert = await cli('v1.0.1-certificate', '--cert-chain', 'keys/ca-cert.pem', '--cert-chain', 'keys/int-ca-cert.pem', '--ignore-paths', 'v1.0.1-certificate/ignore-me', '--json');
    assert.equal(cert.code, 0, cert.stdout);
    assert.equal(JSON.parse(cert.stdout).status, 'valid');
    assert.equal((await cli('v1.0.1-certificate', '--cert-chain', 'keys/ca-cert.pem')).code, 1);
    const keyless = await cli('v1.1.0-sigstore', '--key', 'keys/signing-key-pub.pem');
    assert.equal(keyless.code, 1);
    assert.match(keyless.stdout, /^keyless/);
    assert.equal((await cli('v1.1.0-elliptic-key')).code, 2);
    assert.equal((await cli('v1.1.0-elliptic-key', '--key', 'keys/signing-key-pub.pem', '--cert-chain', 'keys/ca-cert.pem')).code, 2);
    assert.equal((await cli('v1.1.0-elliptic-key', '--key', 'nope.pem')).code, 2);
    assert.equal((await cli('v1.1.0-elliptic-key', '--key', 'README.md')).code, 2);
    assert.equal((await cli('--key', 'keys/signing-key-pub.pem')).code, 2);
  });
});
