import type { CommonOptions } from '../config/common-options.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Message } from '../message/message.js';
import { DELIVERY } from '../message/slots.js';
import type { MessageQueue } from '../queue/message-queue.js';
import { Notifier } from '../queue/notifier.js';
import type { Filter, FilterRunner } from '../plugins/types.js';
import type { Subscriber } from '../router/router.js';
import type { Counters } from './counters.js';
import type { Runtime } from './runtime.js';

/** How a filter runner was configured. */
export interface FilterRunnerSetup {
  name: string;
  type: string;
  filter: Filter;
  common: CommonOptions['filter'];
  matcher: (message: Message) => boolean;
  queue: MessageQueue;
  logger: Logger;
  counters: Counters;
}

/**
 * Runs one filter: feeds it the messages its matcher accepts, one at a time, calls its ticker
 * between messages, and routes what it injects with Heka's protections (loop count, per-call
 * injection limits, and never a message the filter's own matcher would accept).
 */
export class FilterRunnerImpl implements FilterRunner, Subscriber {
  readonly name: string;
  readonly logger: Logger;
  readonly counters: Counters;
  readonly matches: (message: Message) => boolean;
  readonly #setup: FilterRunnerSetup;
  readonly #runtime: Runtime;
  readonly #wake = new Notifier();
  /** Every plugin is idle: leave the loop once the queue is empty. */
  #finishing = false;
  #stopped = false;
  #busy = false;
  /** The message being processed, parent of injections; undefined during a tick. */
  #current: Message | undefined;
  #injectedThisCall = 0;

  constructor(setup: FilterRunnerSetup, runtime: Runtime) {
    this.#setup = setup;
    this.#runtime = runtime;
    this.name = setup.name;
    this.logger = setup.logger;
    this.counters = setup.counters;
    this.matches = setup.matcher;
  }

  get blocking(): boolean {
    return this.#setup.queue.blocking;
  }

  get queued(): number {
    return this.#setup.queue.length;
  }

  accept(message: Message): void {
    this.counters.add('messages_matched');
    this.#setup.queue.push(message);
  }

  inject(message: Message): void {
    const { global } = this.#runtime;
    const limit = this.#current === undefined ? global.max_timer_inject : global.max_process_inject;
    if (this.#injectedThisCall >= limit) {
      this.counters.add('inject_refused');
      throw new Error(`inject limit reached: at most ${limit} message(s) per ${this.#current === undefined ? 'onTick' : 'process'} call`);
    }
    if (this.matches(message)) {
      this.counters.add('inject_refused');
      throw new Error(`cannot inject a message that the filter's own message_matcher accepts (it would loop)`);
    }
    this.#injectedThisCall++;
    this.counters.add('messages_injected');
    this.#runtime.injectDerived(message, this.#current, this.name);
  }

  /** True when nothing is queued or being processed. */
  get idle(): boolean {
    return this.#setup.queue.length === 0 && !this.#busy;
  }

  /** Returns from {@link run} once the queue is empty (called when every plugin is idle). */
  finish(): void {
    this.#finishing = true;
    this.#wake.notify();
  }

  abort(): void {
    this.#stopped = true;
    this.#wake.notify();
  }

  async run(): Promise<void> {
    const { queue, filter, common } = this.#setup;
    const tickMs = common.ticker_interval;
    let nextTick = tickMs > 0 ? Date.now() + tickMs : Infinity;
    const ticker = tickMs > 0 ? setInterval(() => this.#wake.notify(), tickMs) : undefined;
    try {
      await filter.open?.(this);
      while (!this.#stopped) {
        if (queue.length === 0) {
          if (this.#finishing) break;
          await Promise.race([queue.waitForData(), this.#wake.wait()]);
          this.#wake.notify(); // settle the wake promise the race left pending (see OutputRunnerImpl)
        }
        const batch = queue.take(256, Infinity);
        this.#busy = batch.length > 0;
        for (const message of batch) {
          await this.#call(message, () => filter.process(message, this));
          message[DELIVERY]?.release();
        }
        this.#busy = false;
        if (Date.now() >= nextTick) {
          nextTick = Date.now() + tickMs;
          await this.#call(undefined, () => filter.onTick?.(this));
        }
      }
    } finally {
      if (ticker !== undefined) clearInterval(ticker);
      await this.#call(undefined, () => filter.close?.(this));
    }
  }

  /** Calls the filter; a throw is counted and logged, never escapes (Heka drops the message). */
  async #call(current: Message | undefined, call: () => void | Promise<void>): Promise<void> {
    this.#current = current;
    this.#injectedThisCall = 0;
    try {
      const result = call();
      if (result !== undefined) await result;
    } catch (error) {
      this.counters.add('process_failures');
      this.logger.error('Filter failed to process a message.', { error: errorMessage(error) });
    } finally {
      this.#current = undefined;
    }
  }
}
