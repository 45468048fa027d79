import { DecodeError, RECORD_SEPARATOR, UNIT_SEPARATOR } from '@hekate/core';
import { WIRE_LENGTH, WIRE_VARINT, WireReader } from '../wire/wire-reader.js';
import { WireWriter } from '../wire/wire-writer.js';

/** The hash functions a Heka header can name, by their enum value (MD5 = 0, SHA1 = 1). */
export const HMAC_HASHES = ['md5', 'sha1'] as const;

/** A hash function for message signing. */
export type HmacHash = (typeof HMAC_HASHES)[number];

/** The largest header a frame can carry: its length is one byte. */
export const MAX_HEADER_SIZE = 255;

/** Bytes of framing around the header: record separator, header length, unit separator. */
export const HEADER_FRAMING_SIZE = 3;

/** Heka's stream-framing `Header`. */
export interface FrameHeader {
  /** Length of the message after the header. */
  messageLength: number;
  /** The `hmac_hash_function` enum value (0 MD5, 1 SHA1; other values cannot be verified). */
  hmacHashFunction: number;
  hmacSigner: string;
  hmacKeyVersion: number;
  /** The signature; undefined for an unsigned message. */
  hmac: Buffer | undefined;
}

/**
 * Decodes a header from `buf[start, end)`; undefined when it is not a valid header (a
 * malformation, or no `message_length`). Never throws.
 */
export function decodeFrameHeader(
  buf: Uint8Array,
  start: number,
  end: number,
): FrameHeader | undefined {
  const r = new WireReader(buf, start, end);
  const header: FrameHeader = {
    messageLength: -1,
    hmacHashFunction: 0,
    hmacSigner: '',
    hmacKeyVersion: 0,
    hmac: undefined,
  };
  try {
    while (r.pos < r.end) {
      const key = r.uint32('header key');
      switch (key) {
        case (1 << 3) | WIRE_VARINT:
          header.messageLength = r.uint32('message_length');
          break;
        case (3 << 3) | WIRE_VARINT:
          header.hmacHashFunction = r.uint32('hmac_hash_function');
          break;
        case (4 << 3) | WIRE_LENGTH:
          header.hmacSigner = r.string('hmac_signer');
          break;
        case (5 << 3) | WIRE_VARINT:
          header.hmacKeyVersion = r.uint32('hmac_key_version');
          break;
        case (6 << 3) | WIRE_LENGTH: {
          const n = r.length('hmac');
          header.hmac = r.buf.subarray(r.pos, r.pos + n);
          r.pos += n;
          break;
        }
        default:
          if (key >>> 3 === 0) return undefined;
          r.skip(key & 7, 'header field');
      }
    }
  } catch (error) {
    if (error instanceof DecodeError) return undefined;
    throw error;
  }
  return header.messageLength < 0 ? undefined : header;
}

/** How a frame is signed: Heka's `MessageSigningConfig`. */
export interface FrameSigner {
  readonly name: string;
  readonly keyVersion: number;
  readonly hash: HmacHash;
  /** Computes the signature of a message. */
  sign(message: Uint8Array): Buffer;
}

const headerWriter = new WireWriter();

/**
 * Frames a message with a signed header, as a Heka signer does: 0x1E, header length, `Header`
 * (message length, the hash function unless it is the default MD5, signer name, key version,
 * HMAC of the message, in Heka's field order), 0x1F, message. Unsigned framing is core's
 * `frameHekaRecord`.
 *
 * @throws RangeError when the header would exceed 255 bytes (a very long signer name).
 */
export function frameSigned(message: Uint8Array, signer: FrameSigner): Buffer {
  const w = headerWriter;
  w.reset();
  w.tag(1, WIRE_VARINT);
  w.uint32(message.length);
  if (signer.hash !== 'md5') {
    w.tag(3, WIRE_VARINT);
    w.uint32(HMAC_HASHES.indexOf(signer.hash));
  }
  w.tag(4, WIRE_LENGTH);
  w.string(signer.name);
  w.tag(5, WIRE_VARINT);
  w.uint32(signer.keyVersion);
  w.tag(6, WIRE_LENGTH);
  w.bytes(signer.sign(message));
  const header = w.finish();
  if (header.length > MAX_HEADER_SIZE) {
    throw new RangeError(
      `The frame header needs ${header.length} bytes; at most ${MAX_HEADER_SIZE} fit.`,
    );
  }
  const out = Buffer.allocUnsafe(HEADER_FRAMING_SIZE + header.length + message.length);
  out[0] = RECORD_SEPARATOR;
  out[1] = header.length;
  header.copy(out, 2);
  out[2 + header.length] = UNIT_SEPARATOR;
  out.set(message, HEADER_FRAMING_SIZE + header.length);
  return out;
}
