/**
 * CSV loggers: PyTorch Lightning's `CSVLogger` and Keras' `CSVLogger`.
 *
 * Lightning writes `<save_dir>/<name>/version_N/metrics.csv` (+ `hparams.yaml`): one row per
 * `log_metrics` call, sparse (the train row leaves the validation columns empty and the other way
 * round, so a step can appear twice), columns in whatever order the keys first appeared, test rows at
 * step = last + 1. When a new key appears, recent Lightning rewrites the whole file with a wider
 * header; older Lightning writes the file at the end. A run is the `version_N` folder (name
 * `version_N`), its experiment the folder holding the versions (e.g. `lightning_logs`). A version
 * folder with `hparams.yaml` but no `metrics.csv` is not a run (CSVLogger writes hparams.yaml when
 * training starts and metrics.csv at its first flush): it is skipped with an info diagnostic saying
 * so, and imported once metrics.csv appears. With TensorBoard event files it is TensorBoardLogger's
 * folder and the TensorBoard importer's run (no diagnostic).
 *
 * Keras writes one file per `CSVLogger(filename)` (`epoch` first, then the logs' keys sorted, any
 * separator); a run is that file, its experiment the folder holding it, step = epoch.
 *
 * Every numeric, non-empty cell is a point of the series named by its column; `step` (and for Keras
 * `epoch`) give the step, `epoch` is a series too (people plot against it), a `timestamp` or
 * `created_at` column gives the time (Lightning has none: 0).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FileCursor, ImportContext, Importer, ImportSink, MetricBatch } from '../types';
import { isEmptyCell, parseNumericCell, parseStepCell, quoteCell, toEpochMs } from './cells';
import { readDelimited, type DelimitedRow, type DelimitedState } from './delimitedReader';
import { isMissing, readYamlParamsFile } from './paramsFile';
import { problemReporter, type ProblemReporter } from './problems';
import { openRegularFile } from '../regularFile';

const FORMAT = 'csv';
const STEP_COLUMN = 'step';
const EPOCH_COLUMN = 'epoch';
const TIME_COLUMNS = new Set(['timestamp', 'created_at']);
/** Enough of a file's start to see a header line. */
const HEADER_PEEK_BYTES = 64 * 1024;
/** As many bytes as `readNewBytes` compares to notice a replaced file. */
const HEAD_BYTES = 64;

type Flavour = 'lightning' | 'keras';

interface TableCursorState {
  readonly reader?: DelimitedState;
  /** Carried so that a row with an empty step cell continues from the previous row's step. */
  readonly lastStep: number;
  readonly rowIndex: number;
}

export const csvImporter: Importer = {
  format: FORMAT,
  runsInWorker: true,
  patterns: [
    '**/lightning_logs/*/metrics.csv',
    '**/lightning_logs/*/hparams.yaml',
    '**/version_*/metrics.csv',
    '**/training.log',
    '**/*history*.csv',
    '**/keras*.csv',
  ],
  unitOf: csvUnitOf,
  importUnit: importCsvUnit,
};

/** The Lightning version folder, or the Keras log file itself. */
export function csvUnitOf(matchedFile: string): string | undefined {
  const base = path.basename(matchedFile);
  const folder = path.dirname(matchedFile);
  const experimentFolderName = path.basename(path.dirname(folder));
  if (base === 'metrics.csv' && (path.basename(folder).startsWith('version_') || experimentFolderName === 'lightning_logs')) return folder;
  if (base === 'hparams.yaml' && experimentFolderName === 'lightning_logs') return folder;
  if (isKerasLogName(base)) return matchedFile;
  return undefined;
}

function isKerasLogName(base: string): boolean {
  return base === 'training.log' || /^.*history.*\.csv$/.test(base) || /^keras.*\.csv$/.test(base);
}

export async function importCsvUnit(unit: string, context: ImportContext): Promise<string[]> {
  const target = path.resolve(context.root, unit);
  let isFolder: boolean;
  try {
    isFolder = (await fs.stat(target)).isDirectory();
  } catch (error) {
    if (isMissing(error)) return [];
    context.sink.diagnostic({ file: target, message: `cannot read: ${(error as Error).message}`, severity: 'error' });
    // Keep what was imported: an unreadable folder is not a deleted run.
    return [uidOf(context.root, target)];
  }
  return isFolder ? importLightningVersion(target, context) : importKerasLog(target, context);
}

