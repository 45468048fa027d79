const TWO_32 = 4294967296;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Writes protobuf wire format into a growable buffer that is reused between messages. A
 * length-delimited value is written with {@link beginLength} / {@link endLength}, which reserve
 * one length byte and move the body only when it turns out to need more.
 */
export class WireWriter {
  #buf: Buffer = Buffer.allocUnsafe(1024);
  #pos = 0;

  /** Starts a new message. */
  reset(): void {
    this.#pos = 0;
  }

  /** A copy of what was written, owned by the caller. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.#pos);
    this.#buf.copy(out, 0, 0, this.#pos);
    return out;
  }

  /** A field key: field number and wire type. */
  tag(field: number, wireType: number): void {
    this.uint32((field << 3) | wireType);
  }

  /** An unsigned varint below 2^32. */
  uint32(n: number): void {
    this.#ensure(5);
    const buf = this.#buf;
    let pos = this.#pos;
    while (n >= 0x80) {
      buf[pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[pos++] = n;
    this.#pos = pos;
  }

  /**
   * A two's-complement int64 varint from a safe integer or a bigint in int64 range.
   * @throws RangeError for a value outside int64 or a non-integer number.
   */
  int64(value: number | bigint): void {
    let lo: number;
    let hi: number;
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not an int64.`);
      if (value >= 0 && value < TWO_32) {
        this.uint32(value);
        return;
      }
      lo = value >>> 0; // low 32 bits of the two's complement
      hi = Math.floor(value / TWO_32) >>> 0;
    } else {
      if (value < INT64_MIN || value > INT64_MAX)
        throw new RangeError(`${value} is outside int64.`);
      const u = BigInt.asUintN(64, value);
      lo = Number(u & 0xffffffffn);
      hi = Number(u >> 32n);
    }
    this.#ensure(10);
    const buf = this.#buf;
    let pos = this.#pos;
    while (hi !== 0 || lo >= 0x80) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[pos++] = lo;
    this.#pos = pos;
  }

  /** A little-endian IEEE 754 double. */
  double(v: number): void {
    this.#ensure(8);
    this.#buf.writeDoubleLE(v, this.#pos);
    this.#pos += 8;
  }

  /** Raw bytes, without a length. */
  raw(bytes: Uint8Array): void {
    this.#ensure(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
  }

  /** A length-delimited byte string. */
  bytes(bytes: Uint8Array): void {
    this.uint32(bytes.length);
    this.raw(bytes);
  }

  /** A length-delimited UTF-8 string. */
  string(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const at = this.beginLength(text.length * 3);
    this.#pos += this.#buf.write(text, this.#pos, 'utf8');
    this.endLength(at);
  }

  /**
   * Reserves a one-byte length and room for about `expected` more bytes; returns where the body
   * starts, for {@link endLength}.
   */
  beginLength(expected = 0): number {
    this.#ensure(1 + expected);
    this.#pos += 1;
    return this.#pos;
  }

  /**
   * Writes the length of the body that started at `start`, moving it when the length needs more
   * than a byte.
   */
  endLength(start: number): void {
    const n = this.#pos - start;
    if (n < 0x80) {
      this.#buf[start - 1] = n;
      return;
    }
    let extra = 0;
    for (let v = n; v >= 0x80; v >>>= 7) extra++;
    this.#ensure(extra);
    this.#buf.copyWithin(start + extra, start, this.#pos);
    let pos = start - 1;
    let v = n;
    while (v >= 0x80) {
      this.#buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.#buf[pos] = v;
    this.#pos += extra;
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos + n));
    this.#buf.copy(grown, 0, 0, this.#pos);
    this.#buf = grown;
  }
}
