import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../../src/cli/main';
import { useTempDir } from '../../helpers';
import { copyFixture, FIXTURES } from '../engineHelpers';

/**
 * The MLflow 3.11 stores against what MLflow itself answered (`expected-*.json`: search_runs,
 * get_metric_history, search_logged_models, search_model_versions): every number here comes from
 * MLflow's answers, through the CLI's JSON.
 */
const FIXTURE = 'mlflow/mlflow-3.11-generated';

type Value = number | 'NaN' | 'Infinity' | '-Infinity';
interface ExpectedPoint {
  key: string;
  value: Value;
  timestamp: number;
  step: number;
  dataset_name?: string;
  dataset_digest?: string;
}
interface Expected {
  counts: { runs: number; runs_deleted: number; logged_models: number; model_versions: number; traces: number };
  experiments: { experiment_id: string; name: string }[];
  runs: { run_id: string; run_name: string; lifecycle_stage: string; metric_history: Record<string, { count: number; points?: ExpectedPoint[] }> }[];
  logged_models: {
    model_id: string;
    name: string;
    experiment_id: string;
    source_run_id: string | null;
    status: string;
    model_type: string | null;
    params: Record<string, string>;
    tags: Record<string, string>;
    metrics: ExpectedPoint[];
  }[];
  model_versions: { name: string; version: number; source: string; model_id: string | null }[];
}

async function cli(cwd: string, ...args: string[]): Promise<unknown> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} });
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout) as unknown;
}

const label = (key: string, dataset: string | undefined) => (dataset ? `${key}[${dataset}]` : key);

/** MLflow's "latest": largest (step, timestamp, value). */
function latestOf(points: readonly ExpectedPoint[]): ExpectedPoint {
  const num = (v: Value) => (typeof v === 'number' ? v : v === 'NaN' ? -Infinity : Number(v));
  return points.reduce((a, b) => (b.step !== a.step ? (b.step > a.step ? b : a) : b.timestamp !== a.timestamp ? (b.timestamp > a.timestamp ? b : a) : num(b.value) > num(a.value) ? b : a));
}

interface RunJson {
  id: string;
  deleted: boolean;
  loggedModels: string[];
}
interface LoggedModelJson {
  id: string;
  name: string;
  experiment: string;
  sourceRunId: string | null;
  status: string;
  modelType: string | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, { dataset: string | null; value: Value; step: number }[]>;
}

