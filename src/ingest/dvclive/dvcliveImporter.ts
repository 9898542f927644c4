/**
 * DVC and DVCLive.
 *
 * A DVCLive run is its output folder (the unit): `dvclive/` by default, or any folder holding
 * `plots/metrics/` (a custom `Live(dir=...)`):
 * - DVCLive ≥ 2: `metrics.json` (latest values, nested by '/', plus `step`), one TSV per metric under
 *   `plots/metrics/` (header `step\t<last name part>`, optionally a `timestamp` column first),
 *   `params.yaml`, an auto-written `dvc.yaml`.
 * - DVCLive 1.x: TSVs under `scalars/`. DVCLive 0.x: TSVs right in the folder (header
 *   `timestamp\tstep\t<name>`) and the summary beside it as `dvclive.json`.
 * The metric key of a TSV is its path under the metrics folder without `.tsv` (`eval/loss`). A summary
 * value without a TSV (logged with `plot=False`) becomes a one-point series at the summary's step.
 *
 * A plain DVC pipeline (a folder with `dvc.yaml` and `params.yaml` and/or metrics files) is one run
 * named "workspace": params from `params.yaml`, metrics from `metrics.json` and the JSON/YAML metrics
 * files `dvc.yaml` declares (each value a one-point series; a changed value replaces the point).
 *
 * Experiment: the folder holding the DVCLive folder, which for the default layout is the repository
 * (the same folder that holds the pipeline's `dvc.yaml`), named by its folder name; so a repository's
 * "workspace" run and its DVCLive run sit side by side.
 *
 * Params are flattened with '.', as DVC shows them (`train.lora_args.r`); values are kept as written.
 * Uids: `dvclive:<live folder>` for a DVCLive run, `dvclive:<repo>/dvc.yaml` for a workspace run,
 * `dvclive:<repo>` for the experiment (paths workspace-relative, '.' for the workspace folder).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseYaml } from '../../shared/boundedYaml';
import { isEmptyCell, parseNumericCell, parseStepCell, quoteCell, toEpochMs } from '../csv/cells';
import { readDelimited, type DelimitedState } from '../csv/delimitedReader';
import { isMissing, readYamlParamsFile } from '../csv/paramsFile';
import { problemReporter, type ProblemReporter } from '../csv/problems';
import type { FileCursor, ImportContext, Importer } from '../types';
import { flattenMetrics, parseMetricsJson, parseMetricsYaml } from './summaryJson';
import { notRegular, readRegularText } from '../regularFile';

const FORMAT = 'dvclive';
const LIVE_FOLDER_NAME = 'dvclive';
const MAX_WALK_DEPTH = 12;
const MAX_SERIES_FILES = 5000;
const MAX_METRICS_FILE_BYTES = 64 * 1024 * 1024;
/** What DVCLive writes beside its metrics in the folder, never metric series. */
const NON_METRIC_FOLDERS = new Set(['plots', 'artifacts', 'images', 'html', 'models', 'checkpoints']);

export const dvcliveImporter: Importer = {
  format: FORMAT,
  runsInWorker: true,
  patterns: [
    '**/dvclive/metrics.json',
    '**/dvclive/params.yaml',
    '**/dvclive/plots/metrics/**/*.tsv',
    '**/dvclive/scalars/**/*.tsv',
    '**/dvclive/*.tsv',
    '**/dvclive.json',
    '**/dvc.yaml',
    // A DVCLive folder with another name (`Live(dir="results")`) is known by its plots/metrics.
    '**/plots/metrics/**/*.tsv',
  ],
  watchPatterns: ['**/dvclive/**/*.tsv', '**/params.yaml', '**/metrics.json'],
  unitOf: dvcliveUnitOf,
  importUnit: importDvcliveUnit,
};

