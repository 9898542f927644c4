/**
 * Wire-level decoding of TensorFlow's `Event` protobuf (tensorflow/core/util/event.proto) and the
 * few messages inside it that carry scalars and hyperparameters. Only the fields used here are
 * read; everything else (graphs, histograms, images, run metadata) is skipped by wire type.
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

export interface TensorValue {
  /** tensorflow.DataType. */
  readonly dtype: number;
  /** Dimension sizes; empty for a scalar. */
  readonly shape: number[];
  readonly content?: Uint8Array;
  readonly floatVal: number[];
  readonly doubleVal: number[];
  readonly intVal: number[];
  readonly int64Val: number[];
  readonly halfVal: number[];
}

export interface SummaryValue {
  readonly tag: string;
  /** Set only when the field is present: 0 is a real value. */
  readonly simpleValue?: number;
  readonly pluginName?: string;
  readonly pluginContent?: Uint8Array;
  readonly tensor?: TensorValue;
}

export interface TfEvent {
  /** Seconds since the epoch. */
  readonly wallTime: number;
  readonly step: number;
  readonly fileVersion?: string;
  readonly values: SummaryValue[];
}

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** Decodes one record's bytes. Never throws: malformed bytes come back as `{ ok: false }`. */
export function decodeEvent(data: Uint8Array): Decoded<TfEvent> {
  return guarded(() => readEvent(data));
}

/** Decodes `SummaryMetadata.plugin_data.content` of the "hparams" plugin into the session's hyperparameters. */
export function decodeHParams(content: Uint8Array): Decoded<Map<string, string>> {
  return guarded(() => readHParamsPluginData(content));
}

const DT_FLOAT = 1;
const DT_DOUBLE = 2;
const DT_INT32 = 3;
const DT_INT64 = 9;
const DT_BFLOAT16 = 14;
const DT_HALF = 19;

/** The single number a scalar tensor holds, or undefined when it holds none or several, or a type with no number. */
export function tensorScalar(tensor: TensorValue): number | undefined {
  if (tensor.shape.some((size) => size !== 1)) return undefined;
  const content = tensor.content;
  if (content !== undefined && content.length > 0) {
    const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
    const exactly = (bytes: number): boolean => content.length === bytes;
    switch (tensor.dtype) {
      case DT_FLOAT: return exactly(4) ? view.getFloat32(0, true) : undefined;
      case DT_DOUBLE: return exactly(8) ? view.getFloat64(0, true) : undefined;
      case DT_INT32: return exactly(4) ? view.getInt32(0, true) : undefined;
      case DT_INT64: return exactly(8) ? Number(view.getBigInt64(0, true)) : undefined;
      case DT_HALF: return exactly(2) ? halfToNumber(view.getUint16(0, true)) : undefined;
      case DT_BFLOAT16: return exactly(2) ? bfloat16ToNumber(view.getUint16(0, true)) : undefined;
      default: return undefined;
    }
  }
  const single = (values: number[]): number | undefined => (values.length === 1 ? values[0] : undefined);
  switch (tensor.dtype) {
    case DT_FLOAT: return single(tensor.floatVal);
    case DT_DOUBLE: return single(tensor.doubleVal);
    case DT_INT32: return single(tensor.intVal);
    case DT_INT64: return single(tensor.int64Val);
    case DT_HALF: { const bits = single(tensor.halfVal); return bits === undefined ? undefined : halfToNumber(bits); }
    case DT_BFLOAT16: { const bits = single(tensor.halfVal); return bits === undefined ? undefined : bfloat16ToNumber(bits); }
    default: return undefined;
  }
}

export const SCALARS_PLUGIN = 'scalars';
export const HPARAMS_PLUGIN = 'hparams';

export interface EventContent {
  readonly scalars: { readonly tag: string; readonly value: number }[];
  readonly hparams: Uint8Array[];
}

/**
 * The scalars and hparams payloads of one event. TF2 writes a tag's `SummaryMetadata` only with the
 * tag's first event, so `tagPlugins` (tag → plugin name, per file) remembers it for the later ones;
 * it is updated in place and must outlive the read (it is kept in the file's cursor).
 */
export function contentOf(event: TfEvent, tagPlugins: Map<string, string>): EventContent {
  const scalars: { tag: string; value: number }[] = [];
  const hparams: Uint8Array[] = [];
  for (const value of event.values) {
    if (value.pluginName !== undefined && value.pluginName !== '') tagPlugins.set(value.tag, value.pluginName);
    const plugin = value.pluginName || tagPlugins.get(value.tag);
    if (plugin === HPARAMS_PLUGIN) {
      if (value.pluginContent !== undefined) hparams.push(value.pluginContent);
      continue;
    }
    if (value.simpleValue !== undefined) {
      scalars.push({ tag: value.tag, value: value.simpleValue });
    } else if (value.tensor !== undefined && plugin === SCALARS_PLUGIN) {
      const number = tensorScalar(value.tensor);
      if (number !== undefined) scalars.push({ tag: value.tag, value: number });
    }
  }
  return { scalars, hparams };
}

