/**
 * Wire-level decoding of the few parts of wandb's `Record` protobuf this importer uses. Field
 * numbers are those of wandb/proto/wandb_internal.proto (the on-disk format: "Record: Persistent on
 * disk data (BE CAREFUL)"), unchanged from 0.10 to 0.19+:
 *
 *   Record:        num = 1, history = 2, summary = 3, config = 5, run = 17, exit = 18
 *   HistoryRecord: item = 1 (HistoryItem), step = 2 (HistoryStep { num = 1 })
 *   HistoryItem / ConfigItem / SummaryItem: key = 1, nested_key = 2 (repeated), value_json = 16
 *   ConfigRecord / SummaryRecord: update = 1, remove = 2
 *   RunRecord:     run_id = 1, entity = 2, project = 3, config = 4, summary = 5, run_group = 6,
 *                  job_type = 7, display_name = 8, notes = 9, tags = 10, sweep_id = 12,
 *                  start_time = 17 (google.protobuf.Timestamp { seconds = 1, nanos = 2 }), git = 21
 *                  (GitRepoRecord { remote_url = 1, commit = 2 })
 *   RunExitRecord: exit_code = 1, runtime = 2
 *
 * Deliberately never read: RunRecord.host (13), RunRecord.settings (11, which holds the user's
 * e-mail and host), entity (2, an account name), and every other record type (output, stats,
 * files, artifacts, telemetry...), which are skipped by wire type.
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** One key/value item: the key path (key, or nested_key when set) and the JSON-encoded value. */
export interface KeyedJson {
  readonly path: string[];
  readonly valueJson: string;
}

export interface HistoryRecord {
  readonly items: KeyedJson[];
  readonly stepNum?: number;
}

export interface UpdateRecord {
  readonly update: KeyedJson[];
  readonly remove: string[][];
}

export interface RunInfoRecord {
  readonly runId?: string;
  readonly project?: string;
  readonly displayName?: string;
  readonly group?: string;
  readonly jobType?: string;
  readonly notes?: string;
  readonly tags: string[];
  readonly sweepId?: string;
  /** Milliseconds since the epoch. */
  readonly startTimeMs?: number;
  readonly gitCommit?: string;
  readonly config?: UpdateRecord;
  readonly summary?: UpdateRecord;
}

export interface ExitRecord {
  readonly exitCode: number;
  readonly runtimeSeconds: number;
}

export type WandbRecord =
  | { readonly kind: 'history'; readonly history: HistoryRecord }
  | { readonly kind: 'summary'; readonly summary: UpdateRecord }
  | { readonly kind: 'config'; readonly config: UpdateRecord }
  | { readonly kind: 'run'; readonly run: RunInfoRecord }
  | { readonly kind: 'exit'; readonly exit: ExitRecord }
  | { readonly kind: 'other' };

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const RECORD_HISTORY = 2;
const RECORD_SUMMARY = 3;
const RECORD_CONFIG = 5;
const RECORD_RUN = 17;
const RECORD_EXIT = 18;

/** Decodes one record. Never throws: malformed bytes come back as `{ ok: false }`. */
export function decodeRecord(data: Uint8Array): Decoded<WandbRecord> {
  try {
    return { ok: true, value: readRecord(data) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function readRecord(data: Uint8Array): WandbRecord {
  const reader = new BinaryReader(data);
  let record: WandbRecord = { kind: 'other' };
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (wireType !== WireType.LengthDelimited || ![RECORD_HISTORY, RECORD_SUMMARY, RECORD_CONFIG, RECORD_RUN, RECORD_EXIT].includes(field)) {
      reader.skip(wireType, field);
      continue;
    }
    const body = reader.bytes();
    // `record_type` is a oneof: the last one on the wire wins, as protobuf parsers do.
    switch (field) {
      case RECORD_HISTORY: record = { kind: 'history', history: readHistory(body) }; break;
      case RECORD_SUMMARY: record = { kind: 'summary', summary: readUpdate(body) }; break;
      case RECORD_CONFIG: record = { kind: 'config', config: readUpdate(body) }; break;
      case RECORD_RUN: record = { kind: 'run', run: readRun(body) }; break;
      case RECORD_EXIT: record = { kind: 'exit', exit: readExit(body) }; break;
    }
  }
  return record;
}

function readHistory(data: Uint8Array): HistoryRecord {
  const reader = new BinaryReader(data);
  const items: KeyedJson[] = [];
  let stepNum: number | undefined;
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) {
      items.push(readItem(reader.bytes()));
    } else if (field === 2 && wireType === WireType.LengthDelimited) {
      stepNum = readStep(reader.bytes());
    } else {
      reader.skip(wireType, field);
    }
  }
  return { items, ...(stepNum === undefined ? {} : { stepNum }) };
}

