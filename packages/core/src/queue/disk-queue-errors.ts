import { HekateError } from '../errors.js';

/**
 * An append would take the disk queue past `maxBufferSize`. Nothing was written; the caller
 * applies its `full_action` (block and retry, drop, drop_oldest or shut down).
 */
export class QueueFullError extends HekateError {
  /** Bytes the rejected batch needed (records plus framing). */
  readonly needed: number;
  /** Bytes the queue's segments hold now. */
  readonly used: number;
  /** The configured `maxBufferSize`. */
  readonly limit: number;

  constructor(needed: number, used: number, limit: number) {
    super(
      'HEKATE_ERR_QUEUE_FULL',
      `Disk queue is full: ${needed} more bytes would exceed max_buffer_size ` +
        `${limit} (${used} used).`,
    );
    this.needed = needed;
    this.used = used;
    this.limit = limit;
  }
}

/** The disk queue was used after `close()`. */
export class QueueClosedError extends HekateError {
  constructor() {
    super('HEKATE_ERR_QUEUE_CLOSED', 'The disk queue is closed.');
  }
}
