import type { SplitRecord, SplitterStream } from '@hekate/core';

/**
 * A splitter stream with core's TokenSplitter semantics ("\n" ends a record, a "\r" before it
 * is dropped, blank records are skipped, records are UTF-8 text), for driving the tailer
 * without a pipeline.
 */
export class LineSplitter implements SplitterStream {
  #held: Buffer = Buffer.alloc(0);
  readonly #deliverIncompleteFinal: boolean;

  constructor(deliverIncompleteFinal = false) {
    this.#deliverIncompleteFinal = deliverIncompleteFinal;
  }

  get pending(): number {
    return this.#held.length;
  }

  push(chunk: Uint8Array): SplitRecord[] {
    const buf = this.#held.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#held, chunk]);
    const out: SplitRecord[] = [];
    let start = 0;
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
      const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
      if (end > start) out.push(buf.toString('utf8', start, end));
      start = nl + 1;
    }
    this.#held = Buffer.from(buf.subarray(start));
    return out;
  }

  end(): SplitRecord[] {
    const held = this.#held;
    this.#held = Buffer.alloc(0);
    return held.length > 0 && this.#deliverIncompleteFinal ? [held.toString('utf8')] : [];
  }
}
