import type { Message } from '../message/message.js';
import { DELIVERY } from '../message/slots.js';
import type { MessageQueue } from '../queue/message-queue.js';
import { sleep } from '../queue/notifier.js';
import type { BatchPolicy } from '../plugins/types.js';
import type { BatchSource, SourcedBatch } from './batch-source.js';

/** Releases each message's hold on its delivery: the message is acknowledged upstream. */
export function acknowledgeMessages(messages: readonly Message[]): void {
  for (let i = 0; i < messages.length; i++) messages[i]![DELIVERY]?.release();
}

/** Batches straight from an output's in-memory queue; acknowledging releases the deliveries. */
export class MemorySource implements BatchSource {
  readonly #queue: MessageQueue;

  constructor(queue: MessageQueue) {
    this.#queue = queue;
  }

  get length(): number {
    return this.#queue.length;
  }

  get settled(): boolean {
    return this.#queue.length === 0;
  }

  async take(policy: BatchPolicy, wake: Promise<void>, hurry: boolean): Promise<SourcedBatch | undefined> {
    if (this.#queue.length === 0) await Promise.race([this.#queue.waitForData(), wake]);
    if (this.#queue.length === 0) return undefined;
    if (!hurry && policy.lingerMs > 0) await this.#linger(policy, wake);
    const messages = this.#queue.take(policy.maxMessages, policy.maxBytes);
    return {
      messages,
      acknowledge: async () => acknowledgeMessages(messages),
    };
  }

  start(): void {}

  async close(): Promise<void> {}

  /** Waits up to the linger time for the queue to fill a batch, or to fill up itself. */
  async #linger(policy: BatchPolicy, wake: Promise<void>): Promise<void> {
    let woken = false;
    void wake.then(() => (woken = true));
    let expired = false;
    const timer = new AbortController();
    const lingering = sleep(policy.lingerMs, timer.signal).then(() => (expired = true));
    try {
      // A full queue cannot grow into a fuller batch: waiting would only hold inputs back.
      const fillable = () => this.#queue.length < policy.maxMessages && this.#queue.bytes < policy.maxBytes && !this.#queue.full;
      while (!woken && !expired && fillable()) {
        await Promise.race([lingering, this.#queue.waitForData(), wake]);
      }
    } finally {
      timer.abort();
    }
  }
}
