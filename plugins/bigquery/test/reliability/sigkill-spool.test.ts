import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StandInServer } from '../support/stand-in-server.js';
import { prng, tempDir } from '../support/harness.js';

// The router (a real `hekate run` process) is killed with SIGKILL twice while it streams into
// BigQuery with the spool on (buffer_path + buffer_file), then restarted: the table must hold
// every row exactly once. Rows re-sent after a crash keep their insertIds (the message uuids)
// and the stand-in drops them as BigQuery does within its de-duplication window.
const ROWS = 20_000;
const SEED = Number(process.env.HEKATE_TEST_SEED ?? 7);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../../../..');
const cli = path.join(repo, 'packages/cli/dist/src/main.js');
const fixtures = path.join(here, '../fixtures');

function config(endpoint: string): string {
  return `
[hekate]
plugins = ["./replay-input.js"]
base_dir = "state"
shutdown_timeout = "10s"

[replay]
type = "ReplayInput"
path = "clicks.jsonl"
checkpoint = "replay.checkpoint"

[clicks]
type = "BqOutput"
message_matcher = "Type == 'click'"
project_id = "test"
dataset_id = "realtime"
table_id = "clicks"
table_type = "fixed"
schema_file_path = "clicks.schema.json"
api_endpoint = "${endpoint}"
buffer_path = "spool"
buffer_file = "clicks"
flush_interval = "20ms"

[clicks.retries]
delay = "10ms"
max_delay = "100ms"
max_jitter = "5ms"
`;
}

function startRouter(dir: string, log: string[]): ChildProcess {
  const gcloud = path.join(dir, 'gcloud');
  mkdirSync(gcloud, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    CLOUDSDK_CONFIG: gcloud,
    METADATA_SERVER_DETECTION: 'none',
    GCE_METADATA_HOST: '127.0.0.1:1',
  };
  const args = [cli, 'run', '-config', path.join(dir, 'hekate.toml')];
  const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', resolve);
  });

async function until(what: string, predicate: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test(`SIGKILL mid-stream with the spool on: ${ROWS} rows, none lost, none doubled (seed ${SEED})`, async () => {
  const server = await StandInServer.start({ dedupWindowMs: 60_000 });
  server.createDataset('test', 'realtime');
  const lines = Array.from({ length: ROWS }, (_, seq) => JSON.stringify({ seq, page: `/hotels/${seq % 311}` }));
  // Inside the package, so that the local plugin file resolves @hekate/core.
  const files = await tempDir(
    {
      'clicks.jsonl': `${lines.join('\n')}\n`,
      'clicks.schema.json': JSON.stringify([
        { name: 'seq', type: 'INTEGER', mode: 'REQUIRED' },
        { name: 'page', type: 'STRING' },
      ]),
      'replay-input.js': readFileSync(path.join(fixtures, 'replay-input.js'), 'utf8'),
    },
    fixtures,
  );
  writeFileSync(path.join(files.dir, 'hekate.toml'), config(server.endpoint));
  const log: string[] = [];
  const stored = () => server.rows('test', 'realtime', 'clicks').length;
  const random = prng(SEED);
  try {
    for (const share of [0.15 + random() * 0.2, 0.5 + random() * 0.2]) {
      const router = startRouter(files.dir, log);
      const before = stored();
      const target = Math.max(before + 1, share * ROWS);
      await until(`${Math.round(share * 100)}% of the rows`, () => stored() >= target || router.exitCode !== null);
      assert.equal(router.exitCode, null, `the router exited early:\n${log.join('')}`);
      router.kill('SIGKILL');
      await exited(router);
    }
    const router = startRouter(files.dir, log);
    const started = log.length;
    // SIGTERM is handled (a draining stop) once the pipeline runs; not before.
    await until('the restart', () => log.slice(started).join('').includes('Pipeline started.') || router.exitCode !== null);
    await until('every row', () => stored() >= ROWS || router.exitCode !== null);
    router.kill('SIGTERM');
    assert.equal(await exited(router), 0, log.join(''));

    const seqs = server.rows('test', 'realtime', 'clicks').map((r) => r.json.seq as number);
    assert.equal(seqs.length, ROWS, 'zero loss, zero duplicates');
    assert.equal(new Set(seqs).size, ROWS);
    for (const request of server.requests) {
      for (const id of request.insertIds) assert.match(id!, /^00000000-0000-4000-8000-[0-9a-f]{12}$/);
    }
    const { requests, duplicatesDropped } = server;
    process.stdout.write(`# SIGKILL x2: ${requests.length} requests, ${duplicatesDropped} re-sent rows de-duplicated\n`);
  } finally {
    await server.close();
    await files.remove();
  }
});
