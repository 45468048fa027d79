import {
  DecodeError,
  type Field,
  type FieldSource,
  type FieldValue,
  type ValueType,
} from '@hekate/core';
import { WIRE_FIXED64, WIRE_LENGTH, WIRE_VARINT, WireReader } from '../wire/wire-reader.js';

/** Hekate's value types in Heka's enum order (STRING = 0 … BOOL = 4). */
export const VALUE_TYPES: readonly ValueType[] = ['string', 'bytes', 'integer', 'double', 'bool'];

/** Heka's `Field` field numbers. */
export const FIELD_NAME = 1;
export const FIELD_VALUE_TYPE = 2;
export const FIELD_REPRESENTATION = 3;
/** The value array field number of each value type, by type code. */
export const VALUE_FIELD = [4, 5, 6, 7, 8];

// Per field in a layout: where its values start (the first value member, or the body's end),
// body end, name start, name end, value type code, representation start and end (equal when
// absent or empty).
const STRIDE = 7;

function key(field: number, wireType: number): number {
  return (field << 3) | wireType;
}

/** Steps over the packed varints in `[r.pos, end)`, checking each is well-formed. */
function skipPackedVarints(r: WireReader, end: number): void {
  const outer = r.end;
  r.end = end;
  while (r.pos < end) r.skipVarint('packed value');
  r.end = outer;
}

/**
 * Checks one `Field` message at `[r.pos, end)` completely — keys, wire types, lengths, the value
 * type, packed arrays — and records where its name and representation are, so that building it
 * later cannot fail. Throws a DecodeError for anything malformed.
 */
export function scanField(r: WireReader, end: number, layout: number[]): void {
  const outer = r.end;
  r.end = end;
  let nameStart = -1;
  let nameEnd = -1;
  let reprStart = 0;
  let reprEnd = 0;
  let typeCode = 0;
  let valuesStart = end;
  while (r.pos < end) {
    const keyAt = r.pos;
    const k = r.uint32('field key');
    if (valuesStart === end && k >>> 3 >= VALUE_FIELD[0]! && k >>> 3 <= VALUE_FIELD[4]!)
      valuesStart = keyAt;
    switch (k) {
      case key(FIELD_NAME, WIRE_LENGTH):
        nameEnd = r.delimited('field name');
        nameStart = r.pos;
        r.pos = nameEnd;
        break;
      case key(FIELD_VALUE_TYPE, WIRE_VARINT):
        typeCode = r.uint32('value_type');
        if (typeCode >= VALUE_TYPES.length)
          throw new DecodeError(`Unknown field value_type ${typeCode}.`);
        break;
      case key(FIELD_REPRESENTATION, WIRE_LENGTH):
        reprEnd = r.delimited('representation');
        reprStart = r.pos;
        r.pos = reprEnd;
        break;
      // Values: 4 value_string, 5 value_bytes, 6 value_integer, 7 value_double, 8 value_bool.
      case key(4, WIRE_LENGTH):
      case key(5, WIRE_LENGTH):
        r.pos = r.delimited('value');
        break;
      case key(6, WIRE_LENGTH):
      case key(8, WIRE_LENGTH):
        skipPackedVarints(r, r.delimited('packed values'));
        break;
      case key(7, WIRE_LENGTH): {
        const n = r.length('packed doubles');
        if (n % 8 !== 0)
          throw new DecodeError(`Packed doubles of ${n} bytes are not a multiple of 8.`);
        r.pos += n;
        break;
      }
      case key(6, WIRE_VARINT):
      case key(8, WIRE_VARINT):
        r.skipVarint('value');
        break;
      case key(7, WIRE_FIXED64):
        r.double('value');
        break;
      default: {
        const field = k >>> 3;
        if (field <= 8)
          throw new DecodeError(
            `Field key ${k} (field ${field}, wire type ${k & 7}) is not valid in a Field.`,
          );
        r.skip(k & 7, 'unknown Field member');
      }
    }
  }
  r.end = outer;
  if (nameStart < 0) throw new DecodeError('A field has no name (Field.name is required).');
  layout.push(valuesStart, end, nameStart, nameEnd, typeCode, reprStart, reprEnd);
}

