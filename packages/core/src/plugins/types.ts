import type { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Message } from '../message/message.js';

/** The six plugin kinds; a type's kind comes from its name's suffix, as in Heka. */
export type PluginKind = 'input' | 'splitter' | 'decoder' | 'filter' | 'encoder' | 'output';

/** A record found by a splitter: text, or bytes when the splitter keeps message bytes. */
export type SplitRecord = string | Uint8Array;

/** Counters a plugin adds to its runner's stats (e.g. `lines_truncated`). */
export interface PluginCounters {
  /** Adds `n` (default 1) to the named counter. */
  add(name: string, n?: number): void;
}

/** What a plugin gets at construction. Construction does no I/O. */
export interface PluginContext {
  /** The section name: the plugin instance's name. */
  readonly name: string;
  readonly type: string;
  /** Logger bound to `{ plugin: name, type }`. */
  readonly logger: Logger;
  /** The configuration file's directory; resolve relative paths from here. */
  readonly configDir: string;
  /** A directory for this plugin's durable state (checkpoints, spools); created on first use by the plugin. */
  readonly stateDir: string;
  /** The hostname used for locally generated messages. */
  readonly hostname: string;
  readonly counters: PluginCounters;
  /**
   * Makes an instance of the decoder configured in section `name` (for decoders that combine
   * others, like MultiDecoder). Throws a ConfigError when there is no such decoder section.
   */
  createDecoder(name: string): Decoder;
}

/** A checkpoint for a delivered batch: which stream it belongs to and where in it it ends. */
export interface Checkpoint {
  /** Independent sequence the position belongs to (a file identity, `topic/partition`). */
  readonly stream: string;
  /** Opaque to core; handed back to {@link Input.acknowledged} in delivery order. */
  readonly position: unknown;
}

/**
 * A stateful splitter for one byte stream of one input, made by the runner from the input's
 * configured splitter. It holds an incomplete trailing record between pushes and enforces the
 * maximum record size.
 */
export interface SplitterStream {
  /** Splits `chunk` (appended to what is held) and returns the complete records. */
  push(chunk: Uint8Array): SplitRecord[];
  /** At end of stream: the held remainder as a last record when the splitter delivers incomplete finals. */
  end(): SplitRecord[];
  /** Bytes held for an incomplete record; a checkpoint at `end of chunk - pending` is safe. */
  readonly pending: number;
}

/** What an input's `run` receives: delivery into the pipeline, stop signal, helpers. */
export interface InputRunner {
  readonly name: string;
  readonly logger: Logger;
  /** Aborted when the pipeline stops; `run` must then return promptly. */
  readonly signal: AbortSignal;
  readonly counters: PluginCounters;
  /**
   * A new message for a record: timestamp now, Logger = the input's name, Hostname set, and
   * Payload = the record (or `raw` = the bytes). The input sets Type itself.
   */
  createMessage(record: SplitRecord): Message;
  /** A splitter stream using the input's configured splitter. */
  splitter(): SplitterStream;
  /**
   * Decodes (with the input's decoder) and routes a batch. Resolves when the pipeline has room for
   * more: awaiting it is the backpressure. With a checkpoint, {@link Input.acknowledged} is called
   * once every message of this batch and of every earlier batch of the same stream has been
   * acknowledged by every output that matched it.
   */
  deliver(messages: readonly Message[], checkpoint?: Checkpoint): Promise<void>;
}

/** An input produces messages until its runner's signal aborts or its source ends. */
export interface Input {
  /** Runs until stopped or finished; resolving early means the input is done (see `can_exit`). */
  run(runner: InputRunner): Promise<void>;
  /**
   * Called in delivery order, per stream, with the position of the latest batch that is fully
   * acknowledged, together with every batch before it. Persist checkpoints here.
   */
  acknowledged?(stream: string, position: unknown): void;
}

/** Splits a byte buffer into records. */
export interface Splitter {
  /**
   * Finds complete records at the start of `buf`, appends them to `out`, and returns the number of
   * bytes consumed. Bytes after the last complete record stay for the next call.
   */
  split(buf: Uint8Array, out: SplitRecord[]): number;
}

/** Turns a raw message (Payload or raw bytes from a splitter) into a structured one. */
export interface Decoder {
  /**
   * Returns the decoded message (the same object changed, or a new one), several messages, or
   * undefined to drop it on purpose. Throws a DecodeError when the record is malformed.
   */
  decode(message: Message): Message | readonly Message[] | undefined;
}

