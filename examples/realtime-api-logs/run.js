// The origin story, end to end, in one command:
//
//   node examples/realtime-api-logs/run.js
//
// starts a local Kafka and the BigQuery emulator (test/services; unless KAFKA_BROKERS and
// BQ_ENDPOINT point at running ones), writes API request logs the way an API server would,
// runs stage one (FileInput → Kafka topics by request type) and stage two (KafkaInput →
// BqOutput, day-sharded tables) as two `hekate` processes, waits until BigQuery holds every
// request, and reports the rows per table against the lines written. Exit 0 when they are equal.
//
//   LINES (1000): requests to write; above 1000 the shared generator (../shared/bench) is used.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BigQuery } from '@google-cloud/bigquery';
import { OAuth2Client } from 'google-auth-library';
import { Kafka, logLevel } from 'kafkajs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const cli = path.join(root, 'packages/cli/dist/src/main.js');
const KINDS = { click: 'clicks', visit: 'visits', search: 'searches' };
const lineCount = Number(process.env.LINES ?? 1000);

function service(name, action) {
  return execFileSync('bash', [path.join(root, 'test/services', `${name}.sh`), action], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

function requestLines() {
  if (lineCount <= 1000) return readFileSync(path.join(here, '../quickstart/access.log'), 'utf8').split('\n').filter(Boolean).slice(0, lineCount);
  const generator = path.resolve(root, process.env.HEKATE_BENCH_DIR ?? '../shared/bench', 'gen-api-logs.js');
  return execFileSync(process.execPath, [generator, String(lineCount)], { encoding: 'utf8', maxBuffer: 1 << 30 }).split('\n').filter(Boolean);
}

const started = [];
const env = { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1', METADATA_SERVER_DETECTION: 'none', GCE_METADATA_HOST: '127.0.0.1:1' };
if (!env.KAFKA_BROKERS) {
  env.KAFKA_BROKERS = service('kafka', 'start');
  started.push('kafka');
}
if (!env.BQ_ENDPOINT) {
  env.BQ_ENDPOINT = service('bigquery', 'start');
  started.push('bigquery');
}
const suffix = `-${process.pid}-${Date.now().toString(36)}`;
const work = mkdtempSync(path.join(tmpdir(), 'hekate-realtime-'));
Object.assign(env, {
  TOPIC_SUFFIX: suffix,
  API_LOG_DIR: path.join(work, 'logs'),
  STAGE1_STATE: path.join(work, 'state-1'),
  STAGE2_STATE: path.join(work, 'state-2'),
  BQ_PROJECT: env.BQ_PROJECT ?? 'test',
  BQ_DATASET: `realtime${suffix.replace(/-/g, '_')}`,
});
const stages = [];
let code = 1;
try {
  const brokers = env.KAFKA_BROKERS.split(',');
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: Object.values(KINDS).map((k) => ({ topic: k + suffix, numPartitions: 3 })), waitForLeaders: true });
  await admin.disconnect();
  // The emulator takes any token; a fixed one keeps the client from looking for Google credentials.
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: 'emulator', expiry_date: Date.now() + 3_600_000 });
  const bigquery = new BigQuery({ projectId: env.BQ_PROJECT, apiEndpoint: env.BQ_ENDPOINT, authClient });
  const [dataset] = await bigquery.createDataset(env.BQ_DATASET);

  // The API servers: they log requests while the routers run.
  const lines = requestLines();
  execFileSync('mkdir', ['-p', env.API_LOG_DIR]);
  const log = path.join(env.API_LOG_DIR, 'api.log');
  appendFileSync(log, lines.slice(0, lines.length / 2).join('\n') + '\n');
  for (const config of ['stage-1-logs-to-kafka.toml', 'stage-2-kafka-to-bigquery.toml']) {
    const child = spawn(process.execPath, [cli, 'run', '-config', path.join(here, config), '-log-level', 'warn'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    stages.push(new Promise((resolve) => child.once('exit', resolve)));
    stages.push(child);
  }
  await new Promise((r) => setTimeout(r, 1000));
  appendFileSync(log, lines.slice(lines.length / 2).join('\n') + '\n');

  const expected = {};
  for (const l of lines) expected[KINDS[JSON.parse(l).type]] = (expected[KINDS[JSON.parse(l).type]] ?? 0) + 1;
  const rowsOf = async () => {
    const [tables] = await dataset.getTables();
    const rows = {};
    for (const t of tables) {
      const kind = Object.values(KINDS).find((k) => t.id.startsWith(k));
      rows[kind] = rows[kind] ?? { rows: 0, tables: [] };
      rows[kind].rows += Number((await t.getMetadata())[0].numRows ?? 0);
      rows[kind].tables.push(t.id);
    }
    return rows;
  };
  const deadline = Date.now() + Number(process.env.TIMEOUT_MS ?? 120_000);
  let rows = {};
  while (Date.now() < deadline) {
    rows = await rowsOf();
    if (Object.entries(expected).every(([k, n]) => rows[k]?.rows === n)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`\nOrigin story: ${lines.length} API requests → FileInput → Kafka → KafkaInput → BqOutput (${env.BQ_DATASET})\n`);
  console.log('table      lines written  rows in BigQuery  day tables');
  for (const [kind, n] of Object.entries(expected)) {
    console.log(`${kind.padEnd(10)} ${String(n).padStart(13)}  ${String(rows[kind]?.rows ?? 0).padStart(16)}  ${(rows[kind]?.tables ?? []).join(', ')}`);
  }
  code = Object.entries(expected).every(([k, n]) => rows[k]?.rows === n) ? 0 : 1;
  console.log(code === 0 ? '\nEvery request is in BigQuery, once.' : '\nBigQuery does not hold every request (see above).');
} finally {
  for (const child of stages.filter((s) => typeof s.kill === 'function')) child.kill('SIGTERM');
  await Promise.all(stages.filter((s) => typeof s.kill !== 'function'));
  for (const name of started) service(name, 'stop');
}
process.exit(code);