function guarded<T>(read: () => T): Decoded<T> {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Calls `onField` for each field; a field it does not consume (returns false) is skipped by wire type. */
function forEachField(bytes: Uint8Array, onField: (reader: BinaryReader, field: number, wireType: WireType) => boolean): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (!onField(reader, field, wireType)) reader.skip(wireType, field);
  }
  if (reader.pos !== reader.len) throw new RangeError('premature end of message');
}

function readEvent(data: Uint8Array): TfEvent {
  let wallTime = 0;
  let step = 0;
  let fileVersion: string | undefined;
  const values: SummaryValue[] = [];
  forEachField(data, (reader, field, wireType) => {
    if (field === 1 && wireType === WireType.Bit64) wallTime = reader.double();
    else if (field === 2 && wireType === WireType.Varint) step = Number(reader.int64());
    else if (field === 3 && wireType === WireType.LengthDelimited) fileVersion = reader.string();
    else if (field === 5 && wireType === WireType.LengthDelimited) values.push(...readSummary(reader.bytes()));
    else return false;
    return true;
  });
  return { wallTime, step, fileVersion, values };
}

function readSummary(bytes: Uint8Array): SummaryValue[] {
  const values: SummaryValue[] = [];
  forEachField(bytes, (reader, field, wireType) => {
    if (field !== 1 || wireType !== WireType.LengthDelimited) return false;
    values.push(readSummaryValue(reader.bytes()));
    return true;
  });
  return values;
}

function readSummaryValue(bytes: Uint8Array): SummaryValue {
  let tag = '';
  let simpleValue: number | undefined;
  let plugin: { name?: string; content?: Uint8Array } = {};
  let tensor: TensorValue | undefined;
  forEachField(bytes, (reader, field, wireType) => {
    if (field === 1 && wireType === WireType.LengthDelimited) tag = reader.string();
    else if (field === 2 && wireType === WireType.Bit32) simpleValue = reader.float();
    else if (field === 9 && wireType === WireType.LengthDelimited) plugin = readSummaryMetadata(reader.bytes());
    else if (field === 8 && wireType === WireType.LengthDelimited) tensor = readTensor(reader.bytes());
    else return false;
    return true;
  });
  return { tag, simpleValue, pluginName: plugin.name, pluginContent: plugin.content, tensor };
}

function readSummaryMetadata(bytes: Uint8Array): { name?: string; content?: Uint8Array } {
  let plugin: { name?: string; content?: Uint8Array } = {};
  forEachField(bytes, (reader, field, wireType) => {
    if (field !== 1 || wireType !== WireType.LengthDelimited) return false;
    const pluginData = reader.bytes();
    forEachField(pluginData, (inner, innerField, innerWireType) => {
      if (innerWireType !== WireType.LengthDelimited) return false;
      if (innerField === 1) plugin = { ...plugin, name: inner.string() };
      else if (innerField === 2) plugin = { ...plugin, content: inner.bytes() };
      else return false;
      return true;
    });
    return true;
  });
  return plugin;
}

function readTensor(bytes: Uint8Array): TensorValue {
  let dtype = 0;
  let shape: number[] = [];
  let content: Uint8Array | undefined;
  const floatVal: number[] = [];
  const doubleVal: number[] = [];
  const intVal: number[] = [];
  const int64Val: number[] = [];
  const halfVal: number[] = [];
  forEachField(bytes, (reader, field, wireType) => {
    switch (field) {
      case 1: if (wireType !== WireType.Varint) return false; dtype = reader.int32(); return true;
      case 2: if (wireType !== WireType.LengthDelimited) return false; shape = readShape(reader.bytes()); return true;
      case 4: if (wireType !== WireType.LengthDelimited) return false; content = reader.bytes(); return true;
      case 5: return readRepeated(reader, wireType, WireType.Bit32, () => reader.float(), floatVal);
      case 6: return readRepeated(reader, wireType, WireType.Bit64, () => reader.double(), doubleVal);
      case 7: return readRepeated(reader, wireType, WireType.Varint, () => reader.int32(), intVal);
      case 10: return readRepeated(reader, wireType, WireType.Varint, () => Number(reader.int64()), int64Val);
      case 13: return readRepeated(reader, wireType, WireType.Varint, () => reader.int32(), halfVal);
      default: return false;
    }
  });
  return { dtype, shape, content, floatVal, doubleVal, intVal, int64Val, halfVal };
}

/** Repeated numbers arrive packed (one length-delimited run) or one per tag; parsers must accept both. */
function readRepeated(reader: BinaryReader, wireType: WireType, elementWireType: WireType, readOne: () => number, into: number[]): boolean {
  if (wireType === elementWireType) {
    into.push(readOne());
    return true;
  }
  if (wireType !== WireType.LengthDelimited) return false;
  const length = reader.uint32();
  const end = reader.pos + length;
  if (end > reader.len) throw new RangeError('premature end of packed field');
  while (reader.pos < end) into.push(readOne());
  if (reader.pos !== end) throw new RangeError('packed field overruns its length');
  return true;
}

