import assert from 'node:assert/strict';
import fc from 'fast-check';
import { flattenYamlParams } from '../../../../src/ingest/csv/yamlParams';

describe('yaml params', () => {
  it('keeps values as written, whatever YAML 1.1 or 1.2 would make of them', () => {
    const { params, problems } = flattenYamlParams("eps: 1e-08\nlr: 2.0e-4\nflag: yes\nempty:\nnone: null\ntilde: ~\nq: '007'\noct: 0o17\nblock: |\n  two\n  lines\n", '.', 'params.yaml');
    assert.deepEqual(params, { eps: '1e-08', lr: '2.0e-4', flag: 'yes', empty: '', none: 'null', tilde: '~', q: '007', oct: '0o17', block: 'two\nlines\n' });
    assert.deepEqual(problems, []);
  });

  it("flattens nested maps with the caller's separator; sequences, empty maps and aliases render inline", () => {
    const text = 'a:\n  b:\n    c: 1\n  d: [x, y]\ne: {}\nbase: &b {k: 1}\nuse: *b\nlist:\n- 1\n- {m: 2}\n';
    assert.deepEqual(flattenYamlParams(text, '.', 'p.yaml').params, { 'a.b.c': '1', 'a.d': '[x, y]', e: '{}', 'base.k': '1', 'use.k': '1', list: '[1, {m: 2}]' });
    assert.deepEqual(Object.keys(flattenYamlParams(text, '/', 'p.yaml').params).slice(0, 2), ['a/b/c', 'a/d']);
  });

  it('keeps Python-tagged values in their written form and warns once, with the line', () => {
    const text = "optimizer: !!python/name:torch.optim.adam.Adam ''\nns: !!python/object:argparse.Namespace\n  lr: 0.1\nbetas: !!python/tuple\n- 0.9\n- 0.999\nplain: 3\n";
    const { params, problems } = flattenYamlParams(text, '/', 'hparams.yaml');
    assert.deepEqual(params, {
      optimizer: "!!python/name:torch.optim.adam.Adam ''",
      ns: '!!python/object:argparse.Namespace {lr: 0.1}',
      betas: '!!python/tuple [0.9, 0.999]',
      plain: '3',
    });
    assert.equal(problems.length, 1);
    assert.equal(problems[0].severity, 'warning');
    assert.equal(problems[0].line, 1);
    assert.match(problems[0].message, /python\/name:torch\.optim\.adam\.Adam/);
  });

  it('keeps the readable part of a broken file and reports the error with its line', () => {
    const { params, problems } = flattenYamlParams('a: 1\nb: [unclosed\nc: 3\n', '.', 'params.yaml');
    assert.equal(params.a, '1');
    assert.ok(problems.some((p) => p.severity === 'error' && p.line !== undefined));
  });

  it('gives no params and one problem for a file that is not a map', () => {
    assert.deepEqual(flattenYamlParams('- a\n- b\n', '.', 'params.yaml').params, {});
    assert.equal(flattenYamlParams('- a\n- b\n', '.', 'params.yaml').problems.length, 1);
    assert.deepEqual(flattenYamlParams('', '.', 'params.yaml'), { params: {}, problems: [] });
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ':', ' ', '\n', '-', '!', '&', '*', '[', ']', '{', '}', '"', "'", '|', '>', '#', '%', '\t', '?') , maxLength: 80 }), (text) => {
        const result = flattenYamlParams(text, '.', 'params.yaml');
        for (const value of Object.values(result.params)) assert.equal(typeof value, 'string');
      }),
      { numRuns: 2000 },
    );
  });
});
