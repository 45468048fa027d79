import { crc32c } from './crc32c.js';

/**
 * A record on disk: `u32 length | u32 length check | u32 crc | payload`, little-endian. The length
 * check is the CRC-32C of the four length bytes, the crc that of the payload. Checking the header
 * on its own is what keeps resynchronising after corruption linear: without it, about one offset
 * in 256 of random bytes in a 16 MiB segment reads as a plausible length, and each such candidate
 * costs a checksum over megabytes (measured: a 16 MiB segment of random bytes took minutes).
 */
export const FRAME_HEADER_BYTES = 12;

/** The largest payload accepted (and the bound on a plausible length). */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** {@link probeFrame}: no valid frame starts here. */
export const FRAME_INVALID = -1;
/** {@link probeFrame}: the buffer ends before the frame does; read more and probe again. */
export const FRAME_INCOMPLETE = -2;

/** The little-endian u32 at `buf[at]`. */
export function readU32(buf: Uint8Array, at: number): number {
  return (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;
}

function writeU32(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value;
  buf[at + 1] = value >>> 8;
  buf[at + 2] = value >>> 16;
  buf[at + 3] = value >>> 24;
}

/** The framed size of a payload of `length` bytes. */
export function frameSize(length: number): number {
  return FRAME_HEADER_BYTES + length;
}

/**
 * Where the bytes that {@link probeFrame} needs end, after it said {@link FRAME_INCOMPLETE} for
 * `buf[at]`: the end of the frame when its (then validated) header is in `buf`, else of the header.
 */
export function frameReach(buf: Uint8Array, at: number): number {
  const header = buf.length - at >= FRAME_HEADER_BYTES;
  return at + FRAME_HEADER_BYTES + (header ? readU32(buf, at) : 0);
}

/**
 * Checks whether a valid frame starts at `buf[at]`, given that the segment holds `available`
 * bytes from `at` on (possibly more than `buf` does). Returns the payload length,
 * {@link FRAME_INVALID}, or {@link FRAME_INCOMPLETE} when `buf` must reach further to decide.
 */
export function probeFrame(buf: Uint8Array, at: number, available: number): number {
  if (available < FRAME_HEADER_BYTES) return FRAME_INVALID;
  if (buf.length - at < FRAME_HEADER_BYTES) return FRAME_INCOMPLETE;
  const length = readU32(buf, at);
  if (length > MAX_RECORD_BYTES || FRAME_HEADER_BYTES + length > available) return FRAME_INVALID;
  if (crc32c(buf, 0, at, at + 4) !== readU32(buf, at + 4)) return FRAME_INVALID;
  const end = at + FRAME_HEADER_BYTES + length;
  if (end > buf.length) return FRAME_INCOMPLETE;
  const crc = crc32c(buf, 0, at + FRAME_HEADER_BYTES, end);
  return crc === readU32(buf, at + 8) ? length : FRAME_INVALID;
}

/** Frames `records` one after another into `out` from offset 0 (room assumed). */
export function writeFrames(records: readonly Uint8Array[], out: Uint8Array): void {
  layFrames(records, out);
  fillChecksums(out);
}

/**
 * Lays `records` out as frames one after another in `out` from offset 0 (room assumed), with
 * their lengths but without their checksums: {@link fillChecksums} adds those.
 */
export function layFrames(records: readonly Uint8Array[], out: Uint8Array): void {
  let at = 0;
  for (const r of records) {
    writeU32(out, at, r.length);
    out.set(r, at + FRAME_HEADER_BYTES);
    at += FRAME_HEADER_BYTES + r.length;
  }
}

/** Writes the two checksums of every frame laid out by {@link layFrames} in `frames`. */
export function fillChecksums(frames: Uint8Array): void {
  for (let at = 0; at < frames.length; ) {
    const length = readU32(frames, at);
    writeU32(frames, at + 4, crc32c(frames, 0, at, at + 4));
    writeU32(frames, at + 8, crc32c(frames, 0, at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length));
    at += FRAME_HEADER_BYTES + length;
  }
}