/** The DVCLive folder a file belongs to, or the folder of a `dvc.yaml` / `params.yaml` / `metrics.json`. */
export function dvcliveUnitOf(matchedFile: string): string | undefined {
  const base = path.basename(matchedFile);
  // The deepest `dvclive` folder whose contents fit DVCLive's layout: a project may sit in a folder
  // that happens to be called dvclive too.
  const rest = [base];
  let folder = path.dirname(matchedFile);
  while (folder !== path.dirname(folder)) {
    if (path.basename(folder) === LIVE_FOLDER_NAME && fitsLiveLayout(rest)) return folder;
    rest.unshift(path.basename(folder));
    folder = path.dirname(folder);
  }
  if (base.endsWith('.tsv')) {
    const parts: string[] = [];
    for (let f = path.dirname(matchedFile); f !== path.dirname(f); f = path.dirname(f)) {
      if (path.basename(f) === 'metrics' && path.basename(path.dirname(f)) === 'plots') parts.push(path.dirname(path.dirname(f)));
    }
    return parts[0];
  }
  if (base === `${LIVE_FOLDER_NAME}.json`) return path.join(path.dirname(matchedFile), LIVE_FOLDER_NAME);
  if (base === 'dvc.yaml' || base === 'params.yaml' || base === 'metrics.json') return path.dirname(matchedFile);
  return undefined;
}

function fitsLiveLayout(rest: readonly string[]): boolean {
  if (rest.length === 1 && ['metrics.json', 'params.yaml', 'dvc.yaml'].includes(rest[0])) return true;
  if (!rest[rest.length - 1].endsWith('.tsv')) return false;
  if (rest[0] === 'plots') return rest[1] === 'metrics';
  return !NON_METRIC_FOLDERS.has(rest[0]);
}

export async function importDvcliveUnit(unit: string, context: ImportContext): Promise<string[]> {
  const folder = path.resolve(context.root, unit);
  try {
    if (!(await fs.stat(folder)).isDirectory()) return [];
  } catch (error) {
    if (!isMissing(error)) context.sink.diagnostic({ file: folder, message: `cannot read: ${(error as Error).message}`, severity: 'error' });
    return [];
  }
  const kind = await classify(folder);
  if (kind === 'live') return importLiveFolder(folder, context);
  if (kind === 'workspace') return importWorkspace(folder, context);
  return [];
}

async function classify(folder: string): Promise<'live' | 'workspace' | undefined> {
  const isLiveName = path.basename(folder) === LIVE_FOLDER_NAME;
  if ((await isDirectory(path.join(folder, 'plots', 'metrics'))) || (await isDirectory(path.join(folder, 'scalars')))) return 'live';
  if (isLiveName && (await isFile(`${folder}.json`))) return 'live';
  const dvcYaml = await readTextIfSmall(path.join(folder, 'dvc.yaml'));
  // DVCLive's own dvc.yaml declares its files but no stages; a pipeline's has stages.
  const isPipeline = dvcYaml !== undefined && /^stages\s*:/m.test(dvcYaml);
  if (isLiveName && !isPipeline) return 'live';
  return dvcYaml !== undefined ? 'workspace' : undefined;
}

interface SeriesIndexState {
  /** Metric key → its TSV, as found by the last import. */
  readonly files: Readonly<Record<string, string>>;
}

async function importLiveFolder(folder: string, context: ImportContext): Promise<string[]> {
  const { sink } = context;
  const series = await findSeriesFiles(folder, context);
  // DVCLive ≥ 2 keeps its summary inside the folder, 0.x beside it as `<folder>.json`.
  const summaryFiles = [path.join(folder, 'metrics.json'), `${folder}.json`];
  const hasSummary = (await isFile(summaryFiles[0])) || (await isFile(summaryFiles[1]));
  for (const file of summaryFiles) await reportNotRegular(file, context);
  const params = await readYamlParamsFile(path.join(folder, 'params.yaml'), '.', context);
  const indexKey = `${folder}#series`;
  const previousFiles = (context.cursor(indexKey)?.state as SeriesIndexState | undefined)?.files ?? {};
  if (series.length === 0 && !hasSummary && params === undefined && Object.keys(previousFiles).length === 0) return [];

  const runUid = uidOf(context.root, folder);
  const repo = path.dirname(folder);
  const experimentUid = uidOf(context.root, repo);
  sink.experiment({ uid: experimentUid, name: folderName(context.root, repo), format: FORMAT, lifecycle: 'active' });
  sink.run({
    uid: runUid,
    experimentUid,
    format: FORMAT,
    name: path.basename(folder),
    status: 'FINISHED',
    sourcePath: relativePath(context.root, folder),
    deleted: false,
    params: params ?? {},
    tags: {},
  });

  const seriesKeys = new Set(series.map((s) => s.key));
  for (const [key, file] of Object.entries(previousFiles)) {
    if (seriesKeys.has(key)) continue;
    // DVCLive clears its folder when a new run starts: a series file that is gone takes its points along.
    sink.resetMetrics(runUid, key);
    context.setCursor(file, emptyCursor());
  }
  const files = Object.fromEntries(series.map((s) => [s.key, s.file]));
  context.setCursor(indexKey, { ...emptyCursor(), state: { files } satisfies SeriesIndexState });

  await importSinglePoints(summaryFiles, runUid, seriesKeys, context);
  for (const { key, file } of series) await importSeriesFile(file, key, runUid, context);
  return [runUid];
}

