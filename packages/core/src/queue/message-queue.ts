import type { Message } from '../message/message.js';
import { DELIVERY } from '../message/slots.js';
import type { MemoryBudget } from './memory-budget.js';
import { Notifier } from './notifier.js';

/** What a queue does when it is full. */
export type FullAction = 'block' | 'drop_newest' | 'drop_oldest';

/** Bounds and policy of a {@link MessageQueue}. */
export interface MessageQueueOptions {
  maxMessages: number;
  maxBytes: number;
  fullAction: FullAction;
  budget: MemoryBudget;
  /** Called with each message dropped by the full policy (the queue has acknowledged it). */
  onDrop: (message: Message) => void;
}

/** Messages ahead of it under which a queued message keeps its lazily decoded fields whole. */
const KEEP_FIELDS_WITHIN = 256;

/** The bytes a message is taken to occupy in memory: a cheap estimate from its payload. */
export function messageSize(message: Message): number {
  return 128 + message.payload.length * 2 + (message.raw?.byteLength ?? 0);
}

/**
 * A filter's or output's bounded in-memory queue (messages and bytes, plus the pipeline budget).
 * With `block`, the router may overfill it by one batch and then holds inputs back until it has
 * room; `drop_newest` and `drop_oldest` drop, acknowledge and count instead.
 */
export class MessageQueue {
  readonly #options: MessageQueueOptions;
  #items: Message[] = [];
  #sizes: number[] = [];
  #head = 0;
  #bytes = 0;
  #untracked = 0;
  readonly #data = new Notifier();

  constructor(options: MessageQueueOptions) {
    this.#options = options;
  }

  get length(): number {
    return this.#items.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Messages queued whose delivery is not {@link DeliveryRef.tracked}: a crash would lose them. */
  get untracked(): number {
    return this.#untracked;
  }

  /** True when the queue (or the pipeline's memory budget) is at its bound. */
  get full(): boolean {
    return this.length >= this.#options.maxMessages || this.#bytes >= this.#options.maxBytes || this.#options.budget.exhausted;
  }

  /** True when a `block` queue is full: the router must hold inputs back. */
  get blocking(): boolean {
    return this.#options.fullAction === 'block' && this.full;
  }

  /** Adds a message, applying the full policy. Returns false when the message itself was dropped. */
  push(message: Message): boolean {
    if (this.full) {
      if (this.#options.fullAction === 'drop_newest') {
        this.#options.onDrop(message);
        return false;
      }
      if (this.#options.fullAction === 'drop_oldest' && this.length > 0) {
        const [oldest] = this.take(1, Infinity);
        oldest![DELIVERY]?.release();
        this.#options.onDrop(oldest!);
      }
    }
    // Near the head, a message is taken soon: it keeps its parsed fields, which a reader of them
    // would otherwise parse again. Behind a backlog it would outlive the young generation.
    message.shrink(this.length < KEEP_FIELDS_WITHIN);
    const size = messageSize(message);
    const delivery = message[DELIVERY];
    delivery?.hold();
    if (delivery?.tracked !== true) this.#untracked++;
    this.#items.push(message);
    this.#sizes.push(size);
    this.#bytes += size;
    this.#options.budget.reserve(size);
    this.#data.notify();
    return true;
  }

  /** Removes and returns up to `maxMessages` messages and about `maxBytes` bytes (at least one). */
  take(maxMessages: number, maxBytes: number): Message[] {
    const end = Math.min(this.#items.length, this.#head + maxMessages);
    let i = this.#head;
    let bytes = 0;
    while (i < end && (i === this.#head || bytes + this.#sizes[i]! <= maxBytes)) bytes += this.#sizes[i++]!;
    const out = this.#items.slice(this.#head, i);
    if (this.#untracked > 0) for (const m of out) if (m[DELIVERY]?.tracked !== true) this.#untracked--;
    this.#head = i;
    this.#bytes -= bytes;
    this.#options.budget.release(bytes);
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#sizes = [];
      this.#head = 0;
    } else if (this.#head > 4096) {
      this.#items = this.#items.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
    return out;
  }

  /** Resolves at the next push. */
  waitForData(): Promise<void> {
    return this.#data.wait();
  }
}
