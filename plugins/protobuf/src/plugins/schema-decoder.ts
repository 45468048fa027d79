import type protobuf from 'protobufjs';
import protojson from 'protobufjs/ext/protojson.js';
import {
  builtinPlugins,
  DecodeError,
  defineDecoder,
  errorMessage,
  type Decoder,
  type Message,
  type PluginDefinition,
} from '@hekate/core';
import { z } from 'zod';
import { canonicalJson, UserSchema } from '../schema/user-schema.js';

const jsonDecoder = builtinPlugins.find((d) => d.type === 'JsonDecoder') as
  PluginDefinition<'decoder'> | undefined;
if (jsonDecoder === undefined)
  throw new Error(
    "SchemaDecoder builds on core's JsonDecoder, which this @hekate/core does not provide.",
  );

const OPEN_BRACE = 0x7b;

/** True when bytes start (after JSON whitespace) with `{`: ProtoJSON rather than protobuf. */
function looksLikeJson(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b === OPEN_BRACE;
  }
  return false;
}

const ownOptions = z.object({
  /** The `.proto` file, relative to the configuration's directory. */
  proto_file: z.string().min(1),
  /** The fully qualified message type, e.g. `acme.logs.Request`. */
  message_type: z.string().min(1),
  /**
   * `binary` protobuf, `json` (the proto3 JSON mapping), or `auto`: JSON when the record starts
   * with `{`.
   */
  format: z.enum(['auto', 'binary', 'json']).default('auto'),
  /**
   * Accept JSON members the schema does not know (they are dropped) instead of refusing the record.
   */
  ignore_unknown_fields: z.boolean().default(false),
});

/** This decoder's own options and JsonDecoder's (header mappings, separator, limits, …). */
const options = (jsonDecoder.options as unknown as z.ZodObject).extend(ownOptions.shape).strict();

/**
 * SchemaDecoder: decodes records of a message type from a user's `.proto` file, sent as binary
 * protobuf or as JSON (the proto3 JSON mapping). The record is checked against the schema (a
 * wrong type, an unknown member, malformed protobuf or a missing required field is a decode
 * failure with the reason), then turned into canonical JSON — `.proto` field names, defaults
 * omitted, enums by name, bytes in base64, 64-bit integers as numbers when safe — and decoded by
 * core's JsonDecoder with this section's JsonDecoder options (header mappings such as
 * `Timestamp = "time"`, `separator`, `payload_keep`, …). The same message sent either way
 * therefore gives the same Hekate message.
 *
 * @example
 * [request_logs]
 * type = "SchemaDecoder"
 * proto_file = "schemas/request.proto"
 * message_type = "acme.logs.Request"
 * Timestamp = "time"
 */
export const SchemaDecoder = defineDecoder({
  type: 'SchemaDecoder',
  summary:
    'Decodes binary protobuf or proto3 JSON of a .proto message type into headers and fields.',
  options,
  create: (o, ctx) => {
    const { proto_file, message_type, format, ignore_unknown_fields, ...jsonOptions } =
      o as z.output<typeof options> & z.output<typeof ownOptions>;
    const schema = new UserSchema(proto_file, message_type, ctx.configDir);
    const json: Decoder = jsonDecoder.create(jsonOptions, ctx);
    let loadFailureLogged = false;
    const loadType = () => {
      try {
        return schema.type();
      } catch (error) {
        if (!loadFailureLogged) {
          loadFailureLogged = true;
          ctx.logger.error('SchemaDecoder cannot load its schema; every record fails to decode.', {
            error: errorMessage(error),
          });
        }
        throw new DecodeError(errorMessage(error), { cause: error });
      }
    };
    const parse = (type: protobuf.Type, message: Message) => {
      const raw = message.raw;
      const text = raw === undefined || message.payload !== '' ? message.payload : undefined;
      if (format === 'json' || (format === 'auto' && (text !== undefined || looksLikeJson(raw!)))) {
        const json =
          text ?? Buffer.from(raw!.buffer, raw!.byteOffset, raw!.byteLength).toString('utf8');
        return protojson.fromJsonString(type, json, { ignoreUnknownFields: ignore_unknown_fields });
      }
      if (raw === undefined)
        throw new Error(
          'binary protobuf needs the record as bytes (a splitter with use_message_bytes = true)',
        );
      return type.decode(raw);
    };
    return {
      decode(message) {
        const type = loadType();
        let text: string;
        try {
          text = JSON.stringify(canonicalJson(type, parse(type, message)));
        } catch (error) {
          throw new DecodeError(`${message_type}: ${errorMessage(error)}`, { cause: error });
        }
        // Decode a copy, so that a record JsonDecoder refuses is reported as it arrived.
        const copy = message.clone();
        copy.raw = undefined;
        copy.payload = text;
        return json.decode(copy);
      },
    };
  },
});
