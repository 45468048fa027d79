import path from 'node:path';
import { errorMessage } from '@hekate/core';
import { identityKey, statPath, TAIL_WINDOW } from './file-identity.js';
import type { StreamPlace } from './file-match.js';
import { FileSet, type FileSetDeps, type FileSetOptions } from './file-set.js';
import type { Journal } from './journal.js';
import type { PathDiscovery } from './path-discovery.js';
import type { FileBatch, FilePosition, TailedFile } from './tailed-file.js';
import { Wake } from './wake.js';

/** Timing and sizes of a {@link Tailer}. */
export interface TailerOptions extends FileSetOptions {
  readonly readBufferSize: number;
  readonly rescanMs: number;
  readonly checkMs: number;
  readonly checkpointMs: number;
  /** Orders the files of one Logstreamer stream oldest first; undefined: no ordering. */
  readonly compare: ((a: StreamPlace, b: StreamPlace) => number) | undefined;
}

/** What a {@link Tailer} works with. */
export interface TailerDeps extends FileSetDeps {
  readonly discovery: PathDiscovery;
  readonly journal: Journal;
  /** Hands a batch to the pipeline; resolves when there is room for more (backpressure). */
  readonly deliver: (file: TailedFile, batch: FileBatch) => Promise<void>;
}

/** Scans triggered by watch events are at least this far apart. */
const MIN_SCAN_GAP_MS = 100;
/**
 * Acknowledged progress that triggers a journal write before `checkpoint_interval` is up (but
 * not sooner than {@link MIN_WRITE_GAP_MS} after the last one), so that at high rates a crash
 * repeats less than an interval's worth of lines on top of what was in flight.
 */
const CHECKPOINT_BYTES = 1024 * 1024;
const MIN_WRITE_GAP_MS = 50;

/**
 * The tailing loop of one FileInput: reads every open file one chunk at a time in turn, waits
 * for the pipeline after each batch, polls (`stat`) for growth, truncation and rotation, rescans
 * for new files, and writes the journal as acknowledgements arrive. `fs.watch` events only cut
 * waits short. A rotated or deleted file is drained through its open handle and closed after
 * `rotate_wait` without growth.
 */
export class Tailer {
  readonly #options: TailerOptions;
  readonly #deps: TailerDeps;
  readonly #set: FileSet;
  readonly #wake: Wake;
  readonly #buf: Buffer;
  #order: TailedFile[] = [];
  #byPath = new Map<string, TailedFile>();
  #scanRequested = false;
  #checkRequested = false;
  #lastScan = 0;
  #dirty = false;
  /** Bytes acknowledged since the last journal write began. */
  #unwritten = 0;
  #writing = false;
  #lastWrite = 0;
  #stopped = false;
  readonly #errorLogged = new Map<TailedFile, number>();

  constructor(options: TailerOptions, deps: TailerDeps) {
    this.#options = options;
    this.#deps = deps;
    this.#set = new FileSet(options, deps);
    this.#buf = Buffer.allocUnsafe(options.readBufferSize + TAIL_WINDOW);
    this.#wake = new Wake((dir, event, name) => this.#hint(dir, event, name));
  }

