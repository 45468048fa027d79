import type { HeaderName } from '../../message/header-names.js';
import type { Message } from '../../message/message.js';
import { parseSeverity } from './severity.js';
import type { TimestampParser } from './time-parse.js';

export { HEADER_NAMES, isHeaderName, type HeaderName } from '../../message/header-names.js';

/** How decoded values become header values. */
export interface HeaderParsers {
  readonly timestamp: TimestampParser;
  /** Heka's `severity_map`: names to numbers, checked before syslog names. */
  readonly severityMap?: ReadonlyMap<string, number>;
}

const HEX_UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const PID = /^\s*(\d+)(?:\.\d*)?\s*$/;
const MAX_PID = 2 ** 31 - 1;


/** A decoded value as header text: strings as they are, other scalars printed, the rest as JSON. */
function headerText(value: unknown): string {
  if (typeof value === 'string') return value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function uuidOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || !HEX_UUID.test(value)) return undefined;
  const hex = value.replaceAll('-', '').toLowerCase();
  const groups = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)];
  return groups.join('-');
}

function pidOf(value: unknown): number | undefined {
  let n: number | undefined;
  if (typeof value === 'number') n = Math.trunc(value);
  else if (typeof value === 'string') {
    const m = PID.exec(value);
    if (m !== null) n = Number(m[1]);
  }
  return n !== undefined && n >= 0 && n <= MAX_PID ? n : undefined;
}

/** A header value ready to assign: text, a number (Pid, Severity) or nanoseconds (Timestamp). */
export type HeaderValue = string | number | bigint;

/**
 * Converts a decoded value for `header`, or returns undefined when it does not fit (a Pid that is
 * not a non-negative int32, a Uuid that is not 32 hex digits, an unknown severity, an
 * unparseable timestamp). Nothing is changed, so a decoder can check every header first.
 */
export function convertHeader(
  header: HeaderName,
  value: unknown,
  parsers: HeaderParsers,
): HeaderValue | undefined {
  switch (header) {
    case 'Pid':
      return pidOf(value);
    case 'Uuid':
      return uuidOf(value);
    case 'Severity':
      return parseSeverity(value, parsers.severityMap);
    case 'Timestamp':
      return parsers.timestamp(value);
    default:
      return headerText(value);
  }
}

/** Assigns a value made by {@link convertHeader}. */
export function assignHeader(message: Message, header: HeaderName, value: HeaderValue): void {
  switch (header) {
    case 'Type':
      message.type = value as string;
      break;
    case 'Logger':
      message.logger = value as string;
      break;
    case 'Hostname':
      message.hostname = value as string;
      break;
    case 'Payload':
      message.payload = value as string;
      break;
    case 'EnvVersion':
      message.envVersion = value as string;
      break;
    case 'Pid':
      message.pid = value as number;
      break;
    case 'Uuid':
      message.uuid = value as string;
      break;
    case 'Severity':
      message.severity = value as number;
      break;
    case 'Timestamp':
      message.timestamp = value as bigint;
      break;
  }
}
