import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { PluginCounters } from '@hekate/core';
import { identityKey, statPath } from './file-identity.js';
import type { FileMatch, StreamPlace } from './file-match.js';
import { Glob, segmentMatches, type Segment } from './glob.js';

/** A file found by a scan. */
export interface Candidate {
  /** Absolute path as found (not resolved through symlinks). */
  readonly path: string;
  /** `dev:ino` of the file (of the symlink's target when symlinks are followed). */
  readonly key: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** The Logger name of the file's messages. */
  readonly stream: string;
  /** Files of one group are read oldest first (Logstreamer); undefined: no ordering. */
  readonly place: StreamPlace | undefined;
}

/** Where to look: globs, or a Logstreamer directory with `file_match`. */
export type DiscoverySource =
  | {
      readonly kind: 'glob';
      readonly include: readonly string[];
      readonly exclude: readonly string[];
      readonly stream: string;
    }
  | {
      readonly kind: 'logstreamer';
      readonly directory: string;
      readonly match: FileMatch;
      readonly exclude: readonly string[];
    };

/** Receives each file a scan finds. */
type Found = (candidate: Candidate | undefined) => void;

/** Deepest directory level a scan descends to (`**`, Logstreamer trees). */
const MAX_DEPTH = 16;

/**
 * Finds the files an input reads: expands its globs (or walks its Logstreamer directory) and
 * stats each match. Symlinks are skipped unless followed, and each skipped one is counted once
 * (`files_skipped_symlink`).
 */
export class PathDiscovery {
  readonly #source: DiscoverySource;
  readonly #include: readonly Glob[];
  readonly #exclude: readonly Glob[];
  readonly #followSymlinks: boolean;
  readonly #counters: PluginCounters;
  /** Symlinks already counted, so that each is counted once while it exists. */
  #skipped = new Set<string>();
  #seenSkipped = new Set<string>();

  constructor(source: DiscoverySource, followSymlinks: boolean, counters: PluginCounters) {
    this.#source = source;
    this.#include = source.kind === 'glob' ? source.include.map((p) => new Glob(p)) : [];
    this.#exclude = source.exclude.map((p) => new Glob(p));
    this.#followSymlinks = followSymlinks;
    this.#counters = counters;
  }

  /** The directories whose changes may reveal new files (for `fs.watch` hints). */
  get watchDirs(): string[] {
    if (this.#source.kind === 'logstreamer') return [this.#source.directory];
    return [...new Set(this.#include.map((g) => (g.isLiteral ? path.dirname(g.base) : g.base)))];
  }

  /** Every matching regular file, once each (by path). */
  async scan(): Promise<Candidate[]> {
    this.#seenSkipped = new Set();
    const found = new Map<string, Candidate>();
    const add: Found = (candidate) => {
      if (candidate !== undefined && !found.has(candidate.path)) found.set(candidate.path, candidate);
    };
    if (this.#source.kind === 'glob') {
      for (const glob of this.#include) {
        if (glob.isLiteral) add(await this.#candidate(glob.base, undefined, false));
        else await this.#expand(glob.base, glob.rest, 0, add);
      }
    } else {
      await this.#walk(this.#source.directory, '', 0, add);
    }
    this.#skipped = this.#seenSkipped;
    return [...found.values()];
  }

  async #expand(dir: string, rest: readonly Segment[], depth: number, add: Found): Promise<void> {
    const [segment, ...tail] = rest;
    if (segment === undefined || depth > MAX_DEPTH) return;
    const entries = await listDir(dir);
    if (segment.kind === 'globstar') {
      await this.#expand(dir, tail, depth, add);
      for (const entry of entries) {
        if (await this.#isDir(dir, entry)) {
          await this.#expand(path.join(dir, entry.name), rest, depth + 1, add);
        }
      }
      return;
    }
    for (const entry of entries) {
      if (!segmentMatches(segment, entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (tail.length === 0) add(await this.#candidate(full, undefined, entry.isSymbolicLink()));
      else if (await this.#isDir(dir, entry)) await this.#expand(full, tail, depth + 1, add);
    }
  }

  async #walk(dir: string, relative: string, depth: number, add: Found): Promise<void> {
    if (this.#source.kind !== 'logstreamer' || depth > MAX_DEPTH) return;
    const { match } = this.#source;
    for (const entry of await listDir(dir)) {
      const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const full = path.join(dir, entry.name);
      if (await this.#isDir(dir, entry)) {
        await this.#walk(full, rel, depth + 1, add);
        continue;
      }
      const place = match.place(rel);
      if (place !== undefined) add(await this.#candidate(full, place, entry.isSymbolicLink()));
    }
  }

  async #isDir(dir: string, entry: Dirent): Promise<boolean> {
    if (entry.isDirectory()) return true;
    if (!entry.isSymbolicLink() || !this.#followSymlinks) return false;
    const s = await statPath(path.join(dir, entry.name), true);
    return s?.isDirectory() === true;
  }

  async #candidate(
    file: string,
    place: StreamPlace | undefined,
    knownLink: boolean,
  ): Promise<Candidate | undefined> {
    if (this.#exclude.some((g) => g.matches(file))) return undefined;
    const isLink = knownLink || (await statPath(file, false))?.isSymbolicLink() === true;
    if (isLink && !this.#followSymlinks) {
      this.#seenSkipped.add(file);
      if (!this.#skipped.has(file)) this.#counters.add('files_skipped_symlink');
      return undefined;
    }
    const s = await statPath(file, true);
    if (s === undefined || !s.isFile()) return undefined;
    const stream = this.#source.kind === 'glob' ? this.#source.stream : place!.stream;
    const size = Number(s.size);
    return { path: file, key: identityKey(s), size, mtimeMs: Number(s.mtimeMs), stream, place };
  }
}

async function listDir(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    // Missing or unreadable directories are simply empty: they may appear later.
    return [];
  }
}
