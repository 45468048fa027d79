const encoder = new TextEncoder();
/** The most a writer keeps allocated between values. */
const KEEP_BYTES = 1024 * 1024;

/** `String.prototype.isWellFormed` (ES2024; present in Node 20, absent from the es2023 lib). */
const isWellFormed = (s: string): boolean =>
  (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * A growable little-endian byte buffer, written in one pass. `finish()` copies out the written
 * bytes so the writer can be reset and reused for the next value.
 */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  #pos = 0;

  constructor(initialSize = 4096) {
    this.#buf = new Uint8Array(initialSize);
    this.#view = new DataView(this.#buf.buffer);
  }

  /** Forgets what was written. Keeps the allocation unless one huge value made it grow a lot. */
  reset(): void {
    this.#pos = 0;
    if (this.#buf.length > KEEP_BYTES) {
      this.#buf = new Uint8Array(KEEP_BYTES);
      this.#view = new DataView(this.#buf.buffer);
    }
  }

  /** Bytes written since the last reset. */
  get length(): number {
    return this.#pos;
  }

  /** Forgets what was written after the first `length` bytes. */
  truncate(length: number): void {
    this.#pos = Math.min(this.#pos, length);
  }

  /** A copy of the bytes written since the last reset. */
  finish(): Uint8Array {
    return copyOf(this.#buf, 0, this.#pos);
  }

  /** Makes room for `n` more bytes. */
  #ensure(n: number): void {
    const need = this.#pos + n;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buf.subarray(0, this.#pos));
    this.#buf = grown;
    this.#view = new DataView(grown.buffer);
  }

  /** One byte. */
  u8(value: number): void {
    this.#ensure(1);
    this.#buf[this.#pos++] = value;
  }

  /** A float64. */
  f64(value: number): void {
    this.#ensure(8);
    this.#view.setFloat64(this.#pos, value, true);
    this.#pos += 8;
  }

  /** An int64 (the caller checks the range). */
  i64(value: bigint): void {
    this.#ensure(8);
    this.#view.setBigInt64(this.#pos, value, true);
    this.#pos += 8;
  }

  /** An unsigned LEB128 varint of a non-negative safe integer. */
  varint(value: number): void {
    this.#ensure(8);
    this.#pos = writeVarint(this.#buf, this.#pos, value);
  }

  /** Raw bytes, without a length. */
  raw(bytes: Uint8Array): void {
    this.#ensure(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
  }

  /** Length-prefixed bytes. */
  bytes(bytes: Uint8Array): void {
    this.varint(bytes.length);
    this.raw(bytes);
  }

  /**
   * A string: a varint of `byteLength * 2 + wide`, then the bytes. Well-formed strings are UTF-8
   * (wide = 0). A string holding a lone surrogate, which UTF-8 cannot carry, is stored as UTF-16LE
   * code units (wide = 1) so that it survives the round trip exactly.
   */
  string(s: string): void {
    const n = s.length;
    if (n < 64) {
      // Short ASCII strings (names, types, hosts) skip TextEncoder's call overhead.
      this.#ensure(1 + n);
      const buf = this.#buf;
      const at = this.#pos + 1;
      let i = 0;
      while (i < n) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + i++] = c;
      }
      if (i === n) {
        buf[this.#pos] = n * 2;
        this.#pos = at + n;
        return;
      }
    }
    if (isWellFormed(s)) this.#utf8(s);
    else this.#utf16(s);
  }

  #utf8(s: string): void {
    const max = s.length * 3;
    const headerMax = varintSize(max * 2);
    this.#ensure(headerMax + max);
    const bodyAt = this.#pos + headerMax;
    const { written } = encoder.encodeInto(s, this.#buf.subarray(bodyAt, bodyAt + max));
    const header = varintSize(written * 2);
    if (header !== headerMax) this.#buf.copyWithin(this.#pos + header, bodyAt, bodyAt + written);
    writeVarint(this.#buf, this.#pos, written * 2);
    this.#pos += header + written;
  }

  #utf16(s: string): void {
    const len = s.length * 2;
    this.varint(len * 2 + 1);
    this.#ensure(len);
    for (let i = 0; i < s.length; i++) {
      this.#view.setUint16(this.#pos + i * 2, s.charCodeAt(i), true);
    }
    this.#pos += len;
  }
}

/**
 * A copy of `bytes[start, end)` as a plain Uint8Array (not a Buffer, whose JSON and string forms
 * differ). The memory comes from Node's shared buffer pool, which is several times cheaper than
 * allocating a fresh ArrayBuffer per message.
 */
export function copyOf(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const pooled = Buffer.allocUnsafe(end - start);
  const out = new Uint8Array(pooled.buffer, pooled.byteOffset, end - start);
  out.set(bytes.subarray(start, end));
  return out;
}

/** How many bytes the varint of `value` takes. */
function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

/** Writes the varint of `value` at `pos` (room assumed); returns the position after it. */
function writeVarint(buf: Uint8Array, pos: number, value: number): number {
  // Above 2^31 bit operators would wrap, so divide until the rest fits them.
  while (value > 0x7fffffff) {
    buf[pos++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  while (value >= 0x80) {
    buf[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[pos++] = value;
  return pos;
}
