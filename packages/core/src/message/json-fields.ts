import { DecodeError } from '../errors.js';
import type { Field, ValueType } from './field.js';
import type { FieldSource } from './field-source.js';
import { ownString } from './own-string.js';

/** A parsed JSON object. Keys such as `__proto__` are own data properties (JSON.parse makes them so). */
export type JsonObject = { readonly [key: string]: unknown };

/** How a decoder turns a JSON object into fields. */
export interface JsonFieldLayout {
  /** Joins the keys of nested objects into one field name (`a.b`). */
  readonly separator: string;
  /** Objects at this depth (top-level values are depth 1) or deeper become one JSON-text field. */
  readonly maxDepth: number;
}

/** A field's value as JSON text, for objects too deep to flatten and arrays that are not plain. */
const JSON_REPRESENTATION = 'json';

/** True for a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `value` flattens into fields named after it rather than being one field itself. */
function flattens(value: unknown, depth: number, layout: JsonFieldLayout): value is JsonObject {
  return isJsonObject(value) && depth < layout.maxDepth;
}

function field(name: string, type: ValueType, values: readonly unknown[], representation = ''): Field {
  return { name, type, values: values as Field['values'], representation };
}

/** The value type shared by every element of a scalar array, or undefined. */
function arrayType(values: readonly unknown[]): ValueType | undefined {
  if (values.length === 0) return undefined;
  const kind = typeof values[0];
  if (kind !== 'string' && kind !== 'number' && kind !== 'boolean') return undefined;
  let integral = true;
  for (const v of values) {
    if (typeof v !== kind) return undefined;
    if (kind === 'number' && !Number.isSafeInteger(v)) integral = false;
  }
  return kind === 'string' ? 'string' : kind === 'boolean' ? 'bool' : integral ? 'integer' : 'double';
}

/**
 * The field for a JSON value that does not flatten: strings, booleans, numbers (safe integers are
 * `integer`, every other number `double`), arrays of scalars of one type (one field holding them
 * all), and as JSON text with representation `json`: other arrays and objects at the depth
 * limit. Null gives no field.
 */
function jsonValueField(name: string, value: unknown): Field | undefined {
  switch (typeof value) {
    case 'string':
      return field(name, 'string', [value]);
    case 'boolean':
      return field(name, 'bool', [value]);
    case 'number':
      return field(name, Number.isSafeInteger(value) ? 'integer' : 'double', [value]);
    case 'object': {
      if (value === null) return undefined;
      const type = Array.isArray(value) ? arrayType(value) : undefined;
      if (type !== undefined) return field(name, type, value as unknown[]);
      return field(name, 'string', [JSON.stringify(value)], JSON_REPRESENTATION);
    }
    default:
      return undefined;
  }
}

/**
 * Visits the values that become fields, in order: keys in JavaScript property order (integer-like
 * keys first, then insertion order), nested objects flattened in place. With `target`, only
 * values whose field name can equal it are visited. `visit` returns true to stop.
 */
function walk(
  obj: JsonObject,
  prefix: string | undefined,
  depth: number,
  layout: JsonFieldLayout,
  target: string | undefined,
  visit: (name: string, value: unknown) => boolean,
): boolean {
  const sep = layout.separator;
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (value === null) continue;
    const name = prefix === undefined ? key : prefix + sep + key;
    if (flattens(value, depth, layout)) {
      const inside =
        target === undefined || (target.startsWith(name) && target.startsWith(sep, name.length));
      if (inside && walk(value, name, depth + 1, layout, target, visit)) return true;
    } else if ((target === undefined || target === name) && visit(name, value)) {
      return true;
    }
  }
  return false;
}

/**
 * Where the value called `name` is: the object holding it and its key, or undefined (also for
 * null). A top-level key is found directly; a name with the separator walks the nested objects.
 */
