import type { z } from 'zod';
import type { bufferingSchema } from '../config/common-options.js';
import type { Logger } from '../logger.js';
import type { MessageQueue } from '../queue/message-queue.js';
import type { BatchSource } from '../runners/batch-source.js';
import type { Counters } from '../runners/counters.js';
import { DiskSource } from '../runners/disk-source.js';

/** The disk-buffered batch source of an output with `use_buffering = true`. */
export function createBatchSource(
  queue: MessageQueue,
  buffering: z.output<typeof bufferingSchema>,
  dir: string,
  logger: Logger,
  counters: Counters,
): BatchSource {
  return new DiskSource(queue, {
    dir,
    maxFileSize: buffering.max_file_size,
    maxBufferSize: buffering.max_buffer_size,
    fsync: buffering.fsync,
    fsyncIntervalMs: buffering.fsync_interval,
    cursorUpdateCount: buffering.cursor_update_count,
    fullAction: buffering.full_action,
    spoolAfterMs: buffering.spool_after,
    logger,
    counters,
  });
}
