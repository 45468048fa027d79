import type { Field } from './field.js';

/**
 * A lazily decoded set of fields. Decoders that parse a whole record at once (JSON, protobuf)
 * attach one to a message so that a matcher reading two fields does not pay for building all
 * of them; the full list is built only when something asks for it.
 */
export interface FieldSource {
  /** Returns the `fieldIndex`-th field called `name`, or undefined, without building the rest. */
  lookup(name: string, fieldIndex: number): Field | undefined;
  /** Builds every field, in order. Called at most once per message. */
  materialize(): Field[];
  /**
   * Holds as little memory as it can, as its message is about to wait in a queue: text it keeps
   * becomes a string of its own (`payload` is the message's payload, now one: a source keeping
   * the same text should keep this string), and unless `keepParsed`, it lets go of what it can
   * rebuild on the next lookup (a parsed document), since most readers never ask for a field.
   */
  shrink?(payload: string, keepParsed: boolean): void;
}
