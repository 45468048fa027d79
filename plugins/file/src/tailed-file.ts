import type { FileHandle } from 'node:fs/promises';
import type { PluginCounters, SplitRecord, SplitterStream } from '@hekate/core';
import {
  hashBytes,
  readAt,
  readTail,
  TAIL_WINDOW,
  type ContentMark,
  type Fingerprint,
} from './file-identity.js';
import type { CheckpointEntry } from './journal.js';
import type { StreamPlace } from './file-match.js';

/** A checkpoint: where to resume, the hash of the bytes before it, and whether to skip a line. */
export interface CheckpointState {
  readonly offset: number;
  readonly tail: string;
  /** The offset is inside an over-long line being skipped: resume at the next newline. */
  readonly skip: boolean;
}

/** The position of a delivered batch, handed back by the pipeline once acknowledged. */
export interface FilePosition extends CheckpointState {
  readonly file: TailedFile;
  /** The file's content generation: it changes when the file is truncated. */
  readonly generation: number;
}

/** Records cut from one read, with the offset of each record's first line. */
export interface FileBatch {
  readonly records: SplitRecord[];
  readonly offsets: number[];
  readonly position: FilePosition;
}

/** The `max_line_bytes` policy. */
export interface LineLimit {
  readonly maxBytes: number;
  readonly action: 'truncate' | 'skip';
}

/** A truncated generation of a file: its content may live on in a copy (copytruncate). */
export interface Ghost {
  /** The content read before the truncation. */
  readonly mark: ContentMark;
  /** The first bytes of that content. */
  readonly head: Buffer;
  /** The latest acknowledged checkpoint of that generation. */
  acked: CheckpointState;
  /** The last batch delivered from that generation: once it is acknowledged, so is the rest. */
  readonly last: FilePosition | undefined;
  readonly createdAt: number;
  /** The copy found to hold this content, whose checkpoint follows this generation's acks. */
  adoptedBy: TailedFile | undefined;
}

/** How a file starts being tailed. */
export interface TailedFileInit {
  readonly key: string;
  readonly path: string;
  readonly stream: string;
  readonly place: StreamPlace | undefined;
  readonly serial: number;
  readonly head: Buffer;
  /** Where reading starts; `recent` holds the bytes just before it (at most TAIL_WINDOW). */
  readonly start: CheckpointState;
  readonly recent: Buffer;
  /** The durable checkpoint (earlier than `start` when adopted from a truncated file's copy). */
  readonly checkpoint: CheckpointState;
}

const EMPTY = Buffer.alloc(0);
const EMPTY_TAIL = hashBytes(EMPTY);
const NEWLINE = 10;
const CR = 13;

/**
 * One file being tailed: its handle, read offset, splitter and line guard, and its checkpoint.
 * Reads at explicit offsets and re-reads the bytes just before the offset with every read, so a
 * file whose content was replaced under the offset (truncated, then rewritten past it) is
 * noticed even when it grew back. Lines longer than `max_line_bytes` are cut or skipped before
 * the splitter sees them, so no line is ever buffered whole.
 */
export class TailedFile {
  readonly key: string;
  /** The stream id given to the pipeline with each batch. */
  readonly streamId: string;
  path: string;
  stream: string;
  place: StreamPlace | undefined;
  fh: FileHandle | undefined;
  /** The first bytes of the file (up to `fingerprint_bytes`): its fingerprint's source. */
  head: Buffer;
  generation = 0;
  readOffset: number;
  /** The latest acknowledged checkpoint of the current generation. */
  checkpoint: CheckpointState;
  /** True after a read found nothing new; cleared when the file may have grown. */
  atEof = false;
  lastGrowth = Date.now();
  /** Since when the file's path no longer leads to it (renamed away or deleted). */
  detachedSince: number | undefined;
  /** When a scan last found the file under a new path (a rename rotation). */
  movedAt: number | undefined;
  /** When the handle was (re)opened. */
  openedAt = Date.now();
  /** Read to the end and closed: waiting for the last acknowledgements. */
  finished = false;
  readonly ghosts = new Map<number, Ghost>();
  readonly #newSplitter: () => SplitterStream;
  readonly #limit: LineLimit;
  readonly #counters: PluginCounters;
  #splitter: SplitterStream;
  #recent: Buffer;
  /** File offset where the current (incomplete) line starts. */
  #lineStart: number;
  /** Bytes of the current line seen so far. */
  #lineBytes = 0;
  /** Dropping the rest of an over-long line: after its kept prefix, or all of it. */
  #drop: 'truncate' | 'skip' | undefined;
  /** File offset just after the last byte handed to the splitter. */
  #fedEnd: number;
  #lastDelivered: FilePosition | undefined;
  #lastAcked: FilePosition | undefined;

