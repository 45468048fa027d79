import {
  Counters,
  Message,
  silentLogger,
  type Checkpoint,
  type Input,
  type InputRunner,
  type PluginContext,
  type SplitRecord,
  type SplitterStream,
} from '@hekate/core';

/** A plugin context for constructing a plugin outside a pipeline. */
export function testContext(name: string, type: string): PluginContext & { counters: Counters } {
  return {
    name,
    type,
    logger: silentLogger,
    configDir: process.cwd(),
    stateDir: process.cwd(),
    hostname: 'test-host',
    counters: new Counters(),
    createDecoder: () => {
      throw new Error('no decoders in this test');
    },
  };
}

/** One `deliver` call seen by the fake runner. */
export interface SeenDelivery {
  readonly stream: string;
  readonly position: unknown;
  readonly messages: readonly Message[];
  done: boolean;
}

/**
 * An input runner that records deliveries and lets the test acknowledge them in any order. Like
 * core, it calls `input.acknowledged` per stream, in delivery order, for the acknowledged prefix.
 */
export class FakeInputRunner implements InputRunner {
  readonly name: string;
  readonly logger = silentLogger;
  readonly counters = new Counters();
  readonly deliveries: SeenDelivery[] = [];
  /** While set, `deliver` waits for it: the pipeline is congested. */
  room: Promise<void> | undefined;
  readonly #abort = new AbortController();
  readonly #reported = new Map<string, number>();
  #input: Input | undefined;

  constructor(name = 'kafka_in') {
    this.name = name;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Runs `input` with this runner; returns its run promise. */
  run(input: Input): Promise<void> {
    this.#input = input;
    return input.run(this);
  }

  stop(): void {
    this.#abort.abort();
  }

  createMessage(record: SplitRecord): Message {
    const message = new Message();
    message.logger = this.name;
    message.hostname = 'test-host';
    if (typeof record === 'string') message.payload = record;
    else message.raw = record;
    return message;
  }

  /** A NullSplitter stream: one text record per chunk. */
  splitter(): SplitterStream {
    return { push: (chunk) => [Buffer.from(chunk).toString('utf8')], end: () => [], pending: 0 };
  }

  async deliver(messages: readonly Message[], checkpoint?: Checkpoint): Promise<void> {
    if (checkpoint === undefined) throw new Error('KafkaInput must deliver with a checkpoint');
    this.deliveries.push({ stream: checkpoint.stream, position: checkpoint.position, messages, done: false });
    if (this.room !== undefined) await this.room;
  }

  /** Indexes of deliveries not yet acknowledged. */
  get pending(): number[] {
    return this.deliveries.flatMap((d, i) => (d.done ? [] : [i]));
  }

  /** Acknowledges delivery `index` (every output acknowledged all its messages). */
  ack(index: number): void {
    const delivery = this.deliveries[index]!;
    delivery.done = true;
    const stream = delivery.stream;
    let last: SeenDelivery | undefined;
    let i = this.#reported.get(stream) ?? -1;
    for (let j = i + 1; j < this.deliveries.length; j++) {
      const d = this.deliveries[j]!;
      if (d.stream !== stream) continue;
      if (!d.done) break;
      last = d;
      i = j;
    }
    this.#reported.set(stream, i);
    if (last !== undefined) this.#input!.acknowledged!(stream, last.position);
  }

  ackAll(): void {
    for (const i of this.pending) this.ack(i);
  }
}
