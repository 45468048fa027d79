import { z } from 'zod';
import { defineOutput } from '../../plugins/define.js';

/**
 * NullOutput: accepts and discards every message (counting them in `messages_discarded`), for
 * benchmarks and for routes that only need to be acknowledged.
 *
 * @example
 * [discard]
 * type = "NullOutput"
 * message_matcher = "Type == 'noise'"
 */
export const NullOutput = defineOutput({
  type: 'NullOutput',
  summary: 'Discards every message.',
  options: z.object({}).strict(),
  create: () => ({
    batching: { maxMessages: 1000, maxBytes: 4 * 1024 * 1024, lingerMs: 0 },
    async write(batch, runner) {
      runner.counters.add('messages_discarded', batch.messages.length);
    },
  }),
});
