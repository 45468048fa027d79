import { mkdir, open, unlink } from 'node:fs/promises';
import type { Logger } from '../logger.js';
import {
  readCursor,
  removeCursorTemp,
  writeCursor,
  type Cursor,
  type CursorReading,
} from './cursor-file.js';
import { DIR_MODE, listSegmentFiles, type SegmentFile } from './segment-files.js';
import type { Segment } from './segment-list.js';
import { summarizeSegment } from './segment-summary.js';

/** Where reading starts, and why the cursor could not be used if it could not. */
export interface StartDecision {
  start: Cursor;
  /** Set when the cursor file was unusable: reading restarts at the oldest segment. */
  problem?: string;
}

/**
 * Decides where reading starts from the segments on disk and the cursor file. The cursor is used
 * when it points inside an existing segment; otherwise reading restarts at the oldest segment
 * (re-delivering: at-least-once), and `problem` says why. It is never silently reset.
 */
export function chooseStart(files: readonly SegmentFile[], reading: CursorReading): StartDecision {
  const missing = 'the cursor points at a missing segment';
  const oldest: Cursor = { segment: files[0]?.id ?? 1, offset: 0 };
  if (reading.state === 'missing') return { start: oldest };
  if (reading.state === 'invalid') return { start: oldest, problem: reading.problem };
  const cursor = reading.cursor;
  if (files.length === 0) {
    // With no segment left, (next id, 0) is where a fully drained queue stands.
    if (cursor.offset === 0) return { start: cursor };
    return { start: { segment: cursor.segment + 1, offset: 0 }, problem: missing };
  }
  const segment = files.find((f) => f.id === cursor.segment);
  if (segment === undefined) return { start: oldest, problem: missing };
  if (cursor.offset > segment.size) {
    return { start: oldest, problem: 'the cursor is past the end of its segment' };
  }
  return { start: cursor };
}

/** The state an opened disk queue starts from. */
export interface RecoveredQueue {
  segments: Segment[];
  start: Cursor;
  truncatedBytes: number;
  cursorRecoveries: number;
}

/**
 * Brings a queue directory to a consistent state: creates it if missing, settles the cursor,
 * removes segments the cursor has passed, truncates torn tails (partial records a crash left at
 * the end of a segment), counts the records to be read and fsyncs every segment. Corrupt content
 * is logged and counted, never thrown; only real I/O errors are.
 */
export async function recoverQueue(dir: string, logger: Logger): Promise<RecoveredQueue> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  const files = await listSegmentFiles(dir);
  const reading = await readCursor(dir);
  const { start, problem } = chooseStart(files, reading);
  let cursorRecoveries = 0;
  if (problem !== undefined) {
    cursorRecoveries++;
    logger.error('Disk queue cursor is unusable; reading again from the oldest segment.', {
      dir,
      problem,
      start: `${start.segment}:${start.offset}`,
    });
  } else if (reading.state === 'missing' && files.length > 0) {
    logger.info('Disk queue has no cursor yet; reading from the oldest segment.', { dir });
  }
  if (reading.state === 'ok' && reading.fromTemp && problem === undefined) {
    await writeCursor(dir, reading.cursor); // finish the write a crash interrupted
  }
  await removeCursorTemp(dir);

  const segments: Segment[] = [];
  let truncatedBytes = 0;
  for (const file of files) {
    if (file.id < start.segment) {
      await unlink(file.path);
      logger.info('Removed a fully acknowledged disk queue segment.', { dir, segment: file.id });
      continue;
    }
    const from = file.id === start.segment ? start.offset : 0;
    const fh = await open(file.path, 'r+');
    try {
      const summary = await summarizeSegment(fh, from, file.size);
      let size = file.size;
      if (summary.tornTailAt !== undefined) {
        size = summary.tornTailAt;
        truncatedBytes += file.size - size;
        await fh.truncate(size);
        logger.warn('Truncated a torn record at the end of a disk queue segment.', {
          dir,
          segment: file.id,
          offset: size,
          bytes: file.size - size,
        });
      }
      if (summary.corruptRegions > 0) {
        logger.warn('Disk queue segment has corrupt regions; they will be quarantined when read.', {
          dir,
          segment: file.id,
          regions: summary.corruptRegions,
          bytes: summary.corruptBytes,
        });
      }
      // A previous process may have died with this data only in the page cache.
      await fh.datasync();
      const { id, path } = file;
      segments.push({ id, path, size, records: summary.records, syncedSize: size });
    } finally {
      await fh.close();
    }
  }
  return { segments, start, truncatedBytes, cursorRecoveries };
}
