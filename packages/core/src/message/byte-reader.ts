import { DecodeError } from '../errors.js';
import { copyOf } from './byte-writer.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads what a {@link ByteWriter} wrote. Every read is bounds-checked, and every length is
 * checked against the bytes that remain before anything is allocated, so hostile input costs at
 * most its own size. Any malformation throws {@link DecodeError}.
 */
export class ByteReader {
  readonly #buf: Uint8Array;
  readonly #view: DataView;
  #pos = 0;

  constructor(bytes: Uint8Array) {
    this.#buf = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number, what: string): void {
    if (n > this.#buf.length - this.#pos) {
      const left = this.remaining;
      throw new DecodeError(`Truncated: ${what} needs ${n} bytes at ${this.#pos}, ${left} left.`);
    }
  }

  /** One byte; `what` names it in errors. */
  u8(what: string): number {
    this.need(1, what);
    return this.#buf[this.#pos++]!;
  }

  /** A float64. */
  f64(what: string): number {
    this.need(8, what);
    const v = this.#view.getFloat64(this.#pos, true);
    this.#pos += 8;
    return v;
  }

  /** An int64. */
  i64(what: string): bigint {
    this.need(8, what);
    const v = this.#view.getBigInt64(this.#pos, true);
    this.#pos += 8;
    return v;
  }

  /** An unsigned varint that must be a canonical encoding of a safe integer. */
  varint(what: string): number {
    const buf = this.#buf;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.#pos >= buf.length) break;
      const b = buf[this.#pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (b === 0 && i > 0) throw new DecodeError(`Non-canonical varint for ${what}.`);
        if (value > Number.MAX_SAFE_INTEGER) break;
        return value;
      }
      scale *= 0x80;
    }
    throw new DecodeError(`Bad varint for ${what} before offset ${this.#pos}.`);
  }

  /** A count of items that each take at least `minItemBytes`: bounded by what remains. */
  count(minItemBytes: number, what: string): number {
    const n = this.varint(what);
    if (n * minItemBytes > this.remaining) {
      throw new DecodeError(`Impossible ${what} ${n}: only ${this.remaining} bytes remain.`);
    }
    return n;
  }

  /** `n` bytes, copied so the result does not pin the input. */
  raw(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = copyOf(this.#buf, this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /** Length-prefixed bytes. */
  bytes(what: string): Uint8Array {
    return this.raw(this.varint(what), what);
  }

  /** A string as {@link ByteWriter.string} wrote it; invalid UTF-8 is an error, not U+FFFD. */
  string(what: string): string {
    const header = this.varint(what);
    const len = Math.floor(header / 2);
    this.need(len, what);
    const start = this.#pos;
    this.#pos += len;
    if (header % 2 === 1) return this.#utf16(start, len, what);
    const buf = this.#buf;
    if (len < 32) {
      let s = '';
      for (let i = start; i < start + len; i++) {
        const c = buf[i]!;
        if (c >= 0x80) return this.#utf8(start, len, what);
        s += String.fromCharCode(c);
      }
      return s;
    }
    return this.#utf8(start, len, what);
  }

  #utf8(start: number, len: number, what: string): string {
    try {
      return utf8.decode(this.#buf.subarray(start, start + len));
    } catch (cause) {
      throw new DecodeError(`Invalid UTF-8 in ${what}.`, { cause });
    }
  }

  #utf16(start: number, len: number, what: string): string {
    if (len % 2 !== 0) throw new DecodeError(`Odd UTF-16 byte length in ${what}.`);
    const units = new Array<number>(len / 2);
    for (let i = 0; i < units.length; i++) units[i] = this.#view.getUint16(start + i * 2, true);
    const parts: string[] = [];
    // fromCharCode takes arguments; chunk to stay under engine argument limits.
    for (let i = 0; i < units.length; i += 8192) {
      parts.push(String.fromCharCode(...units.slice(i, i + 8192)));
    }
    return parts.join('');
  }

  /** Throws unless every byte was consumed. */
  end(): void {
    if (this.#pos !== this.#buf.length) {
      throw new DecodeError(`${this.remaining} trailing bytes after the message.`);
    }
  }
}
