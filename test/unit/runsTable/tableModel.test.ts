import assert from 'node:assert/strict';
import { csvCell } from '../../../src/shared/csvCell';
import { aggregate, columnInfo, loadRunsTableData, RunsTableModel, sortRows, storeFilterMatcher } from '../../../src/runsTable';
import { MAX_WINDOW_COLUMNS, MAX_WINDOW_ROWS } from '../../../src/shared/runsTableProtocol';
import { readSweepFixture, storeWithRuns } from './storeFixture';

describe('runs table: sort, group, aggregate (against make_sweep.py)', () => {
  const fixture = readSweepFixture();

  it('sorts by a metric both ways with NaN and missing last', async () => {
    const store = await storeWithRuns(fixture.runs);
    const data = loadRunsTableData(store.db);
    const uids = (rows: number[]) => rows.map((r) => data.runs[r].uid);
    const all = data.runs.map((_, i) => i);
    assert.deepEqual(uids(sortRows(data, all, [{ column: 'm:last:val_loss', descending: false }])), fixture.expected.valLossAsc);
    assert.deepEqual(uids(sortRows(data, all, [{ column: 'm:last:val_loss', descending: true }])), fixture.expected.valLossDesc);
  });

  it('sorts by several keys: text, then a numeric param descending', async () => {
    const store = await storeWithRuns(fixture.runs);
    const data = loadRunsTableData(store.db);
    const sorted = sortRows(data, data.runs.map((_, i) => i), [
      { column: 'p:optimizer', descending: false },
      { column: 'p:lr', descending: true },
    ]);
    assert.deepEqual(sorted.map((r) => data.runs[r].uid), fixture.expected.optimizerThenLrDesc);
    assert.equal(columnInfo(data, 'p:lr')?.numeric, true);
    assert.equal(columnInfo(data, 'p:optimizer')?.numeric, false);
  });

  it('groups by a param with count, mean, min and max of a metric', async () => {
    const store = await storeWithRuns(fixture.runs);
    const model = new RunsTableModel(loadRunsTableData(store.db), { groupBy: 'p:optimizer', columns: ['a:name', 'p:optimizer', 'm:last:val_loss'] }, undefined);
    const window = model.window({ rowStart: 0, rowCount: 100, scrollLeft: 0, viewWidth: 2000 });
    const groups = window.rows.filter((r) => r.kind === 'group');
    assert.deepEqual(groups.map((g) => g.group!.label).sort(), Object.keys(fixture.expected.groupByOptimizer).sort());
    for (const g of groups) {
      const expected = fixture.expected.groupByOptimizer[g.group!.label];
      assert.equal(g.group!.count, expected.runs, g.group!.label);
      const cell = g.cells[2]!.text;
      const numbers = cell.match(/-?\d+(\.\d+)?/g)!.map(Number);
      assert.ok(Math.abs(numbers[0] - expected.mean!) < 1e-9, `${g.group!.label}: mean ${cell}`);
      assert.deepEqual(numbers.slice(1), [expected.min, expected.max, expected.count], `${g.group!.label}: ${cell}`);
    }
    assert.equal(groups.at(-1)!.group!.label, '(none)');
  });

  it('aggregate leaves out NaN, infinities and text', () => {
    assert.deepEqual(aggregate([1, 2, NaN, undefined, 'x', Infinity, 6]), { count: 3, mean: 3, min: 1, max: 6 });
    assert.deepEqual(aggregate([NaN]), { count: 0, mean: null, min: null, max: null });
  });

  it("filters with the Runs view's language, searches text, and brushes", async () => {
    const store = await storeWithRuns(fixture.runs);
    const data = loadRunsTableData(store.db);
    const model = new RunsTableModel(data, { sort: [{ column: 'a:name', descending: false }] }, storeFilterMatcher(store.db));
    model.setView({ filter: 'params.optimizer = sgd and val_loss < 0.42' });
    // sgd runs: r03 (0.35), r04 (NaN), r05 (0.45): only r03 passes.
    assert.deepEqual(model.shownRows.map((r) => data.runs[r].uid), ['r03']);
    model.setView({ filter: 'val_loss <' });
    assert.match(model.summary().filterError ?? '', /cannot read|expected/);
    model.setView({ filter: '', search: 'RUN-1' });
    assert.deepEqual(model.shownRows.map((r) => data.runs[r].uid), ['r10', 'r11']);
    model.setView({ search: '', brushes: [{ column: 'm:last:val_loss', min: 0.3, max: 0.4 }] });
    assert.deepEqual(model.shownRows.map((r) => data.runs[r].uid).sort(), fixture.runs.filter((r) => typeof r.metrics.val_loss === 'number' && r.metrics.val_loss >= 0.3 && r.metrics.val_loss <= 0.4).map((r) => r.uid).sort());
    model.setView({ brushes: [{ column: 'p:optimizer', values: ['adamw'] }] });
    assert.deepEqual(model.shownRows.map((r) => data.runs[r].uid), ['r06', 'r07', 'r08']);
  });

  it('windows are bounded whatever the table size, and keep pinned columns', async () => {
    const runs = Array.from({ length: 250 }, (_, i) => ({ uid: `u${i}`, name: `n${i}`, start: i, params: Object.fromEntries(Array.from({ length: 100 }, (_, k) => [`p${k}`, String(i * k)])), metrics: {} }));
    const store = await storeWithRuns(runs);
    const model = new RunsTableModel(loadRunsTableData(store.db), undefined, undefined);
    const window = model.window({ rowStart: 10, rowCount: 100_000, scrollLeft: 20 * 120, viewWidth: 1_000_000 });
    assert.equal(window.rows.length, MAX_WINDOW_ROWS);
    assert.equal(window.columns.length, MAX_WINDOW_COLUMNS);
    assert.deepEqual(window.columns.slice(0, 3).map((c) => c.id), ['a:status', 'a:name', window.columns[2].id]);
    assert.equal(window.columns[2].index, 2 + 20 - 3);
    assert.equal(window.totalRows, 250);
    assert.equal(window.totalColumns, 5 + 100);
    const small = JSON.stringify(model.window({ rowStart: 0, rowCount: 30, scrollLeft: 0, viewWidth: 1200 })).length;
    const far = JSON.stringify(model.window({ rowStart: 210, rowCount: 30, scrollLeft: 80 * 120, viewWidth: 1200 })).length;
    assert.ok(Math.abs(small - far) < small * 0.2, `${small} vs ${far}`);
  });

  it('column operations: show, hide, pin, move, width', async () => {
    const store = await storeWithRuns(fixture.runs);
    const model = new RunsTableModel(loadRunsTableData(store.db), { columns: ['a:status', 'a:name', 'p:lr', 'p:layers'], pinned: 2 }, undefined);
    model.columnOp({ op: 'pin', id: 'p:layers' });
    assert.deepEqual([model.view.columns, model.view.pinned], [['a:status', 'a:name', 'p:layers', 'p:lr'], 3]);
    model.columnOp({ op: 'move', id: 'p:lr', before: 'a:status' });
    assert.deepEqual([model.view.columns, model.view.pinned], [['p:lr', 'a:status', 'a:name', 'p:layers'], 4]);
    model.columnOp({ op: 'unpin', id: 'p:lr' });
    model.columnOp({ op: 'hide', id: 'a:status' });
    model.columnOp({ op: 'show', id: 'm:min:val_loss' });
    model.columnOp({ op: 'show', id: 'p:nonexistent' });
    model.columnOp({ op: 'width', id: 'a:name', width: 5 });
    assert.deepEqual([model.view.columns, model.view.pinned, model.view.widths], [['a:name', 'p:layers', 'p:lr', 'm:min:val_loss'], 2, { 'a:name': 40 }]);
    const window = model.window({ rowStart: 0, rowCount: 1, scrollLeft: 0, viewWidth: 500 });
    assert.deepEqual(window.columns.map((c) => [c.id, c.left]), [['a:name', 0], ['p:layers', 40], ['p:lr', 0], ['m:min:val_loss', 120]]);
    assert.deepEqual([window.pinnedWidth, window.scrollWidth], [160, 240]);
    model.setView({ onlyDiffering: true });
    assert.equal(model.webviewView().columnCount, 4);
  });

  it('selection by click, ctrl, shift and all; colours and baseline deltas', async () => {
    const store = await storeWithRuns(fixture.runs);
    const model = new RunsTableModel(loadRunsTableData(store.db), { sort: [{ column: 'a:name', descending: false }], columns: ['a:name', 'm:last:val_loss'], pinned: 1 }, undefined);
    model.select('only', 2, 2);
    model.select('toggle', 5, 2);
    assert.deepEqual(model.selectedUids(), ['r02', 'r05']);
    model.select('range', 4, 1);
    assert.deepEqual(model.selectedUids(), ['r01', 'r02', 'r03', 'r04']);
    model.setView({ baselineUid: 'r01' });
    const rows = model.window({ rowStart: 0, rowCount: 4, scrollLeft: 0, viewWidth: 1000 }).rows;
    assert.ok(rows[1].color && rows[2].color && rows[1].color !== rows[2].color);
    assert.equal(rows[0].color, undefined);
    assert.equal(rows[1].baseline, true);
    // val_loss: r01 0.2+0.05−0.1 = 0.15 (adam), r00 0.1: 0.1 − 0.15 = −0.05, lower is better for a loss.
    assert.deepEqual([rows[0].cells[1]!.delta, rows[0].cells[1]!.deltaSign], ['-0.05', 1]);
    model.select('all', 0, 0);
    assert.equal(model.summary().selectedCount, 12);
  });

  it('exports CSV with formula cells neutralised, and Markdown', async () => {
    const store = await storeWithRuns([
      { uid: 'a', name: '=HYPERLINK("x")', start: 0, params: { note: '-2+3', plain: 'a,b' }, metrics: { loss: -1 } },
      { uid: 'b', name: '@SUM(A1)', start: 1, params: { note: '\tx', plain: 'x|y' }, metrics: {} },
    ]);
    const model = new RunsTableModel(loadRunsTableData(store.db), { columns: ['a:name', 'p:note', 'p:plain', 'm:last:loss'], sort: [{ column: 'a:start', descending: false }] }, undefined);
    assert.equal(model.toCsv(), `name,note,plain,loss\r\n"'=HYPERLINK(""x"")",'-2+3,"a,b",-1\r\n'@SUM(A1),'\tx,x|y,\r\n`.replace('name,note', 'Name,note'));
    assert.ok(model.toMarkdown().includes("| @SUM(A1) | \tx | x\\|y |  |"), model.toMarkdown());
    assert.equal(csvCell('\rz'), `"'\rz"`);
    // A plain number keeps its sign (the same cells as the comparison panel's CSV); text after it does not.
    assert.equal(csvCell('+1'), '+1');
    assert.equal(csvCell('+1+cmd'), "'+1+cmd");
  });
});
