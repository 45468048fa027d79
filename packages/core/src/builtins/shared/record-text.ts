import type { Message } from '../../message/message.js';

/**
 * The text a decoder works on: the Payload, or the raw bytes read as UTF-8 when the record arrived
 * as bytes (a splitter with `use_message_bytes`, a Kafka value) and the Payload is empty.
 */
export function recordText(message: Message): string {
  const raw = message.raw;
  if (raw === undefined || message.payload !== '') return message.payload;
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
}

/**
 * After a successful decode of the raw bytes, drops them: they no longer describe the message,
 * and an encoder that reuses raw bytes (such as a protobuf encoder) must not write them. Returns
 * true when the text came from `raw`.
 */
export function releaseRaw(message: Message): boolean {
  if (message.raw === undefined || message.payload !== '') return false;
  message.raw = undefined;
  return true;
}
