import { z } from 'zod';
import {
  byteSize,
  defineOutput,
  duration,
  errorMessage,
  RetryableError,
  type BatchPolicy,
  type Message,
  type Output,
  type OutputBatch,
  type OutputRunner,
  type PluginContext,
  type SplitRecord,
  type WriteResult,
} from '@hekate/core';
import {
  caseInsensitiveEnum,
  checkTls,
  clientOptionShape,
  clientSettings,
  issue,
} from './client-options.js';
import { kafkajsClients } from './kafka-adapter.js';
import {
  SendFailure,
  type CompressionName,
  type KafkaClientFactory,
  type OutgoingRecord,
  type OutgoingTopic,
  type PartitionerName,
  type ProducerClient,
  type ProducerSettings,
} from './kafka-client.js';
import {
  parseMessageVariable,
  variableKey,
  variableReader,
  variableText,
} from './message-variable.js';

/** Kafka's legal topic names. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

const ACKS = { NoResponse: 0, WaitForLocal: 1, WaitForAll: -1 } as const;
const PARTITIONERS: Record<'Random' | 'RoundRobin' | 'Hash', PartitionerName> = {
  Random: 'random',
  RoundRobin: 'round-robin',
  Hash: 'hash',
};
const UNAVAILABLE_CODECS: Record<string, string> = {
  LZ4:
    'compression_codec "LZ4" is not available: its kafkajs codec (kafkajs-lz4) needs a native ' +
    'build this package does not ship; use "GZIP" or "Snappy"',
  ZSTD:
    'compression_codec "ZSTD" is not available: no zstd codec for kafkajs installs on Node 20; ' +
    'use "GZIP" or "Snappy"',
};

function checkVariable(key: string, value: string | undefined, ctx: z.RefinementCtx): void {
  if (value === undefined) return;
  try {
    parseMessageVariable(value);
  } catch (error) {
    issue(ctx, key, errorMessage(error));
  }
}

/** KafkaOutput's option schema. */
export const kafkaOutputOptions = z
  .object({
    ...clientOptionShape,
    topic: z
      .string()
      .regex(TOPIC_NAME, 'expected a Kafka topic name ([a-zA-Z0-9._-], at most 249)')
      .optional(),
    topic_variable: z.string().min(1).optional(),
    hash_variable: z.string().min(1).optional(),
    partitioner: caseInsensitiveEnum(['Random', 'RoundRobin', 'Hash']).optional(),
    required_acks: caseInsensitiveEnum(['NoResponse', 'WaitForLocal', 'WaitForAll']).default(
      'WaitForAll',
    ),
    timeout: duration().default(30_000),
    compression_codec: caseInsensitiveEnum(['None', 'GZIP', 'Snappy', 'LZ4', 'ZSTD']).default(
      'None',
    ),
    max_buffer_time: duration().default(5),
    max_buffered_bytes: byteSize().default(900 * 1024),
    max_buffered_messages: z.number().int().positive().default(10_000),
    max_message_bytes: byteSize().default(1_000_000),
    idempotent: z.boolean().default(false),
  })
  .strict()
  .superRefine((o, ctx) => {
    checkTls(o, ctx);
    if ((o.topic === undefined) === (o.topic_variable === undefined)) {
      issue(ctx, 'topic', 'set exactly one of topic and topic_variable');
    }
    checkVariable('topic_variable', o.topic_variable, ctx);
    checkVariable('hash_variable', o.hash_variable, ctx);
    if (o.partitioner === 'Hash' && o.hash_variable === undefined) {
      issue(ctx, 'hash_variable', 'partitioner "Hash" needs hash_variable (the key to hash)');
    }
    const unavailable = UNAVAILABLE_CODECS[o.compression_codec];
    if (unavailable !== undefined) issue(ctx, 'compression_codec', unavailable);
    if (o.idempotent && o.required_acks !== 'WaitForAll') {
      issue(ctx, 'idempotent', 'an idempotent producer needs required_acks = "WaitForAll"');
    }
  });

/** KafkaOutput's options after parsing. */
export type KafkaOutputOptions = z.output<typeof kafkaOutputOptions>;

/** The producer settings of a KafkaOutput section. */
export function producerSettings(o: KafkaOutputOptions, context: PluginContext): ProducerSettings {
  return {
    ...clientSettings(o, context),
    partitioner: PARTITIONERS[o.partitioner ?? (o.hash_variable === undefined ? 'Random' : 'Hash')],
    acks: ACKS[o.required_acks],
    ackTimeout: o.timeout,
    compression: o.compression_codec.toLowerCase() as CompressionName,
    idempotent: o.idempotent,
  };
}

/** A record ready to send, with the index of its message in the batch and its size in bytes. */
interface Pending {
  readonly index: number;
  readonly topic: string;
  readonly size: number;
  readonly record: OutgoingRecord;
}

/** A message KafkaOutput gives up on, for the dead-letter route. */
interface Rejection {
  readonly index: number;
  readonly reason: string;
}

/** Bytes of a key or value (text as UTF-8). */
function byteLength(data: Uint8Array | string | null): number {
  return data === null ? 0 : typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
}

function byTopic(pending: readonly Pending[]): OutgoingTopic[] {
  const topics = new Map<string, OutgoingRecord[]>();
  for (const p of pending) {
    let list = topics.get(p.topic);
    if (list === undefined) topics.set(p.topic, (list = []));
    list.push(p.record);
  }
  return [...topics].map(([topic, records]) => ({ topic, records }));
}

