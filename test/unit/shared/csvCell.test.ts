// CSV exports neutralise spreadsheet formulas (issue 15, item 8 of the adversarial run).
import assert from 'node:assert/strict';
import { comparisonCsv } from '../../../src/compare/exportFormats';
import type { ComparisonModel } from '../../../src/shared/compareProtocol';
import { csvCell } from '../../../src/shared/csvCell';

describe('CSV cells', () => {
  it('prefixes a quote to text a spreadsheet would run as a formula, and leaves numbers alone', () => {
    assert.equal(csvCell('=1+1'), "'=1+1");
    assert.equal(csvCell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
    assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
    assert.equal(csvCell('+SUM(A1)'), "'+SUM(A1)");
    assert.equal(csvCell('-2+3'), "'-2+3");
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('\t=1'), "'\t=1");
    assert.equal(csvCell('\r=1'), `"'\r=1"`);
    for (const n of ['-0.5', '+3', '-1e-3', '42', '.5']) assert.equal(csvCell(n), n);
    assert.equal(csvCell('a=b'), 'a=b');
  });

  it('the comparison CSV writes a hostile run name and param value as text', () => {
    const model = {
      runs: [{ uid: 'u1', name: '=HYPERLINK("http://evil","x")' }],
      baselineUid: 'u1',
      params: [{ key: '@cmd', values: ['=1+1'] }],
      metrics: [],
    } as unknown as ComparisonModel;
    const csv = comparisonCsv(model);
    assert.ok(!/(^|,)"?[=+@]/m.test(csv), csv);
    assert.match(csv, /'=1\+1/);
  });
});
