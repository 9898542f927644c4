// Filters and rules: own-property lookups only, and parsing that does not backtrack over whitespace
// (issue 15, item 11 of the adversarial run). Speed itself is measured in bench/bench.ts, not here.
import assert from 'node:assert/strict';
import { parseRule } from '../../../src/monitoring/rules';
import { compileRunFilter, RunFilterError } from '../../../src/tracking/runFilter';

describe('filter and rule keys and whitespace', () => {
  it('reads constructor, __proto__ and toString as metric names, not inherited attributes', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const compiled = compileRunFilter(`${name} = 1`);
      assert.ok(!/function|\[native code\]/.test(compiled.sql), compiled.sql);
      // A metric clause names the key with no dataset, or a key logged as written (MLflow 3 series carry a dataset).
      assert.deepEqual(compiled.params, [name, '', name, 1]);
      assert.throws(() => compileRunFilter(`attributes.${name} = 1`), RunFilterError);
    }
  });

  it('splits clauses on "and" across long whitespace runs, keeping values intact', () => {
    const spaces = ' '.repeat(100_000);
    const compiled = compileRunFilter(`val_loss < 0.3${spaces}and${spaces}params.note = "a  b"`);
    assert.equal(compiled.params.length, 6);
    assert.deepEqual(compiled.params.slice(4), ['note', 'a  b']);
    assert.equal(compileRunFilter('name ~ band and status = FINISHED').params.length, 2);
    assert.equal(compileRunFilter('name = Anderson').params[0], 'Anderson');
  });

  it('reads a rule with long whitespace runs, and answers an unreadable one with a short message', () => {
    const some = ' '.repeat(1_000);
    assert.deepEqual(parseRule(`f1${some}<${some}0.92${some}for${some}48h${some}`), { metric: 'f1', operator: '<', threshold: 0.92, forMs: 48 * 3_600_000 });
    const spaces = ' '.repeat(100_000);
    assert.equal(typeof parseRule(`f1${spaces}<${spaces}0.92${spaces}for${spaces}48h${spaces}`), 'string', 'beyond the length limit');
    const unreadable = parseRule(`f1 < 0.92${spaces}x`);
    assert.equal(typeof unreadable, 'string');
    assert.ok((unreadable as string).length < 200);
  });
});
