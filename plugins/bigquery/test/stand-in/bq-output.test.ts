import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Pipeline, createMessage, type Message } from '@hekate/core';
import { StandInServer, type SchemaField, type StandInOptions } from '../support/stand-in-server.js';
import { TestBqOutput, collectDeadLetters, injectAll, recordingLogger, tempDir } from '../support/harness.js';

// BqOutput's error paths against the insertAll stand-in (the emulator does not model them).
const FIELDS: SchemaField[] = [
  { name: 'id', type: 'STRING', mode: 'REQUIRED' },
  { name: 'n', type: 'INTEGER' },
  { name: 'page', type: 'STRING' },
];

async function harness(section: Record<string, unknown> = {}, options: StandInOptions = {}) {
  const server = await StandInServer.start(options);
  server.createDataset('test', 'ds');
  const files = await tempDir({ 'schema.json': JSON.stringify({ fields: FIELDS }) });
  const log = recordingLogger();
  const pipeline = await Pipeline.fromObject(
    {
      bq: {
        type: 'BqOutput',
        message_matcher: "Type == 'click'",
        project_id: 'test',
        dataset_id: 'ds',
        table_id: 't',
        table_type: 'fixed',
        schema_file_path: 'schema.json',
        api_endpoint: server.endpoint,
        flush_interval: '5ms',
        request_timeout: '300ms',
        retries: { delay: '5ms', max_delay: '20ms', max_jitter: '1ms' },
        ...section,
      },
    },
    { plugins: [TestBqOutput], logger: log.logger, configDir: files.dir },
  );
  const dead = collectDeadLetters(pipeline);
  return {
    server,
    pipeline,
    dead,
    log,
    dir: files.dir,
    rows: () => server.rows('test', 'ds', 't').map((r) => r.json),
    async close() {
      await pipeline.stop();
      await server.close();
      await files.remove();
    },
  };
}

const click = (json: Record<string, unknown>): Message => {
  const m = createMessage({ type: 'click' });
  m.payload = JSON.stringify({ id: m.uuid, ...json });
  return m;
};

test('an invalid row is dead-lettered; its stopped request-mates are written again, same insertIds', async () => {
  const h = await harness();
  try {
    const messages = [click({ n: 1 }), click({ n: 'two' }), click({ n: 3 })];
    await h.pipeline.start();
    await injectAll(h.pipeline, messages);
    assert.deepEqual(h.rows().map((r) => r.n), [1, 3]);
    const reason = 'BigQuery refused the row: Cannot convert value to integer. (n)';
    assert.deepEqual(h.dead, [{ uuid: messages[1]!.uuid, reason }]);
    assert.deepEqual(
      h.server.requests.map((r) => r.insertIds),
      [messages.map((m) => m.uuid), [messages[0]!.uuid, messages[2]!.uuid]],
    );
  } finally {
    await h.close();
  }
});

test('skip_invalid_rows inserts the valid rows of a request at once', async () => {
  const h = await harness({ skip_invalid_rows: true });
  try {
    await h.pipeline.start();
    await injectAll(h.pipeline, [click({ n: 1 }), click({ n: 'two' }), click({ n: 3 })]);
    assert.equal(h.rows().length, 2);
    assert.equal(h.dead.length, 1);
    assert.equal(h.server.requests.length, 1);
  } finally {
    await h.close();
  }
});

test('503, rate limits and timeouts are retried with the same insertIds, and never doubled', async () => {
  const h = await harness();
  try {
    h.server.enqueue(
      { status: 503, reason: 'backendError' },
      { status: 403, reason: 'rateLimitExceeded' },
      { after: 'hang' },
    );
    const messages = [click({ n: 1 }), click({ n: 2 })];
    await h.pipeline.start();
    await injectAll(h.pipeline, messages);
    assert.deepEqual(h.rows().map((r) => r.n), [1, 2]);
    const ids = messages.map((m) => m.uuid);
    assert.deepEqual(h.server.requests.map((r) => [r.fault, r.insertIds]), [
      ['503 backendError', ids],
      ['403 rateLimitExceeded', ids],
      ['hang', ids],
      [undefined, ids],
    ]);
    assert.equal(h.server.duplicatesDropped, 2);
    const warnings = h.log.lines.filter((l) => l.level === 'warn').map((l) => String(l.fields.error));
    assert.match(warnings[0]!, /BigQuery error \(503 backendError\)/);
    assert.match(warnings[1]!, /rate limited \(403 rateLimitExceeded\)/);
    assert.match(warnings[2]!, /no answer within request_timeout = 300 ms/);
  } finally {
    await h.close();
  }
});

test('refused credentials are reported with what to check, and the rows wait for them', async () => {
  const h = await harness();
  try {
    h.server.enqueue({ status: 401, reason: 'authError', message: 'Request had invalid authentication credentials.' });
    await h.pipeline.start();
    await injectAll(h.pipeline, [click({ n: 1 })]);
    assert.equal(h.rows().length, 1);
    const warning = h.log.lines.find((l) => l.level === 'warn')!;
    const advice = /BigQuery refused the credentials \(401 authError\).*Check key_file, or pem_file_path/;
    assert.match(String(warning.fields.error), advice);
  } finally {
    await h.close();
  }
});

