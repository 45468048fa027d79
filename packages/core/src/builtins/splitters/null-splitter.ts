import { z } from 'zod';
import { defineSplitter } from '../../plugins/define.js';
import type { SplitRecord, Splitter } from '../../plugins/types.js';

/** Every chunk is one record. */
class NullSplitterImpl implements Splitter {
  split(buf: Uint8Array, out: SplitRecord[]): number {
    if (buf.length === 0) return 0;
    out.push(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8'));
    return buf.length;
  }
}

/**
 * NullSplitter: each chunk an input reads (a datagram, an HTTP body, one read) is one record, as
 * text. Heka's NullSplitter.
 *
 * @example
 * [udp_in]
 * type = "UdpInput"
 * splitter = "NullSplitter"
 */
export const NullSplitter = defineSplitter({
  type: 'NullSplitter',
  summary: 'Delivers each chunk an input reads as one record.',
  options: z.object({}).strict(),
  create: () => new NullSplitterImpl(),
});
