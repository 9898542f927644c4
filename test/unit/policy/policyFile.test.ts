import assert from 'node:assert/strict';
import { parsePolicy, ruleFor, type PolicyDiagnostic } from '../../../src/policy/policyFile';

/** 1-based line and column of the n-th occurrence of `needle`, counted by hand from the text (not through yaml). */
function positionOf(text: string, needle: string, occurrence = 1): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i < occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `"${needle}" #${occurrence} is in the text`);
  }
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function errors(text: string): PolicyDiagnostic[] {
  const parsed = parsePolicy(text, 'policy.yaml');
  const found = parsed.diagnostics.filter((d) => d.severity === 'error');
  assert.ok(found.length > 0, 'at least one error');
  assert.equal(parsed.policy, undefined, 'a policy with errors is not usable');
  return found;
}

const EXAMPLE = `version: 1
models:
  "*":
    Production:
      gates:
        - metric: accuracy >= 0.9
        - metric: val_loss <= production.val_loss * 1.02   # relative to the current holder of the stage
        - drift.share <= 0.3
        - approvals: 2
          approvers: [alice@example.com, bob@example.com]
          excludeRequester: true
        - require: description
      allowOverride: false
  churn-classifier:
    Staging:
      gates:
        - metric: val_accuracy > 0.8
`;

