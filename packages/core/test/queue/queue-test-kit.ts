import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogFields, Logger } from '../../src/logger.js';
import { DiskQueue } from '../../src/queue/disk-queue.js';
import type { DiskQueueOptions, QueueRecord } from '../../src/queue/disk-queue-types.js';

/** A log line a {@link CaptureLogger} kept. */
export interface LogLine {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  fields: LogFields;
}

/** A logger that keeps every line, for assertions. */
export interface CaptureLogger extends Logger {
  readonly lines: LogLine[];
  /** Lines at `level`. */
  at(level: LogLine['level']): LogLine[];
}

export function captureLogger(): CaptureLogger {
  const lines: LogLine[] = [];
  const log = (level: LogLine['level']) => (message: string, fields: LogFields = {}) => {
    lines.push({ level, message, fields });
  };
  const logger: CaptureLogger = {
    lines,
    at: (level) => lines.filter((l) => l.level === level),
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: () => logger,
  };
  return logger;
}

/** A fresh directory under the OS temp dir; remove it with {@link removeDir}. */
export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'hekate-queue-'));
}

export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** Options for a test queue in `dir`: small segments, batch fsync, persist on every ack. */
export function queueOptions(dir: string, overrides: Partial<DiskQueueOptions> = {}): DiskQueueOptions {
  return {
    dir,
    maxFileSize: 16 * 1024 * 1024,
    maxBufferSize: 0,
    fsync: 'batch',
    fsyncIntervalMs: 100,
    cursorUpdateCount: 1,
    logger: captureLogger(),
    ...overrides,
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `text` as bytes. */
export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Records (read or to append) as text. */
export function texts(records: readonly (QueueRecord | Uint8Array)[]): string[] {
  return records.map((r) => decoder.decode(r instanceof Uint8Array ? r : r.data));
}

/** Numbered records `prefix0 … prefix(n-1)`, each padded to `size` bytes. */
export function numbered(prefix: string, from: number, n: number, size = 0): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => bytes(`${prefix}${from + i}`.padEnd(size, '.')));
}

/** Reads until the queue returns nothing. */
export async function readAll(queue: DiskQueue, batch = 1000): Promise<QueueRecord[]> {
  const all: QueueRecord[] = [];
  for (;;) {
    const got = await queue.read(batch, 64 * 1024 * 1024);
    if (got.length === 0) return all;
    all.push(...got);
  }
}

/** Opens a queue, runs `body`, closes the queue. */
export async function withQueue<T>(options: DiskQueueOptions, body: (queue: DiskQueue) => Promise<T>): Promise<T> {
  const queue = await DiskQueue.open(options);
  try {
    return await body(queue);
  } finally {
    await queue.close();
  }
}

/**
 * Closes `queue` and then undoes what the close wrote, leaving the directory as a process crash
 * at that moment would have: the cursor file and any segment the close reclaimed are put back as
 * they were. (Every write the queue made before is in the page cache, so a crash keeps it.)
 */
export async function closeAsCrash(queue: DiskQueue, dir: string): Promise<void> {
  const cursorPath = join(dir, 'cursor');
  const cursor = await readFile(cursorPath).catch(() => undefined);
  const segments = (await readdir(dir)).filter((name) => name.endsWith('.seg'));
  const contents = await Promise.all(segments.map((name) => readFile(join(dir, name))));
  await queue.close();
  if (cursor === undefined) await rm(cursorPath, { force: true });
  else await writeFile(cursorPath, cursor);
  const left = new Set(await readdir(dir));
  for (const [i, name] of segments.entries()) if (!left.has(name)) await writeFile(join(dir, name), contents[i]!);
}

/** Writes to `path` until the filesystem has no byte left. */
export function fill(path: string): void {
  const fd = openSync(path, 'w');
  try {
    for (let chunk = 1 << 16; chunk >= 1; ) {
      try {
        writeSync(fd, Buffer.alloc(chunk));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        chunk >>= 1;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Mounts a tmpfs of `size` on a new directory, or says why it cannot. */
export async function mountTmpfs(size: string): Promise<string | { skip: string }> {
  if (process.getuid?.() !== 0) return { skip: 'mounting a tmpfs needs root' };
  const mnt = await tempDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', mnt], { stdio: 'pipe' });
    return mnt;
  } catch (err) {
    await removeDir(mnt);
    return { skip: `mount -t tmpfs is not permitted here: ${String((err as Error).message).split('\n')[0]}` };
  }
}

/** Unmounts a tmpfs made by {@link mountTmpfs} and removes its directory. */
export async function unmountTmpfs(mnt: string): Promise<void> {
  execFileSync('umount', ['--lazy', mnt]);
  await removeDir(mnt);
}