async function importLightningVersion(folder: string, context: ImportContext): Promise<string[]> {
  const metricsFile = path.join(folder, 'metrics.csv');
  const hparamsFile = path.join(folder, 'hparams.yaml');
  const hasMetrics = await isFile(metricsFile);
  if (!hasMetrics) {
    // A metrics.csv read before and gone now: the run goes (the engine removes it), and a file that
    // comes back is read from its start.
    const cursor = context.cursor(metricsFile);
    if (cursor !== undefined && cursor.offset > 0) context.setCursor(metricsFile, emptyCursor());
    if ((await isFile(hparamsFile)) && !(await holdsEventFiles(folder))) {
      context.sink.diagnostic({ file: folder, severity: 'info', message: 'hparams.yaml without metrics.csv (Lightning has logged no metric here yet): not a run, skipped; it is imported when metrics.csv appears' });
    }
    return [];
  }

  const runUid = uidOf(context.root, folder);
  const experimentFolder = path.dirname(folder);
  const experimentUid = uidOf(context.root, experimentFolder);
  const params = (await readYamlParamsFile(hparamsFile, '/', context)) ?? {};
  context.sink.experiment({ uid: experimentUid, name: folderName(context.root, experimentFolder), format: FORMAT, lifecycle: 'active' });
  context.sink.run({
    uid: runUid,
    experimentUid,
    format: FORMAT,
    name: path.basename(folder),
    status: 'FINISHED',
    sourcePath: relativePath(context.root, folder),
    deleted: false,
    params,
    tags: {},
  });

  const reporter = problemReporter(context.sink, metricsFile);
  try {
    const update = await readTable(metricsFile, metricsFile, 'lightning', reporter, context);
    if (update !== undefined) emitUpdate(update, runUid, context.sink);
  } catch (error) {
    if (!isMissing(error)) reporter.report({ message: `cannot read: ${(error as Error).message}`, severity: 'error' });
  }
  reporter.finish();
  return [runUid];
}

async function importKerasLog(file: string, context: ImportContext): Promise<string[]> {
  // The unit is the file itself: its cursor gets its own key so it never shares a row with the unit.
  const cursorKey = `${file}#table`;
  const runUid = uidOf(context.root, file);
  const reporter = problemReporter(context.sink, file);
  try {
    const previous = context.cursor(cursorKey);
    const previousState = previous?.state as TableCursorState | undefined;
    if (previousState?.reader === undefined) {
      const start = await peekStart(file);
      if (!start.startsLikeKerasLog) {
        // A `training.log` of another tool can be large: read it again only when it is replaced.
        context.setCursor(cursorKey, { size: start.size, mtimeMs: start.mtimeMs, offset: start.size, head: start.head, state: rejectedTableState() });
        return [];
      }
    }
    const update = await readTable(file, cursorKey, 'keras', reporter, context);
    const header = update?.header ?? previousState?.reader?.header;
    const rejected = update !== undefined ? update.rejected : previousState?.reader?.rejected === true;
    if (header === undefined || header[0] !== EPOCH_COLUMN || rejected) return [];

    const experimentFolder = path.dirname(file);
    const experimentUid = uidOf(context.root, experimentFolder);
    context.sink.experiment({ uid: experimentUid, name: folderName(context.root, experimentFolder), format: FORMAT, lifecycle: 'active' });
    context.sink.run({
      uid: runUid,
      experimentUid,
      format: FORMAT,
      name: path.basename(file),
      status: 'FINISHED',
      sourcePath: relativePath(context.root, file),
      deleted: false,
      params: {},
      tags: {},
    });
    if (update !== undefined) emitUpdate(update, runUid, context.sink);
    return [runUid];
  } catch (error) {
    if (isMissing(error)) return [];
    reporter.report({ message: `cannot read: ${(error as Error).message}`, severity: 'error' });
    return [runUid];
  } finally {
    reporter.finish();
  }
}

interface TableUpdate {
  readonly restarted: boolean;
  readonly header: readonly string[] | undefined;
  readonly rejected: boolean;
  readonly batches: Map<string, Omit<MetricBatch, 'runUid' | 'key'>>;
}

