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
    this.key(field, WIRE_FIXED64);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    this.parts.push(...bytes);
    return this;
  }

  /** A `float` field (the value is rounded to float32). */
  float(field: number, value: number): this {
    this.key(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
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
