import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Counters,
  createMessage,
  hasCode,
  silentLogger,
  type Message,
  type OutputBatch,
  type OutputRunner,
  type SplitRecord,
} from '@hekate/core';
import { KafkaOutput, KafkaOutputPlugin } from '../src/kafka-output.js';
import type { OutgoingTopic } from '../src/kafka-client.js';
import { brokerDown, FakeClients, tooLarge, type FakeProducer } from './support/fake-kafka.js';
import { testContext } from './support/fake-runner.js';

function outputRunner(): OutputRunner & { counters: Counters } {
  return { name: 'kafka_out', logger: silentLogger, counters: new Counters(), signal: new AbortController().signal };
}

async function opened(extra: Record<string, unknown>) {
  const clients = new FakeClients();
  const options = KafkaOutput.options.parse({ addrs: ['127.0.0.1:9092'], ...extra });
  const output = new KafkaOutputPlugin(options, testContext('kafka_out', 'KafkaOutput'), clients);
  const runner = outputRunner();
  await output.open(runner);
  return { output, runner, producer: clients.producers[0]! };
}

const batchOf = (messages: Message[], records?: SplitRecord[]): OutputBatch => ({ messages, records });
const msg = (payload: string, fields: { name: string; value: string | number }[] = []) => createMessage({ payload, fields });
const keys = (p: FakeProducer) =>
  p.sent.flatMap((s) => s.flatMap((t) => t.records.map((r) => (r.key === null ? null : Buffer.from(r.key).toString()))));

test('one request per batch: encodings as values, keys from hash_variable, topics from topic_variable', async () => {
  const { output, runner, producer } = await opened({ topic_variable: 'Fields[dest]', hash_variable: 'Fields[user]' });
  const messages = [
    msg('a', [{ name: 'dest', value: 'logs' }, { name: 'user', value: 'u1' }]),
    msg('b', [{ name: 'dest', value: 'audit' }, { name: 'user', value: 7 }]),
    msg('c', [{ name: 'dest', value: 'logs' }]),
  ];
  const result = await output.write(batchOf(messages, ['A', Buffer.from('B'), 'C']), runner);
  assert.equal(result, undefined);
  assert.equal(producer.sent.length, 1);
  assert.deepEqual(producer.values('logs'), ['A', 'C']);
  assert.deepEqual(producer.values('audit'), ['B']);
  assert.deepEqual(keys(producer), ['u1', null, '7']);
  assert.equal(producer.settings.partitioner, 'hash');
  assert.equal(producer.settings.acks, -1);
});

test('without an encoder the value is the raw bytes when the message has them, else the payload, with no newline', async () => {
  const { output, runner, producer } = await opened({ topic: 'logs' });
  const raw = createMessage({ raw: new Uint8Array([1, 2, 3]), payload: 'ignored' });
  await output.write(batchOf([msg('text'), raw]), runner);
  const values = producer.sent[0]![0]!.records.map((r) => [...Buffer.from(r.value)]);
  assert.deepEqual(values, [[...Buffer.from('text')], [1, 2, 3]]);
  assert.equal(producer.settings.partitioner, 'random');
});

test('records over max_message_bytes and messages without a topic go to the dead-letter route with the reason', async () => {
  const { output, runner, producer } = await opened({ topic_variable: 'Type', max_message_bytes: 10 });
  const messages = [
    createMessage({ type: 'logs', payload: 'small' }),
    createMessage({ type: 'logs', payload: 'far too large a record' }),
    createMessage({ payload: 'no type' }),
    createMessage({ type: 'bad topic!', payload: 'x' }),
  ];
  const result = await output.write(batchOf(messages), runner);
  assert.deepEqual(result, {
    rejected: [
      { index: 1, reason: 'record of 22 bytes exceeds max_message_bytes (10)' },
      { index: 2, reason: '"" is not a valid Kafka topic name' },
      { index: 3, reason: '"bad topic!" is not a valid Kafka topic name' },
    ],
  });
  assert.deepEqual(producer.values('logs'), ['small']);
  assert.equal(runner.counters.get('records_refused'), 3);
});

test('a record the broker refuses is found by sending one at a time, in order, and dead-lettered', async () => {
  const { output, runner, producer } = await opened({ topic: 'logs' });
  const huge = (topics: readonly OutgoingTopic[]) => topics[0]!.records.some((r) => Buffer.from(r.value).toString() === 'huge');
  producer.fail = (topics) => (huge(topics) ? tooLarge() : undefined);
  const result = await output.write(batchOf([msg('a'), msg('huge'), msg('c')]), runner);
  assert.equal(result?.rejected?.length, 1);
  assert.equal(result!.rejected![0]!.index, 1);
  assert.match(result!.rejected![0]!.reason, /MESSAGE_TOO_LARGE/);
  assert.deepEqual(producer.values('logs'), ['a', 'c']);
});

