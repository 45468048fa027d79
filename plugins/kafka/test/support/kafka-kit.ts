import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
// The tests check Hekate against a bare client, so they use kafkajs directly (src never does
// outside kafka-adapter.ts).
import kafkajs from 'kafkajs';

const { Kafka, Partitioners, logLevel } = kafkajs;

/** The broker from test/run.sh, or undefined (integration tests then skip). */
export const BROKERS = process.env['KAFKA_BROKERS'];

/** `skip` option for integration tests. */
export const needsBroker = BROKERS === undefined ? 'KAFKA_BROKERS is not set (integration test; run npm test)' : false;

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');

/** A name no other test run uses. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function bareKafka() {
  return new Kafka({ brokers: BROKERS!.split(','), clientId: 'hekate-tests', logLevel: logLevel.NOTHING });
}

export async function createTopic(topic: string, partitions: number, config: Record<string, string> = {}): Promise<void> {
  const admin = bareKafka().admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: partitions,
          configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

/** Writes `values[p]` to partition p, in order (so a value's offset is its index). */
export async function producePerPartition(topic: string, values: readonly (readonly string[])[]): Promise<void> {
  const producer = bareKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let p = 0; p < values.length; p++) {
      for (let i = 0; i < values[p]!.length; i += 1000) {
        await producer.send({ topic, messages: values[p]!.slice(i, i + 1000).map((value) => ({ value, partition: p })) });
      }
    }
  } finally {
    await producer.disconnect();
  }
}

/** A record read back by {@link readTopic}. */
export interface ReadRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
}

/** Reads a topic from the beginning with a fresh group until `count` records arrived. */
export async function readTopic(topic: string, count: number, timeoutMs = 60_000): Promise<ReadRecord[]> {
  const consumer = bareKafka().consumer({ groupId: unique('reader'), maxBytesPerPartition: 4 * 1024 * 1024 });
  const out: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          out.push({
            partition: batch.partition,
            offset: Number(m.offset),
            key: m.key?.toString() ?? null,
            value: m.value?.toString() ?? '',
          });
        }
      },
    });
    await waitFor(() => out.length >= count, timeoutMs, `${count} records in ${topic} (have ${out.length})`);
    await sleep(300);
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** The group's committed offsets of `topic`, by partition (-1: none). */
export async function committedOffsets(group: string, topic: string): Promise<Map<number, number>> {
  const admin = bareKafka().admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return new Map(entry!.partitions.map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** Lines of a file, or none when it does not exist yet. */
export async function lines(file: string): Promise<string[]> {
  try {
    const text = await readFile(file, 'utf8');
    return text.split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
}

/** A `hekate run` process, its output going to `<logFile>`. */
export function runHekate(configFile: string, logFile: string): ChildProcess {
  const out = openSync(logFile, 'a');
  return spawn(process.execPath, [path.join(ROOT, 'packages/cli/dist/src/main.js'), 'run', '-config', configFile], {
    stdio: ['ignore', out, out],
  });
}

/** Waits until `file` contains `text` (a log line a process writes when it is ready). */
export async function waitForText(file: string, text: string, timeoutMs: number): Promise<void> {
  await waitFor(async () => (await readFile(file, 'utf8').catch(() => '')).includes(text), timeoutMs, `"${text}" in ${file}`);
}

/** Resolves with the exit code once `child` has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
