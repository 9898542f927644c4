import type { RunStatus } from '../types';

/** The `format` every header names (docs/run-log-format.md). */
export const RUN_LOG_FORMAT = 'model-ledger-run';
/** The newest format version this reader knows. */
export const RUN_LOG_VERSION = 1;

export interface HeaderRecord {
  readonly type: 'header';
  readonly version: number;
  readonly runId?: string;
  readonly name?: string;
  readonly experiment?: string;
  readonly time: number;
  readonly startTime?: number;
  readonly user?: string;
  readonly gitCommit?: string;
}

export interface TextValuesRecord {
  readonly type: 'params' | 'tags';
  readonly time: number;
  readonly values: Readonly<Record<string, string>>;
}

export interface MetricsRecord {
  readonly type: 'metrics';
  readonly time: number;
  readonly step: number;
  /** In the order written. */
  readonly points: ReadonlyArray<readonly [key: string, value: number]>;
  /** Keys whose values are neither numbers nor the non-finite strings. */
  readonly rejectedKeys: readonly string[];
}

export interface StatusRecord {
  readonly type: 'status';
  readonly time: number;
  readonly status: RunStatus;
}

export interface EndRecord {
  readonly type: 'end';
  readonly time: number;
  readonly status: 'FINISHED' | 'FAILED' | 'KILLED';
  readonly error?: string;
}

/** A record type this reader does not know (from a newer writer, or a typo). */
export interface UnknownRecord {
  readonly type: 'unknown';
  readonly recordType: string;
}

export type RunLogRecord = HeaderRecord | TextValuesRecord | MetricsRecord | StatusRecord | EndRecord | UnknownRecord;

export type ParsedLine =
  | { readonly kind: 'record'; readonly record: RunLogRecord }
  | { readonly kind: 'blank' }
  | { readonly kind: 'invalid'; readonly message: string };

const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];
const END_STATUSES = ['FINISHED', 'FAILED', 'KILLED'] as const;
const NON_FINITE: Readonly<Record<string, number>> = {
  nan: Number.NaN,
  infinity: Number.POSITIVE_INFINITY,
  '+infinity': Number.POSITIVE_INFINITY,
  inf: Number.POSITIVE_INFINITY,
  '+inf': Number.POSITIVE_INFINITY,
  '-infinity': Number.NEGATIVE_INFINITY,
  '-inf': Number.NEGATIVE_INFINITY,
};

/** Parses one complete line of a run log. Never throws. */
export function parseRunLogLine(line: string): ParsedLine {
  if (line.trim() === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { kind: 'invalid', message: `not valid JSON (${(error as Error).message})` };
  }
  if (!isObject(value)) return { kind: 'invalid', message: 'not a JSON object' };
  const type = value.type;
  if (typeof type !== 'string') return { kind: 'invalid', message: 'record without a "type"' };
  const time = finiteNumber(value.time) ?? 0;
  switch (type) {
    case 'header':
      return parseHeader(value, time);
    case 'params':
    case 'tags': {
      const values = value[type];
      if (!isObject(values)) return { kind: 'invalid', message: `"${type}" record without a "${type}" object` };
      return { kind: 'record', record: { type, time, values: textValues(values) } };
    }
    case 'metrics':
      return parseMetrics(value, time);
    case 'status': {
      const status = value.status;
      if (typeof status !== 'string' || !(RUN_STATUSES as readonly string[]).includes(status)) {
        return { kind: 'invalid', message: `unknown status ${JSON.stringify(status)}` };
      }
      return { kind: 'record', record: { type: 'status', time, status: status as RunStatus } };
    }
    case 'end': {
      const status = value.status ?? 'FINISHED';
      if (typeof status !== 'string' || !(END_STATUSES as readonly string[]).includes(status)) {
        return { kind: 'invalid', message: `unknown end status ${JSON.stringify(status)}` };
      }
      const error = typeof value.error === 'string' && value.error !== '' ? value.error : undefined;
      return { kind: 'record', record: { type: 'end', time, status: status as EndRecord['status'], error } };
    }
    default:
      return { kind: 'record', record: { type: 'unknown', recordType: type } };
  }
}

/** A metric value as written: a JSON number, or "NaN" / "Infinity" / "-Infinity" (any case, also "inf"). */
export function metricValueOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const nonFinite = NON_FINITE[value.trim().toLowerCase()];
  if (nonFinite !== undefined) return nonFinite;
  // Hand-written logs sometimes quote numbers; anything else is not a metric.
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  const number = Number(trimmed);
  return Number.isFinite(number) ? number : undefined;
}

function parseHeader(value: Record<string, unknown>, time: number): ParsedLine {
  if (value.format !== RUN_LOG_FORMAT) {
    return { kind: 'invalid', message: `header of another format ${JSON.stringify(value.format)} (expected "${RUN_LOG_FORMAT}")` };
  }
  const version = finiteNumber(value.version);
  if (version === undefined || !Number.isInteger(version) || version < 1) {
    return { kind: 'invalid', message: `header with an invalid version ${JSON.stringify(value.version)}` };
  }
  return {
    kind: 'record',
    record: {
      type: 'header',
      version,
      runId: optionalText(value.run_id),
      name: optionalText(value.name),
      experiment: optionalText(value.experiment),
      time,
      startTime: finiteNumber(value.start_time),
      user: optionalText(value.user),
      gitCommit: optionalText(value.git_commit),
    },
  };
}

function parseMetrics(value: Record<string, unknown>, time: number): ParsedLine {
  const values = value.values;
  if (!isObject(values)) return { kind: 'invalid', message: '"metrics" record without a "values" object' };
  let step = 0;
  if (value.step !== undefined && value.step !== null) {
    const parsed = finiteNumber(value.step);
    if (parsed === undefined) return { kind: 'invalid', message: `metrics record with an invalid step ${JSON.stringify(value.step)}` };
    step = parsed;
  }
  const points: Array<readonly [string, number]> = [];
  const rejectedKeys: string[] = [];
  for (const [key, raw] of Object.entries(values)) {
    const number = metricValueOf(raw);
    if (number === undefined) rejectedKeys.push(key);
    else points.push([key, number]);
  }
  return { kind: 'record', record: { type: 'metrics', time, step, points, rejectedKeys } };
}

function textValues(values: Record<string, unknown>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, raw] of Object.entries(values)) {
    // Writers store strings; other JSON values are shown as their JSON text.
    setOwn(result, key, typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw)));
  }
  return result;
}

/** Assigns without the `__proto__` setter: a key "__proto__" in a file is just a key. */
export function setOwn(target: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function optionalText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
