import type { Logger } from '@hekate/core';

/**
 * The seam between the Kafka plugins and a Kafka client library. Only `kafka-adapter.ts`
 * implements it with kafkajs; unit tests implement it with fakes. Offsets are decimal strings,
 * as Kafka's int64 offsets do not fit a JS number in general.
 */

/** A topic and one of its partitions. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** A partition and an offset in it: for commits and seeks, the next offset to read. */
export interface PartitionOffset extends TopicPartition {
  readonly offset: string;
}

/** Kafka record headers as the client hands them over. */
export type RecordHeaders = Readonly<
  Record<string, Uint8Array | string | (Uint8Array | string)[] | undefined>
>;

/** One consumed Kafka record. */
export interface ConsumedRecord {
  readonly offset: string;
  readonly key: Uint8Array | null;
  /** Null for a tombstone. */
  readonly value: Uint8Array | null;
  /** Milliseconds since the epoch, as a decimal string. */
  readonly timestamp: string;
  readonly headers?: RecordHeaders | undefined;
}

/** The records fetched from one partition, handed to the input one batch at a time. */
export interface FetchedBatch extends TopicPartition {
  readonly records: readonly ConsumedRecord[];
  /** Marks the records up to `offset` as taken: the next fetch of the partition starts after it. */
  resolve(offset: string): void;
  /**
   * Sends a heartbeat when one is due. Rejects when the group is rebalancing: the handler must
   * then let the error propagate, so that the client rejoins the group.
   */
  heartbeat(): Promise<void>;
}

/** What a consumer reports to its owner. Callbacks are synchronous unless they return a promise. */
export interface ConsumerEvents {
  /** A fetched batch. One batch at a time; the next fetch waits for the returned promise. */
  batch(batch: FetchedBatch): Promise<void>;
  /**
   * The member joined the group (first join or after a rebalance) and owns `partitions`, its
   * whole assignment. Called before any batch of the new generation is handed over.
   */
  assigned(memberId: string, partitions: readonly TopicPartition[]): void;
  /** The group started rebalancing: the current assignment is about to end. */
  rebalancing(): void;
  /** The client failed; every partition is lost. With `restart` it rejoins by itself. */
  crashed(error: Error, restart: boolean): void;
}

/** A consumer-group member. Created without I/O; `start` connects. */
export interface ConsumerClient {
  /** Connects, subscribes and starts fetching; resolves once the consumer runs. */
  start(events: ConsumerEvents): Promise<void>;
  /**
   * Commits `offsets` (the next offsets to read) once, with the group generation current at the
   * call, and never retries under a later generation. Rejects when the broker refuses.
   */
  commit(offsets: readonly PartitionOffset[]): Promise<void>;
  /** Makes the next fetch of an assigned partition start at `offset`. */
  seek(offset: PartitionOffset): void;
  /** Stops fetching from every subscribed topic (the member stays in the group). */
  pause(): void;
  /** Undoes {@link pause}. */
  resume(): void;
  /** Leaves the group and disconnects. */
  stop(): Promise<void>;
}

/** A record to produce; text is written as UTF-8. */
export interface OutgoingRecord {
  readonly key: Uint8Array | string | null;
  readonly value: Uint8Array | string;
}

/** Records for one topic, in the order they must be written. */
export interface OutgoingTopic {
  readonly topic: string;
  readonly records: readonly OutgoingRecord[];
}

/** A producer. Created without I/O; `connect` connects. */
export interface ProducerClient {
  connect(): Promise<void>;
  /**
   * Writes the records and resolves once the broker acknowledged them; rejects with a
   * {@link SendFailure}.
   */
  send(topics: readonly OutgoingTopic[]): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * A failed send. `refusedRecord` is true when the broker refused a record for good (too large,
 * invalid timestamp, invalid record): sending it again cannot succeed. Anything else is worth
 * retrying (broker down, leader election, authorisation being fixed).
 */
export class SendFailure extends Error {
  readonly refusedRecord: boolean;
  /** The broker's error name, such as `MESSAGE_TOO_LARGE`, when there is one. */
  readonly brokerError: string | undefined;

  constructor(
    message: string,
    options: { refusedRecord: boolean; brokerError?: string; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = 'SendFailure';
    this.refusedRecord = options.refusedRecord;
    this.brokerError = options.brokerError;
  }
}

/** TLS settings with absolute file paths. */
export interface TlsSettings {
  readonly serverName: string | undefined;
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
  readonly caFile: string | undefined;
  readonly insecureSkipVerify: boolean;
  readonly minVersion: TlsVersion | undefined;
  readonly maxVersion: TlsVersion | undefined;
}

/** The TLS protocol versions Node knows. */
export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** SASL credentials. */
export interface SaslSettings {
  readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  readonly username: string;
  readonly password: string;
}

/** Connection settings shared by consumers and producers. Durations in ms. */
export interface ClientSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly tls: TlsSettings | undefined;
  readonly sasl: SaslSettings | undefined;
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
  readonly metadataMaxAge: number;
}

/** A consumer-group member's settings. Durations in ms, sizes in bytes. */
export interface ConsumerSettings extends ClientSettings {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where a partition without a committed offset starts. */
  readonly fromBeginning: boolean;
  readonly sessionTimeout: number;
  readonly heartbeatInterval: number;
  readonly rebalanceTimeout: number;
  readonly maxBytesPerPartition: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly maxWaitTime: number;
}

/** How a producer picks a partition for a record. */
export type PartitionerName = 'random' | 'round-robin' | 'hash';

/** The compression codecs the adapter can use. */
export type CompressionName = 'none' | 'gzip' | 'snappy';

/** A producer's settings. Durations in ms. */
export interface ProducerSettings extends ClientSettings {
  readonly partitioner: PartitionerName;
  /** -1: all in-sync replicas; 1: the leader; 0: no acknowledgement. */
  readonly acks: -1 | 0 | 1;
  /** How long the broker may wait for the replicas' acknowledgements. */
  readonly ackTimeout: number;
  readonly compression: CompressionName;
  readonly idempotent: boolean;
}

/** Makes Kafka clients; the plugins get one and call it in `run`/`open`, never at construction. */
export interface KafkaClientFactory {
  consumer(settings: ConsumerSettings, logger: Logger): ConsumerClient;
  producer(settings: ProducerSettings, logger: Logger): ProducerClient;
}
