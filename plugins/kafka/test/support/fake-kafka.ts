import type {
  ConsumedRecord,
  ConsumerClient,
  ConsumerEvents,
  ConsumerSettings,
  KafkaClientFactory,
  OutgoingTopic,
  PartitionOffset,
  ProducerClient,
  ProducerSettings,
  TopicPartition,
} from '../../src/kafka-client.js';
import { SendFailure } from '../../src/kafka-client.js';

const key = (topic: string, partition: number) => `${topic}/${partition}`;

/**
 * A consumer-group member driven by the test: it assigns partitions, hands over batches from
 * in-memory logs and, like kafkajs, restarts every partition's fetch position at the group's
 * committed offset after each join unless the owner seeks.
 */
export class FakeConsumer implements ConsumerClient {
  readonly settings: ConsumerSettings;
  events: ConsumerEvents | undefined;
  /** Every successful commit, in order. */
  readonly commits: PartitionOffset[][] = [];
  /** The group's committed offsets, as the broker keeps them. */
  readonly groupOffsets = new Map<string, bigint>();
  readonly seeks: PartitionOffset[] = [];
  /** Fetch positions (the next offset to fetch) of the assigned partitions. */
  readonly positions = new Map<string, bigint>();
  assignment: readonly TopicPartition[] = [];
  paused = false;
  stopped = false;
  heartbeats = 0;
  /** Thrown by the next heartbeats (a rebalance) while set. */
  heartbeatError: Error | undefined;
  /** Thrown by commits while set. */
  commitError: Error | undefined;
  /** Called with every commit before it is recorded: invariant checks throw here. */
  onCommit: ((offsets: readonly PartitionOffset[]) => void) | undefined;

  constructor(settings: ConsumerSettings) {
    this.settings = settings;
  }

  async start(events: ConsumerEvents): Promise<void> {
    this.events = events;
  }

  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    this.onCommit?.(offsets);
    if (this.commitError !== undefined) throw this.commitError;
    this.commits.push([...offsets]);
    for (const o of offsets) this.groupOffsets.set(key(o.topic, o.partition), BigInt(o.offset));
  }

  seek(offset: PartitionOffset): void {
    this.seeks.push(offset);
    this.positions.set(key(offset.topic, offset.partition), BigInt(offset.offset));
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  /** A join: the group starts rebalancing (if it was running), then assigns `partitions`. */
  join(memberId: string, partitions: readonly TopicPartition[]): void {
    if (this.assignment.length > 0) this.events!.rebalancing();
    this.assignment = partitions;
    this.positions.clear();
    for (const p of partitions) {
      const at = key(p.topic, p.partition);
      this.positions.set(at, this.groupOffsets.get(at) ?? 0n);
    }
    this.events!.assigned(memberId, partitions);
  }

  /** True when the partition is assigned and fetching is not paused. */
  canFetch(topic: string, partition: number): boolean {
    return !this.paused && this.positions.has(key(topic, partition));
  }

  /** Hands over `count` records of `topic`/`partition` from its fetch position. */
  async fetch(topic: string, partition: number, count: number, value = (offset: bigint) => `record ${offset}`): Promise<void> {
    const from = this.positions.get(key(topic, partition));
    if (from === undefined) throw new Error(`${topic}/${partition} is not assigned`);
    const records: ConsumedRecord[] = [];
    for (let i = 0n; i < BigInt(count); i++) {
      const offset = from + i;
      const text = value(offset);
      records.push({ offset: offset.toString(), key: null, value: Buffer.from(text), timestamp: '1700000000000', headers: {} });
    }
    await this.hand(topic, partition, records);
  }

  /** Hands over exactly these records. */
  async hand(topic: string, partition: number, records: readonly ConsumedRecord[]): Promise<void> {
    await this.events!.batch({
      topic,
      partition,
      records,
      resolve: (offset) => void this.positions.set(key(topic, partition), BigInt(offset) + 1n),
      heartbeat: async () => {
        this.heartbeats++;
        if (this.heartbeatError !== undefined) throw this.heartbeatError;
      },
    });
  }
}

/** A producer that records what it sends; `fail` decides a send's fate. */
export class FakeProducer implements ProducerClient {
  readonly settings: ProducerSettings;
  readonly sent: OutgoingTopic[][] = [];
  connected = false;
  inFlight = 0;
  maxInFlight = 0;
  /** Returns the failure of a send, or undefined for success. */
  fail: ((topics: readonly OutgoingTopic[]) => SendFailure | undefined) | undefined;
  /** Awaited inside every send (to hold a send in flight). */
  gate: Promise<void> | undefined;

  constructor(settings: ProducerSettings) {
    this.settings = settings;
  }

  async connect(): Promise<void> {
    this.connected = true;
  }

  async send(topics: readonly OutgoingTopic[]): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await (this.gate ?? Promise.resolve());
      const failure = this.fail?.(topics);
      if (failure !== undefined) throw failure;
      this.sent.push(topics.map((t) => ({ topic: t.topic, records: [...t.records] })));
    } finally {
      this.inFlight--;
    }
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }

  /** Every record value sent, as text, per topic in order. */
  values(topic: string): string[] {
    const records = this.sent.flatMap((s) => s.filter((t) => t.topic === topic).flatMap((t) => t.records));
    return records.map((r) => Buffer.from(r.value).toString());
  }
}

/** A broker refusal for good (as the adapter reports MESSAGE_TOO_LARGE). */
export function tooLarge(): SendFailure {
  return new SendFailure('The request included a message larger than the max message size the server will accept', {
    refusedRecord: true,
    brokerError: 'MESSAGE_TOO_LARGE',
  });
}

/** A failure worth retrying (as the adapter reports a broker that is down). */
export function brokerDown(): SendFailure {
  return new SendFailure('Connection error: connect ECONNREFUSED 127.0.0.1:19092', { refusedRecord: false });
}

/** Client factory handing out fakes and keeping them for inspection. */
export class FakeClients implements KafkaClientFactory {
  readonly consumers: FakeConsumer[] = [];
  readonly producers: FakeProducer[] = [];

  consumer(settings: ConsumerSettings): FakeConsumer {
    const c = new FakeConsumer(settings);
    this.consumers.push(c);
    return c;
  }

  producer(settings: ProducerSettings): FakeProducer {
    const p = new FakeProducer(settings);
    this.producers.push(p);
    return p;
  }
}
