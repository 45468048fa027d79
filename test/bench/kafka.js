// KafkaOutput and KafkaInput throughput against the local broker, each next to a bare kafkajs
// client doing the same work in the same run:
//
//   producing: a pipeline with KafkaOutput writing N API-log lines (keyed by user, Hash
//   partitioner, acks = all) next to a bare kafkajs producer loop sending the same records, in
//   the same batches (KafkaOutput's default batch limits: 10,000 records or 900 KiB), one
//   request in flight, the same partitioner and acks;
//   consuming: a pipeline with KafkaInput (a new consumer group) into NullOutput next to a bare
//   kafkajs consumer (a new group, eachBatch, reading every value as text), both reading the same
//   N records from 6 partitions until every one has arrived (KafkaInput: acknowledged).
//
//   npm run bench:kafka [-- N]          (N defaults to 200,000)
//
// The broker: KAFKA_BROKERS when set; otherwise this script starts the project's broker with
// test/services/kafka.sh (and stops it afterwards). Rounds alternate between the two sides;
// figures are medians of 5 rounds. Goal: each Hekate side >= 80% of its bare client.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { Pipeline, createMessage, silentLogger } from '@hekate/core';
import { plugins as kafkaPlugins } from '@hekate/plugin-kafka';
import { ROOT } from './support/harness.js';

const { Kafka, Partitioners, logLevel } = kafkajs;
const N = Number(process.argv[2] ?? 200_000);
const ROUNDS = 5;
const PARTITIONS = 6;
const BATCH_RECORDS = 10_000;
const BATCH_BYTES = 900 * 1024;

const KAFKA_SH = path.join(ROOT, 'test/services/kafka.sh');
let startedBroker = false;
let brokers = process.env.KAFKA_BROKERS;
if (brokers === undefined) {
  const running = (() => {
    try {
      execFileSync('bash', [KAFKA_SH, 'status'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  if (!running) {
    console.log('Starting the local broker (test/services/kafka.sh start)...');
    execFileSync('bash', [KAFKA_SH, 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });
    startedBroker = true;
  }
  brokers = '127.0.0.1:19092';
}
const BROKERS = brokers.split(',');
const kafka = new Kafka({ brokers: BROKERS, clientId: 'hekate-bench', logLevel: logLevel.NOTHING });

/** N API-log lines (~300 B) keyed by user id, as text. */
function records() {
  const paths = ['/api/v1/search', '/api/v1/visits', '/api/v1/clicks', '/api/v1/users/me'];
  return Array.from({ length: N }, (_, i) => {
    const user = `user-${(i * 7919) % 5000}`;
    const value = JSON.stringify({
      ts: new Date(Date.UTC(2026, 10, 12) + i).toISOString(),
      host: `web-${i % 12}.prod.example.com`,
      user,
      method: i % 5 === 0 ? 'POST' : 'GET',
      path: paths[i % 4],
      status: i % 50 === 0 ? 503 : 200,
      bytes: 1000 + (i % 9000),
      latency_ms: (i % 997) / 10,
      request_id: `req-${i.toString(16).padStart(12, '0')}`,
      ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)',
    });
    return { key: user, value };
  });
}

async function createTopic(topic) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS }] });
  await admin.disconnect();
}

let topics = 0;
const freshTopic = async (what) => {
  const topic = `hekate-bench-${what}-${process.pid}-${topics++}`;
  await createTopic(topic);
  return topic;
};