interface SeriesFile {
  readonly key: string;
  readonly file: string;
}

/** The metric TSVs of a DVCLive folder, in a stable order. */
async function findSeriesFiles(folder: string, context: ImportContext): Promise<SeriesFile[]> {
  for (const candidate of [path.join(folder, 'plots', 'metrics'), path.join(folder, 'scalars')]) {
    if (await isDirectory(candidate)) return walkTsv(candidate, false, context);
  }
  return walkTsv(folder, true, context);
}

async function walkTsv(root: string, skipNonMetricFolders: boolean, context: ImportContext): Promise<SeriesFile[]> {
  const found: SeriesFile[] = [];
  const visit = async (folder: string, depth: number): Promise<void> => {
    if (depth > MAX_WALK_DEPTH || found.length >= MAX_SERIES_FILES) return;
    let entries;
    try {
      entries = await fs.readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (!isMissing(error)) context.sink.diagnostic({ file: folder, message: `cannot list: ${(error as Error).message}`, severity: 'error' });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (depth === 0 && skipNonMetricFolders && NON_METRIC_FOLDERS.has(entry.name)) continue;
        await visit(full, depth + 1);
      } else if (entry.isFile() && entry.name.endsWith('.tsv') && found.length < MAX_SERIES_FILES) {
        found.push({ key: path.relative(root, full).slice(0, -'.tsv'.length).split(path.sep).join('/'), file: full });
      }
    }
  };
  await visit(root, 0);
  return found;
}

interface SeriesCursorState {
  readonly reader?: DelimitedState;
}

async function importSeriesFile(file: string, key: string, runUid: string, context: ImportContext): Promise<void> {
  const reporter = problemReporter(context.sink, file);
  try {
    const cursor = context.cursor(file);
    const previous = cursor?.state as SeriesCursorState | undefined;
    const read = await readDelimited(file, cursor, previous?.reader, { delimiter: '\t', report: (p) => reporter.report(p) });
    if (read === undefined) return;
    const steps: number[] = [];
    const timestamps: number[] = [];
    const values: number[] = [];
    const header = read.state?.header;
    if (header !== undefined && read.state?.rejected !== true) {
      const stepColumn = header.indexOf('step');
      const timeColumn = header.indexOf('timestamp');
      const valueColumn = lastIndexWhere(header, (name, column) => column !== stepColumn && column !== timeColumn && name !== '');
      if (valueColumn < 0 || stepColumn < 0) {
        if (read.rows.length > 0) reporter.report({ message: `header ${quoteCell(header.join('\t'))} has no step and value columns: rows skipped`, line: 1, severity: 'error' });
      } else {
        for (const row of read.rows) {
          const step = parseStepCell(row.cells[stepColumn]);
          const cell = row.cells[valueColumn];
          if (step === undefined) {
            reporter.report({ message: `step ${quoteCell(row.cells[stepColumn] ?? '')} is not a number: row skipped`, line: row.line });
            continue;
          }
          if (isEmptyCell(cell)) continue;
          const value = parseNumericCell(cell);
          if (value === undefined) {
            reporter.report({ message: `not a number: ${quoteCell(cell)}; row skipped`, line: row.line });
            continue;
          }
          steps.push(step);
          timestamps.push(timeColumn >= 0 ? toEpochMs(row.cells[timeColumn]) : 0);
          values.push(value);
        }
      }
    }
    if (read.restarted) context.sink.resetMetrics(runUid, key);
    if (values.length > 0) context.sink.metrics({ runUid, key, steps, timestamps, values });
    context.setCursor(file, { ...read.cursor, state: (read.state !== undefined ? { reader: read.state } : {}) satisfies SeriesCursorState });
  } catch (error) {
    if (!isMissing(error)) reporter.report({ message: `cannot read: ${(error as Error).message}`, severity: 'error' });
  } finally {
    reporter.finish();
  }
}