/** Turns a message into the bytes or text an output writes. */
export interface Encoder {
  /** Returns the encoding, or undefined to skip the message. Throws an EncodeError on failure. */
  encode(message: Message): SplitRecord | undefined;
}

/** What a filter gets with each call. */
export interface FilterRunner {
  readonly name: string;
  readonly logger: Logger;
  readonly counters: PluginCounters;
  /**
   * Injects a new message into the router. Injected during `process`, it is tied to the message
   * being processed: that message counts as acknowledged only once the injected one is. Throws
   * when Heka's loop protection or the injection limits refuse it.
   */
  inject(message: Message): void;
}

/** A filter is called for each message its matcher accepts, one at a time, and on its ticker. */
export interface Filter {
  /** Loads or connects what the filter needs; called once before the first message. */
  open?(runner: FilterRunner): Promise<void>;
  process(message: Message, runner: FilterRunner): void | Promise<void>;
  /** Called every `ticker_interval`, never at the same time as `process`. */
  onTick?(runner: FilterRunner): void | Promise<void>;
  /** Called once after the last message, before the pipeline stops. */
  close?(runner: FilterRunner): void | Promise<void>;
}

/** A batch handed to an output: the messages and, when an encoder is configured, their encodings. */
export interface OutputBatch {
  readonly messages: readonly Message[];
  /** `records[i]` is the encoding of `messages[i]`; undefined without an encoder. */
  readonly records: readonly SplitRecord[] | undefined;
}

/** Per-message outcome of a write that did not fully succeed or fail. */
export interface WriteResult {
  /** Indexes the destination refused for good, with reasons: they go to the dead-letter route. */
  rejected?: readonly { index: number; reason: string }[];
  /** Indexes to write again after a backoff (e.g. BigQuery's `stopped` rows). */
  retry?: readonly number[];
}

/** What an output gets with each call. */
export interface OutputRunner {
  readonly name: string;
  readonly logger: Logger;
  readonly counters: PluginCounters;
  readonly signal: AbortSignal;
}

/** How the runner batches messages for an output. */
export interface BatchPolicy {
  /** Most messages in one batch. */
  maxMessages: number;
  /** Most bytes (of encodings, or an estimate) in one batch. */
  maxBytes: number;
  /** How long to wait for a batch to fill before writing it anyway, in ms. */
  lingerMs: number;
}

/**
 * An output writes batches. Resolving `write` acknowledges every message in the batch except
 * those a {@link WriteResult} lists. Throwing a RetryableError (or any unclassified error) retries
 * the batch with backoff; throwing a PermanentError sends the whole batch to the dead-letter route.
 */
export interface Output {
  /** How this output wants its batches; defaults to single-message batches without linger. */
  readonly batching?: Partial<BatchPolicy>;
  /** Connects, opens files. Called once before the first write; a throw is retried with backoff. */
  open?(runner: OutputRunner): Promise<void>;
  write(batch: OutputBatch, runner: OutputRunner): Promise<WriteResult | void>;
  /** Called every `ticker_interval`, never during a write. */
  onTick?(runner: OutputRunner): void | Promise<void>;
  /** Called on SIGHUP: reopen files (logrotate). It may arrive while a write is in progress. */
  reopen?(runner: OutputRunner): void | Promise<void>;
  /** Flushes and releases resources after the last write. */
  close?(runner: OutputRunner): Promise<void>;
}

/** The plugin instance type of each kind. */
export interface PluginInstances {
  input: Input;
  splitter: Splitter;
  decoder: Decoder;
  filter: Filter;
  encoder: Encoder;
  output: Output;
}

/**
 * A plugin type: its name (PascalCase with the kind suffix), a one-line summary, a strict zod
 * schema of its own options, and a factory. Common options (`message_matcher`, `encoder`, …) are
 * removed by core before the schema sees the section.
 */
export interface PluginDefinition<K extends PluginKind = PluginKind, O = any> {
  readonly kind: K;
  readonly type: string;
  readonly summary: string;
  readonly options: z.ZodType<O>;
  /**
   * Defaults for common options, applied when the section does not set them (Heka's
   * ConfigStruct). A function receives the parsed plugin options, so a plugin can map its own
   * option names onto common ones (e.g. BqOutput's `buffer_path` onto `[x.buffering] dir`).
   */
  readonly commonDefaults?: Readonly<Record<string, unknown>> | ((options: O) => Readonly<Record<string, unknown>>);
  create(options: O, context: PluginContext): PluginInstances[K];
}
