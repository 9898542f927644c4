/**
 * A small, independent writer of TensorBoard event files for tests: its own bitwise CRC32C and
 * protobuf encoder, so the importer's reading is checked against bytes it did not produce itself.
 */

/** Bitwise CRC32C (Castagnoli, reflected polynomial 0x82F63B78). */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export function masked(crc: number): number {
  const rotated = ((crc >>> 15) | (crc << 17)) >>> 0;
  return Number((BigInt(rotated) + 0xa282ead8n) % 0x1_0000_0000n);
}

/** One TFRecord: u64 length, masked CRC of the length, data, masked CRC of the data. */
export function frame(data: Uint8Array): Buffer {
  const header = Buffer.alloc(12);
  header.writeBigUInt64LE(BigInt(data.length), 0);
  header.writeUInt32LE(masked(crc32c(header.subarray(0, 8))), 8);
  const footer = Buffer.alloc(4);
  footer.writeUInt32LE(masked(crc32c(data)), 0);
  return Buffer.concat([header, Buffer.from(data), footer]);
}

function varint(value: bigint): number[] {
  let rest = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    out.push(rest === 0n ? low : low | 0x80);
  } while (rest !== 0n);
  return out;
}

/** Builds one protobuf message field by field. */
export class Message {
  private readonly parts: Buffer[] = [];

  varint(field: number, value: number | bigint | boolean): this {
    const number = typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value);
    this.parts.push(Buffer.from([...varint(BigInt((field << 3) | 0)), ...varint(number)]));
    return this;
  }

  double(field: number, value: number): this {
    const body = Buffer.alloc(8);
    body.writeDoubleLE(value, 0);
    this.parts.push(Buffer.from(varint(BigInt((field << 3) | 1))), body);
    return this;
  }

  float(field: number, value: number): this {
    const body = Buffer.alloc(4);
    body.writeFloatLE(value, 0);
    this.parts.push(Buffer.from(varint(BigInt((field << 3) | 5))), body);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.parts.push(Buffer.from([...varint(BigInt((field << 3) | 2)), ...varint(BigInt(value.length))]), Buffer.from(value));
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, value: Message): this {
    return this.bytes(field, value.finish());
  }

  packedFloats(field: number, values: number[]): this {
    const body = Buffer.alloc(values.length * 4);
    values.forEach((value, index) => body.writeFloatLE(value, index * 4));
    return this.bytes(field, body);
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export interface EventSpec {
  readonly wallTime?: number;
  readonly step?: number | bigint;
  readonly fileVersion?: string;
  readonly values?: Message[];
}

export function event(spec: EventSpec): Buffer {
  const message = new Message();
  message.double(1, spec.wallTime ?? 1_700_000_000.25);
  if (spec.step !== undefined) message.varint(2, spec.step);
  if (spec.fileVersion !== undefined) message.string(3, spec.fileVersion);
  if (spec.values !== undefined) {
    const summary = new Message();
    for (const value of spec.values) summary.message(1, value);
    message.message(5, summary);
  }
  return message.finish();
}

export function fileVersionRecord(wallTime = 1_700_000_000): Buffer {
  return frame(event({ wallTime, fileVersion: 'brain.Event:2' }));
}

/** TF1 / PyTorch / Lightning style scalar. */
export function simpleValue(tag: string, value: number): Message {
  return new Message().string(1, tag).float(2, value);
}

function metadata(pluginName: string, content?: Uint8Array): Message {
  const pluginData = new Message().string(1, pluginName);
  if (content !== undefined) pluginData.bytes(2, content);
  return new Message().message(1, pluginData);
}

export type TensorEncoding = 'float_val' | 'tensor_content' | 'double_val' | 'double_content';

/** TF2 `tf.summary.scalar`: a rank-0 tensor; the "scalars" metadata only when `withMetadata`. */
export function tensorScalar(tag: string, value: number, withMetadata: boolean, encoding: TensorEncoding = 'float_val'): Message {
  const tensor = new Message().varint(1, encoding.startsWith('double') ? 2 : 1).message(2, new Message());
  if (encoding === 'float_val') tensor.packedFloats(5, [value]);
  if (encoding === 'tensor_content') {
    const content = Buffer.alloc(4);
    content.writeFloatLE(value, 0);
    tensor.bytes(4, content);
  }
  if (encoding === 'double_val') {
    const content = Buffer.alloc(8);
    content.writeDoubleLE(value, 0);
    tensor.bytes(6, content);
  }
  if (encoding === 'double_content') {
    const content = Buffer.alloc(8);
    content.writeDoubleLE(value, 0);
    tensor.bytes(4, content);
  }
  const summaryValue = new Message().string(1, tag);
  if (withMetadata) summaryValue.message(9, metadata('scalars'));
  return summaryValue.message(8, tensor);
}

/** A TF2 histogram-like tensor (rank 2) of another plugin: never a scalar. */
export function histogramTensor(tag: string, withMetadata: boolean): Message {
  const shape = new Message().message(2, new Message().varint(1, 2)).message(2, new Message().varint(1, 3));
  const tensor = new Message().varint(1, 1).message(2, shape).packedFloats(5, [1, 2, 3, 4, 5, 6]);
  const summaryValue = new Message().string(1, tag);
  if (withMetadata) summaryValue.message(9, metadata('histograms'));
  return summaryValue.message(8, tensor);
}

/** An image summary (Summary.Value.image, field 4). */
export function imageValue(tag: string): Message {
  const image = new Message().varint(1, 2).varint(2, 2).varint(3, 3).bytes(4, Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  return new Message().string(1, tag).message(4, image);
}

export type HParamValue = number | string | boolean | null;

/** The "hparams" plugin's session_start_info, as TensorBoard's hparams API writes it. */
export function hparamsValue(hparams: Record<string, HParamValue>): Message {
  const sessionStart = new Message();
  for (const [key, value] of Object.entries(hparams)) {
    const protoValue = new Message();
    if (value === null) protoValue.varint(1, 0);
    else if (typeof value === 'number') protoValue.double(2, value);
    else if (typeof value === 'string') protoValue.string(3, value);
    else protoValue.varint(4, value);
    sessionStart.message(1, new Message().string(1, key).message(2, protoValue));
  }
  const pluginData = new Message().varint(1, 0).message(3, sessionStart);
  return new Message().string(1, '_hparams_/session_start_info').message(9, metadata('hparams', pluginData.finish()));
}

/** A value of the "hparams" plugin under `tag` with the given HParamsPluginData (e.g. `_hparams_/experiment`). */
export function hparamsPluginValue(tag: string, pluginData: Message): Message {
  return new Message().string(1, tag).message(9, metadata('hparams', pluginData.finish()));
}

export function records(...events: Buffer[]): Buffer {
  return Buffer.concat(events.map(frame));
}
