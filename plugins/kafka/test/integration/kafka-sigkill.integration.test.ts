import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  BROKERS,
  committedOffsets,
  createTopic,
  exited,
  lines,
  needsBroker,
  producePerPartition,
  runHekate,
  unique,
  waitFor,
} from '../support/kafka-kit.js';

const PARTITIONS = 3;
const PER_PARTITION = 30_000;
const TOTAL = PARTITIONS * PER_PARTITION;

/** `<partition>-<offset>` of a line written by FileOutput. */
const coordinates = (line: string) => line.split(' ')[0]!.split('-').map(Number) as [number, number];

const name =
  'KafkaInput → FileOutput killed by SIGKILL mid-stream and restarted: ' +
  'zero loss, duplicates only among what was not committed';

test(name, { skip: needsBroker }, async (t) => {
  const topic = unique('hekate-kill');
  const group = unique('hekate-kill');
  await createTopic(topic, PARTITIONS);
  const pad = '.'.repeat(90);
  const values = (p: number) => Array.from({ length: PER_PARTITION }, (_, i) => `${p}-${i} ${pad}`);
  await producePerPartition(topic, Array.from({ length: PARTITIONS }, (_, p) => values(p)));
  const dir = await mkdtemp(path.join(tmpdir(), 'hekate-kill-'));
  const out = path.join(dir, 'out.log');
  const config = path.join(dir, 'pipeline.toml');
  await writeFile(
    config,
    `
[hekate]
base_dir = "${dir}"

[kafka_in]
type = "KafkaInput"
topic = "${topic}"
group = "${group}"
addrs = ${JSON.stringify(BROKERS!.split(','))}
default_fetch_size = "16KiB"
commit_interval = "200ms"
## The killed member's partitions move once its session expires.
session_timeout = "6s"
heartbeat_interval = "1s"

[file_out]
type = "FileOutput"
message_matcher = "TRUE"
path = "${out}"
flush_count = 500
flush_interval = "20ms"
`,
  );
  const log = path.join(dir, 'hekate.log');
  const first = runHekate(config, log);
  let second: ChildProcess | undefined;
  let atKill: string[];
  let uncommitted: number;
  try {
    await waitFor(async () => (await lines(out)).length >= 20_000, 60_000, 'the first 20,000 lines');
    first.kill('SIGKILL');
    await exited(first);
    atKill = await lines(out);
    const committed = await committedOffsets(group, topic);
    uncommitted = atKill.filter((l) => {
      const [p, offset] = coordinates(l);
      return offset >= (committed.get(p) ?? -1);
    }).length;
    assert.ok(atKill.length < TOTAL, 'killed mid-stream');

    second = runHekate(config, log);
    await waitFor(async () => new Set(await lines(out)).size >= TOTAL, 120_000, 'every record in the file');
    second.kill('SIGTERM');
    assert.equal(await exited(second), 0, `hekate exits cleanly on SIGTERM (see ${log})`);
  } finally {
    for (const child of [first, second]) if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  const all = await lines(out);
  const distinct = new Set(all);
  const duplicates = all.length - distinct.size;
  t.diagnostic(`lines at kill ${atKill.length}, not committed at kill ${uncommitted}, duplicates ${duplicates}`);
  assert.equal(distinct.size, TOTAL, 'zero loss');
  const bound = `records written but not committed at the kill (${uncommitted})`;
  assert.ok(duplicates <= uncommitted, `duplicates (${duplicates}) ≤ ${bound}`);
  const final = await committedOffsets(group, topic);
  assert.deepEqual([...final.values()], Array(PARTITIONS).fill(PER_PARTITION), 'everything committed after the clean stop');
  await rm(dir, { recursive: true, force: true });
});
