// "Nothing comparable" is its own drift result (issue 15, item 12 of the adversarial run).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { useTempDir } from '../helpers';

describe('drift with nothing to compare', () => {
  const tmp = useTempDir();

  async function drift(reference: string, current: string, ...flags: string[]): Promise<{ code: number; stdout: string }> {
    writeFileSync(path.join(tmp.path, 'ref.csv'), reference);
    writeFileSync(path.join(tmp.path, 'cur.csv'), current);
    let stdout = '';
    const code = await runCli(['drift', 'ref.csv', 'cur.csv', ...flags], { stdout: (t) => (stdout += t), stderr: () => undefined, cwd: tmp.path, env: {} });
    return { code, stdout };
  }

  for (const [what, reference, current] of [
    ['mismatched headers', 'a,b\n1,2\n3,4\n5,6\n', 'c,d\n1,2\n3,4\n5,6\n'],
    ['header only', 'a,b\n', 'a,b\n'],
  ] as const) {
    it(`${what}: a clear message, and exit 1 with --fail-on-drift instead of "no dataset drift"`, async () => {
      const plain = await drift(reference, current);
      assert.match(plain.stdout, /nothing comparable/);
      assert.ok(!/no dataset drift/.test(plain.stdout), plain.stdout);
      assert.equal((await drift(reference, current, '--fail-on-drift')).code, 1);
      const json = JSON.parse((await drift(reference, current, '--json')).stdout) as { nothingComparable: boolean };
      assert.equal(json.nothingComparable, true);
    });
  }
});