  constructor(
    init: TailedFileInit,
    newSplitter: () => SplitterStream,
    limit: LineLimit,
    counters: PluginCounters,
  ) {
    this.key = init.key;
    this.streamId = `${init.key}#${init.serial}`;
    this.path = init.path;
    this.stream = init.stream;
    this.place = init.place;
    this.head = init.head;
    this.readOffset = init.start.offset;
    this.checkpoint = init.checkpoint;
    this.#recent = init.recent;
    this.#newSplitter = newSplitter;
    this.#limit = limit;
    this.#counters = counters;
    this.#splitter = newSplitter();
    this.#lineStart = init.start.offset;
    this.#fedEnd = init.start.offset;
    this.#drop = init.start.skip ? 'skip' : undefined;
  }

  /** The fingerprint of {@link head}. */
  get fingerprint(): Fingerprint {
    return { length: this.head.length, hash: hashBytes(this.head) };
  }

  /** What the bytes before the read offset are (for recognising a copy after a truncation). */
  get readMark(): ContentMark {
    return { fingerprint: this.fingerprint, offset: this.readOffset, tail: hashBytes(this.#recent) };
  }

  /** True when every delivered batch of the current generation has been acknowledged. */
  get caughtUp(): boolean {
    return this.#lastDelivered === this.#lastAcked;
  }

  /** The journal entry for this file. */
  entry(): CheckpointEntry {
    const { key, path, stream, fingerprint, checkpoint } = this;
    return { key, path, stream, fingerprint, ...checkpoint };
  }

  /** Refreshes {@link head} while it is shorter than `maxBytes` and the file has grown past it. */
  async refreshHead(size: number, maxBytes: number): Promise<void> {
    if (this.fh !== undefined && this.head.length < maxBytes && size > this.head.length) {
      this.head = await readAt(this.fh, 0, maxBytes);
    }
  }

  /**
   * Reads the next chunk into `buf` (which must hold TAIL_WINDOW bytes more than a chunk).
   * Returns the chunk, `eof`, or `replaced` when the bytes before the offset are not the ones
   * read before (the file was truncated).
   */
  async read(buf: Buffer): Promise<Buffer | 'eof' | 'replaced'> {
    const back = this.#recent.length;
    const { bytesRead } = await this.fh!.read(buf, 0, buf.length, this.readOffset - back);
    if (bytesRead < back || !buf.subarray(0, back).equals(this.#recent)) return 'replaced';
    if (bytesRead === back) return 'eof';
    return buf.subarray(back, bytesRead);
  }

  /**
   * Cuts a chunk read at {@link readOffset} into records, up to its last newline (all of it
   * when it has none), and moves the read offset past what it used. Returns undefined when it
   * completed no record and moved no checkpoint.
   */
  consume(read: Buffer): FileBatch | undefined {
    // Stop at the last newline: the partial line after it is read again with the next chunk
    // instead of being held (and copied) by the splitter.
    const last = read.lastIndexOf(NEWLINE);
    const chunk = last === -1 ? read : read.subarray(0, last + 1);
    const start = this.readOffset;
    const records: SplitRecord[] = [];
    const lineStarts: number[] = [];
    /** Starts of the lines that are not blank: splitters may skip blank lines. */
    const filledStarts: number[] = [];
    const { maxBytes, action } = this.#limit;
    let runStart = this.#drop === undefined ? 0 : -1;
    const feed = (end: number) => {
      if (end > runStart) {
        const out = this.#splitter.push(chunk.subarray(runStart, end));
        for (let i = 0; i < out.length; i++) records.push(out[i]!);
        this.#fedEnd = start + end;
      }
    };
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, pos);
      const end = nl === -1 ? chunk.length : nl;
      if (this.#drop === undefined && this.#lineBytes + (end - pos) > maxBytes) {
        if (action === 'truncate') {
          // Cut at exactly the limit, wherever the chunk boundaries fell, so a re-read after a
          // restart yields the same record (a character cut in two decodes as U+FFFD).
          feed(pos + (maxBytes - this.#lineBytes));
          this.#counters.add('lines_truncated');
        } else {
          feed(pos);
          this.#splitter = this.#newSplitter();
          this.#counters.add('lines_skipped');
        }
        this.#drop = action;
        runStart = -1;
      }
      if (nl === -1) {
        this.#lineBytes += end - pos;
        break;
      }
      if (this.#drop !== 'skip') {
        lineStarts.push(this.#lineStart);
        const length = this.#lineBytes + (nl - pos);
        const before = nl > 0 ? chunk[nl - 1] : this.#recent.at(-1);
        if (length > 1 || (length === 1 && before !== CR)) filledStarts.push(this.#lineStart);
      }
      if (this.#drop !== undefined) runStart = this.#drop === 'truncate' ? nl : nl + 1;
      this.#drop = undefined;
      this.#lineStart = start + nl + 1;
      this.#lineBytes = 0;
      pos = nl + 1;
    }
    if (runStart >= 0) feed(chunk.length);
    this.readOffset = start + chunk.length;
    this.lastGrowth = Date.now();
    const position = this.#position(chunk, start);
    this.#remember(chunk);
    if (records.length === 0 && !position.skip) return undefined;
    const offsets =
      records.length === lineStarts.length
        ? lineStarts
        : records.length === filledStarts.length
          ? filledStarts
          : records.map(() => lineStarts[0] ?? start);
    return { records, offsets, position };
  }

  /**
   * The file is done (rotated away or deleted, and drained): the splitter's incomplete final
   * record, if it delivers one, and the final position.
   */
  finish(): FileBatch | undefined {
    const records = this.#drop === 'skip' ? [] : this.#splitter.end();
    if (records.length === 0) return undefined;
    const tail = hashBytes(this.#recent);
    const position = { file: this, generation: this.generation, offset: this.readOffset, skip: false, tail };
    return { records, offsets: records.map(() => this.#lineStart), position };
  }

  /** Records that a batch ending at `position` was handed to the pipeline. */
  delivered(position: FilePosition): void {
    if (position.generation === this.generation) this.#lastDelivered = position;
  }

  /**
   * The pipeline acknowledged everything up to `position`. Returns true when the file's
   * checkpoint (or that of the copy that adopted a truncated generation) moved.
   */
  acknowledge(position: FilePosition): boolean {
    if (position.generation === this.generation) {
      this.#lastAcked = position;
      this.checkpoint = { offset: position.offset, tail: position.tail, skip: position.skip };
      return true;
    }
    const ghost = this.ghosts.get(position.generation);
    if (ghost === undefined) return false;
    ghost.acked = { offset: position.offset, tail: position.tail, skip: position.skip };
    if (position === ghost.last) this.ghosts.delete(position.generation);
    const copy = ghost.adoptedBy;
    const behind = copy !== undefined && copy.generation === 0 && position.offset > copy.checkpoint.offset;
    if (!behind) return false;
    copy.checkpoint = ghost.acked;
    return true;
  }

  /**
   * The content under the offset was replaced (truncation, copytruncate): starts a new
   * generation at offset 0 and returns the old one as a ghost, for a copy to adopt.
   */
  truncated(now: number): Ghost {
    const ghost: Ghost = {
      mark: this.readMark,
      head: this.head,
      acked: this.checkpoint,
      last: this.#lastDelivered,
      createdAt: now,
      adoptedBy: undefined,
    };
    // Acknowledgements of that generation's batches may still come; they move the copy's checkpoint.
    if (!this.caughtUp) this.ghosts.set(this.generation, ghost);
    this.generation++;
    this.head = EMPTY;
    this.readOffset = 0;
    this.checkpoint = { offset: 0, tail: EMPTY_TAIL, skip: false };
    this.#recent = EMPTY;
    this.#splitter = this.#newSplitter();
    this.#lineStart = 0;
    this.#lineBytes = 0;
    this.#drop = undefined;
    this.#fedEnd = 0;
    this.#lastDelivered = undefined;
    this.#lastAcked = undefined;
    this.atEof = false;
    return ghost;
  }

  /** Fills in a position's tail hash from the file when the chunk did not hold its bytes. */
  async withTail(batch: FileBatch): Promise<FileBatch> {
    if (batch.position.tail !== '') return batch;
    const bytes = await readTail(this.fh!, batch.position.offset);
    return { ...batch, position: { ...batch.position, tail: bytes === undefined ? '' : hashBytes(bytes) } };
  }

  #position(chunk: Buffer, start: number): FilePosition {
    const skip = this.#drop === 'skip';
    const offset = skip ? start + chunk.length : this.#fedEnd - this.#splitter.pending;
    const tail = this.#tailBefore(offset, chunk, start);
    return { file: this, generation: this.generation, offset, skip, tail };
  }

  /** Hash of the window before `offset`, from the remembered bytes and the chunk; '' if not held. */
  #tailBefore(offset: number, chunk: Buffer, start: number): string {
    const from = Math.max(0, offset - TAIL_WINDOW);
    if (from >= start) return hashBytes(chunk.subarray(from - start, offset - start));
    const fromRecent = start - from;
    if (offset < start || fromRecent > this.#recent.length) return '';
    const recent = this.#recent.subarray(this.#recent.length - fromRecent);
    return hashBytes(Buffer.concat([recent, chunk.subarray(0, offset - start)]));
  }

  /** Keeps the last TAIL_WINDOW bytes before the new read offset (copied: `chunk` is reused). */
  #remember(chunk: Buffer): void {
    this.#recent =
      chunk.length >= TAIL_WINDOW
        ? Buffer.from(chunk.subarray(chunk.length - TAIL_WINDOW))
        : Buffer.from(Buffer.concat([this.#recent, chunk]).subarray(-TAIL_WINDOW));
  }
}
