import { randomUUID } from 'node:crypto';
import { createField, type Field, type FieldInit, type FieldValue } from './field.js';
import type { FieldSource } from './field-source.js';
import { ownString } from './own-string.js';
import { formatUuid, randomUuidBytes } from './uuid-bytes.js';
import { DELIVERY, LOOPS, type DeliveryRef } from './slots.js';

/** Nanoseconds since the Unix epoch for a millisecond clock reading. */
export function nanosFromMillis(ms: number): bigint {
  return BigInt(Math.trunc(ms)) * 1_000_000n;
}

/**
 * A Hekate message: Heka's schema (uuid, nanosecond timestamp, type, logger, severity, payload,
 * envVersion, pid, hostname) and an ordered list of fields in which a name may repeat.
 *
 * Messages handed to filters and outputs are shared between them and must be treated as
 * read-only; a plugin that wants a changed message clones it and injects the clone.
 */
export class Message {
  /** Nanoseconds since the Unix epoch. */
  timestamp: bigint;
  type = '';
  logger = '';
  /** Syslog severity 0–7; Heka's default is 7. */
  severity = 7;
  payload = '';
  envVersion = '';
  pid = 0;
  hostname = '';
  /**
   * The record's original bytes when it arrived as binary (e.g. a protobuf frame), kept so an
   * unmodified message can be written again without re-serialising.
   */
  raw: Uint8Array | undefined;
  /** @internal */
  [DELIVERY]: DeliveryRef | undefined = undefined;
  /** @internal */
  [LOOPS] = 0;
  #uuid: string | undefined;
  /** The uuid as 16 bytes, kept so that it need not be parsed from, or formatted to, text. */
  #uuidBytes: Uint8Array | undefined;
  #fields: Field[] | undefined;
  #source: FieldSource | undefined;
  /** The payload as last made a string of its own by {@link shrink}. */
  #ownPayload: string | undefined;

  constructor(timestamp: bigint = nanosFromMillis(Date.now())) {
    this.timestamp = timestamp;
  }

