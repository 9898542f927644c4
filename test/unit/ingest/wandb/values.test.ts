import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseConfigYaml } from '../../../../src/ingest/wandb/configYaml';
import { flattenJson, JsonSyntaxError, metricNumber, paramText, parseJson } from '../../../../src/ingest/wandb/jsonValues';

describe('wandb JSON values', () => {
  it('keeps numbers as written and reads Python\'s NaN and infinities', () => {
    assert.equal(paramText(parseJson('1e-08')), '1e-08');
    assert.equal(paramText(parseJson('0.10')), '0.10');
    assert.equal(paramText(parseJson('"adam"')), 'adam');
    assert.equal(paramText(parseJson('[64, 32]')), '[64, 32]');
    assert.ok(Number.isNaN(metricNumber(parseJson('NaN'), false)));
    assert.equal(metricNumber(parseJson('Infinity'), false), Infinity);
    assert.equal(metricNumber(parseJson('-Infinity'), false), -Infinity);
  });

  it('takes numeric strings only when asked (old history files)', () => {
    assert.equal(metricNumber(parseJson('"0.25"'), false), undefined);
    assert.equal(metricNumber(parseJson('"0.25"'), true), 0.25);
    assert.equal(metricNumber(parseJson('"-1e3"'), true), -1000);
    assert.ok(Number.isNaN(metricNumber(parseJson('"nan"'), true)));
    assert.equal(metricNumber(parseJson('"inf"'), true), Infinity);
    assert.equal(metricNumber(parseJson('"constructor"'), true), undefined);
    assert.equal(metricNumber(parseJson('"epoch 3"'), true), undefined);
    assert.equal(metricNumber(parseJson('true'), true), undefined);
  });

  it('flattens nested objects with dots but keeps media objects whole', () => {
    const leaves: string[] = [];
    flattenJson('', parseJson('{"train": {"loss": 1, "acc": {"top1": 2}}, "img": {"_type": "image-file", "width": 3}}'), (key) => leaves.push(key));
    assert.deepEqual(leaves, ['train.loss', 'train.acc.top1', 'img']);
  });

  it('agrees with JSON.parse on valid JSON and throws only its own error otherwise', () => {
    fc.assert(fc.property(fc.json(), (text) => {
      const value = parseJson(text);
      assert.deepEqual(plain(value), JSON.parse(text));
    }), { numRuns: 500 });
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (text) => {
      try {
        parseJson(text);
      } catch (error) {
        assert.ok(error instanceof JsonSyntaxError, String(error));
      }
    }), { numRuns: 1000 });
    assert.throws(() => parseJson('['.repeat(10000)), JsonSyntaxError);
  });
});

function plain(value: ReturnType<typeof parseJson>): unknown {
  switch (value.kind) {
    case 'number': return value.value;
    case 'string': case 'bool': return value.value;
    case 'null': return null;
    case 'array': return value.items.map(plain);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, child] of value.entries) {
        Object.defineProperty(out, key, { value: plain(child), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
  }
}

describe('wandb config.yaml', () => {
  it('takes each key\'s value, skips _wandb and flattens nested dicts', () => {
    const parsed = parseConfigYaml([
      'wandb_version: 1',
      '',
      '_wandb:',
      '  desc: null',
      '  value:',
      '    cli_version: 0.16.0',
      '    start_time: 1700000000.5',
      'lr:',
      '  desc: learning rate',
      '  value: 1e-08',
      'optimizer:',
      '  value: adam',
      'model:',
      '  desc: null',
      '  value:',
      '    layers: [64, 32]',
      '    dropout: 0.10',
      '    name: "resnet"',
      'empty:',
      '  value: {}',
      'nothing:',
      '  value: null',
      '',
    ].join('\n'));
    assert.deepEqual(Object.fromEntries(parsed.params), {
      lr: '1e-08',
      optimizer: 'adam',
      'model.layers': '[64, 32]',
      'model.dropout': '0.10',
      'model.name': 'resnet',
      empty: '{}',
      nothing: 'null',
    });
    assert.equal(parsed.startTimeSeconds, 1700000000.5);
    assert.deepEqual(parsed.problems, []);
  });

  it('reports a broken file with a line and keeps what it can', () => {
    const parsed = parseConfigYaml('wandb_version: 1\nlr:\n  value: 0.1\nbad: [unclosed\n');
    assert.ok(parsed.problems.length > 0);
    assert.ok(parsed.problems.every((problem) => problem.line === undefined || problem.line >= 1));
    assert.deepEqual(parseConfigYaml('- a\n- b\n').params.size, 0);
    assert.equal(parseConfigYaml('').problems.length, 0);
  });

  it('never throws on random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => {
      parseConfigYaml(text);
    }), { numRuns: 300 });
  });
});
