import type { CommonOptions } from '../config/common-options.js';
import { errorMessage, hasCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Message } from '../message/message.js';
import { Notifier, sleep } from '../queue/notifier.js';
import type { MessageQueue } from '../queue/message-queue.js';
import type { BatchPolicy, Encoder, Output, OutputRunner, SplitRecord, WriteResult } from '../plugins/types.js';
import type { Subscriber } from '../router/router.js';
import { backoffDelay, mayRetry } from './backoff.js';
import type { BatchSource } from './batch-source.js';
import type { Counters } from './counters.js';
import { createDeadLetter } from './dead-letter.js';
import type { Runtime } from './runtime.js';

/** How an output runner was configured. */
export interface OutputRunnerSetup {
  name: string;
  type: string;
  output: Output;
  common: CommonOptions['output'];
  matcher: (message: Message) => boolean;
  encoder: Encoder | undefined;
  /** Wraps each encoding (Heka stream framing when `use_framing`). */
  frame: ((record: Uint8Array) => Uint8Array) | undefined;
  queue: MessageQueue;
  /** Where batches come from: the queue itself, or a disk queue fed from it. */
  source: BatchSource;
  logger: Logger;
  counters: Counters;
}

const DEFAULT_BATCHING: BatchPolicy = { maxMessages: 1, maxBytes: Infinity, lingerMs: 0 };

/**
 * Runs one output: takes batches from its source, encodes them, writes them with retries and
 * capped exponential backoff, acknowledges what was written, sends refused messages to the
 * dead-letter route, and calls the output's ticker between writes, never during one.
 */
export class OutputRunnerImpl implements OutputRunner, Subscriber {
  readonly name: string;
  readonly logger: Logger;
  readonly counters: Counters;
  readonly matches: (message: Message) => boolean;
  readonly #setup: OutputRunnerSetup;
  readonly #runtime: Runtime;
  readonly #policy: BatchPolicy;
  /** Aborted when the runner must give up at once (shutdown timeout). */
  readonly #abort = new AbortController();
  readonly #wake = new Notifier();
  /** Stopping: write what is queued without lingering. */
  #draining = false;
  /** Every plugin is idle: leave the loop once the source is settled. */
  #finishing = false;
  #writing = false;

