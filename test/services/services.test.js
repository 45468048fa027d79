// Smoke test of the real services that test/run.sh starts (test/services/README.md):
// a single-node Kafka (KRaft) driven through kafkajs 2.2.4, and goccy/bigquery-emulator
// driven through @google-cloud/bigquery 8.x. It checks exactly what Hekate's plugins rely
// on, so that a broker or emulator upgrade that breaks them fails here first, with a
// plain message, instead of deep inside a plugin's integration test.
//
// Convention for every integration test: run only when the service's variable is set
// (KAFKA_BROKERS, BQ_ENDPOINT); otherwise skip with the reason. `npm run test:unit` and
// plain `node --test` leave them unset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { BigQuery } from '@google-cloud/bigquery';
import { OAuth2Client } from 'google-auth-library';

const { Kafka, Partitioners, logLevel } = kafkajs;
const run = promisify(execFile);

const brokers = process.env.KAFKA_BROKERS;
const bqEndpoint = process.env.BQ_ENDPOINT;
const bqProject = process.env.BQ_PROJECT || 'test';
const servicesDir = process.env.HEKATE_SERVICES_DIR;

const skipKafka = brokers ? false : 'KAFKA_BROKERS is not set (integration tests run under `npm test`)';
const skipBq = bqEndpoint ? false : 'BQ_ENDPOINT is not set (integration tests run under `npm test`)';
const skipRestart = skipKafka || (servicesDir ? false : 'HEKATE_SERVICES_DIR is not set (set by test/run.sh)');

const suffix = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;

/** Resolves when `cond()` is true; rejects after `ms` with `what` in the message. */
async function waitFor(cond, ms, what) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function kafkaClient(clientId) {
  return new Kafka({
    clientId,
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 3000 },
  });
}

/**
 * Consumes `topic` in `groupId` until `expected` messages arrived, with autoCommit off,
 * then commits the next offset of every partition it saw and disconnects.
 */
async function consumeAndCommit(kafka, topic, groupId, expected, timeoutMs = 45000) {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 200 });
  const received = [];
  const next = new Map(); // partition -> next offset to read
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        received.push({ partition, offset: message.offset, key: message.key?.toString(), value: message.value?.toString() });
        next.set(partition, (BigInt(message.offset) + 1n).toString());
      },
    });
    await waitFor(() => received.length >= expected, timeoutMs, `${expected} messages on ${topic}`);
    await consumer.commitOffsets([...next].map(([partition, offset]) => ({ topic, partition, offset })));
    return { received, consumer };
  } catch (err) {
    await consumer.disconnect().catch(() => {});
    throw err;
  }
}

test('kafka: topics, keyed produce, group consume with manual commit', { skip: skipKafka, timeout: 120000 }, async (t) => {
  const kafka = kafkaClient('hekate-services-smoke');
  const topic = `hekate-smoke-${suffix}`;
  const groupId = `hekate-smoke-group-${suffix}`;
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());

  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  assert.equal(created, true, 'createTopics reports the topic as new');
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  assert.equal(meta.topics[0].partitions.length, 3);

  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  t.after(() => producer.disconnect());
  const messages = Array.from({ length: 100 }, (_, i) => ({ key: `key-${i % 10}`, value: JSON.stringify({ i }) }));
  let acked = 0;
  for (let i = 0; i < messages.length; i += 25) {
    const res = await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 25) });
    for (const r of res) assert.equal(r.errorCode, 0);
    acked += 25;
  }
  assert.equal(acked, 100);

  const { received, consumer } = await consumeAndCommit(kafka, topic, groupId, 100);
  try {
    assert.equal(received.length, 100, 'exactly the 100 produced messages');
    assert.deepEqual(
      received.map((m) => JSON.parse(m.value).i).sort((a, b) => a - b),
      Array.from({ length: 100 }, (_, i) => i),
    );
    // The same key always lands on the same partition, and 10 keys use more than one.
    const partitionOfKey = new Map();
    for (const m of received) {
      if (!partitionOfKey.has(m.key)) partitionOfKey.set(m.key, m.partition);
      assert.equal(partitionOfKey.get(m.key), m.partition, `key ${m.key} stays on one partition`);
    }
    assert.ok(new Set(partitionOfKey.values()).size > 1, 'keys are spread over partitions');

    const groups = await admin.describeGroups([groupId]);
    assert.equal(groups.groups.length, 1);
    assert.equal(groups.groups[0].state, 'Stable');
    assert.equal(groups.groups[0].members.length, 1);
  } finally {
    await consumer.disconnect();
  }

  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committed = offsets[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0);
  assert.equal(committed, 100, 'committed offsets cover all 100 messages');
  const after = await admin.describeGroups([groupId]);
  assert.equal(after.groups[0].state, 'Empty', 'the group is empty once the consumer left');
});

