import { z } from 'zod';
import type { FieldInit } from '../../message/field.js';
import { createMessage, type Message } from '../../message/message.js';
import { defineFilter } from '../../plugins/define.js';
import type { Filter, FilterRunner } from '../../plugins/types.js';

/** Type of the messages CounterFilter injects. */
export const COUNTER_OUTPUT_TYPE = 'heka.counter-output';

/** Rates kept for the summary message, as in Heka. */
const SUMMARY_SAMPLES = 10;

class CounterFilterImpl implements Filter {
  readonly #logger: string;
  readonly #hostname: string;
  readonly #now: () => number;
  #count = 0;
  #lastCount = 0;
  #lastTime: number;
  #rates: number[] = [];

  constructor(logger: string, hostname: string, now: () => number) {
    this.#logger = logger;
    this.#hostname = hostname;
    this.#now = now;
    this.#lastTime = now();
  }

  process(): void {
    this.#count++;
  }

  onTick(runner: FilterRunner): void {
    const sent = this.#count - this.#lastCount;
    if (sent === 0) return;
    const now = this.#now();
    const seconds = (now - this.#lastTime) / 1000;
    this.#lastCount = this.#count;
    this.#lastTime = now;
    const rate = seconds > 0 ? sent / seconds : 0;
    this.#rates.push(rate);
    runner.inject(this.#message(`Got ${this.#count} messages. ${rate.toFixed(2)} msg/sec`, [
      { name: 'count', value: this.#count, representation: 'count' },
      { name: 'rate', value: rate, representation: 'msg/s', type: 'double' },
      { name: 'interval', value: seconds, representation: 's', type: 'double' },
    ]));
    if (this.#rates.length < SUMMARY_SAMPLES) return;
    const rates = this.#rates.sort((a, b) => a - b);
    this.#rates = [];
    const min = rates[0]!;
    const max = rates[rates.length - 1]!;
    const mean = rates.reduce((sum, r) => sum + r, 0) / rates.length;
    runner.inject(this.#message(
      `AGG Sum. Min: ${min.toFixed(2)}    Max: ${max.toFixed(2)}    Mean: ${mean.toFixed(2)}`,
      [
        { name: 'min', value: min, representation: 'msg/s', type: 'double' },
        { name: 'max', value: max, representation: 'msg/s', type: 'double' },
        { name: 'mean', value: mean, representation: 'msg/s', type: 'double' },
      ],
    ));
  }

  #message(payload: string, fields: FieldInit[]): Message {
    const [type, logger, hostname] = [COUNTER_OUTPUT_TYPE, this.#logger, this.#hostname];
    return createMessage({ type, logger, hostname, payload, fields });
  }
}

/**
 * Creates a CounterFilter whose reports have Logger `logger` and Hostname `hostname`, with an
 * injectable clock in milliseconds (for tests).
 * @internal
 */
export function createCounterFilter(
  logger: string,
  hostname: string,
  now: () => number = Date.now,
): Filter {
  return new CounterFilterImpl(logger, hostname, now);
}

/**
 * CounterFilter: counts the messages its matcher accepts and, every `ticker_interval` (5 s by
 * default) in which some arrived, injects a `heka.counter-output` message: Payload "Got N
 * messages. R msg/sec" and fields `count` (total), `rate` (msg/s over the interval) and
 * `interval` (seconds). Every ten such reports it also injects Heka's "AGG Sum. Min: … Max: …
 * Mean: …" summary with fields `min`, `max` and `mean`.
 *
 * The default matcher, `Type != 'heka.counter-output'`, leaves out its own reports: the runner
 * refuses to inject a message the filter's own matcher would accept, so a custom matcher must
 * exclude them too.
 *
 * @example
 * [counter]
 * type = "CounterFilter"
 * ticker_interval = 10
 */
export const CounterFilter = defineFilter({
  type: 'CounterFilter',
  summary: 'Counts messages and reports the count and rate every ticker interval.',
  options: z.object({}).strict(),
  commonDefaults: { ticker_interval: 5, message_matcher: `Type != '${COUNTER_OUTPUT_TYPE}'` },
  create: (_o, ctx) => createCounterFilter(ctx.name, ctx.hostname),
});
