// The origin story example runs end to end against the real Kafka and BigQuery emulator, and
// BigQuery holds exactly the requests written (it is how CI runs the example).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './support.js';

const skip = process.env.KAFKA_BROKERS && process.env.BQ_ENDPOINT ? false : 'KAFKA_BROKERS and BQ_ENDPOINT are needed (run npm test)';

test('examples/realtime-api-logs: row counts per table equal the lines written', { skip, timeout: 180_000 }, () => {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'examples/realtime-api-logs/run.js')], { encoding: 'utf8', env: process.env });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  for (const [table, n] of [['visits', 446], ['searches', 287], ['clicks', 267]]) {
    assert.match(run.stdout, new RegExp(`${table} +${n} +${n} +${table}20240601`));
  }
});
