import { promises as fs } from 'node:fs';
import path from 'node:path';
import { storeStats } from '../store';
import { ALL_IMPORTERS, FsFileFinder, ImportEngine } from '../ingest';
import { readExternalRegistries, refreshExternalRegistries } from '../registry/externalImport';
import { toJson } from '../shared/json';
import { listAllRuns, storeCounts } from '../tracking/report';
import { loggedModelIdsByRun, loggedModelPairs, loggedModelPoints, loggedModelSeries, listLoggedModels } from '../tracking/loggedModels';
import { CliError, EXIT_OK, EXIT_USAGE } from './cliError';
import { COMPARE_COMMAND } from './compareCommand';
import { openCliStore, type CliCommand } from './context';
import { DRIFT_COMMAND } from './driftCommand';
import { FAIRNESS_COMMAND } from './fairnessCommand';
import { CARD_COMMAND } from './cardCommand';
import { openTrackingStore, TRACKING_URI_OPTIONS } from './trackingServer';
import { REGISTRY_COMMANDS } from './registryCommands';
import { REPORT_COMMAND } from './reportCommand';
import { formatNumber } from '../shared/format';
import { SIGNING_COMMANDS } from './signingCommands';

const info: CliCommand = {
  name: 'info',
  summary: 'where the store is, its schema version and what it holds',
  usage: 'model-ledger info [--store PATH] [--json]',
  options: {},
  async run(context) {
    const store = await openCliStore(context);
    try {
      const stats = await storeStats(store);
      if (context.values.json) {
        context.stdout(toJson(stats) + '\n');
      } else {
        const rows: [string, string | number | undefined][] = [
          ['store', stats.file],
          ['schema version', stats.schemaVersion],
          ['file size (bytes)', stats.fileBytes],
          ['experiments', stats.experiments],
          ['runs', stats.runs],
          ['metric series', stats.metricSeries],
          ['metric points', stats.metricPoints],
          ['models', stats.models],
          ['model versions', stats.modelVersions],
          ['registry events', stats.registryEvents],
          ['sources', stats.sources],
        ];
        const width = Math.max(...rows.map(([k]) => k.length));
        context.stdout(rows.map(([k, v]) => `${k.padEnd(width)}  ${v ?? '-'}`).join('\n') + '\n');
      }
    } finally {
      await store.close();
    }
    return EXIT_OK;
  },
};

