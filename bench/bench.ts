// `npm run bench`: Model Ledger's benchmark. Generates its own data (seeded), runs each case a few
// times after a warm-up and prints medians with min/max, plus ratios computed within this run so
// they hold on a noisy shared machine. `--quick` for a smaller variant, `--json` for machine output.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FsFileFinder, ImportEngine, ALL_IMPORTERS, type Importer } from '../src/ingest';
import { unitWorkerPool } from '../src/ingest/workerPool';
import { measureActivation } from './activation';
import { mlflowFileStoreImporter } from '../src/ingest/mlflow/fileStore';
import { parseMetricLines } from '../src/ingest/mlflow/metricLines';
import { appendMetricPoints, loadSqlJs, Store } from '../src/store';
import { buildComparison } from '../src/compare/compareData';
import { columnDrift, datasetDrift } from '../src/drift';
import { listVersions } from '../src/registry/queries';
import { replaceRegistry } from '../src/registry/storeProjection';
import { listRuns } from '../src/tracking/queries';
import { compileRunFilter } from '../src/tracking/runFilter';
import { parseRule } from '../src/monitoring/rules';
import { benchRunsTable } from './runsTableBench';
import { seededRandom } from '../src/shared/seededRandom';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const asJson = args.has('--json');
const REPEATS = quick ? 2 : 3;

interface Measurement {
  readonly name: string;
  readonly unit: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly note?: string;
}
const results: Measurement[] = [];
const ratios: { name: string; value: number; bar: string; met: boolean }[] = [];

function log(text: string): void {
  if (!asJson) process.stderr.write(text + '\n');
}

/** Repeats `fn` (after one warm-up run) and records median/min/max of what it returns. */
async function measure(name: string, unit: string, fn: () => Promise<number> | number, options: { repeats?: number; warmup?: boolean; note?: string } = {}): Promise<Measurement> {
  if (options.warmup !== false) await fn();
  const values: number[] = [];
  for (let i = 0; i < (options.repeats ?? REPEATS); i++) values.push(await fn());
  values.sort((a, b) => a - b);
  const m: Measurement = { name, unit, median: values[Math.floor(values.length / 2)], min: values[0], max: values[values.length - 1], ...(options.note ? { note: options.note } : {}) };
  results.push(m);
  log(`  ${name}: ${format(m.median)} ${unit} (min ${format(m.min)}, max ${format(m.max)})`);
  return m;
}

function format(n: number): string {
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return Number(n.toPrecision(4)).toString();
}

function ratio(name: string, value: number, bar: string, met: boolean): void {
  ratios.push({ name, value, bar, met });
  log(`  ratio ${name}: ${value.toFixed(2)} (bar ${bar}: ${met ? 'met' : 'NOT met'})`);
}

/** An MLflow file store: runs × metrics × steps points, float32-like values, ms timestamps. */
function generateMlflowStore(root: string, runs: number, metrics: number, steps: number): number {
  const random = seededRandom(42);
  const exp = path.join(root, 'mlruns', '1');
  mkdirSync(exp, { recursive: true });
  writeFileSync(path.join(exp, 'meta.yaml'), "artifact_location: mlruns/1\nexperiment_id: '1'\nlifecycle_stage: active\nname: bench\n");
  let points = 0;
  for (let r = 0; r < runs; r++) {
    const id = `run${String(r).padStart(6, '0')}`;
    const dir = path.join(exp, id);
    mkdirSync(path.join(dir, 'metrics'), { recursive: true });
    mkdirSync(path.join(dir, 'params'), { recursive: true });
    writeFileSync(path.join(dir, 'meta.yaml'), `artifact_uri: mlruns/1/${id}/artifacts\nend_time: 1700000999000\nexperiment_id: '1'\nlifecycle_stage: active\nrun_id: ${id}\nrun_name: ${id}\nrun_uuid: ${id}\nstart_time: 1700000000000\nstatus: 3\nuser_id: bench\n`);
    writeFileSync(path.join(dir, 'params', 'lr'), String(random() / 100));
    for (let m = 0; m < metrics; m++) {
      const lines: string[] = [];
      let t = 1700000000000 + r * 1000;
      for (let s = 0; s < steps; s++) {
        t += 50 + Math.floor(random() * 100);
        lines.push(`${t} ${Math.fround(Math.exp(-s / 300) + random() * 0.05)} ${s}`);
      }
      writeFileSync(path.join(dir, 'metrics', `metric_${m}`), lines.join('\n') + '\n');
      points += steps;
    }
  }
  return points;
}

function metricFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (path.basename(dir) === 'metrics') out.push(full);
    }
  };
  walk(root);
  return out;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'model-ledger-bench-'));
  const started = Date.now();
  try {
    const [runs, metrics, steps] = quick ? [40, 5, 1000] : [200, 5, 1000];
    log(`Generating an MLflow file store: ${runs} runs × ${metrics} metrics × ${steps} steps…`);
    const storeDir = path.join(work, 'workspace');
    const points = generateMlflowStore(storeDir, runs, metrics, steps);
    const files = metricFiles(storeDir);
    log(`${points} points in ${files.length} files\n\n1. Import of an MLflow file store`);

    // Parse only: read + parse every metric file, nothing stored.
    const parse = await measure('parse only (read + parse)', 'points/s', () => {
      const t0 = performance.now();
      let n = 0;
      for (const file of files) n += parseMetricLines(readFileSync(file)).values.length;
      if (n !== points) throw new Error(`parsed ${n} of ${points}`);
      return points / ((performance.now() - t0) / 1000);
    });

    let lastStore: Store | undefined;
    let peakRss = 0;
    const mainBusy: number[] = [];
    const importOnce = async (importer: Importer, keep: boolean) => {
      if (lastStore) await lastStore.close();
      lastStore = undefined;
      const { store } = await Store.open(undefined);
      const t0 = performance.now();
      const elu = performance.eventLoopUtilization();
      const engine = new ImportEngine(store, storeDir, [importer]);
      await engine.scan(new FsFileFinder());
      const seconds = (performance.now() - t0) / 1000;
      if (keep) mainBusy.push(performance.eventLoopUtilization(elu).active);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      const stored = Number(store.db.exec('SELECT sum(point_count) FROM metric_series')[0].values[0][0]);
      if (stored !== points) throw new Error(`stored ${stored} of ${points}`);
      if (keep) lastStore = store;
      else await store.close();
      return points / seconds;
    };
    const oneThread = await measure('end to end, all on the main thread (workers off)', 'points/s', () => importOnce({ ...mlflowFileStoreImporter, runsInWorker: false }, false));
    const endToEnd = await measure('end to end (discover, read, parse in import workers, store in sql.js)', 'points/s', () => importOnce(mlflowFileStoreImporter, true));
    const busy = [...mainBusy].sort((a, b) => a - b);
    results.push({ name: "main thread busy during that import (extension host's event loop)", unit: 'ms', median: busy[Math.floor(busy.length / 2)], min: busy[0], max: busy[busy.length - 1], note: `${unitWorkerPool()?.size ?? 0} worker(s)` });
    log(`  workers: ${unitWorkerPool()?.size ?? 0}; on the main thread only: ${format(oneThread.median)} points/s`);

    // The same points one row per point, MLflow's own SQLite layout, native SQLite.
    let nativeRate = NaN;
    let mlflowBytesPerPoint = NaN;
    try {
      // Loaded lazily: a native module the benchmark alone needs.
      const BetterSqlite3 = require('better-sqlite3') as typeof import('better-sqlite3');
      const parsed = files.map((file) => ({ key: path.basename(file), run: path.basename(path.dirname(path.dirname(file))), ...parseMetricLines(readFileSync(file)) }));
      const native = await measure('native SQLite (better-sqlite3), one row per point, MLflow schema', 'points/s', () => {
        const dbFile = path.join(work, `mlflow-native-${Math.random()}.db`);
        const db = new BetterSqlite3(dbFile);
        db.exec(`CREATE TABLE metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL, run_uuid VARCHAR(32) NOT NULL,
                 step BIGINT DEFAULT '0' NOT NULL, is_nan BOOLEAN DEFAULT '0' NOT NULL,
                 CONSTRAINT metric_pk PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan))`);
        db.exec('CREATE INDEX index_metrics_run_uuid ON metrics (run_uuid)');
        const insert = db.prepare('INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)');
        const t0 = performance.now();
        db.transaction(() => {
          for (const p of parsed) for (let i = 0; i < p.values.length; i++) insert.run(p.key, p.values[i], p.timestamps[i], p.run, p.steps[i]);
        })();
        const rate = points / ((performance.now() - t0) / 1000);
        db.close();
        mlflowBytesPerPoint = statSync(dbFile).size / points;
        rmSync(dbFile);
        return rate;
      });
      nativeRate = native.median;
    } catch (error) {
      log(`  (better-sqlite3 not available: ${(error as Error).message.split('\n')[0]})`);
    }

    // sql.js one row per point, for reference: why the store keeps chunks instead.
    const SQL = await loadSqlJs();
    await measure('sql.js, one row per point (reference)', 'points/s', () => {
      const db = new SQL.Database();
      db.exec('CREATE TABLE metrics (key TEXT, value REAL, timestamp INTEGER, run_uuid TEXT, step INTEGER, PRIMARY KEY (key, timestamp, step, run_uuid, value))');
      const insert = db.prepare('INSERT INTO metrics VALUES (?, ?, ?, ?, ?)');
      const sample = files.slice(0, Math.ceil(files.length / 5)).map((file) => ({ key: path.basename(file), run: path.basename(path.dirname(path.dirname(file))), ...parseMetricLines(readFileSync(file)) }));
      const n = sample.reduce((sum, p) => sum + p.values.length, 0);
      const t0 = performance.now();
      db.exec('BEGIN');
      for (const p of sample) for (let i = 0; i < p.values.length; i++) insert.run([p.key, p.values[i], p.timestamps[i], p.run, p.steps[i]]);
      db.exec('COMMIT');
      const rate = n / ((performance.now() - t0) / 1000);
      insert.free();
      db.close();
      return rate;
    });

    ratio('end-to-end / parse-only', endToEnd.median / parse.median, '≥ 0.5', endToEnd.median / parse.median >= 0.5);
    if (Number.isFinite(nativeRate)) ratio('end-to-end / native one-row-per-point', endToEnd.median / nativeRate, '≥ 3', endToEnd.median / nativeRate >= 3);
    results.push({ name: 'peak RSS during import', unit: 'MB', median: peakRss / 1e6, min: peakRss / 1e6, max: peakRss / 1e6 });
    log(`  peak RSS during import: ${(peakRss / 1e6).toFixed(0)} MB`);

    log('\n2. Store size and save');
    const storeFile = path.join(work, 'store.sqlite');
    const store = lastStore!;
    Object.defineProperty(store, 'file', { value: storeFile }); // save the imported store to disk once
    let exportMs = 0;
    await measure('save (export + write + fsync + rename)', 'ms', async () => {
      const t0 = performance.now();
      const bytes = store.db.export();
      exportMs = performance.now() - t0;
      writeFileSync(storeFile, bytes);
      return performance.now() - t0;
    });
    results.push({ name: 'longest synchronous slice of a save (db.export)', unit: 'ms', median: exportMs, min: exportMs, max: exportMs });
    log(`  longest synchronous slice (db.export): ${exportMs.toFixed(1)} ms`);
    const bytesPerPoint = statSync(storeFile).size / points;
    results.push({ name: 'store size per metric point', unit: 'bytes', median: bytesPerPoint, min: bytesPerPoint, max: bytesPerPoint });
    log(`  store: ${bytesPerPoint.toFixed(2)} bytes per point (bar ≤ 12)`);
    ratios.push({ name: 'store bytes per point', value: bytesPerPoint, bar: '≤ 12', met: bytesPerPoint <= 12 });
    if (Number.isFinite(mlflowBytesPerPoint)) {
      results.push({ name: "MLflow's SQLite layout, bytes per point", unit: 'bytes', median: mlflowBytesPerPoint, min: mlflowBytesPerPoint, max: mlflowBytesPerPoint });
      log(`  MLflow's layout (metrics table + indexes): ${mlflowBytesPerPoint.toFixed(1)} bytes per point`);
    }
    await store.close();

    log('\n2b. Rescan of the unchanged store (the same 1,000,000 points, saved to a file)');
    {
      const rescanFile = path.join(work, 'rescan.sqlite');
      const { store: s } = await Store.open(rescanFile, { saveDelayMs: 0 });
      const engine = new ImportEngine(s, storeDir, [mlflowFileStoreImporter]);
      const t0 = performance.now();
      await engine.scan(new FsFileFinder());
      await s.save();
      const firstMs = performance.now() - t0;
      const before = statSync(rescanFile);
      const rescan = await measure('no-op rescan of the unchanged store (stat and cursors only)', 'ms', async () => {
        const t1 = performance.now();
        const summary = await engine.scan(new FsFileFinder());
        if (summary.changed || s.hasUnsavedChanges) throw new Error('a rescan of unchanged files changed the store');
        return performance.now() - t1;
      });
      const after = statSync(rescanFile);
      const bytesWritten = after.mtimeMs === before.mtimeMs && after.ino === before.ino ? 0 : after.size;
      results.push({ name: 'first import of that store, saved to a file', unit: 'ms', median: firstMs, min: firstMs, max: firstMs });
      results.push({ name: 'bytes written by the no-op rescans', unit: 'bytes', median: bytesWritten, min: bytesWritten, max: bytesWritten });
      log(`  first import ${firstMs.toFixed(0)} ms; bytes written by ${REPEATS + 1} rescans: ${bytesWritten}`);
      ratio('no-op rescan / first import', rescan.median / firstMs, '≤ 0.05', rescan.median / firstMs <= 0.05);
      ratios.push({ name: 'bytes written by a no-op rescan', value: bytesWritten, bar: '0', met: bytesWritten === 0 });
      await s.close();
    }

    log('\n3. Tail latency: 100 points appended to one run file, until queryable');
    const tail = async (backgroundPoints: number, label: string): Promise<Measurement> => {
      const dir = path.join(work, `tail-${label}`);
      generateMlflowStore(dir, 1, 1, 1000);
      const { store: s } = await Store.open(undefined);
      // Background bulk: other runs' series, so the store is large.
      s.db.run("INSERT INTO experiments(uid, name, format) VALUES ('bg', 'bg', 'jsonl')");
      const perRun = 100_000;
      const chunk = Float64Array.from({ length: perRun }, (_, i) => i);
      for (let r = 0; r * perRun < backgroundPoints; r++) {
        s.db.run("INSERT INTO runs(uid, experiment_id, format) VALUES (?, 1, 'jsonl')", [`bg-${r}`]);
        const runId = Number(s.db.exec('SELECT last_insert_rowid()')[0].values[0][0]);
        const n = Math.min(perRun, backgroundPoints - r * perRun);
        s.transaction(() => appendMetricPoints(s.db, runId, 'loss', { steps: chunk.subarray(0, n), timestamps: chunk.subarray(0, n), values: chunk.subarray(0, n) }));
      }
      const engine = new ImportEngine(s, dir, ALL_IMPORTERS);
      await engine.scan(new FsFileFinder());
      const file = metricFiles(dir)[0];
      let step = 10_000;
      const m = await measure(`tail with a ${format(backgroundPoints)}-point store`, 'ms', async () => {
        const lines: string[] = [];
        for (let i = 0; i < 100; i++, step++) lines.push(`${1700001000000 + step} ${Math.fround(1 / step)} ${step}`);
        appendFileSync(file, lines.join('\n') + '\n');
        const t0 = performance.now();
        await engine.importUnits(engine.unitsOf(file));
        const ms = performance.now() - t0;
        const last = Number(s.db.exec("SELECT max(last_step) FROM metric_series WHERE key = 'metric_0'")[0].values[0][0]);
        if (last !== step - 1) throw new Error(`tail: last step ${last}, expected ${step - 1}`);
        return ms;
      }, { repeats: 7 });
      await s.close();
      return m;
    };
    const small = await tail(10_000, 'small');
    const large = await tail(quick ? 1_000_000 : 10_000_000, 'large');
    ratio('tail latency large / small store', large.median / small.median, '≤ 1.5', large.median / small.median <= 1.5);
    ratios.push({ name: 'tail latency, large store (ms)', value: large.median, bar: '≤ 20', met: large.median <= 20 });

    log('\n4. Tree: children of an experiment with 10,000 runs');
    {
      const { store: s } = await Store.open(undefined);
      s.db.run("INSERT INTO experiments(uid, name, format) VALUES ('e', 'e', 'jsonl')");
      s.transaction(() => {
        for (let r = 0; r < 10_000; r++) {
          s.db.run("INSERT INTO runs(uid, experiment_id, name, format, start_time, status) VALUES (?, 1, ?, 'jsonl', ?, 'FINISHED')", [`r${r}`, `run ${r}`, r]);
          appendMetricPoints(s.db, r + 1, 'val_loss', { steps: [0, 1, 2], timestamps: [0, 1, 2], values: [3, 2, 1 / (r + 1)] });
        }
      });
      const tree = await measure('tree children, 10,000 runs (with key metric)', 'ms', () => {
        const t0 = performance.now();
        const rowsOut = listRuns(s.db, 1, { keyMetric: 'val_loss' });
        if (rowsOut.length !== 10_000) throw new Error('tree rows');
        return performance.now() - t0;
      });
      ratios.push({ name: 'tree children for 10,000 runs (ms)', value: tree.median, bar: '≤ 50', met: tree.median <= 50 });
      // A model with 1,000 versions, as the Models view lists them (stage, aliases, source run name).
      s.transaction(() =>
        replaceRegistry(s.db, 'ledger', [
          {
            name: 'big-model',
            tags: {},
            aliases: { champion: 990, challenger: 1000 },
            versions: Array.from({ length: 1000 }, (_, i) => ({ version: i + 1, stage: i === 989 ? 'Production' : i < 989 ? 'Archived' : 'None', runUid: `r${i}`, createdBy: 'bench', createdAt: i, tags: {} })),
          },
        ]),
      );
      const modelId = Number(s.db.exec("SELECT id FROM models WHERE name = 'big-model'")[0].values[0][0]);
      await measure('tree children, a model with 1,000 versions', 'ms', () => {
        const t0 = performance.now();
        if (listVersions(s.db, modelId).length !== 1000) throw new Error('versions');
        return performance.now() - t0;
      });
      await s.close();
    }

    log('\n4b. Drift report: 1,000,000 rows × 20 numerical columns (statistics on columns in memory)');
    {
      const rows = quick ? 100_000 : 1_000_000;
      const random = seededRandom(7);
      const column = (shift: number) => Float64Array.from({ length: rows }, () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()) + shift);
      const reference = Array.from({ length: 20 }, () => column(0));
      const current = Array.from({ length: 20 }, (_, c) => column(c % 4 === 0 ? 0.1 : 0));
      await measure(`drift report, ${format(rows)} rows × 20 columns (Evidently's defaults)`, 'ms', () => {
        const t0 = performance.now();
        const columns = reference.map((ref, c) => columnDrift(Array.from(ref), Array.from(current[c]), { columnType: 'numerical', column: `f${c}` }));
        const report = datasetDrift(columns);
        if (report.columnCount !== 20) throw new Error('drift columns');
        return performance.now() - t0;
      }, { repeats: 2, warmup: false });
    }

    log('\n5. Comparison data: 10 runs × 100,000 points');
    {
      const { store: s } = await Store.open(undefined);
      s.db.run("INSERT INTO experiments(uid, name, format) VALUES ('c', 'c', 'jsonl')");
      const n = 100_000;
      const steps = Float64Array.from({ length: n }, (_, i) => i);
      const uids: string[] = [];
      s.transaction(() => {
        for (let r = 0; r < 10; r++) {
          const uid = `cmp-${r}`;
          uids.push(uid);
          s.db.run("INSERT INTO runs(uid, experiment_id, name, format, status) VALUES (?, 1, ?, 'jsonl', 'FINISHED')", [uid, uid]);
          const values = steps.map((i) => Math.fround(Math.exp(-i / 20_000) + 0.01 * Math.sin(i / 50 + r)));
          appendMetricPoints(s.db, r + 1, 'loss', { steps, timestamps: steps.map((i) => 1_700_000_000_000 + i * 100), values });
        }
      });
      let payloadBytes = 0;
      const prepare = await measure('comparison data, 10 runs × 100,000 points (decimated, ready to post)', 'ms', () => {
        const t0 = performance.now();
        const model = buildComparison(s.db, uids);
        const ms = performance.now() - t0;
        payloadBytes = JSON.stringify(model).length; // postMessage clones, it does not stringify: not timed
        return ms;
      });
      const rawBytes = JSON.stringify({ x: Array.from(steps), y: Array.from(steps), t: Array.from(steps) }).length * 10;
      results.push({ name: 'comparison payload posted to the webview', unit: 'KB', median: payloadBytes / 1024, min: payloadBytes / 1024, max: payloadBytes / 1024, note: `raw series would be ${(rawBytes / 1e6).toFixed(1)} MB` });
      log(`  payload: ${(payloadBytes / 1024).toFixed(0)} KB (the raw series: ${(rawBytes / 1e6).toFixed(1)} MB)`);
      ratios.push({ name: 'comparison data for 10 runs × 100,000 points (ms)', value: prepare.median, bar: '≤ 150', met: prepare.median <= 150 });
      await s.close();
    }

    log('\n7b. Filter and rule parsing over whitespace (linear: time per MB stays flat)');
    {
      // The adversarial run measured 9.9 s for 100k spaces before the parsers went linear.
      const perMb: number[] = [];
      for (const mb of [0.25, 0.5, 1]) {
        const spaces = ' '.repeat(Math.round(mb * 1024 * 1024));
        const filter = await measure(`run filter with ${mb} MB of whitespace`, 'ms', () => {
          const started = performance.now();
          compileRunFilter(`val_loss < 0.3${spaces}and${spaces}name ~ x`);
          return performance.now() - started;
        });
        await measure(`monitoring rule with ${mb} MB of whitespace`, 'ms', () => {
          const started = performance.now();
          parseRule(`f1 < 0.92${spaces}for 48h${spaces}x`);
          return performance.now() - started;
        });
        perMb.push(filter.median / mb);
      }
      ratios.push({ name: 'run filter: ms per MB of whitespace at 1 MB ÷ at 0.25 MB', value: perMb[2] / perMb[0], bar: '≤ 2 (linear)', met: perMb[2] / perMb[0] <= 2 });
    }
    log('\nRuns table');
    await benchRunsTable(
      {
        measure: (name, unit, fn, options) => measure(name, unit, fn, options ?? {}),
        record: (name, unit, value, note) => results.push({ name, unit, median: value, min: value, max: value, ...(note ? { note } : {}) }),
        ratio,
        log,
      },
      quick,
    );

    log('\n8. Activation and package');
    try {
      const times = (await measureActivation(quick ? 2 : 4)).sort((a, b) => a - b);
      if (times.length === 0) throw new Error('no "activated in" line in the extension log');
      results.push({ name: 'activation (activate() until views and commands are registered)', unit: 'ms', median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1], note: `${times.length} extension hosts in code-server` });
      ratios.push({ name: 'activation (ms)', value: times[Math.floor(times.length / 2)], bar: '≤ 50', met: times[Math.floor(times.length / 2)] <= 50 });
      log(`  activation: ${times.map((t) => t.toFixed(1)).join(', ')} ms`);
    } catch (error) {
      log(`  activation: not measured (${(error as Error).message.split('\n')[0]})`);
    }
    const vsix = path.join(__dirname, '..', '..', 'dist-vsix', 'model-ledger.vsix');
    if (!existsSync(vsix) || statSync(vsix).mtimeMs < statSync(path.join(__dirname, '..', '..', 'dist', 'extension.js')).mtimeMs) {
      log('  packaging the .vsix (npm run package)…');
      spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'package.mjs')], { stdio: 'ignore' });
    }
    try {
      const mb = statSync(vsix).size / 1e6;
      results.push({ name: '.vsix size', unit: 'MB', median: mb, min: mb, max: mb });
      ratios.push({ name: '.vsix size (MB)', value: mb, bar: '≤ 3', met: mb <= 3 });
      log(`  .vsix: ${mb.toFixed(2)} MB`);
    } catch {
      log('  .vsix: not built (npm run package)');
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const report = { quick, seconds: (Date.now() - started) / 1000, results, ratios };
  if (asJson) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    const width = Math.max(...results.map((r) => r.name.length));
    process.stdout.write(`\n${'case'.padEnd(width)}  ${'median'.padStart(10)}  ${'min'.padStart(10)}  ${'max'.padStart(10)}  unit\n`);
    for (const r of results) process.stdout.write(`${r.name.padEnd(width)}  ${format(r.median).padStart(10)}  ${format(r.min).padStart(10)}  ${format(r.max).padStart(10)}  ${r.unit}\n`);
    process.stdout.write('\nBars (same run):\n');
    for (const r of ratios) process.stdout.write(`  ${r.met ? 'met    ' : 'NOT met'}  ${r.name}: ${Number(r.value.toPrecision(3))} (bar ${r.bar})\n`);
    process.stdout.write(`\n${report.seconds.toFixed(0)} s in all${quick ? ' (--quick)' : ''}\n`);
  }
}

void main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
