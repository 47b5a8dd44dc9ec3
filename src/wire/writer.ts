/**
 * Writes the protobuf wire format in two passes over the same field-emitting code: the first measures every nested
 * message and string (a length prefix comes before its content), the second writes into one buffer of the exact
 * size. No intermediate objects, no chunk copying; short ASCII strings (most of a Kubernetes object) are measured and
 * copied in JavaScript rather than through a native call each.
 */

/** Emits one message's fields; run once with a `Sizer` and once with a `Writer`. */
export interface Emitter {
  varint(field: number, value: number): void;
  double(field: number, value: number): void;
  string(field: number, value: string): void;
  bytes(field: number, value: Uint8Array): void;
  message<A, B>(field: number, fields: MessageFields<A, B>, a: A, b: B): void;
}

export type MessageFields<A, B = undefined> = (emit: Emitter, a: A, b: B) => void;

const LENGTH_DELIMITED = 2;

function varintSize(value: number): number {
  if (value < 0) return 10;
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  let size = 5;
  for (let rest = Math.floor(value / 0x800000000); rest > 0; rest = Math.floor(rest / 0x80)) size++;
  return size;
}

const SHORT_STRING = 64;

function utf8Length(value: string): number {
  const n = value.length;
  if (n > SHORT_STRING) return Buffer.byteLength(value, 'utf8');
  for (let i = 0; i < n; i++) if (value.charCodeAt(i) >= 0x80) return Buffer.byteLength(value, 'utf8');
  return n;
}

/** Field numbers in run_function.proto and struct.proto are all below 16: every tag is one byte. */
function tag(field: number, wireType: number): number {
  return (field << 3) | wireType;
}

class Sizer implements Emitter {
  size = 0;
  /** Lengths of messages and strings in the order the writer will meet them. */
  readonly lengths: number[] = [];

  varint(_field: number, value: number): void {
    this.size += 1 + varintSize(value);
  }
  double(): void {
    this.size += 9;
  }
  string(_field: number, value: string): void {
    const length = utf8Length(value);
    this.lengths.push(length);
    this.size += 1 + varintSize(length) + length;
  }
  bytes(_field: number, value: Uint8Array): void {
    this.size += 1 + varintSize(value.length) + value.length;
  }
  message<A, B>(_field: number, fields: MessageFields<A, B>, a: A, b: B): void {
    const slot = this.lengths.length;
    this.lengths.push(0);
    const outer = this.size;
    this.size = 0;
    fields(this, a, b);
    const length = this.size;
    this.lengths[slot] = length;
    this.size = outer + 1 + varintSize(length) + length;
  }
}

class Writer implements Emitter {
  pos = 0;
  private next = 0;
  constructor(
    readonly buf: Buffer,
    private readonly lengths: readonly number[],
  ) {}

  private raw(value: number): void {
    const buf = this.buf;
    if (value < 0x80 && value >= 0) {
      buf[this.pos++] = value;
      return;
    }
    if (value < 0) {
      let big = BigInt.asUintN(64, BigInt(value));
      while (big >= 0x80n) {
        buf[this.pos++] = Number(big & 0x7fn) | 0x80;
        big >>= 7n;
      }
      buf[this.pos++] = Number(big);
      return;
    }
    while (value >= 0x80) {
      buf[this.pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    buf[this.pos++] = value;
  }

  varint(field: number, value: number): void {
    this.buf[this.pos++] = tag(field, 0);
    this.raw(value);
  }
  double(field: number, value: number): void {
    this.buf[this.pos++] = tag(field, 1);
    this.pos = this.buf.writeDoubleLE(value, this.pos);
  }
  string(field: number, value: string): void {
    const length = this.lengths[this.next++]!;
    const buf = this.buf;
    buf[this.pos++] = tag(field, LENGTH_DELIMITED);
    this.raw(length);
    // UTF-8 is as long as the string only when every character is ASCII
    if (length === value.length && length <= SHORT_STRING) {
      let pos = this.pos;
      for (let i = 0; i < length; i++) buf[pos++] = value.charCodeAt(i);
      this.pos = pos;
    } else {
      this.pos += buf.write(value, this.pos, length, 'utf8');
    }
  }
  bytes(field: number, value: Uint8Array): void {
    this.buf[this.pos++] = tag(field, LENGTH_DELIMITED);
    this.raw(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }
  message<A, B>(field: number, fields: MessageFields<A, B>, a: A, b: B): void {
    this.buf[this.pos++] = tag(field, LENGTH_DELIMITED);
    this.raw(this.lengths[this.next++]!);
    fields(this, a, b);
  }
}

/** Encodes one top-level message. */
export function encode<A, B>(fields: MessageFields<A, B>, a: A, b: B): Buffer {
  const sizer = new Sizer();
  fields(sizer, a, b);
  const writer = new Writer(Buffer.allocUnsafe(sizer.size), sizer.lengths);
  fields(writer, a, b);
  if (writer.pos !== sizer.size) throw new Error(`protobuf writer: wrote ${writer.pos} bytes, measured ${sizer.size}`);
  return writer.buf;
}
