import { DecodeError, defineDecoder } from '@hekate/core';
import { z } from 'zod';
import { decodeHekaMessage } from '../heka/decode-message.js';

/**
 * ProtobufDecoder: turns a record of Heka protobuf bytes (from HekaFramingSplitter, or any input
 * whose splitter keeps message bytes) into the message it encodes, replacing every header and
 * field. The record stays in `raw`, so ProtobufEncoder writes an unchanged message back as the
 * very same bytes.
 *
 * @example
 * [heka_in]
 * type = "TcpInput"
 * address = "127.0.0.1:5565"
 * # splitter = "HekaFramingSplitter" and decoder = "ProtobufDecoder" are TcpInput's defaults
 */
export const ProtobufDecoder = defineDecoder({
  type: 'ProtobufDecoder',
  summary: "Decodes Heka's protobuf message bytes into a message (all headers and fields).",
  options: z.object({}).strict(),
  create: () => ({
    decode(message) {
      if (message.raw === undefined) {
        throw new DecodeError(
          'ProtobufDecoder needs the record as bytes: use a splitter with use_message_bytes = true (HekaFramingSplitter has it by default).',
        );
      }
      return decodeHekaMessage(message.raw);
    },
  }),
});