test('kafka: broker timestamp limit (log.message.timestamp.after.max.ms)', { skip: skipKafka, timeout: 60000 }, async (t) => {
  // Kafka 4.0 changed the default from unlimited to 1 hour (KIP-1030): a record more than
  // 1 h in the future is rejected. Checked against the broker's own setting so the test
  // holds for 3.x and 4.x brokers alike.
  const kafka = kafkaClient('hekate-services-smoke-ts');
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const cluster = await admin.describeCluster();
  const cfg = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: 4 /* BROKER */, name: String(cluster.brokers[0].nodeId), configNames: ['log.message.timestamp.after.max.ms'] }],
  });
  const limit = Number(cfg.resources[0].configEntries[0].configValue);
  assert.ok(Number.isFinite(limit) && limit > 0, `readable limit, got ${cfg.resources[0].configEntries[0].configValue}`);

  const topic = `hekate-smoke-ts-${suffix}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, retry: { retries: 0 } });
  await producer.connect();
  t.after(() => producer.disconnect());

  await producer.send({ topic, messages: [{ value: 'now', timestamp: String(Date.now()) }] });
  if (limit < 2 * 3600e3) {
    await assert.rejects(
      producer.send({ topic, messages: [{ value: 'future', timestamp: String(Date.now() + 2 * 3600e3) }] }),
      (err) => /INVALID_TIMESTAMP|timestamp/i.test(`${err.type} ${err.message}`),
      'a record 2 h in the future is rejected',
    );
  } else {
    t.diagnostic(`broker accepts future timestamps (limit ${limit} ms); nothing to check`);
  }
});

test('kafka: stop and start --keep-data brings the same broker back', { skip: skipRestart, timeout: 240000 }, async (t) => {
  // The recipe the broker-outage tests use: `kafka.sh stop`, then `kafka.sh start --keep-data`.
  const script = path.join(servicesDir, 'kafka.sh');
  const kafka = kafkaClient('hekate-services-smoke-restart');
  const topic = `hekate-smoke-restart-${suffix}`;
  const groupId = `hekate-smoke-restart-group-${suffix}`;

  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 6}`, value: `before-${i}` })) });
  const first = await consumeAndCommit(kafka, topic, groupId, 30);
  await first.consumer.disconnect();
  await producer.disconnect();
  await admin.disconnect();

  await run('bash', [script, 'stop'], { timeout: 60000 });
  const status = await run('bash', [script, 'status'], { timeout: 10000 }).then(
    () => 0,
    (err) => err.code,
  );
  assert.equal(status, 3, 'status reports the broker as stopped');
  try {
    await run('bash', [script, 'start', '--keep-data'], { timeout: 120000 });
  } catch (err) {
    // Leave a broker behind for the tests that follow, even if --keep-data failed.
    await run('bash', [script, 'start'], { timeout: 120000 }).catch(() => {});
    throw err;
  }

  const admin2 = kafka.admin();
  await admin2.connect();
  t.after(() => admin2.disconnect());
  const topics = await admin2.listTopics();
  assert.ok(topics.includes(topic), 'the topic survived the restart');
  const offsets = await admin2.fetchOffsets({ groupId, topics: [topic] });
  assert.equal(offsets[0].partitions.reduce((s, p) => s + Number(p.offset), 0), 30, 'committed offsets survived');

  const producer2 = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer2.connect();
  t.after(() => producer2.disconnect());
  await producer2.send({ topic, messages: [{ key: 'k0', value: 'after' }] });
  const second = await consumeAndCommit(kafka, topic, groupId, 1);
  try {
    // The group resumes from its committed offsets: only the new message comes back.
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(second.received.map((m) => m.value), ['after']);
  } finally {
    await second.consumer.disconnect();
  }
});

test('bigquery emulator: dataset, table, insertAll with insertIds, tabledata.list', { skip: skipBq, timeout: 120000 }, async (t) => {
  // A fake OAuth2 client: every request carries "Authorization: Bearer test" and nothing
  // looks for real credentials or the GCE metadata server (services.md §3.6).
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: 'test', expiry_date: Date.now() + 3600e3 });
  const bigquery = new BigQuery({ projectId: bqProject, apiEndpoint: bqEndpoint, authClient, autoRetry: false });

  const datasetId = `hekate_smoke_${suffix.replace(/-/g, '_')}`;
  const [dataset] = await bigquery.createDataset(datasetId);
  t.after(() => dataset.delete({ force: true }).catch(() => {}));
  const [table] = await dataset.createTable('events', {
    schema: {
      fields: [
        { name: 'id', type: 'INTEGER', mode: 'REQUIRED' },
        { name: 'msg', type: 'STRING', mode: 'NULLABLE' },
        { name: 'ts', type: 'TIMESTAMP', mode: 'NULLABLE' },
      ],
    },
  });
  const [meta] = await table.getMetadata();
  assert.deepEqual(meta.schema.fields.map((f) => f.name), ['id', 'msg', 'ts']);

  const rows = Array.from({ length: 10 }, (_, i) => ({
    insertId: randomUUID(),
    json: { id: i, msg: `message ${i}`, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() },
  }));
  const [response] = await table.insert(rows, { raw: true, partialRetries: 0 });
  assert.ok(!response?.insertErrors?.length, `no insert errors: ${JSON.stringify(response?.insertErrors)}`);

  const [got] = await table.getRows();
  assert.equal(got.length, 10);
  assert.deepEqual(
    got.map((r) => Number(r.id)).sort((a, b) => a - b),
    Array.from({ length: 10 }, (_, i) => i),
  );
  const row3 = got.find((r) => Number(r.id) === 3);
  assert.equal(row3.msg, 'message 3');
});
