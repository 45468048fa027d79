import { errorMessage, PermanentError, RetryableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { AcknowledgedCursor } from './acknowledged-cursor.js';
import { AsyncMutex } from './async-mutex.js';
import type { Cursor } from './cursor-file.js';
import { QueueClosedError, QueueFullError } from './disk-queue-errors.js';
import type { DiskQueueOptions, QueueRecord, QueueStats } from './disk-queue-types.js';
import type { QueuePosition } from './queue-position.js';
import { Quarantine } from './quarantine.js';
import { QueueReader } from './queue-reader.js';
import { recoverQueue } from './queue-recovery.js';
import { fillChecksumsOffThread } from './frame-checksums.js';
import { frameSize, layFrames, MAX_RECORD_BYTES } from './record-frame.js';
import { fsyncPath } from './segment-files.js';
import { SegmentList, type Segment } from './segment-list.js';
import { SegmentWriter } from './segment-writer.js';

export { QueueClosedError, QueueFullError } from './disk-queue-errors.js';
export type {
  DiskQueueOptions,
  FsyncPolicy,
  QueueInspection,
  QueueRecord,
  QueueStats,
  SegmentInspection,
} from './disk-queue-types.js';
export { inspectQueue } from './inspect-queue.js';
export type { QueuePosition } from './queue-position.js';

/** Batches up to this size are framed in a reused buffer; larger ones get their own. */
const SCRATCH_LIMIT = 4 * 1024 * 1024;

/** A zeroed byte buffer in shared memory, which a worker thread can fill in. */
function sharedBytes(length: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(length));
}

let nextEpoch = 1;

function checkOptions(o: DiskQueueOptions): void {
  const atLeast = (name: keyof DiskQueueOptions, min: number) => {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
      throw new RangeError(`DiskQueue option ${name} must be >= ${min}, not ${String(v)}.`);
    }
  };
  atLeast('maxFileSize', 1);
  atLeast('maxBufferSize', 0);
  atLeast('cursorUpdateCount', 1);
  if (o.fsync === 'interval') atLeast('fsyncIntervalMs', 1);
  else if (o.fsync !== 'batch' && o.fsync !== 'never') {
    throw new RangeError(`Unknown fsync policy ${String(o.fsync)}.`);
  }
}

/**
 * A durable FIFO of byte records on disk, for outputs that must not lose what they accepted while
 * their sink is down (Heka's buffered output, with its bugs fixed: checksummed records, fsync
 * policies, an atomic cursor, and recovery that never refuses to start). See docs/buffering.md.
 *
 * Records are appended in batches to segment files and read back in order. The read position is
 * persisted as a cursor every `cursorUpdateCount` acknowledgements and on close; after a crash,
 * reading resumes there, so records acknowledged since the last persisted cursor are read again
 * (at-least-once). A segment is deleted as soon as the cursor has passed it.
 *
 * Concurrency: appends are serialised with each other, and reads and acks with each other; an
 * append and a read may run at the same time. A record becomes readable when its `append()` has
 * fully succeeded (with `fsync: 'batch'`, once it is on stable storage).
 *
 * @example
 * const queue = await DiskQueue.open({ dir, maxFileSize: 16 << 20, maxBufferSize: 0,
 *   fsync: 'batch', fsyncIntervalMs: 1000, cursorUpdateCount: 1, logger });
 * await queue.append([encodeMessage(msg)]);
 * const records = await queue.read(500, 1 << 20);
 * await queue.ack(records.at(-1)!.position);
 */
