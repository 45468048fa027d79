import { RECORD_SEPARATOR, UNIT_SEPARATOR } from '@hekate/core';
import {
  decodeFrameHeader,
  HEADER_FRAMING_SIZE,
  MAX_HEADER_SIZE,
  type FrameHeader,
} from './frame-header.js';
import type { SignatureVerifier } from './signing.js';

/** Why a frame was rejected. */
export type FrameRejection = 'bad_header' | 'too_large' | 'unknown_signer' | 'bad_signature';

/** How {@link scanFrames} checks frames and reports what it drops. */
export interface FrameScanOptions {
  /** Largest message accepted; a header announcing more is rejected before anything is buffered. */
  readonly maxMessageSize: number;
  /** Checks signed frames; undefined skips authentication. */
  readonly verifier: SignatureVerifier | undefined;
  /** Called for each rejected frame. */
  readonly onReject: (reason: FrameRejection) => void;
  /** Called with the number of bytes skipped outside any frame while resynchronising. */
  readonly onSkip: (bytes: number) => void;
}

/**
 * Bytes a frame may occupy besides its message: separator, length byte, the longest header, unit
 * separator.
 */
export const MAX_FRAME_OVERHEAD = HEADER_FRAMING_SIZE + MAX_HEADER_SIZE;

function copy(buf: Uint8Array, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(end - start);
  out.set(buf.subarray(start, end));
  return out;
}

/**
 * The message length of the common unsigned header `08 <varint>`; -1 when the header is anything
 * else.
 */
function plainMessageLength(buf: Uint8Array, start: number, end: number): number {
  if (buf[start] !== 0x08 || end - start > 6) return -1;
  let n = 0;
  for (let i = start + 1, shift = 0; i < end; i++, shift += 7) {
    const b = buf[i]!;
    n += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return i === end - 1 && n < 2 ** 32 ? n : -1;
  }
  return -1;
}

/**
 * Finds Heka-framed records (0x1E, header length, `Header`, 0x1F, message) at the start of `buf`,
 * appends copies of their message bytes to `out`, and returns how many bytes were consumed: up to
 * the start of an incomplete frame, or everything when the rest holds no record separator.
 *
 * A header that does not parse, lacks its unit separator or announces more than
 * `maxMessageSize` is rejected without buffering anything, and the scan resumes at the next 0x1E
 * (Heka's resynchronisation). A signed frame that fails verification is dropped whole.
 */
export function scanFrames(
  buf: Uint8Array,
  out: { push(record: Buffer): unknown },
  options: FrameScanOptions,
): number {
  const len = buf.length;
  let pos = 0;
  while (pos < len) {
    const start = buf.indexOf(RECORD_SEPARATOR, pos);
    if (start === -1) {
      options.onSkip(len - pos);
      return len;
    }
    if (start > pos) options.onSkip(start - pos);
    if (start + 2 > len) return start;
    const headerEnd = start + 2 + buf[start + 1]!;
    if (headerEnd >= len) return start;
    let messageLength =
      buf[headerEnd] === UNIT_SEPARATOR ? plainMessageLength(buf, start + 2, headerEnd) : -1;
    let header: FrameHeader | undefined;
    if (messageLength < 0 && buf[headerEnd] === UNIT_SEPARATOR) {
      header = decodeFrameHeader(buf, start + 2, headerEnd);
      if (header !== undefined) messageLength = header.messageLength;
    }
    if (messageLength < 0 || messageLength > options.maxMessageSize) {
      options.onReject(messageLength < 0 ? 'bad_header' : 'too_large');
      options.onSkip(1);
      pos = start + 1;
      continue;
    }
    const end = headerEnd + 1 + messageLength;
    if (end > len) return start;
    pos = end;
    if (header !== undefined && options.verifier !== undefined) {
      const outcome = options.verifier.verify(header, buf.subarray(headerEnd + 1, end));
      if (outcome !== 'ok') {
        options.onReject(outcome);
        continue;
      }
    }
    out.push(copy(buf, headerEnd + 1, end));
  }
  return pos;
}
