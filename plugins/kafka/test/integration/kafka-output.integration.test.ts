import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pipeline, silentLogger } from '@hekate/core';
import { KafkaOutput } from '../../src/kafka-output.js';
import { BROKERS, createTopic, needsBroker, readTopic, unique, waitFor } from '../support/kafka-kit.js';
import { CollectOutput, collected, GeneratorInput } from '../support/test-plugins.js';

const plugins = [KafkaOutput, GeneratorInput, CollectOutput];

async function runToEnd(config: Record<string, Record<string, unknown>>): Promise<Pipeline> {
  const pipeline = await Pipeline.fromObject(config, { plugins, logger: silentLogger });
  await pipeline.start();
  const exit = await pipeline.done;
  assert.equal(exit.reason, 'finished', exit.error);
  return pipeline;
}

const produced = '100,000 messages through KafkaOutput come back as exactly 100,000 distinct ids, per-key order kept';

test(produced, { skip: needsBroker }, async () => {
  const topic = unique('hekate-out');
  await createTopic(topic, 6);
  const count = 100_000;
  await runToEnd({
    gen: { type: 'GeneratorInput', count, keys: 50 },
    kafka_out: {
      type: 'KafkaOutput',
      message_matcher: "Type == 'generated'",
      addrs: BROKERS!.split(','),
      topic,
      hash_variable: 'Fields[key]',
    },
  });
  const records = await readTopic(topic, count);
  assert.equal(records.length, count);
  const ids = new Set(records.map((r) => r.value.split(' ')[0]));
  assert.equal(ids.size, count);
  const lastSeq = new Map<string, number>();
  const partitionOf = new Map<string, number>();
  let violations = 0;
  for (const r of records.sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
    const [, key, seqText] = r.value.split(' ');
    const seq = Number(seqText);
    assert.equal(r.key, key, 'the record key is hash_variable');
    if (seq <= (lastSeq.get(key!) ?? -1)) violations++;
    lastSeq.set(key!, seq);
    assert.equal(partitionOf.get(key!) ?? r.partition, r.partition, 'one key, one partition');
    partitionOf.set(key!, r.partition);
  }
  assert.equal(violations, 0, 'per-key order violations');
  assert.equal(new Set(partitionOf.values()).size > 1, true, 'keys spread over partitions');
});

const oversized = 'records over the broker limit or max_message_bytes go to the dead-letter route with the reason';

test(oversized, { skip: needsBroker }, async () => {
  const topic = unique('hekate-big');
  // The topic takes record batches of at most 20,000 bytes.
  await createTopic(topic, 1, { 'max.message.bytes': '20000' });
  const pipeline = await Pipeline.fromToml(
    `
    [gen]
    type = "GeneratorInput"
    count = 3
    pad = [0, 50_000, 300_000]
    linger = true
    [kafka_out]
    type = "KafkaOutput"
    message_matcher = "Type == 'generated'"
    addrs = ${JSON.stringify(BROKERS!.split(','))}
    topic = "${topic}"
    max_message_bytes = "200KB"
    [dead]
    type = "CollectOutput"
    message_matcher = "Type == 'hekate.dead_letter'"
    id = "dead"
    `,
    { plugins, logger: silentLogger },
  );
  await pipeline.start();
  const letters = collected.get('dead')!;
  await waitFor(() => letters.length === 2, 30_000, 'two dead letters');
  await pipeline.stop();
  const reasons = new Map(letters.map((m) => [m.value('id'), String(m.value('dead_letter.reason'))]));
  assert.equal(letters.length, 2);
  assert.match(reasons.get('g-1')!, /MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/);
  assert.match(reasons.get('g-2')!, /exceeds max_message_bytes \(200000\)/);
  const records = await readTopic(topic, 1);
  assert.deepEqual(records.map((r) => r.value), ['g-0 k0 0']);
});
