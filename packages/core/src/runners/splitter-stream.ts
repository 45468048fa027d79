import type { PluginCounters, SplitRecord, Splitter, SplitterStream } from '../plugins/types.js';

/** Limits a splitter stream enforces around its splitter. */
export interface SplitterLimits {
  /** Largest record in bytes. */
  maxRecordSize: number;
  /** Deliver an over-long record cut to `maxRecordSize` instead of dropping it. */
  keepTruncated: boolean;
  /** Records are bytes (Heka `use_message_bytes`) rather than text. */
  useMessageBytes: boolean;
  /** At end of stream, deliver a last record without a delimiter (Heka `deliver_incomplete_final`). */
  deliverIncompleteFinal: boolean;
}

const EMPTY = new Uint8Array(0);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * Feeds a byte stream through a splitter, holding the incomplete tail between chunks. A record
 * longer than the limit is never buffered whole: once the held bytes pass the limit they are
 * dropped (or the first `maxRecordSize` bytes kept as a truncated record), counted, and the rest
 * of that record is skipped up to the next boundary.
 */
export class BufferedSplitterStream implements SplitterStream {
  readonly #splitter: Splitter;
  readonly #limits: SplitterLimits;
  readonly #counters: PluginCounters;
  #held: Uint8Array = EMPTY;
  /** True while skipping the remainder of an over-long record. */
  #skipping = false;

  constructor(splitter: Splitter, limits: SplitterLimits, counters: PluginCounters) {
    this.#splitter = splitter;
    this.#limits = limits;
    this.#counters = counters;
  }

  get pending(): number {
    return this.#held.length;
  }

  push(chunk: Uint8Array): SplitRecord[] {
    const buf = concat(this.#held, chunk);
    const found: SplitRecord[] = [];
    const consumed = this.#splitter.split(buf, found);
    if (this.#skipping && found.length > 0) {
      // The first record found is the tail of the over-long one.
      found.shift();
      this.#skipping = false;
    }
    const out = this.#checked(found);
    let rest = buf.subarray(consumed);
    if (rest.length > this.#limits.maxRecordSize) {
      if (!this.#skipping) {
        this.#counters.add(this.#limits.keepTruncated ? 'records_truncated' : 'records_too_long');
        if (this.#limits.keepTruncated) out.push(this.#record(rest.subarray(0, this.#limits.maxRecordSize)));
      }
      this.#skipping = true;
      rest = EMPTY;
    }
    // Copy the tail: the caller may reuse the chunk's memory.
    this.#held = rest.length === 0 ? EMPTY : new Uint8Array(rest);
    return out;
  }

  end(): SplitRecord[] {
    const held = this.#held;
    this.#held = EMPTY;
    if (held.length === 0 || this.#skipping) return [];
    if (!this.#limits.deliverIncompleteFinal) {
      this.#counters.add('incomplete_finals_dropped');
      return [];
    }
    return [this.#record(held)];
  }

  /**
   * Enforces the record size on what the splitter found (a record can reach the limit plus one
   * chunk before the held tail is checked) and converts records to text or bytes as configured.
   * Returns `found` itself when nothing needs changing, which is the common case.
   */
  #checked(found: SplitRecord[]): SplitRecord[] {
    const { maxRecordSize, useMessageBytes } = this.#limits;
    let out: SplitRecord[] | undefined;
    for (let i = 0; i < found.length; i++) {
      const record = found[i]!;
      const isText = typeof record === 'string';
      const tooLong = isText
        ? record.length > maxRecordSize || (record.length * 3 > maxRecordSize && Buffer.byteLength(record) > maxRecordSize)
        : record.length > maxRecordSize;
      if (!tooLong && isText !== useMessageBytes) {
        out?.push(record);
        continue;
      }
      out ??= found.slice(0, i);
      if (!tooLong) {
        out.push(this.#record(isText ? Buffer.from(record) : record));
      } else if (this.#limits.keepTruncated) {
        this.#counters.add('records_truncated');
        out.push(this.#record((isText ? Buffer.from(record) : record).subarray(0, maxRecordSize)));
      } else {
        this.#counters.add('records_too_long');
      }
    }
    return out ?? found;
  }

  #record(bytes: Uint8Array): SplitRecord {
    return this.#limits.useMessageBytes
      ? new Uint8Array(bytes)
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  }
}
