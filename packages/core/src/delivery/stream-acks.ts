import { Delivery } from './delivery.js';

/**
 * The deliveries of one input stream in order. Batches may be acknowledged out of order; the
 * stream reports a position only when it and every batch before it are done, so a checkpoint
 * never passes an unacknowledged message.
 */
export class StreamAcks {
  readonly #entries: { delivery: Delivery; position: unknown }[] = [];
  #head = 0;
  readonly #onAcknowledged: (position: unknown) => void;

  constructor(onAcknowledged: (position: unknown) => void) {
    this.#onAcknowledged = onAcknowledged;
  }

  /** Batches delivered and not yet reported. */
  get inFlight(): number {
    return this.#entries.length - this.#head;
  }

  /** Starts tracking a batch that ends at `position`. */
  add(position: unknown): Delivery {
    const delivery = new Delivery(() => this.#advance());
    this.#entries.push({ delivery, position });
    return delivery;
  }

  #advance(): void {
    let last: { position: unknown } | undefined;
    while (this.#head < this.#entries.length && this.#entries[this.#head]!.delivery.done) {
      last = this.#entries[this.#head++];
    }
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries.splice(0, this.#head);
      this.#head = 0;
    }
    if (last !== undefined) this.#onAcknowledged(last.position);
  }
}
