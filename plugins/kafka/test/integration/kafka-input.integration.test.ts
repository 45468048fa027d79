import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pipeline, silentLogger } from '@hekate/core';
import { KafkaInput } from '../../src/kafka-input.js';
import {
  BROKERS,
  committedOffsets,
  createTopic,
  needsBroker,
  producePerPartition,
  unique,
  waitFor,
} from '../support/kafka-kit.js';
import { CollectOutput, collected } from '../support/test-plugins.js';

const SECTION = 'realtime-log-input-kafka';

/** The origin story's section, pointed at the test broker and a fresh topic. */
const originConfig = (topic: string) => `
[${SECTION}]
type = "KafkaInput"
topic = "${topic}"
addrs = ${JSON.stringify(BROKERS!.split(','))}

[collect]
type = "CollectOutput"
message_matcher = "Logger == '${SECTION}'"
id = "${topic}"
`;

async function collect(topic: string, count: number): Promise<string[]> {
  const pipeline = await Pipeline.fromToml(originConfig(topic), { plugins: [KafkaInput, CollectOutput], logger: silentLogger });
  await pipeline.start();
  const got = collected.get(topic)!;
  await waitFor(() => got.length >= count, 60_000, `${count} messages`);
  await pipeline.stop();
  for (const m of got) {
    const [p, offset] = m.payload.split('-').map(Number);
    assert.equal(m.type, 'heka.kafka');
    assert.equal(m.value('Topic'), topic);
    assert.equal(m.value('Partition'), p);
    assert.equal(m.value('Offset'), offset);
  }
  assert.equal(new Set(got.map((m) => m.uuid)).size, got.length);
  return got.map((m) => m.payload);
}

const name =
  "the origin story's KafkaInput reads every partition, commits what was acknowledged, " +
  'and a restart reads only what is new';

test(name, { skip: needsBroker }, async () => {
  const topic = unique('realtime-log');
  await createTopic(topic, 3);
  const values = (from: number, to: number) =>
    [0, 1, 2].map((p) => Array.from({ length: to - from }, (_, i) => `${p}-${from + i}`));
  await producePerPartition(topic, values(0, 1000));
  const first = await collect(topic, 3000);
  assert.deepEqual(new Set(first), new Set(values(0, 1000).flat()));
  const offsets = await committedOffsets(`hekate-${SECTION}`, topic);
  assert.deepEqual([...offsets.entries()].sort(), [[0, 1000], [1, 1000], [2, 1000]]);

  await producePerPartition(topic, values(1000, 1010));
  const second = await collect(topic, 30);
  assert.deepEqual(second.sort(), values(1000, 1010).flat().sort(), 'a clean stop duplicates nothing');
});
