import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Document } from 'yaml';
import { parseYamlDocument, YAML_LIMITS } from '../../shared/boundedYaml';
import type { ArtifactRecord, ExperimentRecord, ImportContext, Importer, RunStatus } from '../types';
import { readMetricFile } from './metricFile';
import { readRegularText } from '../regularFile';
import { importLoggedModelDir, loggedModelFoldersWithoutMeta } from './loggedModels';

/** MLflow's RunStatus enum as the file store writes it (an integer). */
const STATUS_BY_NUMBER: Record<number, RunStatus> = { 1: 'RUNNING', 2: 'SCHEDULED', 3: 'FINISHED', 4: 'FAILED', 5: 'KILLED' };
const MAX_ARTIFACTS = 500;

interface Location {
  /** Absolute path of the `mlruns` folder. */
  readonly storeRoot: string;
  readonly trashed: boolean;
  readonly experimentDir: string;
  readonly runDir?: string;
  /** `<exp>/models/m-<id>`: an MLflow 3 LoggedModel folder. */
  readonly modelDir?: string;
  /** `<exp>/traces/tr-<id>`: counted with the experiment. */
  readonly traceDir?: string;
}

/** Folders of an MLflow 3 experiment that are not runs: LoggedModels, traces, dataset records. */
const NOT_RUNS = new Set(['tags', 'models', 'traces', 'datasets']);

/** Where a file sits in an MLflow file store, or undefined when it is not part of an experiment or run. */
function locate(file: string): Location | undefined {
  const parts = file.split(path.sep);
  const at = parts.lastIndexOf('mlruns');
  if (at < 0) return undefined;
  let rest = parts.slice(at + 1);
  const trashed = rest[0] === '.trash';
  if (trashed) rest = rest.slice(1);
  const storeRoot = parts.slice(0, at + 1).join(path.sep);
  const experimentId = rest[0];
  if (!experimentId || experimentId === 'models' || experimentId.startsWith('.')) return undefined;
  const experimentDir = path.join(storeRoot, ...(trashed ? ['.trash'] : []), experimentId);
  if (rest.length === 2) return { storeRoot, trashed, experimentDir }; // <exp>/meta.yaml
  const second = rest[1];
  if (rest.length >= 3 && !NOT_RUNS.has(second) && !second.startsWith('.')) {
    return { storeRoot, trashed, experimentDir, runDir: path.join(experimentDir, second) };
  }
  if (second === 'tags') return { storeRoot, trashed, experimentDir };
  if (rest.length >= 4 && second === 'models' && rest[2].startsWith('m-')) {
    return { storeRoot, trashed, experimentDir, modelDir: path.join(experimentDir, 'models', rest[2]) };
  }
  if (rest.length >= 4 && second === 'traces' && rest[2].startsWith('tr-')) {
    return { storeRoot, trashed, experimentDir, traceDir: path.join(experimentDir, 'traces', rest[2]) };
  }
  return undefined;
}

function relative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

/** Keys of a params/, tags/ or metrics/ folder: file paths relative to it ('/' in keys means subfolders). */
export async function listKeys(dir: string, prefix = ''): Promise<{ key: string; file: string }[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: { key: string; file: string }[] = [];
  for (const entry of entries) {
    const key = prefix ? `${prefix}/${entry.name}` : entry.name;
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listKeys(file, key)));
    else if (entry.isFile()) out.push({ key, file });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

type YamlMap = Record<string, unknown>;

export async function readYaml(file: string, context: ImportContext): Promise<YamlMap | undefined | 'missing'> {
  let text: string;
  try {
    text = await readRegularText(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    context.sink.diagnostic({ file, message: `cannot read: ${(error as Error).message}`, severity: 'error' });
    return undefined;
  }
  const flat = parseFlatYaml(text);
  if (flat) return flat;
  // Big integers (18-digit experiment ids, ms timestamps) must not go through a double.
  let document: Document.Parsed;
  try {
    document = parseYamlDocument(text, { intAsBigInt: true, uniqueKeys: false, prettyErrors: true });
  } catch (error) {
    context.sink.diagnostic({ file, message: (error as Error).message, severity: 'error' });
    return undefined;
  }
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const line = first.linePos?.[0].line;
    context.sink.diagnostic({
      file,
      ...(line !== undefined ? { position: `line ${line}`, line: line - 1 } : {}),
      message: `malformed YAML: ${first.message.split('\n')[0]}`,
      severity: 'error',
    });
    return undefined;
  }
  const value = document.toJS({ maxAliasCount: YAML_LIMITS.maxAliases }) as unknown;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    context.sink.diagnostic({ file, message: 'expected a YAML mapping', severity: 'error' });
    return undefined;
  }
  return value as YamlMap;
}

