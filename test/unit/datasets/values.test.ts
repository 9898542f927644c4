import assert from 'node:assert/strict';
import { detectDelimiter, isMissingToken, parseNumber } from '../../../src/datasets';

describe('datasets: cell values', () => {
  it('reads numbers as pandas does, and nothing else', () => {
    const numbers: [string, number][] = [
      ['0', 0], ['-0', -0], ['+3', 3], ['1.', 1], ['.5', 0.5], ['1e3', 1000], ['-2.5E-2', -0.025],
      [' 7 ', 7], ['inf', Infinity], ['-inf', -Infinity], ['+Infinity', Infinity], ['INF', Infinity], ['1e999', Infinity],
    ];
    for (const [text, value] of numbers) assert.ok(Object.is(parseNumber(text), value), `${JSON.stringify(text)} → ${parseNumber(text)}`);
    for (const text of ['', ' ', '0x1f', '0b1', '0o7', '1_000', '1,5', '--1', '1e', 'e5', '.', 'nan', 'abc', '12abc', 'infinite']) {
      assert.ok(Number.isNaN(parseNumber(text)), JSON.stringify(text));
    }
  });

  it("knows pandas' missing-value tokens, exactly", () => {
    for (const token of ['', 'NA', 'N/A', 'n/a', 'nan', 'NaN', '-nan', 'null', 'NULL', 'None', '<NA>', '#N/A', '#N/A N/A']) {
      assert.ok(isMissingToken(token), token);
    }
    for (const token of [' ', 'na', 'Nan', 'none', 'missing', 'NaN ', '0']) assert.ok(!isMissingToken(token), token);
  });

  it('picks the delimiter the header line uses most, ignoring quoted ones', () => {
    assert.equal(detectDelimiter('a,b,c\n1;2;3;4;5\n'), ',');
    assert.equal(detectDelimiter('\ufeffa;b;c\r\n1,5;2,5;3\r\n'), ';');
    assert.equal(detectDelimiter('a\tb\n'), '\t');
    assert.equal(detectDelimiter('"x,y,z";b\n'), ';');
    assert.equal(detectDelimiter('single\n'), ',');
  });
});
