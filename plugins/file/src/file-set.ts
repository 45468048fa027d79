import { constants } from 'node:fs';
import { open, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage, type Logger, type PluginCounters, type SplitterStream } from '@hekate/core';
import {
  contentMatches,
  fingerprintMatches,
  hashBytes,
  identityKey,
  readAt,
  readTail,
  statPath,
} from './file-identity.js';
import type { CheckpointEntry } from './journal.js';
import type { Candidate } from './path-discovery.js';
import { TailedFile, type CheckpointState, type Ghost, type LineLimit } from './tailed-file.js';

/** How a {@link FileSet} identifies, starts and rations files. */
export interface FileSetOptions {
  readonly fingerprintBytes: number;
  readonly maxOpenFiles: number;
  readonly followSymlinks: boolean;
  /** Start files found on the very first start (no journal yet) at their end. */
  readonly startAtTail: boolean;
  /** Files without a checkpoint, last modified longer ago than this, are ignored (0: never). */
  readonly oldestMs: number;
  /** How long a new file that looks like a copy of a live file waits for that file's truncation. */
  readonly deferMs: number;
  readonly ghostTtlMs: number;
  readonly rotateWaitMs: number;
  readonly lineLimit: LineLimit;
}

/** What a {@link FileSet} needs from its input. */
export interface FileSetDeps {
  readonly newSplitter: () => SplitterStream;
  readonly logger: Logger;
  readonly counters: PluginCounters;
}

/** Where reading starts in a file that has no checkpoint. */
interface Start {
  readonly offset: number;
  readonly skip: boolean;
}

const EMPTY = Buffer.alloc(0);
const HEAD: Start = { offset: 0, skip: false };
/** How far back from the end a tail start looks for the last line boundary. */
const TAIL_SEARCH = 64 * 1024;
/** A file is kept open at least this long before the open-file cap may park it. */
const MIN_OPEN_MS = 1000;

function prefixEqual(a: Buffer, b: Buffer): boolean {
  const n = Math.min(a.length, b.length);
  return n > 0 && a.subarray(0, n).equals(b.subarray(0, n));
}

/** Where reading starts when a file is first read from its end: the last line boundary. */
async function lineStartBefore(fh: FileHandle, size: number): Promise<Start> {
  const window = Math.min(size, TAIL_SEARCH);
  const bytes = await readAt(fh, size - window, window);
  const nl = bytes.lastIndexOf(10);
  if (nl >= 0) return { offset: size - window + nl + 1, skip: false };
  return window === size ? HEAD : { offset: size, skip: true };
}

function checkpointOf(entry: CheckpointEntry): CheckpointState {
  return { offset: entry.offset, tail: entry.tail, skip: entry.skip };
}

/**
 * The files an input tracks, keyed by identity (`dev:ino`), and the rules that decide where each
 * starts: resume from a journal entry whose fingerprint and tail hash still match; adopt the
 * offset of a truncated file when its copy shows up (copytruncate); otherwise read from the head
 * (or the tail, on a first start when so configured). Also rations open handles under
 * `max_open_files`, parking idle files and reopening them by path when they grow.
 */
export class FileSet {
  readonly #options: FileSetOptions;
  readonly #deps: FileSetDeps;
  readonly #files = new Map<string, TailedFile>();
  /** Finished files whose last batches are not acknowledged yet: their entries stay in the journal. */
  readonly #closing = new Set<TailedFile>();
  #ghosts: Ghost[] = [];
  /** New files waiting to see whether they are a copy: path → since when. */
  readonly #deferred = new Map<string, number>();
  #pending = new Map<string, CheckpointEntry>();
  #journalExisted = false;
  #serial = 0;
  readonly #warned = new Set<string>();

  constructor(options: FileSetOptions, deps: FileSetDeps) {
    this.#options = options;
    this.#deps = deps;
  }

  /** Journal entries to resume from, and whether a journal existed at all. */
  restore(entries: readonly CheckpointEntry[], existed: boolean): void {
    this.#pending = new Map(entries.map((e) => [e.key, e]));
    this.#journalExisted = existed;
  }

