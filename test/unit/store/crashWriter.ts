// Child process of crashSafety.test.ts: opens the store, then forever bumps a generation counter,
// appends points and saves, printing "saved N" after each save has returned.
import { randomBytes } from 'node:crypto';
import { appendMetricPoints, Store } from '../../../src/store';

async function main(): Promise<void> {
  const file = process.argv[2];
  const { store } = await Store.open(file, { saveDelayMs: 60_000 });
  if (store.count('runs') === 0) {
    store.db.run("INSERT INTO experiments(uid, name, format) VALUES ('crash', 'crash', 'jsonl')");
    store.db.run("INSERT INTO runs(uid, experiment_id, format) VALUES ('crash-run', 1, 'jsonl')");
    // Ballast, so that writing and fsyncing the file takes long enough for kills to land inside it.
    store.db.run("INSERT INTO meta(key, value) VALUES ('ballast', ?)", [randomBytes(6 * 1024 * 1024).toString('base64')]);
  }
  let generation = Number(store.getMeta('generation') ?? '0');
  process.stdout.write(`opened ${generation}\n`);
  for (;;) {
    generation++;
    store.transaction(() => {
      const n = 20_000;
      const steps = new Float64Array(n).map((_, i) => generation * n + i);
      appendMetricPoints(store.db, 1, `series-${generation % 7}`, { steps, timestamps: steps, values: steps.map(Math.sqrt) });
      store.db.run("INSERT INTO meta(key, value) VALUES ('generation', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [String(generation)]);
    });
    await store.save();
    process.stdout.write(`saved ${generation}\n`);
  }
}

void main();
