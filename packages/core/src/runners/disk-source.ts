import { errorMessage, hasCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { decodeMessage, encodeMessages } from '../message/message-codec.js';
import type { Message } from '../message/message.js';
import { DiskQueue, type DiskQueueOptions } from '../queue/disk-queue.js';
import type { QueuePosition } from '../queue/queue-position.js';
import type { MessageQueue } from '../queue/message-queue.js';
import { Notifier, sleep } from '../queue/notifier.js';
import type { BatchPolicy } from '../plugins/types.js';
import type { BatchSource, SourcedBatch } from './batch-source.js';
import type { Counters } from './counters.js';
import { MemorySource, acknowledgeMessages } from './memory-source.js';
import { SpooledWindow } from './spooled-window.js';

/** Disk-buffering settings of one output (Heka's `[x.buffering]`). */
export interface DiskSourceOptions extends DiskQueueOptions {
  /** What to do when the disk queue is at `max_buffer_size`. */
  fullAction: 'shutdown' | 'drop' | 'block' | 'drop_oldest';
  /**
   * How long the output may go without taking a batch before the messages waiting for it are
   * spooled, when their inputs can replay them (the others are spooled at once); 0 spools every
   * message at once.
   */
  spoolAfterMs: number;
  counters: Counters;
}

/**
 * A batch the output took straight from memory; `spooled` once the output stalled on it, true
 * when that acknowledged it upstream.
 */
interface DirectBatch {
  readonly messages: Message[];
  spooled: Promise<boolean> | undefined;
}

const SPOOL_BATCH = 10_000;
/** Bytes of spooled messages kept in memory so the reader need not decode them. */
const WINDOW_BYTES = 8 * 1024 * 1024;
const SPOOL_BYTES = 16 * 1024 * 1024;
const FULL_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;

/**
 * Batches for an output with `use_buffering`. While the output keeps taking batches, it takes
 * them straight from its in-memory queue and acknowledges them upstream once written, as without
 * buffering. Once it has gone `spoolAfterMs` without taking one (it is down, retrying or stuck on
 * a slow batch), a spooler moves the waiting messages into the disk queue and acknowledges them
 * upstream once they are durably there, so inputs keep moving; from then on new messages go to
 * disk behind them until the output has caught up with the disk queue. The output reads those
 * batches back in order and acknowledges them in the queue once written. Messages whose input
 * cannot replay them (their delivery is not tracked) are spooled at once. At shutdown, whatever
 * is still in memory (and a batch the output could not finish) is spooled, to be written after
 * the next start.
 */
export class DiskSource implements BatchSource {
  readonly #memory: MessageQueue;
  readonly #options: DiskSourceOptions;
  readonly #logger: Logger;
  readonly #spooled = new Notifier();
  /** Set by close(): the spooler spools what is left and ends. */
  #closing = false;
  #disk: Promise<DiskQueue> | undefined;
  /** The disk queue once open. */
  #opened: DiskQueue | undefined;
  #spooler: Promise<void> | undefined;
  #spooling = false;
  #onDisk = 0;
  #window: SpooledWindow | undefined;
  readonly #memorySource: MemorySource;
  /** The batch the output took straight from memory and has not acknowledged yet. */
  #direct: DirectBatch | undefined;
  /** True while the output waits in take() for messages from memory: they are its to take. */
  #takingDirect = false;
  /** When the output last left take(), in performance.now() ms. */
  #lastTake = performance.now();
  /** Wakes the spooler: the output left take(), or close() was called. */
  readonly #wakeSpooler = new Notifier();
  /** Set when the output must stop (full_action = "shutdown"); `take` throws it. */
  #failure: Error | undefined;
  #deadLetter: (messages: readonly Message[], reason: string) => void = () => {};

  constructor(memory: MessageQueue, options: DiskSourceOptions) {
    this.#memory = memory;
    this.#options = options;
    this.#logger = options.logger;
    this.#memorySource = new MemorySource(memory);
  }

  get length(): number {
    return this.#memory.length + this.#onDisk;
  }

  get settled(): boolean {
    return this.#memory.length === 0 && !this.#spooling && this.#onDisk === 0;
  }

  take(policy: BatchPolicy, wake: Promise<void>, hurry: boolean): Promise<SourcedBatch | undefined> {
    const disk = this.#opened;
    if (disk === undefined) return this.#open().then(() => this.take(policy, wake, hurry));
    // No await on the way to a batch from memory: the output's write starts as soon as it can.
    if (this.#failure === undefined && this.#takesFromMemory()) return this.#takeDirect(disk, policy, wake, hurry);
    return this.#takeQueued(disk, policy, wake);
  }

  /** A batch straight from the in-memory queue, acknowledged upstream once written. */
  async #takeDirect(disk: DiskQueue, policy: BatchPolicy, wake: Promise<void>, hurry: boolean): Promise<SourcedBatch | undefined> {
    this.#takingDirect = true;
    let batch: SourcedBatch | undefined;
    try {
      batch = await this.#memorySource.take(policy, wake, hurry);
    } finally {
      this.#takingDirect = false;
      this.#tookBatch();
    }
    if (batch === undefined) return undefined;
    const direct: DirectBatch = { messages: batch.messages, spooled: undefined };
    this.#direct = direct;
    return { messages: batch.messages, acknowledge: () => this.#acknowledgeDirect(disk, direct) };
  }

  /** A batch from the disk queue: from the spooled window, or read back. */
  async #takeQueued(disk: DiskQueue, policy: BatchPolicy, wake: Promise<void>): Promise<SourcedBatch | undefined> {
    try {
      if (this.#failure !== undefined) throw this.#failure;
      if (disk.stats().pending === 0) await Promise.race([this.#spooled.wait(), wake]);
      if (this.#failure !== undefined) throw this.#failure;
      return (await this.#takeSpooled(disk, policy)) ?? (await this.#read(disk, policy));
    } finally {
      this.#tookBatch();
    }
  }

  /** The output has left take(): it is not stalled; the spooler may look again. */
  #tookBatch(): void {
    this.#lastTake = performance.now();
    this.#wakeSpooler.notify();
  }

  /**
   * True when the output's next batch comes straight from memory: nothing is on its way to disk
   * or on disk ahead of the waiting messages, and none of those must be spooled at once.
   */
  #takesFromMemory(): boolean {
    return this.#options.spoolAfterMs > 0 && !this.#spooling && this.#onDisk === 0 && this.#memory.untracked === 0;
  }

  /**
   * The next batch straight from the spooled window when it holds the next records: the queue
   * moves past them without reading them back. Undefined when they must be read.
   */
  async #takeSpooled(disk: DiskQueue, policy: BatchPolicy): Promise<SourcedBatch | undefined> {
    const { messages, sizes } = this.#window!.leading(policy.maxMessages, policy.maxBytes);
    if (messages.length === 0) return undefined;
    const positions = await this.#skipSpooled(disk, sizes);
    if (positions.length === 0) return undefined;
    messages.length = positions.length;
    const last = positions[positions.length - 1]!;
    return { messages, acknowledge: () => this.#acknowledge(disk, last) };
  }

  /**
   * Moves the queue past the next records, of the window's leading `sizes`, without reading them,
   * and the window with it. Returns the positions of the records passed (fewer if not all are
   * written yet).
   */
  async #skipSpooled(disk: DiskQueue, sizes: readonly number[]): Promise<QueuePosition[]> {
    const positions = await disk.skip(sizes);
    for (let i = 0; i < positions.length; i++) this.#window!.next(sizes[i]!);
    this.#onDisk = disk.stats().pending;
    return positions;
  }

  /** The next batch read back from the disk queue (and decoded where the window cannot help). */
  async #read(disk: DiskQueue, policy: BatchPolicy): Promise<SourcedBatch | undefined> {
    const corruptBefore = disk.stats().corruptRecords;
    const records = await disk.read(policy.maxMessages, policy.maxBytes);
    const stats = disk.stats();
    this.#onDisk = stats.pending;
    if (records.length === 0) return undefined;
    const window = this.#window!;
    if (stats.corruptRecords !== corruptBefore) window.disable();
    const messages: Message[] = [];
    let readBack = 0;
    for (const record of records) {
      const spooled = window.next(record.data.byteLength);
      if (spooled !== undefined) {
        messages.push(spooled);
        continue;
      }
      readBack++;
      try {
        messages.push(decodeMessage(record.data));
      } catch (error) {
        this.#options.counters.add('queue_records_undecodable');
        this.#logger.error('A disk queue record could not be decoded; it is skipped.', { error: errorMessage(error) });
      }
    }
    this.#options.counters.add('queue_records_read_back', readBack);
    const last = records[records.length - 1]!.position;
    return { messages, acknowledge: () => this.#acknowledge(disk, last) };
  }

  async #acknowledge(disk: DiskQueue, last: QueuePosition): Promise<void> {
    await disk.ack(last);
    this.#onDisk = disk.stats().pending;
  }

  /**
   * Acknowledges a batch taken from memory. If the output stalled on it, it was spooled too (at
   * the head of the disk queue, which was empty when it was taken): its records are skipped and
   * acknowledged there, as far as the window confirms they are these messages; any it cannot
   * confirm stay queued and are delivered again, never lost.
   */
  async #acknowledgeDirect(disk: DiskQueue, direct: DirectBatch): Promise<void> {
    this.#direct = undefined;
    if (direct.spooled === undefined || !(await direct.spooled)) {
      acknowledgeMessages(direct.messages);
    } else {
      const taken = new Set(direct.messages);
      const { messages, sizes } = this.#window!.leading(direct.messages.length, Number.POSITIVE_INFINITY);
      let confirmed = 0;
      while (confirmed < messages.length && taken.has(messages[confirmed]!)) confirmed++;
      const positions = confirmed === 0 ? [] : await this.#skipSpooled(disk, sizes.slice(0, confirmed));
      if (positions.length > 0) await this.#acknowledge(disk, positions[positions.length - 1]!);
      this.#spooled.notify();
    }
  }

  start(deadLetter: (messages: readonly Message[], reason: string) => void): void {
    this.#deadLetter = deadLetter;
    // Spool while the output is still opening (or down), so inputs keep moving. A failure to
    // open the queue surfaces from take().
    this.#open().catch(() => {});
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#wakeSpooler.notify();
    await this.#spooler;
    if (this.#disk !== undefined) await (await this.#disk).close();
  }

  #open(): Promise<DiskQueue> {
    if (this.#disk === undefined) {
      this.#disk = DiskQueue.open(this.#options);
      this.#spooler = this.#disk.then((disk) => {
        this.#opened = disk;
        return this.#spool(disk);
      });
    }
    return this.#disk;
  }

  /**
   * The encodings of the messages that have one; the others (a field value that does not fit its
   * type, a timestamp beyond int64) go to the dead-letter route.
   */
  #encode(taken: readonly Message[]): { messages: Message[]; records: Uint8Array[] } {
    const { encoded, records } = encodeMessages(taken, (message, error) => {
      this.#options.counters.add('queue_encode_failures');
      this.#deadLetter([message], `cannot be written to the disk queue: ${errorMessage(error)}`);
    });
    return { messages: encoded, records };
  }

  /**
   * Moves messages from memory to disk whenever {@link #spoolIn} says so, until closed; then
   * spools what is left. A batch the output took from memory and is still on is spooled first.
   */
  async #spool(disk: DiskQueue): Promise<void> {
    this.#onDisk = disk.stats().pending;
    this.#window = new SpooledWindow(this.#onDisk, WINDOW_BYTES);
    for (;;) {
      const direct = this.#direct?.spooled === undefined ? this.#direct : undefined;
      if (this.#memory.length === 0 && direct === undefined) {
        if (this.#closing) return;
        await Promise.race([this.#memory.waitForData(), this.#wakeSpooler.wait()]);
        this.#wakeSpooler.notify(); // settle the wait the race left pending (only the spooler waits)
        continue;
      }
      const wait = this.#spoolIn();
      if (wait > 0) {
        // Until the output takes a batch, the wait is over, or close() calls.
        let timer: NodeJS.Timeout | undefined;
        const waits = [this.#wakeSpooler.wait()];
        if (Number.isFinite(wait)) waits.push(new Promise<void>((resolve) => (timer = setTimeout(resolve, wait))));
        await Promise.race(waits);
        clearTimeout(timer);
        this.#wakeSpooler.notify();
        continue;
      }
      if (direct !== undefined) {
        direct.spooled = this.#spoolBatch(disk, direct.messages);
        await direct.spooled;
        continue;
      }
      await this.#spoolBatch(disk, this.#memory.take(SPOOL_BATCH, SPOOL_BYTES));
    }
  }

  /**
   * Milliseconds until the waiting messages must be spooled (0: now; Infinity: not while the
   * output is taking them). They must when stopping, when spooling is immediate, when the disk
   * holds records ahead of them (order), when a crash would lose some of them (their delivery is
   * not tracked), and when the output has gone `spoolAfterMs` without taking a batch.
   */
  #spoolIn(): number {
    const after = this.#options.spoolAfterMs;
    if (this.#closing || after === 0 || this.#onDisk > 0) return 0;
    if (this.#takingDirect) return Number.POSITIVE_INFINITY;
    if (this.#memory.untracked > 0) return 0;
    return Math.max(0, this.#lastTake + after - performance.now());
  }

  /**
   * Appends messages taken from memory; once durably queued, acknowledges them upstream (then
   * what the output does with them concerns the disk queue only). Returns whether it did.
   */
  async #spoolBatch(disk: DiskQueue, messages: Message[]): Promise<boolean> {
    this.#spooling = true;
    let acknowledged = false;
    try {
      acknowledged = await this.#append(disk, messages);
      if (acknowledged) acknowledgeMessages(messages);
    } finally {
      this.#spooling = false;
    }
    this.#onDisk = disk.stats().pending;
    this.#spooled.notify();
    return acknowledged;
  }

  /** Appends with the full policy; returns false when the messages were not queued (shut down). */
  async #append(disk: DiskQueue, taken: readonly Message[]): Promise<boolean> {
    const { messages, records } = this.#encode(taken);
    for (let attempt = 1; ; attempt++) {
      // Into the window first: a reader may see the records before this continuation runs.
      this.#window!.appended(
        messages,
        records.map((r) => r.byteLength),
      );
      try {
        await disk.append(records);
        this.#options.counters.add('messages_spooled', records.length);
        return true;
      } catch (error) {
        // A failed append writes nothing (the queue truncates back), so take them out again.
        this.#window!.retract(messages.length);
        const full = hasCode(error, 'HEKATE_ERR_QUEUE_FULL');
        if (full && this.#options.fullAction === 'drop') {
          this.#options.counters.add('messages_dropped', messages.length);
          this.#logger.warn('Disk queue is full; messages dropped.', { count: messages.length, full_action: this.#options.fullAction });
          return true;
        }
        if (full && this.#options.fullAction === 'drop_oldest') {
          const dropped = await disk.dropOldest(records.reduce((n, r) => n + r.byteLength, 0));
          if (dropped > 0) {
            this.#window!.disable();
            this.#options.counters.add('messages_dropped', dropped);
            this.#logger.warn('Disk queue is full; oldest messages dropped.', { count: dropped });
            continue;
          }
          // Nothing left to drop (the batch alone is larger than max_buffer_size): wait as "block" does.
        }
        if (full && this.#options.fullAction === 'shutdown') {
          this.#failure = new Error('the disk queue is full and [buffering] full_action is "shutdown"');
          this.#spooled.notify();
          return false;
        }
        if (this.#closing && attempt > 3) {
          this.#logger.error('Could not queue messages to disk before stopping; they stay unacknowledged and will be read again.', {
            count: messages.length,
            error: errorMessage(error),
          });
          return false;
        }
        this.#options.counters.add(full ? 'queue_full_waits' : 'queue_write_failures');
        const wait = Math.min(FULL_RETRY_MS * attempt, MAX_RETRY_MS);
        if (attempt === 1 || wait === MAX_RETRY_MS) {
          const why = full ? 'the disk queue is full (full_action = "block")' : 'the disk queue could not be written';
          this.#logger.warn(`Holding messages in memory: ${why}; retrying.`, { count: messages.length, attempt, wait_ms: wait, error: errorMessage(error) });
        }
        await sleep(wait);
      }
    }
  }
}
