/**
 * Builds `.wandb` logs the way wandb's Python writer does (wandb/sdk/internal/datastore.py,
 * `_write_data`), independently of the importer's code: a hand-written protobuf wire encoder and
 * Node's zlib CRC-32 (the function datastore.py calls), not the crc-32 package the reader uses.
 */
import { crc32 } from 'node:zlib';

export const BLOCK = 32768;
export const HEADER = 7;

// ---------------------------------------------------------------------------------------------
// Protobuf wire encoding.

export function varint(value: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return Buffer.from(out);
}

function key(field: number, wireType: number): Buffer {
  return varint((field << 3) | wireType);
}

export function varintField(field: number, value: number | bigint): Buffer {
  return Buffer.concat([key(field, 0), varint(value)]);
}

export function bytesField(field: number, value: Buffer | string): Buffer {
  const body = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([key(field, 2), varint(body.length), body]);
}

export function fixed64Field(field: number, value: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeDoubleLE(value);
  return Buffer.concat([key(field, 1), body]);
}

// ---------------------------------------------------------------------------------------------
// wandb_internal.proto messages.

/** HistoryItem / ConfigItem / SummaryItem: key = 1, nested_key = 2, value_json = 16. */
export function item(path: string | string[], valueJson: string): Buffer {
  const keyPart = typeof path === 'string' ? bytesField(1, path) : Buffer.concat(path.map((part) => bytesField(2, part)));
  return Buffer.concat([keyPart, bytesField(16, valueJson)]);
}

export function record(field: number, body: Buffer, num = 0): Buffer {
  return Buffer.concat([num > 0 ? varintField(1, num) : Buffer.alloc(0), bytesField(field, body)]);
}

/** Record.history = 2; HistoryRecord.item = 1, step = 2 (HistoryStep.num = 1). */
export function historyRecord(items: [string | string[], string][], stepNum?: number): Buffer {
  const parts = items.map(([path, json]) => bytesField(1, item(path, json)));
  if (stepNum !== undefined) parts.push(bytesField(2, varintField(1, stepNum)));
  return record(2, Buffer.concat(parts));
}

/** One history row as wandb writes it: `_step`, `_timestamp`, `_runtime` and the values. */
export function historyRow(step: number, timestampSeconds: number, values: Record<string, string>): Buffer {
  const items: [string, string][] = [['_step', String(step)], ['_timestamp', String(timestampSeconds)], ['_runtime', '1.5']];
  for (const [name, json] of Object.entries(values)) items.push([name, json]);
  return historyRecord(items);
}

function update(updates: [string | string[], string][], removes: (string | string[])[] = []): Buffer {
  return Buffer.concat([...updates.map(([path, json]) => bytesField(1, item(path, json))), ...removes.map((path) => bytesField(2, item(path, '')))]);
}

/** Record.config = 5. */
export function configRecord(updates: [string | string[], string][], removes: (string | string[])[] = []): Buffer {
  return record(5, update(updates, removes));
}

/** Record.summary = 3. */
export function summaryRecord(updates: [string | string[], string][], removes: (string | string[])[] = []): Buffer {
  return record(3, update(updates, removes));
}

export interface RunFields {
  runId?: string;
  entity?: string;
  project?: string;
  displayName?: string;
  host?: string;
  /** SettingsRecord items (key = 1, value_json = 16), e.g. email. */
  settings?: Record<string, string>;
  startSeconds?: number;
  startNanos?: number;
  gitCommit?: string;
  gitRemote?: string;
  tags?: string[];
  group?: string;
  config?: [string, string][];
}

