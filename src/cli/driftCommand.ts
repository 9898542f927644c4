import path from 'node:path';
import { readDataset, driftValues, type DatasetRead } from '../datasets';
import { columnDrift, datasetDrift, isDriftMethodName, type ColumnDriftResult } from '../drift';
import { buildDriftReport } from '../monitoring/driftReport';
import { toJson } from '../shared/json';
import type { WindowChoice } from '../shared/driftProtocol';
import { CliError, EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE } from './cliError';
import type { CliCommand, CliContext } from './context';

/** `--column name:categorical` (repeatable, comma-separated) → the readers' overrides. */
function overridesOf(context: CliContext): { categorical: string[]; numerical: string[]; ignore: string[] } {
  const out = { categorical: [] as string[], numerical: [] as string[], ignore: [] as string[] };
  const raw = typeof context.values.column === 'string' ? context.values.column : '';
  for (const spec of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = spec.lastIndexOf(':');
    const name = at > 0 ? spec.slice(0, at) : spec;
    const kind = at > 0 ? spec.slice(at + 1) : '';
    if (kind === 'categorical' || kind === 'numerical' || kind === 'ignore') out[kind].push(name);
    else throw new CliError(`--column ${spec}: expected NAME:categorical, NAME:numerical or NAME:ignore`, EXIT_USAGE);
  }
  return out;
}

async function read(context: CliContext, file: string, overrides: ReturnType<typeof overridesOf>, timestampColumn?: string): Promise<DatasetRead> {
  const result = await readDataset(path.resolve(context.cwd, file), { overrides, ...(timestampColumn ? { timestampColumn } : {}) });
  // A reference without the current data's time column is normal: no diagnostic for that.
  const absent = timestampColumn ? `Column "${timestampColumn}" was requested but the file has no such column.` : undefined;
  for (const d of result.diagnostics.filter((x) => x.message !== absent)) context.stderr(`${d.file}${d.line ? `:${d.line}` : d.position ? `:${d.position}` : ''}: ${d.message}\n`);
  if (!result.ok) throw new CliError(`cannot read ${file}`, EXIT_USAGE);
  return result;
}

