/** The five value types a Heka field can hold. */
export type ValueType = 'string' | 'bytes' | 'integer' | 'double' | 'bool';

/**
 * One value of a field. Integers are JS numbers while they are safe integers and bigints beyond
 * that (Heka's int64); doubles are numbers; bytes are Uint8Arrays.
 */
export type FieldValue = string | Uint8Array | number | bigint | boolean;

/**
 * A message field: Heka's ordered, possibly repeated, typed value array with an optional
 * representation (a unit or format hint such as `"B"` or `"date-time"`).
 */
export interface Field {
  readonly name: string;
  readonly type: ValueType;
  readonly values: readonly FieldValue[];
  readonly representation: string;
}

/** How a field is given to {@link createField}: a scalar or an array of one type. */
export interface FieldInit {
  name: string;
  value: FieldValue | readonly FieldValue[];
  representation?: string;
  /** Forces the value type; inferred from the first value when absent. */
  type?: ValueType;
}

/** Infers the Heka value type of a JS value (integral numbers are `integer`). */
export function valueTypeOf(value: FieldValue): ValueType {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'integer';
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'double';
    default:
      return 'bytes';
  }
}

function fits(type: ValueType, value: FieldValue): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'bytes':
      return value instanceof Uint8Array;
    case 'bool':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value));
    case 'double':
      return typeof value === 'number';
  }
}

/**
 * Builds a field, checking that every value has the field's type.
 * @throws TypeError when the values are empty or of mixed types.
 */
export function createField(init: FieldInit): Field {
  const values: readonly FieldValue[] = Array.isArray(init.value)
    ? (init.value as readonly FieldValue[])
    : [init.value as FieldValue];
  if (values.length === 0) throw new TypeError(`Field "${init.name}" has no values.`);
  let type = init.type;
  if (type === undefined) {
    type = valueTypeOf(values[0]!);
    // An array mixing integral and fractional numbers is a double array.
    if (type === 'integer' && values.some((v) => typeof v === 'number' && !Number.isInteger(v))) {
      type = 'double';
    }
  }
  for (const v of values) {
    if (!fits(type, v)) {
      throw new TypeError(`Field "${init.name}" of type ${type} cannot hold ${typeof v} value ${String(v)}.`);
    }
  }
  return { name: init.name, type, values, representation: init.representation ?? '' };
}
