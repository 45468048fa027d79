import type { CommonOptions } from '../config/common-options.js';
import { errorMessage, hasCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { Message, nanosFromMillis } from '../message/message.js';
import { DELIVERY } from '../message/slots.js';
import { Delivery } from '../delivery/delivery.js';
import { StreamAcks } from '../delivery/stream-acks.js';
import { sleep } from '../queue/notifier.js';
import type { Checkpoint, Decoder, Input, InputRunner, SplitRecord, Splitter, SplitterStream } from '../plugins/types.js';
import { backoffDelay, mayRetry } from './backoff.js';
import { Counters } from './counters.js';
import type { Runtime } from './runtime.js';
import { BufferedSplitterStream, type SplitterLimits } from './splitter-stream.js';

/** How an input runner was configured. */
export interface InputRunnerSetup {
  name: string;
  type: string;
  input: Input;
  common: CommonOptions['input'];
  decoder: Decoder | undefined;
  makeSplitter: () => Splitter;
  splitterLimits: SplitterLimits;
  logger: Logger;
  counters: Counters;
}

/** How an input's `run` ended, as far as the pipeline is concerned. */
export type InputOutcome = 'stopped' | 'finished' | 'failed';

const MAX_DECODE_ERROR = 500;
/** Messages decoded and routed together. */
const ROUTE_SLICE = 256;

/**
 * Runs one input: hands it the delivery API, decodes what it delivers, routes it, applies
 * backpressure, ties each batch to its checkpoint, and restarts the input with backoff when it
 * fails (Heka's `[x.retries]`).
 */
export class InputRunnerImpl implements InputRunner {
  readonly name: string;
  readonly logger: Logger;
  readonly counters: Counters;
  readonly #setup: InputRunnerSetup;
  readonly #runtime: Runtime;
  readonly #abort = new AbortController();
  readonly #streams = new Map<string, StreamAcks>();
  #lastDecodeLog = 0;
  /** The clock reading of the last message made, to make one bigint per millisecond, not per message. */
  #clockMs = 0;
  #clockNs = 0n;

  constructor(setup: InputRunnerSetup, runtime: Runtime) {
    this.#setup = setup;
    this.#runtime = runtime;
    this.name = setup.name;
    this.logger = setup.logger;
    this.counters = setup.counters;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  createMessage(record: SplitRecord): Message {
    const now = Date.now();
    if (now !== this.#clockMs) {
      this.#clockMs = now;
      this.#clockNs = nanosFromMillis(now);
    }
    const message = new Message(this.#clockNs);
    message.logger = this.name;
    message.hostname = this.#runtime.hostname;
    if (typeof record === 'string') message.payload = record;
    else message.raw = record;
    return message;
  }

  splitter(): SplitterStream {
    return new BufferedSplitterStream(this.#setup.makeSplitter(), this.#setup.splitterLimits, this.counters);
  }

  async deliver(messages: readonly Message[], checkpoint?: Checkpoint): Promise<void> {
    const delivery = checkpoint === undefined ? new Delivery() : this.#stream(checkpoint.stream).add(checkpoint.position);
    const router = this.#runtime.router;
    // Decoded and routed a slice at a time, waiting for room in between: what a decoder builds
    // for a record (a parsed JSON object) then dies young, and a full queue overfills by at most
    // one slice. Once the input is stopping, the rest is routed without waiting.
    for (let at = 0; at < messages.length; at += ROUTE_SLICE) {
      const decoded = this.#decode(messages, at, Math.min(messages.length, at + ROUTE_SLICE));
      for (let i = 0; i < decoded.length; i++) decoded[i]![DELIVERY] = delivery;
      this.counters.add('messages_delivered', decoded.length);
      router.route(decoded);
      if (router.congested) {
        this.counters.add('backpressure_waits');
        await router.whenRoom(this.signal);
      }
    }
    delivery.release();
  }

  /** Asks the input to stop. */
  stop(): void {
    this.#abort.abort();
  }

  /** Runs the input until it stops, finishes or fails for good. */
  async run(): Promise<InputOutcome> {
    const { retries } = this.#setup.common;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#setup.input.run(this);
        return this.signal.aborted ? 'stopped' : 'finished';
      } catch (error) {
        if (this.signal.aborted) return 'stopped';
        this.counters.add('failures');
        if (hasCode(error, 'HEKATE_ERR_PLUGIN_FATAL') || !mayRetry(attempt, retries)) {
          this.logger.error('Input failed and its retries are exhausted.', { error: errorMessage(error), attempts: attempt });
          return 'failed';
        }
        const wait = backoffDelay(attempt, retries);
        this.logger.warn('Input failed; restarting after a backoff.', { error: errorMessage(error), attempt, wait_ms: Math.round(wait) });
        await sleep(wait, this.signal);
        if (this.signal.aborted) return 'stopped';
      }
    }
  }

  #stream(id: string): StreamAcks {
    let stream = this.#streams.get(id);
    if (stream === undefined) {
      const input = this.#setup.input;
      stream = new StreamAcks((position) => {
        try {
          input.acknowledged?.(id, position);
        } catch (error) {
          this.counters.add('checkpoint_failures');
          this.logger.error('Input failed to record a checkpoint.', { stream: id, error: errorMessage(error) });
        }
      });
      this.#streams.set(id, stream);
    }
    return stream;
  }

  /** Decodes messages `from` to `to` (exclusive). */
  #decode(messages: readonly Message[], from: number, to: number): Message[] {
    const decoder = this.#setup.decoder;
    if (decoder === undefined) return from === 0 && to === messages.length ? (messages as Message[]) : messages.slice(from, to);
    const out: Message[] = [];
    for (let i = from; i < to; i++) {
      const message = messages[i]!;
      try {
        const result = decoder.decode(message);
        if (result === undefined) this.counters.add('messages_discarded');
        else if (result instanceof Message) out.push(result);
        else out.push(...result);
      } catch (error) {
        this.#decodeFailed(message, error, out);
      }
    }
    return out;
  }

  #decodeFailed(message: Message, error: unknown, out: Message[]): void {
    this.counters.add('decode_failures');
    const reason = errorMessage(error).slice(0, MAX_DECODE_ERROR);
    const { log_decode_failures, send_decode_failures } = this.#setup.common;
    const now = Date.now();
    if (log_decode_failures && now - this.#lastDecodeLog >= 1000) {
      this.#lastDecodeLog = now;
      this.logger.warn('Record failed to decode (further failures this second are only counted).', {
        error: reason,
        record: message.payload.slice(0, 200),
      });
    }
    if (send_decode_failures) {
      message.setField('decode_failure', true);
      message.setField('decode_error', reason);
      out.push(message);
    }
  }
}
