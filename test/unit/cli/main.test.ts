import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { useTempDir } from '../helpers';

const repoRoot = path.join(__dirname, '..', '..', '..', '..');
const packageVersion = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

async function cli(args: string[], cwd = process.cwd()): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} });
  return { code, stdout, stderr };
}

describe('model-ledger CLI', () => {
  const tmp = useTempDir();

  it('prints help with exit 0 for --help, and exit 2 with no command', async () => {
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: model-ledger <command>/);
    assert.match(help.stdout, /--store/);
    assert.match(help.stdout, /--json/);
    assert.equal((await cli([])).code, 2);
  });

  it('prints the package version', async () => {
    const result = await cli(['--version']);
    assert.equal(result.code, 0);
    assert.equal(result.stdout.trim(), packageVersion);
  });

  it('rejects an unknown command or option with exit 2 and a message on stderr', async () => {
    const unknown = await cli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    assert.equal(unknown.stdout, '');
    const badOption = await cli(['info', '--nope']);
    assert.equal(badOption.code, 2);
    assert.match(badOption.stderr, /--nope/);
  });

  it('info --json creates the store and describes it on stdout only', async () => {
    const store = path.join(tmp.path, 'nested', 'ml.sqlite');
    const result = await cli(['info', '--store', store, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(parsed.file, store);
    assert.equal(parsed.runs, 0);
    assert.equal(typeof parsed.schemaVersion, 'number');
    assert.equal(readFileSync(store).subarray(0, 15).toString(), 'SQLite format 3');
  });

  it('the bundled bin runs as a program', function () {
    const bin = path.join(repoRoot, 'dist', 'cli.js');
    const version = execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    assert.equal(version.trim(), packageVersion);
    const info = spawnSync(process.execPath, [bin, 'info', '--store', path.join(tmp.path, 's.sqlite'), '--json'], { encoding: 'utf8' });
    assert.equal(info.status, 0, info.stderr);
    assert.equal((JSON.parse(info.stdout) as { schemaVersion: number }).schemaVersion > 0, true);
  });
});
