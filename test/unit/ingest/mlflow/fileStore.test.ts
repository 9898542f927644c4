import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mlflowFileStoreImporter } from '../../../../src/ingest/mlflow/fileStore';
import { readMetricSeries } from '../../../../src/store';
import { useTempDir } from '../../helpers';
import { copyFixture, FIXTURES, scanWith } from '../engineHelpers';

/**
 * Independent count of an MLflow file store, the simple way: walk the folders, read lifecycle_stage
 * with a regular expression, count non-blank lines of metric files and param files. Runs of
 * experiments in .trash count as deleted (MLflow soft-deletes them with their experiment).
 */
function countStore(mlruns: string): { experiments: number; runs: number; runsDeleted: number; metricPoints: number; params: number } {
  const counts = { experiments: 0, runs: 0, runsDeleted: 0, metricPoints: 0, params: 0 };
  const walkFiles = (dir: string): string[] =>
    existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walkFiles(path.join(dir, e.name)) : [path.join(dir, e.name)])) : [];
  const experimentDirs = (dir: string, trashed: boolean) =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((name) => name !== 'models' && !name.startsWith('.') && existsSync(path.join(dir, name, 'meta.yaml')))
          .map((name) => ({ dir: path.join(dir, name), trashed }))
      : [];
  for (const { dir, trashed } of [...experimentDirs(mlruns, false), ...experimentDirs(path.join(mlruns, '.trash'), true)]) {
    const meta = readFileSync(path.join(dir, 'meta.yaml'), 'utf8');
    if (!trashed && /lifecycle_stage: active/.test(meta)) counts.experiments++;
    for (const run of readdirSync(dir)) {
      const runMeta = path.join(dir, run, 'meta.yaml');
      if (run === 'tags' || !existsSync(runMeta)) continue;
      if (trashed || /lifecycle_stage: deleted/.test(readFileSync(runMeta, 'utf8'))) {
        counts.runsDeleted++;
        continue;
      }
      counts.runs++;
      for (const file of walkFiles(path.join(dir, run, 'metrics'))) {
        counts.metricPoints += readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).length;
      }
      counts.params += walkFiles(path.join(dir, run, 'params')).length;
    }
  }
  return counts;
}

