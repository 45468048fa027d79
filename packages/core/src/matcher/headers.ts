import type { Message } from '../message/message.js';

/** The message headers a matcher compares with strings and regular expressions. */
export type TextHeader = 'Uuid' | 'Type' | 'Logger' | 'Payload' | 'EnvVersion' | 'Hostname';

/** The message headers a matcher compares with numbers as float64 (Timestamp is exact, apart). */
export type NumberHeader = 'Severity' | 'Pid';

/** Every header name the matcher knows, as written in an expression (case-sensitive). */
export type HeaderName = TextHeader | NumberHeader | 'Timestamp';

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

/** Every header name, in the order Heka documents them. */
export const HEADER_NAMES: readonly HeaderName[] = [
  'Uuid',
  'Timestamp',
  'Type',
  'Logger',
  'Severity',
  'Payload',
  'EnvVersion',
  'Pid',
  'Hostname',
];

/** True when `name` is a text header. */
export function isTextHeader(name: string): name is TextHeader {
  return Object.hasOwn(TEXT_HEADERS, name);
}

/** True when `name` is a header (text, number or Timestamp). */
export function isHeader(name: string): name is HeaderName {
  return isTextHeader(name) || Object.hasOwn(NUMBER_HEADERS, name) || name === 'Timestamp';
}
