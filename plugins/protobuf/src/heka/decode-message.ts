import { DecodeError, RECORD_SEPARATOR } from '@hekate/core';
import { WIRE_LENGTH, WIRE_VARINT, WireReader } from '../wire/wire-reader.js';
import { DecodedHekaMessage } from './decoded-message.js';
import { HekaFieldSource, scanField } from './field-layout.js';
import { UUID_BYTES, uuidText } from './uuid-bytes.js';

function key(field: number, wireType: number): number {
  return (field << 3) | wireType;
}

const K_UUID = key(1, WIRE_LENGTH);
const K_TIMESTAMP = key(2, WIRE_VARINT);
const K_TYPE = key(3, WIRE_LENGTH);
const K_LOGGER = key(4, WIRE_LENGTH);
const K_SEVERITY = key(5, WIRE_VARINT);
const K_PAYLOAD = key(6, WIRE_LENGTH);
const K_ENV_VERSION = key(7, WIRE_LENGTH);
const K_PID = key(8, WIRE_VARINT);
const K_HOSTNAME = key(9, WIRE_LENGTH);
const K_FIELDS = key(10, WIRE_LENGTH);

/**
 * Decodes Heka's protobuf `Message` into a Hekate message whose `raw` is `bytes`.
 *
 * Headers are read at once; fields are checked completely but built lazily (a matcher that reads
 * one field decodes only the names and that field). Absent headers read as Heka reads them: empty
 * strings, pid 0, severity 7. Integers are numbers when safe and bigints beyond; the timestamp is
 * always a bigint. Unknown members are skipped, as protobuf requires.
 *
 * @throws DecodeError for malformed protobuf, a missing `uuid` or `timestamp`, a uuid that is not
 * 16 bytes, a field without a name or with an unknown value type.
 */
export function decodeHekaMessage(bytes: Uint8Array): DecodedHekaMessage {
  const r = new WireReader(bytes);
  let uuid: string | undefined;
  let timestamp: bigint | undefined;
  let type = '';
  let logger = '';
  let severity = 7;
  let payload = '';
  let envVersion = '';
  let pid = 0;
  let hostname = '';
  let layout: number[] | undefined;
  while (r.pos < r.end) {
    const k = r.uint32('message key');
    switch (k) {
      case K_UUID: {
        const n = r.length('uuid');
        if (n !== UUID_BYTES)
          throw new DecodeError(`The uuid has ${n} bytes; Heka's uuid is always 16.`);
        uuid = uuidText(r.buf, r.pos);
        r.pos += n;
        break;
      }
      case K_TIMESTAMP:
        timestamp = r.int64('timestamp', true);
        break;
      case K_TYPE:
        type = r.string('type');
        break;
      case K_LOGGER:
        logger = r.string('logger');
        break;
      case K_SEVERITY:
        severity = r.int32('severity');
        break;
      case K_PAYLOAD:
        payload = r.string('payload');
        break;
      case K_ENV_VERSION:
        envVersion = r.string('env_version');
        break;
      case K_PID:
        pid = r.int32('pid');
        break;
      case K_HOSTNAME:
        hostname = r.string('hostname');
        break;
      case K_FIELDS: {
        const n = r.length('field');
        scanField(r, r.pos + n, (layout ??= []));
        break;
      }
      default:
        unknownMember(r, k, bytes);
    }
  }
  if (uuid === undefined)
    throw new DecodeError('The message has no uuid (Message.uuid is required).');
  if (timestamp === undefined)
    throw new DecodeError('The message has no timestamp (Message.timestamp is required).');
  const headers = { uuid, timestamp, type, logger, severity, payload, envVersion, pid, hostname };
  return new DecodedHekaMessage(
    bytes,
    headers,
    layout === undefined ? undefined : new HekaFieldSource(r, layout),
  );
}

function unknownMember(r: WireReader, k: number, bytes: Uint8Array): void {
  const field = k >>> 3;
  if (field >= 1 && field <= 10) {
    const hint =
      r.pos === 1 && bytes[0] === RECORD_SEPARATOR
        ? ' The record is itself Heka-framed: is a signing ProtobufEncoder combined with use_framing = true?'
        : '';
    throw new DecodeError(
      `Message member ${field} has wire type ${k & 7}, which does not match its type.${hint}`,
    );
  }
  if (field === 0) throw new DecodeError(`Invalid message key ${k} at offset ${r.pos}.`);
  r.skip(k & 7, `unknown message member ${field}`);
}