  constructor(setup: OutputRunnerSetup, runtime: Runtime) {
    this.#setup = setup;
    this.#runtime = runtime;
    this.name = setup.name;
    this.logger = setup.logger;
    this.counters = setup.counters;
    this.matches = setup.matcher;
    this.#policy = { ...DEFAULT_BATCHING, ...setup.output.batching };
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get blocking(): boolean {
    return this.#setup.queue.blocking;
  }

  /** Messages waiting to be written (in memory, and on disk when buffering). */
  get queued(): number {
    return this.#setup.source.length;
  }

  accept(message: Message): void {
    this.counters.add('messages_matched');
    this.#setup.queue.push(message);
  }

  /** Writes what is queued without lingering, ahead of {@link finish}. */
  drain(): void {
    this.#draining = true;
    this.#wake.notify();
  }

  /** True when nothing is queued or being written. */
  get idle(): boolean {
    return this.#setup.source.settled && !this.#writing;
  }

  /**
   * Returns from {@link run} once nothing is queued. Called when every filter and output is
   * idle, so a dead letter injected by another output's last write is still written.
   */
  finish(): void {
    this.#finishing = true;
    this.#wake.notify();
  }

  /** Gives up on whatever is still queued or being retried. */
  abort(): void {
    this.#abort.abort();
    this.#wake.notify();
  }

  /** SIGHUP: asks the output to reopen its files. */
  async reopen(): Promise<void> {
    await this.#setup.output.reopen?.(this);
  }

  async run(): Promise<void> {
    const { output, common, source } = this.#setup;
    source.start((messages, reason) => this.#deadLetter(messages, reason, 0));
    if (!(await this.#attempt('open', async () => output.open?.(this)))) return;
    const tickMs = common.ticker_interval;
    let nextTick = tickMs > 0 ? Date.now() + tickMs : Infinity;
    const ticker = tickMs > 0 ? setInterval(() => this.#wake.notify(), tickMs) : undefined;
    try {
      while (!this.signal.aborted) {
        if (this.#finishing && source.settled) break;
        const batch = await source.take(this.#policy, this.#wake.wait(), this.#draining);
        // Settle this round's wake promise: otherwise it, and the reactions take() attached to
        // it, would stay pending until the next tick or stop — one more per batch.
        this.#wake.notify();
        if (batch !== undefined) {
          this.#writing = true;
          try {
            await this.#write(batch.messages);
            if (!this.signal.aborted) await batch.acknowledge();
          } finally {
            this.#writing = false;
          }
        }
        if (Date.now() >= nextTick) {
          nextTick = Date.now() + tickMs;
          await this.#attempt('onTick', async () => output.onTick?.(this), 1);
        }
      }
    } finally {
      if (ticker !== undefined) clearInterval(ticker);
      await source.close();
      await this.#attempt('close', async () => output.close?.(this), 1);
    }
  }

  /** Writes one batch until every message is written, dead-lettered or the runner is aborted. */
  async #write(messages: Message[]): Promise<void> {
    let pending = this.#encode(messages);
    const { retries } = this.#setup.common;
    for (let attempt = 1; pending.messages.length > 0 && !this.signal.aborted; attempt++) {
      let result: WriteResult | void;
      try {
        result = await this.#setup.output.write(pending, this);
      } catch (error) {
        // The output cannot go on: its run ends and its can_exit policy applies.
        if (hasCode(error, 'HEKATE_ERR_PLUGIN_FATAL')) throw error;
        if (hasCode(error, 'HEKATE_ERR_PERMANENT')) {
          this.#deadLetter(pending.messages, errorMessage(error), attempt);
          return;
        }
        this.counters.add('write_failures');
        if (!mayRetry(attempt, retries)) {
          this.#deadLetter(pending.messages, `retries exhausted: ${errorMessage(error)}`, attempt);
          return;
        }
        await this.#backoff(attempt, error);
        continue;
      }
      const rejected = result?.rejected ?? [];
      const retry = result?.retry ?? [];
      this.counters.add('messages_written', pending.messages.length - rejected.length - retry.length);
      for (const r of rejected) this.#deadLetter([pending.messages[r.index]!], r.reason, attempt);
      if (retry.length === 0) return;
      pending = {
        messages: retry.map((i) => pending.messages[i]!),
        records: pending.records === undefined ? undefined : retry.map((i) => pending.records![i]!),
      };
      this.counters.add('messages_retried', retry.length);
      if (!mayRetry(attempt, retries)) {
        this.#deadLetter(pending.messages, 'retries exhausted', attempt);
        return;
      }
      await this.#backoff(attempt, undefined);
    }
  }

  async #backoff(attempt: number, error: unknown): Promise<void> {
    const wait = backoffDelay(attempt, this.#setup.common.retries);
    this.counters.add('retries');
    this.logger.warn('Write failed; retrying after a backoff.', {
      error: error === undefined ? 'some messages must be written again' : errorMessage(error),
      attempt,
      wait_ms: Math.round(wait),
    });
    await sleep(wait, this.signal);
  }

  #encode(messages: Message[]): { messages: Message[]; records: SplitRecord[] | undefined } {
    const { encoder, frame } = this.#setup;
    if (encoder === undefined) return { messages, records: undefined };
    const kept: Message[] = [];
    const records: SplitRecord[] = [];
    for (const message of messages) {
      let record: SplitRecord | undefined;
      try {
        record = encoder.encode(message);
      } catch (error) {
        this.counters.add('encode_failures');
        this.#deadLetter([message], `encoder failed: ${errorMessage(error)}`, 0);
        continue;
      }
      if (record === undefined) {
        this.counters.add('messages_skipped');
        continue;
      }
      if (frame !== undefined) record = frame(typeof record === 'string' ? Buffer.from(record) : record);
      kept.push(message);
      records.push(record);
    }
    return { messages: kept, records };
  }

  /** Routes refused messages to the dead-letter route, tied to their deliveries. */
  #deadLetter(messages: readonly Message[], reason: string, attempts: number): void {
    this.counters.add('messages_dead_lettered', messages.length);
    for (const message of messages) {
      if (message.type === 'hekate.dead_letter') {
        this.#lost(message, reason, 'a dead letter cannot itself be dead-lettered');
        continue;
      }
      const letter = createDeadLetter(message, { plugin: this.name, reason, attempts });
      const taken = this.#runtime.injectDerived(letter, message, this.name);
      if (taken === 0) this.#lost(message, reason, 'no message_matcher accepts hekate.dead_letter messages');
    }
  }

  #lost(message: Message, reason: string, why: string): void {
    this.#runtime.counters.add('dead_letters_unrouted');
    this.logger.error(`Message given up: ${why}.`, { reason, uuid: message.uuid, type: message.type });
  }

  /** Calls a lifecycle hook, retrying failures with backoff up to `limit` attempts (default: the retry policy). */
  async #attempt(what: string, call: () => Promise<unknown>, limit?: number): Promise<boolean> {
    const { retries } = this.#setup.common;
    for (let attempt = 1; !this.signal.aborted; attempt++) {
      try {
        await call();
        return true;
      } catch (error) {
        this.counters.add(`${what}_failures`);
        if (limit !== undefined ? attempt >= limit : !mayRetry(attempt, retries)) {
          this.logger.error(`Output ${what} failed.`, { error: errorMessage(error), attempts: attempt });
          return false;
        }
        await this.#backoff(attempt, error);
      }
    }
    return false;
  }
}
