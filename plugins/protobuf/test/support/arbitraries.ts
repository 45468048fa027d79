import fc from 'fast-check';
import { createMessage, type Field, type FieldValue, type Message } from '@hekate/core';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** An int64 as Hekate holds it: a number when safe, a bigint beyond. */
export const int64Value: fc.Arbitrary<number | bigint> = fc.oneof(
  fc.maxSafeInteger(),
  fc.integer(),
  fc
    .bigInt({ min: INT64_MIN, max: INT64_MAX })
    .filter((v) => v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)),
  fc.constantFrom(
    INT64_MIN,
    INT64_MAX,
    2n ** 53n,
    -(2n ** 53n),
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    0,
    -1,
  ),
);

const text = fc.string({ unit: 'grapheme', maxLength: 40 });

const values: fc.Arbitrary<{ type: Field['type']; values: FieldValue[] }> = fc.oneof(
  fc.record({ type: fc.constant('string' as const), values: fc.array(text, { maxLength: 4 }) }),
  fc.record({
    type: fc.constant('bytes' as const),
    values: fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 4 }),
  }),
  fc.record({
    type: fc.constant('integer' as const),
    values: fc.array(int64Value, { maxLength: 6 }),
  }),
  fc.record({
    type: fc.constant('double' as const),
    values: fc.array(fc.double(), { maxLength: 6 }),
  }),
  fc.record({
    type: fc.constant('bool' as const),
    values: fc.array(fc.boolean(), { maxLength: 6 }),
  }),
);

/** A field with any value type, possibly no values, possibly a representation. */
export const field: fc.Arbitrary<Field> = fc
  .record({
    name: fc.oneof(text, fc.constantFrom('status', 'ResponseSize|B', '__proto__', 'constructor')),
    v: values,
    representation: fc.oneof(fc.constant(''), text),
  })
  .map(({ name, v, representation }) => ({ name, type: v.type, values: v.values, representation }));

/** A message with every header and up to 8 fields (names may repeat). */
export const message: fc.Arbitrary<Message> = fc
  .record({
    uuid: fc.uuid(),
    timestamp: fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
    type: text,
    logger: text,
    severity: fc.integer(INT32),
    payload: fc.string({ unit: 'grapheme', maxLength: 200 }),
    envVersion: text,
    pid: fc.integer(INT32),
    hostname: text,
    fields: fc.array(field, { maxLength: 8 }),
  })
  .map(({ fields, ...headers }) => {
    const m = createMessage(headers);
    m.fields = fields;
    return m;
  });

/** The headers and fields of a message as plain data, for deep comparison. */
export function snapshot(m: Message): Record<string, unknown> {
  return {
    uuid: m.uuid,
    timestamp: m.timestamp,
    type: m.type,
    logger: m.logger,
    severity: m.severity,
    payload: m.payload,
    envVersion: m.envVersion,
    pid: m.pid,
    hostname: m.hostname,
    fields: m.fields.map((f) => ({
      ...f,
      values: f.values.map((v) => (v instanceof Uint8Array ? [...v] : v)),
    })),
  };
}
