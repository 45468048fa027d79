import type { Field, FieldValue } from '../../message/field.js';

/** A field value as JSON: bytes as base64, integers beyond the safe range as decimal strings. */
function jsonFieldValue(value: FieldValue): unknown {
  if (value instanceof Uint8Array) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  }
  if (typeof value === 'bigint') {
    const safe = value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER;
    return safe ? Number(value) : value.toString();
  }
  return value;
}

/**
 * Fields as one JSON-ready object, name → value: a name with a single value overall maps to that
 * value, a repeated name or a field with several values to the array of all its values in
 * order. The object has no prototype, so names such as `__proto__` are plain keys.
 */
export function fieldsObject(fields: readonly Field[]): Record<string, unknown> {
  const byName = new Map<string, unknown[]>();
  for (const field of fields) {
    let values = byName.get(field.name);
    if (values === undefined) byName.set(field.name, (values = []));
    for (const v of field.values) values.push(jsonFieldValue(v));
  }
  const out = Object.create(null) as Record<string, unknown>;
  for (const [name, values] of byName) out[name] = values.length === 1 ? values[0] : values;
  return out;
}
