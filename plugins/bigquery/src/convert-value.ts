import type { FieldValue } from '@hekate/core';
import type { ColumnType } from './table-schema.js';
import { civilDate, civilTime, isoTimestamp, type ZonedClock } from './zoned-clock.js';

/**
 * Converts one message value into the JSON value insertAll expects for a column type; `unit` is
 * the unit of a numeric time (a field's representation: `s`, `ms`, `us` or `ns`; seconds when
 * absent, BigQuery's own rule). Throws an Error whose message is the reason when the value cannot
 * be stored in such a column.
 */
export type Converter = (value: FieldValue, unit: string) => unknown;

const UNIT_MICROS: Readonly<Record<string, bigint>> = { s: 1_000_000n, ms: 1000n, us: 1n, µs: 1n };
const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);
const utf8 = new TextDecoder();

function describe(value: FieldValue): string {
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

function refuse(type: ColumnType, value: FieldValue): never {
  throw new Error(`cannot store ${describe(value)} as ${type}`);
}

/** Microseconds since the epoch of a numeric time in `unit`, or undefined when not numeric. */
function toMicros(value: FieldValue, unit: string): bigint | undefined {
  if (typeof value === 'bigint') {
    return unit === 'ns' ? value / 1000n : value * (UNIT_MICROS[unit] ?? UNIT_MICROS.s!);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const perUnit = unit === 'ns' ? 1e-3 : Number(UNIT_MICROS[unit] ?? UNIT_MICROS.s!);
  return BigInt(Math.round(value * perUnit));
}

function integer(value: FieldValue): unknown {
  if (typeof value === 'number' && Number.isInteger(value)) {
    return Number.isSafeInteger(value) ? value : BigInt(value).toString();
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) return value.trim();
  return refuse('INTEGER', value);
}

function float(value: FieldValue): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    const text = value.trim();
    if (NON_FINITE.has(text)) return text;
    if (DECIMAL_TEXT.test(text)) return Number(text);
  }
  return refuse('FLOAT', value);
}

function decimal(type: ColumnType, value: FieldValue): unknown {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const unsafe = Number.isInteger(value) && !Number.isSafeInteger(value);
    return unsafe ? BigInt(value).toString() : String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' && DECIMAL_TEXT.test(value.trim())) return value.trim();
  return refuse(type, value);
}

function boolean(value: FieldValue): unknown {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (value == 0 || value == 1) return value == 1;
  }
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
  }
  return refuse('BOOLEAN', value);
}

/** A time column: text passes through for BigQuery to parse; numbers are instants. */
function time(type: ColumnType, format: (micros: bigint) => string): Converter {
  return (value, unit) => {
    if (typeof value === 'string') return value;
    const micros = toMicros(value, unit);
    return micros === undefined ? refuse(type, value) : format(micros);
  };
}

/** STRING and JSON (whose insertAll value is the JSON text): bytes as UTF-8, the rest as text. */
const text: Converter = (v) =>
  typeof v === 'string' ? v : v instanceof Uint8Array ? utf8.decode(v) : String(v);

function textOnly(type: ColumnType): Converter {
  return (value) => (typeof value === 'string' ? value : refuse(type, value));
}

/** The converter for a leaf column type; DATE, DATETIME and TIME use `clock`'s time zone. */
export function converterFor(type: Exclude<ColumnType, 'RECORD'>, clock: ZonedClock): Converter {
  switch (type) {
    case 'STRING':
    case 'JSON':
      return text;
    case 'BYTES':
      return (v) => Buffer.from(v instanceof Uint8Array ? v : String(v)).toString('base64');
    case 'INTEGER':
      return integer;
    case 'FLOAT':
      return float;
    case 'NUMERIC':
    case 'BIGNUMERIC':
      return (v) => decimal(type, v);
    case 'BOOLEAN':
      return boolean;
    case 'TIMESTAMP':
      return time(type, isoTimestamp);
    case 'DATE':
      return time(type, (us) => civilDate(clock.civil(us)));
    case 'DATETIME':
      return time(type, (us) => {
        const t = clock.civil(us);
        return `${civilDate(t)}T${civilTime(t)}`;
      });
    case 'TIME':
      return time(type, (us) => civilTime(clock.civil(us)));
    case 'GEOGRAPHY':
    case 'INTERVAL':
    case 'RANGE':
      return textOnly(type);
  }
}
