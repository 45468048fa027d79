import { isHeaderName } from '../message/header-names.js';
import type { Message } from '../message/message.js';

/** The message headers a matcher compares with strings and regular expressions. */
export type TextHeader = 'Uuid' | 'Type' | 'Logger' | 'Payload' | 'EnvVersion' | 'Hostname';

/** The message headers a matcher compares with numbers as float64 (Timestamp is exact, apart). */
export type NumberHeader = 'Severity' | 'Pid';

export { HEADER_NAMES, type HeaderName } from '../message/header-names.js';

/** Reads each text header; `Uuid` is the lowercase 8-4-4-4-12 text. */
export const TEXT_HEADERS: Readonly<Record<TextHeader, (message: Message) => string>> = {
  Uuid: (m) => m.uuid,
  Type: (m) => m.type,
  Logger: (m) => m.logger,
  Payload: (m) => m.payload,
  EnvVersion: (m) => m.envVersion,
  Hostname: (m) => m.hostname,
};

/** Reads each float64 header. */
export const NUMBER_HEADERS: Readonly<Record<NumberHeader, (message: Message) => number>> = {
  Severity: (m) => m.severity,
  Pid: (m) => m.pid,
};

/** True when `name` is a text header. */
export function isTextHeader(name: string): name is TextHeader {
  return Object.hasOwn(TEXT_HEADERS, name);
}

/** True when `name` is a header (text, number or Timestamp). */
export const isHeader = isHeaderName;
