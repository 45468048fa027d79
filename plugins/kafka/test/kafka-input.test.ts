import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaInput, KafkaInputPlugin } from '../src/kafka-input.js';
import { FakeClients, type FakeConsumer } from './support/fake-kafka.js';
import { FakeInputRunner, testContext } from './support/fake-runner.js';

const tp = (partition: number, topic = 't') => ({ topic, partition });

async function until(condition: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await sleep(2);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Lets a 0 ms commit timer fire and its commit settle. */
const settle = () => sleep(5);

async function started(extra: Record<string, unknown> = {}) {
  const clients = new FakeClients();
  const options = KafkaInput.options.parse({
    addrs: ['127.0.0.1:9092'],
    topic: 't',
    commit_interval: 0,
    heartbeat_interval: 5,
    session_timeout: 1000,
    drain_timeout: 200,
    ...extra,
  });
  const context = testContext('kafka_in', 'KafkaInput');
  const input = new KafkaInputPlugin(options, context, clients);
  const runner = new FakeInputRunner();
  const running = runner.run(input);
  await until(() => clients.consumers[0]?.events !== undefined, 'the consumer to start');
  const consumer = clients.consumers[0]!;
  return { clients, consumer, input, runner, running, context };
}

const committed = (c: FakeConsumer) =>
  c.commits.map((list) => list.map((o) => `${o.topic}/${o.partition}@${o.offset}`).join(' '));

test('commits per partition only what every output acknowledged', async () => {
  const { consumer, runner, running } = await started();
  consumer.join('m1', [tp(0), tp(1)]);
  await consumer.fetch('t', 0, 10);
  await consumer.fetch('t', 1, 5);
  await settle();
  assert.deepEqual(consumer.commits, []);
  runner.ack(1);
  await settle();
  assert.deepEqual(committed(consumer), ['t/1@5']);
  runner.ack(0);
  await settle();
  assert.deepEqual(committed(consumer), ['t/1@5', 't/0@10']);
  runner.stop();
  await running;
  assert.equal(consumer.stopped, true);
});

test('out-of-order acknowledgements commit only the contiguous prefix', async () => {
  const { consumer, runner, running } = await started();
  consumer.join('m1', [tp(0)]);
  for (let i = 0; i < 3; i++) await consumer.fetch('t', 0, 3);
  runner.ack(2);
  await settle();
  assert.deepEqual(consumer.commits, []);
  runner.ack(0);
  await settle();
  assert.deepEqual(committed(consumer), ['t/0@3']);
  runner.ack(1);
  await settle();
  assert.deepEqual(committed(consumer), ['t/0@3', 't/0@9']);
  runner.stop();
  await running;
});

test('a revoked partition is never committed, and its late acknowledgements are ignored', async () => {
  const { consumer, runner, running } = await started();
  consumer.join('m1', [tp(0), tp(1)]);
  await consumer.fetch('t', 0, 4);
  await consumer.fetch('t', 1, 4);
  consumer.join('m1', [tp(1)]);
  runner.ackAll();
  await settle();
  assert.deepEqual(committed(consumer), ['t/1@4']);
  runner.stop();
  await running;
});

test('a partition kept across a rebalance resumes after what was delivered and keeps its acknowledgements', async () => {
  const { consumer, runner, running } = await started();
  consumer.join('m1', [tp(0)]);
  await consumer.fetch('t', 0, 10);
  consumer.join('m1', [tp(0), tp(1)]);
  assert.deepEqual(consumer.seeks, [{ topic: 't', partition: 0, offset: '10' }]);
  runner.ack(0);
  await settle();
  assert.deepEqual(committed(consumer), ['t/0@10']);
  await consumer.fetch('t', 0, 2);
  assert.equal(runner.deliveries[1]!.messages[0]!.payload, 'record 10');
  runner.stop();
  runner.ackAll();
  await running;
});

test('a new member identity drops every partition: late acknowledgements are ignored, reading restarts at the commit', async () => {
  const { consumer, runner, running } = await started();
  consumer.join('m1', [tp(0)]);
  await consumer.fetch('t', 0, 5);
  consumer.join('m2', [tp(0)]);
  assert.deepEqual(consumer.seeks, []);
  runner.ack(0);
  await settle();
  assert.deepEqual(consumer.commits, []);
  await consumer.fetch('t', 0, 5);
  assert.equal(runner.deliveries[1]!.messages[0]!.payload, 'record 0');
  runner.ack(1);
  await settle();
  assert.deepEqual(committed(consumer), ['t/0@5']);
  runner.stop();
  await running;
});

test('a rebalance commits the acknowledged prefix at once, without waiting for commit_interval', async () => {
  const { consumer, runner, running } = await started({ commit_interval: '1h' });
  consumer.join('m1', [tp(0)]);
  await consumer.fetch('t', 0, 3);
  runner.ack(0);
  await settle();
  assert.deepEqual(consumer.commits, []);
  consumer.events!.rebalancing();
  await settle();
  assert.deepEqual(committed(consumer), ['t/0@3']);
  runner.stop();
  await running;
});

test('backpressure pauses fetching and heartbeats until the pipeline has room', async () => {
  const { consumer, runner, running } = await started();
  consumer.join('m1', [tp(0)]);
  let makeRoom!: () => void;
  runner.room = new Promise((resolve) => (makeRoom = resolve));
  const fetching = consumer.fetch('t', 0, 2500);
  await until(() => consumer.heartbeats >= 2, 'heartbeats while congested');
  assert.equal(consumer.paused, true);
  assert.equal(runner.deliveries.length, 1, 'nothing more is delivered while congested');
  runner.room = undefined;
  makeRoom();
  await fetching;
  assert.equal(consumer.paused, false);
  assert.equal(runner.deliveries.length, 3, 'with room again, the rest of the batch follows');
  assert.equal(consumer.positions.get('t/0'), 2500n);
  assert.equal(runner.counters.get('fetch_pauses'), 1);
  runner.stop();
  runner.ackAll();
  await running;
});

test('a rebalance during backpressure rejoins at once and fetching stays paused until there is room', async () => {
  const { consumer, runner, running } = await started();
  consumer.join('m1', [tp(0)]);
  let makeRoom!: () => void;
  runner.room = new Promise((resolve) => (makeRoom = resolve));
  consumer.heartbeatError = new Error('The group is rebalancing, so a rejoin is needed');
  await assert.rejects(consumer.fetch('t', 0, 10), /rebalancing/);
  consumer.heartbeatError = undefined;
  consumer.join('m1', [tp(0)]);
  assert.equal(consumer.paused, true);
  runner.room = undefined;
  makeRoom();
  await until(() => !consumer.paused, 'resume');
  runner.stop();
  runner.ackAll();
  await running;
});

test('stop waits for in-flight records to be acknowledged, commits them, then leaves the group', async () => {
  const { consumer, runner, running } = await started({ commit_interval: '1h', drain_timeout: '5s' });
  consumer.join('m1', [tp(0)]);
  await consumer.fetch('t', 0, 7);
  runner.stop();
  await sleep(30);
  assert.equal(consumer.stopped, false);
  assert.equal(consumer.paused, true);
  runner.ackAll();
  await running;
  assert.deepEqual(committed(consumer), ['t/0@7']);
  assert.equal(consumer.stopped, true);
});

test('stop gives up waiting after drain_timeout: nothing unacknowledged is committed', async () => {
  const { consumer, runner, running } = await started({ drain_timeout: 50 });
  consumer.join('m1', [tp(0)]);
  await consumer.fetch('t', 0, 3);
  await consumer.fetch('t', 0, 3);
  runner.ack(0);
  runner.stop();
  await running;
  assert.deepEqual(committed(consumer), ['t/0@3']);
  assert.equal(consumer.stopped, true);
});

test('a failed commit is retried, a second later, with what is acknowledged by then', async () => {
  const { consumer, runner, running, context } = await started();
  consumer.join('m1', [tp(0)]);
  await consumer.fetch('t', 0, 3);
  consumer.commitError = new Error('The coordinator is not available');
  runner.ack(0);
  await until(() => context.counters.get('commit_failures') > 0, 'a commit failure');
  await sleep(300);
  assert.equal(context.counters.get('commit_failures'), 1, 'no retry storm with commit_interval 0');
  await consumer.fetch('t', 0, 2);
  runner.ack(1);
  consumer.commitError = undefined;
  await until(() => consumer.commits.length > 0, 'the commit retry');
  assert.deepEqual(committed(consumer), ['t/0@5']);
  runner.stop();
  await running;
});

test('a crash drops every partition; a crash without restart fails the run', async () => {
  const { consumer, runner, running } = await started();
  consumer.join('m1', [tp(0)]);
  await consumer.fetch('t', 0, 3);
  consumer.events!.crashed(new Error('broker gone'), true);
  runner.ackAll();
  await settle();
  assert.deepEqual(consumer.commits, []);
  consumer.events!.crashed(new Error('SASL authentication failed'), false);
  await assert.rejects(running, /SASL authentication failed/);
  assert.equal(consumer.stopped, true);
});

test('messages carry the Kafka coordinates, key, headers, timestamp, and a uuid fixed by the coordinates', async () => {
  const { consumer, runner, running } = await started({ message_type: 'api.log' });
  consumer.join('m1', [tp(3, 'api')]);
  await consumer.hand('api', 3, [
    {
      offset: '41',
      key: Buffer.from('user-7'),
      value: Buffer.from('GET /x'),
      timestamp: '1700000000123',
      headers: { trace: Buffer.from('abc'), hop: [Buffer.from('a'), 'b'] },
    },
    { offset: '42', key: null, value: null, timestamp: '1700000000124', headers: {} },
    { offset: '43', key: null, value: Buffer.from('GET /y'), timestamp: '1700000000125' },
  ]);
  const [first, second] = runner.deliveries[0]!.messages;
  assert.equal(runner.deliveries[0]!.messages.length, 2, 'the tombstone makes no message');
  assert.equal(first!.type, 'api.log');
  assert.equal(first!.logger, 'kafka_in');
  assert.equal(first!.payload, 'GET /x');
  assert.equal(first!.timestamp, 1700000000123n * 1_000_000n);
  assert.equal(first!.value('Topic'), 'api');
  assert.equal(first!.value('Partition'), 3);
  assert.equal(first!.value('Offset'), 41);
  assert.deepEqual(Buffer.from(first!.value('Key') as Uint8Array).toString(), 'user-7');
  assert.equal(first!.value('Header.trace'), 'abc');
  assert.deepEqual(first!.field('Header.hop')!.values, ['a', 'b']);
  assert.equal(second!.value('Key'), undefined);
  assert.match(first!.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(first!.uuid.endsWith('000000000029'), 'the uuid ends with the offset (41 = 0x29)');
  assert.notEqual(first!.uuid, second!.uuid);

  // Another input reading the same record again gives it the same uuid.
  const again = await started();
  again.consumer.join('m9', [tp(3, 'api')]);
  await again.consumer.hand('api', 3, [{ offset: '41', key: null, value: Buffer.from('GET /x'), timestamp: '1', headers: {} }]);
  assert.equal(again.runner.deliveries[0]!.messages[0]!.uuid, first!.uuid);
  for (const r of [runner, again.runner]) {
    r.stop();
    r.ackAll();
  }
  await Promise.all([running, again.running]);
});

test('settings: group defaults to hekate-<section>, offset_method picks where a new group starts', async () => {
  const { consumer, runner, running } = await started({ offset_method: 'newest', topic: undefined, topics: ['a', 'b'] });
  assert.equal(consumer.settings.groupId, 'hekate-kafka_in');
  assert.deepEqual(consumer.settings.topics, ['a', 'b']);
  assert.equal(consumer.settings.fromBeginning, false);
  assert.equal(consumer.settings.clientId, 'test-host');
  runner.stop();
  await running;
});

