import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { readCursor } from './cursor-file.js';
import type { QueueInspection, SegmentInspection } from './disk-queue-types.js';
import { chooseStart } from './queue-recovery.js';
import { listSegmentFiles } from './segment-files.js';
import { summarizeSegment } from './segment-summary.js';

/**
 * Describes a disk queue directory without changing it (for `hekate queue inspect`): each
 * segment's size, valid records, corrupt regions and torn tail, the cursor, and how many records
 * a reader opening the queue now would deliver. Safe to run beside a live queue, though the
 * figures are then a moment's snapshot.
 */
export async function inspectQueue(dir: string): Promise<QueueInspection> {
  const files = await listSegmentFiles(dir);
  const reading = await readCursor(dir);
  const { start, problem } = chooseStart(files, reading);
  const segments: SegmentInspection[] = [];
  let pending = 0;
  let bytes = 0;
  for (const file of files) {
    const countFrom =
      file.id < start.segment ? Infinity : file.id === start.segment ? start.offset : 0;
    const fh = await open(file.path, 'r');
    try {
      const s = await summarizeSegment(fh, 0, file.size, countFrom);
      pending += s.recordsFrom;
      bytes += file.size;
      segments.push({
        name: basename(file.path),
        id: file.id,
        size: file.size,
        records: s.records,
        corruptRegions: s.corruptRegions,
        corruptBytes: s.corruptBytes,
        tornTailBytes: s.tornTailAt === undefined ? 0 : file.size - s.tornTailAt,
      });
    } finally {
      await fh.close();
    }
  }
  const cursor: QueueInspection['cursor'] =
    reading.state === 'ok'
      ? { state: problem === undefined ? 'ok' : 'invalid', ...reading.cursor }
      : { state: reading.state };
  if (problem !== undefined) cursor.problem = problem;
  return { dir, segments, cursor, pending, bytes };
}
