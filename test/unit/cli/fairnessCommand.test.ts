import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fixturePath } from '../../fixturePath';
import { runCliIn, useTempDir } from '../helpers';

const cli = runCliIn;

const C01 = fixturePath('fairness', 'c01_binary_two_groups.csv');

describe('model-ledger fairness', () => {
  const tmp = useTempDir();

  it('prints the issue’s JSON shape with Fairlearn’s values (c01: recorded by Fairlearn 0.14)', async () => {
    const result = await cli(tmp.path, 'fairness', C01, '--label', 'y_true', '--prediction', 'y_pred', '--sensitive', 'sex', '--score', 'y_score', '--json');
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as {
      overall: Record<string, number>;
      byGroup: { group: Record<string, string>; count: number; selectionRate: number }[];
      disparities: Record<string, Record<string, number | Record<string, number>>>;
    };
    assert.deepEqual(Object.keys(json.overall), ['count', 'selectionRate', 'tpr', 'fpr', 'accuracy', 'rocAuc']);
    assert.equal(json.overall.count, 1000);
    assert.equal(json.overall.selectionRate, 0.473);
    assert.deepEqual(json.byGroup.map((g) => [g.group, g.count]), [[{ sex: 'female' }, 431], [{ sex: 'male' }, 569]]);
    assert.deepEqual(Object.keys(json.disparities), ['demographic_parity_difference', 'demographic_parity_ratio', 'equalized_odds_difference', 'equalized_odds_ratio']);
    assert.ok(Math.abs((json.disparities.demographic_parity_difference.between_groups as number) - 0.21963472367771847) < 1e-12);
    assert.ok(Math.abs((json.disparities.equalized_odds_ratio.mean as Record<string, number>).to_overall - 0.7836004900234901) < 1e-12);
  });

  it('writes NaN as the string "NaN" (c09: the TPR ratio is 0/0, so worst-case equalized odds ratio is NaN)', async () => {
    const result = await cli(tmp.path, 'fairness', fixturePath('fairness', 'c09_extra_tpr_zero_everywhere.csv'), '--label', 'y_true', '--prediction', 'y_pred', '--sensitive', 'grp', '--json');
    const json = JSON.parse(result.stdout) as { disparities: { equalized_odds_ratio: { worst_case: { between_groups: unknown } } } };
    assert.equal(json.disparities.equalized_odds_ratio.worst_case.between_groups, 'NaN');
  });

  it('exits 2 for unusable input, with the reason', async () => {
    const strings = fixturePath('fairness', 'c07_string_labels_pos_label.csv');
    const noPos = await cli(tmp.path, 'fairness', strings, '--label', 'y_true', '--prediction', 'y_pred', '--sensitive', 'applicant_group');
    assert.equal(noPos.code, 2);
    assert.match(noPos.stderr, /--pos-label/);
    assert.equal((await cli(tmp.path, 'fairness', strings, '--label', 'y_true', '--prediction', 'y_pred', '--sensitive', 'applicant_group', '--pos-label', 'approved')).code, 0);
    assert.equal((await cli(tmp.path, 'fairness', C01, '--label', 'y_true', '--prediction', 'y_score', '--sensitive', 'sex')).code, 2);
    assert.equal((await cli(tmp.path, 'fairness', C01, '--label', 'y_true')).code, 2);
    assert.equal((await cli(tmp.path, 'fairness', path.join(tmp.path, 'absent.csv'), '--label', 'a', '--prediction', 'b', '--sensitive', 'c')).code, 2);
  });

  it('promote: a failing fairness gate exits 1 and lists the gate; without data it is not evaluable; passing gates are recorded', async () => {
    mkdirSync(path.join(tmp.path, '.model-ledger'), { recursive: true });
    const policy = (threshold: string) =>
      `version: 1\nmodels:\n  "*":\n    Production:\n      gates:\n        - fairness: demographic_parity_difference(sex) <= ${threshold}\n        - fairness: equalized_odds_ratio(sex) >= 0.4\n          agg: worst_case\n`;
    writeFileSync(path.join(tmp.path, '.model-ledger', 'policy.yaml'), policy('0.1'));
    assert.equal((await cli(tmp.path, 'register', '--source', 'm', '--model', 'credit')).code, 0);

    const noData = await cli(tmp.path, 'promote', 'credit', '1', '--to', 'Production', '--json');
    assert.equal(noData.code, 1);
    const noDataGates = (JSON.parse(noData.stdout) as { gates: { status: string; reason: string }[] }).gates;
    assert.deepEqual(noDataGates.map((g) => g.status), ['not-evaluable', 'not-evaluable']);
    assert.match(noDataGates[0].reason, /--fairness-data/);

    const failed = await cli(tmp.path, 'promote', 'credit', '1', '--to', 'Production', '--fairness-data', C01);
    assert.equal(failed.code, 1);
    // 0.2196… (Fairlearn's demographic_parity_difference for c01) fails <= 0.1; the EO ratio 0.481… passes >= 0.4.
    assert.match(failed.stdout, /fail\s+fairness: demographic_parity_difference\(sex\) <= 0\.1 — demographic_parity_difference\(sex\) 0\.219635 on c01_binary_two_groups\.csv: needs <= 0\.1/);
    assert.match(failed.stdout, /pass\s+fairness: equalized_odds_ratio\(sex\) >= 0\.4/);

    writeFileSync(path.join(tmp.path, '.model-ledger', 'policy.yaml'), policy('0.25'));
    const passed = await cli(tmp.path, 'promote', 'credit', '1', '--to', 'Production', '--fairness-data', C01, '--json');
    assert.equal(passed.code, 0, passed.stdout + passed.stderr);
    const gates = (JSON.parse(passed.stdout) as { after: { gates: { gate: string; kind: string; status: string; value: number }[] } }).after.gates;
    assert.deepEqual(gates.map((g) => [g.kind, g.status]), [['fairness', 'pass'], ['fairness', 'pass']]);
    assert.ok(Math.abs(gates[0].value - 0.21963472367771847) < 1e-12);
  });
});
