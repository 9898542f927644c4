import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { readRecordedManifest } from '../../../src/signing/artifactManifest';
import { useTempDir } from '../helpers';

const HAS_SHA256SUM = spawnSync('sha256sum', ['--version']).error === undefined;

describe('signing/artifactManifest: register records the artifact folder, verify-artifacts re-checks it', () => {
  const tmp = useTempDir();

  async function cli(...args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: tmp.path, env: { GIT_CONFIG_NOSYSTEM: '1', HOME: tmp.path } });
    return { code, stdout, stderr };
  }

  function artifactFolder(): string {
    const dir = path.join(tmp.path, 'models', 'churn');
    mkdirSync(path.join(dir, 'weights'), { recursive: true });
    writeFileSync(path.join(dir, 'model.pkl'), Buffer.from([0, 1, 2, 3, 255]));
    writeFileSync(path.join(dir, 'weights', 'layer 1.bin'), 'abc');
    writeFileSync(path.join(dir, 'MLmodel'), 'flavors: {}\n');
    mkdirSync(path.join(dir, '.git'));
    writeFileSync(path.join(dir, '.git', 'HEAD'), 'ref: x');
    return dir;
  }

  it('the register event lists every file with the SHA-256 sha256sum computes and the size on disk', async function () {
    artifactFolder();
    const registered = await cli('register', '--source', 'models/churn', '--model', 'churn', '--json');
    assert.equal(registered.code, 0, registered.stderr);
    const artifacts = JSON.parse(registered.stdout).after.artifacts;
    assert.deepEqual(artifacts.files.map((f: { path: string; size: number }) => [f.path, f.size]), [['MLmodel', 12], ['model.pkl', 5], ['weights/layer 1.bin', 3]]);
    if (HAS_SHA256SUM) {
      for (const f of artifacts.files) {
        const out = spawnSync('sha256sum', [path.join(tmp.path, 'models', 'churn', f.path)], { encoding: 'utf8' }).stdout;
        assert.equal(f.sha256, out.split(' ')[0], f.path);
      }
    }
    // the digest over the list, recomputed here from its definition
    const lines = artifacts.files.map((f: { sha256: string; size: number; path: string }) => `${f.sha256} ${f.size} ${f.path}\n`).join('');
    assert.equal(artifacts.digest, require('node:crypto').createHash('sha256').update(lines).digest('hex'));
  });

  it('unchanged → exit 0; a changed byte, an added and a removed file → exit 1 with each named', async () => {
    const dir = artifactFolder();
    assert.equal((await cli('register', '--source', 'models/churn', '--model', 'churn')).code, 0);
    const same = await cli('verify-artifacts', 'churn', '1');
    assert.equal(same.code, 0, same.stdout + same.stderr);
    writeFileSync(path.join(dir, 'model.pkl'), Buffer.from([0, 1, 2, 3, 254]));
    writeFileSync(path.join(dir, 'extra.txt'), 'x');
    rmSync(path.join(dir, 'MLmodel'));
    const changed = await cli('verify-artifacts', 'churn', '1', '--json');
    assert.equal(changed.code, 1);
    const report = JSON.parse(changed.stdout);
    assert.deepEqual([report.added, report.removed, report.changed], [['extra.txt'], ['MLmodel'], ['model.pkl']]);
    const text = await cli('verify-artifacts', 'churn', '1');
    assert.match(text.stdout, /added: extra\.txt/);
    assert.match(text.stdout, /removed: MLmodel/);
    assert.match(text.stdout, /changed: model\.pkl/);
  });

  it('another folder can be checked (DIR), symlinks are reported not followed, bad usage exits 2', async () => {
    const dir = artifactFolder();
    assert.equal((await cli('register', '--source', 'models/churn', '--model', 'churn')).code, 0);
    const copy = path.join(tmp.path, 'deployed');
    mkdirSync(path.join(copy, 'weights'), { recursive: true });
    for (const f of ['model.pkl', 'MLmodel', 'weights/layer 1.bin']) writeFileSync(path.join(copy, f), readFileSync(path.join(dir, f)));
    assert.equal((await cli('verify-artifacts', 'churn', '1', 'deployed')).code, 0);
    symlinkSync('/etc/hostname', path.join(copy, 'link'));
    const linked = await cli('verify-artifacts', 'churn', '1', 'deployed');
    assert.equal(linked.code, 1);
    assert.match(linked.stdout, /symlink \(not followed\): link/);
    assert.equal((await cli('verify-artifacts', 'churn')).code, 2);
    assert.equal((await cli('verify-artifacts', 'churn', '7')).code, 2);
  });

  it('a version registered from a URI records no manifest and says so', async () => {
    assert.equal((await cli('register', '--source', 's3://bucket/churn', '--model', 'churn')).code, 0);
    const result = await cli('verify-artifacts', 'churn', '1');
    assert.equal(result.code, 1);
    assert.match(result.stdout, /no artifact manifest was recorded/);
  });

  it('recorded manifests with a ../ path, a wrong digest or a foreign shape are refused', () => {
    const entry = { path: 'a', size: 1, sha256: '00' };
    assert.match((readRecordedManifest({ files: [{ ...entry, path: '../etc/passwd' }], digest: 'x' }) as { problem: string }).problem, /outside the artifact folder/);
    assert.match((readRecordedManifest({ files: [entry], digest: 'x' }) as { problem: string }).problem, /does not match its own digest/);
    assert.match((readRecordedManifest({ files: 'a' }) as { problem: string }).problem, /no files list/);
    assert.match((readRecordedManifest(null) as { problem: string }).problem, /no artifact manifest/);
  });
});
