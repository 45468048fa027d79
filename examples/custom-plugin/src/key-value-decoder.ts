import { DecodeError, defineDecoder } from '@hekate/core';
import { z } from 'zod';

const PAIR = /([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)/g;

/**
 * Parses payloads such as `status=503 path="/search?q=x" ms=12.5` into fields: numbers become
 * integer or double fields, the rest strings. A payload without any pair is a decode error.
 */
export const KeyValueDecoder = defineDecoder({
  type: 'KeyValueDecoder',
  summary: 'Parses key=value pairs in the payload into message fields.',
  options: z
    .object({
      /** Turn numeric values into numbers. */
      convert_numbers: z.boolean().default(true).describe('Turn numeric values into integer or double fields.'),
      /** Prefix for every field name. */
      prefix: z.string().default('').describe('Prefix added to every field name.'),
    })
    .strict(),
  create: ({ convert_numbers, prefix }) => ({
    decode(message) {
      let found = 0;
      for (const [, key, raw] of message.payload.matchAll(PAIR)) {
        const text = raw!.startsWith('"') ? raw!.slice(1, -1).replace(/\\(.)/g, '$1') : raw!;
        const number = convert_numbers && text !== '' && !raw!.startsWith('"') ? Number(text) : NaN;
        message.addField(prefix + key!, Number.isFinite(number) ? number : text);
        found++;
      }
      if (found === 0) throw new DecodeError('no key=value pair in the payload');
      return message;
    },
  }),
});
