import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BigQuery, type Dataset } from '@google-cloud/bigquery';
import { Pipeline, createMessage, nanosFromMillis, silentLogger, type Message } from '@hekate/core';
import { fakeAuthClient } from '../support/fake-auth.js';
import { TestBqOutput, collectDeadLetters, injectAll, tempDir } from '../support/harness.js';

// Happy paths against goccy/bigquery-emulator (test/services/bigquery.sh), read back with the
// client. The emulator has no insertId de-duplication: error paths use the stand-in instead.
const endpoint = process.env.BQ_ENDPOINT;
const project = process.env.BQ_PROJECT ?? 'test';
const skip = endpoint ? false : 'BQ_ENDPOINT is not set (integration test; run npm test)';

const SCHEMA = JSON.stringify({
  fields: [
    { name: 'id', type: 'STRING', mode: 'REQUIRED' },
    { name: 'event_time', type: 'TIMESTAMP' },
    { name: 'status', type: 'INTEGER' },
    { name: 'latency', type: 'FLOAT' },
    { name: 'cached', type: 'BOOLEAN' },
    { name: 'day', type: 'DATE' },
    { name: 'tags', type: 'STRING', mode: 'REPEATED' },
    { name: 'geo', type: 'RECORD', fields: [{ name: 'country', type: 'STRING' }, { name: 'lat', type: 'FLOAT' }] },
  ],
});

let client: BigQuery;
let dataset: Dataset;
let files: Awaited<ReturnType<typeof tempDir>>;

before(async () => {
  if (skip) return;
  client = new BigQuery({ projectId: project, apiEndpoint: endpoint!, authClient: fakeAuthClient() });
  dataset = client.dataset(`bq_output_${process.pid}_${Date.now().toString(36)}`);
  await dataset.create();
  files = await tempDir({ 'clicks.schema.json': SCHEMA });
});

after(async () => {
  if (skip) return;
  await dataset.delete({ force: true });
  await files.remove();
});

type Sections = Record<string, Record<string, unknown>>;

async function run(section: Record<string, unknown>, messages: Message[], extra: Sections = {}) {
  const pipeline = await Pipeline.fromObject(
    {
      bq: {
        type: 'BqOutput',
        message_matcher: "Type == 'click'",
        project_id: project,
        dataset_id: dataset.id!,
        api_endpoint: endpoint!,
        flush_interval: '10ms',
        ...section,
      },
      ...extra,
    },
    { plugins: [TestBqOutput], logger: silentLogger, configDir: files.dir },
  );
  const dead = collectDeadLetters(pipeline);
  await pipeline.start();
  await injectAll(pipeline, messages, 100);
  await pipeline.stop();
  return dead;
}

async function rowsOf(table: string): Promise<Record<string, unknown>[]> {
  const [rows] = await dataset.table(table).getRows();
  return rows.map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);
}

test('fields become typed columns of a fixed table created from the schema', { skip }, async () => {
  const messages = Array.from({ length: 250 }, (_, i) =>
    createMessage({
      type: 'click',
      timestamp: nanosFromMillis(Date.UTC(2026, 4, 18, 12, 0, i % 60, 123)) + 456_789n,
      fields: [
        { name: 'status', value: i % 2 === 0 ? 200 : '503' },
        { name: 'latency', value: i / 4 },
        { name: 'cached', value: i % 3 === 0 },
        { name: 'day', value: '2026-05-18' },
        { name: 'tags', value: ['a', `t${i}`] },
        { name: 'geo.country', value: 'SG' },
        { name: 'lat', value: 1.29 },
        { name: 'referer', value: 'ignored: no such column' },
      ],
    }),
  );
  const dead = await run(
    {
      table_id: 'clicks',
      table_type: 'fixed',
      schema_file_path: 'clicks.schema.json',
      row_source: 'fields',
      columns: { id: 'Uuid', event_time: 'Timestamp', 'geo.lat': 'Fields[lat]' },
    },
    messages,
  );
  assert.deepEqual(dead, []);
  const rows = await rowsOf('clicks');
  assert.equal(rows.length, 250);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const m = messages[7]!;
  const { event_time: eventTime, ...row } = byId.get(m.uuid)!;
  assert.match((eventTime as { value: string }).value, /^2026-05-18T12:00:07\.123456(000)?Z$/);
  assert.deepEqual(row, {
    id: m.uuid,
    status: 503,
    latency: 1.75,
    cached: false,
    day: { value: '2026-05-18' },
    tags: ['a', 't7'],
    geo: { country: 'SG', lat: 1.29 },
  });
});

test("Heka's day shards by event time, rows from JSON payload lines", { skip }, async () => {
  const day = (d: number, i: number) =>
    createMessage({
      type: 'click',
      timestamp: new Date(Date.UTC(2026, 4, d, 23, 59, 59)),
      payload: `{"id":"d${d}-${i}a","status":${i}}\n{"id":"d${d}-${i}b","status":${i},"unknown":true}\n`,
    });
  const days = (d: number, n: number) => Array.from({ length: n }, (_, i) => day(d, i));
  const messages = [...days(17, 30), ...days(18, 20)];
  await run({ table_id: 'log', schema_file_path: 'clicks.schema.json' }, messages);
  const [tables] = await dataset.getTables();
  assert.deepEqual(tables.map((t) => t.id).filter((id) => id!.startsWith('log')).sort(), ['log20260517', 'log20260518']);
  assert.equal((await rowsOf('log20260517')).length, 60);
  const rows = await rowsOf('log20260518');
  assert.equal(rows.length, 40);
  assert.ok(rows.some((r) => r.id === 'd18-19b' && r.status === 19));
});

test('a partitioned table takes rows from a JSON encoder', { skip }, async () => {
  const messages = Array.from({ length: 40 }, (_, i) =>
    createMessage({
      type: 'click',
      fields: [
        { name: 'id', value: `e${i}` },
        { name: 'event_time', value: '2026-05-18T10:00:00Z' },
        { name: 'status', value: 200 + i },
      ],
    }),
  );
  await run(
    {
      table_id: 'events',
      table_type: 'partitioned',
      partition_field: 'event_time',
      clustering_fields: ['status'],
      schema_file_path: 'clicks.schema.json',
      encoder: 'rows',
    },
    messages,
    { rows: { type: 'JsonEncoder', fields_only: true } },
  );
  const [metadata] = await dataset.table('events').getMetadata();
  assert.deepEqual(metadata.timePartitioning, { type: 'DAY', field: 'event_time' });
  const rows = await rowsOf('events');
  assert.equal(rows.length, 40);
  assert.deepEqual(new Set(rows.map((r) => r.status)), new Set(Array.from({ length: 40 }, (_, i) => 200 + i)));
});
