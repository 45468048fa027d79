import protobuf from 'protobufjs';
import type { Message } from '@hekate/core';

/** The message headers a codec can map to and from record keys, by their Heka names. */
export const HEADER_NAMES = [
  'Type',
  'Logger',
  'Hostname',
  'Payload',
  'EnvVersion',
  'Pid',
  'Uuid',
  'Severity',
  'Timestamp',
] as const;

/** One of {@link HEADER_NAMES}. */
export type HeaderName = (typeof HEADER_NAMES)[number];

/**
 * How a timestamp header is written: RFC 3339 text, an epoch number in a unit, or chosen by the
 * target field.
 */
export const TIMESTAMP_FORMATS = [
  'auto',
  'rfc3339',
  'epoch_s',
  'epoch_ms',
  'epoch_us',
  'epoch_ns',
] as const;

/** One of {@link TIMESTAMP_FORMATS}. */
export type TimestampFormat = (typeof TIMESTAMP_FORMATS)[number];

const NANOS_PER: Record<Exclude<TimestampFormat, 'auto' | 'rfc3339'>, bigint> = {
  epoch_s: 1_000_000_000n,
  epoch_ms: 1_000_000n,
  epoch_us: 1_000n,
  epoch_ns: 1n,
};

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const INT32_TYPES = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);

/** RFC 3339 UTC text of a nanosecond timestamp, with the fraction in 0, 3, 6 or 9 digits. */
export function rfc3339(nanos: bigint): string {
  let seconds = nanos / 1_000_000_000n;
  let frac = nanos % 1_000_000_000n;
  if (frac < 0n) {
    frac += 1_000_000_000n;
    seconds -= 1n;
  }
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  if (frac === 0n) return `${base}Z`;
  let digits = frac.toString().padStart(9, '0');
  while (digits.endsWith('000')) digits = digits.slice(0, -3);
  return `${base}.${digits}Z`;
}

/** The field a dotted path names in a message type, if any. */
function fieldAt(type: protobuf.Type, path: readonly string[]): protobuf.Field | undefined {
  let current: protobuf.Type | undefined = type;
  let field: protobuf.Field | undefined;
  for (const part of path) {
    if (current === undefined) return undefined;
    field = current.fields[part]?.resolve();
    current = field?.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
  }
  return field;
}

/**
 * The format `auto` picks for the target field: RFC 3339 for `google.protobuf.Timestamp` and
 * strings, nanoseconds for 64-bit integers, seconds for 32-bit integers and floating point.
 */
function autoFormat(field: protobuf.Field | undefined): Exclude<TimestampFormat, 'auto'> {
  if (
    field === undefined ||
    field.type === 'string' ||
    field.resolvedType?.fullName === '.google.protobuf.Timestamp'
  )
    return 'rfc3339';
  if (LONG_TYPES.has(field.type)) return 'epoch_ns';
  return 'epoch_s';
}

/**
 * A header's value as ProtoJSON for the field at `path` (key parts): text headers as strings,
 * Pid and Severity as numbers, the timestamp in `format`.
 */
export function headerValue(
  message: Message,
  header: HeaderName,
  format: TimestampFormat,
  type: protobuf.Type,
  path: readonly string[],
): unknown {
  switch (header) {
    case 'Type':
      return message.type;
    case 'Logger':
      return message.logger;
    case 'Hostname':
      return message.hostname;
    case 'Payload':
      return message.payload;
    case 'EnvVersion':
      return message.envVersion;
    case 'Uuid':
      return message.uuid;
    case 'Pid':
      return message.pid;
    case 'Severity':
      return message.severity;
    case 'Timestamp': {
      const field = fieldAt(type, path);
      const chosen = format === 'auto' ? autoFormat(field) : format;
      if (chosen === 'rfc3339') return rfc3339(message.timestamp);
      // Whole units for integer fields (64-bit ones as exact text), fractional ones otherwise.
      const units = message.timestamp / NANOS_PER[chosen];
      const fieldType = field?.type ?? '';
      if (LONG_TYPES.has(fieldType)) return units.toString();
      if (INT32_TYPES.has(fieldType)) return Number(units);
      return Number(message.timestamp) / Number(NANOS_PER[chosen]);
    }
  }
}
