/** One segment file of an open disk queue. */
export interface Segment {
  readonly id: number;
  readonly path: string;
  /** Bytes of complete records: what readers may read. Grows only after a write fully succeeds. */
  size: number;
  /** Records in the file from where reading started in it (its start, or the cursor). */
  records: number;
  /** Bytes known to be on stable storage. */
  syncedSize: number;
}

/**
 * The open queue's segments in id order. The last one is the active segment, the only one
 * written to; the others are sealed.
 */
export class SegmentList {
  readonly #segments: Segment[];

  constructor(segments: Segment[]) {
    this.#segments = segments;
  }

  get length(): number {
    return this.#segments.length;
  }

  /** Every segment, oldest first. */
  get all(): readonly Segment[] {
    return this.#segments;
  }

  get last(): Segment | undefined {
    return this.#segments[this.#segments.length - 1];
  }

  /** Total bytes of all segments. */
  get bytes(): number {
    let total = 0;
    for (const s of this.#segments) total += s.size;
    return total;
  }

  /** The segment with this id, if it still exists. */
  get(id: number): Segment | undefined {
    return this.#segments.find((s) => s.id === id);
  }

  /** The oldest segment whose id is at least `id`. */
  atOrAfter(id: number): Segment | undefined {
    return this.#segments.find((s) => s.id >= id);
  }

  /** True when `segment` is not the active one. */
  isSealed(segment: Segment): boolean {
    return segment !== this.last;
  }

  push(segment: Segment): void {
    this.#segments.push(segment);
  }

  /** Removes and returns the segments older than `id`. */
  takeBefore(id: number): Segment[] {
    let n = 0;
    while (n < this.#segments.length && this.#segments[n]!.id < id) n++;
    return this.#segments.splice(0, n);
  }
}
