import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Pipeline, silentLogger } from '@hekate/core';
import { KafkaOutput } from '../../src/kafka-output.js';
import { BROKERS, createTopic, needsBroker, readTopic, unique, waitFor } from '../support/kafka-kit.js';
import { GeneratorInput } from '../support/test-plugins.js';

const SERVICES = process.env['HEKATE_SERVICES_DIR'];
const kafkaSh = (...args: string[]) =>
  promisify(execFile)('bash', [path.join(SERVICES!, 'kafka.sh'), ...args], { timeout: 180_000 });
const needsServices =
  SERVICES === undefined ? 'HEKATE_SERVICES_DIR is not set (the test stops and restarts the broker)' : false;

const COUNT = 60_000;

test(
  'the broker stopped for 30 s while KafkaOutput has traffic: zero loss once it returns, memory bounded',
  { skip: needsBroker || needsServices },
  async (t) => {
    const topic = unique('hekate-outage');
    await createTopic(topic, 3);
    const pipeline = await Pipeline.fromObject(
      {
        hekate: { memory_limit: '64MiB' },
        gen: { type: 'GeneratorInput', count: COUNT, rate: 2_000, chunk: 200, keys: 30 },
        kafka_out: {
          type: 'KafkaOutput',
          message_matcher: "Type == 'generated'",
          addrs: BROKERS!.split(','),
          topic,
          hash_variable: 'Fields[key]',
          queue_max_messages: 5_000,
          max_buffered_messages: 1_000,
          retries: { max_delay: '5s' },
        },
      },
      { plugins: [KafkaOutput, GeneratorInput], logger: silentLogger },
    );
    const delivered = () => pipeline.stats().plugins['gen']!.counters['messages_delivered'] ?? 0;
    await pipeline.start();
    await waitFor(() => delivered() >= 6_000, 30_000, 'traffic before the outage');
    const heapBefore = process.memoryUsage().heapUsed;
    let heapMax = heapBefore;
    const sampler = setInterval(() => (heapMax = Math.max(heapMax, process.memoryUsage().heapUsed)), 200);
    try {
      const atStop = delivered();
      await kafkaSh('stop');
      await sleep(30_000);
      const duringOutage = delivered() - atStop;
      await kafkaSh('start', '--keep-data');
      const back = Date.now();
      const exit = await pipeline.done;
      assert.equal(exit.reason, 'finished', exit.error);
      const stats = pipeline.stats().plugins['kafka_out']!.counters;
      t.diagnostic(
        `delivered during the outage ${duringOutage}, write retries ${stats['retries'] ?? 0}, ` +
          `caught up ${Date.now() - back} ms after the broker returned, ` +
          `heap growth ${Math.round((heapMax - heapBefore) / 1e6)} MB`,
      );
      assert.ok((stats['retries'] ?? 0) > 0, 'writes failed and were retried during the outage');
      // At most the queue, the batch being retried and one delivery got in: the rest waited.
      assert.ok(duringOutage <= 5_000 + 1_000 + 1_000, `${duringOutage} delivered during the outage`);
      assert.ok(heapMax - heapBefore < 150e6, `heap growth ${heapMax - heapBefore} bytes`);
    } finally {
      clearInterval(sampler);
      await kafkaSh('status').catch(() => kafkaSh('start', '--keep-data'));
    }
    const records = await readTopic(topic, COUNT, 120_000);
    assert.equal(new Set(records.map((r) => r.value.split(' ')[0])).size, COUNT, 'zero loss');
  },
);