/** Cuts records into requests of at most `maxBytes` (keys and values; at least one record each). */
function byBytes(pending: readonly Pending[], maxBytes: number): Pending[][] {
  const requests: Pending[][] = [];
  let current: Pending[] = [];
  let bytes = 0;
  for (const p of pending) {
    if (current.length > 0 && bytes + p.size > maxBytes) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(p);
    bytes += p.size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

function refusal(error: SendFailure): string {
  return `the broker refused the record (${error.brokerError ?? 'refused'}): ${error.message}`;
}

/**
 * Writes each batch (one produce request per `max_buffered_bytes` of records) and acknowledges
 * it only once the broker has (with the default `required_acks`, every in-sync replica).
 * Failures back-pressure through the output runner's retries; records the broker can never take
 * go to the dead-letter route.
 */
export class KafkaOutputPlugin implements Output {
  readonly batching: Partial<BatchPolicy>;
  readonly #options: KafkaOutputOptions;
  readonly #context: PluginContext;
  readonly #clients: KafkaClientFactory;
  readonly #topicOf: (message: Message) => string | undefined;
  readonly #keyOf: (message: Message) => Uint8Array | string | undefined;
  #producer: ProducerClient | undefined;

  constructor(
    options: KafkaOutputOptions,
    context: PluginContext,
    clients: KafkaClientFactory = kafkajsClients,
  ) {
    this.#options = options;
    this.#context = context;
    this.#clients = clients;
    this.batching = {
      maxMessages: options.max_buffered_messages,
      maxBytes: options.max_buffered_bytes,
      lingerMs: options.max_buffer_time,
    };
    const fixedTopic = options.topic;
    this.#topicOf =
      fixedTopic === undefined ? variableReader(options.topic_variable, variableText) : () => fixedTopic;
    this.#keyOf = variableReader(options.hash_variable, variableKey);
  }

  async open(runner: OutputRunner): Promise<void> {
    const settings = producerSettings(this.#options, this.#context);
    const producer = this.#clients.producer(settings, this.#context.logger);
    await producer.connect();
    this.#producer = producer;
    if (this.#options.required_acks === 'NoResponse') {
      runner.logger.warn(
        'required_acks is "NoResponse": records are acknowledged unconfirmed, and may be lost.',
      );
    }
  }

  async write(batch: OutputBatch, runner: OutputRunner): Promise<WriteResult | void> {
    const producer = this.#producer!;
    const rejected: Rejection[] = [];
    const pending = this.#records(batch, rejected);
    if (rejected.length > 0) runner.counters.add('records_refused', rejected.length);
    // The batch was cut by estimated sizes; requests are cut by the encoded ones.
    const requests = byBytes(pending, this.#options.max_buffered_bytes);
    for (let r = 0; r < requests.length; r++) {
      const request = requests[r]!;
      let unsent: readonly Pending[] = [];
      try {
        await producer.send(byTopic(request));
      } catch (error) {
        if (error instanceof SendFailure && error.refusedRecord) {
          unsent = await this.#oneByOne(producer, request, rejected, runner);
        } else if (r === 0) {
          throw new RetryableError(`Kafka send failed: ${errorMessage(error)}`, { cause: error });
        } else {
          runner.logger.warn('Kafka send failed after part of the batch was written; the rest is retried.', {
            error: errorMessage(error),
          });
          unsent = request;
        }
      }
      if (unsent.length > 0) {
        return { rejected, retry: [...unsent, ...requests.slice(r + 1).flat()].map((p) => p.index) };
      }
    }
    return rejected.length === 0 ? undefined : { rejected };
  }

  async close(): Promise<void> {
    const producer = this.#producer;
    this.#producer = undefined;
    await producer?.disconnect();
  }

  /** The batch's records; messages that cannot become one are added to `rejected`. */
  #records(batch: OutputBatch, rejected: Rejection[]): Pending[] {
    const pending: Pending[] = [];
    for (let i = 0; i < batch.messages.length; i++) {
      const message = batch.messages[i]!;
      const topic = this.#topicOf(message);
      if (topic === undefined || !TOPIC_NAME.test(topic)) {
        rejected.push({
          index: i,
          reason:
            topic === undefined
              ? `topic_variable ${this.#options.topic_variable} is not set`
              : `"${topic}" is not a valid Kafka topic name`,
        });
        continue;
      }
      const value: SplitRecord = batch.records?.[i] ?? message.raw ?? message.payload;
      const key = this.#keyOf(message) ?? null;
      const size = byteLength(value) + byteLength(key);
      if (size > this.#options.max_message_bytes) {
        const limit = this.#options.max_message_bytes;
        rejected.push({ index: i, reason: `record of ${size} bytes exceeds max_message_bytes (${limit})` });
        continue;
      }
      pending.push({ index: i, topic, size, record: { key, value } });
    }
    return pending;
  }

  /**
   * The broker refused some record of a request: sends its records one at a time, in order, to
   * find which. Refused ones are dead-lettered. Returns the records left unsent by another
   * failure, to be retried.
   */
  async #oneByOne(
    producer: ProducerClient,
    request: readonly Pending[],
    rejected: Rejection[],
    runner: OutputRunner,
  ): Promise<readonly Pending[]> {
    for (let k = 0; k < request.length; k++) {
      const p = request[k]!;
      try {
        await producer.send([{ topic: p.topic, records: [p.record] }]);
      } catch (error) {
        if (!(error instanceof SendFailure && error.refusedRecord)) return request.slice(k);
        runner.counters.add('records_refused');
        rejected.push({ index: p.index, reason: refusal(error) });
      }
    }
    return [];
  }
}

/** Heka's KafkaOutput with batching, broker acknowledgements and back-pressure instead of drops. */
export const KafkaOutput = defineOutput({
  type: 'KafkaOutput',
  summary: 'Produces messages to Kafka, acknowledging each batch only once the broker has.',
  options: kafkaOutputOptions,
  create: (options, context) => new KafkaOutputPlugin(options, context),
});
