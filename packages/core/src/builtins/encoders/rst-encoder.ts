import { z } from 'zod';
import type { Field, FieldValue } from '../../message/field.js';
import type { Message } from '../../message/message.js';
import { defineEncoder } from '../../plugins/define.js';
import { formatGoTimeString } from '../shared/time-format.js';

/** Go's `strconv.FormatFloat(v, 'g', -1, 64)`: shortest digits, exponent form outside [1e-4, 1e6). */
function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, exp] = v.toExponential().split('e') as [string, string];
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 6) {
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(v);
}

function rstValue(field: Field, value: FieldValue): string {
  switch (field.type) {
    case 'string':
      return `"${value as string}"`;
    case 'bytes':
      return Buffer.from(value as Uint8Array).toString('base64');
    case 'double':
      return goFloat(value as number);
    default:
      return String(value);
  }
}

function rstField(field: Field): string {
  const values = field.values.map((v) => rstValue(field, v));
  const shown = values.length === 1 ? values[0] : `[${values.join(',')}]`;
  const repr = field.representation === '' ? '' : ` repr:"${field.representation}"`;
  return `    | name:"${field.name}" value_${field.type}:${shown}${repr}\n`;
}

function encodeRst(m: Message): string {
  let out =
    `\n:Timestamp: ${formatGoTimeString(m.timestamp)}\n:Type: ${m.type}\n:Hostname: ${m.hostname}\n` +
    `:Pid: ${m.pid}\n:Uuid: ${m.uuid}\n:Logger: ${m.logger}\n:Payload: ${m.payload}\n` +
    `:EnvVersion: ${m.envVersion}\n:Severity: ${m.severity}\n`;
  const fields = m.fields;
  if (fields.length > 0) out += ':Fields:\n' + fields.map(rstField).join('');
  return out + '\n';
}

/**
 * RstEncoder: a human-readable reStructuredText dump of every header and field, for debugging
 * with LogOutput; the same layout as Heka's RstEncoder, timestamps in UTC.
 *
 * @example
 * [debug]
 * type = "LogOutput"
 * message_matcher = "TRUE"
 * encoder = "RstEncoder"
 */
export const RstEncoder = defineEncoder({
  type: 'RstEncoder',
  summary: 'Encodes a message as a readable reStructuredText dump, for debugging.',
  options: z.object({}).strict(),
  create: () => ({ encode: encodeRst }),
});
