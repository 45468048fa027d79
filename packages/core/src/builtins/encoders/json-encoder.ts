import { z } from 'zod';
import type { Message } from '../../message/message.js';
import { defineEncoder } from '../../plugins/define.js';
import type { Encoder } from '../../plugins/types.js';
import { formatRfc3339Nano } from '../shared/time-format.js';
import { fieldsObject } from './field-json.js';

const options = z
  .object({
    append_newlines: z.boolean().default(true).describe('Append "\\n" to each object.'),
    fields_only: z.boolean().default(false).describe('Emit only the fields, as one flat object.'),
    include_payload: z.boolean().default(true).describe('Include the Payload header.'),
    timestamp_format: z
      .enum(['rfc3339', 'epoch_ns'])
      .default('rfc3339')
      .describe('rfc3339: UTC text with nanoseconds; epoch_ns: nanoseconds as a decimal string.'),
  })
  .strict();

type JsonEncoderOptions = z.output<typeof options>;

function createJsonEncoder(o: JsonEncoderOptions): Encoder {
  const newline = o.append_newlines ? '\n' : '';
  const epoch = (ns: bigint): string => ns.toString();
  const timestamp = o.timestamp_format === 'epoch_ns' ? epoch : formatRfc3339Nano;
  const encode = (m: Message): string => {
    if (o.fields_only) return JSON.stringify(fieldsObject(m.fields)) + newline;
    const out = Object.create(null) as Record<string, unknown>;
    out.Uuid = m.uuid;
    out.Timestamp = timestamp(m.timestamp);
    out.Type = m.type;
    out.Logger = m.logger;
    out.Severity = m.severity;
    if (o.include_payload) out.Payload = m.payload;
    out.EnvVersion = m.envVersion;
    out.Pid = m.pid;
    out.Hostname = m.hostname;
    out.Fields = fieldsObject(m.fields);
    return JSON.stringify(out) + newline;
  };
  return { encode };
}

/**
 * JsonEncoder: one JSON object per message and line, `{"Uuid", "Timestamp", "Type", "Logger",
 * "Severity", "Payload", "EnvVersion", "Pid", "Hostname", "Fields": {name: value}}`. A repeated
 * field name or a multi-valued field gives an array; bytes are base64; integers beyond 2^53 are
 * decimal strings. `fields_only` emits just the fields object, the shape of a table row.
 *
 * @example
 * [json_lines]
 * type = "JsonEncoder"
 * fields_only = true
 */
export const JsonEncoder = defineEncoder({
  type: 'JsonEncoder',
  summary: 'Encodes a message as one JSON object per line.',
  options,
  create: (o) => createJsonEncoder(o),
});
