import { byteSize, defineSplitter } from '@hekate/core';
import { z } from 'zod';
import { MAX_FRAME_OVERHEAD, scanFrames, type FrameRejection } from '../heka/frame-scanner.js';
import { SignatureVerifier } from '../heka/signing.js';

/** Counter names of the rejections, as they appear in the pipeline's stats. */
const REJECTION_COUNTERS: Record<FrameRejection, string> = {
  bad_header: 'bad_frames',
  too_large: 'frames_too_large',
  unknown_signer: 'hmac_failures',
  bad_signature: 'hmac_failures',
};

/** Heka's signer section ids: `<signer name>_<key version>`. */
const SIGNER_ID = /^.+_\d+$/;

/** The largest message length a header can announce: `message_length` is a uint32. */
const MAX_UINT32 = 0xffffffff;

/**
 * HekaFramingSplitter: cuts a byte stream of Heka-framed records (0x1E, header length, protobuf
 * `Header`, 0x1F, message) into message records, resynchronising on the next 0x1E after garbage,
 * refusing announced lengths over `max_message_size` before buffering anything, and verifying
 * signed frames against `[x.signer.<name>_<version>]` keys.
 *
 * @example
 * [heka_frames]
 * type = "HekaFramingSplitter"
 * [heka_frames.signer.ops_1]
 * hmac_key = "%ENV[HEKA_OPS_KEY]"
 */
export const HekaFramingSplitter = defineSplitter({
  type: 'HekaFramingSplitter',
  summary: "Splits Heka's stream framing into message records, checking sizes and signatures.",
  options: z
    .object({
      /** HMAC keys by `<signer>_<version>`; a signed frame from another signer is dropped. */
      signer: z
        .record(
          z.string().regex(SIGNER_ID, 'a signer id is "<name>_<key version>"'),
          z.object({ hmac_key: z.string().min(1) }).strict(),
        )
        .default({}),
      /** Accept signed frames without checking their signature. */
      skip_authentication: z.boolean().default(false),
      /** Largest message a header may announce (Heka's max_message_size). */
      max_message_size: byteSize()
        .pipe(z.number().int().min(1).max(MAX_UINT32))
        .default(64 * 1024),
    })
    .strict(),
  // Records are message bytes; the splitter bounds what it buffers itself, so core's
  // max_record_size defaults to the largest frame instead of cutting frames it would accept.
  commonDefaults: { use_message_bytes: true, max_record_size: MAX_UINT32 + MAX_FRAME_OVERHEAD },
  create: (o, ctx) => {
    const verifier = o.skip_authentication ? undefined : new SignatureVerifier(o.signer);
    const scan = {
      maxMessageSize: o.max_message_size,
      verifier,
      onReject: (reason: FrameRejection) => ctx.counters.add(REJECTION_COUNTERS[reason]),
      onSkip: (bytes: number) => ctx.counters.add('bytes_skipped', bytes),
    };
    return { split: (buf, out) => scanFrames(buf, out, scan) };
  },
});
