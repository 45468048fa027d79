// BqOutput throughput against the insertAll stand-in (no artificial latency): a pipeline with
// BqOutput writing messages, next to a bare @google-cloud/bigquery loop inserting the same rows
// in the same batches of 500 (raw rows, the same options), in the same run. The stand-in runs in
// its own process so that it does not share an event loop with either side.
//
//   npm run bench:bigquery [-- rows]
//
// Two row sources: `fields` (one row per message, typed by the schema) and `payload` (a JSON
// line per message, as Heka's BqOutput took it; the bare loop parses the same lines, as BqOutput
// must). Each measurement gets a fresh stand-in, and the two sides run in pairs, alternating
// which goes first. Printed: the median rates and the median of the paired ratios. Goal:
// BqOutput >= 80% of the bare client. (BqOutput sends its own serialised body through the
// client's request; table.insert deep-copies the rows and walks them for `{{projectId}}`.)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BigQuery } from '@google-cloud/bigquery';
import { Pipeline, createMessage, silentLogger } from '@hekate/core';
import { fakeAuthClient } from '../../plugins/bigquery/dist/test/support/fake-auth.js';
import { TestBqOutput, injectAll } from '../../plugins/bigquery/dist/test/support/harness.js';
import { ROOT } from './support/harness.js';

const ROWS = Number(process.argv[2] ?? 100_000);
const BATCH = 500;
const ROUNDS = 7;
const PATHS = ['/api/v1/users', '/api/v1/orders', '/healthz', '/static/app.js'];
const SCHEMA = [
  { name: 'id', type: 'STRING', mode: 'REQUIRED' },
  { name: 'event_time', type: 'TIMESTAMP' },
  { name: 'host', type: 'STRING' },
  { name: 'status', type: 'INTEGER' },
  { name: 'path', type: 'STRING' },
  { name: 'bytes', type: 'INTEGER' },
  { name: 'latency', type: 'FLOAT' },
  { name: 'request_id', type: 'STRING' },
];