test('a table deleted while the output runs is created again', async () => {
  const h = await harness();
  try {
    await h.pipeline.start();
    await injectAll(h.pipeline, [click({ n: 1 })]);
    h.server.deleteTable('test', 'ds', 't');
    await injectAll(h.pipeline, [click({ n: 2 })]);
    assert.deepEqual(h.rows().map((r) => r.n), [2]);
    assert.equal(h.pipeline.stats().plugins.bq!.counters.tables_created, 2);
  } finally {
    await h.close();
  }
});

test('with create_table = false the output waits for the table and says why', async () => {
  const h = await harness({ create_table: false });
  try {
    await h.pipeline.start();
    const written = injectAll(h.pipeline, [click({ n: 1 })]);
    const warning = () => h.log.lines.find((l) => l.level === 'warn');
    for (let i = 0; i < 100 && warning() === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(String(warning()?.fields.error), /table ds\.t does not exist and create_table = false/);
    h.server.createTable('test', 'ds', 't', FIELDS);
    await written;
    assert.equal(h.rows().length, 1);
  } finally {
    await h.close();
  }
});

test('row values are sent as they are, {{projectId}} included (table.insert would rewrite it)', async () => {
  const h = await harness();
  try {
    await h.pipeline.start();
    await injectAll(h.pipeline, [click({ n: 1, page: 'GET /projects/{{projectId}}/datasets' })]);
    assert.equal(h.rows()[0]!.page, 'GET /projects/{{projectId}}/datasets');
  } finally {
    await h.close();
  }
});

test('each line of a payload is a row with its own insertId', async () => {
  const h = await harness();
  try {
    const m = createMessage({ type: 'click', payload: '{"id":"a","n":1}\n{"id":"b","n":2}\n' });
    await h.pipeline.start();
    await injectAll(h.pipeline, [m]);
    assert.deepEqual(h.server.requests[0]!.insertIds, [`${m.uuid}-0`, `${m.uuid}-1`]);
    assert.equal(h.rows().length, 2);
  } finally {
    await h.close();
  }
});

test('unknown_fields = "reject" lets BigQuery refuse unknown keys of JSON rows', async () => {
  const h = await harness({ unknown_fields: 'reject' });
  try {
    await h.pipeline.start();
    await injectAll(h.pipeline, [click({ n: 1, referer: 'x' })]);
    assert.equal(h.rows().length, 0);
    assert.match(h.dead[0]!.reason, /no such field: referer\./);
  } finally {
    await h.close();
  }
});

test('a message whose fields cannot become a row is dead-lettered before any request', async () => {
  const h = await harness({ row_source: 'fields', columns: { id: 'Uuid' } });
  try {
    const bad = createMessage({ type: 'click', fields: [{ name: 'n', value: 'many' }] });
    const good = createMessage({ type: 'click', fields: [{ name: 'n', value: 7 }, { name: 'page', value: '/' }] });
    await h.pipeline.start();
    await injectAll(h.pipeline, [bad, good]);
    assert.deepEqual(h.rows(), [{ id: good.uuid, n: 7, page: '/' }]);
    const reason = 'cannot make a row: column n: cannot store string "many" as INTEGER';
    assert.deepEqual(h.dead, [{ uuid: bad.uuid, reason }]);
    assert.deepEqual(h.server.requests.map((r) => r.insertIds), [[good.uuid]]);
  } finally {
    await h.close();
  }
});

test('batches are split into requests under max_request_bytes and max_batch_rows', async () => {
  const h = await harness({ max_request_bytes: '64KiB', max_batch_rows: 40 });
  try {
    await h.pipeline.start();
    await injectAll(h.pipeline, Array.from({ length: 300 }, (_, n) => click({ n, page: 'p'.repeat(2000) })));
    assert.equal(h.rows().length, 300);
    assert.ok(h.server.requests.length >= 10);
    for (const r of h.server.requests) {
      assert.ok(r.bytes <= 65_536 && r.insertIds.length <= 40, `${r.bytes} bytes, ${r.insertIds.length} rows`);
    }
  } finally {
    await h.close();
  }
});

test('stopping flushes a batch still waiting for flush_interval', async () => {
  const h = await harness({ flush_interval: '1h' });
  try {
    await h.pipeline.start();
    const written = injectAll(h.pipeline, [click({ n: 1 }), click({ n: 2 })]);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.server.requests.length, 0);
    await h.pipeline.stop();
    await written;
    assert.equal(h.rows().length, 2);
  } finally {
    await h.close();
  }
});

test('buffer_path and buffer_file spool through the durable disk queue', async () => {
  const h = await harness({ buffer_path: 'spool', buffer_file: 'clicks' });
  try {
    const common = h.pipeline.plan.sections.find((s) => s.name === 'bq')!.common as { use_buffering?: boolean };
    assert.equal(common.use_buffering, true);
    await h.pipeline.start();
    await injectAll(h.pipeline, Array.from({ length: 50 }, (_, n) => click({ n })));
    for (let i = 0; i < 200 && h.rows().length < 50; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(h.rows().length, 50);
    assert.ok(existsSync(path.join(h.dir, 'spool', 'clicks')));
  } finally {
    await h.close();
  }
});