  /** The tracked files (open or parked), not the finished ones. */
  get tracked(): IterableIterator<TailedFile> {
    return this.#files.values();
  }

  /** Entries for the journal: tracked files, finished ones awaiting acks, unmatched entries. */
  entries(): CheckpointEntry[] {
    const files = [...this.#files.values(), ...this.#closing].map((f) => f.entry());
    return files.concat([...this.#pending.values()]);
  }

  /** A truncated generation that a copy may adopt. */
  addGhost(ghost: Ghost): void {
    this.#ghosts.push(ghost);
  }

  /**
   * Brings the set up to date with a scan. On the first scan, journal entries whose files were
   * not found are looked for by identity in their directory (renamed while stopped).
   * Returns true when the set changed.
   */
  async reconcile(candidates: readonly Candidate[], first: boolean): Promise<boolean> {
    const now = Date.now();
    const before = this.#files.size;
    const { ghostTtlMs } = this.#options;
    this.#ghosts = this.#ghosts.filter((g) => g.adoptedBy === undefined && now - g.createdAt < ghostTtlMs);
    const unknown: Candidate[] = [];
    for (const c of candidates) {
      const known = this.#files.get(c.key);
      const entry = this.#pending.get(c.key);
      if (known !== undefined) this.#sighted(known, c, now);
      else if (entry !== undefined) await this.#resume(c, entry);
      else unknown.push(c);
    }
    if (first) await this.#recoverOrphans(now);
    for (const c of unknown) await this.#discover(c, first, now);
    const paths = new Set(candidates.map((c) => c.path));
    for (const p of this.#deferred.keys()) if (!paths.has(p)) this.#deferred.delete(p);
    return this.#files.size !== before;
  }

  /** Moves a finished file out of the tracked set; it leaves the journal once caught up. */
  retire(file: TailedFile): void {
    file.finished = true;
    this.#files.delete(file.key);
    if (!file.caughtUp) this.#closing.add(file);
  }

  /** A finished file is caught up: forget it. Returns true when it was waiting. */
  release(file: TailedFile): boolean {
    return this.#closing.delete(file);
  }

  /** Reopens parked files that grew, parking idle ones when at the open-file cap. */
  async balance(now: number): Promise<void> {
    const parked = [...this.#files.values()].filter((f) => f.fh === undefined);
    if (parked.length === 0) return;
    const wanting: TailedFile[] = [];
    for (const file of parked) {
      const s = await statPath(file.path, this.#options.followSymlinks);
      if (s === undefined || identityKey(s) !== file.key) {
        file.detachedSince ??= now;
        if (now - file.detachedSince > this.#options.rotateWaitMs) {
          this.#lose(file, 'it was moved or deleted while parked');
        }
      } else if (Number(s.size) !== file.readOffset) wanting.push(file);
    }
    let free = this.#options.maxOpenFiles - this.#openCount();
    const idle = [...this.#files.values()]
      .filter((f) => f.fh !== undefined && f.atEof && f.detachedSince === undefined)
      .filter((f) => now - f.openedAt >= MIN_OPEN_MS)
      .sort((a, b) => a.lastGrowth - b.lastGrowth);
    for (const file of wanting) {
      if (free <= 0) {
        const victim = idle.shift();
        if (victim === undefined) break;
        await this.#park(victim);
        free++;
      }
      if (await this.#reopen(file)) free--;
    }
  }

  /** Closes every handle. */
  async closeAll(): Promise<void> {
    for (const file of [...this.#files.values(), ...this.#closing]) {
      const fh = file.fh;
      file.fh = undefined;
      await fh?.close().catch(() => {});
    }
  }

  #sighted(file: TailedFile, c: Candidate, now: number): void {
    if (file.path !== c.path) {
      file.path = c.path;
      file.movedAt = now;
    }
    file.detachedSince = undefined;
    file.stream = c.stream;
    file.place = c.place;
  }

  /** A scanned file has a journal entry: resume it if it is still the same content. */
  async #resume(c: Candidate, entry: CheckpointEntry): Promise<void> {
    this.#pending.delete(c.key);
    const fh = await this.#open(c.path, c.key);
    if (fh === undefined) return;
    if (await contentMatches(fh, entry)) {
      await this.#resumeAt(c, fh, entry);
      return;
    }
    // Same device and inode, other bytes: truncated while stopped, or another file on a reused inode.
    const truncated = c.size < entry.offset;
    this.#deps.counters.add(truncated ? 'truncations' : 'inode_reuses');
    this.#deps.logger.warn(
      truncated
        ? 'File is shorter than its checkpoint (truncated while stopped); reading it from the start.'
        : 'File has a checkpointed identity but other content (inode reuse); reading it from the start.',
      { path: c.path, checkpoint: entry.offset, size: c.size },
    );
    this.addGhost(this.#entryGhost(entry));
    await this.#startNew(c, fh, HEAD);
  }

  async #resumeAt(c: Candidate, fh: FileHandle, entry: CheckpointEntry): Promise<TailedFile> {
    const recent = (await readTail(fh, entry.offset)) ?? EMPTY;
    const head = await readAt(fh, 0, this.#options.fingerprintBytes);
    return this.#track(c, fh, head, checkpointOf(entry), recent, checkpointOf(entry));
  }

  async #discover(c: Candidate, first: boolean, now: number): Promise<void> {
    // An empty file says nothing about what it is: decide once it has bytes.
    if (c.size === 0) return;
    if (this.#options.oldestMs > 0 && now - c.mtimeMs > this.#options.oldestMs) return;
    const fh = await this.#open(c.path, c.key);
    if (fh === undefined) return;
    const head = await readAt(fh, 0, this.#options.fingerprintBytes);
    for (const ghost of this.#ghosts) {
      const { offset } = ghost.mark;
      if (ghost.adoptedBy !== undefined || offset === 0 || c.size < offset) continue;
      if (await contentMatches(fh, ghost.mark)) {
        await this.#adopt(ghost, c, fh, head);
        return;
      }
    }
    if (this.#mayBeCopy(c, head, now)) {
      await fh.close();
      return;
    }
    this.#deferred.delete(c.path);
    const fromTail = first && !this.#journalExisted && this.#options.startAtTail;
    await this.#startNew(c, fh, fromTail ? await lineStartBefore(fh, c.size) : HEAD, head);
  }

  /**
   * True while a new file looks like a copy of a live file that has not been truncated yet, or
   * of a truncated one whose copy is still being written: reading it now would duplicate.
   */
  #mayBeCopy(c: Candidate, head: Buffer, now: number): boolean {
    const { deferMs } = this.#options;
    let similar = this.#ghosts.some(
      (g) => g.adoptedBy === undefined && c.size < g.mark.offset && prefixEqual(head, g.head),
    );
    for (const x of this.#files.values()) {
      if (similar) break;
      const settled = x.detachedSince === undefined && (x.movedAt === undefined || now - x.movedAt > deferMs);
      similar = x.fh !== undefined && settled && prefixEqual(head, x.head);
    }
    if (!similar) return false;
    const since = this.#deferred.get(c.path) ?? now;
    this.#deferred.set(c.path, since);
    return now - since < deferMs;
  }

  async #adopt(ghost: Ghost, c: Candidate, fh: FileHandle, head: Buffer): Promise<void> {
    const { offset, tail } = ghost.mark;
    const recent = (await readTail(fh, offset)) ?? EMPTY;
    ghost.adoptedBy = this.#track(c, fh, head, { offset, tail, skip: false }, recent, ghost.acked);
    this.#deps.counters.add('copies_adopted');
    this.#deps.logger.info('New file holds the content of a truncated file; reading on from its offset.', {
      path: c.path,
      offset,
    });
  }

  async #startNew(c: Candidate, fh: FileHandle, start: Start, head?: Buffer): Promise<void> {
    const recent = (await readTail(fh, start.offset)) ?? EMPTY;
    const state: CheckpointState = { ...start, tail: hashBytes(recent) };
    const known = head ?? (await readAt(fh, 0, this.#options.fingerprintBytes));
    this.#track(c, fh, known, state, recent, state);
  }

  #track(
    c: Candidate,
    fh: FileHandle,
    head: Buffer,
    start: CheckpointState,
    recent: Buffer,
    checkpoint: CheckpointState,
  ): TailedFile {
    const serial = ++this.#serial;
    const { key, stream, place } = c;
    const init = { key, path: c.path, stream, place, serial, head, start, recent, checkpoint };
    const file = new TailedFile(init, this.#deps.newSplitter, this.#options.lineLimit, this.#deps.counters);
    file.fh = fh;
    this.#files.set(c.key, file);
    this.#deps.counters.add('files_tracked');
    if (this.#openCount() > this.#options.maxOpenFiles) void this.#park(file);
    return file;
  }

  /** Journal entries not found by the first scan: look for their files by identity nearby. */
  async #recoverOrphans(now: number): Promise<void> {
    const byDir = new Map<string, CheckpointEntry[]>();
    for (const entry of this.#pending.values()) {
      const dir = path.dirname(entry.path);
      byDir.set(dir, [...(byDir.get(dir) ?? []), entry]);
    }
    for (const [dir, entries] of byDir) {
      const keys = new Map<string, string>();
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        const s = await statPath(path.join(dir, name), this.#options.followSymlinks);
        if (s?.isFile()) keys.set(identityKey(s), path.join(dir, name));
      }
      for (const entry of entries) {
        const found = keys.get(entry.key);
        const fh = found === undefined ? undefined : await this.#open(found, entry.key);
        if (fh !== undefined && (await contentMatches(fh, entry))) {
          const { key, stream } = entry;
          const c: Candidate = { path: found!, key, size: 0, mtimeMs: 0, stream, place: undefined };
          const file = await this.#resumeAt(c, fh, entry);
          file.detachedSince = now;
          this.#deps.logger.info('Found a checkpointed file under another name; draining it.', {
            path: found,
            was: entry.path,
          });
        } else {
          await fh?.close();
          this.addGhost(this.#entryGhost(entry));
        }
      }
    }
    this.#pending.clear();
  }

  #entryGhost(entry: CheckpointEntry): Ghost {
    const mark = { fingerprint: entry.fingerprint, offset: entry.offset, tail: entry.tail };
    const acked = checkpointOf(entry);
    return { mark, head: EMPTY, acked, last: undefined, createdAt: Date.now(), adoptedBy: undefined };
  }

  async #reopen(file: TailedFile): Promise<boolean> {
    const fh = await this.#open(file.path, file.key);
    if (fh === undefined) return false;
    if (!(await fingerprintMatches(fh, file.fingerprint))) {
      await fh.close();
      this.#lose(file, 'its identity was reused by another file while parked');
      return false;
    }
    file.fh = fh;
    file.openedAt = Date.now();
    file.atEof = false;
    return true;
  }

  async #park(file: TailedFile): Promise<void> {
    const fh = file.fh;
    file.fh = undefined;
    this.#deps.counters.add('files_parked');
    await fh?.close().catch(() => {});
  }

  #lose(file: TailedFile, why: string): void {
    this.#deps.counters.add('files_lost');
    this.#deps.logger.warn(`Stopped tracking a file: ${why}. Lines after its checkpoint may be lost.`, {
      path: file.path,
      offset: file.readOffset,
    });
    this.retire(file);
  }

  #openCount(): number {
    let n = 0;
    for (const f of this.#files.values()) if (f.fh !== undefined) n++;
    return n;
  }

  /** Opens `file` if it still has identity `key` (with O_NOFOLLOW unless symlinks are followed). */
  async #open(file: string, key: string): Promise<FileHandle | undefined> {
    let fh: FileHandle;
    try {
      const noFollow = this.#options.followSymlinks ? 0 : constants.O_NOFOLLOW;
      fh = await open(file, constants.O_RDONLY | noFollow);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ELOOP' && !this.#warned.has(file)) {
        this.#warned.add(file);
        this.#deps.counters.add('open_failures');
        this.#deps.logger.warn('Cannot open a matched file.', { path: file, error: errorMessage(error) });
      }
      return undefined;
    }
    this.#warned.delete(file);
    if (identityKey(await fh.stat({ bigint: true })) === key) return fh;
    await fh.close();
    return undefined;
  }
}
