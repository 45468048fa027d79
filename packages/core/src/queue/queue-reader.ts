import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { Logger } from '../logger.js';
import type { Cursor } from './cursor-file.js';
import type { QueueRecord } from './disk-queue-types.js';
import { QueuePosition } from './queue-position.js';
import type { Quarantine } from './quarantine.js';
import type { ScannedCorruption } from './segment-scanner.js';
import { NEEDS_FILL, SegmentScanner } from './segment-scanner.js';
import { FRAME_HEADER_BYTES } from './record-frame.js';
import type { Segment, SegmentList } from './segment-list.js';

/**
 * The read side of a disk queue: walks the segments from a start position, hands out records in
 * order, and quarantines and counts corrupt regions on the way (then carries on with the next
 * valid record). Not safe for concurrent calls; the queue serialises them.
 */
export class QueueReader {
  readonly #segments: SegmentList;
  readonly #quarantine: Quarantine;
  readonly #logger: Logger;
  readonly #epoch: number;
  /** Where to start when no segment is open. */
  #start: Cursor;
  #segment: Segment | undefined;
  #fh: FileHandle | undefined;
  #scanner: SegmentScanner | undefined;
  /** Records taken from `#segment` so far (or accounted as lost to corruption). */
  #taken = 0;
  /** A record read past the byte budget of the last call, handed out first next time. */
  #carry: QueueRecord | undefined;
  #seq = 0;
  /** The seq of the last record taken when the reader left each segment it has left. */
  readonly #seqWhenLeft = new Map<number, number>();
  #corruptRecords = 0;
  #quarantinedBytes = 0;

  constructor(
    segments: SegmentList,
    start: Cursor,
    quarantine: Quarantine,
    logger: Logger,
    epoch: number,
  ) {
    this.#segments = segments;
    this.#start = start;
    this.#quarantine = quarantine;
    this.#logger = logger;
    this.#epoch = epoch;
  }

  /** How many records have been taken (the seq of the last position made). */
  get seq(): number {
    return this.#seq;
  }

  get corruptRecords(): number {
    return this.#corruptRecords;
  }

  get quarantinedBytes(): number {
    return this.#quarantinedBytes;
  }

