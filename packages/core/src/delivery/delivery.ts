import type { DeliveryRef } from '../message/slots.js';

/**
 * One delivered batch's acknowledgement count. It starts held once by whoever routes it; each
 * queue that accepts one of its messages holds it again and releases it when that message is
 * acknowledged (written, flushed, durably queued or dead-lettered). At zero it is done.
 */
export class Delivery implements DeliveryRef {
  readonly tracked: boolean;
  #pending = 1;
  #onDone: (() => void) | undefined;

  /** `onDone` runs once every hold is released; a delivery with one is {@link tracked}. */
  constructor(onDone?: () => void) {
    this.#onDone = onDone;
    this.tracked = onDone !== undefined;
  }

  get done(): boolean {
    return this.#pending === 0;
  }

  hold(count = 1): void {
    this.#pending += count;
  }

  release(count = 1): void {
    this.#pending -= count;
    if (this.#pending === 0) {
      const onDone = this.#onDone;
      this.#onDone = undefined;
      onDone?.();
    } else if (this.#pending < 0) {
      throw new Error('Delivery released more often than held.');
    }
  }
}
