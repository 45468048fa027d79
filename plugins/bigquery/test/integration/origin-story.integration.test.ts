import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BigQuery } from '@google-cloud/bigquery';
import { Kafka, logLevel } from 'kafkajs';
import { fakeAuthClient } from '../support/fake-auth.js';
import { tempDir } from '../support/harness.js';

// The origin story end to end, through one `hekate run` process: web servers' click and visit
// logs are tailed (FileInput) into Kafka (KafkaOutput), consumed from Kafka (KafkaInput, Heka's
// Logger 'realtime-log-input-kafka') and streamed by BqOutput sections written with the Heka
// plugin's options into the BigQuery emulator: clicks into Heka's day-sharded tables, visits
// into a partitioned table. The emulator's tabledata.list returns wrong rows for a table whose
// name ends in a date once it had several inserts (it reads it as a wildcard shard), so the
// day shards are checked by their row count (tables.get numRows), the partitioned table row by
// row.
const brokers = process.env.KAFKA_BROKERS;
const endpoint = process.env.BQ_ENDPOINT;
const project = process.env.BQ_PROJECT ?? 'test';
const skip = brokers && endpoint ? false : 'KAFKA_BROKERS and BQ_ENDPOINT are needed (integration test; run npm test)';
const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../packages/cli/dist/src/main.js');
const CLICKS = 1200;
const VISITS = 800;

const SCHEMA = JSON.stringify({
  fields: [
    { name: 'id', type: 'STRING', mode: 'REQUIRED' },
    { name: 'device_type', type: 'STRING' },
    { name: 'country_code', type: 'STRING' },
    { name: 'page', type: 'STRING' },
    { name: 'created_at', type: 'TIMESTAMP' },
  ],
});

function config(suffix: string, dataset: string): string {
  const addrs = JSON.stringify(brokers!.split(','));
  const bq = (kind: string, layout: string) => `
[${kind}_to_bigquery]
type = "BqOutput"
message_matcher = "Logger == 'realtime-log-input-kafka' && Fields[Topic] == '${kind}-${suffix}'"
project_id = "${project}"
dataset_id = "${dataset}"
table_id = "${kind}"
${layout}
schema_file_path = "realtime_log.schema.json"
buffer_path = "spool"
buffer_file = "${kind}"
api_endpoint = "${endpoint}"
flush_interval = "100ms"
`;
  const edge = (kind: string, type: string) => `
[${kind}_log]
type = "FileInput"
paths = ["logs/${kind}.log"]
message_type = "${type}"

[${kind}_to_kafka]
type = "KafkaOutput"
message_matcher = "Type == '${type}'"
addrs = ${addrs}
topic = "${kind}-${suffix}"
encoder = "PayloadEncoder"
`;
  return `
[hekate]
base_dir = "state"
${edge('clicks', 'click')}${edge('visits', 'visit')}
[realtime-log-input-kafka]
type = "KafkaInput"
addrs = ${addrs}
topics = ["clicks-${suffix}", "visits-${suffix}"]
group = "origin-${suffix}"
${bq('clicks', '')}${bq('visits', 'table_type = "partitioned"\npartition_field = "created_at"')}`;
}

const title = 'origin story: click and visit logs, through Kafka, into BigQuery day shards and a partitioned table';

test(title, { skip, timeout: 120_000 }, async () => {
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const client = new BigQuery({ projectId: project, apiEndpoint: endpoint!, authClient: fakeAuthClient() });
  const dataset = client.dataset(`origin_${suffix.replace(/-/g, '_')}`);
  await dataset.create();
  const admin = new Kafka({ brokers: brokers!.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const topics = ['clicks', 'visits'].map((k) => ({ topic: `${k}-${suffix}`, numPartitions: 2 }));
  await admin.createTopics({ topics, waitForLeaders: true });
  await admin.disconnect();
  const files = await tempDir({ 'realtime_log.schema.json': SCHEMA });
  mkdirSync(path.join(files.dir, 'logs'));
  writeFileSync(path.join(files.dir, 'hekate.toml'), config(suffix, dataset.id!));
  const line = (kind: string, i: number) =>
    JSON.stringify({
      id: `${kind}-${i}`,
      device_type: i % 2 ? 'ios' : 'android',
      country_code: 'SG',
      page: `/hotels/${i}`,
      created_at: new Date().toISOString(),
    });
  const write = (kind: string, from: number, to: number) => {
    const lines = Array.from({ length: to - from }, (_, k) => `${line(kind, from + k)}\n`);
    appendFileSync(path.join(files.dir, 'logs', `${kind}.log`), lines.join(''));
  };
  write('clicks', 0, CLICKS / 2);
  write('visits', 0, VISITS / 2);

  const log: string[] = [];
  const env = {
    ...process.env,
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    METADATA_SERVER_DETECTION: 'none',
    GCE_METADATA_HOST: '127.0.0.1:1',
  };
  const args = [cli, 'run', '-config', path.join(files.dir, 'hekate.toml')];
  const router = spawn(process.execPath, args, { cwd: files.dir, env });
  router.stdout.on('data', (d: Buffer) => log.push(d.toString()));
  router.stderr.on('data', (d: Buffer) => log.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => router.once('exit', resolve));
  /** Rows in the day shards of clicks, by their metadata. */
  const clickRows = async () => {
    const [tables] = await dataset.getTables();
    let rows = 0;
    for (const t of tables.filter((t) => /^clicks\d{8}$/.test(t.id!))) rows += Number((await t.getMetadata())[0].numRows);
    return rows;
  };
  const visitIds = async () => {
    const [exists] = await dataset.table('visits').exists();
    return exists ? (await dataset.table('visits').getRows())[0].map((r) => r.id as string) : [];
  };
  try {
    // The logs keep growing while the router runs.
    await new Promise((r) => setTimeout(r, 1000));
    write('clicks', CLICKS / 2, CLICKS);
    write('visits', VISITS / 2, VISITS);
    const deadline = Date.now() + 90_000;
    let clicks = 0;
    let visits: string[] = [];
    while ((clicks < CLICKS || visits.length < VISITS) && Date.now() < deadline && router.exitCode === null) {
      await new Promise((r) => setTimeout(r, 500));
      [clicks, visits] = [await clickRows(), await visitIds()];
    }
    router.kill('SIGTERM');
    assert.equal(await exited, 0, log.join(''));
    assert.equal(clicks, CLICKS, 'every click once');
    assert.deepEqual(new Set(visits), new Set(Array.from({ length: VISITS }, (_, i) => `visits-${i}`)));
    assert.equal(visits.length, VISITS, 'no visit twice');
  } finally {
    if (router.exitCode === null) router.kill('SIGKILL');
    await dataset.delete({ force: true });
    await files.remove();
  }
});
