import { DecodeError, EncodeError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import type { Field, FieldValue, ValueType } from './field.js';
import { JsonFieldSource, type JsonFieldLayout } from './json-fields.js';
import { Message } from './message.js';
import { uuidSlot } from './uuid-bytes.js';

/*
 * The binary message encoding used by the disk queue. Layout (little-endian; `str` is a varint of
 * `byteLength * 2 + wide` then UTF-8, or UTF-16LE when wide; `num` is a tag byte then a varint or
 * a float64):
 *
 * ```
 * u8 version (1) | u8 flags (1: uuid is 16 bytes, 2: raw present, 4: JSON fields,
 *   8: the JSON text is the payload)
 * uuid (16 bytes, or str) | i64 timestamp ns | str type | str logger | num severity
 * str payload | str envVersion | num pid | str hostname | [varint len, raw bytes]
 * [JSON fields: [str text, unless it is the payload] | str separator | varint max depth]
 * varint field count, then per field: str name | u8 value type | str representation
 *   | varint value count | values
 * ```
 *
 * Fields a decoder builds from a JSON record (JsonDecoder's lazily built fields) are stored as
 * that record's text and layout rather than one by one: usually the text is the payload, so they
 * cost three bytes, and neither encoding nor decoding builds them (the text is parsed when a field
 * is first read). The field list then holds only the fields the message had before decoding.
 *
 * Value types use Heka's numbering (0 string, 1 bytes, 2 integer, 3 double, 4 bool). An integer
 * value carries a tag saying whether it was a number (non-negative varint, negative varint,
 * float64) or a bigint (int64, or decimal text beyond int64), so a decoded message has exactly the
 * JS values the encoded one had.
 */
const VERSION = 1;
const FLAG_UUID_BYTES = 1;
const FLAG_RAW = 2;
const FLAG_JSON_FIELDS = 4;
const FLAG_JSON_TEXT_IS_PAYLOAD = 8;
const ALL_FLAGS = FLAG_UUID_BYTES | FLAG_RAW | FLAG_JSON_FIELDS | FLAG_JSON_TEXT_IS_PAYLOAD;

const NUM_UINT = 0;
const NUM_NEGINT = 1;
const NUM_FLOAT = 2;
const NUM_INT64 = 3;
const NUM_BIGTEXT = 4;

const TYPE_CODES: Record<ValueType, number> = {
  string: 0,
  bytes: 1,
  integer: 2,
  double: 3,
  bool: 4,
};
const TYPES: readonly ValueType[] = ['string', 'bytes', 'integer', 'double', 'bool'];
/** The fewest bytes one value of each type can take, indexed by type code. */
const MIN_VALUE_BYTES = [1, 1, 2, 8, 1];

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// One writer for every call: encoding is synchronous and runs no user code once it starts.
const writer = new ByteWriter();

/**
 * Encodes a message (headers, uuid, `raw` and every field, in order) into compact bytes that
 * {@link decodeMessage} turns back into an equal message.
 *
 * @throws EncodeError when a field holds a value that does not match its type.
 */
export function encodeMessage(msg: Message): Uint8Array {
  writer.reset();
  writeMessage(writer, msg);
  return writer.finish();
}

/**
 * Encodes messages one after another into one buffer, like {@link encodeMessage} each: the
 * encodings are views of that buffer, which saves an allocation and a copy per message. A message
 * that cannot be encoded is left out and handed to `onError` with its EncodeError.
 */
export function encodeMessages(
  messages: readonly Message[],
  onError: (message: Message, error: unknown) => void,
): { encoded: Message[]; records: Uint8Array[] } {
  const w = writer;
  w.reset();
  const encoded: Message[] = [];
  const ends: number[] = [];
  const failed: [Message, unknown][] = [];
  for (const msg of messages) {
    const start = w.length;
    try {
      writeMessage(w, msg);
    } catch (error) {
      w.truncate(start);
      failed.push([msg, error]);
      continue;
    }
    encoded.push(msg);
    ends.push(w.length);
  }
  const all = w.finish();
  const records = ends.map((end, i) => all.subarray(i === 0 ? 0 : ends[i - 1], end));
  // Only now, with the shared writer done: onError may run code that encodes.
  for (const [msg, error] of failed) onError(msg, error);
  return { encoded, records };
}

function writeMessage(w: ByteWriter, msg: Message): void {
  // Read everything that may run code (lazy uuid, lazy fields) before writing.
  const binaryUuid = msg.binaryUuid();
  const uuid = binaryUuid === undefined ? msg.uuid : '';
  const json = jsonFieldsOf(msg);
  const fields = json === undefined ? msg.fields : json.before;
  const textIsPayload = json !== undefined && json.text === msg.payload;
  const raw = msg.raw;
  const uuidIsBinary = binaryUuid !== undefined || parseUuid(uuid);
  w.u8(VERSION);
  w.u8(
    (uuidIsBinary ? FLAG_UUID_BYTES : 0) |
      (raw === undefined ? 0 : FLAG_RAW) |
      (json === undefined ? 0 : FLAG_JSON_FIELDS) |
      (textIsPayload ? FLAG_JSON_TEXT_IS_PAYLOAD : 0),
  );
  if (binaryUuid !== undefined) w.raw(binaryUuid);
  else if (uuidIsBinary) w.raw(uuidBytes);
  else w.string(uuid);
  if (msg.timestamp < INT64_MIN || msg.timestamp > INT64_MAX) fail('timestamp', msg.timestamp);
  w.i64(msg.timestamp);
  w.string(msg.type);
  w.string(msg.logger);
  writeNumber(w, msg.severity);
  w.string(msg.payload);
  w.string(msg.envVersion);
  writeNumber(w, msg.pid);
  w.string(msg.hostname);
  if (raw !== undefined) w.bytes(raw);
  if (json !== undefined) {
    if (!textIsPayload) w.string(json.text);
    w.string(json.layout.separator);
    w.varint(json.layout.maxDepth);
  }
  w.varint(fields.length);
  for (const field of fields) writeField(w, field);
}

/** The message's JSON-backed fields when they can be stored as their record's text. */
function jsonFieldsOf(msg: Message): { text: string; layout: JsonFieldLayout; before: readonly Field[] } | undefined {
  const source = msg.fieldSource;
  if (!(source instanceof JsonFieldSource) || source.text === undefined) return undefined;
  return { text: source.text, layout: source.layout, before: source.before };
}

function fail(what: string, value: unknown): never {
  throw new EncodeError(`Cannot encode ${what} ${String(value)}.`);
}

/** Where each byte's two hex digits start in 8-4-4-4-12 text. */
const UUID_HEX_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const UUID_DASH_AT = [8, 13, 18, 23];
const uuidBytes = new Uint8Array(16);

/** The value of a lowercase hex digit's char code, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Parses canonical lowercase 8-4-4-4-12 text into `uuidBytes`; false for anything else. */
function parseUuid(uuid: string): boolean {
  if (uuid.length !== 36) return false;
  for (const dash of UUID_DASH_AT) if (uuid.charCodeAt(dash) !== 45) return false;
  for (let i = 0; i < 16; i++) {
    const at = UUID_HEX_AT[i]!;
    const hi = hexDigit(uuid.charCodeAt(at));
    const lo = hexDigit(uuid.charCodeAt(at + 1));
    if ((hi | lo) < 0) return false;
    uuidBytes[i] = (hi << 4) | lo;
  }
  return true;
}

function writeNumber(w: ByteWriter, n: number): void {
  if (Number.isSafeInteger(n) && !Object.is(n, -0)) {
    w.u8(n >= 0 ? NUM_UINT : NUM_NEGINT);
    w.varint(Math.abs(n));
  } else {
    w.u8(NUM_FLOAT);
    w.f64(n);
  }
}

function writeField(w: ByteWriter, field: Field): void {
  const code = TYPE_CODES[field.type];
  if (code === undefined) fail(`field "${field.name}" of type`, field.type);
  w.string(field.name);
  w.u8(code);
  w.string(field.representation);
  w.varint(field.values.length);
  for (const v of field.values) writeValue(w, field, v);
}

function writeValue(w: ByteWriter, field: Field, v: FieldValue): void {
  switch (field.type) {
    case 'string':
      if (typeof v !== 'string') break;
      w.string(v);
      return;
    case 'bytes':
      if (!(v instanceof Uint8Array)) break;
      w.bytes(v);
      return;
    case 'double':
      if (typeof v !== 'number') break;
      w.f64(v);
      return;
    case 'bool':
      if (typeof v !== 'boolean') break;
      w.u8(v ? 1 : 0);
      return;
    case 'integer':
      if (typeof v === 'number') {
        writeNumber(w, v);
        return;
      }
      if (typeof v !== 'bigint') break;
      if (v >= INT64_MIN && v <= INT64_MAX) {
        w.u8(NUM_INT64);
        w.i64(v);
      } else {
        w.u8(NUM_BIGTEXT);
        w.string(v.toString());
      }
      return;
  }
  fail(`${typeof v} value in ${field.type} field "${field.name}":`, v);
}

/**
 * Decodes bytes made by {@link encodeMessage}.
 *
 * @throws DecodeError for anything that is not a complete, valid encoding (never another error,
 * and never an allocation larger than the input). The text of JSON-backed fields was a JSON
 * object when first decoded, and the disk queue's CRC guards it since: it is parsed, and
 * checked, only when a field is read (a DecodeError then).
 */
export function decodeMessage(bytes: Uint8Array): Message {
  const r = new ByteReader(bytes);
  const version = r.u8('version');
  if (version !== VERSION) throw new DecodeError(`Unknown message encoding version ${version}.`);
  const flags = r.u8('flags');
  if ((flags & ~ALL_FLAGS) !== 0 || (flags & (FLAG_JSON_FIELDS | FLAG_JSON_TEXT_IS_PAYLOAD)) === FLAG_JSON_TEXT_IS_PAYLOAD) {
    throw new DecodeError(`Unknown message flags ${flags}.`);
  }
  const uuid = flags & FLAG_UUID_BYTES ? readUuid(r) : r.string('uuid');
  const msg = new Message(r.i64('timestamp'));
  if (typeof uuid === 'string') msg.uuid = uuid;
  else msg.setBinaryUuid(uuid);
  msg.type = r.string('type');
  msg.logger = r.string('logger');
  msg.severity = readNumber(r, r.u8('severity tag'), 'severity');
  msg.payload = r.string('payload');
  msg.envVersion = r.string('envVersion');
  msg.pid = readNumber(r, r.u8('pid tag'), 'pid');
  msg.hostname = r.string('hostname');
  if (flags & FLAG_RAW) msg.raw = r.bytes('raw');
  let json: { text: string; layout: JsonFieldLayout } | undefined;
  if (flags & FLAG_JSON_FIELDS) {
    const text = flags & FLAG_JSON_TEXT_IS_PAYLOAD ? msg.payload : r.string('JSON text');
    const separator = r.string('JSON separator');
    const maxDepth = r.varint('JSON max depth');
    if (separator === '' || maxDepth < 1) throw new DecodeError('Bad JSON field layout.');

    json = { text, layout: { separator, maxDepth } };
  }
  // A field takes at least 4 bytes: name, type, representation, value count.
  const count = r.count(4, 'field count');
  const fields: Field[] = new Array(count);
  for (let i = 0; i < count; i++) fields[i] = readField(r);
  r.end();
  if (json !== undefined) msg.setFieldSource(JsonFieldSource.fromText(json.text, json.layout, fields));
  else if (count > 0) msg.fields = fields;
  return msg;
}


function readUuid(r: ByteReader): Uint8Array {
  const uuid = uuidSlot();
  for (let i = 0; i < 16; i++) uuid[i] = r.u8('uuid');
  return uuid;
}

function readNumber(r: ByteReader, tag: number, what: string): number {
  switch (tag) {
    case NUM_UINT:
      return r.varint(what);
    case NUM_NEGINT: {
      const n = r.varint(what);
      if (n === 0) throw new DecodeError(`Negative zero integer in ${what}.`);
      return -n;
    }
    case NUM_FLOAT:
      return r.f64(what);
    default:
      throw new DecodeError(`Unknown number tag ${tag} in ${what}.`);
  }
}

function readField(r: ByteReader): Field {
  const name = r.string('field name');
  const code = r.u8('field type');
  const type = TYPES[code];
  if (type === undefined) throw new DecodeError(`Unknown type ${code} of field "${name}".`);
  const representation = r.string('field representation');
  const n = r.count(MIN_VALUE_BYTES[code]!, 'value count');
  const values: FieldValue[] = new Array(n);
  for (let i = 0; i < n; i++) values[i] = readValue(r, type);
  return { name, type, values, representation };
}

function readValue(r: ByteReader, type: ValueType): FieldValue {
  switch (type) {
    case 'string':
      return r.string('string value');
    case 'bytes':
      return r.bytes('bytes value');
    case 'double':
      return r.f64('double value');
    case 'bool': {
      const b = r.u8('bool value');
      if (b > 1) throw new DecodeError(`Bad bool value ${b}.`);
      return b === 1;
    }
    case 'integer': {
      const tag = r.u8('integer tag');
      if (tag === NUM_INT64) return r.i64('integer value');
      if (tag === NUM_BIGTEXT) return readBigText(r);
      return readNumber(r, tag, 'integer value');
    }
  }
}

function readBigText(r: ByteReader): bigint {
  const text = r.string('integer value');
  // Only what the encoder writes: a canonical decimal outside int64.
  if (!/^-?[1-9][0-9]*$/.test(text)) throw new DecodeError('Bad big integer value.');
  const v = BigInt(text);
  if (v >= INT64_MIN && v <= INT64_MAX) throw new DecodeError('Non-canonical big integer value.');
  return v;
}
