import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import kafkajs from 'kafkajs';
import type {
  Consumer,
  EachBatchPayload,
  ICustomPartitioner,
  LogEntry,
  logCreator as LogCreator,
  Offsets,
  PartitionMetadata,
  Producer,
  SASLOptions,
} from 'kafkajs';
import snappyCodec from 'kafkajs-snappy';
import type { Logger } from '@hekate/core';
import {
  SendFailure,
  type ClientSettings,
  type ConsumerClient,
  type ConsumerEvents,
  type ConsumerSettings,
  type KafkaClientFactory,
  type OutgoingTopic,
  type PartitionOffset,
  type PartitionerName,
  type ProducerClient,
  type ProducerSettings,
  type TlsSettings,
} from './kafka-client.js';

// The one file that imports kafkajs. Everything kafkajs-specific (its error shapes, events,
// codecs registry, partitioner signature, log format) stays here.

const { Kafka, CompressionCodecs, CompressionTypes, Partitioners, logLevel } = kafkajs;

// kafkajs keeps codecs in a module-global registry; this package has the only kafkajs copy.
CompressionCodecs[CompressionTypes.Snappy] = snappyCodec;

const COMPRESSION = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
} as const;

/** Broker errors that refuse a record for good: resending it cannot succeed. */
const RECORD_REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_TIMESTAMP',
  'INVALID_RECORD',
]);

/**
 * Routes kafkajs' log into the plugin's logger. kafkajs' own errors are handled (retried, or
 * reported by the plugin with context), so they are warnings here; a broker's error response
 * (`Response Heartbeat …` while the group rebalances) is routine and goes to debug, as does
 * kafkajs' info level, which narrates every pause, join and connection.
 */
function logCreator(logger: Logger): LogCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _logger, stack: _stack, ...fields } = log;
      const routine =
        level > logLevel.WARN || (namespace === 'Connection' && message.startsWith('Response '));
      const write = routine ? logger.debug : logger.warn;
      write.call(logger, `kafkajs: ${message}`, { namespace, ...fields });
    };
}

async function readTls(tls: TlsSettings): Promise<ConnectionOptions> {
  const read = async (file: string | undefined) =>
    file === undefined ? undefined : readFile(file);
  const [cert, key, ca] = await Promise.all([
    read(tls.certFile),
    read(tls.keyFile),
    read(tls.caFile),
  ]);
  return {
    ...(tls.serverName === undefined ? {} : { servername: tls.serverName }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(ca === undefined ? {} : { ca }),
    ...(tls.minVersion === undefined ? {} : { minVersion: tls.minVersion }),
    ...(tls.maxVersion === undefined ? {} : { maxVersion: tls.maxVersion }),
    rejectUnauthorized: !tls.insecureSkipVerify,
  };
}

/** Builds a kafkajs client; reads the TLS files, so it is called when connecting. */
async function createKafka(
  settings: ClientSettings,
  logger: Logger,
): Promise<InstanceType<typeof Kafka>> {
  return new Kafka({
    brokers: [...settings.brokers],
    clientId: settings.clientId,
    connectionTimeout: settings.connectionTimeout,
    requestTimeout: settings.requestTimeout,
    ...(settings.tls === undefined ? {} : { ssl: await readTls(settings.tls) }),
    ...(settings.sasl === undefined ? {} : { sasl: { ...settings.sasl } as SASLOptions }),
    // kafkajs formats a debug line for every request; asking for INFO skips that work.
    logLevel: logLevel.INFO,
    logCreator: logCreator(logger),
  });
}

function groupByTopic(offsets: readonly PartitionOffset[]): Offsets {
  const topics = new Map<string, { partition: number; offset: string }[]>();
  for (const { topic, partition, offset } of offsets) {
    let list = topics.get(topic);
    if (list === undefined) topics.set(topic, (list = []));
    list.push({ partition, offset });
  }
  return { topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) };
}

/** A kafkajs consumer run with auto-commit and auto-resolve off. */
class KafkajsConsumer implements ConsumerClient {
  readonly #settings: ConsumerSettings;
  readonly #logger: Logger;
  #consumer: Consumer | undefined;
  /**
   * The batch payload's commit function of the running consumer session. Unlike
   * `consumer.commitOffsets`, it commits once without kafkajs' retry loop, whose later attempts
   * would carry a later generation and could commit a partition this member no longer owns
   * (kafkajs#1046).
   */
  #commit: EachBatchPayload['commitOffsetsIfNecessary'] | undefined;

  constructor(settings: ConsumerSettings, logger: Logger) {
    this.#settings = settings;
    this.#logger = logger;
  }

