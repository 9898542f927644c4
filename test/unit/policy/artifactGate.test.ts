import { strict as assert } from 'node:assert';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { parsePolicy } from '../../../src/policy/policyFile';
import { fixturePath } from '../../fixturePath';
import { useTempDir } from '../helpers';

describe('policy/artifactGate: artifacts: verified and artifacts: signed-by KEYFILE', () => {
  const tmp = useTempDir();

  it('parses both forms and reports anything else at its position', () => {
    const ok = parsePolicy('version: 1\nmodels:\n  "*":\n    Production:\n      gates:\n        - artifacts: verified\n        - artifacts: signed-by keys/release.pem\n');
    assert.deepEqual(ok.diagnostics, []);
    const gates = ok.policy!.models.get('*')!.Production!.gates;
    assert.deepEqual(gates.map((g) => [g.kind, g.text]), [['artifacts', 'artifacts: verified'], ['artifacts', 'artifacts: signed-by keys/release.pem']]);
    const bad = parsePolicy('version: 1\nmodels:\n  "*":\n    Production:\n      gates:\n        - artifacts: trusted\n');
    assert.equal(bad.policy, undefined);
    assert.deepEqual([bad.diagnostics[0]!.line, bad.diagnostics[0]!.column], [6, 22]);
    assert.match(bad.diagnostics[0]!.message, /verified.*signed-by KEYFILE/);
  });

  async function cli(...args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: tmp.path, env: {} });
    return { code, stdout, stderr };
  }

  function setUp(): string {
    const model = path.join(tmp.path, 'models', 'm');
    cpSync(fixturePath('model-signing', 'v1.1.0-elliptic-key'), model, { recursive: true });
    mkdirSync(path.join(tmp.path, '.model-ledger', 'keys'), { recursive: true });
    cpSync(fixturePath('model-signing', 'keys', 'signing-key-pub.pem'), path.join(tmp.path, '.model-ledger', 'keys', 'release.pem'));
    writeFileSync(path.join(tmp.path, '.model-ledger', 'policy.yaml'), 'version: 1\nmodels:\n  "*":\n    Production:\n      gates:\n        - artifacts: verified\n        - artifacts: signed-by keys/release.pem\n');
    return model;
  }

  it('a version whose files match and whose model.sig verifies is promoted', async () => {
    setUp();
    assert.equal((await cli('register', '--source', 'models/m', '--model', 'm')).code, 0);
    const promoted = await cli('promote', 'm', '1', '--to', 'Production', '--json');
    assert.equal(promoted.code, 0, promoted.stdout + promoted.stderr);
    const gates = JSON.parse(promoted.stdout).after.gates;
    assert.deepEqual(gates.map((g: { status: string }) => g.status), ['pass', 'pass']);
  });

  it('a changed file after registration blocks both gates, with the file named', async () => {
    const model = setUp();
    assert.equal((await cli('register', '--source', 'models/m', '--model', 'm')).code, 0);
    writeFileSync(path.join(model, 'signme-2'), 'tampered');
    const blocked = await cli('promote', 'm', '1', '--to', 'Production', '--json');
    assert.equal(blocked.code, 1);
    const gates = JSON.parse(blocked.stdout).gates;
    assert.deepEqual(gates.map((g: { status: string }) => g.status), ['fail', 'fail']);
    assert.match(gates[0].reason, /changed: signme-2/);
    assert.match(gates[1].reason, /files changed since signing: signme-2/);
  });

  it('a model signed by another key fails signed-by; a missing key file fails with its name', async () => {
    setUp();
    writeFileSync(path.join(tmp.path, '.model-ledger', 'policy.yaml'), 'version: 1\nmodels:\n  "*":\n    Production:\n      gates:\n        - artifacts: signed-by keys/other.pem\n');
    assert.equal((await cli('register', '--source', 'models/m', '--model', 'm')).code, 0);
    const missing = await cli('promote', 'm', '1', '--to', 'Production', '--json');
    assert.equal(missing.code, 1);
    assert.match(JSON.parse(missing.stdout).gates[0].reason, /cannot read the public key keys\/other\.pem/);
    const { generateKeyPairSync } = await import('node:crypto');
    const other = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'pem' });
    writeFileSync(path.join(tmp.path, '.model-ledger', 'keys', 'other.pem'), other);
    const wrong = await cli('promote', 'm', '1', '--to', 'Production', '--json');
    assert.equal(wrong.code, 1);
    assert.match(JSON.parse(wrong.stdout).gates[0].reason, /model signature invalid: signed by another key/);
  });
});
