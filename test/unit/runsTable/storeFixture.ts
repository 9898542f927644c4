// A real store filled from test/fixtures/runsTable/sweep.json (runs, params, metrics).
import { readFileSync } from 'node:fs';
import { appendMetricPoints, Store } from '../../../src/store';
import { fixturePath } from '../../fixturePath';

export interface SweepRun {
  uid: string;
  name: string;
  start: number;
  params: Record<string, string>;
  metrics: Record<string, number | null>;
}

export interface SweepFixture {
  runs: SweepRun[];
  expected: {
    valLossAsc: string[];
    valLossDesc: string[];
    optimizerThenLrDesc: string[];
    groupByOptimizer: Record<string, { runs: number; count: number; mean: number | null; min: number | null; max: number | null }>;
  };
}

export function readSweepFixture(): SweepFixture {
  return JSON.parse(readFileSync(fixturePath('runsTable', 'sweep.json'), 'utf8')) as SweepFixture;
}

/** Writes runs into a fresh in-memory store; a null metric is one NaN point. */
export async function storeWithRuns(runs: readonly SweepRun[], status = 'FINISHED'): Promise<Store> {
  const { store } = await Store.open(undefined);
  store.db.run("INSERT INTO experiments(uid, name, format) VALUES ('e', 'sweep', 'jsonl')");
  for (const run of runs) {
    store.db.run("INSERT INTO runs(uid, experiment_id, name, status, start_time, end_time, format) VALUES (?, 1, ?, ?, ?, ?, 'jsonl')", [run.uid, run.name, status, run.start, run.start + 60_000]);
    const runId = Number(store.db.exec('SELECT last_insert_rowid()')[0].values[0][0]);
    for (const [key, value] of Object.entries(run.params)) store.db.run('INSERT INTO params(run_id, key, value) VALUES (?, ?, ?)', [runId, key, value]);
    for (const [key, value] of Object.entries(run.metrics)) appendMetricPoints(store.db, runId, key, { steps: [0], timestamps: [run.start], values: [value ?? NaN] });
  }
  return store;
}