test('a failure worth retrying throws a RetryableError and acknowledges nothing', async () => {
  const { output, runner, producer } = await opened({ topic: 'logs' });
  producer.fail = () => brokerDown();
  await assert.rejects(output.write(batchOf([msg('a')]), runner), (error: unknown) => hasCode(error, 'HEKATE_ERR_RETRYABLE'));
  assert.deepEqual(producer.sent, []);
});

test('a retriable failure while isolating a refused record retries the rest, in order', async () => {
  const { output, runner, producer } = await opened({ topic: 'logs' });
  let sends = 0;
  producer.fail = () => {
    sends++;
    return sends === 1 ? tooLarge() : sends === 3 ? brokerDown() : undefined;
  };
  const result = await output.write(batchOf([msg('a'), msg('b'), msg('c')]), runner);
  assert.deepEqual(result, { rejected: [], retry: [1, 2] });
  assert.deepEqual(producer.values('logs'), ['a']);
});

test('batching follows max_buffered_messages, max_buffered_bytes and max_buffer_time', () => {
  const clients = new FakeClients();
  const options = KafkaOutput.options.parse({
    addrs: ['k:9092'],
    topic: 'x',
    max_buffered_messages: 500,
    max_buffered_bytes: '256KiB',
    max_buffer_time: '20ms',
  });
  const output = new KafkaOutputPlugin(options, testContext('o', 'KafkaOutput'), clients);
  assert.deepEqual(output.batching, { maxMessages: 500, maxBytes: 262144, lingerMs: 20 });
  assert.equal(clients.producers.length, 0, 'construction makes no client');
});

test('settings map Heka option values onto the client', async () => {
  const { producer } = await opened({
    topic: 'x',
    required_acks: 'WaitForLocal',
    compression_codec: 'snappy',
    partitioner: 'RoundRobin',
    id: 'edge-1',
    timeout: '5s',
  });
  assert.equal(producer.settings.acks, 1);
  assert.equal(producer.settings.compression, 'snappy');
  assert.equal(producer.settings.partitioner, 'round-robin');
  assert.equal(producer.settings.clientId, 'edge-1');
  assert.equal(producer.settings.ackTimeout, 5000);
});

test('configuration errors say what is wrong', () => {
  const problems = (extra: Record<string, unknown>) => {
    const parsed = KafkaOutput.options.safeParse({ addrs: ['k:9092'], ...extra });
    assert.equal(parsed.success, false, JSON.stringify(extra));
    return parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
  };
  assert.match(problems({ topic: 'a', topic_variable: 'Type' }), /exactly one of topic and topic_variable/);
  assert.match(problems({}), /exactly one of topic and topic_variable/);
  assert.match(problems({ topic: 'a', compression_codec: 'lz4' }), /compression_codec: .*LZ4.*not available.*native build/);
  assert.match(problems({ topic: 'a', compression_codec: 'zstd' }), /ZSTD.*not available/);
  assert.match(problems({ topic: 'a', partitioner: 'Hash' }), /hash_variable: .*needs hash_variable/);
  assert.match(problems({ topic: 'a', hash_variable: 'Fields[' }), /hash_variable: .*not a message variable/);
  assert.match(problems({ topic: 'a', idempotent: true, required_acks: 'WaitForLocal' }), /idempotent/);
  assert.match(problems({ topic: 'no spaces' }), /topic: expected a Kafka topic name/);
  assert.match(problems({ topic: 'a', tls: { insecure_skip_verify: true } }), /use_tls: .*use_tls is false/);
  assert.match(problems({ topic: 'a', addrs: ['localhost'] }), /addrs.0: expected "host:port"/);
});

test('encodings over max_buffered_bytes go as several requests; a failure after the first retries the rest', async () => {
  const { output, runner, producer } = await opened({ topic: 'logs', max_buffered_bytes: 10 });
  const records = ['aaaa', 'bbbb', 'cccc', 'dddd', 'eeee'];
  await output.write(batchOf(records.map((r) => msg(r)), records), runner);
  assert.deepEqual(producer.sent.map((s) => s[0]!.records.length), [2, 2, 1]);
  let sends = 0;
  producer.fail = () => (++sends === 2 ? brokerDown() : undefined);
  const result = await output.write(batchOf(records.map((r) => msg(r)), records), runner);
  assert.deepEqual(result, { rejected: [], retry: [2, 3, 4] });
  assert.deepEqual(producer.values('logs').slice(5), ['aaaa', 'bbbb']);
});
