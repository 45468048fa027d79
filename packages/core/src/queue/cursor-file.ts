import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from './crc32c.js';
import { FILE_MODE, fsyncPath } from './segment-files.js';

/** A read position: the segment id and the byte offset of the next record to read. */
export interface Cursor {
  readonly segment: number;
  readonly offset: number;
}

/** What was found in a queue's cursor files. */
export type CursorReading =
  | {
      readonly state: 'ok';
      readonly cursor: Cursor;
      /** Read from a write that a crash interrupted. */
      readonly fromTemp: boolean;
    }
  | { readonly state: 'missing' }
  | { readonly state: 'invalid'; readonly problem: string };

const CURSOR_FILE = 'cursor';
const TEMP_FILE = 'cursor.tmp';
const LINE = /^hekate-queue-cursor 1 (\d{1,15}) (\d{1,15}) ([0-9a-f]{8})\n$/;
const encoder = new TextEncoder();

function checksum(body: string): string {
  return crc32c(encoder.encode(body)).toString(16).padStart(8, '0');
}

/**
 * The cursor file's text: one line, `hekate-queue-cursor 1 <segment> <offset> <crc>`, where crc is
 * the CRC-32C of what precedes it. Anything else (empty, truncated, trailing bytes, a bad
 * checksum) is invalid, never silently read as zero.
 */
export function formatCursor(cursor: Cursor): string {
  const body = `hekate-queue-cursor 1 ${cursor.segment} ${cursor.offset}`;
  return `${body} ${checksum(body)}\n`;
}

/** Parses {@link formatCursor}'s text; a string says what is wrong. */
export function parseCursor(text: string): Cursor | string {
  if (text.length === 0) return 'the cursor file is empty';
  const m = LINE.exec(text);
  if (m === null) return 'the cursor file is malformed';
  const body = text.slice(0, text.lastIndexOf(' '));
  if (checksum(body) !== m[3]) return 'the cursor checksum does not match';
  return { segment: Number(m[1]), offset: Number(m[2]) };
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'latin1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function isAfter(a: Cursor, b: Cursor): boolean {
  return a.segment > b.segment || (a.segment === b.segment && a.offset > b.offset);
}

/**
 * Reads the cursor of the queue in `dir`. A valid temporary file newer than the cursor file is a
 * write that a crash interrupted between fsync and rename: it is used, being the later
 * acknowledged position. Read-only.
 */
export async function readCursor(dir: string): Promise<CursorReading> {
  const text = await readText(join(dir, CURSOR_FILE));
  const tempText = await readText(join(dir, TEMP_FILE));
  const main = text === undefined ? undefined : parseCursor(text);
  const temp = tempText === undefined ? undefined : parseCursor(tempText);
  const tempCursor = typeof temp === 'object' ? temp : undefined;
  if (tempCursor !== undefined && (typeof main !== 'object' || isAfter(tempCursor, main))) {
    return { state: 'ok', cursor: tempCursor, fromTemp: true };
  }
  if (typeof main === 'object') return { state: 'ok', cursor: main, fromTemp: false };
  return main === undefined ? { state: 'missing' } : { state: 'invalid', problem: main };
}

/** Removes a leftover temporary cursor file, if any. */
export async function removeCursorTemp(dir: string): Promise<void> {
  await unlink(join(dir, TEMP_FILE)).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

/**
 * Replaces the cursor atomically: write a temporary file, fsync it, rename it over the cursor
 * file, fsync the directory. A crash at any point leaves the old or the new cursor, never a torn
 * one (Heka #1275, Logstash #8218).
 */
export async function writeCursor(dir: string, cursor: Cursor): Promise<void> {
  const temp = join(dir, TEMP_FILE);
  const fh = await open(temp, 'w', FILE_MODE);
  try {
    await fh.writeFile(formatCursor(cursor), 'latin1');
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(temp, join(dir, CURSOR_FILE));
  await fsyncPath(dir);
}
