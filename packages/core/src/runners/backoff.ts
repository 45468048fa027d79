import type { RetryOptions } from '../config/common-options.js';

/**
 * The wait before retry number `attempt` (1-based): the delay doubles per attempt up to
 * `max_delay`, plus a random jitter in [0, max_jitter).
 */
export function backoffDelay(attempt: number, retries: RetryOptions, random: () => number = Math.random): number {
  const exponential = retries.delay * 2 ** Math.min(attempt - 1, 30);
  return Math.min(retries.max_delay, exponential) + random() * retries.max_jitter;
}

/** True when another attempt is allowed after `attempts` failures (`max_retries` -1 = forever). */
export function mayRetry(attempts: number, retries: RetryOptions): boolean {
  return retries.max_retries < 0 || attempts <= retries.max_retries;
}
