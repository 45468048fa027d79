import { EncodeError, type Field, type FieldValue, type Message } from '@hekate/core';
import { WIRE_LENGTH, WIRE_VARINT } from '../wire/wire-reader.js';
import { WireWriter } from '../wire/wire-writer.js';
import { DecodedHekaMessage } from './decoded-message.js';
import {
  FIELD_NAME,
  FIELD_REPRESENTATION,
  FIELD_VALUE_TYPE,
  VALUE_FIELD,
  VALUE_TYPES,
} from './field-layout.js';
import { uuidBytes } from './uuid-bytes.js';

// Encoding is synchronous and runs no user code once it starts, so one writer serves every call.
const writer = new WireWriter();

function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff;
}

function fail(what: string): never {
  throw new EncodeError(`Cannot encode as a Heka message: ${what}.`);
}

function optionalString(w: WireWriter, field: number, value: string): void {
  if (value === '') return;
  w.tag(field, WIRE_LENGTH);
  w.string(value);
}

/**
 * Encodes a message as Heka's protobuf `Message`, or returns its `raw` bytes when it is a
 * {@link DecodedHekaMessage} that has not changed since it was decoded.
 *
 * The encoding is canonical, in field-number order: uuid (16 bytes) and timestamp always,
 * severity always, string headers only when not empty, pid only when not 0; each field with its
 * name, value type and representation (as Heka's `NewField` writes them) and its values, integers,
 * doubles and bools packed.
 *
 * @throws EncodeError when the uuid is not 8-4-4-4-12 hex, the timestamp is outside int64,
 * severity or pid is not an int32, or a value does not fit its field's type.
 */
export function encodeHekaMessage(message: Message): Uint8Array {
  if (message instanceof DecodedHekaMessage && message.unchanged) return message.raw!;
  // Read everything that may run code (lazy uuid, lazy fields) before writing.
  const uuid = uuidBytes(message.uuid) ?? fail(`uuid "${message.uuid}" is not 16 bytes of hex`);
  const fields = message.fields;
  if (!isInt32(message.severity)) fail(`severity ${message.severity} is not an int32`);
  if (!isInt32(message.pid)) fail(`pid ${message.pid} is not an int32`);
  const w = writer;
  w.reset();
  w.tag(1, WIRE_LENGTH);
  w.bytes(uuid);
  w.tag(2, WIRE_VARINT);
  try {
    w.int64(message.timestamp);
  } catch {
    fail(`timestamp ${message.timestamp} is outside int64`);
  }
  optionalString(w, 3, message.type);
  optionalString(w, 4, message.logger);
  w.tag(5, WIRE_VARINT);
  w.int64(message.severity);
  optionalString(w, 6, message.payload);
  optionalString(w, 7, message.envVersion);
  if (message.pid !== 0) {
    w.tag(8, WIRE_VARINT);
    w.int64(message.pid);
  }
  optionalString(w, 9, message.hostname);
  for (const field of fields) {
    w.tag(10, WIRE_LENGTH);
    const at = w.beginLength();
    writeField(w, field);
    w.endLength(at);
  }
  return w.finish();
}

function writeField(w: WireWriter, field: Field): void {
  const typeCode = VALUE_TYPES.indexOf(field.type);
  if (typeCode < 0) fail(`field "${field.name}" has unknown type ${String(field.type)}`);
  w.tag(FIELD_NAME, WIRE_LENGTH);
  w.string(field.name);
  w.tag(FIELD_VALUE_TYPE, WIRE_VARINT);
  w.uint32(typeCode);
  w.tag(FIELD_REPRESENTATION, WIRE_LENGTH);
  w.string(field.representation);
  const values = field.values;
  if (values.length === 0) return;
  const valueField = VALUE_FIELD[typeCode]!;
  const bad = (v: FieldValue): never =>
    fail(`${typeof v} value ${String(v)} in ${field.type} field "${field.name}"`);
  switch (field.type) {
    case 'string':
      for (const v of values) {
        w.tag(valueField, WIRE_LENGTH);
        w.string(typeof v === 'string' ? v : bad(v));
      }
      return;
    case 'bytes':
      for (const v of values) {
        w.tag(valueField, WIRE_LENGTH);
        w.bytes(v instanceof Uint8Array ? v : bad(v));
      }
      return;
    case 'double':
      w.tag(valueField, WIRE_LENGTH);
      w.uint32(values.length * 8);
      for (const v of values) w.double(typeof v === 'number' ? v : bad(v));
      return;
    default: {
      w.tag(valueField, WIRE_LENGTH);
      const at = w.beginLength(values.length);
      for (const v of values) writePackedVarint(w, field.type === 'bool', v, bad);
      w.endLength(at);
    }
  }
}

function writePackedVarint(
  w: WireWriter,
  bool: boolean,
  v: FieldValue,
  bad: (v: FieldValue) => never,
): void {
  if (bool) {
    w.uint32(typeof v === 'boolean' ? Number(v) : bad(v));
    return;
  }
  if (typeof v !== 'bigint' && (typeof v !== 'number' || !Number.isSafeInteger(v))) bad(v);
  try {
    w.int64(v);
  } catch {
    bad(v);
  }
}
