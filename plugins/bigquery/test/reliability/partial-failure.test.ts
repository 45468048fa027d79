import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pipeline, createMessage, silentLogger, type Message } from '@hekate/core';
import { REQUEST_LIMIT, StandInServer, type Fault } from '../support/stand-in-server.js';
import { TestBqOutput, collectDeadLetters, injectAll, prng, tempDir } from '../support/harness.js';

// reliability-plan.md §5.3 F8: 100,000 rows, 10 of them invalid (their request-mates come back
// `stopped`), 5% of requests 503 backendError, 2% time out after the rows were applied, 1% 403
// rateLimitExceeded, and one row of 11 MB.
const ROWS = 100_000;
const INVALID = 10;
const SEED = Number(process.env.HEKATE_TEST_SEED ?? 20261125);

const SCHEMA = JSON.stringify({
  fields: [
    { name: 'uuid', type: 'STRING', mode: 'REQUIRED' },
    { name: 'seq', type: 'INTEGER', mode: 'REQUIRED' },
    { name: 'page', type: 'STRING' },
  ],
});

function faultPlan(seed: number): () => Fault | undefined {
  const random = prng(seed);
  return () => {
    const r = random();
    if (r < 0.05) return { status: 503, reason: 'backendError' };
    if (r < 0.07) return { after: 'hang', ms: 1000 };
    if (r < 0.08) return { status: 403, reason: 'rateLimitExceeded', message: 'Exceeded rate limits: too many requests.' };
    return undefined;
  };
}

const title = `F8: ${ROWS} rows through partial failures, 503s, timeouts and rate limits land exactly once`;

test(`${title} (seed ${SEED})`, async () => {
  const server = await StandInServer.start({ dedupWindowMs: 60_000, faults: faultPlan(SEED) });
  const tmp = await tempDir({ 'clicks.schema.json': SCHEMA });
  server.createDataset('test', 'f8');
  try {
    const pipeline = await Pipeline.fromObject(
      {
        clicks: {
          type: 'BqOutput',
          message_matcher: "Type == 'click'",
          project_id: 'test',
          dataset_id: 'f8',
          table_id: 'clicks',
          table_type: 'fixed',
          schema_file_path: 'clicks.schema.json',
          api_endpoint: server.endpoint,
          max_request_bytes: '10MiB',
          flush_interval: '10ms',
          request_timeout: '250ms',
          retries: { delay: '5ms', max_delay: '40ms', max_jitter: '5ms' },
        },
      },
      { plugins: [TestBqOutput], logger: silentLogger, configDir: tmp.dir },
    );
    const dead = collectDeadLetters(pipeline);
    const random = prng(SEED + 1);
    const invalidAt = new Set<number>();
    while (invalidAt.size < INVALID) invalidAt.add(Math.floor(random() * ROWS));
    const oversizedAt = Math.floor(random() * ROWS);
    const messages: Message[] = [];
    for (let seq = 0; seq < ROWS; seq++) {
      const m = createMessage({ type: 'click' });
      const page = seq === oversizedAt ? 'x'.repeat(11 * 1024 * 1024) : `/hotels/${seq % 977}`;
      m.payload = JSON.stringify({ uuid: m.uuid, seq: invalidAt.has(seq) ? 'not-a-number' : seq, page });
      messages.push(m);
    }
    await pipeline.start();
    const started = Date.now();
    await injectAll(pipeline, messages);
    await pipeline.stop();
    const elapsed = Date.now() - started;

    const refused = new Set([...invalidAt, oversizedAt].map((i) => messages[i]!.uuid));
    const stored = server.rows('test', 'f8', 'clicks').map((r) => r.json.uuid as string);
    assert.equal(stored.length, ROWS - INVALID - 1, 'the table holds exactly the valid rows');
    assert.equal(new Set(stored).size, stored.length, 'no duplicate uuids');
    for (const uuid of stored) assert.ok(!refused.has(uuid));

    assert.equal(dead.length, INVALID + 1);
    assert.deepEqual(new Set(dead.map((d) => d.uuid)), refused);
    for (const d of dead) {
      const expected =
        d.uuid === messages[oversizedAt]!.uuid
          ? /row of \d+ bytes does not fit an insertAll request/
          : /BigQuery refused the row: Cannot convert value to integer\. \(seq\)/;
      assert.match(d.reason, expected);
    }

    const uuids = new Set(messages.map((m) => m.uuid));
    const sentPerId = new Map<string, number>();
    for (const request of server.requests) {
      assert.ok(request.bytes <= REQUEST_LIMIT, `a request of ${request.bytes} bytes`);
      assert.ok(request.insertIds.length <= 500, `a request of ${request.insertIds.length} rows`);
      for (const id of request.insertIds) {
        assert.ok(id !== undefined && uuids.has(id), 'every insertId is its message uuid');
        sentPerId.set(id, (sentPerId.get(id) ?? 0) + 1);
      }
    }
    const faults = server.requests.filter((r) => r.fault !== undefined);
    assert.ok(faults.some((r) => r.fault === '503 backendError'));
    assert.ok(faults.some((r) => r.fault === '403 rateLimitExceeded'));
    assert.ok(faults.some((r) => r.fault === 'hang'));
    assert.ok(server.duplicatesDropped > 0, 'rows applied before a timeout were sent again and de-duplicated');
    assert.ok([...sentPerId.values()].some((n) => n > 1), 'rows were retried');
    const stats = pipeline.stats().plugins.clicks!.counters;
    assert.equal(stats.rows_invalid, INVALID);
    assert.equal(stats.rows_oversized, 1);
    process.stdout.write(
      `# F8: ${server.requests.length} requests (${faults.length} faulted), ` +
        `${server.duplicatesDropped} duplicates dropped by insertId, ${elapsed} ms\n`,
    );
  } finally {
    await server.close();
    await tmp.remove();
  }
});
