import type { Message } from '../message/message.js';

/**
 * The messages this process appended to an output's disk queue, in append order, kept in memory
 * up to a byte budget so that the output's reader can use them instead of reading and decoding
 * the records. Records that were on disk before this process started, or that were appended past
 * the budget, are read and decoded as usual. Any doubt (a dropped or corrupt record, a size that does not
 * match) turns the window off for good: it is only a shortcut, never the source of truth.
 */
export class SpooledWindow {
  readonly #budget: number;
  /** Records at the front of the queue that this process did not append. */
  #foreign: number;
  #entries: ({ message: Message; size: number } | number)[] = [];
  #head = 0;
  #held = 0;
  #enabled = true;

  constructor(foreignRecords: number, budgetBytes: number) {
    this.#foreign = foreignRecords;
    this.#budget = budgetBytes;
  }

  /** Records appended, with their encoded sizes; kept while the budget allows. */
  appended(messages: readonly Message[], sizes: readonly number[]): void {
    if (!this.#enabled) return;
    for (let i = 0; i < messages.length; i++) {
      const size = sizes[i]!;
      if (this.#held + size <= this.#budget) {
        this.#entries.push({ message: messages[i]!, size });
        this.#held += size;
      } else {
        this.#entries.push(size);
      }
    }
  }

  /** Takes back the last `count` entries: their append failed and wrote nothing. */
  retract(count: number): void {
    for (let i = 0; i < count && this.#entries.length > this.#head; i++) {
      const entry = this.#entries.pop()!;
      if (typeof entry !== 'number') this.#held -= entry.size;
    }
  }

  /**
   * The messages (and their encoded sizes) behind the next records, when the window holds them
   * all from the queue's read position on: up to `maxMessages` and about `maxBytes` encoded bytes
   * (at least one). Empty when the next record must be read and decoded. Takes nothing: pass each
   * record taken to {@link next}.
   */
  leading(maxMessages: number, maxBytes: number): { messages: Message[]; sizes: number[] } {
    const messages: Message[] = [];
    const sizes: number[] = [];
    if (!this.#enabled || this.#foreign > 0) return { messages, sizes };
    let bytes = 0;
    for (let i = this.#head; i < this.#entries.length && messages.length < maxMessages; i++) {
      const entry = this.#entries[i]!;
      if (typeof entry === 'number' || (messages.length > 0 && bytes + entry.size > maxBytes)) break;
      messages.push(entry.message);
      sizes.push(entry.size);
      bytes += entry.size;
    }
    return { messages, sizes };
  }

  /** The message behind the next record read (of `size` bytes), or undefined: decode it. */
  next(size: number): Message | undefined {
    if (this.#foreign > 0) {
      this.#foreign--;
      return undefined;
    }
    if (!this.#enabled) return undefined;
    const entry = this.#entries[this.#head];
    if (entry === undefined) {
      this.disable();
      return undefined;
    }
    this.#entries[this.#head++] = 0;
    if (this.#head > 4096 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    if (typeof entry === 'number') {
      if (entry !== size) this.disable();
      return undefined;
    }
    this.#held -= entry.size;
    if (entry.size !== size) {
      this.disable();
      return undefined;
    }
    return entry.message;
  }

  /** Stops using the window (records were dropped or skipped, so the order is no longer known). */
  disable(): void {
    this.#enabled = false;
    this.#entries = [];
    this.#head = 0;
    this.#held = 0;
  }
}
