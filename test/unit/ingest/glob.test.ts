import assert from 'node:assert/strict';
import { globToRegExp } from '../../../src/ingest/glob';

describe('globToRegExp', () => {
  const cases: [string, string, boolean][] = [
    ['**/mlruns/*/meta.yaml', 'mlruns/0/meta.yaml', true],
    ['**/mlruns/*/meta.yaml', 'a/b/mlruns/12/meta.yaml', true],
    ['**/mlruns/*/meta.yaml', 'mlruns/0/run/meta.yaml', false],
    ['**/events.out.tfevents.*', 'logs/version_0/events.out.tfevents.1.host', true],
    ['**/*.mlrun.jsonl', 'runs/x/a.mlrun.jsonl', true],
    ['**/*.mlrun.jsonl', 'runs/x/a.mlrun.jsonl.bak', false],
    ['**/mlruns/**/metrics/**', 'p/mlruns/1/abc/metrics/train/loss', true],
    ['**/{training,history}.log', 'x/history.log', true],
    ['**/{training,history}.log', 'x/other.log', false],
    ['lightning_logs/version_?/metrics.csv', 'lightning_logs/version_3/metrics.csv', true],
    ['*.csv', 'a/b.csv', false],
    ['a.b', 'axb', false],
  ];
  for (const [glob, file, expected] of cases) {
    it(`${glob} ${expected ? 'matches' : 'does not match'} ${file}`, () => {
      assert.equal(globToRegExp(glob).test(file), expected);
    });
  }
});