/** Reads the rows appended since the last import and turns them into points; stores the cursor. */
async function readTable(file: string, cursorKey: string, flavour: Flavour, reporter: ProblemReporter, context: ImportContext): Promise<TableUpdate | undefined> {
  const cursor = context.cursor(cursorKey);
  const previous = cursor?.state as TableCursorState | undefined;
  const read = await readDelimited(file, cursor, previous?.reader, { delimiter: flavour === 'keras' ? 'auto' : ',', report: (p) => reporter.report(p) });
  if (read === undefined) return undefined;
  const header = read.state?.header;
  let lastStep = read.restarted ? -1 : (previous?.lastStep ?? -1);
  let rowIndex = read.restarted ? 0 : (previous?.rowIndex ?? 0);
  const batches = new Map<string, { steps: number[]; timestamps: number[]; values: number[] }>();
  let rejected = read.state?.rejected === true;
  if (flavour === 'keras' && header !== undefined && header[0] !== EPOCH_COLUMN) rejected = true;

  if (header !== undefined && !rejected) {
    const roles = columnRoles(header, flavour);
    for (const key of roles.metricColumns.map((column) => header[column])) {
      if (!batches.has(key)) batches.set(key, { steps: [], timestamps: [], values: [] });
    }
    for (const row of read.rows) {
      const step = stepOf(row, roles, lastStep, rowIndex, reporter);
      const timestamp = roles.timeColumn >= 0 ? toEpochMs(row.cells[roles.timeColumn]) : 0;
      for (const column of roles.metricColumns) {
        const cell = row.cells[column];
        if (isEmptyCell(cell)) continue;
        const value = parseNumericCell(cell);
        if (value === undefined) {
          reporter.report({ message: `column ${quoteCell(header[column])}: not a number: ${quoteCell(cell)}; cell skipped`, line: row.line });
          continue;
        }
        const batch = batches.get(header[column]);
        if (batch === undefined) continue;
        batch.steps.push(step);
        batch.timestamps.push(timestamp);
        batch.values.push(value);
      }
      if (row.cells.slice(header.length).some((cell) => !isEmptyCell(cell))) {
        reporter.report({ message: `${row.cells.length} cells but ${header.length} columns in the header: the extra cells are skipped`, line: row.line });
      }
      lastStep = step;
      rowIndex++;
    }
  }
  const reader = rejected && read.state !== undefined ? { ...read.state, rejected: true } : read.state;
  const state: TableCursorState = { ...(reader !== undefined ? { reader } : {}), lastStep, rowIndex };
  context.setCursor(cursorKey, { ...read.cursor, state });
  return { restarted: read.restarted, header, rejected, batches };
}

interface ColumnRoles {
  readonly stepColumn: number;
  readonly epochColumn: number;
  readonly timeColumn: number;
  readonly metricColumns: number[];
}

function columnRoles(header: readonly string[], flavour: Flavour): ColumnRoles {
  const stepColumn = flavour === 'lightning' ? header.indexOf(STEP_COLUMN) : -1;
  const epochColumn = header.indexOf(EPOCH_COLUMN);
  const timeColumn = header.findIndex((name) => TIME_COLUMNS.has(name));
  const metricColumns: number[] = [];
  header.forEach((name, column) => {
    if (name !== '' && column !== stepColumn && column !== timeColumn) metricColumns.push(column);
  });
  return { stepColumn, epochColumn, timeColumn, metricColumns };
}

function stepOf(row: DelimitedRow, roles: ColumnRoles, lastStep: number, rowIndex: number, reporter: ProblemReporter): number {
  const fallback = lastStep >= 0 ? lastStep : rowIndex;
  const axis = roles.stepColumn >= 0 ? roles.stepColumn : roles.epochColumn;
  if (axis < 0) return rowIndex;
  const cell = row.cells[axis];
  const step = parseStepCell(cell);
  if (step !== undefined) return step;
  if (!isEmptyCell(cell)) reporter.report({ message: `step ${quoteCell(cell ?? '')} is not a number: the previous row's step is used`, line: row.line });
  return roles.stepColumn >= 0 ? fallback : rowIndex;
}

function emitUpdate(update: TableUpdate, runUid: string, sink: ImportSink): void {
  if (update.restarted) sink.resetMetrics(runUid);
  for (const [key, batch] of update.batches) {
    if (batch.values.length > 0) sink.metrics({ runUid, key, ...batch });
  }
}

function emptyCursor(): FileCursor {
  return { size: 0, mtimeMs: 0, offset: 0, head: '' };
}

function rejectedTableState(): TableCursorState {
  return { reader: { header: [], headerPrefix: '', delimiter: ',', nextLine: 1, rejected: true }, lastStep: -1, rowIndex: 0 };
}

/** Whether the first non-blank line's first cell is `epoch` (Keras' CSVLogger always starts so). */
async function peekStart(file: string): Promise<{ startsLikeKerasLog: boolean; head: string; size: number; mtimeMs: number }> {
  const handle = await openRegularFile(file);
  try {
    const stat = await handle.stat();
    const buffer = Buffer.alloc(Math.min(HEADER_PEEK_BYTES, stat.size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const bytes = buffer.subarray(0, bytesRead);
    const head = bytes.subarray(0, HEAD_BYTES).toString('hex');
    const firstLine = bytes.toString('utf8').replace(/^\ufeff/, '').split('\n').find((line) => line.trim() !== '');
    // Empty so far: Keras creates the file before the first epoch ends; decide when the header comes.
    const startsLikeKerasLog = firstLine === undefined || /^"?epoch"?([,;\t]|\r?$)/.test(firstLine);
    return { startsLikeKerasLog, head, size: stat.size, mtimeMs: stat.mtimeMs };
  } finally {
    await handle.close();
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function holdsEventFiles(folder: string): Promise<boolean> {
  try {
    return (await fs.readdir(folder)).some((name) => name.startsWith('events.out.tfevents'));
  } catch {
    return false;
  }
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