/**
 * The shape MLflow writes meta.yaml in — one `key: value` per line, plain or single-quoted scalars,
 * `null`, `[]` — read without a YAML parser (an import reads hundreds of these). Anything else
 * returns undefined and goes to the real parser. Values stay text, as written: "1e-3" is not 0.001.
 */
export function parseFlatYaml(text: string): YamlMap | undefined {
  const out: YamlMap = {};
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?$/.exec(line);
    if (!match) return undefined;
    const [, key, rawValue = ''] = match;
    if (key in out) return undefined; // duplicate keys: let the real parser report them
    const value = rawValue.trim();
    if (value === '' || value === 'null' || value === '~') out[key] = null;
    else if (value === '[]') out[key] = [];
    else if (value.startsWith("'")) {
      if (!/^'(?:[^']|'')*'$/.test(value)) return undefined;
      out[key] = value.slice(1, -1).replace(/''/g, "'");
    } else if (/^[[\]{}&*!|>%@`"#,?-]/.test(value) || / #|: /.test(value) || value.endsWith(':')) return undefined;
    else out[key] = value;
  }
  return out;
}

export const asString = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
export const asNumber = (v: unknown): number | undefined => {
  if (v === null || v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

async function readExperiment(location: Location, context: ImportContext): Promise<ExperimentRecord | undefined> {
  const meta = await readYaml(path.join(location.experimentDir, 'meta.yaml'), context);
  if (meta === 'missing' || meta === undefined) return undefined;
  const externalId = asString(meta.experiment_id) ?? path.basename(location.experimentDir);
  const tags: Record<string, string> = {};
  for (const { key, file } of await listKeys(path.join(location.experimentDir, 'tags'))) {
    try {
      tags[key] = await readRegularText(file);
    } catch {
      // vanished meanwhile: the next change event brings it back
    }
  }
  return {
    uid: experimentUid(context.root, location),
    name: asString(meta.name) ?? externalId,
    format: 'mlflow-file',
    externalId,
    ...(asString(meta.artifact_location) ? { artifactLocation: asString(meta.artifact_location)! } : {}),
    lifecycle: location.trashed || meta.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    ...(asNumber(meta.creation_time) !== undefined ? { createdAt: asNumber(meta.creation_time)! } : {}),
    ...(asNumber(meta.last_update_time) !== undefined ? { updatedAt: asNumber(meta.last_update_time)! } : {}),
    tags,
    ...(asString(meta.workspace) ? { workspace: asString(meta.workspace)! } : {}),
    traceCount: await countTraces(location.experimentDir),
  };
}

/** MLflow 3 traces of an experiment: `traces/tr-*` folders (counted, not imported). */
async function countTraces(experimentDir: string): Promise<number> {
  try {
    const entries = await fs.readdir(path.join(experimentDir, 'traces'), { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && e.name.startsWith('tr-')).length;
  } catch {
    return 0;
  }
}

export function experimentUid(root: string, location: { readonly storeRoot: string; readonly experimentDir: string }): string {
  return `mlflow-file:${relative(root, location.storeRoot)}#${path.basename(location.experimentDir)}`;
}

export function runUid(root: string, experimentDir: string, runId: string): string {
  return `mlflow-file:${relative(root, path.join(experimentDir, runId))}`;
}

/**
 * Resolves a recorded artifact URI to a folder that exists here: the recorded absolute path when the
 * store has not moved, else the run's own `artifacts/` folder (stores get copied between machines,
 * Windows and WSL paths, relative `file:./mlruns/...` URIs).
 */
export async function resolveArtifactDir(artifactUri: string | undefined, runDir: string, storeRoot: string): Promise<string | undefined> {
  const candidates: string[] = [];
  if (artifactUri) {
    if (/^file:/i.test(artifactUri)) {
      try {
        if (artifactUri.startsWith('file:///') || artifactUri.startsWith('file://localhost/')) candidates.push(fileURLToPath(artifactUri));
        else candidates.push(path.resolve(path.dirname(storeRoot), decodeURIComponent(artifactUri.replace(/^file:/i, ''))));
      } catch {
        // a Windows path on Linux, for instance: fall through to the local folder
      }
    } else if (!/^[a-z][a-z0-9+.-]*:/i.test(artifactUri)) {
      candidates.push(path.resolve(path.dirname(storeRoot), artifactUri));
    }
  }
  candidates.push(path.join(runDir, 'artifacts'));
  for (const candidate of candidates) {
    try {
      if ((await fs.stat(candidate)).isDirectory()) return candidate;
    } catch {
      // try the next
    }
  }
  return undefined;
}

export async function listArtifacts(dir: string): Promise<ArtifactRecord[]> {
  const out: ArtifactRecord[] = [];
  const walk = async (folder: string, prefix: string, depth: number): Promise<void> => {
    if (depth > 4 || out.length >= MAX_ARTIFACTS) return;
    let entries;
    try {
      entries = await fs.readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= MAX_ARTIFACTS) return;
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        out.push({ path: rel, isDir: true });
        await walk(full, rel, depth + 1);
      } else if (entry.isFile()) {
        let size: number | undefined;
        try {
          size = (await fs.stat(full)).size;
        } catch {
          size = undefined;
        }
        out.push(size === undefined ? { path: rel, isDir: false } : { path: rel, isDir: false, size });
      }
    }
  };
  await walk(dir, '', 0);
  return out;
}

