import protojson from 'protobufjs/ext/protojson.js';
import { defineEncoder, EncodeError, errorMessage } from '@hekate/core';
import { z } from 'zod';
import { fieldsToObject, setPath } from '../schema/fields-to-object.js';
import {
  HEADER_NAMES,
  headerValue,
  TIMESTAMP_FORMATS,
  type HeaderName,
} from '../schema/header-values.js';
import { canonicalJson, UserSchema } from '../schema/user-schema.js';

const headerKeys = Object.fromEntries(
  HEADER_NAMES.map((h) => [h, z.string().min(1).optional()]),
) as Record<HeaderName, z.ZodOptional<z.ZodString>>;

const options = z
  .object({
    /** The `.proto` file, relative to the configuration's directory. */
    proto_file: z.string().min(1),
    /** The fully qualified message type, e.g. `acme.logs.Request`. */
    message_type: z.string().min(1),
    /** `binary` protobuf or `json` (canonical proto3 JSON with the `.proto` field names). */
    format: z.enum(['binary', 'json']).default('binary'),
    /** Splits field names into nested members (`client.ip` → `client { ip }`). */
    separator: z.string().min(1).default('.'),
    /** How a `Timestamp` mapping is written; `auto` follows the target field's type. */
    timestamp_format: z.enum(TIMESTAMP_FORMATS).default('auto'),
    /** Drop fields the schema does not know instead of refusing the message. */
    ignore_unknown_fields: z.boolean().default(true),
    ...headerKeys,
  })
  .strict();

/**
 * SchemaEncoder: the reverse of SchemaDecoder. A message's fields become the members of a
 * message type from a user's `.proto` file (names split by `separator` into nested messages), the
 * header options (`Type = "kind"`, `Timestamp = "time"`, …) put headers into members, and the
 * result is checked against the schema and written as binary protobuf or proto3 JSON. A message
 * that does not fit the schema is an encode failure (dead-lettered with the reason).
 *
 * @example
 * [request_pb]
 * type = "SchemaEncoder"
 * proto_file = "schemas/request.proto"
 * message_type = "acme.logs.Request"
 * Timestamp = "time"
 */
export const SchemaEncoder = defineEncoder({
  type: 'SchemaEncoder',
  summary: 'Encodes messages as binary protobuf or proto3 JSON of a .proto message type.',
  options,
  create: (o, ctx) => {
    const schema = new UserSchema(o.proto_file, o.message_type, ctx.configDir);
    const mappings = HEADER_NAMES.flatMap((h) => (o[h] === undefined ? [] : [[h, o[h]] as const]));
    return {
      encode(message) {
        try {
          const type = schema.type();
          const obj = fieldsToObject(message.fields, o.separator);
          for (const [header, key] of mappings) {
            const value = headerValue(
              message,
              header,
              o.timestamp_format,
              type,
              key.split(o.separator),
            );
            setPath(obj, key, o.separator, value, true);
          }
          const checked = protojson.fromJson(type, obj, {
            ignoreUnknownFields: o.ignore_unknown_fields,
          });
          return o.format === 'json'
            ? JSON.stringify(canonicalJson(type, checked))
            : type.encode(checked).finish();
        } catch (error) {
          throw new EncodeError(`${o.message_type}: ${errorMessage(error)}`, { cause: error });
        }
      },
    };
  },
});
