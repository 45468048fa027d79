import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineInput, defineOutput, type Message } from '@hekate/core';

/**
 * GeneratorInput: delivers `count` messages, `chunk` at a time, at most `rate` per second (0:
 * as fast as the pipeline takes them). Message i has Payload `<id> <key> <seq>` (padded with
 * `pad[i % pad.length]` dots) and fields id, key (one of `keys`) and seq (its number within its key).
 * With `linger`, it then waits to be stopped instead of finishing (which would stop the pipeline).
 */
export const GeneratorInput = defineInput({
  type: 'GeneratorInput',
  summary: 'Delivers numbered messages (tests only).',
  options: z
    .object({
      count: z.number().int().positive(),
      chunk: z.number().int().positive().default(1000),
      keys: z.number().int().positive().default(50),
      rate: z.number().int().nonnegative().default(0),
      prefix: z.string().default('g'),
      pad: z.array(z.number().int().nonnegative()).default([0]),
      linger: z.boolean().default(false),
    })
    .strict(),
  create: (o) => ({
    async run(runner) {
      const started = Date.now();
      for (let i = 0; i < o.count && !runner.signal.aborted; ) {
        const messages: Message[] = [];
        for (const end = Math.min(o.count, i + o.chunk); i < end; i++) {
          const key = `k${i % o.keys}`;
          const seq = Math.floor(i / o.keys);
          const id = `${o.prefix}-${i}`;
          const m = runner.createMessage(`${id} ${key} ${seq}${'.'.repeat(o.pad[i % o.pad.length]!)}`);
          m.type = 'generated';
          m.addField('id', id);
          m.addField('key', key);
          m.addField('seq', seq);
          messages.push(m);
        }
        await runner.deliver(messages);
        if (o.rate > 0) {
          const due = started + (i / o.rate) * 1000;
          if (due > Date.now()) await sleep(due - Date.now());
        }
      }
      if (o.linger && !runner.signal.aborted) {
        await new Promise((resolve) => runner.signal.addEventListener('abort', resolve, { once: true }));
      }
    },
  }),
});

/** What CollectOutput instances received, by their `id` option. */
export const collected = new Map<string, Message[]>();

/** CollectOutput: keeps every message it is given in {@link collected} (tests only). */
export const CollectOutput = defineOutput({
  type: 'CollectOutput',
  summary: 'Collects messages in memory (tests only).',
  options: z.object({ id: z.string() }).strict(),
  create: (o) => {
    collected.set(o.id, []);
    return {
      batching: { maxMessages: 1000, maxBytes: Infinity, lingerMs: 5 },
      async write(batch) {
        collected.get(o.id)!.push(...batch.messages);
      },
    };
  },
});