  /** Tails until `signal` aborts, then writes the final checkpoints and closes the files. */
  async run(signal: AbortSignal): Promise<void> {
    const loaded = await this.#deps.journal.load();
    this.#set.restore(loaded.entries, loaded.existed);
    await this.#scan(true);
    this.#dirty = true;
    this.#flush();
    const timer = setInterval(() => this.#flush(), this.#options.checkpointMs);
    let nextScan = Date.now() + this.#options.rescanMs;
    let nextCheck = Date.now() + this.#options.checkMs;
    try {
      while (!signal.aborted) {
        const progressed = await this.#readRound(signal);
        const now = Date.now();
        if (now >= nextScan || (this.#scanRequested && now - this.#lastScan >= MIN_SCAN_GAP_MS)) {
          await this.#scan(false);
          nextScan = now + this.#options.rescanMs;
        }
        if (now >= nextCheck || this.#checkRequested) {
          this.#checkRequested = false;
          await this.#check();
          nextCheck = Date.now() + this.#options.checkMs;
        }
        if (!progressed) {
          const rescan = this.#scanRequested ? this.#lastScan + MIN_SCAN_GAP_MS : Infinity;
          await this.#wake.wait(Math.min(nextScan, nextCheck, rescan) - Date.now(), signal);
        }
      }
    } finally {
      clearInterval(timer);
      this.#wake.close();
      await this.#stop();
    }
  }

  /** The pipeline acknowledged a batch (and every earlier one of its file). */
  acknowledge(position: unknown): void {
    const p = position as FilePosition;
    const before = p.file.checkpoint.offset;
    if (p.file.acknowledge(p)) {
      this.#dirty = true;
      this.#unwritten += Math.max(0, p.file.checkpoint.offset - before);
    }
    if (p.file.finished && p.file.caughtUp && this.#set.release(p.file)) this.#dirty = true;
    if (this.#stopped) this.#flushSync();
    else if (this.#unwritten >= CHECKPOINT_BYTES && Date.now() - this.#lastWrite >= MIN_WRITE_GAP_MS) {
      this.#flush();
    }
  }

  async #readRound(signal: AbortSignal): Promise<boolean> {
    let progressed = false;
    const busy = new Set<string>();
    for (const file of this.#order) {
      if (signal.aborted) break;
      const group = file.place === undefined ? undefined : file.stream;
      if (file.fh === undefined || file.finished || file.atEof) continue;
      if (group !== undefined && busy.has(group)) continue;
      let result: Buffer | 'eof' | 'replaced';
      try {
        result = await file.read(this.#buf);
      } catch (error) {
        this.#readFailed(file, error);
        continue;
      }
      if (result === 'eof') {
        file.atEof = true;
        continue;
      }
      progressed = true;
      if (group !== undefined) busy.add(group);
      if (result === 'replaced') this.#truncated(file);
      else {
        const batch = file.consume(result);
        if (batch !== undefined) await this.#deliver(file, batch);
      }
    }
    return progressed;
  }

  async #deliver(file: TailedFile, batch: FileBatch): Promise<void> {
    const complete = batch.position.tail === '' ? await file.withTail(batch) : batch;
    file.delivered(complete.position);
    await this.#deps.deliver(file, complete);
  }

  async #scan(first: boolean): Promise<void> {
    this.#scanRequested = false;
    this.#lastScan = Date.now();
    if (await this.#set.reconcile(await this.#deps.discovery.scan(), first)) this.#dirty = true;
    this.#reorder();
  }

  /** Polls every open file: growth, truncation, rotation (its path leads elsewhere) and deletion. */
  async #check(): Promise<void> {
    const now = Date.now();
    for (const file of [...this.#set.tracked]) {
      if (file.fh === undefined) continue;
      let size: number;
      let links: number;
      try {
        const s = await file.fh.stat();
        size = s.size;
        links = s.nlink;
      } catch (error) {
        this.#readFailed(file, error);
        continue;
      }
      if (size < file.readOffset) {
        this.#truncated(file);
        continue;
      }
      if (size > file.readOffset) file.atEof = false;
      await file.refreshHead(size, this.#options.fingerprintBytes);
      const here = await statPath(file.path, this.#options.followSymlinks);
      if (links > 0 && here !== undefined && identityKey(here) === file.key) file.detachedSince = undefined;
      else if (file.detachedSince === undefined) {
        file.detachedSince = now;
        this.#scanRequested = true;
      }
      const quietSince = Math.max(file.lastGrowth, file.detachedSince ?? Infinity);
      const drained = file.atEof && size === file.readOffset;
      if (drained && now - quietSince >= this.#options.rotateWaitMs) await this.#finish(file);
    }
    await this.#set.balance(now);
    this.#reorder();
  }

  /** A rotated-away or deleted file is drained: deliver its last record and close it. */
  async #finish(file: TailedFile): Promise<void> {
    const batch = file.finish();
    if (batch !== undefined) await this.#deliver(file, batch);
    const fh = file.fh;
    file.fh = undefined;
    await fh?.close();
    this.#set.retire(file);
    this.#deps.counters.add('files_finished');
    this.#dirty = true;
  }

  #truncated(file: TailedFile): void {
    const offset = file.readOffset;
    this.#set.addGhost(file.truncated(Date.now()));
    this.#deps.counters.add('truncations');
    this.#deps.logger.warn('File was truncated; reading it again from the start.', {
      path: file.path,
      offset,
    });
    this.#dirty = true;
    this.#scanRequested = true;
  }

  #readFailed(file: TailedFile, error: unknown): void {
    this.#deps.counters.add('read_errors');
    file.atEof = true;
    const last = this.#errorLogged.get(file) ?? 0;
    if (Date.now() - last >= 60_000) {
      this.#errorLogged.set(file, Date.now());
      this.#deps.logger.warn('Reading a file failed; retrying at the next poll.', {
        path: file.path,
        error: errorMessage(error),
      });
    }
  }

  /** Rebuilds the read order (Logstreamer streams oldest file first) and the watch set. */
  #reorder(): void {
    const files = [...this.#set.tracked];
    const compare = this.#options.compare;
    if (compare !== undefined) {
      files.sort((a, b) => {
        if (a.place === undefined || b.place === undefined) return 0;
        return a.stream === b.stream ? compare(a.place, b.place) : a.stream < b.stream ? -1 : 1;
      });
    }
    this.#order = files;
    this.#byPath = new Map(files.map((f) => [f.path, f]));
    this.#wake.watchDirs([...this.#deps.discovery.watchDirs, ...files.map((f) => path.dirname(f.path))]);
  }

  #hint(dir: string, event: string, name: string | null): void {
    if (event === 'rename') {
      this.#scanRequested = true;
      this.#checkRequested = true;
    }
    if (name === null) {
      for (const f of this.#order) f.atEof = false;
      return;
    }
    const file = this.#byPath.get(path.join(dir, name));
    if (file !== undefined) file.atEof = false;
  }

  #flush(): void {
    if (!this.#dirty || this.#writing || this.#stopped) return;
    this.#dirty = false;
    this.#unwritten = 0;
    this.#writing = true;
    this.#lastWrite = Date.now();
    this.#deps.journal
      .write(this.#set.entries())
      .catch((error: unknown) => this.#writeFailed(error))
      .finally(() => (this.#writing = false));
  }

  #flushSync(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    this.#unwritten = 0;
    try {
      this.#deps.journal.writeSync(this.#set.entries());
    } catch (error) {
      this.#writeFailed(error);
    }
  }

  #writeFailed(error: unknown): void {
    this.#dirty = true;
    this.#deps.counters.add('checkpoint_failures');
    this.#deps.logger.error('Writing the checkpoint journal failed; retrying.', {
      error: errorMessage(error),
    });
  }

  async #stop(): Promise<void> {
    await this.#deps.journal.settled();
    this.#stopped = true;
    this.#flushSync();
    await this.#set.closeAll();
  }
}
