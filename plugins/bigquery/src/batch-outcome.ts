import { RetryableError, type WriteResult } from '@hekate/core';
import type { Verdict } from './insert-errors.js';

// Per-message states, ordered by severity; 0 is "written".
const RETRY = 1;
const REJECT = 2;

/**
 * Collects what happened to each message of a batch across its insertAll requests. A message
 * whose rows span several requests gets the worst outcome of its rows: dead-lettered if any row
 * was invalid, else written again if any row failed, else written.
 */
export class BatchOutcome {
  readonly #state: Uint8Array;
  readonly #reasons = new Map<number, string>();
  /** The first whole-request failure, for the log line or the thrown error. */
  #requestFailure: string | undefined;

  constructor(size: number) {
    this.#state = new Uint8Array(size);
  }

  /** The first whole-request failure that is retried, if any. */
  get requestFailure(): string | undefined {
    return this.#requestFailure;
  }

  /** Records a verdict for the message at `index`. */
  set(index: number, verdict: Verdict): void {
    const next = verdict.action === 'reject' ? REJECT : RETRY;
    if (next <= this.#state[index]!) return;
    this.#state[index] = next;
    if (next === REJECT) this.#reasons.set(index, verdict.reason);
  }

  /** Records a whole-request verdict for every message with a row in the request. */
  setAll(messages: Iterable<number>, verdict: Verdict): void {
    if (verdict.action === 'retry') this.#requestFailure ??= verdict.reason;
    for (const m of messages) this.set(m, verdict);
  }

  /**
   * The runner's result: dead letters and messages to write again.
   * @throws RetryableError when whole requests failed and nothing was written or refused, so the
   *   runner logs the cause and retries the batch with backoff.
   */
  result(): WriteResult {
    const rejected: { index: number; reason: string }[] = [];
    const retry: number[] = [];
    for (let i = 0; i < this.#state.length; i++) {
      if (this.#state[i] === REJECT) rejected.push({ index: i, reason: this.#reasons.get(i)! });
      else if (this.#state[i] === RETRY) retry.push(i);
    }
    if (this.#requestFailure !== undefined && retry.length === this.#state.length) {
      throw new RetryableError(this.#requestFailure);
    }
    return { rejected, retry };
  }
}
