// Embedding Hekate in a Node.js service: build a pipeline from code, feed it from your own
// handlers with inject(), watch it with subscribe(), and read its counters with stats().
//
//   node examples/embedding/embed.js
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pipeline, createMessage, defineOutput, silentLogger } from '@hekate/core';
import { z } from 'zod';

// A plugin defined inline: an output that collects slow requests in memory.
const slow = [];
const SlowRequestOutput = defineOutput({
  type: 'SlowRequestOutput',
  summary: 'Keeps the URLs of slow requests in memory.',
  options: z.object({}).strict(),
  create: () => ({
    batching: { maxMessages: 100, lingerMs: 50 },
    async write(batch) {
      for (const m of batch.messages) slow.push(m.value('url'));
    },
  }),
});

const dir = await mkdtemp(path.join(tmpdir(), 'hekate-embed-'));
const pipeline = await Pipeline.fromObject(
  {
    hekate: { base_dir: path.join(dir, 'state') },
    errors: {
      type: 'FileOutput',
      message_matcher: "Type == 'request' && Fields[status] >= 500",
      path: path.join(dir, 'errors.log'),
      encoder: 'PayloadEncoder',
    },
    slow: { type: 'SlowRequestOutput', message_matcher: "Type == 'request' && Fields[latency_ms] > 1000" },
  },
  { plugins: [SlowRequestOutput], logger: silentLogger },
);

const seen = [];
pipeline.subscribe("Fields[status] == 404", (m) => seen.push(m.value('url')));
await pipeline.start();

// In a real service this is your request handler. inject() resolves once every output that
// matched the message has acknowledged it (written and flushed).
const requests = [
  { url: '/search', status: 200, latency_ms: 40 },
  { url: '/book', status: 503, latency_ms: 1500 },
  { url: '/missing', status: 404, latency_ms: 3 },
];
await pipeline.inject(
  requests.map((r) =>
    createMessage({
      type: 'request',
      payload: `${r.status} ${r.url}`,
      fields: Object.entries(r).map(([name, value]) => ({ name, value })),
    }),
  ),
);

console.log('errors.log:', (await readFile(path.join(dir, 'errors.log'), 'utf8')).trim());
console.log('slow:', slow);
console.log('404s seen by the subscription:', seen);
console.log('written by "errors":', pipeline.stats().plugins.errors.counters.messages_written);
await pipeline.stop();
