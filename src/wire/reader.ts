/**
 * Reads the protobuf wire format straight into plain values. Hand-written because the SDK's generated decoder builds
 * an intermediate `Value` object per JSON value and then unwraps it; for a 40 KB request that was a quarter of the
 * function's CPU time (docs/benchmarks.md).
 */
export class WireError extends Error {}

export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

/** The decoder refuses to nest deeper than this, as the SDK's does, so a hostile request cannot exhaust the stack. */
export const MAX_DEPTH = 100;

/**
 * Most strings in Kubernetes objects are short ASCII keys and values; building those in JavaScript is cheaper than a
 * call into the native UTF-8 decoder per string.
 */
const SHORT_STRING = 24;

function asciiString(buf: Buffer, start: number, end: number): string | undefined {
  let value = '';
  for (let i = start; i < end; i++) {
    const byte = buf[i]!;
    if (byte >= 0x80) return undefined;
    value += String.fromCharCode(byte);
  }
  return value;
}

export class WireReader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  /** An unsigned varint up to 2^53; tags, lengths and non-negative enums. */
  varint(): number {
    const buf = this.buf;
    let byte = buf[this.pos++]!;
    if (byte < 0x80) return byte;
    let value = byte & 0x7f;
    let scale = 0x80;
    for (let i = 1; i < 10; i++) {
      if (this.pos >= buf.length) throw new WireError('truncated varint');
      byte = buf[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** An int32 (enums): negative values arrive as 10-byte varints and keep their low 32 bits. */
  int32(): number {
    const start = this.pos;
    const value = this.varint();
    return this.pos - start > 5 ? this.lowBits(start) : value | 0;
  }

  private lowBits(start: number): number {
    let low = 0;
    for (let i = 0; i < 5; i++) low |= (this.buf[start + i]! & 0x7f) << (7 * i);
    return low | 0;
  }

  /** Reads a length prefix and returns where the delimited content ends. */
  end(): number {
    const length = this.varint();
    const end = this.pos + length;
    if (end > this.buf.length) throw new WireError('length beyond the end of the message');
    return end;
  }

  string(): string {
    const end = this.end();
    const start = this.pos;
    this.pos = end;
    if (end - start <= SHORT_STRING) {
      const ascii = asciiString(this.buf, start, end);
      if (ascii !== undefined) return ascii;
    }
    return this.buf.toString('utf8', start, end);
  }

  /** A copy, so the request's buffer can be released once decoded. */
  bytes(): Buffer {
    const end = this.end();
    const value = Buffer.from(this.buf.subarray(this.pos, end));
    this.pos = end;
    return value;
  }

  double(): number {
    if (this.pos + 8 > this.buf.length) throw new WireError('truncated double');
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  /** Skips a field this decoder does not know, as protobuf requires of readers of newer messages. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.varint:
        this.varint();
        return;
      case WireType.fixed64:
        this.pos += 8;
        break;
      case WireType.lengthDelimited:
        this.pos = this.end();
        return;
      case WireType.fixed32:
        this.pos += 4;
        break;
      default:
        throw new WireError(`unsupported wire type ${wireType}`);
    }
    if (this.pos > this.buf.length) throw new WireError('truncated field');
  }
}
