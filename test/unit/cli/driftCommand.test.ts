import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { useTempDir } from '../helpers';
import { FIXTURES } from '../ingest/engineHelpers';

async function cli(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} });
  return { code, stdout, stderr };
}

interface DriftCase {
  reference: (number | null)[];
  current: (number | null)[];
  evidently_default: { method: string; drifted: boolean };
}

function csv(file: string, values: (number | null)[]): void {
  writeFileSync(file, 'feature\n' + values.map((v) => (v === null ? '' : String(v))).join('\n') + '\n');
}

describe('model-ledger drift', () => {
  const tmp = useTempDir();

  for (const name of ['normal_mean_shift', 'normal_no_drift_unequal_n']) {
    it(`gives Evidently's verdict for the fixture ${name} from CSV files (exit 1 on drift with --fail-on-drift)`, async () => {
      const fixture = JSON.parse(readFileSync(path.join(FIXTURES, 'drift', `${name}.json`), 'utf8')) as DriftCase;
      csv(path.join(tmp.path, 'ref.csv'), fixture.reference);
      csv(path.join(tmp.path, 'cur.csv'), fixture.current);
      const result = await cli(tmp.path, 'drift', 'ref.csv', 'cur.csv', '--json');
      const report = JSON.parse(result.stdout) as { drifted: boolean; columns: { column: string; method: string; drifted: boolean }[] };
      assert.equal(report.columns[0].method, fixture.evidently_default.method);
      assert.equal(report.columns[0].drifted, fixture.evidently_default.drifted);
      // The report is the output: exit 0 whatever it says, unless --fail-on-drift.
      assert.equal(result.code, 0);
      assert.equal((await cli(tmp.path, 'drift', '--reference', 'ref.csv', '--current', 'cur.csv', '--fail-on-drift')).code, fixture.evidently_default.drifted ? 1 : 0);
    });
  }

  it('scores every column per time window with --window and --timestamp', async () => {
    writeFileSync(path.join(tmp.path, 'r.csv'), 'x\n' + Array.from({ length: 40 }, (_, i) => String(i % 10)).join('\n') + '\n');
    // Day 1 like the reference, day 2 shifted by 100: only day 2 drifts.
    const rows = Array.from({ length: 40 }, (_, i) => `2026-11-0${i < 20 ? 1 : 2}T${String(i % 20).padStart(2, '0')}:00:00,${(i % 10) + (i < 20 ? 0 : 100)}`);
    writeFileSync(path.join(tmp.path, 'c.csv'), 'ts,x\n' + rows.join('\n') + '\n');
    const result = await cli(tmp.path, 'drift', 'r.csv', 'c.csv', '--window', 'day', '--timestamp', 'ts', '--json');
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { datasetDrift: boolean; windows: { start: string; rows: number; share: number }[] };
    assert.equal(report.datasetDrift, true);
    assert.deepEqual(
      report.windows.map((w) => [w.start, w.rows, w.share]),
      [
        ['2026-11-01T00:00:00.000Z', 20, 0],
        ['2026-11-02T00:00:00.000Z', 20, 1],
      ],
    );
    assert.equal((await cli(tmp.path, 'drift', 'r.csv', 'c.csv', '--window', 'fortnight', '--timestamp', 'ts')).code, 2);
    assert.equal((await cli(tmp.path, 'drift', 'r.csv', 'c.csv', '--window', 'day')).code, 2);
  });

  it('refuses bad usage with exit 2', async () => {
    assert.equal((await cli(tmp.path, 'drift', 'only-one.csv')).code, 2);
    assert.equal((await cli(tmp.path, 'drift', 'missing-a.csv', 'missing-b.csv')).code, 2);
    writeFileSync(path.join(tmp.path, 'a.csv'), 'x\n1\n2\n');
    assert.equal((await cli(tmp.path, 'drift', 'a.csv', 'a.csv', '--method', 'astrology')).code, 2);
  });
});