async function importWorkspace(folder: string, context: ImportContext): Promise<string[]> {
  const { sink } = context;
  const dvcYamlFile = path.join(folder, 'dvc.yaml');
  const params = await readYamlParamsFile(path.join(folder, 'params.yaml'), '.', context);
  const metricsFiles = await declaredMetricsFiles(folder, dvcYamlFile, context);
  const existing: string[] = [];
  for (const file of metricsFiles) if (await isFile(file)) existing.push(file);
  const runUid = uidOf(context.root, dvcYamlFile);
  const hadMetrics = metricsFiles.some((file) => context.cursor(file) !== undefined);
  if (params === undefined && existing.length === 0 && !hadMetrics) return [];

  const experimentUid = uidOf(context.root, folder);
  sink.experiment({ uid: experimentUid, name: folderName(context.root, folder), format: FORMAT, lifecycle: 'active' });
  sink.run({
    uid: runUid,
    experimentUid,
    format: FORMAT,
    name: 'workspace',
    status: 'FINISHED',
    sourcePath: relativePath(context.root, folder),
    deleted: false,
    params: params ?? {},
    tags: {},
  });
  await importSinglePoints(metricsFiles, runUid, new Set(), context);
  return [runUid];
}

/**
 * `metrics.json` beside dvc.yaml plus the JSON/YAML metrics files dvc.yaml declares (top-level
 * `metrics:` and stages' `metrics:` outputs), leaving out DVCLive folders (their own run has them).
 */
async function declaredMetricsFiles(folder: string, dvcYamlFile: string, context: ImportContext): Promise<string[]> {
  const files = [path.join(folder, 'metrics.json')];
  const text = await readTextIfSmall(dvcYamlFile);
  if (text === undefined) return files;
  let document: unknown;
  try {
    document = parseYaml(text, { prettyErrors: false, uniqueKeys: false });
  } catch (error) {
    context.sink.diagnostic({ file: dvcYamlFile, message: `dvc.yaml: ${(error as Error).message.split('\n')[0]}; only metrics.json is read`, severity: 'warning' });
    return files;
  }
  const declared: unknown[] = [];
  if (isObject(document)) {
    if (Array.isArray(document.metrics)) declared.push(...document.metrics);
    if (isObject(document.stages)) {
      for (const stage of Object.values(document.stages)) {
        if (isObject(stage) && Array.isArray(stage.metrics)) declared.push(...stage.metrics);
      }
    }
  }
  for (const entry of declared) {
    const relative = typeof entry === 'string' ? entry : isObject(entry) ? Object.keys(entry)[0] : undefined;
    if (relative === undefined || relative.includes('${') || !/\.(json|ya?ml)$/i.test(relative)) continue;
    const file = path.resolve(folder, relative);
    const inside = path.relative(folder, file);
    if (inside.startsWith('..') || path.isAbsolute(inside)) continue;
    if (inside.split(path.sep).includes(LIVE_FOLDER_NAME)) continue;
    if (!files.includes(file)) files.push(file);
  }
  return files;
}

interface SinglePointState {
  /** Emitted point per key, as `step|value`, so that only a changed value is re-emitted. */
  readonly points: Record<string, string>;
}

/**
 * Metrics files that hold one (latest) value per key: each key is a one-point series; a key whose
 * value changed is reset and re-emitted, a key that is gone is reset. Keys in `skip` (those with a
 * TSV history) are left to the TSVs.
 */