async function importRun(location: Location & { runDir: string }, context: ImportContext): Promise<string[]> {
  const { runDir } = location;
  const runId = path.basename(runDir);
  const uid = runUid(context.root, location.experimentDir, runId);
  const meta = await readYaml(path.join(runDir, 'meta.yaml'), context);
  if (meta === 'missing') return []; // the run folder is gone (or never was a run)
  if (meta === undefined) return [uid]; // unreadable now (maybe half-written): keep what was imported

  const experiment = await readExperiment(location, context);
  if (experiment) context.sink.experiment(experiment);

  const params = await readPairs(runDir, 'params', context);
  const tags = await readPairs(runDir, 'tags', context);

  const statusNumber = asNumber(meta.status);
  const status: RunStatus =
    statusNumber !== undefined ? (STATUS_BY_NUMBER[statusNumber] ?? 'FINISHED') : ((asString(meta.status) as RunStatus | undefined) ?? 'FINISHED');
  const artifactUri = asString(meta.artifact_uri);
  const artifactDir = await resolveArtifactDir(artifactUri, runDir, location.storeRoot);
  const parentId = tags['mlflow.parentRunId'];
  const name = asString(meta.run_name) || tags['mlflow.runName'] || asString(meta.name) || undefined;
  const user = asString(meta.user_id) || tags['mlflow.user'] || undefined;
  const startTime = asNumber(meta.start_time);
  const endTime = asNumber(meta.end_time);
  context.sink.run({
    uid,
    experimentUid: experiment?.uid ?? experimentUid(context.root, location),
    format: 'mlflow-file',
    externalId: asString(meta.run_uuid) ?? asString(meta.run_id) ?? runId,
    ...(name ? { name } : {}),
    status,
    ...(startTime !== undefined ? { startTime } : {}),
    ...(endTime !== undefined ? { endTime } : {}),
    ...(user ? { user } : {}),
    sourcePath: relative(context.root, runDir),
    ...(parentId ? { parentUid: runUid(context.root, location.experimentDir, parentId) } : {}),
    ...(tags['mlflow.source.git.commit'] ? { gitCommit: tags['mlflow.source.git.commit'] } : {}),
    ...(artifactUri ? { artifactUri } : {}),
    deleted: location.trashed || meta.lifecycle_stage === 'deleted',
    params,
    tags,
    ...(artifactDir ? { artifacts: await listArtifacts(artifactDir) } : {}),
  });

  // Metric files are independent: read them concurrently (each pushes its operations without an
  // await in between, so a reset and the points after it stay together).
  await Promise.all((await listKeys(path.join(runDir, 'metrics'))).map(({ key, file }) => importMetricFile(uid, key, file, context)));
  return [uid];
}

