// A generated hyperparameter sweep in a real sql.js store, for the runs table's benchmark and browser check.
// Seeded, so every run of the bench and the check sees the same runs. Metric summaries are written as the
// store keeps them (one metric_series row per run and key): the table reads only those summaries, and
// writing 5,000,000 single points through the chunk codec would time the codec, not the table.
import { Store } from '../src/store';
import { seededRandom } from '../src/shared/seededRandom';

export interface SweepOptions {
  readonly runs: number;
  /** Params beyond the five sweep params (p_000…), and metrics beyond val_loss/val_accuracy/train_loss (m_000…). */
  readonly extraParams: number;
  readonly extraMetrics: number;
  readonly seed?: number;
}

const OPTIMIZERS = ['adam', 'adamw', 'sgd', 'rmsprop'];
const BATCH_SIZES = [16, 32, 64, 128, 256];

export async function sweepStore(options: SweepOptions): Promise<Store> {
  const random = seededRandom(options.seed ?? 42);
  const { store } = await Store.open(undefined);
  const db = store.db;
  db.run("INSERT INTO experiments(uid, name, format) VALUES ('jsonl:sweep', 'lr-sweep', 'jsonl'), ('jsonl:other', 'baseline-models', 'mlflow-file')");
  const insertRun = db.prepare("INSERT INTO runs(id, uid, experiment_id, external_id, name, status, start_time, end_time, user, format, git_commit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'alice', ?, ?)");
  const insertParam = db.prepare('INSERT INTO params(run_id, key, value) VALUES (?, ?, ?)');
  const insertTag = db.prepare('INSERT INTO run_tags(run_id, key, value) VALUES (?, ?, ?)');
  const insertSeries = db.prepare('INSERT INTO metric_series(run_id, key, point_count, last_step, last_timestamp, last_value, last_is_nan, min_value, max_value, min_step, max_step) VALUES (?, ?, 100, 99, ?, ?, 0, ?, ?, 0, 99)');
  const series = (runId: number, key: string, last: number, start: number) => insertSeries.run([runId, key, start + 99_000, last, last * 0.97, last * 1.6 + 0.1]);
  store.transaction(() => {
    for (let r = 1; r <= options.runs; r++) {
      const lr = 10 ** (-4 + 3 * random());
      const batch = BATCH_SIZES[Math.floor(random() * BATCH_SIZES.length)];
      const optimizer = OPTIMIZERS[Math.floor(random() * OPTIMIZERS.length)];
      const dropout = Math.round(random() * 50) / 100;
      const layers = 2 + Math.floor(random() * 6);
      const start = 1_764_000_000_000 + r * 60_000;
      const status = r % 97 === 0 ? 'RUNNING' : r % 53 === 0 ? 'FAILED' : 'FINISHED';
      const experiment = r % 10 === 0 ? 2 : 1;
      insertRun.run([r, `jsonl:runs/run-${r}`, experiment, `id${r.toString(16).padStart(8, '0')}`, `sweep-${String(r).padStart(6, '0')}`, status, start, status === 'RUNNING' ? null : start + 600_000 + r * 13, experiment === 1 ? 'jsonl' : 'mlflow-file', (r * 2654435761).toString(16).padStart(8, '0')]);
      for (const [k, v] of [['lr', lr.toPrecision(3)], ['batch_size', String(batch)], ['optimizer', optimizer], ['dropout', String(dropout)], ['layers', String(layers)]] as const) insertParam.run([r, k, v]);
      for (let p = 0; p < options.extraParams; p++) insertParam.run([r, `p_${String(p).padStart(3, '0')}`, p % 3 === 0 ? `v${(r * (p + 1)) % 17}` : String((r * (p + 7)) % 1000)]);
      insertTag.run([r, 'team', r % 3 === 0 ? 'vision' : 'nlp']);
      // The metric depends on lr (a bowl around 3e-3) and the optimizer; dropout mildly; the rest is noise.
      const loss = 0.25 + 0.3 * Math.abs(Math.log10(lr) + 2.5) + (optimizer === 'sgd' ? 0.15 : 0) + 0.1 * dropout + 0.05 * random();
      series(r, 'val_loss', loss, start);
      series(r, 'val_accuracy', Math.max(0, 1 - loss / 2), start);
      series(r, 'train_loss', loss * 0.8, start);
      for (let m = 0; m < options.extraMetrics; m++) series(r, `m_${String(m).padStart(3, '0')}`, random() * (m + 1), start);
    }
  });
  for (const s of [insertRun, insertParam, insertTag, insertSeries]) s.free();
  return store;
}