export const DRIFT_COMMAND: CliCommand = {
  name: 'drift',
  summary: 'data drift between a reference dataset and current data (CSV, JSONL, Parquet) with Evidently’s default methods; exit 1 on dataset drift only with --fail-on-drift',
  usage:
    'model-ledger drift REFERENCE CURRENT | --reference A --current B [--column NAME:categorical,...] [--method M] [--threshold T] [--drift-share S] [--window day|week|<n>h --timestamp COL] [--fail-on-drift] [--json]',
  options: {
    column: { type: 'string', description: 'column types: NAME:categorical, NAME:numerical or NAME:ignore, comma-separated' },
    method: { type: 'string', description: 'one method for every column (default: Evidently’s choice per column)' },
    threshold: { type: 'string', description: 'the method’s threshold (default: its own)' },
    'drift-share': { type: 'string', description: 'share of drifted columns that means dataset drift (default 0.5)' },
    reference: { type: 'string', description: 'the reference dataset (instead of the first positional argument)' },
    current: { type: 'string', description: 'the current dataset (instead of the second positional argument)' },
    'fail-on-drift': { type: 'boolean', description: 'exit 1 when the dataset drifts (default: exit 0, the report is the output)' },
    window: { type: 'string', description: 'also score every column per time window of the current data: day, week or <n>h (needs --timestamp)' },
    timestamp: { type: 'string', description: 'the current data’s time column, for --window' },
  },
  async run(context) {
    const rest = [...context.positionals];
    const referenceFile = typeof context.values.reference === 'string' ? context.values.reference : rest.shift();
    const currentFile = typeof context.values.current === 'string' ? context.values.current : rest.shift();
    if (!referenceFile || !currentFile || rest.length > 0) throw new CliError('give a REFERENCE and a CURRENT file', EXIT_USAGE);
    const windowOption = typeof context.values.window === 'string' ? context.values.window : undefined;
    const timestamp = typeof context.values.timestamp === 'string' ? context.values.timestamp : undefined;
    if (windowOption !== undefined && !/^(day|week|\d+(\.\d+)?h)$/.test(windowOption)) throw new CliError('--window must be day, week or a number of hours such as 6h', EXIT_USAGE);
    if (windowOption !== undefined && !timestamp) throw new CliError('--window needs --timestamp COLUMN', EXIT_USAGE);
    const method = typeof context.values.method === 'string' ? context.values.method : undefined;
    if (method !== undefined && !isDriftMethodName(method)) throw new CliError(`unknown method "${method}"`, EXIT_USAGE);
    const threshold = typeof context.values.threshold === 'string' ? Number(context.values.threshold) : undefined;
    if (threshold !== undefined && !Number.isFinite(threshold)) throw new CliError('--threshold must be a number', EXIT_USAGE);
    const share = typeof context.values['drift-share'] === 'string' ? Number(context.values['drift-share']) : 0.5;
    if (!(share > 0 && share <= 1)) throw new CliError('--drift-share must be in (0, 1]', EXIT_USAGE);
    const overrides = overridesOf(context);
    const [reference, current] = await Promise.all([read(context, referenceFile, overrides, timestamp), read(context, currentFile, overrides, timestamp)]);
    const columns: ColumnDriftResult[] = [];
    const skipped: { column: string; reason: string }[] = [];
    for (const refColumn of reference.dataset.columns) {
      const curColumn = current.dataset.column(refColumn.name);
      if (!curColumn) {
        skipped.push({ column: refColumn.name, reason: 'not in the current data' });
        continue;
      }
      if (refColumn.type === 'datetime') {
        skipped.push({ column: refColumn.name, reason: 'a timestamp, not a feature' });
        continue;
      }
      const columnType = refColumn.type === 'categorical' || curColumn.type === 'categorical' ? 'categorical' : 'numerical';
      try {
        columns.push(
          columnDrift(driftValues(refColumn), driftValues(curColumn), {
            column: refColumn.name,
            columnType,
            ...(method ? { method } : {}),
            ...(threshold !== undefined ? { threshold } : {}),
          }),
        );
      } catch (error) {
        skipped.push({ column: refColumn.name, reason: (error as Error).message });
      }
    }
    const result = datasetDrift(columns, share);
    let windows: { start: string; end: string; rows: number; share: number; scores: Record<string, number | null> }[] | undefined;
    if (windowOption && timestamp) {
      if (current.dataset.column(timestamp)?.type !== 'datetime') throw new CliError(`the current data has no timestamp column "${timestamp}"`, EXIT_USAGE);
      // The same columns, methods and thresholds as the whole-file report, per window.
      const report = buildDriftReport(reference.dataset, current.dataset, {
        referenceLabel: referenceFile,
        currentLabel: currentFile,
        timestampColumn: timestamp,
        window: windowOption as WindowChoice,
        driftShare: share,
        labelColumn: '',
        predictionColumn: '\u0000',
        ...(method ? { method } : {}),
      });
      const over = report.overTime;
      windows = (over?.windows ?? []).map((w, i) => ({
        start: new Date(w.start).toISOString(),
        end: new Date(w.end).toISOString(),
        rows: w.rows,
        share: over!.share[i],
        scores: Object.fromEntries(over!.features.map((f) => [f.column, f.scores[i]])),
      }));
    }
    // Nothing compared is its own answer, not "no drift": mismatched headers, all-missing columns, no rows.
    const comparable = columns.filter((c) => c.drifted !== null).length;
    if (context.values.json) {
      context.stdout(toJson({ ...result, datasetDrift: result.drifted, nothingComparable: comparable === 0, comparableColumns: comparable, referenceRows: reference.dataset.rowCount, currentRows: current.dataset.rowCount, skipped, ...(windows ? { windows } : {}) }) + '\n');
    } else {
      const sorted = [...columns].sort((a, b) => Number(b.drifted === true) - Number(a.drifted === true));
      for (const c of sorted) {
        context.stdout(`${c.drifted ? 'DRIFT' : c.drifted === null ? '  ?  ' : '  ok '}  ${String(c.column).padEnd(24)} ${c.method.padEnd(14)} ${formatScore(c.score)} (threshold ${c.threshold})\n`);
      }
      for (const s of skipped) context.stdout(`  --   ${s.column.padEnd(24)} skipped: ${s.reason}\n`);
      if (comparable === 0) context.stdout(`nothing comparable: no column of ${referenceFile} could be compared with ${currentFile} (different headers, only missing values, or no rows): no drift verdict\n`);
      else context.stdout(`${result.driftedCount} of ${result.columnCount} columns drifted (share ${result.share.toFixed(2)}, threshold ${result.driftShare}): ${result.drifted ? 'dataset drift' : 'no dataset drift'}\n`);
      for (const w of windows ?? []) context.stdout(`${w.start.slice(0, 16)}  ${String(w.rows).padStart(8)} rows  drifted share ${w.share.toFixed(2)}\n`);
    }
    return (result.drifted || comparable === 0) && context.values['fail-on-drift'] === true ? EXIT_CHECK_FAILED : EXIT_OK;
  },
};

function formatScore(score: number): string {
  return Number.isFinite(score) ? score.toPrecision(4).padStart(10) : String(score).padStart(10);
}
