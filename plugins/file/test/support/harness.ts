import type { SplitRecord } from '@hekate/core';
import { Counters, silentLogger } from '@hekate/core';
import { FileMatch, type FileMatchOptions } from '../../src/file-match.js';
import { Journal } from '../../src/journal.js';
import { PathDiscovery, type DiscoverySource } from '../../src/path-discovery.js';
import type { FilePosition } from '../../src/tailed-file.js';
import { Tailer, type TailerOptions } from '../../src/tailer.js';
import { LineSplitter } from './line-splitter.js';

export { tempDir, sleep } from './util.js';

/** A delivered record with where it came from. */
export interface Line {
  readonly text: string;
  readonly path: string;
  readonly stream: string;
  readonly offset: number;
}

/** Fast timings for tests. */
export const FAST: Omit<TailerOptions, 'compare'> = {
  fingerprintBytes: 1024,
  maxOpenFiles: 64,
  followSymlinks: false,
  startAtTail: false,
  oldestMs: 0,
  deferMs: 300,
  ghostTtlMs: 5000,
  rotateWaitMs: 150,
  lineLimit: { maxBytes: 64 * 1024, action: 'truncate' },
  readBufferSize: 64 * 1024,
  rescanMs: 40,
  checkMs: 20,
  checkpointMs: 20,
};

/** How a harness source is described: globs, or Logstreamer options under a directory. */
export type SourceSpec = { include: string[]; exclude?: string[] } | ({ directory: string } & FileMatchOptions);

/** Options of one harness run. */
export interface RunSpec {
  source: SourceSpec;
  stateDir: string;
  options?: Partial<TailerOptions>;
  /** Acknowledge each batch at once (default) or only when `ackAll()` is called. */
  manualAcks?: boolean;
  deliverIncompleteFinal?: boolean;
}

/**
 * Runs a Tailer against real files with a fake pipeline: records what is delivered and
 * acknowledges it (at once, or on demand).
 */
export class TailerRun {
  readonly lines: Line[] = [];
  readonly counters = new Counters();
  readonly #abort = new AbortController();
  readonly #tailer: Tailer;
  readonly #unacked: FilePosition[] = [];
  readonly #manual: boolean;
  #gate: Promise<void> | undefined;
  readonly done: Promise<void>;

  constructor(spec: RunSpec) {
    this.#manual = spec.manualAcks === true;
    let source: DiscoverySource;
    let match: FileMatch | undefined;
    if ('include' in spec.source) {
      source = { kind: 'glob', include: spec.source.include, exclude: spec.source.exclude ?? [], stream: 'in' };
    } else {
      match = new FileMatch(spec.source);
      source = { kind: 'logstreamer', directory: spec.source.directory, match, exclude: [] };
    }
    const options: TailerOptions = { ...FAST, compare: match && ((a, b) => match.compare(a, b)), ...spec.options };
    this.#tailer = new Tailer(options, {
      discovery: new PathDiscovery(source, options.followSymlinks, this.counters),
      journal: new Journal(spec.stateDir, silentLogger, this.counters),
      newSplitter: () => new LineSplitter(spec.deliverIncompleteFinal),
      logger: silentLogger,
      counters: this.counters,
      deliver: async (file, batch) => {
        await this.#gate;
        batch.records.forEach((r: SplitRecord, i) => this.lines.push({ text: String(r), path: file.path, stream: file.stream, offset: batch.offsets[i]! }));
        if (this.#manual) this.#unacked.push(batch.position);
        else this.#tailer.acknowledge(batch.position);
      },
    });
    this.done = this.#tailer.run(this.#abort.signal);
  }

  /** The delivered texts. */
  get texts(): string[] {
    return this.lines.map((l) => l.text);
  }

  /** Makes deliveries wait (the pipeline is full) until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.#gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.#gate = undefined;
      release();
    };
  }

  /** Acknowledges every batch delivered so far. */
  ackAll(): void {
    for (const p of this.#unacked.splice(0)) this.#tailer.acknowledge(p);
  }

  /** Waits until `predicate` holds (polling), failing after `ms`. */
  async until(predicate: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; got ${this.lines.length} lines.`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Waits for `n` lines in total. */
  untilLines(n: number, ms = 10_000): Promise<void> {
    return this.until(() => this.lines.length >= n, ms, `${n} lines`);
  }

  /** Stops the tailer (final checkpoint written). */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.done;
  }
}
