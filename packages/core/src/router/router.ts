import type { Message } from '../message/message.js';
import type { MemoryBudget } from '../queue/memory-budget.js';

/** Anything the router hands matching messages to: a filter's or output's runner, or a subscription. */
export interface Subscriber {
  readonly name: string;
  readonly matches: (message: Message) => boolean;
  /** Takes a matching message; holds its delivery until the message is acknowledged. */
  accept(message: Message): void;
  /** True while this subscriber's queue is full under the `block` policy. */
  readonly blocking: boolean;
}

/**
 * Hands every message to each subscriber whose matcher accepts it, in a tight synchronous loop.
 * Each subscriber has its own bounded queue, so a slow one never delays the others unless its
 * queue is full under `block`, in which case {@link whenRoom} holds the inputs back.
 */
export class Router {
  #subscribers: Subscriber[] = [];
  readonly #budget: MemoryBudget;

  constructor(budget: MemoryBudget) {
    this.#budget = budget;
  }

  add(subscriber: Subscriber): void {
    this.#subscribers = [...this.#subscribers, subscriber];
  }

  remove(subscriber: Subscriber): void {
    this.#subscribers = this.#subscribers.filter((s) => s !== subscriber);
  }

  /** Routes a batch; returns how many (message, subscriber) matches there were. */
  route(messages: readonly Message[]): number {
    const subscribers = this.#subscribers;
    let matched = 0;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      for (let j = 0; j < subscribers.length; j++) {
        const s = subscribers[j]!;
        if (s.matches(message)) {
          s.accept(message);
          matched++;
        }
      }
    }
    return matched;
  }

  /** True when some subscriber's `block` queue is full. */
  get congested(): boolean {
    return this.#budget.exhausted || this.#subscribers.some((s) => s.blocking);
  }

  /** Resolves once no subscriber is blocking, or when `signal` aborts. */
  async whenRoom(signal?: AbortSignal): Promise<void> {
    while (this.congested && signal?.aborted !== true) {
      await releasedOrAborted(this.#budget, signal);
    }
  }
}

function releasedOrAborted(budget: MemoryBudget, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return budget.whenReleased();
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void budget.whenReleased().then(done);
  });
}
