import { z } from 'zod';
import type { PluginKind } from '../plugins/types.js';
import { byteSize, duration } from './units.js';

/** `[x.retries]`: capped exponential backoff with jitter (Heka's keys and defaults). */
export const retriesSchema = z
  .object({
    delay: duration().default(250),
    max_delay: duration().default(30_000),
    max_jitter: duration().default(500),
    /** -1 retries forever (the default); 0 never retries. */
    max_retries: z.number().int().min(-1).default(-1),
  })
  .strict();

/** Retry settings after defaults, in ms. */
export type RetryOptions = z.output<typeof retriesSchema>;

/** What a bounded in-memory queue does when full. */
export const fullActionSchema = z.enum(['block', 'drop_newest', 'drop_oldest']);

/** `[x.buffering]`: the output's disk queue (Heka's keys plus `drop_oldest` and fsync policy). */
const DEFAULT_SEGMENT_SIZE = 16 * 1024 * 1024;

export const bufferingSchema = z
  .object({
    /** Segment size; 0 means the default, as in Heka. */
    max_file_size: byteSize()
      .default(DEFAULT_SEGMENT_SIZE)
      .transform((v) => (v === 0 ? DEFAULT_SEGMENT_SIZE : v)),
    max_buffer_size: byteSize().default(0),
    full_action: z.enum(['shutdown', 'drop', 'block', 'drop_oldest']).default('block'),
    cursor_update_count: z.number().int().min(1).default(1),
    fsync: z.enum(['batch', 'interval', 'never']).default('batch'),
    fsync_interval: duration()
      .default(500)
      .refine((v) => v > 0, 'fsync_interval must be longer than 0'),
    /**
     * How long the output may go without taking a batch before messages whose input can replay
     * them are spooled to disk; 0 spools every message at once (write-through).
     */
    spool_after: duration().default(1000),
    /** The queue's directory; defaults to `<base_dir>/output_queue/<section name>`. */
    dir: z.string().optional(),
  })
  .strict();

const queueKeys = {
  queue_max_messages: z.number().int().positive().default(1000),
  queue_max_bytes: byteSize().default(64 * 1024 * 1024),
  queue_full_action: fullActionSchema.default('block'),
};

const tickerInterval = duration('s').default(0);

/** Options every input section may set, whatever its type. */
export const inputCommonSchema = z
  .object({
    decoder: z.string().optional(),
    /** The splitter section; Heka's default is NullSplitter (one record per chunk). */
    splitter: z.string().default('NullSplitter'),
    send_decode_failures: z.boolean().default(false),
    log_decode_failures: z.boolean().default(true),
    /** Accepted for Heka configs; decoding is always inline in Hekate. */
    synchronous_decode: z.boolean().optional(),
    can_exit: z.boolean().default(false),
    ticker_interval: tickerInterval,
    retries: retriesSchema.default(retriesSchema.parse({})),
  })
  .strict();

/** Options every splitter section may set. */
export const splitterCommonSchema = z
  .object({
    keep_truncated: z.boolean().default(false),
    use_message_bytes: z.boolean().default(false),
    deliver_incomplete_final: z.boolean().default(false),
    /** Largest record in bytes; defaults to the global `max_message_size`. */
    max_record_size: byteSize().optional(),
    /** Accepted for Heka configs; buffers grow as needed in Hekate. */
    min_buffer_size: z.number().int().optional(),
  })
  .strict();

/** Options every filter section may set. */
export const filterCommonSchema = z
  .object({
    message_matcher: z.string().optional(),
    ticker_interval: tickerInterval,
    can_exit: z.boolean().default(false),
    retries: retriesSchema.default(retriesSchema.parse({})),
    ...queueKeys,
  })
  .strict();

/** Options every output section may set. */
export const outputCommonSchema = filterCommonSchema
  .extend({
    encoder: z.string().optional(),
    use_framing: z.boolean().default(false),
    use_buffering: z.boolean().default(false),
    buffering: bufferingSchema.default(bufferingSchema.parse({})),
  })
  .strict();

const emptySchema = z.object({}).strict();

/** The common-options schema of each kind. */
export const COMMON_SCHEMAS = {
  input: inputCommonSchema,
  splitter: splitterCommonSchema,
  decoder: emptySchema,
  encoder: emptySchema,
  filter: filterCommonSchema,
  output: outputCommonSchema,
} satisfies Record<PluginKind, z.ZodObject>;

/** Parsed common options of each kind. */
export interface CommonOptions {
  input: z.output<typeof inputCommonSchema>;
  splitter: z.output<typeof splitterCommonSchema>;
  decoder: z.output<typeof emptySchema>;
  encoder: z.output<typeof emptySchema>;
  filter: z.output<typeof filterCommonSchema>;
  output: z.output<typeof outputCommonSchema>;
}

/** Heka `[hekad]` keys that are accepted so existing configs load, but have no effect here. */
export const IGNORED_HEKA_GLOBALS = [
  'maxprocs',
  'poolsize',
  'plugin_chansize',
  'max_pack_idle',
  'max_process_duration',
  'share_dir',
  'sample_denominator',
  'pid_file',
  'log_flags',
  'full_buffer_max_retries',
  'cpuprof',
  'memprof',
] as const;

/** The `[hekate]` (or Heka's `[hekad]`) global section. */
export const globalSchema = z
  .object({
    /** Plugin packages or local files to load, resolved from the config's directory. */
    plugins: z.array(z.string()).default([]),
    /** Durable state: checkpoints, queues. Relative paths resolve from the config's directory. */
    base_dir: z.string().default('.hekate'),
    hostname: z.string().optional(),
    /** Most re-injections of one message chain (Heka's default 4; 0 means 1). */
    max_message_loops: z.number().int().min(0).default(4),
    /** Messages a filter may inject per `process` call (Heka's `max_process_inject`). */
    max_process_inject: z.number().int().min(0).default(1),
    /** Messages a filter may inject per `onTick` call (Heka's `max_timer_inject`). */
    max_timer_inject: z.number().int().min(0).default(10),
    /** Largest message/record in bytes (Heka's default 64 KiB). */
    max_message_size: byteSize().default(64 * 1024),
    /** Budget for all in-memory queues together, in bytes. */
    memory_limit: byteSize().default(256 * 1024 * 1024),
    /** How long a stop waits for queues to drain before giving up. */
    shutdown_timeout: duration().default(30_000),
    ...Object.fromEntries(IGNORED_HEKA_GLOBALS.map((k) => [k, z.unknown().optional()])),
  })
  .strict();

/** Parsed global options. */
export type GlobalOptions = z.output<typeof globalSchema>;