function readShape(bytes: Uint8Array): number[] {
  const sizes: number[] = [];
  forEachField(bytes, (reader, field, wireType) => {
    if (field !== 2 || wireType !== WireType.LengthDelimited) return false;
    let size = 0;
    forEachField(reader.bytes(), (inner, innerField, innerWireType) => {
      if (innerField !== 1 || innerWireType !== WireType.Varint) return false;
      size = Number(inner.int64());
      return true;
    });
    sizes.push(size);
    return true;
  });
  return sizes;
}

/** tensorboard/plugins/hparams/plugin_data.proto: HParamsPluginData.session_start_info (3).hparams (1). */
function readHParamsPluginData(content: Uint8Array): Map<string, string> {
  const hparams = new Map<string, string>();
  forEachField(content, (reader, field, wireType) => {
    if (field !== 3 || wireType !== WireType.LengthDelimited) return false;
    forEachField(reader.bytes(), (sessionStart, sessionField, sessionWireType) => {
      if (sessionField !== 1 || sessionWireType !== WireType.LengthDelimited) return false;
      const [key, value] = readMapEntry(sessionStart.bytes());
      hparams.set(key, value === undefined ? '' : valueText(value));
      return true;
    });
    return true;
  });
  return hparams;
}

/** A google.protobuf.Value, as far as needed to print it. */
type ProtoValue =
  | { kind: 'null' }
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'struct'; fields: [string, ProtoValue | undefined][] }
  | { kind: 'list'; values: ProtoValue[] };

const MAX_VALUE_DEPTH = 32;

function readMapEntry(bytes: Uint8Array, depth = 0): [string, ProtoValue | undefined] {
  let key = '';
  let value: ProtoValue | undefined;
  forEachField(bytes, (reader, field, wireType) => {
    if (wireType !== WireType.LengthDelimited) return false;
    if (field === 1) key = reader.string();
    else if (field === 2) value = readProtoValue(reader.bytes(), depth + 1);
    else return false;
    return true;
  });
  return [key, value];
}

function readProtoValue(bytes: Uint8Array, depth: number): ProtoValue {
  if (depth > MAX_VALUE_DEPTH) throw new RangeError('hparams value nested too deeply');
  let value: ProtoValue = { kind: 'null' };
  forEachField(bytes, (reader, field, wireType) => {
    if (field === 1 && wireType === WireType.Varint) { reader.int32(); value = { kind: 'null' }; }
    else if (field === 2 && wireType === WireType.Bit64) value = { kind: 'number', value: reader.double() };
    else if (field === 3 && wireType === WireType.LengthDelimited) value = { kind: 'string', value: reader.string() };
    else if (field === 4 && wireType === WireType.Varint) value = { kind: 'bool', value: reader.bool() };
    else if (field === 5 && wireType === WireType.LengthDelimited) {
      const fields: [string, ProtoValue | undefined][] = [];
      forEachField(reader.bytes(), (struct, structField, structWireType) => {
        if (structField !== 1 || structWireType !== WireType.LengthDelimited) return false;
        fields.push(readMapEntry(struct.bytes(), depth + 1));
        return true;
      });
      value = { kind: 'struct', fields };
    } else if (field === 6 && wireType === WireType.LengthDelimited) {
      const values: ProtoValue[] = [];
      forEachField(reader.bytes(), (list, listField, listWireType) => {
        if (listField !== 1 || listWireType !== WireType.LengthDelimited) return false;
        values.push(readProtoValue(list.bytes(), depth + 1));
        return true;
      });
      value = { kind: 'list', values };
    } else return false;
    return true;
  });
  return value;
}

/** Numbers print as the shortest text that reads back to the same double, as Python's repr does. */
function valueText(value: ProtoValue): string {
  switch (value.kind) {
    case 'null': return 'null';
    case 'number': return String(value.value);
    case 'string': return value.value;
    case 'bool': return String(value.value);
    case 'struct': return JSON.stringify(Object.fromEntries(value.fields.map(([key, field]) => [key, field === undefined ? null : jsonOf(field)])));
    case 'list': return JSON.stringify(value.values.map(jsonOf));
  }
}

function jsonOf(value: ProtoValue): unknown {
  switch (value.kind) {
    case 'null': return null;
    case 'number': return Number.isFinite(value.value) ? value.value : String(value.value);
    case 'string':
    case 'bool': return value.value;
    case 'struct': return Object.fromEntries(value.fields.map(([key, field]) => [key, field === undefined ? null : jsonOf(field)]));
    case 'list': return value.values.map(jsonOf);
  }
}

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function bfloat16ToNumber(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, (bits & 0xffff) << 16, false);
  return view.getFloat32(0, false);
}
