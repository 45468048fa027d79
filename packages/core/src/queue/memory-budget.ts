import { Notifier } from './notifier.js';

/**
 * One pipeline-wide budget of bytes shared by all in-memory queues. Every release wakes whoever
 * waits for room, since room in any queue may unblock the router.
 */
export class MemoryBudget {
  #used = 0;
  readonly #released = new Notifier();

  constructor(readonly limit: number) {}

  get used(): number {
    return this.#used;
  }

  get exhausted(): boolean {
    return this.#used >= this.limit;
  }

  reserve(bytes: number): void {
    this.#used += bytes;
  }

  release(bytes: number): void {
    this.#used -= bytes;
    this.#released.notify();
  }

  /** Resolves at the next release. */
  whenReleased(): Promise<void> {
    return this.#released.wait();
  }
}