describe('MLflow file store importer', () => {
  const tmp = useTempDir();

  for (const fixture of ['mlflow-2.12-generated', 'Rajat-Jamblekar__mlops-iris', 'PacktPublishing__Hyperparameter-Tuning-with-Python']) {
    it(`imports ${fixture} with the counts of an independent walk`, async () => {
      const expected = countStore(path.join(FIXTURES, 'mlflow', fixture, 'mlruns'));
      const root = copyFixture(`mlflow/${fixture}`, tmp.path);
      const scanned = await scanWith(root, [mlflowFileStoreImporter]);
      const { sources: _sources, ...counts } = scanned.counts;
      assert.deepEqual(counts, expected);
      assert.deepEqual(scanned.summary.diagnostics, []);
      await scanned.store.close();
    });
  }

  it('reports "last value" as MLflow does: max by step, then timestamp, then value', async () => {
    const root = copyFixture('mlflow/mlflow-2.12-generated', tmp.path);
    const scanned = await scanWith(root, [mlflowFileStoreImporter]);
    for (const run of scanned.runs().filter((r) => !r.deleted)) {
      const metricsDir = path.join(root, run.source!, 'metrics');
      for (const key of Object.keys(run.metrics)) {
        const points = readFileSync(path.join(metricsDir, key), 'utf8')
          .trim()
          .split('\n')
          .map((line) => line.split(' ').map(Number));
        // [timestamp, value, step] → max by (step, timestamp, value)
        const latest = points.reduce((a, b) => (b[2] !== a[2] ? (b[2] > a[2] ? b : a) : b[0] !== a[0] ? (b[0] > a[0] ? b : a) : b[1] > a[1] ? b : a));
        assert.ok(Object.is(run.metrics[key], latest[1]), `${run.name}/${key}: ${run.metrics[key]} vs ${latest[1]}`);
      }
    }
    await scanned.store.close();
  });

  it('maps run attributes: names, statuses, parents, git commit, deleted', async () => {
    const root = copyFixture('mlflow/mlflow-2.12-generated', tmp.path);
    const scanned = await scanWith(root, [mlflowFileStoreImporter]);
    const runs = scanned.runs();
    const statuses = new Set(runs.map((r) => r.status));
    assert.ok(statuses.has('FINISHED') && statuses.has('FAILED'), [...statuses].join());
    const children = scanned.store.db.exec('SELECT count(*) FROM runs WHERE parent_uid IS NOT NULL')[0].values[0][0] as number;
    const parentTags = readdirSync(path.join(root, 'mlruns'), { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith(path.join('tags', 'mlflow.parentRunId'))).length;
    assert.equal(children, parentTags);
    assert.ok(parentTags > 0, 'the fixture has nested runs');
    await scanned.store.close();
  });

  function writeRun(root: string, options: { status?: number; metrics?: Record<string, string>; meta?: string } = {}): string {
    const exp = path.join(root, 'mlruns', '7');
    mkdirSync(exp, { recursive: true });
    writeFileSync(path.join(exp, 'meta.yaml'), "artifact_location: file:///nowhere/mlruns/7\nexperiment_id: '7'\nlifecycle_stage: active\nname: handmade\n");
    const run = path.join(exp, 'abc123');
    mkdirSync(path.join(run, 'metrics', 'train'), { recursive: true });
    mkdirSync(path.join(run, 'params'), { recursive: true });
    mkdirSync(path.join(run, 'artifacts', 'model'), { recursive: true });
    writeFileSync(path.join(run, 'artifacts', 'model', 'MLmodel'), 'flavors: {}\n');
    writeFileSync(
      path.join(run, 'meta.yaml'),
      options.meta ??
        `artifact_uri: file:///somewhere/else/mlruns/7/abc123/artifacts\nend_time: null\nexperiment_id: '7'\nlifecycle_stage: active\nrun_id: abc123\nrun_name: hand-<b>made</b>\nrun_uuid: abc123\nstart_time: 1700000000000\nstatus: ${options.status ?? 1}\nuser_id: ada\n`,
    );
    writeFileSync(path.join(run, 'params', 'lr'), '1e-08');
    writeFileSync(path.join(run, 'params', 'note'), 'x'.repeat(6000));
    for (const [key, body] of Object.entries(options.metrics ?? {})) writeFileSync(path.join(run, 'metrics', key), body);
    return run;
  }

  it('reads 2-field lines as step 0, nan/inf values, keys with "/", params as written, moved artifacts', async () => {
    const run = writeRun(tmp.path, { metrics: { 'train/loss': '1700000000000 0.5\n1700000000100 nan 1\n1700000000200 inf 2\n1700000000300 -inf 3\n', acc: '1700000000000 0.25 0 someRunId\n' } });
    const scanned = await scanWith(tmp.path, [mlflowFileStoreImporter]);
    const [listing] = scanned.runs();
    assert.equal(listing.status, 'RUNNING');
    assert.equal(listing.name, 'hand-<b>made</b>');
    assert.equal(listing.params.lr, '1e-08');
    assert.equal(listing.params.note.length, 6000);
    assert.ok(Object.is(listing.metrics['train/loss'], -Infinity));
    assert.equal(listing.metrics.acc, 0.25);
    const series = readMetricSeries(scanned.store.db, 1, 'train/loss');
    assert.deepEqual(Array.from(series.steps), [0, 1, 2, 3]);
    assert.ok(Number.isNaN(series.values[1]) && series.values[2] === Infinity);
    const artifacts = scanned.store.db.exec('SELECT path FROM artifacts ORDER BY path')[0].values.map((r) => r[0]);
    assert.deepEqual(artifacts, ['model', 'model/MLmodel'], 'artifacts found beside the run although the recorded path is gone');
    assert.ok(existsSync(run));
    await scanned.store.close();
  });

  it('tails an appended metric file: only the new points, a half-written line waits for its end', async () => {
    const run = writeRun(tmp.path, { metrics: { loss: '1700000000000 1.0 0\n1700000000100 0.9 1\n17000000002' } });
    const scanned = await scanWith(tmp.path, [mlflowFileStoreImporter]);
    assert.equal(scanned.counts.metricPoints, 2);
    appendFileSync(path.join(run, 'metrics', 'loss'), '00 0.8 2\n1700000000300 0.7 3\n');
    const again = await scanned.rescan();
    assert.equal(again.counts.metricPoints, 4);
    const series = readMetricSeries(scanned.store.db, 1, 'loss');
    assert.deepEqual(Array.from(series.values), [1.0, 0.9, 0.8, 0.7]);
    // Nothing changed: nothing re-read.
    assert.equal((await scanned.rescan()).counts.metricPoints, 4);
    // Rewritten shorter: re-read from the start.
    writeFileSync(path.join(run, 'metrics', 'loss'), '1700000000000 5 0\n');
    assert.equal((await scanned.rescan()).counts.metricPoints, 1);
    await scanned.store.close();
  });

  it('reports malformed lines with their line numbers and keeps the good ones', async () => {
    writeRun(tmp.path, { metrics: { loss: '1700000000000 1.0 0\nthis is not a metric\n1700000000200 zero 2\n1700000000300 0.5 3\n' } });
    const scanned = await scanWith(tmp.path, [mlflowFileStoreImporter]);
    assert.equal(scanned.counts.metricPoints, 2);
    assert.deepEqual(
      scanned.summary.diagnostics.map((d) => d.position),
      ['line 2', 'line 3'],
    );
    assert.match(scanned.summary.diagnostics[1].message, /bad value "zero"/);
    await scanned.store.close();
  });

  it('survives binary junk, an empty metric file and malformed meta.yaml; keeps a run whose meta.yaml breaks later', async () => {
    const run = writeRun(tmp.path, { metrics: { junk: Buffer.from([0, 1, 2, 255, 10, 200, 10]).toString('latin1'), empty: '' } });
    const scanned = await scanWith(tmp.path, [mlflowFileStoreImporter]);
    assert.equal(scanned.counts.runs, 1);
    assert.ok(scanned.summary.diagnostics.length >= 1);
    writeFileSync(path.join(run, 'meta.yaml'), 'status: [unclosed\n');
    const again = await scanned.rescan();
    assert.equal(again.counts.runs, 1, 'the run is kept while its meta.yaml is unreadable');
    assert.ok(again.diagnostics.some((d) => /malformed YAML/.test(d.message) && d.position !== undefined));
    await scanned.store.close();
  });

  it('forgets a run whose folder was deleted, and its experiment only when it is gone too', async () => {
    const run = writeRun(tmp.path, { status: 3, metrics: { loss: '1 1 0\n' } });
    const scanned = await scanWith(tmp.path, [mlflowFileStoreImporter]);
    assert.equal(scanned.counts.runs, 1);
    rmSync(run, { recursive: true });
    const again = await scanned.rescan();
    assert.equal(again.counts.runs, 0);
    assert.equal(again.runsRemoved, 1);
    assert.equal(again.counts.experiments, 1, 'the experiment folder still exists');
    assert.ok(statSync(path.join(tmp.path, 'mlruns', '7')).isDirectory());
    await scanned.store.close();
  });
});

describe('flat meta.yaml reading', () => {
  it('reads MLflow’s meta.yaml shape like the YAML parser does, and declines anything else', async () => {
    const { parseFlatYaml } = await import('../../../../src/ingest/mlflow/fileStore');
    const YAML = (await import('yaml')).default;
    const text = "artifact_uri: file:///a/b%20c/artifacts\nend_time: null\nentry_point_name: ''\nexperiment_id: '762818830862955249'\nrun_name: it''s a run\nname: 'it''s quoted'\nstart_time: 1795385090520\nstatus: 3\ntags: []\nuser_id: root\n";
    const fast = parseFlatYaml(text)!;
    const real = YAML.parse(text, { intAsBigInt: true }) as Record<string, unknown>;
    for (const key of Object.keys(real)) {
      const a = fast[key];
      const b = real[key];
      assert.deepEqual(a === null || Array.isArray(a) ? a : String(a), b === null || Array.isArray(b) ? b : String(b), key);
    }
    assert.equal(parseFlatYaml('tags:\n  - a\n'), undefined);
    assert.equal(parseFlatYaml('name: "double quoted"\n'), undefined);
    assert.equal(parseFlatYaml('a: b # comment\n'), undefined);
    assert.equal(parseFlatYaml('a: 1\na: 2\n'), undefined);
    assert.equal(parseFlatYaml("a: 'unclosed\n"), undefined);
  });
});
