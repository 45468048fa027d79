import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { chmod, mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { errorMessage, type Logger, type PluginCounters } from '@hekate/core';
import type { ContentMark } from './file-identity.js';

/** One file's durable checkpoint: its identity, the acknowledged offset and what precedes it. */
export interface CheckpointEntry extends ContentMark {
  /** `dev:ino` when the entry was written. */
  readonly key: string;
  /** The path the file had when the entry was written (where to look for it after a restart). */
  readonly path: string;
  /** The stream (Logger) name of the file's messages. */
  readonly stream: string;
  /** Resume by skipping to the next newline: the offset is inside an over-long line being skipped. */
  readonly skip: boolean;
}

/** What {@link Journal.load} found. */
export interface LoadedJournal {
  readonly entries: CheckpointEntry[];
  /** False on a first start: no journal file of any generation existed. */
  readonly existed: boolean;
}

const FORMAT = 'hekate-file-journal';
const VERSION = 1;

const entrySchema = z
  .object({
    key: z.string().regex(/^\d+:\d+$/),
    path: z.string(),
    stream: z.string(),
    fingerprint: z.object({ length: z.number().int().nonnegative(), hash: z.string() }).strict(),
    offset: z.number().int().nonnegative(),
    tail: z.string(),
    skip: z.boolean(),
  })
  .strict();

const bodySchema = z
  .object({
    format: z.literal(FORMAT),
    version: z.literal(VERSION),
    generation: z.number().int().nonnegative(),
    files: z.array(z.unknown()),
  })
  .strict();

const fileSchema = z.object({ checksum: z.string(), journal: bodySchema }).strict();

function checksum(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/**
 * The FileInput's checkpoint journal: one JSON document holding every tracked file's entry,
 * written atomically (temporary file, fsync, rename, fsync of the directory) and kept in two
 * generations, so that a crash at any point leaves a readable journal. A torn or corrupt
 * generation is never taken as "no checkpoint": it is logged and counted
 * (`checkpoint_recoveries`), and the newest intact generation wins.
 */
export class Journal {
  readonly #dir: string;
  readonly #current: string;
  readonly #previous: string;
  readonly #temporary: string;
  readonly #logger: Logger;
  readonly #counters: PluginCounters;
  #generation = 0;
  /** The write in progress, if any: writes never overlap. */
  #writing: Promise<void> = Promise.resolve();

  constructor(dir: string, logger: Logger, counters: PluginCounters) {
    this.#dir = dir;
    this.#current = path.join(dir, 'checkpoints.json');
    this.#previous = `${this.#current}.prev`;
    this.#temporary = `${this.#current}.tmp`;
    this.#logger = logger;
    this.#counters = counters;
  }

  /** The journal's directory. */
  get dir(): string {
    return this.#dir;
  }

  /** Creates the directory (mode 0700) and reads the newest intact generation. */
  async load(): Promise<LoadedJournal> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    await chmod(this.#dir, 0o700);
    let best: { generation: number; files: unknown[]; file: string } | undefined;
    let existed = false;
    let damaged = false;
    for (const file of [this.#temporary, this.#current, this.#previous]) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      existed = true;
      const parsed = parseJournal(text);
      if (parsed === undefined) {
        // A torn temporary file is the normal trace of a crash during a write.
        if (file !== this.#temporary) {
          damaged = true;
          this.#counters.add('checkpoint_recoveries');
          this.#logger.error('Checkpoint journal file is damaged; using an older generation.', { file });
        }
        continue;
      }
      if (best === undefined || parsed.generation > best.generation) best = { ...parsed, file };
    }
    if (best === undefined) {
      if (damaged) {
        this.#logger.error('No intact checkpoint journal generation; files are read from the beginning.', {
          dir: this.#dir,
        });
      }
      return { entries: [], existed };
    }
    this.#generation = best.generation;
    return { entries: this.#validEntries(best.files, best.file), existed };
  }

  /** Writes the entries as the next generation, after any write in progress. */
  write(entries: readonly CheckpointEntry[]): Promise<void> {
    const text = this.#serialize(entries);
    const run = this.#writing.then(() => this.#writeAsync(text));
    this.#writing = run.catch(() => {});
    return run;
  }

  /** Resolves once no write is in progress. */
  settled(): Promise<void> {
    return this.#writing;
  }

  /**
   * Writes the entries synchronously: for the last checkpoints of a stopping pipeline, whose
   * process may exit as soon as the final acknowledgement returns. Call only once no
   * asynchronous write is in progress ({@link settled}).
   */
  writeSync(entries: readonly CheckpointEntry[]): void {
    const text = this.#serialize(entries);
    const fd = openSync(this.#temporary, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(this.#current, this.#previous);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    renameSync(this.#temporary, this.#current);
    const dirFd = openSync(this.#dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    this.#counters.add('checkpoints_written');
  }

  async #writeAsync(text: string): Promise<void> {
    const fh = await open(this.#temporary, 'w', 0o600);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(this.#current, this.#previous);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await rename(this.#temporary, this.#current);
    const dir = await open(this.#dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.#counters.add('checkpoints_written');
  }

  #serialize(entries: readonly CheckpointEntry[]): string {
    const journal = { format: FORMAT, version: VERSION, generation: ++this.#generation, files: entries };
    return `${JSON.stringify({ checksum: checksum(journal), journal })}\n`;
  }

  #validEntries(files: unknown[], file: string): CheckpointEntry[] {
    const entries: CheckpointEntry[] = [];
    for (const raw of files) {
      const result = entrySchema.safeParse(raw);
      if (result.success) entries.push(result.data);
      else {
        this.#counters.add('checkpoint_recoveries');
        this.#logger.error('Dropped an invalid checkpoint entry; its file is read from the beginning.', {
          file,
          entry: JSON.stringify(raw).slice(0, 300),
          error: errorMessage(result.error),
        });
      }
    }
    return entries;
  }
}

/** The generation and entries of a journal file's text, or undefined when it is not intact. */
function parseJournal(text: string): { generation: number; files: unknown[] } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const result = fileSchema.safeParse(value);
  // The checksum covers the journal exactly as it was written (key order included).
  const written = (value as { journal: unknown }).journal;
  if (!result.success || checksum(written) !== result.data.checksum) return undefined;
  return { generation: result.data.journal.generation, files: result.data.journal.files };
}