  /** The seq of the last record taken from segment `id` or an earlier one (0 if none). */
  seqThrough(id: number): number {
    const current = this.#segment?.id ?? this.#start.segment;
    if (current <= id) return this.#seq;
    let seq = 0;
    for (const [left, at] of this.#seqWhenLeft) if (left <= id) seq = Math.max(seq, at);
    return seq;
  }

  /** Records in the segments not yet taken. */
  untakenRecords(): number {
    const current = this.#segment;
    const from = current?.id ?? this.#start.segment;
    let n = 0;
    for (const s of this.#segments.all) {
      if (s.id < from) continue;
      n += s === current ? s.records - this.#taken : s.records;
    }
    return n;
  }

  /** True when a `read()` may return something (a corrupt region may make it return nothing). */
  hasUnread(): boolean {
    if (this.#carry !== undefined) return true;
    const current = this.#segment;
    if (current !== undefined) {
      return this.#scanner!.offset < current.size || this.#segments.isSealed(current);
    }
    const next = this.#segments.atOrAfter(this.#start.segment);
    if (next === undefined) return false;
    const from = next.id === this.#start.segment ? this.#start.offset : 0;
    return this.#segments.isSealed(next) || next.size > from;
  }

  /**
   * Up to `maxRecords` records whose data totals at most `maxBytes` (at least one record if any
   * is available), in order; `[]` when there is nothing to read.
   */
  async read(maxRecords: number, maxBytes: number): Promise<QueueRecord[]> {
    const out: QueueRecord[] = [];
    let bytes = 0;
    if (this.#carry !== undefined && maxRecords > 0) {
      out.push(this.#carry);
      bytes = this.#carry.data.length;
      this.#carry = undefined;
    }
    while (out.length < maxRecords) {
      const segment = this.#segment ?? (await this.#openNext());
      if (segment === undefined) break;
      const scanner = this.#scanner!;
      // Taken together: the records in [0, end) number `records` at this instant.
      const end = segment.size;
      const records = segment.records;
      const entry = scanner.next(end);
      if (entry === NEEDS_FILL) {
        await scanner.fill(end);
      } else if (entry === undefined) {
        // Everything before `end` is handed out or was lost to corruption found while reading.
        this.#taken = records;
        if (!this.#segments.isSealed(segment)) break;
        await this.#closeSegment(segment.id + 1);
      } else if (entry.kind === 'corrupt') {
        await this.#quarantineRegion(segment, entry);
      } else {
        this.#taken++;
        const position = new QueuePosition(segment.id, entry.end, ++this.#seq, this.#epoch);
        const record = { position, data: entry.data };
        if (out.length > 0 && bytes + entry.data.length > maxBytes) {
          this.#carry = record;
          break;
        }
        bytes += entry.data.length;
        out.push(record);
      }
    }
    return out;
  }

  /**
   * Takes the next records without reading them, given the data sizes of the records this
   * process appended (in order): for a caller that still holds them in memory. Stops early at a
   * record not yet written, and at anything that does not fit the sizes; returns the positions of
   * the records taken.
   */
  async skip(sizes: readonly number[]): Promise<QueuePosition[]> {
    const out: QueuePosition[] = [];
    if (this.#carry !== undefined) return out;
    for (const size of sizes) {
      const frame = FRAME_HEADER_BYTES + size;
      let segment = this.#segment ?? (await this.#openNext());
      while (segment !== undefined && this.#scanner!.offset >= segment.size && this.#segments.isSealed(segment)) {
        this.#taken = segment.records;
        await this.#closeSegment(segment.id + 1);
        segment = await this.#openNext();
      }
      if (segment === undefined) break;
      const start = this.#scanner!.offset;
      if (start + frame > segment.size || !this.#scanner!.skip(frame)) break;
      this.#taken++;
      out.push(new QueuePosition(segment.id, start + frame, ++this.#seq, this.#epoch));
    }
    return out;
  }

  /** The queue removed segment `id` (the cursor has passed it): move past it if it was open. */
  async forget(id: number): Promise<void> {
    if (this.#carry?.position.segment === id) this.#carry = undefined;
    for (const left of this.#seqWhenLeft.keys()) if (left <= id) this.#seqWhenLeft.delete(left);
    if (this.#segment?.id === id) await this.#closeSegment(id + 1);
    else if (this.#segment === undefined && this.#start.segment <= id) {
      this.#start = { segment: id + 1, offset: 0 };
    }
  }

  async close(): Promise<void> {
    await this.#fh?.close();
    this.#fh = undefined;
  }

  async #openNext(): Promise<Segment | undefined> {
    const segment = this.#segments.atOrAfter(this.#start.segment);
    if (segment === undefined) return undefined;
    const offset = segment.id === this.#start.segment ? this.#start.offset : 0;
    this.#fh = await open(segment.path, 'r');
    this.#scanner = new SegmentScanner(this.#fh, offset);
    this.#segment = segment;
    this.#taken = 0;
    return segment;
  }

  async #closeSegment(next: number): Promise<void> {
    if (this.#segment !== undefined) this.#seqWhenLeft.set(this.#segment.id, this.#seq);
    await this.close();
    this.#segment = undefined;
    this.#scanner = undefined;
    this.#start = { segment: next, offset: 0 };
  }

  async #quarantineRegion(segment: Segment, region: ScannedCorruption): Promise<void> {
    const bytes = region.end - region.start;
    this.#corruptRecords++;
    this.#quarantinedBytes += bytes;
    this.#logger.error('Skipped corrupt bytes in a disk queue segment; quarantined them.', {
      segment: segment.id,
      offset: region.start,
      bytes,
    });
    await this.#quarantine.save(this.#fh!, segment.id, region.start, region.end);
  }
}
