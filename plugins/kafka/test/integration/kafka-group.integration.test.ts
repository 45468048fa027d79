import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import {
  bareKafka,
  BROKERS,
  committedOffsets,
  createTopic,
  exited,
  lines,
  needsBroker,
  runHekate,
  unique,
  waitFor,
  waitForText,
} from '../support/kafka-kit.js';

const PARTITIONS = 6;
const PER_PARTITION = 8_000;
const TOTAL = PARTITIONS * PER_PARTITION;
/** Records alternate in runs of this many between the slow and the fast output. */
const RUN = 200;

/** Record `offset` of partition `p`: `a-…` goes to the slow output, `b-…` to the fast one. */
const value = (p: number, offset: number) => `${Math.floor(offset / RUN) % 2 === 0 ? 'a' : 'b'}-${p}-${offset}`;

/** Produces every partition's records in order, at about `rate` records per second. */
async function produce(topic: string, rate: number): Promise<void> {
  const producer = bareKafka().producer({
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const started = Date.now();
  const step = 50;
  for (let offset = 0; offset < PER_PARTITION; offset += step) {
    const messages = [];
    for (let p = 0; p < PARTITIONS; p++) {
      for (let o = offset; o < offset + step; o++) messages.push({ partition: p, value: value(p, o) });
    }
    await producer.send({ topic, messages });
    const due = started + (((offset + step) * PARTITIONS) / rate) * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
  }
  await producer.disconnect();
}

const name =
  'members joining, leaving and killed in a 2-member group while outputs acknowledge out of ' +
  'order: the partitions are shared, zero loss, no commit past an unacknowledged offset';

test(name, { skip: needsBroker }, async (t) => {
  const topic = unique('hekate-group');
  const group = unique('hekate-group');
  await createTopic(topic, PARTITIONS);
  const dir = await mkdtemp(path.join(tmpdir(), 'hekate-group-'));
  const files: string[] = [];
  const configFor = async (member: string) => {
    const slow = path.join(dir, `${member}-slow.log`);
    const fast = path.join(dir, `${member}-fast.log`);
    files.push(slow, fast);
    const file = path.join(dir, `${member}.toml`);
    await writeFile(
      file,
      `
[hekate]
base_dir = "${path.join(dir, member)}"

[kafka_in]
type = "KafkaInput"
topic = "${topic}"
group = "${group}"
addrs = ${JSON.stringify(BROKERS!.split(','))}
default_fetch_size = "4KiB"
commit_interval = "100ms"
## A killed member's partitions move once its session expires.
session_timeout = "6s"
heartbeat_interval = "1s"

## Acknowledges late: a batch lingers 300 ms.
[slow]
type = "FileOutput"
message_matcher = "Payload =~ /^a-/"
path = "${slow}"
flush_count = 100000
flush_interval = "300ms"

## Acknowledges at once: so later deliveries finish before earlier ones.
[fast]
type = "FileOutput"
message_matcher = "Payload =~ /^b-/"
path = "${fast}"
flush_interval = "2ms"
`,
    );
    return file;
  };
  const written = async () => new Set((await Promise.all(files.map(lines))).flat());

  // Checks, while everything runs, that every committed offset covers only written records.
  const violations: string[] = [];
  let checks = 0;
  let checking = true;
  const checker = (async () => {
    while (checking) {
      const committed = await committedOffsets(group, topic);
      const seen = await written();
      checks++;
      for (const [p, upTo] of committed) {
        for (let o = 0; o < upTo; o++) {
          if (!seen.has(value(p, o))) {
            violations.push(`partition ${p} committed at ${upTo} before offset ${o} was written`);
            break;
          }
        }
      }
      await sleep(250);
    }
  })();

  const running = new Set<ChildProcess>();
  const join = async (member: string) => {
    const log = path.join(dir, `${member}.log`);
    const child = runHekate(await configFor(member), log);
    running.add(child);
    await waitForText(log, 'Consumer group assignment', 60_000);
    return child;
  };
  const leave = async (child: ChildProcess, member: string) => {
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0, `member ${member} leaves cleanly (see ${dir}/${member}.log)`);
    running.delete(child);
  };
  try {
    const a = await join('a');
    const producing = produce(topic, 4_000);
    await sleep(2_000);
    // b1 joins, takes partitions, and leaves cleanly: they move back to a at once.
    const b1 = await join('b1');
    await sleep(3_000);
    await leave(b1, 'b1');
    // b2 joins and is killed: a takes its partitions over once its session expires.
    const b2 = await join('b2');
    await sleep(3_000);
    b2.kill('SIGKILL');
    await exited(b2);
    running.delete(b2);
    await producing;
    await waitFor(async () => (await written()).size >= TOTAL, 90_000, 'every record written');
    await leave(a, 'a');
  } finally {
    checking = false;
    await checker;
    for (const child of running) child.kill('SIGKILL');
  }

  for (const member of ['b1', 'b2']) {
    const own = await Promise.all(['slow', 'fast'].map((o) => lines(path.join(dir, `${member}-${o}.log`))));
    const share = own.flat().length;
    assert.ok(share > 0, `member ${member} shared the partitions (wrote ${share} records)`);
  }
  const all = (await Promise.all(files.map(lines))).flat();
  const distinct = new Set(all);
  t.diagnostic(`${checks} commit checks, ${all.length - distinct.size} duplicates of ${TOTAL}`);
  assert.deepEqual(violations, []);
  assert.equal(distinct.size, TOTAL, 'zero loss');
  const final = await committedOffsets(group, topic);
  assert.deepEqual([...final.values()], Array(PARTITIONS).fill(PER_PARTITION), 'everything committed after the clean stops');
  await rm(dir, { recursive: true, force: true });
});
