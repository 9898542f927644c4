import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseHParamsYaml } from '../../../../src/ingest/tensorboard/hparamsYaml';

const LIGHTNING = [
  'backbone: prajjwal1/bert-tiny',
  'learning_rate: 0.01',
  'eps: 1e-08',
  'loss_fn: null',
  'multi_label: false',
  "optimizer: !!python/name:torch.optim.adam.Adam ''",
  'quoted: "1e-08"',
  'nested:',
  '  depth: 3',
  '  widths: [64, 128]',
  'scheduler: !!python/object/apply:builtins.dict',
  '- [step, 10]',
  '',
].join('\n');

describe('tensorboard hparams.yaml', () => {
  it('keeps every value as written and the file past a Python tag', () => {
    const parsed = parseHParamsYaml(LIGHTNING);
    assert.deepEqual(Object.fromEntries(parsed.params), {
      backbone: 'prajjwal1/bert-tiny',
      learning_rate: '0.01',
      eps: '1e-08',
      loss_fn: 'null',
      multi_label: 'false',
      optimizer: "!!python/name:torch.optim.adam.Adam ''",
      quoted: '1e-08',
      'nested/depth': '3',
      'nested/widths': '[64, 128]',
      scheduler: '!!python/object/apply:builtins.dict [[step, 10]]',
    });
    assert.deepEqual(parsed.problems.map((problem) => [problem.severity, problem.line]), [['warning', 6], ['warning', 11]]);
    assert.match(parsed.problems[0].message, /python\/name:torch\.optim\.adam\.Adam/);
  });

  it('reports a syntax error and keeps the keys before it', () => {
    const parsed = parseHParamsYaml('a: 1\nb: [2, 3\nc: 4\n');
    assert.equal(parsed.params.get('a'), '1');
    assert.ok(parsed.problems.some((problem) => problem.severity === 'error'));
  });

  it('gives no params for an empty file and a problem for a non-map', () => {
    assert.deepEqual(parseHParamsYaml(''), { params: new Map(), problems: [] });
    const list = parseHParamsYaml('- a\n- b\n');
    assert.equal(list.params.size, 0);
    assert.equal(list.problems.length, 1);
  });

  it('never throws on random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => {
      parseHParamsYaml(text);
    }), { numRuns: 500 });
    fc.assert(fc.property(fc.nat(LIGHTNING.length), (cut) => {
      parseHParamsYaml(LIGHTNING.slice(0, cut));
    }));
  });
});
