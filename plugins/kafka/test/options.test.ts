import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, createMessage, hasCode, Pipeline, silentLogger } from '@hekate/core';
import { plugins } from '../src/index.js';
import { consumerSettings, KafkaInput } from '../src/kafka-input.js';
import { parseMessageVariable, variableKey, variableText } from '../src/message-variable.js';
import { testContext } from './support/fake-runner.js';

const load = (toml: string) => Pipeline.fromToml(toml, { plugins, logger: silentLogger, configDir: '/etc/hekate' });

test("the origin story's KafkaInput section loads unchanged", async () => {
  const pipeline = await load(`
[realtime-log-input-kafka]
type = "KafkaInput"
topic = "realtime-log"
addrs = ["127.0.0.1:9092"]
`);
  const section = pipeline.plan.sections.find((s) => s.name === 'realtime-log-input-kafka')!;
  assert.equal(section.type, 'KafkaInput');
  const settings = consumerSettings(section.options as never, testContext('realtime-log-input-kafka', 'KafkaInput'));
  assert.equal(settings.groupId, 'hekate-realtime-log-input-kafka');
  assert.deepEqual(settings.topics, ['realtime-log']);
  assert.equal(settings.fromBeginning, true);
});

test("a Heka KafkaOutput section loads with Heka's option names and values", async () => {
  await load(`
[in]
type = "StdinInput"

[kafka_out]
type = "KafkaOutput"
message_matcher = "Logger == 'realtime-log-input-kafka'"
addrs = ["kafka:9092"]
topic_variable = "Fields[topic]"
partitioner = "Hash"
hash_variable = "Hostname"
required_acks = "WaitForLocal"
timeout = 1000
compression_codec = "GZIP"
max_buffer_time = 1
max_buffered_bytes = 1
max_message_bytes = 65536
encoder = "PayloadEncoder"
`);
});

test("Heka's partition option is refused with the reason", async () => {
  await assert.rejects(
    load('[k]\ntype = "KafkaInput"\ntopic = "t"\naddrs = ["k:9092"]\npartition = 3\n'),
    (error: unknown) =>
      hasCode(error, 'HEKATE_ERR_CONFIG') &&
      /consumes every partition .* as a consumer group/.test((error as ConfigError).message),
  );
});

test('KafkaInput configuration errors say what is wrong', () => {
  const problems = (extra: Record<string, unknown>) => {
    const parsed = KafkaInput.options.safeParse({ addrs: ['k:9092'], ...extra });
    assert.equal(parsed.success, false, JSON.stringify(extra));
    return parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
  };
  assert.match(problems({}), /topic: set exactly one of topic and topics/);
  assert.match(problems({ topic: 'a', topics: ['b'] }), /exactly one of topic and topics/);
  assert.match(problems({ topic: 'a', heartbeat_interval: '30s' }), /heartbeat_interval must be shorter than session_timeout/);
  assert.match(problems({ topic: 'a', offset_method: 'Latest' }), /offset_method/);
  assert.match(problems({ topic: 'a', sasl: { mechanism: 'GSSAPI', username: 'u', password: 'p' } }), /sasl.mechanism/);
});

test('TLS and SASL settings reach the client: paths resolve from the config directory, versions map to Node names', () => {
  const options = KafkaInput.options.parse({
    addrs: ['k:9093'],
    topic: 't',
    use_tls: true,
    tls: {
      root_cafile: 'ca.pem',
      cert_file: '/etc/ssl/c.pem',
      key_file: 'c.key',
      server_name: 'kafka.internal',
      min_version: 'TLS12',
    },
    sasl: { mechanism: 'SCRAM-SHA-512', username: 'hekate', password: 's3cret' },
    id: 'edge-01',
  });
  const context = { ...testContext('k', 'KafkaInput'), configDir: '/etc/hekate' };
  const s = consumerSettings(options, context);
  assert.deepEqual(s.tls, {
    serverName: 'kafka.internal',
    certFile: '/etc/ssl/c.pem',
    keyFile: path.join('/etc/hekate', 'c.key'),
    caFile: path.join('/etc/hekate', 'ca.pem'),
    insecureSkipVerify: false,
    minVersion: 'TLSv1.2',
    maxVersion: undefined,
  });
  assert.deepEqual(s.sasl, { mechanism: 'scram-sha-512', username: 'hekate', password: 's3cret' });
  assert.equal(s.clientId, 'edge-01');
  const plain = consumerSettings(KafkaInput.options.parse({ addrs: ['k:9092'], topic: 't', use_tls: true }), context);
  assert.equal(plain.tls?.insecureSkipVerify, false);
});

test("message variables follow Heka's syntax", () => {
  const m = createMessage({
    type: 'api',
    hostname: 'web-1',
    severity: 3,
    fields: [
      { name: 'tags', value: ['a', 'b'] },
      { name: 'tags', value: 'c' },
      { name: 'n', value: 7 },
    ],
  });
  assert.equal(parseMessageVariable('Type')(m), 'api');
  assert.equal(parseMessageVariable('Hostname')(m), 'web-1');
  assert.equal(parseMessageVariable('Severity')(m), 3);
  assert.equal(parseMessageVariable('Fields[tags]')(m), 'a');
  assert.equal(parseMessageVariable('Fields[tags][0][1]')(m), 'b');
  assert.equal(parseMessageVariable('Fields[tags][1]')(m), 'c');
  assert.equal(parseMessageVariable('Fields[missing]')(m), undefined);
  assert.equal(variableText(parseMessageVariable('Fields[n]')(m)!), '7');
  assert.equal(variableKey(7), '7');
  assert.deepEqual(variableKey(new Uint8Array([1])), new Uint8Array([1]));
  assert.throws(() => parseMessageVariable('Fields[x'), /not a message variable/);
  assert.throws(() => parseMessageVariable('type'), /not a message variable/);
});
