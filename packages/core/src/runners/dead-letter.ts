import { Message } from '../message/message.js';

/** The reserved message type of dead letters. */
export const DEAD_LETTER_TYPE = 'hekate.dead_letter';

/** Why and where a message was given up on. */
export interface DeadLetterReason {
  /** The plugin (section name) that refused the message. */
  plugin: string;
  reason: string;
  attempts: number;
}

/**
 * A dead letter for `original`: Type `hekate.dead_letter`, Logger = the refusing plugin, the
 * original's uuid, timestamp, payload, raw bytes and fields, plus fields `dead_letter.plugin`,
 * `dead_letter.reason`, `dead_letter.attempts`, and the original's `dead_letter.type`,
 * `dead_letter.logger` and `dead_letter.severity`.
 * Route it with an ordinary matcher such as `Type == 'hekate.dead_letter'`.
 */
export function createDeadLetter(original: Message, why: DeadLetterReason): Message {
  const letter = new Message(original.timestamp);
  letter.uuid = original.uuid;
  letter.type = DEAD_LETTER_TYPE;
  letter.logger = why.plugin;
  letter.severity = 3;
  letter.payload = original.payload;
  letter.envVersion = original.envVersion;
  letter.pid = original.pid;
  letter.hostname = original.hostname;
  letter.raw = original.raw;
  letter.fields = original.fields;
  letter.addField('dead_letter.plugin', why.plugin);
  letter.addField('dead_letter.reason', why.reason);
  letter.addField('dead_letter.attempts', why.attempts);
  letter.addField('dead_letter.type', original.type);
  letter.addField('dead_letter.logger', original.logger);
  letter.addField('dead_letter.severity', original.severity);
  return letter;
}

const DEAD_LETTER_PREFIX = 'dead_letter.';

/**
 * The original message a dead letter carries: its Type, Logger and Severity restored and the
 * `dead_letter.*` fields removed. Used to replay dead letters once the cause is fixed.
 * @throws TypeError when `letter` is not a dead letter.
 */
export function restoreDeadLetter(letter: Message): Message {
  if (letter.type !== DEAD_LETTER_TYPE) throw new TypeError(`not a dead letter: Type is "${letter.type}"`);
  const original = letter.clone();
  original.type = String(letter.value('dead_letter.type') ?? '');
  original.logger = String(letter.value('dead_letter.logger') ?? '');
  original.severity = Number(letter.value('dead_letter.severity') ?? 7);
  original.fields = letter.fields.filter((f) => !f.name.startsWith(DEAD_LETTER_PREFIX));
  return original;
}