export function locateJsonField(
  root: JsonObject,
  name: string,
  layout: JsonFieldLayout,
): [holder: JsonObject, key: string] | undefined {
  if (Object.hasOwn(root, name) && root[name] !== null) return [root, name];
  if (!name.includes(layout.separator)) return undefined;
  let found: [JsonObject, string] | undefined;
  const search = (obj: JsonObject, prefix: string | undefined, depth: number): boolean => {
    for (const key of Object.keys(obj)) {
      const value = obj[key];
      const full = prefix === undefined ? key : prefix + layout.separator + key;
      if (full === name && value !== null) {
        found = [obj, key];
        return true;
      }
      const below = flattens(value, depth, layout) && name.startsWith(full + layout.separator);
      if (below && search(value, full, depth + 1)) return true;
    }
    return false;
  };
  search(root, undefined, 1);
  return found;
}

/**
 * The fields of a parsed JSON object, built lazily: a matcher asking for `Fields[status]` gets
 * that one field straight from the parsed object; the full ordered list is built only when
 * something reads every field. Fields the message had before decoding come first.
 *
 * Given the record's `text` (which parses to exactly `root`), the source can {@link shrink} while
 * its message waits in a queue: it drops the parsed object, which takes several times the memory
 * of the text, and parses the text again if a field is ever asked for.
 */
export class JsonFieldSource implements FieldSource {
  #root: JsonObject | undefined;
  #text: string | undefined;
  readonly #layout: JsonFieldLayout;
  readonly #before: readonly Field[];

  constructor(root: JsonObject, layout: JsonFieldLayout, before: readonly Field[] = [], text?: string) {
    this.#root = root;
    this.#layout = layout;
    this.#before = before;
    this.#text = text;
  }

  /**
   * Fields of a record known to hold one JSON object (it was parsed when first decoded), parsed
   * only when a field is asked for.
   */
  static fromText(text: string, layout: JsonFieldLayout, before: readonly Field[] = []): JsonFieldSource {
    const source = new JsonFieldSource({}, layout, before, text);
    source.#root = undefined;
    return source;
  }

  /** The record text the fields come from, when it parses to them exactly. */
  get text(): string | undefined {
    return this.#text;
  }

  get layout(): JsonFieldLayout {
    return this.#layout;
  }

  /** Fields the message had before decoding; they come first. */
  get before(): readonly Field[] {
    return this.#before;
  }

  shrink(payload: string, keepParsed: boolean): void {
    if (this.#text === undefined) return;
    this.#text = this.#text === payload ? payload : ownString(this.#text);
    if (!keepParsed) this.#root = undefined;
  }

  /**
   * The parsed object, parsed (again) from the text when needed.
   * @throws DecodeError if the text is not a JSON object, which only a bug can cause.
   */
  get #parsed(): JsonObject {
    if (this.#root !== undefined) return this.#root;
    let root: unknown;
    try {
      root = JSON.parse(this.#text!);
    } catch {
      // Reported below.
    }
    if (!isJsonObject(root)) throw new DecodeError('The text of JSON fields is not a JSON object.');
    return (this.#root = root);
  }

  lookup(name: string, fieldIndex: number): Field | undefined {
    let index = fieldIndex;
    for (const f of this.#before) {
      if (f.name === name && index-- === 0) return f;
    }
    const root = this.#parsed;
    const layout = this.#layout;
    if (!name.includes(layout.separator)) {
      // Only the top-level key of that name can produce it, and keys are unique.
      if (index !== 0 || !Object.hasOwn(root, name)) return undefined;
      const value = root[name];
      return flattens(value, 1, layout) ? undefined : jsonValueField(name, value);
    }
    let found: Field | undefined;
    walk(root, undefined, 1, layout, name, (n, value) => {
      if (index-- !== 0) return false;
      found = jsonValueField(n, value);
      return true;
    });
    return found;
  }

  materialize(): Field[] {
    const fields = [...this.#before];
    walk(this.#parsed, undefined, 1, this.#layout, undefined, (name, value) => {
      fields.push(jsonValueField(name, value)!);
      return false;
    });
    return fields;
  }
}
