import { z } from 'zod';
import { nanosFromMillis, type Message } from '../../message/message.js';
import { defineEncoder } from '../../plugins/define.js';
import type { Encoder } from '../../plugins/types.js';
import { compileStrftime } from '../shared/time-format.js';

const options = z
  .object({
    append_newlines: z.boolean().default(true).describe('Append "\\n" to each payload.'),
    prefix_ts: z.boolean().default(false).describe('Prefix each payload with a timestamp.'),
    ts_format: z
      .string()
      .default('[%Y/%b/%d:%H:%M:%S %z]')
      .describe('strftime format of the prefix (UTC); a space is appended unless it ends with one.'),
    ts_from_message: z
      .boolean()
      .default(true)
      .describe("Prefix the message's timestamp (true) or the time of encoding (false)."),
  })
  .strict();

type PayloadEncoderOptions = z.output<typeof options>;

function createPayloadEncoder(o: PayloadEncoderOptions): Encoder {
  const newline = o.append_newlines ? '\n' : '';
  if (!o.prefix_ts) return { encode: (message: Message) => message.payload + newline };
  const stamp = compileStrftime(o.ts_format.endsWith(' ') ? o.ts_format : o.ts_format + ' ');
  const when = o.ts_from_message ? (m: Message) => m.timestamp : () => nanosFromMillis(Date.now());
  return { encode: (message: Message) => stamp(when(message)) + message.payload + newline };
}

/**
 * PayloadEncoder: writes the Payload alone, with a newline and optionally a timestamp prefix
 * (Heka's PayloadEncoder, same options). With TokenSplitter's default of removing line endings
 * and JsonDecoder's `payload_keep`, it writes records exactly as they were read. The prefix is
 * formatted in UTC (Heka used the host's zone).
 *
 * @example
 * [lines_out]
 * type = "PayloadEncoder"
 * prefix_ts = true
 */
export const PayloadEncoder = defineEncoder({
  type: 'PayloadEncoder',
  summary: 'Encodes a message as its payload, one per line.',
  options,
  create: (o) => createPayloadEncoder(o),
});
