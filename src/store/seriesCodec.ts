/**
 * Compact encoding of a chunk of metric points (step, timestamp, value), stored as one BLOB.
 *
 * Layout, version 1 (all multi-byte numbers little-endian):
 *   u8 version, u8 flags, varint count
 *   steps:      flags.STEPS_RAW ? f64 x count
 *             : flags.STEPS_ARITHMETIC ? zigzag start, zigzag stride
 *             : zigzag first, zigzag delta x (count - 1)
 *   timestamps: flags.TIMES_RAW ? f64 x count : zigzag first, zigzag delta x (count - 1)
 *   values:     flags.VALUES_F32 ? f32 x count : f64 x count
 *
 * Typical training logs (steps 0,1,2..., timestamps milliseconds apart, float32 values from a
 * framework) cost about 4 + 1..3 bytes per point; float64 values about 8 + 1..3. Encoding is exact:
 * a value is stored as f32 only when the whole chunk round-trips through f32 unchanged.
 */

const VERSION = 1;
const STEPS_ARITHMETIC = 1;
const STEPS_RAW = 2;
const TIMES_RAW = 4;
const VALUES_F32 = 8;

export interface DecodedChunk {
  readonly steps: Float64Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

export class ChunkFormatError extends Error {
  override name = 'ChunkFormatError';
}

export function encodeChunk(
  steps: ArrayLike<number>,
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
  start = 0,
  end = values.length,
): Uint8Array {
  const count = end - start;
  if (count < 0 || steps.length < end || timestamps.length < end) {
    throw new RangeError('encodeChunk: arrays shorter than the range');
  }
  let flags = 0;
  const stepsAreIntegers = allSafeIntegers(steps, start, end);
  if (!stepsAreIntegers) {
    flags |= STEPS_RAW;
  } else if (isArithmetic(steps, start, end)) {
    flags |= STEPS_ARITHMETIC;
  }
  if (!allSafeIntegers(timestamps, start, end)) {
    flags |= TIMES_RAW;
  }
  if (fitsFloat32(values, start, end)) {
    flags |= VALUES_F32;
  }
  const out = new ByteWriter(16 + count * 12);
  out.u8(VERSION);
  out.u8(flags);
  out.varint(count);
  if (count > 0) {
    if (flags & STEPS_RAW) {
      for (let i = start; i < end; i++) out.f64(steps[i]);
    } else if (flags & STEPS_ARITHMETIC) {
      out.zigzag(steps[start]);
      out.zigzag(count > 1 ? steps[start + 1] - steps[start] : 0);
    } else {
      writeDeltas(out, steps, start, end);
    }
    if (flags & TIMES_RAW) {
      for (let i = start; i < end; i++) out.f64(timestamps[i]);
    } else {
      writeDeltas(out, timestamps, start, end);
    }
    if (flags & VALUES_F32) {
      for (let i = start; i < end; i++) out.f32(values[i]);
    } else {
      for (let i = start; i < end; i++) out.f64(values[i]);
    }
  }
  return out.finish();
}

export function decodeChunk(bytes: Uint8Array): DecodedChunk {
  const input = new ByteReader(bytes);
  const version = input.u8();
  if (version !== VERSION) {
    throw new ChunkFormatError(`unknown chunk version ${version}`);
  }
  const flags = input.u8();
  const count = input.varint();
  if (count > bytes.length * 8) {
    throw new ChunkFormatError(`chunk claims ${count} points in ${bytes.length} bytes`);
  }
  const steps = new Float64Array(count);
  const timestamps = new Float64Array(count);
  const values = new Float64Array(count);
  if (count > 0) {
    if (flags & STEPS_RAW) {
      for (let i = 0; i < count; i++) steps[i] = input.f64();
    } else if (flags & STEPS_ARITHMETIC) {
      const first = input.zigzag();
      const stride = input.zigzag();
      for (let i = 0; i < count; i++) steps[i] = first + stride * i;
    } else {
      readDeltas(input, steps);
    }
    if (flags & TIMES_RAW) {
      for (let i = 0; i < count; i++) timestamps[i] = input.f64();
    } else {
      readDeltas(input, timestamps);
    }
    if (flags & VALUES_F32) {
      for (let i = 0; i < count; i++) values[i] = input.f32();
    } else {
      for (let i = 0; i < count; i++) values[i] = input.f64();
    }
  }
  if (!input.atEnd()) {
    throw new ChunkFormatError(`${bytes.length - input.position} trailing bytes in chunk`);
  }
  return { steps, timestamps, values };
}

function allSafeIntegers(array: ArrayLike<number>, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const v = array[i];
    // The deltas of two safe integers must stay safe too; keep well inside the range.
    if (!Number.isInteger(v) || Math.abs(v) > 2 ** 51 || Object.is(v, -0)) return false;
  }
  return true;
}

function isArithmetic(array: ArrayLike<number>, start: number, end: number): boolean {
  if (end - start < 2) return true;
  const stride = array[start + 1] - array[start];
  for (let i = start + 2; i < end; i++) {
    if (array[i] - array[i - 1] !== stride) return false;
  }
  return true;
}

function fitsFloat32(array: ArrayLike<number>, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const v = array[i];
    // NaN never equals itself but survives f32; -0 === 0 and f32 keeps the sign of zero.
    if (Math.fround(v) !== v && !Number.isNaN(v)) return false;
  }
  return true;
}

function writeDeltas(out: ByteWriter, array: ArrayLike<number>, start: number, end: number): void {
  out.zigzag(array[start]);
  for (let i = start + 1; i < end; i++) out.zigzag(array[i] - array[i - 1]);
}

function readDeltas(input: ByteReader, target: Float64Array): void {
  let current = input.zigzag();
  target[0] = current;
  for (let i = 1; i < target.length; i++) {
    current += input.zigzag();
    target[i] = current;
  }
}

class ByteWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(capacity: number) {
    this.buffer = new Uint8Array(Math.max(16, capacity));
    this.view = new DataView(this.buffer.buffer);
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + extra));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buffer[this.length++] = v;
  }

  /** Unsigned LEB128 of a non-negative integer up to 2^53, with arithmetic (not 32-bit) operations. */
  varint(v: number): void {
    this.ensure(8);
    while (v >= 128) {
      this.buffer[this.length++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buffer[this.length++] = v;
  }

  zigzag(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  f32(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.length, v, true);
    this.length += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

class ByteReader {
  position = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): void {
    if (this.position + n > this.bytes.length) {
      throw new ChunkFormatError(`chunk truncated at byte ${this.position}`);
    }
  }

  atEnd(): boolean {
    return this.position === this.bytes.length;
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.position++];
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.u8();
      result += (byte & 127) * scale;
      if (byte < 128) return result;
      scale *= 128;
    }
    throw new ChunkFormatError(`varint too long at byte ${this.position}`);
  }

  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  f32(): number {
    this.need(4);
    const v = this.view.getFloat32(this.position, true);
    this.position += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.position, true);
    this.position += 8;
    return v;
  }
}
