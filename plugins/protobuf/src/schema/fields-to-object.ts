import { EncodeError, type Field, type FieldValue } from '@hekate/core';

/** A JSON-like object built with own properties only (a key such as `__proto__` stays data). */
export type PlainObject = Record<string, unknown>;

/** Representation JsonDecoder gives fields that hold JSON text (objects too deep, mixed arrays). */
const JSON_REPRESENTATION = 'json';

function setOwn(obj: PlainObject, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A value as ProtoJSON accepts it: bytes as base64, bigints as decimal text. */
function jsonValue(value: FieldValue): unknown {
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return typeof value === 'bigint' ? value.toString() : value;
}

function fieldValue(field: Field): unknown {
  if (
    field.representation === JSON_REPRESENTATION &&
    field.type === 'string' &&
    field.values.length === 1
  ) {
    try {
      return JSON.parse(field.values[0] as string);
    } catch {
      // Not JSON after all: keep the text.
    }
  }
  const values = field.values.map(jsonValue);
  return values.length === 1 ? values[0] : values;
}

/**
 * Sets `value` at the path `key` split by `separator`, creating objects on the way; an existing
 * value there is replaced only with `replace`.
 * @throws EncodeError when the path crosses a value that is not an object, or meets one.
 */
export function setPath(
  root: PlainObject,
  key: string,
  separator: string,
  value: unknown,
  replace = false,
): void {
  const parts = key.split(separator);
  let obj = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    let next = Object.hasOwn(obj, part) ? obj[part] : undefined;
    if (next === undefined) {
      next = {};
      setOwn(obj, part, next);
    } else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      throw new EncodeError(
        `Field "${key}" cannot nest under "${parts.slice(0, i + 1).join(separator)}", which holds a value.`,
      );
    }
    obj = next as PlainObject;
  }
  const leaf = parts.at(-1)!;
  if (!replace && Object.hasOwn(obj, leaf))
    throw new EncodeError(`Field "${key}" conflicts with fields nested under it.`);
  setOwn(obj, leaf, value);
}

/**
 * The reverse of flattening: fields named `a.b.c` (with the separator) become nested objects,
 * a single value becomes a scalar and several an array; fields repeating a name append their
 * values; a `json` field becomes the structure it holds.
 *
 * @throws EncodeError when names conflict (`a` holds a value and `a.b` exists).
 */
export function fieldsToObject(fields: readonly Field[], separator: string): PlainObject {
  const root: PlainObject = {};
  const seen = new Map<string, unknown>();
  for (const field of fields) {
    let value = fieldValue(field);
    const earlier = seen.get(field.name);
    if (earlier !== undefined) value = [earlier, value].flat();
    seen.set(field.name, value);
    setPath(root, field.name, separator, value, earlier !== undefined);
  }
  return root;
}