/** Starts the stand-in in a child process; resolves with its endpoint and a stop function. */
function startStandIn() {
  const module = path.join(ROOT, 'plugins/bigquery/dist/test/support/stand-in-server.js');
  const code = `
    import { StandInServer } from ${JSON.stringify(module)};
    const server = await StandInServer.start();
    server.createDataset('bench', 'bench');
    process.stdout.write(server.endpoint + '\\n');
    process.stdin.resume();
    process.stdin.on('end', () => server.close().then(() => process.exit(0)));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (d) => resolve({ endpoint: String(d).trim(), stop: () => child.stdin.end() }));
  });
}

function messages(mode) {
  const t0 = Date.UTC(2026, 10, 12, 10);
  return Array.from({ length: ROWS }, (_, i) => {
    const values = {
      status: 200 + (i % 5),
      path: PATHS[i % 4],
      bytes: 1000 + (i % 9000),
      latency: (i % 1000) / 1000,
      request_id: `req-${i.toString(16).padStart(12, '0')}`,
    };
    const init = { type: 'api.access', timestamp: new Date(t0 + i), hostname: 'web-07.prod.example.com' };
    if (mode === 'fields') init.fields = Object.entries(values).map(([name, value]) => ({ name, value }));
    const m = createMessage(init);
    if (mode === 'payload') {
      m.payload = JSON.stringify({ id: m.uuid, event_time: new Date(t0 + i).toISOString(), host: m.hostname, ...values });
    }
    return m;
  });
}

/**
 * The rows BqOutput sends for these messages, as the bare client gets them: objects for
 * `fields`; for `payload` the same JSON text, which the bare loop parses as BqOutput must.
 */
function rawRows(list, mode) {
  return list.map((m) => {
    if (mode === 'payload') return { insertId: m.uuid, text: m.payload };
    const ms = Number(m.timestamp / 1_000_000n);
    const json = { id: m.uuid, event_time: `${new Date(ms).toISOString().slice(0, 23)}000Z`, host: m.hostname };
    for (const f of m.fields) json[f.name] = f.values[0];
    return { insertId: m.uuid, json };
  });
}

async function bare(endpoint, rows, table) {
  const client = new BigQuery({
    projectId: 'bench',
    apiEndpoint: endpoint,
    authClient: fakeAuthClient(),
    retryOptions: { autoRetry: false },
  });
  const dataset = client.dataset('bench');
  await dataset.createTable(table, { schema: { fields: SCHEMA } });
  const t = dataset.table(table);
  const options = { raw: true, partialRetries: 0, skipInvalidRows: false, ignoreUnknownValues: true };
  const start = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    const raw = batch[0].text === undefined ? batch : batch.map((r) => ({ insertId: r.insertId, json: JSON.parse(r.text) }));
    await t.insert(raw, options);
  }
  return performance.now() - start;
}

async function bqOutput(endpoint, list, table, mode, dir) {
  const pipeline = await Pipeline.fromObject(
    {
      bench: {
        type: 'BqOutput',
        message_matcher: "Type == 'api.access'",
        project_id: 'bench',
        dataset_id: 'bench',
        table_id: table,
        table_type: 'fixed',
        schema_file_path: 'schema.json',
        api_endpoint: endpoint,
        row_source: mode,
        columns: mode === 'fields' ? { id: 'Uuid', event_time: 'Timestamp', host: 'Hostname' } : {},
        flush_interval: '5ms',
        queue_max_messages: 20_000,
      },
    },
    { plugins: [TestBqOutput], logger: silentLogger, configDir: dir },
  );
  await pipeline.start();
  await new Promise((r) => setTimeout(r, 100)); // open() has created the table
  const start = performance.now();
  await injectAll(pipeline, list, 5000, 4);
  const ms = performance.now() - start;
  await pipeline.stop();
  const written = pipeline.stats().plugins.bench.counters.rows_inserted;
  if (written !== list.length) throw new Error(`BqOutput wrote ${written} of ${list.length} rows`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rate = (ms) => Math.round(ROWS / (ms / 1000));

const dir = mkdtempSync(path.join(tmpdir(), 'hekate-bench-bq-'));
writeFileSync(path.join(dir, 'schema.json'), JSON.stringify({ fields: SCHEMA }));
/** Runs `measure` against a fresh stand-in. */
async function withStandIn(measure) {
  const standIn = await startStandIn();
  try {
    return await measure(standIn.endpoint);
  } finally {
    standIn.stop();
  }
}

try {
  console.log(`BigQuery insertAll against the stand-in: ${ROWS} rows, batches of ${BATCH}, median of ${ROUNDS} rounds`);
  for (const mode of ['fields', 'payload']) {
    const list = messages(mode);
    const rows = rawRows(list, mode);
    const bareRates = [];
    const outRates = [];
    const ratios = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Paired rounds, alternating which side goes first: the machine's load drifts slowly.
      const sides = [
        () => withStandIn((endpoint) => bare(endpoint, rows, `bare_${mode}`)),
        () => withStandIn((endpoint) => bqOutput(endpoint, list, `out_${mode}`, mode, dir)),
      ];
      if (round % 2 === 1) sides.reverse();
      const [first, second] = [await sides[0](), await sides[1]()];
      const [bareMs, outMs] = round % 2 === 1 ? [second, first] : [first, second];
      bareRates.push(rate(bareMs));
      outRates.push(rate(outMs));
      ratios.push(bareMs / outMs);
    }
    const out = median(outRates);
    const raw = median(bareRates);
    const rounds = ratios.map((r) => r.toFixed(2)).join(' ');
    console.log(
      `  row_source = ${mode.padEnd(8)} BqOutput ${String(out).padStart(7)} rows/s   ` +
        `bare client ${String(raw).padStart(7)} rows/s   ` +
        `ratio ${median(ratios).toFixed(2)} (goal >= 0.80; rounds: ${rounds})`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