/** Record.run = 17. */
export function runRecord(fields: RunFields): Buffer {
  const parts: Buffer[] = [];
  if (fields.runId !== undefined) parts.push(bytesField(1, fields.runId));
  if (fields.entity !== undefined) parts.push(bytesField(2, fields.entity));
  if (fields.project !== undefined) parts.push(bytesField(3, fields.project));
  if (fields.config !== undefined) parts.push(bytesField(4, update(fields.config)));
  if (fields.group !== undefined) parts.push(bytesField(6, fields.group));
  if (fields.displayName !== undefined) parts.push(bytesField(8, fields.displayName));
  for (const tag of fields.tags ?? []) parts.push(bytesField(10, tag));
  if (fields.settings !== undefined) {
    const items = Object.entries(fields.settings).map(([name, json]) => bytesField(1, Buffer.concat([bytesField(1, name), bytesField(16, json)])));
    parts.push(bytesField(11, Buffer.concat(items)));
  }
  if (fields.host !== undefined) parts.push(bytesField(13, fields.host));
  if (fields.startSeconds !== undefined) {
    parts.push(bytesField(17, Buffer.concat([varintField(1, fields.startSeconds), varintField(2, fields.startNanos ?? 0)])));
  }
  if (fields.gitCommit !== undefined || fields.gitRemote !== undefined) {
    parts.push(bytesField(21, Buffer.concat([bytesField(1, fields.gitRemote ?? ''), bytesField(2, fields.gitCommit ?? '')])));
  }
  return record(17, Buffer.concat(parts));
}

/** Record.exit = 18: exit_code = 1, runtime = 2. */
export function exitRecord(exitCode: number, runtimeSeconds = 0): Buffer {
  return record(18, Buffer.concat([varintField(1, exitCode), varintField(2, runtimeSeconds)]));
}

/** Record.output = 4 (console output): a record type the importer must skip. */
export function outputRecord(line: string): Buffer {
  return record(4, Buffer.concat([varintField(1, 1), bytesField(3, line)]));
}

// ---------------------------------------------------------------------------------------------
// Framing.

export interface Chunk {
  readonly offset: number;
  readonly type: number;
  readonly length: number;
}

export interface WrittenLog {
  readonly bytes: Buffer;
  /** File offset where each record's first chunk starts and where its last chunk ends. */
  readonly records: { start: number; end: number }[];
  readonly chunks: Chunk[];
}

export const FILE_HEADER = Buffer.from([0x3a, 0x57, 0x26, 0x42, 0xe1, 0xbe, 0x00]);

/** `_write_data` of datastore.py, for each payload in turn, after the 7-byte file header. */
export function writeLog(payloads: Buffer[], withHeader = true): WrittenLog {
  const parts: Buffer[] = [];
  const records: { start: number; end: number }[] = [];
  const chunks: Chunk[] = [];
  let index = 0;
  const write = (bytes: Buffer): void => {
    parts.push(bytes);
    index += bytes.length;
  };
  const writeChunk = (data: Buffer, type: number): void => {
    chunks.push({ offset: index, type, length: data.length });
    const header = Buffer.alloc(HEADER);
    header.writeUInt32LE(crc32(data, crc32(Buffer.from([type]))) >>> 0, 0);
    header.writeUInt16LE(data.length, 4);
    header[6] = type;
    write(header);
    write(data);
  };
  if (withHeader) write(FILE_HEADER);
  for (const payload of payloads) {
    let spaceLeft = BLOCK - (index % BLOCK);
    if (spaceLeft < HEADER) {
      write(Buffer.alloc(spaceLeft));
      spaceLeft = BLOCK;
    }
    const start = index;
    if (payload.length + HEADER <= spaceLeft) {
      writeChunk(payload, 1);
    } else {
      const room = spaceLeft - HEADER;
      writeChunk(payload.subarray(0, room), 2);
      let used = room;
      while (payload.length - used > BLOCK - HEADER) {
        writeChunk(payload.subarray(used, used + BLOCK - HEADER), 3);
        used += BLOCK - HEADER;
      }
      writeChunk(payload.subarray(used), 4);
    }
    records.push({ start, end: index });
  }
  return { bytes: Buffer.concat(parts), records, chunks };
}