  /** Lowercase 8-4-4-4-12 text of the 16-byte UUID; a random v4 UUID is made on first read. */
  get uuid(): string {
    return (this.#uuid ??= this.#uuidBytes === undefined ? randomUUID() : formatUuid(this.#uuidBytes));
  }

  set uuid(value: string) {
    this.#uuid = value;
    this.#uuidBytes = undefined;
  }

  /**
   * @internal The uuid as 16 bytes (made at random when the message has none yet), or undefined
   * when it was set as text: for encoders that store it binary without going through text.
   */
  binaryUuid(): Uint8Array | undefined {
    if (this.#uuidBytes === undefined && this.#uuid === undefined) this.#uuidBytes = randomUuidBytes();
    return this.#uuidBytes;
  }

  /** @internal Sets the uuid from 16 bytes (not copied); its text is made when first read. */
  setBinaryUuid(bytes: Uint8Array): void {
    this.#uuidBytes = bytes;
    this.#uuid = undefined;
  }

  /** The fields in order. Reading this builds lazily decoded fields. */
  get fields(): readonly Field[] {
    return this.#materialized();
  }

  /** Replaces all fields. */
  set fields(fields: readonly Field[]) {
    this.#fields = [...fields];
    this.#source = undefined;
  }

  /** @internal The lazily decoded fields, until something builds them all. */
  get fieldSource(): FieldSource | undefined {
    return this.#source;
  }

  /** True when the message has at least one field (without building lazily decoded ones). */
  get hasFields(): boolean {
    return this.#source !== undefined || (this.#fields !== undefined && this.#fields.length > 0);
  }

  /** Attaches lazily decoded fields, replacing any fields the message had. */
  setFieldSource(source: FieldSource): void {
    this.#source = source;
    this.#fields = undefined;
  }

  /**
   * Makes the message hold as little memory as it can while it waits in a queue: the payload
   * becomes a string of its own (not a slice pinning a whole input chunk), and lazily decoded
   * fields let go of what they can rebuild (a parsed JSON document, say) unless `keepParsed`.
   */
  shrink(keepParsed = false): void {
    if (this.payload !== this.#ownPayload) this.#ownPayload = this.payload = ownString(this.payload);
    this.#source?.shrink?.(this.payload, keepParsed);
  }

  /** The `fieldIndex`-th field named `name` (Heka's `Fields[name][fi]`), or undefined. */
  field(name: string, fieldIndex = 0): Field | undefined {
    if (this.#fields === undefined) {
      return this.#source === undefined ? undefined : this.#source.lookup(name, fieldIndex);
    }
    let seen = 0;
    for (const f of this.#fields) {
      if (f.name === name && seen++ === fieldIndex) return f;
    }
    return undefined;
  }

  /** A field's value (Heka's `Fields[name][fi][ai]`), or undefined when absent. */
  value(name: string, fieldIndex = 0, valueIndex = 0): FieldValue | undefined {
    return this.field(name, fieldIndex)?.values[valueIndex];
  }

  /** Appends a field; a name that exists already is repeated, as in Heka. */
  addField(name: string, value: FieldValue | readonly FieldValue[], representation?: string): void {
    this.#materialized().push(createField({ name, value, representation }));
  }

  /** Replaces the first field called `name`, or appends one. */
  setField(name: string, value: FieldValue | readonly FieldValue[], representation?: string): void {
    const fields = this.#materialized();
    const field = createField({ name, value, representation });
    const at = fields.findIndex((f) => f.name === name);
    if (at === -1) fields.push(field);
    else fields[at] = field;
  }

  /** Removes every field called `name`; returns how many were removed. */
  removeField(name: string): number {
    const fields = this.#materialized();
    const kept = fields.filter((f) => f.name !== name);
    this.#fields = kept;
    return fields.length - kept.length;
  }

  /** A copy with the same uuid and headers and its own field list. */
  clone(): Message {
    const copy = new Message(this.timestamp);
    const uuidBytes = this.binaryUuid();
    if (uuidBytes === undefined) copy.uuid = this.uuid;
    else copy.setBinaryUuid(uuidBytes);
    copy.type = this.type;
    copy.logger = this.logger;
    copy.severity = this.severity;
    copy.payload = this.payload;
    copy.envVersion = this.envVersion;
    copy.pid = this.pid;
    copy.hostname = this.hostname;
    copy.raw = this.raw;
    copy.#fields = [...this.#materialized()];
    return copy;
  }

  #materialized(): Field[] {
    if (this.#fields === undefined) {
      this.#fields = this.#source === undefined ? [] : this.#source.materialize();
      this.#source = undefined;
    }
    return this.#fields;
  }
}

/** Plain values for {@link createMessage}. */
export interface MessageInit {
  uuid?: string;
  /** Nanoseconds since the epoch, or a Date. Defaults to now. */
  timestamp?: bigint | Date;
  type?: string;
  logger?: string;
  severity?: number;
  payload?: string;
  envVersion?: string;
  pid?: number;
  hostname?: string;
  raw?: Uint8Array;
  /** Fields in order; a name may repeat. */
  fields?: readonly FieldInit[];
}

/**
 * Builds a message from plain values.
 *
 * @example
 * createMessage({ type: 'click', fields: [{ name: 'status', value: 503 }] });
 */
export function createMessage(init: MessageInit = {}): Message {
  const ts = init.timestamp;
  const msg = new Message(ts === undefined ? undefined : typeof ts === 'bigint' ? ts : nanosFromMillis(ts.getTime()));
  if (init.uuid !== undefined) msg.uuid = init.uuid;
  if (init.type !== undefined) msg.type = init.type;
  if (init.logger !== undefined) msg.logger = init.logger;
  if (init.severity !== undefined) msg.severity = init.severity;
  if (init.payload !== undefined) msg.payload = init.payload;
  if (init.envVersion !== undefined) msg.envVersion = init.envVersion;
  if (init.pid !== undefined) msg.pid = init.pid;
  if (init.hostname !== undefined) msg.hostname = init.hostname;
  if (init.raw !== undefined) msg.raw = init.raw;
  if (init.fields !== undefined) msg.fields = init.fields.map(createField);
  return msg;
}