for (const [store, expectedFile] of [
  ['file-store', 'expected-file.json'],
  ['sqlite-store', 'expected-sqlite.json'],
] as const) {
  describe(`MLflow 3.11 ${store} against MLflow's own answers`, () => {
    const tmp = useTempDir();
    const expected = JSON.parse(readFileSync(path.join(FIXTURES, FIXTURE, expectedFile), 'utf8')) as Expected;

    async function scan(): Promise<{ dir: string; storeFile: string; scan: { runs: number; runsDeleted: number; diagnostics: unknown[] } }> {
      const dir = copyFixture(path.join(FIXTURE, store), tmp.path);
      const storeFile = path.join(tmp.path, 'ledger.db');
      const result = (await cli(dir, 'scan', dir, '--store', storeFile, '--json')) as { runs: number; runsDeleted: number; diagnostics: unknown[] };
      return { dir, storeFile, scan: result };
    }

    it('imports every run and every point, one series per (run, key, dataset), with no problem reported', async () => {
      const { dir, storeFile, scan: result } = await scan();
      assert.deepEqual(result.diagnostics, []);
      assert.equal(result.runs, expected.counts.runs - expected.counts.runs_deleted);
      assert.equal(result.runsDeleted, expected.counts.runs_deleted);
      const runs = (await cli(dir, 'runs', '--store', storeFile, '--json', '--all')) as (RunJson & { metrics: Record<string, Value> })[];
      assert.deepEqual(runs.map((r) => r.id).sort(), expected.runs.map((r) => r.run_id).sort());
      let total = 0;
      for (const run of expected.runs) {
        // Points per series and dataset, from MLflow's get_metric_history.
        const wanted: Record<string, number> = {};
        for (const [key, history] of Object.entries(run.metric_history)) {
          total += history.count;
          if (!history.points) wanted[key] = history.count;
          else for (const p of history.points) wanted[label(key, p.dataset_name)] = (wanted[label(key, p.dataset_name)] ?? 0) + 1;
        }
        const actual = runs.find((r) => r.id === run.run_id)!;
        assert.deepEqual(Object.keys(actual.metrics).sort(), Object.keys(wanted).sort(), run.run_name);
      }
      const info = (await cli(dir, 'info', '--store', storeFile, '--json')) as { metricPoints: number };
      assert.equal(info.metricPoints, total);
    });

    it('imports every LoggedModel with its status, type, params, tags and latest metric per dataset', async () => {
      const { dir, storeFile } = await scan();
      const models = (await cli(dir, 'logged-models', '--store', storeFile, '--json')) as LoggedModelJson[];
      assert.equal(models.length, expected.counts.logged_models);
      const experimentName = new Map(expected.experiments.map((e) => [e.experiment_id, e.name]));
      for (const want of expected.logged_models) {
        const got = models.find((m) => m.id === want.model_id);
        assert.ok(got, want.model_id);
        assert.equal(got.name, want.name);
        assert.equal(got.experiment, experimentName.get(want.experiment_id));
        assert.equal(got.sourceRunId, want.source_run_id);
        assert.equal(got.status, want.status);
        assert.equal(got.modelType, want.model_type);
        assert.deepEqual(got.params, want.params);
        assert.deepEqual(got.tags, want.tags);
        const byLabel = new Map<string, ExpectedPoint[]>();
        for (const p of want.metrics) byLabel.set(label(p.key, p.dataset_name), [...(byLabel.get(label(p.key, p.dataset_name)) ?? []), p]);
        const wantMetrics: Record<string, { dataset: string | null; value: Value; step: number }[]> = {};
        for (const list of byLabel.values()) {
          const latest = latestOf(list);
          (wantMetrics[latest.key] ??= []).push({ dataset: latest.dataset_name ?? null, value: latest.value, step: latest.step });
        }
        for (const list of Object.values(got.metrics)) list.sort((a, b) => String(a.dataset).localeCompare(String(b.dataset)));
        for (const list of Object.values(wantMetrics)) list.sort((a, b) => String(a.dataset).localeCompare(String(b.dataset)));
        assert.deepEqual(got.metrics, wantMetrics, want.name);
      }
      const runs = (await cli(dir, 'runs', '--store', storeFile, '--json', '--all')) as RunJson[];
      for (const want of expected.logged_models.filter((m) => m.source_run_id)) {
        assert.ok(runs.find((r) => r.id === want.source_run_id)!.loggedModels.includes(want.model_id), want.name);
      }
      assert.equal(runs.flatMap((r) => r.loggedModels).length, expected.logged_models.filter((m) => m.source_run_id).length);
    });

    it('gives every registry version its LoggedModel and every copy the version it was copied from', async () => {
      const { dir, storeFile } = await scan();
      const listing = (await cli(dir, 'models', '--store', storeFile, '--json')) as {
        name: string;
        origin: string;
        versions: { version: number; source: string | null; modelId: string | null; copiedFrom: { name: string; version: number } | null }[];
      }[];
      const versions = listing.filter((m) => m.origin !== 'ledger').flatMap((m) => m.versions.map((v) => ({ name: m.name, ...v })));
      assert.equal(versions.length, expected.counts.model_versions);
      // From MLflow's answers: its model_id where it gives one (the file store), else what its source names;
      // a copy (source models:/<name>/<version>) carries the LoggedModel of the version it copies.
      const modelIdOf = (name: string, version: number): string | null => {
        const v = expected.model_versions.find((x) => x.name === name && x.version === version)!;
        if (v.model_id) return v.model_id;
        const source = v.source.slice('models:/'.length);
        if (source.startsWith('m-')) return source;
        const [copiedName, copiedVersion] = [source.slice(0, source.lastIndexOf('/')), Number(source.slice(source.lastIndexOf('/') + 1))];
        return modelIdOf(copiedName, copiedVersion);
      };
      for (const want of expected.model_versions) {
        const got = versions.find((v) => v.name === want.name && v.version === want.version);
        assert.ok(got, `${want.name} v${want.version}`);
        assert.equal(got.source, want.source);
        assert.equal(got.modelId, modelIdOf(want.name, want.version), `${want.name} v${want.version}`);
        const copy = /^models:\/(.+)\/(\d+)$/.exec(want.source);
        assert.deepEqual(got.copiedFrom, copy ? { name: copy[1], version: Number(copy[2]) } : null);
      }
    });
  });
}
