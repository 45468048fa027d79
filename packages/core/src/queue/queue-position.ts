/**
 * Where a record ends in a disk queue: the segment id and the byte offset just after the record.
 * Opaque to callers: hand it back to `DiskQueue.ack()` of the queue that read it. `toString()`
 * gives `"<segment>:<offset>"` for logs.
 */
export class QueuePosition {
  /** Segment id. */
  readonly segment: number;
  /** Byte offset just after the record in its segment. */
  readonly offset: number;
  /** @internal Read order within the queue instance that produced it (1-based). */
  readonly seq: number;
  /** @internal Which queue instance produced it. */
  readonly epoch: number;

  constructor(segment: number, offset: number, seq: number, epoch: number) {
    this.segment = segment;
    this.offset = offset;
    this.seq = seq;
    this.epoch = epoch;
  }

  toString(): string {
    return `${this.segment}:${this.offset}`;
  }
}
