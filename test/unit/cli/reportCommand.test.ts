import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { useTempDir } from '../helpers';
import { buildFixture } from '../report/fixture';

async function cli(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: { GIT_CONFIG_NOSYSTEM: '1', HOME: cwd } });
  return { code, stdout, stderr };
}

describe('model-ledger report', () => {
  const tmp = useTempDir();

  it('writes the Markdown and HTML reports of the ledger in the current folder', async () => {
    const f = await buildFixture(tmp.path);
    const md = await cli(f.root, 'report', '--format', 'md', '--out', 'out/audit.md', '--json');
    assert.equal(md.code, 0, md.stderr);
    const summary = JSON.parse(md.stdout) as { ok: boolean; format: string; models: number; file: string };
    assert.deepEqual([summary.format, summary.models, summary.file], ['md', 2, path.join(f.root, 'out', 'audit.md')]);
    // The policy beside the ledger is applied: v1's move predates it (see the audit report tests).
    assert.equal(summary.ok, false);
    const text = readFileSync(summary.file, 'utf8');
    assert.match(text, /^## Model churn$/m);
    assert.match(text, /^## Model other$/m);
    assert.match(text, /no --store|Run: jsonl:runs\/a\.jsonl \(not in the store/);
    assert.match(md.stderr, /no --store given/);

    const html = await cli(f.root, 'report', '--out', 'audit.html', '--policy-file', 'missing.yaml');
    assert.equal(html.code, 0, html.stderr);
    assert.match(html.stdout, /Wrote .*audit\.html \(html, 2 models; ledger verified\)/);
    const page = readFileSync(path.join(f.root, 'audit.html'), 'utf8');
    assert.match(page, /^<!DOCTYPE html>/);
    assert.ok(!/<script/i.test(page));
  });

  it('refuses an unknown format and a missing ledger with a usage error', async () => {
    const f = await buildFixture(tmp.path);
    const bad = await cli(f.root, 'report', '--format', 'pdf');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown format "pdf": md or html/);
    const missing = await cli(tmp.path, 'report', '--ledger', 'nowhere.jsonl');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no ledger at/);
  });
});
