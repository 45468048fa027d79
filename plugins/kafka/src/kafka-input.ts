import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import {
  byteSize,
  defineInput,
  duration,
  errorMessage,
  type Input,
  type InputRunner,
  type Message,
  type PluginContext,
  type SplitterStream,
} from '@hekate/core';
import {
  caseInsensitiveEnum,
  checkTls,
  clientOptionShape,
  clientSettings,
  issue,
} from './client-options.js';
import { kafkajsClients } from './kafka-adapter.js';
import type {
  ConsumedRecord,
  ConsumerClient,
  ConsumerSettings,
  FetchedBatch,
  KafkaClientFactory,
  TopicPartition,
} from './kafka-client.js';
import { OffsetTracker, streamOf, type KafkaPosition } from './offset-tracker.js';
import { headerFields, partitionFields, RecordFields } from './record-fields.js';
import { RecordUuids } from './record-uuids.js';

/** Most records handed to the pipeline in one delivery (one checkpoint). */
const DELIVERY_CHUNK = 1000;

/** The least wait before committing again after a commit failed. */
const COMMIT_RETRY_MS = 1000;

/** KafkaInput's option schema. */
export const kafkaInputOptions = z
  .object({
    ...clientOptionShape,
    topic: z.string().min(1).optional(),
    topics: z.array(z.string().min(1)).min(1).optional(),
    group: z.string().min(1).optional(),
    offset_method: caseInsensitiveEnum(['Manual', 'Oldest', 'Newest']).default('Manual'),
    message_type: z.string().default('heka.kafka'),
    default_fetch_size: byteSize().default(1024 * 1024),
    min_fetch_size: byteSize().default(1),
    max_bytes: byteSize().default(10 * 1024 * 1024),
    max_wait_time: duration().default(250),
    session_timeout: duration().default(30_000),
    heartbeat_interval: duration().default(3_000),
    rebalance_timeout: duration().default(60_000),
    commit_interval: duration().default(1_000),
    drain_timeout: duration().default(10_000),
    /** Heka's single partition: refused with an explanation (a group reads every partition). */
    partition: z.unknown().optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    checkTls(o, ctx);
    if ((o.topic === undefined) === (o.topics === undefined)) {
      issue(ctx, 'topic', 'set exactly one of topic and topics');
    }
    if (o.partition !== undefined) {
      issue(
        ctx,
        'partition',
        'KafkaInput consumes every partition of its topics as a consumer group; remove partition ' +
          'and keep one KafkaInput per topic (instances with the same group share the partitions)',
      );
    }
    if (o.heartbeat_interval >= o.session_timeout) {
      issue(ctx, 'heartbeat_interval', 'heartbeat_interval must be shorter than session_timeout');
    }
  });

/** KafkaInput's options after parsing. */
export type KafkaInputOptions = z.output<typeof kafkaInputOptions>;

/** The consumer settings of a KafkaInput section. */
export function consumerSettings(o: KafkaInputOptions, context: PluginContext): ConsumerSettings {
  return {
    ...clientSettings(o, context),
    groupId: o.group ?? `hekate-${context.name}`,
    topics: o.topics ?? [o.topic!],
    fromBeginning: o.offset_method !== 'Newest',
    sessionTimeout: o.session_timeout,
    heartbeatInterval: o.heartbeat_interval,
    rebalanceTimeout: o.rebalance_timeout,
    maxBytesPerPartition: o.default_fetch_size,
    minBytes: o.min_fetch_size,
    maxBytes: o.max_bytes,
    maxWaitTime: o.max_wait_time,
  };
}

/**
 * Reads topics as a member of a consumer group and commits, per partition, only offsets that
 * every matched output has acknowledged. See the package README for the guarantees.
 */
export class KafkaInputPlugin implements Input {
  readonly #options: KafkaInputOptions;
  readonly #context: PluginContext;
  readonly #clients: KafkaClientFactory;
  readonly #tracker = new OffsetTracker();
  readonly #uuids = new RecordUuids();
  #consumer: ConsumerClient | undefined;
  #commitTimer: NodeJS.Timeout | undefined;
  #committing: Promise<void> | undefined;
  /** Settles when the pipeline has room again; set while fetching is paused for backpressure. */
  #congested: Promise<void> | undefined;
  #stopping = false;
  /** Resolves when the runner's signal aborts. */
  #stopped: Promise<void> = Promise.resolve();

