import { unlink } from 'node:fs/promises';
import { errorMessage, RetryableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { writeCursor, type Cursor } from './cursor-file.js';
import type { Segment, SegmentList } from './segment-list.js';

/** What an {@link AcknowledgedCursor} needs from the queue around it. */
export interface CursorHooks {
  /** fdatasyncs `segment` so that a cursor may point past its data. */
  syncSegment(segment: Segment): Promise<void>;
  /** Segment `id` is about to be deleted. */
  forget(id: number): Promise<void>;
}

/**
 * A disk queue's acknowledged position and its persistence. The cursor is written only after the
 * data it points past is on stable storage, and a segment is deleted only after a cursor past it
 * has been written: every crash point leaves a cursor that points at existing, durable data.
 */
export class AcknowledgedCursor {
  readonly #dir: string;
  readonly #segments: SegmentList;
  readonly #hooks: CursorHooks;
  readonly #logger: Logger;
  /** Position just after the last acknowledged record. */
  #acked: Cursor;
  /** The cursor last written to disk, if any. */
  #saved: Cursor | undefined;
  /** Acknowledgements since the cursor was last written. */
  #sinceSave = 0;

  constructor(
    dir: string,
    start: Cursor,
    segments: SegmentList,
    hooks: CursorHooks,
    logger: Logger,
  ) {
    this.#dir = dir;
    this.#acked = start;
    this.#segments = segments;
    this.#hooks = hooks;
    this.#logger = logger;
  }

  /** The acknowledged position (not necessarily persisted yet). */
  get position(): Cursor {
    return this.#acked;
  }

  /**
   * Records that everything up to `position` (a record end, not before the current position) is
   * acknowledged, and advances, persisting the cursor if this is the `every`-th acknowledgement
   * since it was last persisted.
   */
  async acknowledge(position: Cursor, every: number): Promise<void> {
    this.#acked = position;
    this.#sinceSave++;
    await this.advance(this.#sinceSave >= every);
  }

  /** True when every record in `segment` is acknowledged. */
  covers(segment: Segment): boolean {
    const at = this.#acked;
    return segment.id < at.segment || (segment.id === at.segment && at.offset >= segment.size);
  }

  /** Bytes of segments whose records are all acknowledged (deleted soon, or once sealed). */
  coveredBytes(): number {
    let total = 0;
    for (const s of this.#segments.all) if (this.covers(s)) total += s.size;
    return total;
  }

  /**
   * Moves the position past the end of sealed segments, then persists it when it has left a
   * segment behind (deleting that segment afterwards) or when `save` is set. Callers serialise
   * calls.
   * @throws RetryableError when the cursor cannot be written (nothing is deleted then).
   */
  async advance(save: boolean): Promise<void> {
    let at = this.#acked;
    for (;;) {
      const segment = this.#segments.get(at.segment);
      if (segment === undefined || !this.#segments.isSealed(segment)) break;
      if (at.offset < segment.size) break;
      at = { segment: this.#segments.atOrAfter(segment.id + 1)!.id, offset: 0 };
    }
    this.#acked = at;
    const passed = (this.#segments.all[0]?.id ?? at.segment) < at.segment;
    if (passed || save) await this.#save();
    if (passed) await this.#reclaim();
  }

  async #save(): Promise<void> {
    const at = this.#acked;
    const saved = this.#saved;
    if (saved === undefined || saved.segment !== at.segment || saved.offset !== at.offset) {
      await this.#write(at);
      this.#saved = at;
    }
    this.#sinceSave = 0;
  }

  async #write(at: Cursor): Promise<void> {
    try {
      const segment = this.#segments.get(at.segment);
      if (segment !== undefined && segment.syncedSize < at.offset) {
        await this.#hooks.syncSegment(segment);
      }
      await writeCursor(this.#dir, at);
    } catch (cause) {
      throw new RetryableError(`Could not persist the disk queue cursor: ${errorMessage(cause)}`, {
        cause,
      });
    }
  }

  /** Deletes the segments the persisted cursor has passed. */
  async #reclaim(): Promise<void> {
    if (this.#saved === undefined) return;
    for (const segment of this.#segments.takeBefore(this.#saved.segment)) {
      await this.#hooks.forget(segment.id);
      await unlink(segment.path).catch((err: unknown) => {
        this.#logger.error('Could not delete a fully acknowledged disk queue segment.', {
          path: segment.path,
          error: errorMessage(err),
        });
      });
    }
  }
}