function readStep(data: Uint8Array): number {
  const reader = new BinaryReader(data);
  let num = 0;
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.Varint) num = Number(reader.int64());
    else reader.skip(wireType, field);
  }
  return num;
}

/** HistoryItem, ConfigItem and SummaryItem share their layout. */
function readItem(data: Uint8Array): KeyedJson {
  const reader = new BinaryReader(data);
  let key = '';
  const nested: string[] = [];
  let valueJson = '';
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (wireType !== WireType.LengthDelimited) {
      reader.skip(wireType, field);
      continue;
    }
    if (field === 1) key = reader.string();
    else if (field === 2) nested.push(reader.string());
    else if (field === 16) valueJson = reader.string();
    else reader.skip(wireType, field);
  }
  return { path: nested.length > 0 ? nested : [key], valueJson };
}

function readUpdate(data: Uint8Array): UpdateRecord {
  const reader = new BinaryReader(data);
  const update: KeyedJson[] = [];
  const remove: string[][] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) update.push(readItem(reader.bytes()));
    else if (field === 2 && wireType === WireType.LengthDelimited) remove.push(readItem(reader.bytes()).path);
    else reader.skip(wireType, field);
  }
  return { update, remove };
}

function readRun(data: Uint8Array): RunInfoRecord {
  const reader = new BinaryReader(data);
  const strings = new Map<number, string>();
  const tags: string[] = [];
  let startTimeMs: number | undefined;
  let gitCommit: string | undefined;
  let config: UpdateRecord | undefined;
  let summary: UpdateRecord | undefined;
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (wireType !== WireType.LengthDelimited) {
      reader.skip(wireType, field);
      continue;
    }
    switch (field) {
      case 1: case 3: case 6: case 7: case 8: case 9: case 12:
        strings.set(field, reader.string());
        break;
      case 10: tags.push(reader.string()); break;
      case 4: config = readUpdate(reader.bytes()); break;
      case 5: summary = readUpdate(reader.bytes()); break;
      case 17: startTimeMs = readTimestamp(reader.bytes()); break;
      case 21: gitCommit = readGitCommit(reader.bytes()); break;
      default: reader.skip(wireType, field); // host (13), settings (11), entity (2): never read
    }
  }
  const text = (field: number): string | undefined => {
    const value = strings.get(field);
    return value === undefined || value === '' ? undefined : value;
  };
  const run: RunInfoRecord = {
    runId: text(1),
    project: text(3),
    group: text(6),
    jobType: text(7),
    displayName: text(8),
    notes: text(9),
    sweepId: text(12),
    tags,
    startTimeMs,
    gitCommit: gitCommit === '' ? undefined : gitCommit,
    config,
    summary,
  };
  return dropUndefined(run);
}

function readTimestamp(data: Uint8Array): number | undefined {
  const reader = new BinaryReader(data);
  let seconds = 0;
  let nanos = 0;
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.Varint) seconds = Number(reader.int64());
    else if (field === 2 && wireType === WireType.Varint) nanos = reader.int32();
    else reader.skip(wireType, field);
  }
  const ms = seconds * 1000 + Math.floor(nanos / 1e6);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

function readGitCommit(data: Uint8Array): string | undefined {
  const reader = new BinaryReader(data);
  let commit: string | undefined;
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 2 && wireType === WireType.LengthDelimited) commit = reader.string();
    else reader.skip(wireType, field);
  }
  return commit;
}

function readExit(data: Uint8Array): ExitRecord {
  const reader = new BinaryReader(data);
  let exitCode = 0;
  let runtimeSeconds = 0;
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.Varint) exitCode = reader.int32();
    else if (field === 2 && wireType === WireType.Varint) runtimeSeconds = reader.int32();
    else reader.skip(wireType, field);
  }
  return { exitCode, runtimeSeconds };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