async function importSinglePoints(files: readonly string[], runUid: string, skip: ReadonlySet<string>, context: ImportContext): Promise<void> {
  const claimed = new Set<string>();
  for (const file of files) {
    const cursor = context.cursor(file);
    const previous = (cursor?.state as SinglePointState | undefined)?.points ?? {};
    const reporter = problemReporter(context.sink, file);
    let current: Record<string, string> = {};
    let stamp: Pick<FileCursor, 'size' | 'mtimeMs'> = { size: 0, mtimeMs: 0 };
    try {
      const stat = await fs.stat(file);
      stamp = { size: stat.size, mtimeMs: stat.mtimeMs };
      const unchanged = cursor !== undefined && cursor.size === stat.size && cursor.mtimeMs === stat.mtimeMs && cursor.state !== undefined;
      current = unchanged ? previous : await readSinglePoints(file, stat.size, reporter, previous);
    } catch (error) {
      if (!isMissing(error)) {
        reporter.report({ message: `cannot read: ${(error as Error).message}`, severity: 'error' });
        current = previous;
      }
    }
    reporter.finish();
    const kept: Record<string, string> = {};
    for (const [key, point] of Object.entries(current)) {
      if (skip.has(key) || claimed.has(key)) continue;
      claimed.add(key);
      kept[key] = point;
    }
    for (const key of Object.keys(previous)) {
      if (!(key in kept)) context.sink.resetMetrics(runUid, key);
    }
    for (const [key, point] of Object.entries(kept)) {
      if (previous[key] === point) continue;
      if (key in previous) context.sink.resetMetrics(runUid, key);
      const [step, value] = point.split('|');
      context.sink.metrics({ runUid, key, steps: [Number(step)], timestamps: [0], values: [Number(value)] });
    }
    if (cursor !== undefined || Object.keys(kept).length > 0 || stamp.size > 0) {
      context.setCursor(file, { ...stamp, offset: stamp.size, head: '', state: { points: kept } satisfies SinglePointState });
    }
  }
}

async function readSinglePoints(file: string, size: number, reporter: ProblemReporter, previous: Record<string, string>): Promise<Record<string, string>> {
  if (size > MAX_METRICS_FILE_BYTES) {
    reporter.report({ message: `${size} bytes: too large for a metrics summary; skipped`, severity: 'error' });
    return previous;
  }
  const text = await readRegularText(file);
  if (text.trim() === '') return {};
  let document: unknown;
  try {
    document = /\.ya?ml$/i.test(file) ? parseMetricsYaml(text) : parseMetricsJson(text);
  } catch (error) {
    // Often a file caught while being rewritten: keep the previous values until it parses again.
    reporter.report({ message: `not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message.split('\n')[0]}; previous values kept`, severity: 'error' });
    return previous;
  }
  const flat = flattenMetrics(document);
  const points: Record<string, string> = {};
  for (const [key, value] of flat.values) points[key] = `${flat.step ?? 0}|${value}`;
  return points;
}

function lastIndexWhere<T>(items: readonly T[], predicate: (item: T, index: number) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i], i)) return i;
  return -1;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readTextIfSmall(file: string): Promise<string | undefined> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile() || stat.size > MAX_METRICS_FILE_BYTES) return undefined;
    return await readRegularText(file);
  } catch {
    return undefined;
  }
}

/** A summary that exists but is a FIFO, socket or device is said, not silently passed over. */
async function reportNotRegular(file: string, context: ImportContext): Promise<void> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (stat && !stat.isFile() && !stat.isDirectory()) context.sink.diagnostic({ file, message: notRegular(stat)!, severity: 'warning' });
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function isDirectory(folder: string): Promise<boolean> {
  try {
    return (await fs.stat(folder)).isDirectory();
  } catch {
    return false;
  }
}

function emptyCursor(): FileCursor {
  return { size: 0, mtimeMs: 0, offset: 0, head: '' };
}

function relativePath(root: string, target: string): string {
  const relative = path.relative(root, target).split(path.sep).join('/');
  return relative === '' ? '.' : relative;
}

function uidOf(root: string, target: string): string {
  return `${FORMAT}:${relativePath(root, target)}`;
}

function folderName(root: string, folder: string): string {
  return path.basename(folder) || path.basename(root) || folder;
}
