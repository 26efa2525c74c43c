/**
 * The few protobuf encodings an event file needs (varint, 64-bit, 32-bit and length-delimited fields),
 * written by hand so core carries no protobuf dependency.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** Accumulates one protobuf message. */
export class ProtoWriter {
  private readonly parts: number[] = [];

  private varint(value: number): void {
    // Non-negative integers up to 2^53; protobuf varints carry 7 bits per byte, low bits first.
    let remaining = value;
    while (remaining >= 0x80) {
      this.parts.push((remaining % 0x80) | 0x80);
      remaining = Math.floor(remaining / 0x80);
    }
    this.parts.push(remaining);
  }

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** A non-negative integer field (int64/uint64/enum). */
  uint(field: number, value: number): this {
    this.key(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  /** A `double` field. */
  double(field: number, value: number): this {
    return this.fixed(field, WIRE_FIXED64, 8, (view) => view.setFloat64(0, value, true));
  }

  /** A `float` field (the value is rounded to float32). */
  float(field: number, value: number): this {
    return this.fixed(field, WIRE_FIXED32, 4, (view) => view.setFloat32(0, value, true));
  }

  /** A fixed-width little-endian field of `size` bytes that `write` fills. */
  private fixed(field: number, wireType: number, size: number, write: (view: DataView) => void): this {
    this.key(field, wireType);
    const bytes = new Uint8Array(size);
    write(new DataView(bytes.buffer));
    this.parts.push(...bytes);
    return this;
  }

  /** A `bytes` or embedded-message field. */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, WIRE_LENGTH_DELIMITED);
    this.varint(value.length);
    for (const byte of value) this.parts.push(byte);
    return this;
  }

  /** A `string` field, UTF-8 encoded. */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** The encoded message. */
  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}
