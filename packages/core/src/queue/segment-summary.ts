import type { FileHandle } from 'node:fs/promises';
import { NEEDS_FILL, SegmentScanner } from './segment-scanner.js';

/** What one pass over a segment found. */
export interface SegmentSummary {
  /** Valid records from the scan's start. */
  records: number;
  /** Valid records starting at or after `countFrom`. */
  recordsFrom: number;
  /** Corrupt regions followed by a valid record. */
  corruptRegions: number;
  corruptBytes: number;
  /** Where an invalid tail (no valid record after it) starts, if there is one. */
  tornTailAt: number | undefined;
}

/** Scans a segment from `from` to `size` and counts what is there. */
export async function summarizeSegment(
  fh: FileHandle,
  from: number,
  size: number,
  countFrom = from,
): Promise<SegmentSummary> {
  const summary: SegmentSummary = {
    records: 0,
    recordsFrom: 0,
    corruptRegions: 0,
    corruptBytes: 0,
    tornTailAt: undefined,
  };
  const scanner = new SegmentScanner(fh, from);
  for (;;) {
    const entry = scanner.next(size);
    if (entry === undefined) return summary;
    if (entry === NEEDS_FILL) {
      await scanner.fill(size);
    } else if (entry.kind === 'record') {
      summary.records++;
      if (entry.start >= countFrom) summary.recordsFrom++;
    } else if (entry.toEnd) {
      summary.tornTailAt = entry.start;
    } else {
      summary.corruptRegions++;
      summary.corruptBytes += entry.end - entry.start;
    }
  }
}
