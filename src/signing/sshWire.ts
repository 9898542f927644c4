// SSH wire-format reading (RFC 4251 §5): uint32, length-prefixed strings and mpints, with clear errors on truncation.

/** Raised when a blob ends early or holds a value out of range; the message names what was being read. */
export class SshWireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SshWireError';
  }
}

/** Reads an SSH wire blob front to back; every read checks the remaining length first, so no read runs past the end. */
export class SshReader {
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  uint32(what: string): number {
    if (this.remaining < 4) throw new SshWireError(`truncated: ${what} needs 4 bytes, ${this.remaining} left at byte ${this.offset}`);
    const b = this.bytes;
    const value = ((b[this.offset]! << 24) >>> 0) + (b[this.offset + 1]! << 16) + (b[this.offset + 2]! << 8) + b[this.offset + 3]!;
    this.offset += 4;
    return value;
  }

  raw(length: number, what: string): Uint8Array {
    if (this.remaining < length) throw new SshWireError(`truncated: ${what} needs ${length} bytes, ${this.remaining} left at byte ${this.offset}`);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  /** A length-prefixed byte string. */
  string(what: string): Uint8Array {
    return this.raw(this.uint32(`length of ${what}`), what);
  }

  /** A length-prefixed string read as text (SSH names and namespaces are ASCII/UTF-8). */
  text(what: string): string {
    return Buffer.from(this.string(what)).toString('utf8');
  }

  /** An mpint as its unsigned big-endian magnitude (leading zero bytes stripped); negative values are refused. */
  mpint(what: string): Uint8Array {
    const bytes = this.string(what);
    if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) throw new SshWireError(`${what} is negative`);
    let start = 0;
    while (start < bytes.length && bytes[start] === 0) start++;
    return bytes.subarray(start);
  }

  /** Refuses trailing bytes: a blob with more in it than its format holds is not the blob that was signed. */
  end(what: string): void {
    if (this.remaining !== 0) throw new SshWireError(`${this.remaining} unexpected trailing bytes after ${what}`);
  }
}

/** SSH wire encoding of a byte string: uint32 length then the bytes. */
export function sshString(value: Uint8Array | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
