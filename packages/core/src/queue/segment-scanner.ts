import type { FileHandle } from 'node:fs/promises';
import { FRAME_HEADER_BYTES, FRAME_INCOMPLETE, frameReach, probeFrame } from './record-frame.js';

/** A valid record found by a {@link SegmentScanner}. */
export interface ScannedRecord {
  readonly kind: 'record';
  /** Offset of the frame in the segment. */
  readonly start: number;
  /** Offset just after the frame. */
  readonly end: number;
  /** The payload: a view into the scanner's read buffer. */
  readonly data: Uint8Array;
}

/** Bytes between valid records (or before the readable end) that hold no valid frame. */
export interface ScannedCorruption {
  readonly kind: 'corrupt';
  readonly start: number;
  readonly end: number;
  /** True when no valid frame follows before the readable end: a torn tail, after a crash. */
  readonly toEnd: boolean;
}

/** What {@link SegmentScanner.next} found. */
export type ScanEntry = ScannedRecord | ScannedCorruption;

/** {@link SegmentScanner.next}: the read buffer must be refilled with `fill()` first. */
export const NEEDS_FILL = Symbol('needs fill');

const CHUNK_BYTES = 1024 * 1024;
const EMPTY = new Uint8Array(0);

/**
 * Walks the frames of one segment file from an offset, reading it in chunks. After an invalid
 * frame it resynchronises by probing every following offset for a frame whose length is sane and
 * whose checksum matches, and reports the skipped bytes as one corruption.
 *
 * `next()` is synchronous and returns {@link NEEDS_FILL} when it needs bytes it has not read, so
 * the common path costs no promise per record. Each fill reads into a new buffer: records handed
 * out earlier keep their bytes.
 */
export class SegmentScanner {
  readonly #fh: FileHandle;
  #offset: number;
  #window: Uint8Array = EMPTY;
  #windowStart = 0;
  /** Where the file really ends, if a read came up short (it shrank under us). */
  #eof = Number.POSITIVE_INFINITY;
  /** Start of the corruption being skipped, or -1. */
  #badStart = -1;
  /** Next offset to probe while skipping. */
  #probe = 0;
  /** How far the next fill must reach, at least. */
  #needEnd = 0;

  constructor(fh: FileHandle, offset: number) {
    this.#fh = fh;
    this.#offset = offset;
  }

  /** Offset of the next frame to read (a record boundary). */
  get offset(): number {
    return this.#offset;
  }

  /**
   * The next record or corruption before `end` (the segment's readable size), `undefined` when
   * the offset has reached `end`, or {@link NEEDS_FILL}.
   */
  next(end: number): ScanEntry | undefined | typeof NEEDS_FILL {
    end = Math.min(end, this.#eof);
    if (this.#badStart < 0) {
      const start = this.#offset;
      if (start >= end) return undefined;
      const length = this.#probeAt(start, end);
      if (length === FRAME_INCOMPLETE) return NEEDS_FILL;
      if (length >= 0) {
        const dataAt = start - this.#windowStart + FRAME_HEADER_BYTES;
        this.#offset = start + FRAME_HEADER_BYTES + length;
        const data = this.#window.subarray(dataAt, dataAt + length);
        return { kind: 'record', start, end: this.#offset, data };
      }
      this.#badStart = start;
      this.#probe = start + 1;
    }
    let p = this.#probe;
    for (; p + FRAME_HEADER_BYTES <= end; p++) {
      const length = this.#probeAt(p, end);
      if (length === FRAME_INCOMPLETE) {
        this.#probe = p;
        return NEEDS_FILL;
      }
      if (length >= 0) break;
    }
    const toEnd = p + FRAME_HEADER_BYTES > end;
    const corruption: ScannedCorruption = {
      kind: 'corrupt',
      start: this.#badStart,
      end: toEnd ? end : p,
      toEnd,
    };
    this.#badStart = -1;
    this.#offset = corruption.end;
    return corruption;
  }

  /**
   * Moves past `bytes` bytes of frames the caller knows are there (it appended them) without
   * reading them. Returns false, moving nothing, while the scanner is skipping a corruption.
   */
  skip(bytes: number): boolean {
    if (this.#badStart >= 0) return false;
    this.#offset += bytes;
    return true;
  }

  /** Reads what the last `next()` call was missing. */
  async fill(end: number): Promise<void> {
    const from = this.#badStart < 0 ? this.#offset : this.#probe;
    const to = Math.min(end, this.#eof, Math.max(from + CHUNK_BYTES, this.#needEnd));
    const size = Math.max(0, to - from);
    // A plain Uint8Array (records are handed out as views of it), over uninitialised memory.
    const pooled = Buffer.allocUnsafe(size);
    const buf = new Uint8Array(pooled.buffer, pooled.byteOffset, size);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await this.#fh.read(buf, got, buf.length - got, from + got);
      if (bytesRead === 0) {
        this.#eof = from + got;
        break;
      }
      got += bytesRead;
    }
    this.#window = buf.subarray(0, got);
    this.#windowStart = from;
  }

  #probeAt(at: number, end: number): number {
    const rel = at - this.#windowStart;
    if (rel < 0 || rel > this.#window.length) {
      this.#needEnd = at + FRAME_HEADER_BYTES;
      return FRAME_INCOMPLETE;
    }
    const length = probeFrame(this.#window, rel, end - at);
    if (length === FRAME_INCOMPLETE) {
      this.#needEnd = this.#windowStart + frameReach(this.#window, rel);
    }
    return length;
  }
}
