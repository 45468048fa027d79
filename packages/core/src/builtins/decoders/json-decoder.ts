import { z } from 'zod';
import { DecodeError, errorMessage } from '../../errors.js';
import type { Message } from '../../message/message.js';
import { defineDecoder } from '../../plugins/define.js';
import type { Decoder, PluginCounters } from '../../plugins/types.js';
import {
  assignHeader,
  convertHeader,
  HEADER_NAMES,
  type HeaderName,
  type HeaderParsers,
} from '../shared/headers.js';
import { recordText, releaseRaw } from '../shared/record-text.js';
import { timestampFormat, timestampLocation } from '../shared/time-options.js';
import { createTimestampParser } from '../shared/time-parse.js';
import {
  isJsonObject,
  JsonFieldSource,
  locateJsonField,
  type JsonFieldLayout,
} from '../../message/json-fields.js';
import { exceedsJsonLimits } from './json-limits.js';

/**
 * Records nested deeper than this are refused whatever `max_depth` says (lua-cjson's decode limit,
 * which Heka's JSON decoder had): deeper values could not even be printed back as JSON.
 */
export const MAX_JSON_NESTING = 1000;

const headerKeys = Object.fromEntries(
  HEADER_NAMES.map((h) => [
    h,
    z
      .string()
      .min(1)
      .optional()
      .describe(`JSON key (nested: keys joined with the separator) whose value sets ${h}.`),
  ]),
) as Record<HeaderName, z.ZodOptional<z.ZodString>>;

const options = z
  .object({
    ...headerKeys,
    timestamp_format: timestampFormat()
      .default('auto')
      .describe('auto, rfc3339, epoch_s, epoch_ms, epoch_us, epoch_ns, or a Go time layout.'),
    timestamp_location: timestampLocation(),
    payload_keep: z.boolean().default(true).describe('Keep the original record as the Payload.'),
    map_fields: z.boolean().default(true).describe('Turn every key into a message field.'),
    separator: z.string().min(1).default('.').describe('Joins nested keys into field names.'),
    max_depth: z
      .number()
      .int()
      .min(1)
      .max(MAX_JSON_NESTING - 1)
      .default(32)
      .describe('Objects nested this deep become one JSON-text field.'),
    max_fields: z.number().int().min(1).default(1024).describe('Records with more fields are refused.'),
    mapped_keys_keep: z.boolean().default(true).describe('Keep header-mapped keys as fields too.'),
  })
  .strict();

type JsonDecoderOptions = z.output<typeof options>;

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

class JsonDecoderImpl implements Decoder {
  readonly #layout: JsonFieldLayout;
  readonly #mappings: readonly [HeaderName, string][];
  readonly #parsers: HeaderParsers;
  readonly #options: JsonDecoderOptions;
  readonly #counters: PluginCounters;
  /** Records up to this many characters cannot break the limits, so they are not scanned. */
  readonly #checkAbove: number;

  constructor(o: JsonDecoderOptions, counters: PluginCounters) {
    this.#options = o;
    this.#counters = counters;
    this.#layout = { separator: o.separator, maxDepth: o.max_depth };
    this.#mappings = HEADER_NAMES.flatMap((h) => {
      const key = o[h];
      return key === undefined ? [] : [[h, key] as [HeaderName, string]];
    });
    this.#parsers = { timestamp: createTimestampParser(o.timestamp_format, o.timestamp_location) };
    // Each field takes at least 4 characters (`"":0`) and each nesting level 2 (`[]`).
    this.#checkAbove = Math.min(4 * o.max_fields, 2 * MAX_JSON_NESTING);
  }

  decode(message: Message): Message {
    const text = recordText(message);
    const o = this.#options;
    if (text.length > this.#checkAbove) {
      const problem = exceedsJsonLimits(text, o.max_depth, o.max_fields, MAX_JSON_NESTING);
      if (problem !== undefined) throw new DecodeError(`JSON record refused: ${problem}`);
    }
    let root: unknown;
    try {
      root = JSON.parse(text);
    } catch (error) {
      throw new DecodeError(`invalid JSON: ${errorMessage(error)}`);
    }
    if (!isJsonObject(root)) throw new DecodeError(`expected a JSON object, got ${kindOf(root)}`);
    // Nothing below throws, so a failed record leaves the message as it was.
    releaseRaw(message);
    let payload = o.payload_keep ? text : '';
    for (const [header, key] of this.#mappings) {
      const at = locateJsonField(root, key, this.#layout);
      if (at === undefined) continue;
      const value = convertHeader(header, at[0][at[1]], this.#parsers);
      if (value === undefined) this.#counters.add('header_failures');
      else if (header === 'Payload') payload = value as string;
      else assignHeader(message, header, value);
      if (!o.mapped_keys_keep) delete (at[0] as Record<string, unknown>)[at[1]];
    }
    message.payload = payload;
    if (o.map_fields) {
      const before = message.hasFields ? message.fields : undefined;
      // The text parses to this root again unless header-mapped keys were deleted from it.
      const source = o.mapped_keys_keep || this.#mappings.length === 0 ? text : undefined;
      message.setFieldSource(new JsonFieldSource(root, this.#layout, before, source));
    }
    return message;
  }
}

/**
 * JsonDecoder: parses the Payload (or the raw bytes) as one JSON object. Header options (`Type`,
 * `Logger`, `Hostname`, `Severity`, `Timestamp`, `Uuid`, `Payload`, `Pid`, `EnvVersion`, as in
 * Heka's json.lua) name the key whose value sets that header; every key becomes a field, nested
 * objects flattened with `separator` (`a.b`). Fields are built lazily: a matcher reading one
 * field does not pay for the others.
 *
 * Differences from Heka's Lua JSON decoder: `payload_keep` and `map_fields` default to true
 * (keeping the line costs nothing, and lets PayloadEncoder write records unchanged); timestamps
 * are read by `timestamp_format` (auto-detected epoch units or RFC 3339, exact to the
 * nanosecond) rather than strftime; records with more than `max_fields` fields or nested deeper
 * than {@link MAX_JSON_NESTING} are decode errors, found by a scan before parsing; a header value
 * that does not fit (an unknown severity, a bad timestamp) leaves the header as it was and counts
 * `header_failures`.
 *
 * @example
 * [api_json]
 * type = "JsonDecoder"
 * Timestamp = "ts"
 * Type = "type"
 * Severity = "level"
 */
export const JsonDecoder = defineDecoder({
  type: 'JsonDecoder',
  summary: 'Decodes a JSON object into headers and lazily built fields.',
  options,
  create: (o, ctx) => new JsonDecoderImpl(o, ctx.counters),
});