export class DiskQueue {
  readonly #options: DiskQueueOptions;
  readonly #logger: Logger;
  readonly #segments: SegmentList;
  readonly #reader: QueueReader;
  readonly #cursor: AcknowledgedCursor;
  readonly #epoch = nextEpoch++;
  readonly #writeLock = new AsyncMutex();
  readonly #readLock = new AsyncMutex();
  readonly #waiters = new Set<() => void>();
  /** Id of the first segment when the queue has none. */
  readonly #firstId: number;
  readonly #truncatedBytes: number;
  readonly #cursorRecoveries: number;
  #writer: SegmentWriter | undefined;
  /** The seq of the last acknowledged position. */
  #ackedSeq = 0;
  #scratch = sharedBytes(64 * 1024);
  #syncTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  private constructor(
    options: DiskQueueOptions,
    recovered: {
      segments: Segment[];
      start: Cursor;
      truncatedBytes: number;
      cursorRecoveries: number;
    },
  ) {
    const { dir, logger } = options;
    this.#options = options;
    this.#logger = logger;
    this.#segments = new SegmentList(recovered.segments);
    const quarantine = new Quarantine(dir, logger);
    const start = recovered.start;
    this.#reader = new QueueReader(this.#segments, start, quarantine, logger, this.#epoch);
    this.#cursor = new AcknowledgedCursor(
      dir,
      start,
      this.#segments,
      { syncSegment: (s) => this.#syncSegment(s), forget: (id) => this.#reader.forget(id) },
      logger,
    );
    this.#firstId = start.segment;
    this.#truncatedBytes = recovered.truncatedBytes;
    this.#cursorRecoveries = recovered.cursorRecoveries;
  }

  /**
   * Opens (creating if needed) the queue in `options.dir` and recovers it: torn tails are
   * truncated, an unusable cursor restarts reading at the oldest segment, corrupt regions are left
   * to be quarantined when read. Corrupt content is logged and counted, never thrown.
   * @throws only real I/O errors (EACCES, EIO, …), and RangeError for invalid options.
   */
  static async open(options: DiskQueueOptions): Promise<DiskQueue> {
    checkOptions(options);
    const queue = new DiskQueue(options, await recoverQueue(options.dir, options.logger));
    const last = queue.#segments.last;
    if (last !== undefined) queue.#writer = await SegmentWriter.resume(last);
    return queue;
  }

  /**
   * Appends a batch of records with one write. Resolves when they are readable (and, with
   * `fsync: 'batch'`, on stable storage).
   * @throws QueueFullError (code HEKATE_ERR_QUEUE_FULL) when the batch would take the queue past
   *   `maxBufferSize`; nothing is written.
   * @throws RetryableError (code HEKATE_ERR_RETRYABLE) when writing fails (ENOSPC, EIO): the
   *   segment is left as it was, and the same append may be retried once space returns.
   * @throws PermanentError when a record exceeds 64 MiB.
   */
  async append(records: readonly Uint8Array[]): Promise<void> {
    this.#assertOpen();
    let bytes = 0;
    for (const r of records) {
      if (r.length > MAX_RECORD_BYTES) {
        throw new PermanentError(
          `A ${r.length}-byte record exceeds the disk queue's limit of ${MAX_RECORD_BYTES}.`,
        );
      }
      bytes += frameSize(r.length);
    }
    if (records.length === 0) return;
    await this.#writeLock.run(async () => {
      await this.#makeRoom(bytes);
      const writer = this.#writer!;
      const frames = await this.#frame(records, bytes);
      try {
        await writer.write(frames, records.length, this.#options.fsync === 'batch');
      } catch (cause) {
        const undone = writer.broken
          ? 'could not be undone; the next append starts a new segment'
          : 'was undone';
        throw new RetryableError(`Disk queue append failed and ${undone}: ${errorMessage(cause)}`, {
          cause,
        });
      }
    });
    this.#wake();
    if (this.#options.fsync === 'interval') this.#scheduleSync();
  }

  /**
   * Up to `maxRecords` records after the read position, in order, whose data totals at most
   * `maxBytes` (but at least one record when any is available). `[]` when there is nothing to
   * read; it does not wait (see {@link waitForData}). Corrupt regions met on the way are copied to
   * `quarantine/`, counted and skipped.
   */
  async read(maxRecords: number, maxBytes: number): Promise<QueueRecord[]> {
    this.#assertOpen();
    return this.#readLock.run(() => this.#reader.read(maxRecords, maxBytes));
  }

  /**
   * Takes the next records without reading them, as {@link read} would have returned them, for a
   * caller that appended them in this process and still holds them: `sizes` are their data sizes,
   * in append order. Stops early at a record not yet written or anything that does not fit;
   * returns the positions of the records taken, to acknowledge as usual.
   */
  async skip(sizes: readonly number[]): Promise<QueuePosition[]> {
    this.#assertOpen();
    return this.#readLock.run(() => this.#reader.skip(sizes));
  }

  /**
   * Resolves when `read()` has something to return (at once if it has already), or when the queue
   * closes. Rejects with `signal.reason` if `signal` aborts first.
   */
  waitForData(signal?: AbortSignal): Promise<void> {
    if (this.#closing !== undefined || this.#reader.hasUnread()) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#waiters.delete(wake);
        reject(signal!.reason);
      };
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Marks the record at `position` and every record before it as done. Segments the cursor has
   * passed are deleted at once (after persisting the cursor); otherwise the cursor is persisted
   * every `cursorUpdateCount` acks. Acknowledging a position at or before the current one does
   * nothing.
   * @throws RetryableError when the cursor cannot be persisted (the ack stands in memory; the next
   *   ack or close retries).
   * @throws RangeError for a position this queue instance did not hand out.
   */
  async ack(position: QueuePosition): Promise<void> {
    this.#assertOpen();
    if (position.epoch !== this.#epoch || position.seq > this.#reader.seq) {
      throw new RangeError(`Position ${position.toString()} was not read from this disk queue.`);
    }
    await this.#readLock.run(async () => {
      if (position.seq <= this.#ackedSeq) return;
      this.#ackedSeq = position.seq;
      const at = { segment: position.segment, offset: position.offset };
      await this.#cursor.acknowledge(at, this.#options.cursorUpdateCount);
    });
  }

  /**
   * Discards the oldest records, a whole segment at a time (the active one is sealed first if
   * needed), until `bytes` more would fit under `maxBufferSize`: the queue side of
   * `full_action = "drop_oldest"`. Discarded records count as acknowledged, so acknowledging a
   * batch read from a discarded segment later does nothing. Returns how many unacknowledged
   * records were discarded: 0 when there is nothing left to discard (the batch cannot fit).
   */
  async dropOldest(bytes: number): Promise<number> {
    this.#assertOpen();
    return this.#readLock.run(async () => {
      const before = this.#pending();
      const limit = this.#options.maxBufferSize;
      while (limit > 0 && this.#segments.bytes - this.#cursor.coveredBytes() + bytes > limit) {
        const oldest = this.#segments.all.find((s) => !this.#cursor.covers(s));
        if (oldest === undefined) break;
        if (!this.#segments.isSealed(oldest)) await this.#writeLock.run(() => this.#roll());
        this.#ackedSeq = Math.max(this.#ackedSeq, this.#reader.seqThrough(oldest.id));
        const end = { segment: oldest.id, offset: oldest.size };
        await this.#cursor.acknowledge(end, this.#options.cursorUpdateCount);
      }
      return before - this.#pending();
    });
  }

  /** fsyncs what has been appended, whatever the policy (a barrier for `interval` and `never`). */
  async flush(): Promise<void> {
    this.#assertOpen();
    await this.#writeLock.run(async () => this.#writer?.sync());
  }

  /** A snapshot of the queue's size, position and recovery counters. */
  stats(): QueueStats {
    const at = this.#cursor.position;
    return {
      segments: this.#segments.length,
      bytes: this.#segments.bytes,
      pending: this.#pending(),
      cursor: `${at.segment}:${at.offset}`,
      corruptRecords: this.#reader.corruptRecords,
      quarantinedBytes: this.#reader.quarantinedBytes,
      truncatedBytes: this.#truncatedBytes,
      cursorRecoveries: this.#cursorRecoveries,
    };
  }

  /**
   * Persists the cursor, fsyncs appended data (unless the policy is `never`) and closes the files.
   * Waits for appends, reads and acks already called. Idempotent; later calls of other methods
   * throw QueueClosedError (code HEKATE_ERR_QUEUE_CLOSED).
   */
  close(): Promise<void> {
    return (this.#closing ??= this.#shutdown());
  }

  async #shutdown(): Promise<void> {
    clearTimeout(this.#syncTimer);
    this.#wake();
    try {
      await this.#readLock.run(async () => {
        try {
          await this.#cursor.advance(true);
        } finally {
          await this.#reader.close();
        }
      });
    } finally {
      await this.#writeLock.run(async () => {
        try {
          if (this.#options.fsync !== 'never') await this.#writer?.sync();
        } finally {
          await this.#writer?.close();
        }
      });
    }
  }

  /** Records appended (or found at open) and not acknowledged. */
  #pending(): number {
    return this.#reader.untakenRecords() + this.#reader.seq - this.#ackedSeq;
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new QueueClosedError();
  }

  #wake(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Checks `maxBufferSize` and makes sure the active segment can take `bytes` more. Called with
   * the write lock.
   */
  async #makeRoom(bytes: number): Promise<void> {
    const { maxBufferSize, maxFileSize } = this.#options;
    const onDisk = this.#segments.bytes;
    // Fully acknowledged segments still on disk are about to go: count only the rest.
    const used = onDisk - this.#cursor.coveredBytes();
    if (maxBufferSize > 0 && used + bytes > maxBufferSize) {
      throw new QueueFullError(bytes, used, maxBufferSize);
    }
    const w = this.#writer;
    if (w === undefined || w.broken) return this.#roll();
    if (w.segment.size === 0) return;
    if (w.segment.size + bytes > maxFileSize) return this.#roll();
    // A fully acknowledged active segment can only be deleted once sealed: seal it if in the way.
    if (maxBufferSize > 0 && onDisk + bytes > maxBufferSize && this.#cursor.covers(w.segment)) {
      await this.#roll();
      this.#readLock
        .run(async () => (this.#closing === undefined ? this.#cursor.advance(false) : undefined))
        .catch((err: unknown) => this.#logFailure('reclaim a segment', err));
    }
  }

  /**
   * The records framed into one buffer of exactly `bytes`. The checksums are computed on a worker
   * thread when the frames are in the (shared) scratch buffer.
   */
  async #frame(records: readonly Uint8Array[], bytes: number): Promise<Uint8Array> {
    if (bytes > this.#scratch.length && bytes <= SCRATCH_LIMIT) {
      this.#scratch = sharedBytes(2 ** Math.ceil(Math.log2(bytes)));
    }
    const out =
      bytes <= this.#scratch.length ? this.#scratch.subarray(0, bytes) : new Uint8Array(bytes);
    layFrames(records, out);
    await fillChecksumsOffThread(out);
    return out;
  }

  /** Starts a new active segment; the old one is fsynced and sealed. Called with the write lock. */
  async #roll(): Promise<void> {
    const old = this.#writer;
    const id = old === undefined ? this.#firstId : old.segment.id + 1;
    let next: SegmentWriter;
    try {
      next = await SegmentWriter.create(this.#options.dir, id);
    } catch (cause) {
      const message = `Could not create disk queue segment ${id}: ${errorMessage(cause)}`;
      throw new RetryableError(message, { cause });
    }
    this.#segments.push(next.segment);
    this.#writer = next;
    if (old !== undefined) {
      // A sealed segment is on stable storage, so a cursor past it never outruns its data.
      await old.sync().catch((err: unknown) => this.#logFailure('fsync a sealed segment', err));
      await old.close();
    }
    await fsyncPath(this.#options.dir).catch((err: unknown) => {
      this.#logFailure('fsync the directory', err);
    });
  }

  #scheduleSync(): void {
    if (this.#syncTimer !== undefined || this.#closing !== undefined) return;
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = undefined;
      this.#writeLock
        .run(async () => this.#writer?.sync())
        .catch((err: unknown) => this.#logFailure('fsync appended records', err));
    }, this.#options.fsyncIntervalMs);
    this.#syncTimer.unref();
  }

  async #syncSegment(segment: Segment): Promise<void> {
    if (segment === this.#writer?.segment) {
      await this.#writeLock.run(async () => this.#writer?.sync());
    } else {
      await fsyncPath(segment.path);
      segment.syncedSize = segment.size;
    }
  }

  #logFailure(what: string, err: unknown): void {
    const fields = { dir: this.#options.dir, error: errorMessage(err) };
    this.#logger.error(`Disk queue could not ${what}.`, fields);
  }
}
