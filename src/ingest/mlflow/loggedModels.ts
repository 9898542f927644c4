// MLflow 3 LoggedModels in the file store: `<experiment>/models/m-<id>/` with meta.yaml, params/,
// tags/, metrics/ (4 or 6 fields a line: `timestamp value step run_id [dataset digest]`), artifacts/.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ImportContext, LoggedModelMetric, LoggedModelStatus } from '../types';
import { asNumber, asString, experimentUid, listArtifacts, listKeys, readPairs, readYaml, resolveArtifactDir, runUid } from './fileStore';
import { parseMetricLines } from './metricLines';

/** MLflow's LoggedModelStatus enum (protos): the file store writes the number. */
const STATUS_BY_NUMBER: Record<number, LoggedModelStatus> = { 0: 'UNSPECIFIED', 1: 'PENDING', 2: 'READY', 3: 'FAILED' };
const STATUS_BY_NAME: Record<string, LoggedModelStatus> = {
  LOGGED_MODEL_STATUS_UNSPECIFIED: 'UNSPECIFIED',
  LOGGED_MODEL_PENDING: 'PENDING',
  LOGGED_MODEL_READY: 'READY',
  LOGGED_MODEL_UPLOAD_FAILED: 'FAILED',
  UNSPECIFIED: 'UNSPECIFIED',
  PENDING: 'PENDING',
  READY: 'READY',
  FAILED: 'FAILED',
};

/**
 * A LoggedModel status as MLflow stores it (an int in the file store and SQLite, a name over REST).
 * An unknown value is reported by the caller and read as UNSPECIFIED.
 */
export function loggedModelStatus(raw: unknown): LoggedModelStatus | undefined {
  if (raw === null || raw === undefined || raw === '') return 'UNSPECIFIED';
  const text = String(raw);
  if (/^\d+$/.test(text)) return STATUS_BY_NUMBER[Number(text)];
  return Object.prototype.hasOwnProperty.call(STATUS_BY_NAME, text) ? STATUS_BY_NAME[text] : undefined;
}

interface ModelLocation {
  readonly storeRoot: string;
  readonly trashed: boolean;
  readonly experimentDir: string;
  readonly modelDir: string;
}

function relative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

/** Imports one `models/m-*` folder: the LoggedModel replaces its previous copy, or is removed when the folder is gone. */
export async function importLoggedModelDir(location: ModelLocation, context: ImportContext): Promise<void> {
  const { modelDir } = location;
  const uid = `mlflow-file:${relative(context.root, modelDir)}`;
  const metaFile = path.join(modelDir, 'meta.yaml');
  const meta = await readYaml(metaFile, context);
  if (meta === 'missing') {
    // A folder without meta.yaml is reported once, with its experiment; a vanished folder drops the model.
    if (!(await isDirectory(modelDir))) context.sink.removeLoggedModels?.({ uid });
    return;
  }
  if (meta === undefined) return; // malformed (reported): keep what was imported before
  const status = loggedModelStatus(meta.status);
  if (status === undefined) {
    context.sink.diagnostic({ file: metaFile, message: `unknown LoggedModel status ${JSON.stringify(String(meta.status))}: read as UNSPECIFIED`, severity: 'warning' });
  }
  const sourceRunId = asString(meta.source_run_id);
  const artifactLocation = asString(meta.artifact_location);
  const artifactDir = await resolveArtifactDir(artifactLocation, modelDir, location.storeRoot);
  const createdAt = asNumber(meta.creation_timestamp);
  const updatedAt = asNumber(meta.last_updated_timestamp);
  const externalId = asString(meta.model_id) ?? path.basename(modelDir);
  context.sink.loggedModel?.({
    uid,
    experimentUid: experimentUid(context.root, location),
    format: 'mlflow-file',
    externalId,
    name: asString(meta.name) ?? externalId,
    ...(sourceRunId ? { sourceRunUid: runUid(context.root, location.experimentDir, sourceRunId) } : {}),
    status: status ?? 'UNSPECIFIED',
    ...(asString(meta.status_message) ? { statusMessage: asString(meta.status_message)! } : {}),
    ...(asString(meta.model_type) ? { modelType: asString(meta.model_type)! } : {}),
    ...(artifactLocation ? { artifactLocation } : {}),
    sourcePath: relative(context.root, modelDir),
    ...(createdAt !== undefined ? { createdAt } : {}),
    ...(updatedAt !== undefined ? { updatedAt } : {}),
    deleted: location.trashed || meta.lifecycle_stage === 'deleted',
    params: await readPairs(modelDir, 'params', context),
    tags: await readPairs(modelDir, 'tags', context),
    metrics: await readModelMetrics(modelDir, context),
    ...(artifactDir ? { artifacts: await listArtifacts(artifactDir) } : {}),
  });
}

/** Every point of every metric file of a model (a handful each: read whole, no cursor). */
async function readModelMetrics(modelDir: string, context: ImportContext): Promise<LoggedModelMetric[]> {
  const out: LoggedModelMetric[] = [];
  for (const { key, file } of await listKeys(path.join(modelDir, 'metrics'))) {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch (error) {
      context.sink.diagnostic({ file, message: `cannot read metric file: ${(error as Error).message}`, severity: 'error' });
      continue;
    }
    const parsed = parseMetricLines(bytes, 1, 'model');
    for (const error of parsed.errors) {
      context.sink.diagnostic({ file, position: `line ${error.line}`, line: error.line - 1, message: error.message, severity: 'error' });
    }
    for (let i = 0; i < parsed.values.length; i++) {
      const dataset = parsed.datasets?.[i] ?? '';
      out.push({
        key,
        dataset,
        ...(dataset ? { datasetDigest: parsed.digests[dataset] } : {}),
        step: parsed.steps[i],
        timestamp: parsed.timestamps[i],
        value: parsed.values[i],
        ...(parsed.runIds?.[i] ? { runId: parsed.runIds[i] } : {}),
      });
    }
  }
  return out;
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await fs.stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

/** `models/m-*` folders of an experiment that have no meta.yaml (each one diagnostic, from the experiment's import). */
export async function loggedModelFoldersWithoutMeta(experimentDir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(path.join(experimentDir, 'models'), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.startsWith('m-')) continue;
    const folder = path.join(experimentDir, 'models', entry.name);
    try {
      await fs.access(path.join(folder, 'meta.yaml'));
    } catch {
      out.push(folder);
    }
  }
  return out.sort();
}