describe('policy file', () => {
  it('reads the documented example into rules per model and target', () => {
    const { policy, diagnostics } = parsePolicy(EXAMPLE, 'policy.yaml');
    assert.deepEqual(diagnostics, []);
    assert.ok(policy);
    const production = policy.models.get('*')?.Production;
    assert.ok(production);
    assert.equal(production.allowOverride, false);
    assert.deepEqual(production.gates.map((g) => g.kind), ['metric', 'metric', 'drift', 'approvals', 'require']);
    assert.deepEqual(production.gates.map((g) => g.text), ['metric: accuracy >= 0.9', 'metric: val_loss <= production.val_loss * 1.02', 'drift.share <= 0.3', 'approvals: 2', 'require: description']);
    const relative = production.gates[1];
    assert.ok(relative.kind === 'metric');
    assert.deepEqual(relative.comparison.threshold, { kind: 'relative', holder: 'production', metric: 'val_loss', arithmetic: { op: '*', operand: 1.02 } });
    const approvals = production.gates[3];
    assert.ok(approvals.kind === 'approvals');
    assert.deepEqual(approvals.approvers, ['alice@example.com', 'bob@example.com']);
    assert.equal(approvals.excludeRequester, true);
    // Each gate knows its own line: where its "- " item starts.
    assert.deepEqual(
      production.gates.map((g) => [g.range.line, g.range.column]),
      ['metric: accuracy', 'metric: val_loss', 'drift.share', 'approvals: 2', 'require:'].map((n) => Object.values(positionOf(EXAMPLE, n))),
    );
  });

  it('takes a model’s own rule for a target, else the default’s, and never merges them', () => {
    const { policy } = parsePolicy(EXAMPLE, 'policy.yaml');
    assert.ok(policy);
    assert.equal(ruleFor(policy, 'churn-classifier', 'Staging')?.scope, 'churn-classifier');
    assert.equal(ruleFor(policy, 'churn-classifier', 'Staging')?.rule.gates.length, 1);
    assert.equal(ruleFor(policy, 'churn-classifier', 'Production')?.scope, '*');
    assert.equal(ruleFor(policy, 'other', 'Production')?.rule.gates.length, 5);
    assert.equal(ruleFor(policy, 'other', 'Staging'), undefined);
    assert.equal(ruleFor(policy, 'other', 'rollback'), undefined);
  });

  it('reports an unknown gate kind at its key: line 7, column 11', () => {
    const text = ['version: 1', 'models:', '  "*":', '    Production:', '      gates:', '        - metric: accuracy >= 0.9', '        - metrik: loss <= 0.2', ''].join('\n');
    const [error] = errors(text);
    assert.equal(error.line, 7);
    assert.equal(error.column, 11);
    assert.equal(error.endColumn, 17); // "metrik" is 6 characters
    assert.match(error.message, /unknown gate kind "metrik"/);
    assert.equal(error.file, 'policy.yaml');
  });

  it('reports a tab-indented file as a YAML error on the tab', () => {
    const text = 'version: 1\nmodels:\n\t"*":\n\t\tProduction:\n\t\t\tgates: []\n';
    const found = errors(text);
    assert.equal(found[0].line, 3);
    assert.equal(found[0].column, 1);
    assert.match(found[0].message, /tabs/i);
  });

  it('reports a duplicate key at the second occurrence', () => {
    const text = 'version: 1\nmodels:\n  m:\n    Staging:\n      gates: []\n    Staging:\n      gates: []\n';
    const [error] = errors(text);
    assert.deepEqual({ line: error.line, column: error.column }, positionOf(text, 'Staging', 2));
    assert.match(error.message, /unique/);
  });

  it('reports a threshold that is not a number at the threshold itself', () => {
    const text = 'version: 1\nmodels:\n  m:\n    Production:\n      gates:\n        - metric: accuracy >= high\n        - approvals: two\n        - drift: share <= "0.3x"\n';
    const found = errors(text);
    assert.equal(found.length, 3);
    assert.deepEqual({ line: found[0].line, column: found[0].column, endColumn: found[0].endColumn }, { ...positionOf(text, 'high'), endColumn: positionOf(text, 'high').column + 4 });
    assert.match(found[0].message, /"high" is not a number/);
    assert.deepEqual({ line: found[1].line, column: found[1].column }, positionOf(text, 'two'));
    assert.match(found[1].message, /whole number/);
    assert.deepEqual({ line: found[2].line, column: found[2].column }, positionOf(text, '"0.3x"'));
  });

  it('reports an unknown stage, an unknown key and a bad expression at their positions', () => {
    const text = [
      'version: 1',
      'models:',
      '  m:',
      '    production:', // wrong case
      '      gates: []',
      '    Staging:',
      '      gate: []', // not "gates"
      '      allowOverride: maybe',
      '    Archived:',
      '      gates:',
      '        - metric: accuracy = 0.9', // "=" is not a comparison
      '        - metric: accuracy >=',
      '        - require: owner',
      '        - metric: a > 1',
      '          approvals: 1',
      'extra: true',
      '',
    ].join('\n');
    const found = errors(text);
    const at = (d: PolicyDiagnostic) => ({ line: d.line, column: d.column });
    assert.deepEqual(found.map(at), [
      positionOf(text, 'production:'),
      positionOf(text, 'gate:'),
      positionOf(text, 'maybe'),
      positionOf(text, '= 0.9'),
      { line: 12, column: positionOf(text, '>=\n').column + 1 }, // the last character of "accuracy >="
      positionOf(text, 'owner'),
      positionOf(text, 'approvals: 1'),
      positionOf(text, 'extra'),
    ]);
    assert.match(found[0].message, /unknown stage "production": did you mean Production\?/);
    assert.match(found[1].message, /unknown key "gate"/);
    assert.match(found[3].message, /use ==/);
    assert.match(found[4].message, /threshold is missing/);
    assert.match(found[6].message, /one gate per list item/);
  });

  it('explains the two YAML traps of this format: a bare * and a quoted metric name', () => {
    const star = 'version: 1\nmodels:\n  *:\n    Production: {}\n';
    assert.ok(errors(star).some((d) => /quoted, "\*"/.test(d.message) && d.line === 3));
    const quoted = 'version: 1\nmodels:\n  m:\n    Staging:\n      gates:\n        - metric: "val acc" >= 0.9\n';
    assert.ok(errors(quoted).some((d) => /quote the whole expression/.test(d.message) && d.line === 6));
    const fixed = 'version: 1\nmodels:\n  m:\n    Staging:\n      gates:\n        - metric: \'"val acc" >= 0.9\'\n';
    const parsed = parsePolicy(fixed);
    assert.ok(parsed.policy, JSON.stringify(parsed.diagnostics));
    const gate = parsed.policy.models.get('m')?.Staging?.gates[0];
    assert.ok(gate?.kind === 'metric');
    assert.equal(gate.comparison.subject, 'val acc');
  });

  it('points into a quoted expression at the right column', () => {
    const text = 'version: 1\nmodels:\n  m:\n    Staging:\n      gates:\n        - metric: "acc >= lots"\n';
    const [error] = errors(text);
    assert.deepEqual({ line: error.line, column: error.column }, positionOf(text, 'lots'));
  });

  it('refuses an empty file, a wrong version, missing sections and unusable approvals', () => {
    assert.match(errors('')[0].message, /empty/);
    assert.match(errors('# just a comment\n')[0].message, /empty/);
    assert.match(errors('version: 2\nmodels: {}\n')[0].message, /unsupported policy version 2/);
    assert.match(errors('models: {}\n')[0].message, /version: 1` is missing/);
    assert.match(errors('version: 1\n')[0].message, /models:` is missing/);
    assert.match(errors('- a\n- b\n')[0].message, /must be a mapping/);
    assert.match(errors('version: 1\nmodels:\n  m:\n    Production:\n      gates:\n        - approvals: 3\n          approvers: [a@x.org, b@x.org]\n')[0].message, /can never pass/);
    assert.match(errors('version: 1\nmodels:\n  m:\n    Production:\n      gates:\n        - approvals: 1\n          approvers: []\n')[0].message, /empty list/);
    assert.match(errors('version: 1\nmodels:\n  m:\n    Production:\n      gates:\n        - approvals: 0\n')[0].message, /at least 1/);
    assert.match(errors('version: 1\nmodels:\n  m:\n    Production:\n      gates:\n        - drift.mean < 3\n')[0].message, /unknown drift figure/);
    assert.match(errors('version: 1\nmodels:\n  m:\n    Production:\n      gates:\n        - drift: share < production.share\n')[0].message, /must be a number/);
  });

  it('accepts an empty models section, empty gates and YAML aliases', () => {
    assert.ok(parsePolicy('version: 1\nmodels: {}\n').policy);
    const aliased = 'version: 1\nmodels:\n  a:\n    Staging: &strict\n      gates:\n        - metric: acc > 0.5\n  b:\n    Staging: *strict\n    Production:\n      gates:\n';
    const { policy, diagnostics } = parsePolicy(aliased);
    assert.deepEqual(diagnostics, []);
    assert.ok(policy);
    assert.equal(policy.models.get('b')?.Staging?.gates.length, 1);
    assert.equal(policy.models.get('b')?.Production?.gates.length, 0);
  });

  it('never throws, whatever the text', () => {
    const samples = ['\u0000\u0001', '{{{{', 'version: [', ': : :', 'models:\n  - 1\n', 'version: 1\nmodels:\n  m: 3\n', 'version: 1\nmodels:\n  m:\n    Staging:\n      gates: 7\n', '\ufeffversion: 1\nmodels: {}\n'];
    for (const text of samples) assert.doesNotThrow(() => parsePolicy(text));
    assert.ok(parsePolicy('\ufeffversion: 1\nmodels: {}\n').policy, 'a byte-order mark is fine');
  });
});
