// Runs table entries of `npm run bench`: first screen and re-sort at 10,000 runs × 500 columns, the
// posted payload against the table's size, 100,000 runs × 50 columns, and a parallel-coordinates brush.
import { FIRST_WINDOW, loadRunsTableData, RunsTableModel, RunsTableSession } from '../src/runsTable';
import { sweepStore } from './sweepStore';

export interface BenchHooks {
  measure(name: string, unit: string, fn: () => number, options?: { repeats?: number; note?: string }): Promise<{ median: number }>;
  record(name: string, unit: string, value: number, note?: string): void;
  ratio(name: string, value: number, bar: string, met: boolean): void;
  log(text: string): void;
}

/** Bytes of the first message (view, summary and first window) for a table of `runs` × about `columns` columns. */
async function firstMessageBytes(runs: number, extraParams: number, extraMetrics: number): Promise<number> {
  const store = await sweepStore({ runs, extraParams, extraMetrics });
  const session = new RunsTableSession(store.db, {}, undefined, 'Runs');
  const bytes = JSON.stringify(session.init(FIRST_WINDOW)).length;
  await store.close();
  return bytes;
}

export async function benchRunsTable(hooks: BenchHooks, quick: boolean): Promise<void> {
  const runs = quick ? 2_000 : 10_000;
  // 5 sweep params + 392 others, 3 metrics + 100 others: 500 param/metric columns (plus attributes and a tag).
  hooks.log(`Generating ${runs} runs × 500 params/metrics…`);
  const store = await sweepStore({ runs, extraParams: 392, extraMetrics: 100 });
  let data = loadRunsTableData(store.db);
  await hooks.measure(`load ${runs} runs × 500 params/metrics from the store into columns`, 'ms', () => {
    const t0 = performance.now();
    data = loadRunsTableData(store.db);
    return performance.now() - t0;
  }, { repeats: 1 });
  // The first screen once the columns are in memory: default columns, order, summary, first window.
  const first = await hooks.measure('first screen (order, columns, summary, first window), data loaded', 'ms', () => {
    const t0 = performance.now();
    const model = new RunsTableModel(data, undefined, undefined, 'Runs');
    JSON.stringify({ view: model.webviewView(), summary: model.summary(), window: model.window(FIRST_WINDOW) });
    return performance.now() - t0;
  });
  const session = new RunsTableSession(store.db, {}, undefined, 'Runs');
  hooks.ratio(`runs table first screen, ${runs} runs × 500 columns (ms)`, first.median, '≤ 150', first.median <= 150);
  const resort = await hooks.measure('re-sort by a metric and the next window', 'ms', () => {
    const t0 = performance.now();
    const descending = Math.random() < 0.5;
    session.model.setView({ sort: [{ column: 'm:last:val_loss', descending }] });
    session.model.window(FIRST_WINDOW);
    return performance.now() - t0;
  });
  hooks.ratio(`runs table re-sort, ${runs} runs × 500 columns (ms)`, resort.median, '≤ 100', resort.median <= 100);
  const brush = await hooks.measure('parallel-coordinates brush → table rows and window', 'ms', () => {
    const t0 = performance.now();
    session.model.setView({ brushes: [{ column: 'p:lr', min: 1e-3, max: 1e-2 + Math.random() * 1e-3 }] });
    session.model.window(FIRST_WINDOW);
    return performance.now() - t0;
  });
  hooks.ratio('brush → table update (host side, ms)', brush.median, '≤ 200', brush.median <= 200);
  await hooks.measure('sweep data for parallel coordinates (12 axes, every shown run)', 'ms', () => {
    const t0 = performance.now();
    session.model.setView({ brushes: [] });
    session.model.sweep(['p:lr', 'p:batch_size', 'p:optimizer', 'p:dropout', 'p:layers', ...Array.from({ length: 6 }, (_, i) => `p:p_00${i}`), 'm:last:val_loss']);
    return performance.now() - t0;
  }, { repeats: 1 });
  await hooks.measure('parameter importance (forest + correlation) for val_loss', 'ms', () => {
    const t0 = performance.now();
    session.handle({ type: 'importance', metric: 'val_loss' });
    return performance.now() - t0;
  }, { repeats: 1 });
  await store.close();

  const small = await firstMessageBytes(500, 20, 10);
  const large = await firstMessageBytes(runs, 392, 100);
  hooks.record('first message posted to the webview, 500 runs × 38 columns', 'KB', small / 1024);
  hooks.record(`first message posted to the webview, ${runs} runs × 500 columns`, 'KB', large / 1024);
  hooks.ratio('runs table payload, large / small table', large / small, '≤ 1.5 (independent of rows × columns)', large / small <= 1.5);

  const bigRuns = quick ? 20_000 : 100_000;
  hooks.log(`Generating ${bigRuns} runs × 50 params/metrics…`);
  const big = await sweepStore({ runs: bigRuns, extraParams: 30, extraMetrics: 12 });
  let bigSession: RunsTableSession | undefined;
  await hooks.measure(`${bigRuns} runs × 50 columns: open (load + first screen)`, 'ms', () => {
    const t0 = performance.now();
    bigSession = new RunsTableSession(big.db, {}, undefined, 'Runs');
    bigSession.init(FIRST_WINDOW);
    return performance.now() - t0;
  }, { repeats: 1 });
  await hooks.measure(`${bigRuns} runs × 50 columns: sort by a metric`, 'ms', () => {
    const t0 = performance.now();
    bigSession!.model.setView({ sort: [{ column: 'm:last:val_loss', descending: Math.random() < 0.5 }] });
    bigSession!.model.window(FIRST_WINDOW);
    return performance.now() - t0;
  }, { repeats: 2 });
  await big.close();
}
