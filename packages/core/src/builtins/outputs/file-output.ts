import { constants } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { duration } from '../../config/units.js';
import { errorMessage, RetryableError } from '../../errors.js';
import { defineOutput } from '../../plugins/define.js';
import type { BatchPolicy, Output, OutputBatch } from '../../plugins/types.js';
import { RecordPacker } from '../shared/record-packer.js';

const octal = (fallback: string) =>
  z
    .string()
    .regex(/^[0-7]{3,4}$/, 'expected octal permissions such as "644"')
    .default(fallback)
    .transform((text) => parseInt(text, 8));

const options = z
  .object({
    path: z.string().min(1).describe('File to append to; relative to the config directory.'),
    perm: octal('644').describe('Permissions of a file it creates (octal; the umask applies).'),
    folder_perm: octal('700').describe('Permissions of directories it creates (octal; umask applies).'),
    flush_interval: duration('ms').default(1000).describe('Longest wait for a batch to fill.'),
    flush_count: z.number().int().min(1).default(1000).describe('Messages in a full batch.'),
    flush_operator: z
      .enum(['AND', 'OR'])
      .default('OR')
      .describe('Accepted for Heka configs; a batch is written when either limit is reached.'),
    append: z
      .boolean()
      .default(true)
      .describe('Append to an existing file (false: truncate it when first opened).'),
    fsync: z.boolean().default(true).describe('fdatasync after every batch, before acknowledging it.'),
  })
  .strict();

type FileOutputOptions = z.output<typeof options>;

/** Largest batch in bytes: big enough to amortise the fsync, small enough to bound memory. */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

const FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0);

class FileOutputImpl implements Output {
  readonly batching: Partial<BatchPolicy>;
  readonly #path: string;
  readonly #o: FileOutputOptions;
  readonly #packer = new RecordPacker('FileOutput');
  #handle: FileHandle | undefined;
  /** The file's size as far as this output knows (it is the only writer), or undefined: stat it. */
  #size: number | undefined;
  #truncate: boolean;
  /** Serialises writes with reopen and close, which SIGHUP can call at any time. */
  #chain: Promise<unknown> = Promise.resolve();

  constructor(o: FileOutputOptions, configDir: string) {
    this.#o = o;
    this.#path = resolve(configDir, o.path);
    this.#truncate = !o.append;
    this.batching = {
      maxMessages: o.flush_count,
      maxBytes: MAX_BATCH_BYTES,
      lingerMs: o.flush_interval,
    };
  }

  open(): Promise<void> {
    return this.#exclusive(() => this.#openFile());
  }

  async write(batch: OutputBatch): Promise<void> {
    // Packed when its turn comes: the packer's buffer is reused by the next batch.
    await this.#exclusive(() => this.#append(this.#packer.pack(batch)));
  }

  reopen(): Promise<void> {
    return this.#exclusive(async () => {
      await this.#closeFile();
      await this.#openFile();
    });
  }

  close(): Promise<void> {
    return this.#exclusive(async () => {
      if (!this.#o.fsync) await this.#handle?.datasync();
      await this.#closeFile();
    });
  }

  #exclusive(task: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(task, task);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #openFile(): Promise<void> {
    await mkdir(dirname(this.#path), { recursive: true, mode: this.#o.folder_perm });
    // O_NOFOLLOW: a symlink planted at the path is refused rather than written through.
    const flags = FLAGS | (this.#truncate ? constants.O_TRUNC : 0);
    this.#handle = await open(this.#path, flags, this.#o.perm);
    this.#size = undefined;
    // Truncate only at the first open: a reopen after rotation must not empty the file.
    this.#truncate = false;
  }

  async #closeFile(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }

  async #append(data: Buffer): Promise<void> {
    if (this.#handle === undefined) await this.#openFile();
    const handle = this.#handle!;
    let start: number | undefined;
    try {
      start = this.#size ?? (await handle.stat()).size;
      this.#size = undefined;
      for (let done = 0; done < data.length; ) {
        done += (await handle.write(data, done, data.length - done)).bytesWritten;
      }
      if (this.#o.fsync) await handle.datasync();
      this.#size = start + data.length;
    } catch (error) {
      // Take back a partly written batch, so the retry leaves no torn record in the file.
      if (start !== undefined) await handle.truncate(start).then(() => (this.#size = start), () => undefined);
      const reason = errorMessage(error);
      throw new RetryableError(`FileOutput could not write ${this.#path}: ${reason}`, { cause: error });
    }
  }
}

/**
 * FileOutput: appends each encoded message to a file (Heka's FileOutput and option names),
 * PayloadEncoder by default. Each batch is packed into one buffer, written with one write and,
 * with `fsync` (the default), flushed with fdatasync before it is acknowledged: that is the
 * at-least-once point. A failed write is truncated away before the batch is retried. SIGHUP
 * reopens the path (after logrotate renamed the file, writing continues in a new one).
 *
 * Differences from Heka: batches are written when `flush_count` messages (default 1000, Heka 1)
 * are queued or `flush_interval` has passed, whichever comes first (`flush_operator = "AND"` is
 * accepted and behaves as "OR"); a write error is retried with backoff instead of dropping the
 * batch; a symlink at `path` is refused; `rotation_interval` and strftime paths are not
 * supported (rotate with logrotate and SIGHUP). FileOutput assumes it is the file's only writer.
 *
 * @example
 * [archive]
 * type = "FileOutput"
 * message_matcher = "Type == 'api'"
 * path = "/var/log/hekate/api.log"
 * perm = "640"
 */
export const FileOutput = defineOutput({
  type: 'FileOutput',
  summary: 'Appends encoded messages to a file, fsynced batch by batch.',
  options,
  commonDefaults: { encoder: 'PayloadEncoder' },
  create: (o, ctx) => new FileOutputImpl(o, ctx.configDir),
});
