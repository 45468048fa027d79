import type { FieldValue, Message } from '@hekate/core';

/** Reads one value of a message; undefined when the message does not have it. */
export type MessageVariable = (message: Message) => FieldValue | undefined;

const HEADERS: Record<string, MessageVariable> = {
  Uuid: (m) => m.uuid,
  Type: (m) => m.type,
  Logger: (m) => m.logger,
  Hostname: (m) => m.hostname,
  Payload: (m) => m.payload,
  EnvVersion: (m) => m.envVersion,
  Severity: (m) => m.severity,
  Pid: (m) => m.pid,
};

const FIELD = /^Fields\[([^\]]+)\](?:\[(\d+)\])?(?:\[(\d+)\])?$/;

/**
 * Parses Heka's message variable syntax, as KafkaOutput's `topic_variable` and `hash_variable`
 * took it: a header name (`Type`, `Logger`, `Hostname`, `Payload`, `Uuid`, `EnvVersion`,
 * `Severity`, `Pid`) or `Fields[name]`, `Fields[name][field index]`,
 * `Fields[name][field index][array index]`.
 * @throws Error naming the accepted forms when `text` is none of them.
 */
export function parseMessageVariable(text: string): MessageVariable {
  const header = HEADERS[text];
  if (header !== undefined) return header;
  const m = FIELD.exec(text);
  if (m === null) {
    const headers = Object.keys(HEADERS).join(', ');
    throw new Error(`"${text}" is not a message variable: use ${headers} or Fields[name][fi][ai]`);
  }
  const name = m[1]!;
  const fieldIndex = Number(m[2] ?? 0);
  const arrayIndex = Number(m[3] ?? 0);
  return (message) => message.value(name, fieldIndex, arrayIndex);
}

/** A message variable as text: bytes as UTF-8, numbers and booleans in decimal. */
export function variableText(value: FieldValue): string {
  return value instanceof Uint8Array
    ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8')
    : String(value);
}

/** A message variable as Kafka takes a key: bytes as they are, anything else as text. */
export function variableKey(value: FieldValue): Uint8Array | string {
  return value instanceof Uint8Array ? value : String(value);
}

/** Reads a message variable through `convert`; without a variable, reads nothing. */
export function variableReader<T>(
  text: string | undefined,
  convert: (value: FieldValue) => T,
): (message: Message) => T | undefined {
  if (text === undefined) return () => undefined;
  const variable = parseMessageVariable(text);
  return (message) => {
    const value = variable(message);
    return value === undefined ? undefined : convert(value);
  };
}