/** The records cut into KafkaOutput's default batches. */
function batches(list) {
  const out = [];
  let current = [];
  let bytes = 0;
  for (const r of list) {
    const size = Buffer.byteLength(r.value) + Buffer.byteLength(r.key);
    if (current.length === BATCH_RECORDS || (current.length > 0 && bytes + size > BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

async function bareProducer(list) {
  const topic = await freshTopic('bare-out');
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const chunks = batches(list);
  const start = performance.now();
  for (const messages of chunks) await producer.send({ topic, acks: -1, messages });
  const ms = performance.now() - start;
  await producer.disconnect();
  return ms;
}

async function kafkaOutput(list) {
  const topic = await freshTopic('hekate-out');
  const messages = list.map((r) =>
    createMessage({ type: 'api.log', payload: r.value, fields: [{ name: 'user', value: r.key }] }),
  );
  const pipeline = await Pipeline.fromObject(
    {
      kafka_out: {
        type: 'KafkaOutput',
        message_matcher: "Type == 'api.log'",
        addrs: BROKERS,
        topic,
        hash_variable: 'Fields[user]',
        queue_max_messages: 50_000,
      },
    },
    { plugins: kafkaPlugins, logger: silentLogger },
  );
  await pipeline.start();
  await pipeline.inject(messages.slice(0, 1)); // the producer is connected
  const rest = messages.slice(1);
  const start = performance.now();
  // Keep a few injections in flight so the output always has a full queue to batch from.
  const inFlight = new Set();
  for (let i = 0; i < rest.length; i += 5_000) {
    const p = pipeline.inject(rest.slice(i, i + 5_000)).then(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 8) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const ms = performance.now() - start;
  await pipeline.stop();
  const written = pipeline.stats().plugins.kafka_out.counters.messages_written;
  if (written !== list.length) throw new Error(`KafkaOutput wrote ${written} of ${list.length}`);
  return (ms * list.length) / rest.length;
}

async function fill(list) {
  const topic = await freshTopic('in');
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  for (const messages of batches(list)) await producer.send({ topic, acks: 1, messages });
  await producer.disconnect();
  return topic;
}

async function bareConsumer(topic, round) {
  const consumer = kafka.consumer({ groupId: `hekate-bench-bare-${process.pid}-${round}` });
  let seen = 0;
  let bytes = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const start = performance.now();
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) bytes += m.value.toString().length;
      seen += batch.messages.length;
      if (seen >= N) done(performance.now());
    },
  });
  const end = await finished;
  await consumer.disconnect();
  if (bytes === 0) throw new Error('nothing read');
  return end - start;
}

async function kafkaInput(topic, round) {
  const pipeline = await Pipeline.fromObject(
    {
      kafka_in: {
        type: 'KafkaInput',
        addrs: BROKERS,
        topic,
        group: `hekate-bench-in-${process.pid}-${round}`,
      },
      discard: { type: 'NullOutput', message_matcher: 'TRUE' },
    },
    { plugins: kafkaPlugins, logger: silentLogger },
  );
  const start = performance.now();
  await pipeline.start();
  const written = () => pipeline.stats().plugins.discard.counters.messages_written ?? 0;
  while (written() < N) await new Promise((r) => setTimeout(r, 5));
  const ms = performance.now() - start;
  await pipeline.stop();
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function line(name, ms, bytes, ratio) {
  const perSec = Math.round(N / (ms / 1000)).toLocaleString('en-US');
  const mbs = (bytes / 1e6 / (ms / 1000)).toFixed(1);
  const vs = ratio === undefined ? '' : `   ratio ${ratio.toFixed(2)} (goal >= 0.80)`;
  return `  ${name.padEnd(22)} ${perSec.padStart(9)} msg/s ${mbs.padStart(7)} MB/s${vs}`;
}

try {
  const list = records();
  const bytes = list.reduce((n, r) => n + Buffer.byteLength(r.value), 0);
  console.log(
    `Kafka at ${BROKERS.join(',')}: ${N.toLocaleString('en-US')} records of ~${Math.round(bytes / N)} B, ` +
      `${PARTITIONS} partitions, median of ${ROUNDS} rounds`,
  );

  const bareOut = [];
  const hekateOut = [];
  for (let round = 0; round < ROUNDS; round++) {
    bareOut.push(await bareProducer(list));
    hekateOut.push(await kafkaOutput(list));
  }
  const topic = await fill(list);
  const bareIn = [];
  const hekateIn = [];
  for (let round = 0; round < ROUNDS; round++) {
    bareIn.push(await bareConsumer(topic, round));
    hekateIn.push(await kafkaInput(topic, round));
  }
  const produce = { bare: median(bareOut), hekate: median(hekateOut) };
  const consume = { bare: median(bareIn), hekate: median(hekateIn) };
  console.log('Producing');
  console.log(line('bare kafkajs producer', produce.bare, bytes));
  console.log(line('KafkaOutput', produce.hekate, bytes, produce.bare / produce.hekate));
  console.log('Consuming');
  console.log(line('bare kafkajs consumer', consume.bare, bytes));
  console.log(line('KafkaInput', consume.hekate, bytes, consume.bare / consume.hekate));
  console.log(JSON.stringify({ bench: 'kafka', records: N, bytes, ms: { produce, consume } }));
} finally {
  if (startedBroker) execFileSync('bash', [KAFKA_SH, 'stop'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
