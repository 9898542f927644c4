import assert from 'node:assert/strict';
import { comparisonCsv, comparisonMarkdown, csvField, markdownCell } from '../../../src/compare/exportFormats';
import type { ComparisonModel } from '../../../src/shared/compareProtocol';

const NASTY = 'a|b <script>alert("x")</script>\nsecond, line "quoted"';

function model(): ComparisonModel {
  const run = (uid: string, name: string) => ({
    uid, id: uid, name, experiment: 'e', status: 'FINISHED', startTime: 0, endTime: 1000, durationMs: 1000, format: 'jsonl', sourcePath: null, gitCommit: 'deadbeef', tags: [], color: '#E69F00',
  });
  return {
    runs: [run('u1', 'base|line'), run('u2', '<b>two</b>')],
    baselineUid: 'u1',
    params: [
      { key: 'note', values: ['plain', NASTY], differs: true },
      { key: 'same', values: ['1', '1'], differs: false },
    ],
    metrics: [
      {
        key: 'val/loss',
        direction: 'min',
        bestRunIndex: 1,
        cells: [
          { count: 2, last: { value: 0.5, step: 1, timestamp: 0 }, min: { value: 0.5, step: 1 }, max: { value: 1, step: 0 }, best: { value: 0.5, step: 1 }, deltaAbs: null, deltaPct: null },
          { count: 2, last: { value: 0.25, step: 1, timestamp: 0 }, min: { value: 0.25, step: 1 }, max: { value: 1, step: 0 }, best: { value: 0.25, step: 1 }, deltaAbs: -0.25, deltaPct: -50 },
        ],
      },
    ],
    series: [],
    missingUids: [],
    maxPointsPerSeries: 2000,
  };
}

/** A small RFC 4180 reader written for the test: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { record.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { record.push(field); records.push(record); record = []; field = ''; i++; }
    else field += c;
  }
  return records;
}

describe('comparison exports', () => {
  it('CSV round-trips a value with |, <script>, quotes, commas and a newline', () => {
    const csv = comparisonCsv(model());
    const records = parseCsv(csv);
    assert.ok(csv.endsWith('\r\n'));
    assert.deepEqual(records[0], ['kind', 'key', 'stat', 'base|line', '<b>two</b>']);
    assert.deepEqual(records.find((r) => r[1] === 'note'), ['param', 'note', '', 'plain', NASTY]);
    assert.deepEqual(records.find((r) => r[1] === 'val/loss' && r[2] === 'delta_pct'), ['metric', 'val/loss', 'delta_pct', '', '-50']);
    assert.ok(records.every((r) => r.length === 5), 'rectangular');
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
  });

  it('Markdown escapes | and HTML and keeps every table row on one line', () => {
    const md = comparisonMarkdown(model());
    assert.ok(!md.includes('<script>'), 'no raw HTML from run files');
    assert.ok(!md.includes('<b>'), 'no raw HTML in run names');
    assert.ok(md.includes('&lt;script&gt;'));
    const rows = md.split('\n').filter((l) => l.startsWith('| note'));
    assert.equal(rows.length, 1, 'the newline in the value did not split the row');
    // Unescaped pipes separate cells: note row = label + 2 runs → 4 unescaped pipes.
    assert.equal(rows[0].replace(/\\\|/g, '').split('|').length - 1, 4);
    assert.ok(!md.includes('| same'), 'params that do not differ are left out');
    assert.match(md, /\| val\/loss ↓ \| 0\.5 \| \*\*0\.25 \(-0\.25, -50\.00%\)\*\* \|/);
    assert.match(md, /base\\\|line \(baseline\)/);
    assert.equal(markdownCell('a|b'), 'a\\|b');
    assert.equal(markdownCell('x\r\ny'), 'x<br>y');
  });
});
