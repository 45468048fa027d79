import { DecodeError } from '@hekate/core';

/** Protobuf wire types. */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH = 2;
export const WIRE_FIXED32 = 5;

const TWO_32 = 4294967296;

/**
 * A Buffer with Node's `utf8Slice`, the UTF-8 decoder behind `toString('utf8', …)` without its
 * argument handling (protobufjs reads strings the same way).
 */
export interface Utf8Buffer extends Buffer {
  utf8Slice(start: number, end: number): string;
}

/** A Buffer view of bytes, without copying when they already are a Buffer. */
function asBuffer(bytes: Uint8Array): Utf8Buffer {
  return (
    Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  ) as Utf8Buffer;
}

/**
 * Reads protobuf wire format from a byte range. Every read is bounds-checked and every length is
 * checked against the bytes that remain before anything is sliced, so hostile input costs at most
 * its own size; any malformation throws a {@link DecodeError}.
 */
export class WireReader {
  readonly buf: Utf8Buffer;
  pos: number;
  /** End of the readable range (exclusive). */
  end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.buf = asBuffer(bytes);
    this.pos = start;
    this.end = end;
  }

  /** A varint that must fit in 32 bits unsigned (tags, lengths, enum values, uint32). */
  uint32(what: string): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= this.end) this.#truncated(what);
      const b = buf[pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        this.pos = pos;
        if (result >= TWO_32) break;
        return result;
      }
    }
    throw new DecodeError(`Malformed ${what}: varint longer than 32 bits at offset ${this.pos}.`);
  }

  /**
   * A varint of up to 64 bits as two's-complement int64: a number when it is a safe integer,
   * otherwise a bigint (or always a bigint with `asBigint`).
   */
  int64(what: string, asBigint: true): bigint;
  int64(what: string, asBigint?: false): number | bigint;
  int64(what: string, asBigint = false): number | bigint {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0x80;
    // Bits 0-27 into lo, bit 28-31 split across the fifth byte, the rest into hi.
    for (let shift = 0; shift < 28 && b >= 0x80; shift += 7) {
      if (pos >= this.end) this.#truncated(what);
      b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
    }
    if (b >= 0x80) {
      if (pos >= this.end) this.#truncated(what);
      b = buf[pos++]!;
      lo |= (b & 0x0f) << 28;
      hi = (b & 0x7f) >> 4;
      for (let shift = 3; shift < 32 && b >= 0x80; shift += 7) {
        if (pos >= this.end) this.#truncated(what);
        b = buf[pos++]!;
        hi |= (b & 0x7f) << shift;
      }
      if (b >= 0x80)
        throw new DecodeError(
          `Malformed ${what}: varint longer than 10 bytes at offset ${this.pos}.`,
        );
    }
    this.pos = pos;
    lo >>>= 0;
    if (!asBigint) {
      // Safe integers: |value| < 2^53, i.e. hi in [0, 2^21) or [-2^21, 0) with a non-zero result.
      if (hi >>> 0 < 0x200000) return hi * TWO_32 + lo;
      if (hi >>> 0 >= 0xffe00000 && (hi !== -0x200000 || lo !== 0)) return (hi | 0) * TWO_32 + lo;
    }
    return (BigInt(hi | 0) << 32n) | BigInt(lo);
  }

  /** Steps over a varint of at most 10 bytes without computing its value. */
  skipVarint(what: string): void {
    const buf = this.buf;
    const limit = Math.min(this.end, this.pos + 10);
    for (let pos = this.pos; pos < limit; pos++) {
      if (buf[pos]! < 0x80) {
        this.pos = pos + 1;
        return;
      }
    }
    if (limit === this.end && this.end - this.pos < 10) this.#truncated(what);
    throw new DecodeError(`Malformed ${what}: varint longer than 10 bytes at offset ${this.pos}.`);
  }

  /** A varint truncated to int32, as protobuf's int32 is read. */
  int32(what: string): number {
    const v = this.int64(what);
    // ToInt32 of a safe integer is its low 32 bits, as for the bigint.
    return typeof v === 'number' ? v | 0 : Number(BigInt.asIntN(32, v));
  }

  /** The length prefix of a length-delimited value, checked against what remains. */
  length(what: string): number {
    const n = this.uint32(`${what} length`);
    if (n > this.end - this.pos) {
      throw new DecodeError(
        `Truncated ${what}: ${n} bytes announced at offset ${this.pos}, ${this.end - this.pos} remain.`,
      );
    }
    return n;
  }

  /** Reads a length prefix and returns where its value ends; `pos` is then at the value's start. */
  delimited(what: string): number {
    const n = this.length(what);
    return this.pos + n;
  }

  /** A length-delimited string (invalid UTF-8 becomes U+FFFD, as Go's proto2 does not check it). */
  string(what: string): string {
    const n = this.length(what);
    const start = this.pos;
    this.pos = start + n;
    return n === 0 ? '' : this.buf.utf8Slice(start, start + n);
  }

  /** A little-endian IEEE 754 double. */
  double(what: string): number {
    if (this.end - this.pos < 8) this.#truncated(what);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Skips the value of a field of the given wire type. Groups are not supported. */
  skip(wireType: number, what: string): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.skipVarint(what);
        return;
      case WIRE_FIXED64:
        this.#advance(8, what);
        return;
      case WIRE_LENGTH:
        this.pos = this.delimited(what);
        return;
      case WIRE_FIXED32:
        this.#advance(4, what);
        return;
      default:
        throw new DecodeError(
          `Unsupported wire type ${wireType} in ${what} at offset ${this.pos}.`,
        );
    }
  }

  #advance(n: number, what: string): void {
    if (this.end - this.pos < n) this.#truncated(what);
    this.pos += n;
  }

  #truncated(what: string): never {
    throw new DecodeError(`Truncated ${what} at offset ${this.pos}.`);
  }
}
