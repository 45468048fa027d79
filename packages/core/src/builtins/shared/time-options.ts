import { z } from 'zod';
import { errorMessage } from '../../errors.js';
import { createTimestampParser, parseUtcOffset } from './time-parse.js';

/**
 * A zod schema for a timestamp format option (`auto`, `rfc3339`, an epoch unit or a Go layout),
 * checked at configuration time; see {@link createTimestampParser}.
 */
export function timestampFormat() {
  return z.string().superRefine((format, ctx) => {
    try {
      createTimestampParser(format);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: errorMessage(error) });
    }
  });
}

/**
 * A zod schema for `timestamp_location`: `"UTC"` or a fixed offset such as `"+02:00"`; the output
 * is seconds east of UTC.
 */
export function timestampLocation() {
  return z
    .string()
    .default('UTC')
    .transform((text, ctx) => {
      const offset = parseUtcOffset(text);
      if (offset !== undefined) return offset;
      ctx.addIssue({ code: 'custom', message: 'expected "UTC" or a fixed offset such as "+02:00"' });
      return z.NEVER;
    })
    .describe('Zone of timestamps that carry none: "UTC" or a fixed offset such as "+02:00".');
}