  async start(events: ConsumerEvents): Promise<void> {
    const s = this.#settings;
    const kafka = await createKafka(s, this.#logger);
    const consumer = kafka.consumer({
      groupId: s.groupId,
      sessionTimeout: s.sessionTimeout,
      heartbeatInterval: s.heartbeatInterval,
      rebalanceTimeout: s.rebalanceTimeout,
      maxBytesPerPartition: s.maxBytesPerPartition,
      minBytes: s.minBytes,
      maxBytes: s.maxBytes,
      maxWaitTimeInMs: s.maxWaitTime,
      metadataMaxAge: s.metadataMaxAge,
      allowAutoTopicCreation: false,
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const partitions = Object.entries(payload.memberAssignment).flatMap(([topic, list]) =>
        list.map((partition) => ({ topic, partition })),
      );
      events.assigned(payload.memberId, partitions);
    });
    consumer.on(consumer.events.REBALANCING, () => events.rebalancing());
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.#commit = undefined;
      events.crashed(payload.error, payload.restart);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...s.topics], fromBeginning: s.fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: async (payload) => {
          this.#commit = payload.commitOffsetsIfNecessary;
          const { batch } = payload;
          await events.batch({
            topic: batch.topic,
            partition: batch.partition,
            records: batch.messages,
            resolve: (offset) => payload.resolveOffset(offset),
            heartbeat: () => payload.heartbeat(),
          });
        },
      });
    } catch (error) {
      await consumer.disconnect().catch(() => {});
      throw error;
    }
  }

  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const commit = this.#commit;
    if (commit === undefined) {
      throw new Error('The consumer has fetched nothing in this session; there is nothing to commit.');
    }
    await commit(groupByTopic(offsets));
  }

  seek({ topic, partition, offset }: PartitionOffset): void {
    this.#consumer?.seek({ topic, partition, offset });
  }

  pause(): void {
    this.#whileRunning((c) => c.pause(this.#settings.topics.map((topic) => ({ topic }))));
  }

  resume(): void {
    this.#whileRunning((c) => c.resume(this.#settings.topics.map((topic) => ({ topic }))));
  }

  async stop(): Promise<void> {
    const consumer = this.#consumer;
    this.#consumer = undefined;
    this.#commit = undefined;
    await consumer?.disconnect();
  }

  /**
   * kafkajs throws on pause/resume while it restarts after a crash; the owner applies them again
   * on the next join.
   */
  #whileRunning(call: (consumer: Consumer) => void): void {
    if (this.#consumer === undefined) return;
    try {
      call(this.#consumer);
    } catch {
      // Not running right now.
    }
  }
}

const available = (partitions: PartitionMetadata[]) => {
  const up = partitions.filter((p) => p.leader >= 0);
  return up.length > 0 ? up : partitions;
};

const randomPartitioner: ICustomPartitioner = () => ({ partitionMetadata }) => {
  const candidates = available(partitionMetadata);
  return candidates[Math.floor(Math.random() * candidates.length)]!.partitionId;
};

const roundRobinPartitioner: ICustomPartitioner = () => {
  const next = new Map<string, number>();
  return ({ topic, partitionMetadata }) => {
    const candidates = available(partitionMetadata);
    const n = next.get(topic) ?? Math.floor(Math.random() * candidates.length);
    next.set(topic, n + 1);
    return candidates[n % candidates.length]!.partitionId;
  };
};

const PARTITIONERS: Record<PartitionerName, ICustomPartitioner> = {
  random: randomPartitioner,
  'round-robin': roundRobinPartitioner,
  // Java-compatible murmur2 of the key: the same key lands where a Java producer would put it.
  hash: Partitioners.DefaultPartitioner,
};

/** A Buffer view of the same bytes (kafkajs wants Buffers). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function brokerErrorOf(error: unknown): string | undefined {
  let e = error as { type?: unknown; cause?: unknown } | null | undefined;
  for (let depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if (typeof e.type === 'string') return e.type;
    e = e.cause as typeof e;
  }
  return undefined;
}

function sendFailure(error: unknown): SendFailure {
  const brokerError = brokerErrorOf(error);
  const refusedRecord = brokerError !== undefined && RECORD_REFUSALS.has(brokerError);
  const message = error instanceof Error ? error.message : String(error);
  return new SendFailure(message, {
    refusedRecord,
    cause: error,
    ...(brokerError === undefined ? {} : { brokerError }),
  });
}

/** A kafkajs producer with one request in flight, so records of one key stay in order. */
class KafkajsProducer implements ProducerClient {
  readonly #settings: ProducerSettings;
  readonly #logger: Logger;
  #producer: Producer | undefined;

  constructor(settings: ProducerSettings, logger: Logger) {
    this.#settings = settings;
    this.#logger = logger;
  }

  async connect(): Promise<void> {
    const s = this.#settings;
    const kafka = await createKafka(s, this.#logger);
    const producer = kafka.producer({
      createPartitioner: PARTITIONERS[s.partitioner],
      allowAutoTopicCreation: false,
      metadataMaxAge: s.metadataMaxAge,
      idempotent: s.idempotent,
      maxInFlightRequests: 1,
      // An idempotent producer keeps kafkajs' endless retries; otherwise a failed send comes
      // back after a few seconds and the output runner backs off and retries the batch.
      ...(s.idempotent ? {} : { retry: { retries: 5, maxRetryTime: 5_000 } }),
    });
    await producer.connect();
    this.#producer = producer;
  }

  async send(topics: readonly OutgoingTopic[]): Promise<void> {
    const producer = this.#producer;
    if (producer === undefined) {
      throw new SendFailure('The producer is not connected.', { refusedRecord: false });
    }
    try {
      await producer.sendBatch({
        acks: this.#settings.acks,
        timeout: this.#settings.ackTimeout,
        compression: COMPRESSION[this.#settings.compression],
        topicMessages: topics.map(({ topic, records }) => ({
          topic,
          messages: records.map((r) => ({
            key: r.key === null || typeof r.key === 'string' ? r.key : asBuffer(r.key),
            value: typeof r.value === 'string' ? r.value : asBuffer(r.value),
          })),
        })),
      });
    } catch (error) {
      throw sendFailure(error);
    }
  }

  async disconnect(): Promise<void> {
    const producer = this.#producer;
    this.#producer = undefined;
    await producer?.disconnect();
  }
}

/** Kafka clients backed by kafkajs 2.2.4. */
export const kafkajsClients: KafkaClientFactory = {
  consumer: (settings, logger) => new KafkajsConsumer(settings, logger),
  producer: (settings, logger) => new KafkajsProducer(settings, logger),
};