  constructor(
    options: KafkaInputOptions,
    context: PluginContext,
    clients: KafkaClientFactory = kafkajsClients,
  ) {
    this.#options = options;
    this.#context = context;
    this.#clients = clients;
  }

  async run(runner: InputRunner): Promise<void> {
    if (runner.signal.aborted) return;
    const settings = consumerSettings(this.#options, this.#context);
    const consumer = this.#clients.consumer(settings, this.#context.logger);
    this.#consumer = consumer;
    this.#stopping = false;
    const splitter = runner.splitter();
    let fail!: (error: Error) => void;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    failed.catch(() => {});
    let onAbort!: () => void;
    this.#stopped = new Promise<void>((resolve) => {
      onAbort = () => {
        this.#stopping = true;
        resolve();
      };
    });
    runner.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const starting = consumer.start({
        batch: (batch) => this.#take(batch, runner, splitter),
        assigned: (memberId, partitions) => this.#assigned(memberId, partitions),
        rebalancing: () => void this.#commit(),
        crashed: (error, restart) => {
          this.#tracker.clear();
          runner.counters.add('consumer_crashes');
          if (!restart) fail(error);
        },
      });
      // A stop while connecting (the broker unreachable) does not wait for the client's retries.
      starting.catch(() => {});
      await Promise.race([starting, this.#stopped]);
      await Promise.race([this.#stopped, failed]);
    } finally {
      runner.signal.removeEventListener('abort', onAbort);
      await this.#stop(consumer, runner);
    }
  }

  acknowledged(stream: string, position: unknown): void {
    if (this.#tracker.acknowledge(stream, position as KafkaPosition)) this.#scheduleCommit();
  }

  /** Hands a fetched batch to the pipeline in chunks, each with its checkpoint. */
  async #take(batch: FetchedBatch, runner: InputRunner, splitter: SplitterStream): Promise<void> {
    const { topic, partition } = batch;
    const stream = streamOf(topic, partition);
    // After a seek the first fetch may repeat records already delivered in this ownership.
    const from = this.#tracker.deliveredUpTo(topic, partition) ?? -1n;
    let records = batch.records;
    if (records.length > 0 && BigInt(records[0]!.offset) < from) {
      records = records.filter((r) => BigInt(r.offset) >= from);
    }
    for (let i = 0; i < records.length; i += DELIVERY_CHUNK) {
      // Records not resolved here are fetched again once the consumer runs on.
      if (this.#stopping || this.#congested !== undefined) return;
      const chunk = records.slice(i, i + DELIVERY_CHUNK);
      const last = chunk[chunk.length - 1]!.offset;
      const position = this.#tracker.deliver(topic, partition, BigInt(last) + 1n);
      if (position === undefined) return;
      const messages = this.#messages(batch, chunk, runner, splitter);
      const delivering = runner.deliver(messages, { stream, position });
      batch.resolve(last);
      await this.#whenRoom(delivering, batch, runner);
    }
  }

  #messages(
    tp: TopicPartition,
    records: readonly ConsumedRecord[],
    runner: InputRunner,
    splitter: SplitterStream,
  ): Message[] {
    const { topic, partition } = tp;
    const shared = partitionFields(topic, partition);
    const uuidOf = this.#uuids.of(topic, partition);
    const out: Message[] = [];
    for (const record of records) {
      if (record.value === null) {
        runner.counters.add('tombstones_skipped');
        continue;
      }
      const offset = Number(record.offset);
      // The key is copied: the client's is a view of the whole fetch response.
      const key = record.key === null ? null : new Uint8Array(record.key);
      const fields = new RecordFields(shared, offset, key, headerFields(record.headers));
      const timestamp = BigInt(record.timestamp) * 1_000_000n;
      const pieces = splitter.push(record.value);
      for (const piece of splitter.end()) pieces.push(piece);
      for (let k = 0; k < pieces.length; k++) {
        const message = runner.createMessage(pieces[k]!);
        message.type = this.#options.message_type;
        message.timestamp = timestamp;
        message.uuid = uuidOf(offset, k);
        message.setFieldSource(fields);
        out.push(message);
      }
    }
    return out;
  }

  /**
   * Waits for the pipeline to take a delivery. When it is congested, pauses fetching until it has
   * room, heartbeating so the member stays in the group; a rebalance ends the wait (the error
   * propagates to the client, which rejoins) but fetching stays paused until there is room.
   */
  async #whenRoom(
    delivering: Promise<void>,
    batch: FetchedBatch,
    runner: InputRunner,
  ): Promise<void> {
    let settled = false;
    const done = delivering.then(
      () => void (settled = true),
      () => void (settled = true),
    );
    await nextTurn();
    if (settled) return;
    runner.counters.add('fetch_pauses');
    this.#consumer?.pause();
    const congested = done.then(() => {
      this.#congested = undefined;
      if (!this.#stopping) this.#consumer?.resume();
    });
    this.#congested = congested;
    while (!settled && !this.#stopping) {
      let timer: NodeJS.Timeout | undefined;
      const beat = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#options.heartbeat_interval);
      });
      await Promise.race([congested, beat, this.#stopped]);
      clearTimeout(timer);
      if (!settled && !this.#stopping) await batch.heartbeat();
    }
  }

  #assigned(memberId: string, partitions: readonly TopicPartition[]): void {
    const change = this.#tracker.assign(memberId, partitions);
    for (const offset of change.resume) this.#consumer?.seek(offset);
    if (this.#congested !== undefined || this.#stopping) this.#consumer?.pause();
    const names = (list: readonly TopicPartition[]) =>
      list.map((p) => streamOf(p.topic, p.partition));
    this.#context.logger.info('Consumer group assignment.', {
      member: memberId,
      owned: names(partitions),
      added: names(change.added),
      revoked: names(change.revoked),
    });
  }

  #scheduleCommit(delay = this.#options.commit_interval): void {
    if (this.#commitTimer !== undefined || this.#committing !== undefined) return;
    this.#commitTimer = setTimeout(() => void this.#commit(), delay);
    this.#commitTimer.unref();
  }

  /**
   * Commits what is due now. At most one commit is in flight; what is acknowledged meanwhile
   * follows it.
   */
  async #commit(): Promise<void> {
    clearTimeout(this.#commitTimer);
    this.#commitTimer = undefined;
    if (this.#committing !== undefined) {
      await this.#committing;
      return this.#commit();
    }
    const due = this.#tracker.due();
    const consumer = this.#consumer;
    if (due.length === 0 || consumer === undefined) return;
    let failed = false;
    const committing = consumer.commit(due).then(
      () => {
        this.#tracker.committed(due);
        this.#context.counters.add('commits');
      },
      (error: unknown) => {
        failed = true;
        this.#context.counters.add('commit_failures');
        const message = 'Offset commit failed; the acknowledged offsets are committed again later.';
        this.#context.logger.warn(message, {
          error: errorMessage(error),
          partitions: due.length,
        });
      },
    );
    this.#committing = committing.finally(() => {
      this.#committing = undefined;
      if (this.#tracker.due().length === 0 || this.#stopping) return;
      this.#scheduleCommit(failed ? Math.max(COMMIT_RETRY_MS, this.#options.commit_interval) : undefined);
    });
    await this.#committing;
  }

  /**
   * Stops fetching, waits (bounded) for in-flight records to be acknowledged, commits, and
   * leaves the group.
   */
  async #stop(consumer: ConsumerClient, runner: InputRunner): Promise<void> {
    this.#stopping = true;
    consumer.pause();
    const deadline = Date.now() + this.#options.drain_timeout;
    while (this.#tracker.inFlight && Date.now() < deadline) await sleep(20);
    if (this.#tracker.inFlight) {
      runner.logger.warn('Stopping with records not yet acknowledged; they will be read again.', {
        drain_timeout_ms: this.#options.drain_timeout,
      });
    }
    await this.#commit();
    try {
      await consumer.stop();
    } catch (error) {
      runner.logger.warn('Leaving the consumer group failed.', { error: errorMessage(error) });
    }
    this.#tracker.clear();
    this.#consumer = undefined;
    clearTimeout(this.#commitTimer);
    this.#commitTimer = undefined;
  }
}

/** Heka's KafkaInput, as a consumer-group member with commit-after-acknowledgement. */
export const KafkaInput = defineInput({
  type: 'KafkaInput',
  summary:
    'Consumes Kafka topics as a consumer group, committing only what every output acknowledged.',
  options: kafkaInputOptions,
  create: (options, context) => new KafkaInputPlugin(options, context),
});