const scan: CliCommand = {
  name: 'scan',
  summary: 'import the runs under DIR (default: the current folder) into the store, incrementally',
  usage: 'model-ledger scan [DIR] [--store PATH] [--json]',
  options: {},
  async run(context) {
    if (context.positionals.length > 1) throw new CliError('scan takes at most one folder', EXIT_USAGE);
    const dir = path.resolve(context.cwd, context.positionals[0] ?? '.');
    let isDir = false;
    try {
      isDir = (await fs.stat(dir)).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new CliError(`${dir} is not a folder`, EXIT_USAGE);
    const store = await openCliStore(context);
    try {
      const engine = new ImportEngine(store, dir, ALL_IMPORTERS);
      const finder = new FsFileFinder();
      // Registries read first: after the scan, applying them must not wait for anything, so the
      // scan's changes and theirs land in the one save below.
      const reads = await readExternalRegistries(dir, finder);
      const summary = await engine.scan(finder);
      const registries = refreshExternalRegistries(store, reads, summary.changed);
      if (store.hasUnsavedChanges) await store.save(); // a rescan of unchanged files writes nothing
      const counts = storeCounts(store.db);
      const all = [...summary.diagnostics, ...registries.diagnostics];
      const diagnostics = all.map((d) => ({ file: d.file, position: d.position ?? null, message: d.message, severity: d.severity }));
      for (const d of all) {
        context.stderr(`${d.file}${d.position ? `:${d.position}` : ''}: ${d.severity}: ${d.message}\n`);
      }
      if (context.values.json) {
        context.stdout(toJson({ ...counts, importedModels: registries.models, diagnostics, durationMs: Math.round(summary.durationMs) }) + '\n');
      } else {
        const formats = Object.entries(counts.sources).map(([f, n]) => `${f} ${n}`).join(', ') || 'none';
        context.stdout(
          `${counts.runs} runs (${counts.runsDeleted} deleted) in ${counts.experiments} experiments, ${counts.metricPoints} metric points, ` +
            `${counts.params} params; ${registries.models} imported registered models; sources: ${formats}; ${diagnostics.length} problems; ${Math.round(summary.durationMs)} ms\n`,
        );
      }
    } finally {
      await store.close();
    }
    return EXIT_OK;
  },
};

const runs: CliCommand = {
  name: 'runs',
  summary: 'list the runs in the store with their params and last metric values',
  usage: 'model-ledger runs [--store PATH | --tracking-uri URL [--filter EXPR]] [--json] [--all]',
  options: {
    all: { type: 'boolean', description: 'include deleted runs' },
    ...TRACKING_URI_OPTIONS,
    filter: { type: 'string', description: "with a tracking server: MLflow's filter syntax, applied by the server (e.g. \"metrics.r2 > 0.9\")" },
  },
  async run(context) {
    const filter = typeof context.values.filter === 'string' ? context.values.filter : undefined;
    const server = await openTrackingStore(context, { registry: false, ...(filter ? { filter } : {}) });
    if (filter && !server) throw new CliError('--filter is applied by a tracking server: give --tracking-uri URL (or set MLFLOW_TRACKING_URI)', EXIT_USAGE);
    const store = server?.store ?? (await openCliStore(context));
    try {
      // Every record has every key: what is unknown (a run without a name, a RUNNING run's end, a
      // server run's source file) is null rather than left out.
      const modelsByRun = loggedModelIdsByRun(store.db);
      const listing = listAllRuns(store.db, { includeDeleted: context.values.all === true }).map((r) => ({ ...withNulls(r), loggedModels: modelsByRun.get(r.uid) ?? [] }));
      if (context.values.json) {
        context.stdout(toJson(listing) + '\n');
      } else if (listing.length === 0) {
        context.stdout('No runs in the store. Import some with: model-ledger scan [DIR]\n');
      } else {
        const lines = listing.map((r) => {
          const metrics = Object.entries(r.metrics).slice(0, 4).map(([k, v]) => `${k}=${formatNumber(v)}`).join(' ');
          return `${r.status.padEnd(9)} ${r.experiment} / ${r.name ?? r.id}  ${metrics}`;
        });
        context.stdout(lines.join('\n') + '\n');
      }
    } finally {
      await store.close();
    }
    return EXIT_OK;
  },
};

const loggedModels: CliCommand = {
  name: 'logged-models',
  summary: 'list the MLflow 3 LoggedModels in the store with their params, tags and latest metrics per dataset',
  usage: 'model-ledger logged-models [--store PATH] [--json] [--all]',
  options: { all: { type: 'boolean', description: 'include deleted LoggedModels' } },
  async run(context) {
    const store = await openCliStore(context);
    try {
      const listing = listLoggedModels(store.db, { includeDeleted: context.values.all === true }).map((m) => {
        // Latest value per key and dataset (MLflow's rule: largest step, then timestamp, then value).
        const metrics: Record<string, { dataset: string | null; value: number; step: number }[]> = {};
        for (const { summary } of loggedModelSeries(loggedModelPoints(store.db, m.id))) {
          (metrics[summary.key] ??= []).push({ dataset: summary.dataset || null, value: summary.last!.value, step: summary.last!.step });
        }
        return {
          id: m.modelId,
          name: m.name,
          experiment: m.experiment,
          sourceRunId: m.sourceRunId ?? null,
          status: m.status,
          modelType: m.modelType ?? null,
          params: Object.fromEntries(loggedModelPairs(store.db, m.id, 'logged_model_params')),
          tags: Object.fromEntries(loggedModelPairs(store.db, m.id, 'logged_model_tags')),
          metrics,
        };
      });
      if (context.values.json) {
        context.stdout(toJson(listing) + '\n');
      } else if (listing.length === 0) {
        context.stdout('No LoggedModels in the store (MLflow 3 logs them). Import some with: model-ledger scan [DIR]\n');
      } else {
        const lines = listing.map((m) => {
          const metrics = Object.entries(m.metrics)
            .flatMap(([key, points]) => points.map((p) => `${p.dataset ? `${key}[${p.dataset}]` : key}=${formatNumber(p.value)}`))
            .slice(0, 4)
            .join(' ');
          return `${m.status.padEnd(9)} ${m.experiment} / ${m.name} (${m.id})  ${metrics}`;
        });
        context.stdout(lines.join('\n') + '\n');
      }
    } finally {
      await store.close();
    }
    return EXIT_OK;
  },
};

type WithNulls<T> = { [K in keyof T]: undefined extends T[K] ? Exclude<T[K], undefined> | null : T[K] };

function withNulls<T extends object>(record: T): WithNulls<T> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, value ?? null])) as WithNulls<T>;
}


export const COMMANDS: readonly CliCommand[] = [scan, runs, loggedModels, COMPARE_COMMAND, ...REGISTRY_COMMANDS, DRIFT_COMMAND, info, REPORT_COMMAND, ...SIGNING_COMMANDS, FAIRNESS_COMMAND, CARD_COMMAND];
