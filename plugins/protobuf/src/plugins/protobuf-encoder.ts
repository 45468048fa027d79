import { byteSize, defineEncoder, EncodeError } from '@hekate/core';
import { z } from 'zod';
import { encodeHekaMessage } from '../heka/encode-message.js';
import { frameSigned, HMAC_HASHES, MAX_HEADER_SIZE } from '../heka/frame-header.js';
import { createSigner } from '../heka/signing.js';

/** The most bytes a signed header takes besides the signer name: each member at its widest. */
const SIGNED_HEADER_OVERHEAD = 6 + 2 + 3 + 6 + 22; // length, hash, signer key+length, version, hmac

const options = z
  .object({
    /** Signs every message with this signer name; the encoder then frames the record itself. */
    signer_name: z.string().min(1).optional(),
    hmac_key: z.string().min(1).optional(),
    hmac_hash: z.enum(HMAC_HASHES).default('md5'),
    key_version: z.number().int().min(0).max(0xffffffff).default(0),
    /** Larger encodings are refused (dead-lettered), as Heka refused to frame them. */
    max_message_size: byteSize().default(64 * 1024),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.signer_name !== undefined && o.hmac_key === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['hmac_key'],
        message: 'hmac_key is required with signer_name',
      });
    }
    if (o.signer_name === undefined && o.hmac_key !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['signer_name'],
        message: 'signer_name is required with hmac_key',
      });
    }
    if (
      o.signer_name !== undefined &&
      Buffer.byteLength(o.signer_name) + SIGNED_HEADER_OVERHEAD > MAX_HEADER_SIZE
    ) {
      const message = `signer_name is too long: a signed frame header holds at most ${MAX_HEADER_SIZE} bytes`;
      ctx.addIssue({ code: 'custom', path: ['signer_name'], message });
    }
  });

/**
 * ProtobufEncoder: writes messages as Heka's protobuf `Message`; an unchanged message decoded by
 * ProtobufDecoder is written as its original bytes. With `signer_name` and `hmac_key` every
 * record is framed with a signed header (Heka's message signing), so use it without
 * `use_framing`.
 *
 * @example
 * [heka_out]
 * type = "TcpOutput"
 * message_matcher = "TRUE"
 * address = "10.0.0.5:5565"
 * # encoder = "ProtobufEncoder" and use_framing = true are TcpOutput's defaults
 */
export const ProtobufEncoder = defineEncoder({
  type: 'ProtobufEncoder',
  summary: "Encodes messages as Heka's protobuf message; optionally signs and frames them.",
  options,
  create: (o) => {
    const signer =
      o.signer_name === undefined
        ? undefined
        : createSigner(o.signer_name, o.hmac_key!, o.hmac_hash, o.key_version);
    return {
      encode(message) {
        const bytes = encodeHekaMessage(message);
        if (bytes.length > o.max_message_size) {
          throw new EncodeError(
            `The message encodes to ${bytes.length} bytes; max_message_size is ${o.max_message_size}.`,
          );
        }
        return signer === undefined ? bytes : frameSigned(bytes, signer);
      },
    };
  },
});
