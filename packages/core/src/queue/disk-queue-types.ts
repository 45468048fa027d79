import type { Logger } from '../logger.js';
import type { QueuePosition } from './queue-position.js';

/**
 * When appended records are forced to disk.
 * - `batch`: every `append()` is fdatasync'ed before it resolves (survives a host crash; slowest).
 * - `interval`: at most every `fsyncIntervalMs`; `append()` resolves before (a host crash loses at
 *   most that interval).
 * - `never`: the OS decides (a host crash loses what the page cache held).
 *
 * All three survive a process crash (SIGKILL): written bytes are in the page cache.
 */
export type FsyncPolicy = 'batch' | 'interval' | 'never';

/** How a {@link DiskQueue} is set up; the keys mirror Heka's `[x.buffering]` section. */
export interface DiskQueueOptions {
  /** The queue's directory; created with mode 0700 if missing. Files are mode 0600. */
  dir: string;
  /**
   * Segment size limit in bytes (Heka `max_file_size`): a batch that would take the active
   * segment past it starts a new segment. Space is reclaimed a whole segment at a time, so
   * smaller segments (16 MiB is the usual default) free space sooner.
   */
  maxFileSize: number;
  /** Limit on the bytes of all segments together, 0 for none (Heka `max_buffer_size`). */
  maxBufferSize: number;
  /** When appends reach the disk. */
  fsync: FsyncPolicy;
  /** The longest time appended bytes wait for an fsync under the `interval` policy. */
  fsyncIntervalMs: number;
  /**
   * Persist the read cursor every this many `ack()` calls (Heka `cursor_update_count`), and
   * always on `close()`. After a crash, at most this many acknowledged batches are read again.
   */
  cursorUpdateCount: number;
  /** Where recovery and I/O problems are reported. */
  logger: Logger;
}

/** One record read from the queue. */
export interface QueueRecord {
  /** Pass to `ack()` once the record (and every record before it) is done. */
  position: QueuePosition;
  /** The bytes given to `append()`. A view into a read buffer: copy it to keep it long. */
  data: Uint8Array;
}

/** A snapshot of a queue's state and counters. */
export interface QueueStats {
  /** Segment files on disk. */
  segments: number;
  /** Bytes in those files (what `maxBufferSize` limits). */
  bytes: number;
  /** Records appended (or found at open) and not yet acknowledged. */
  pending: number;
  /** The acknowledged position, `"<segment>:<offset>"`. */
  cursor: string;
  /** Corrupt regions skipped while reading (each may have held one or more records). */
  corruptRecords: number;
  /** Bytes copied to `quarantine/` from those regions. */
  quarantinedBytes: number;
  /** Bytes of torn tails (partial records left by a crash) truncated at open. */
  truncatedBytes: number;
  /** Times the cursor file was unusable and reading restarted at the oldest segment. */
  cursorRecoveries: number;
}

/** One segment file as {@link inspectQueue} sees it. */
export interface SegmentInspection {
  name: string;
  id: number;
  size: number;
  /** Valid records in the file. */
  records: number;
  /** Corrupt regions followed by valid records (they would be quarantined when read). */
  corruptRegions: number;
  /** Bytes in those regions. */
  corruptBytes: number;
  /** Bytes of an invalid tail (a torn last record) that open would truncate. */
  tornTailBytes: number;
}

/** What {@link inspectQueue} reports about a queue directory. */
export interface QueueInspection {
  dir: string;
  segments: SegmentInspection[];
  cursor: {
    /** `missing`: no cursor file; `invalid`: unusable, open would read from the oldest segment. */
    state: 'ok' | 'missing' | 'invalid';
    segment?: number;
    offset?: number;
    problem?: string;
  };
  /** Records a reader opening the queue now would deliver. */
  pending: number;
  /** Bytes in all segments. */
  bytes: number;
}
