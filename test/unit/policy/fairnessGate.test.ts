import assert from 'node:assert/strict';
import path from 'node:path';
import { evaluateFairnessGate, loadFairnessData, parsePolicy, type FairnessGate } from '../../../src/policy';
import { fixturePath } from '../../fixturePath';

function gatesOf(yaml: string): { gates: FairnessGate[]; messages: string[] } {
  const parsed = parsePolicy(`version: 1\nmodels:\n  "*":\n    Production:\n      gates:\n${yaml}`);
  const gates = (parsed.policy?.models.get('*')?.Production?.gates ?? []) as FairnessGate[];
  return { gates, messages: parsed.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`) };
}

describe('policy: fairness gates', () => {
  it('reads the issue’s two examples with their options', () => {
    const { gates, messages } = gatesOf(
      '        - fairness: demographic_parity_difference(sex) <= 0.1\n        - fairness: equalized_odds_ratio(sex, age_band) >= 0.8\n          agg: mean\n          method: to_overall\n          data: eval/{model}-v{version}.csv\n          label: y\n          prediction: yhat\n          pos_label: approved\n',
    );
    assert.deepEqual(messages, []);
    assert.equal(gates[0].metric, 'demographic_parity_difference');
    assert.deepEqual(gates[0].sensitive, ['sex']);
    assert.equal(gates[0].text, 'fairness: demographic_parity_difference(sex) <= 0.1');
    assert.deepEqual([gates[1].sensitive, gates[1].agg, gates[1].method, gates[1].label, gates[1].posLabel, gates[1].threshold], [['sex', 'age_band'], 'mean', 'to_overall', 'y', 'approved', 0.8]);
  });

  it('reports bad gates at their line', () => {
    assert.match(gatesOf('        - fairness: parity(sex) <= 0.1\n').messages[0], /^6:\d+ fairness: unknown metric "parity"/);
    assert.match(gatesOf('        - fairness: demographic_parity_ratio() >= 0.8\n').messages[0], /name the sensitive column/);
    assert.match(gatesOf('        - fairness: demographic_parity_ratio(sex) >= high\n').messages[0], /expected METRIC\(COLUMN/);
    assert.match(gatesOf('        - fairness: demographic_parity_ratio(sex) >= 0.8\n          agg: mean\n').messages[0], /agg .* equalized_odds_\* only/);
    assert.match(gatesOf('        - fairness: demographic_parity_ratio(sex) >= 0.8\n          colour: red\n').messages[0], /unknown key "colour" in a fairness gate/);
  });

  it('evaluates against Fairlearn’s recorded values: c04 (a group without positives → TPR ratio 0), c03 intersectional', async () => {
    const { gates } = gatesOf(
      '        - fairness: equal_opportunity_ratio(region) >= 0.5\n          data: c04_group_without_positives.csv\n        - fairness: demographic_parity_ratio(race, sex) >= 0.35\n          data: c03_intersectional_two_features.csv\n        - fairness: demographic_parity_ratio(race) >= 0.35\n          data: missing.csv\n',
    );
    const lookup = await loadFairnessData(gates, 'm', 1, fixturePath('fairness'));
    const [opportunity, parity, missing] = gates.map((g) => evaluateFairnessGate(g, lookup(g, 'm', 1)));
    assert.deepEqual([opportunity.status, opportunity.value], ['fail', 0]);
    assert.equal(parity.status, 'pass');
    assert.ok(Math.abs(parity.value! - 0.39576719576719577) < 1e-12);
    assert.equal(missing.status, 'not-evaluable');
    assert.match(missing.reason, /cannot read/);
    assert.equal(lookup(gates[0], 'other-model', 1), undefined, 'data is for the version it was loaded for');
    assert.equal(evaluateFairnessGate(gates[0], undefined).status, 'not-evaluable');
    const wrongColumn = gatesOf('        - fairness: demographic_parity_ratio(sex) >= 0.5\n').gates[0];
    const c04 = await loadFairnessData([wrongColumn], 'm', 1, '/', path.join(fixturePath('fairness'), 'c04_group_without_positives.csv'));
    assert.match(evaluateFairnessGate(wrongColumn, c04(wrongColumn, 'm', 1)).reason, /sensitive column "sex" is not in the data/);
  });
});