/** The files of a params/ or tags/ folder as key → text (an unreadable file is a warning). */
export async function readPairs(dir: string, folder: 'params' | 'tags', context: ImportContext): Promise<Record<string, string>> {
  const pairs: Record<string, string> = {};
  for (const { key, file } of await listKeys(path.join(dir, folder))) {
    try {
      pairs[key] = await readRegularText(file);
    } catch (error) {
      context.sink.diagnostic({ file, message: `cannot read ${folder.slice(0, -1)}: ${(error as Error).message}`, severity: 'warning' });
    }
  }
  return pairs;
}

async function importMetricFile(uid: string, key: string, file: string, context: ImportContext): Promise<void> {
  let update;
  try {
    update = await readMetricFile(file, context.cursor(file));
  } catch (error) {
    context.sink.diagnostic({ file, message: `cannot read metric file: ${(error as Error).message}`, severity: 'error' });
    return;
  }
  if (!update) return;
  if (update.restarted) context.sink.resetMetrics(uid, key);
  for (const error of update.errors) {
    context.sink.diagnostic({ file, position: `line ${error.line}`, line: error.line - 1, message: error.message, severity: 'error' });
  }
  for (const series of update.series) {
    context.sink.metrics({
      runUid: uid,
      key,
      steps: series.steps,
      timestamps: series.timestamps,
      values: series.values,
      ...(series.dataset ? { dataset: series.dataset, ...(series.datasetDigest !== undefined ? { datasetDigest: series.datasetDigest } : {}) } : {}),
    });
  }
  context.setCursor(file, {
    size: update.size,
    mtimeMs: update.mtimeMs,
    offset: update.start + update.consumed,
    head: update.head,
    state: { lines: update.lines },
  });
}

/**
 * MLflow's file store (`mlruns/`): experiments, runs, params, tags, metrics, artifacts; MLflow 3
 * LoggedModels (`<exp>/models/m-*`, one unit each) and traces (`<exp>/traces/tr-*`, counted).
 */
export const mlflowFileStoreImporter: Importer = {
  format: 'mlflow-file',
  runsInWorker: true,
  patterns: [
    '**/mlruns/*/meta.yaml',
    '**/mlruns/*/*/meta.yaml',
    '**/mlruns/.trash/*/meta.yaml',
    '**/mlruns/.trash/*/*/meta.yaml',
    '**/mlruns/*/models/*/meta.yaml',
    '**/mlruns/.trash/*/models/*/meta.yaml',
  ],
  watchPatterns: [
    '**/mlruns/**/metrics/**',
    '**/mlruns/**/params/**',
    '**/mlruns/**/tags/**',
    '**/mlruns/**/meta.yaml',
    '**/mlruns/*/traces/*/trace_info.yaml',
  ],
  unitOf(file) {
    const location = locate(file);
    if (!location) return undefined;
    return location.runDir ?? location.modelDir ?? location.experimentDir;
  },
  async importUnit(unit, context) {
    const location = locate(path.join(unit, 'meta.yaml'));
    if (!location) return [];
    if (location.runDir) return importRun(location as Location & { runDir: string }, context);
    if (location.modelDir) {
      await importLoggedModelDir(location as Location & { modelDir: string }, context);
      return [];
    }
    const experiment = await readExperiment(location, context);
    if (experiment) context.sink.experiment(experiment);
    for (const folder of await loggedModelFoldersWithoutMeta(location.experimentDir)) {
      context.sink.diagnostic({ file: folder, message: 'LoggedModel folder without meta.yaml: skipped', severity: 'warning' });
    }
    return [];
  },
};
