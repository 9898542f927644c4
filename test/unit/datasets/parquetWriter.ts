/**
 * A minimal Parquet writer for tests (no Parquet writer is installed, and binary test files from
 * other repositories cannot be fetched): flat columns, one uncompressed PLAIN-encoded data page
 * (v1) per column chunk, any number of row groups, and the footer in Thrift's compact protocol.
 *
 * File layout: "PAR1", then per row group and column a page header + page data, then the
 * FileMetaData struct, its length (4 bytes LE) and "PAR1" again. An OPTIONAL column's page starts
 * with its definition levels (1 = present, 0 = null) as one bit-packed run of the RLE/bit-packing
 * hybrid, prefixed by its byte length; only the present values follow.
 * Reference: https://github.com/apache/parquet-format (parquet.thrift, Encodings.md).
 */

// Thrift compact protocol field types
const T_BOOL_TRUE = 1;
const T_BOOL_FALSE = 2;
const T_I32 = 5;
const T_I64 = 6;
const T_BINARY = 8;
const T_LIST = 9;
const T_STRUCT = 12;

class ThriftWriter {
  private readonly bytes: number[] = [];
  private lastField: number[] = [0];

  private varint(value: bigint): void {
    let rest = value;
    while (rest >= 0x80n) {
      this.bytes.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.bytes.push(Number(rest));
  }

  private zigzag(value: bigint): void {
    this.varint(value >= 0n ? value << 1n : (-value << 1n) - 1n);
  }

  private fieldHeader(id: number, type: number): void {
    const last = this.lastField[this.lastField.length - 1];
    const delta = id - last;
    if (delta > 0 && delta <= 15) this.bytes.push((delta << 4) | type);
    else {
      this.bytes.push(type);
      this.zigzag(BigInt(id));
    }
    this.lastField[this.lastField.length - 1] = id;
  }

  i32(id: number, value: number): this {
    this.fieldHeader(id, T_I32);
    this.zigzag(BigInt(value));
    return this;
  }

  i64(id: number, value: number | bigint): this {
    this.fieldHeader(id, T_I64);
    this.zigzag(BigInt(value));
    return this;
  }

  bool(id: number, value: boolean): this {
    this.fieldHeader(id, value ? T_BOOL_TRUE : T_BOOL_FALSE);
    return this;
  }

  string(id: number, value: string): this {
    this.fieldHeader(id, T_BINARY);
    const encoded = Buffer.from(value, 'utf8');
    this.varint(BigInt(encoded.length));
    this.bytes.push(...encoded);
    return this;
  }

  struct(id: number, body: (writer: this) => void): this {
    this.fieldHeader(id, T_STRUCT);
    this.structBody(body);
    return this;
  }

  private structBody(body: (writer: this) => void): void {
    this.lastField.push(0);
    body(this);
    this.bytes.push(0); // stop
    this.lastField.pop();
  }

  private listHeader(id: number, size: number, elementType: number): void {
    this.fieldHeader(id, T_LIST);
    if (size < 15) this.bytes.push((size << 4) | elementType);
    else {
      this.bytes.push(0xf0 | elementType);
      this.varint(BigInt(size));
    }
  }

  structList<T>(id: number, items: readonly T[], body: (writer: this, item: T) => void): this {
    this.listHeader(id, items.length, T_STRUCT);
    for (const item of items) this.structBody((writer) => body(writer, item));
    return this;
  }

  i32List(id: number, items: readonly number[]): this {
    this.listHeader(id, items.length, T_I32);
    for (const item of items) this.zigzag(BigInt(item));
    return this;
  }

  stringList(id: number, items: readonly string[]): this {
    this.listHeader(id, items.length, T_BINARY);
    for (const item of items) {
      const encoded = Buffer.from(item, 'utf8');
      this.varint(BigInt(encoded.length));
      this.bytes.push(...encoded);
    }
    return this;
  }

  /** Closes the top-level struct (its stop byte) and returns the bytes. */
  toBuffer(): Buffer {
    return Buffer.from([...this.bytes, 0]);
  }
}

export type PhysicalType = 'BOOLEAN' | 'INT32' | 'INT64' | 'DOUBLE' | 'BYTE_ARRAY';
const PHYSICAL_TYPE_ID: Record<PhysicalType, number> = { BOOLEAN: 0, INT32: 1, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 };

export type ParquetValue = number | bigint | boolean | string | null;

export interface ParquetColumnSpec {
  readonly name: string;
  readonly type: PhysicalType;
  readonly optional: boolean;
  /** parquet.thrift ConvertedType: UTF8 = 0, DATE = 6, TIMESTAMP_MILLIS = 9, TIMESTAMP_MICROS = 10. */
  readonly convertedType?: number;
  /** The fields of the LogicalType union, e.g. STRING = field 1 (empty struct). */
  readonly logicalType?: (writer: ThriftWriter) => void;
  readonly values: readonly ParquetValue[];
}

export const STRING_LOGICAL = (writer: ThriftWriter): void => {
  writer.struct(1, () => undefined);
};
/** TIMESTAMP(isAdjustedToUTC, unit): field 8; TimeUnit union MILLIS = 1, MICROS = 2, NANOS = 3. */
export const timestampLogical = (unitField: 1 | 2 | 3) => (writer: ThriftWriter): void => {
  writer.struct(8, (ts) => ts.bool(1, true).struct(2, (unit) => unit.struct(unitField, () => undefined)));
};
export const DATE_LOGICAL = (writer: ThriftWriter): void => {
  writer.struct(6, () => undefined);
};

function plainValues(type: PhysicalType, values: readonly ParquetValue[]): Buffer {
  const present = values.filter((value) => value !== null);
  switch (type) {
    case 'BOOLEAN': {
      const packed = Buffer.alloc(Math.ceil(present.length / 8));
      present.forEach((value, index) => {
        if (value === true) packed[index >> 3] |= 1 << (index & 7);
      });
      return packed;
    }
    case 'INT32': {
      const out = Buffer.alloc(present.length * 4);
      present.forEach((value, index) => out.writeInt32LE(Number(value), index * 4));
      return out;
    }
    case 'INT64': {
      const out = Buffer.alloc(present.length * 8);
      present.forEach((value, index) => out.writeBigInt64LE(BigInt(value as number | bigint), index * 8));
      return out;
    }
    case 'DOUBLE': {
      const out = Buffer.alloc(present.length * 8);
      present.forEach((value, index) => out.writeDoubleLE(Number(value), index * 8));
      return out;
    }
    case 'BYTE_ARRAY':
      return Buffer.concat(
        present.map((value) => {
          const text = Buffer.from(String(value), 'utf8');
          const length = Buffer.alloc(4);
          length.writeUInt32LE(text.length);
          return Buffer.concat([length, text]);
        }),
      );
  }
}

/** Definition levels as one bit-packed run: header varint (groups << 1 | 1), 8 levels per byte. */
function definitionLevels(values: readonly ParquetValue[]): Buffer {
  const groups = Math.ceil(values.length / 8);
  const header: number[] = [];
  let run = (groups << 1) | 1;
  while (run >= 0x80) {
    header.push((run & 0x7f) | 0x80);
    run >>>= 7;
  }
  header.push(run);
  const packed = Buffer.alloc(groups);
  values.forEach((value, index) => {
    if (value !== null) packed[index >> 3] |= 1 << (index & 7);
  });
  const body = Buffer.concat([Buffer.from(header), packed]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([length, body]);
}

/** A page codec: Parquet's CompressionCodec id (parquet.thrift) and the compressor of its pages. */
export interface PageCodec {
  readonly id: number;
  readonly compress: (page: Buffer) => Buffer;
}

/** `rowGroups`: rows per row group, summing to the column length; `codec`: the pages' compression (none by default). */
export function writeParquet(columns: readonly ParquetColumnSpec[], rowGroups?: readonly number[], codec?: PageCodec): Buffer {
  const rowCount = columns[0]?.values.length ?? 0;
  const groupSizes = rowGroups ?? [rowCount];
  const parts: Buffer[] = [Buffer.from('PAR1')];
  let offset = 4;
  const groupMeta: { rows: number; chunks: { column: ParquetColumnSpec; offset: number; size: number; uncompressedSize: number; values: number }[] }[] = [];
  let groupStart = 0;
  for (const rows of groupSizes) {
    const chunks = [];
    for (const column of columns) {
      const values = column.values.slice(groupStart, groupStart + rows);
      const raw = Buffer.concat([column.optional ? definitionLevels(values) : Buffer.alloc(0), plainValues(column.type, values)]);
      const data = codec ? codec.compress(raw) : raw;
      const header = new ThriftWriter()
        .i32(1, 0) // DATA_PAGE
        .i32(2, raw.length) // uncompressed_page_size
        .i32(3, data.length) // compressed_page_size
        .struct(5, (page) => page.i32(1, values.length).i32(2, 0).i32(3, 3).i32(4, 3)) // PLAIN values, RLE levels
        .toBuffer();
      const page = Buffer.concat([header, data]);
      chunks.push({ column, offset, size: page.length, uncompressedSize: page.length - data.length + raw.length, values: values.length });
      parts.push(page);
      offset += page.length;
    }
    groupMeta.push({ rows, chunks });
    groupStart += rows;
  }
  const footer = new ThriftWriter()
    .i32(1, 1)
    .structList(2, [undefined, ...columns], (writer, column) => {
      if (column === undefined) {
        writer.string(4, 'schema').i32(5, columns.length);
        return;
      }
      writer.i32(1, PHYSICAL_TYPE_ID[column.type]).i32(3, column.optional ? 1 : 0).string(4, column.name);
      if (column.convertedType !== undefined) writer.i32(6, column.convertedType);
      if (column.logicalType) writer.struct(10, column.logicalType);
    })
    .i64(3, rowCount)
    .structList(4, groupMeta, (writer, group) => {
      writer
        .structList(1, group.chunks, (chunkWriter, chunk) => {
          chunkWriter.i64(2, chunk.offset).struct(3, (meta) =>
            meta
              .i32(1, PHYSICAL_TYPE_ID[chunk.column.type])
              .i32List(2, chunk.column.optional ? [0, 3] : [0])
              .stringList(3, [chunk.column.name])
              .i32(4, codec?.id ?? 0) // UNCOMPRESSED unless a codec is given
              .i64(5, chunk.values)
              .i64(6, chunk.uncompressedSize)
              .i64(7, chunk.size)
              .i64(9, chunk.offset),
          );
        })
        .i64(2, group.chunks.reduce((sum, chunk) => sum + chunk.size, 0))
        .i64(3, group.rows);
    })
    .string(6, 'model-ledger test writer')
    .toBuffer();
  const footerLength = Buffer.alloc(4);
  footerLength.writeUInt32LE(footer.length);
  parts.push(footer, footerLength, Buffer.from('PAR1'));
  return Buffer.concat(parts);
}
