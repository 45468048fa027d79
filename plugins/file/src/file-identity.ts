import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { lstat, stat, type FileHandle } from 'node:fs/promises';

/** How many bytes before a checkpoint offset its `tail` hash covers (Heka hashed 500). */
export const TAIL_WINDOW = 256;

/** A hash of a file's first `length` bytes (`length` grows to `fingerprint_bytes` with the file). */
export interface Fingerprint {
  readonly length: number;
  readonly hash: string;
}

/** The `dev:ino` key of a file, in decimal (64-bit safe). */
export function identityKey(stat: Pick<BigIntStats, 'dev' | 'ino'>): string {
  return `${stat.dev}:${stat.ino}`;
}

/**
 * `stat` (following symlinks) or `lstat` of a path, with 64-bit identities; undefined when the
 * path is gone or unreadable.
 */
export async function statPath(file: string, followSymlinks: boolean): Promise<BigIntStats | undefined> {
  try {
    return followSymlinks ? await stat(file, { bigint: true }) : await lstat(file, { bigint: true });
  } catch {
    return undefined;
  }
}

/** A short, collision-resistant hash of some bytes (SHA-256, 128 bits, base64url). */
export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 22);
}

/** Reads up to `length` bytes at `position`; fewer only at end of file. */
export async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** The fingerprint of a file's first `maxBytes` bytes (fewer when the file is shorter). */
export async function readFingerprint(fh: FileHandle, maxBytes: number): Promise<Fingerprint> {
  const head = await readAt(fh, 0, maxBytes);
  return { length: head.length, hash: hashBytes(head) };
}

/** True when the file starts with the bytes `fingerprint` was taken from. */
export async function fingerprintMatches(fh: FileHandle, fingerprint: Fingerprint): Promise<boolean> {
  const head = await readAt(fh, 0, fingerprint.length);
  return head.length === fingerprint.length && hashBytes(head) === fingerprint.hash;
}

/**
 * The bytes just before `offset` (at most {@link TAIL_WINDOW}), or undefined when the file has
 * fewer than `offset` bytes.
 */
export async function readTail(fh: FileHandle, offset: number): Promise<Buffer | undefined> {
  const start = Math.max(0, offset - TAIL_WINDOW);
  const bytes = await readAt(fh, start, offset - start);
  return bytes.length === offset - start ? bytes : undefined;
}

/**
 * What is known about a file's content up to a position: enough to recognise the same bytes in
 * another handle (after a restart, an inode reuse, or in a copytruncate copy).
 */
export interface ContentMark {
  readonly fingerprint: Fingerprint;
  readonly offset: number;
  /** Hash of the {@link TAIL_WINDOW} bytes before `offset`. */
  readonly tail: string;
}

/** True when the open file holds the bytes `mark` describes, up to its offset. */
export async function contentMatches(fh: FileHandle, mark: ContentMark): Promise<boolean> {
  if (!(await fingerprintMatches(fh, mark.fingerprint))) return false;
  const tail = await readTail(fh, mark.offset);
  return tail !== undefined && hashBytes(tail) === mark.tail;
}