/** Reads the values of the field's own type from a checked `Field` body. */
function readValues(r: WireReader, end: number, typeCode: number): FieldValue[] {
  const values: FieldValue[] = [];
  const valueField = VALUE_FIELD[typeCode]!;
  while (r.pos < end) {
    const k = r.uint32('field key');
    if (k >>> 3 !== valueField) {
      r.skip(k & 7, 'field member');
    } else if ((k & 7) !== WIRE_LENGTH) {
      values.push(readScalar(r, typeCode)); // an unpacked integer, double or bool
    } else if (typeCode === 0) {
      values.push(r.string('value'));
    } else if (typeCode === 1) {
      const valueEnd = r.delimited('value');
      values.push(new Uint8Array(r.buf.subarray(r.pos, valueEnd)));
      r.pos = valueEnd;
    } else {
      const packedEnd = r.delimited('packed values');
      while (r.pos < packedEnd) values.push(readScalar(r, typeCode));
    }
  }
  return values;
}

function readScalar(r: WireReader, typeCode: number): FieldValue {
  switch (typeCode) {
    case 2:
      return r.int64('integer value');
    case 3:
      return r.double('double value');
    default:
      return r.int64('bool value') !== 0;
  }
}

/**
 * The fields of a decoded Heka message, built lazily from its checked bytes: a lookup by name
 * decodes only the names and the one field asked for; everything is built only when the whole
 * list is needed.
 */
export class HekaFieldSource implements FieldSource {
  readonly #reader: WireReader;
  readonly #layout: readonly number[];
  #names: string[] | undefined;
  readonly #built: (Field | undefined)[] = [];

  /**
   * @param reader A reader over the message's bytes, now owned by this source.
   * @param layout What {@link scanField} recorded for each field, in order.
   */
  constructor(reader: WireReader, layout: readonly number[]) {
    this.#reader = reader;
    this.#layout = layout;
  }

  /** How many fields there are. */
  get count(): number {
    return this.#layout.length / STRIDE;
  }

  lookup(name: string, fieldIndex: number): Field | undefined {
    const names = (this.#names ??= this.#readNames());
    let seen = 0;
    for (let i = 0; i < names.length; i++) {
      if (names[i] === name && seen++ === fieldIndex) return this.#field(i);
    }
    return undefined;
  }

  materialize(): Field[] {
    const fields: Field[] = new Array(this.count);
    for (let i = 0; i < fields.length; i++) fields[i] = this.#field(i);
    return fields;
  }

  #readNames(): string[] {
    const names: string[] = new Array(this.count);
    const buf = this.#reader.buf;
    for (let i = 0; i < names.length; i++)
      names[i] = buf.utf8Slice(this.#layout[i * STRIDE + 2]!, this.#layout[i * STRIDE + 3]!);
    return names;
  }

  #field(i: number): Field {
    let field = this.#built[i];
    if (field === undefined) {
      const at = i * STRIDE;
      const layout = this.#layout;
      const r = this.#reader;
      r.pos = layout[at]!;
      r.end = layout[at + 1]!;
      const typeCode = layout[at + 4]!;
      const name = this.#names?.[i] ?? r.buf.utf8Slice(layout[at + 2]!, layout[at + 3]!);
      const representation =
        layout[at + 5] === layout[at + 6] ? '' : r.buf.utf8Slice(layout[at + 5]!, layout[at + 6]!);
      field = {
        name,
        type: VALUE_TYPES[typeCode]!,
        values: readValues(r, r.end, typeCode),
        representation,
      };
      this.#built[i] = field;
    }
    return field;
  }
}
