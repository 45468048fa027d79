import { createField, type Field, type FieldSource, type ValueType } from '@hekate/core';
import type { RecordHeaders } from './kafka-client.js';
import { variableText } from './message-variable.js';

const HEADER_PREFIX = 'Header.';

function field(name: string, type: ValueType, value: string | number | Uint8Array): Field {
  return { name, type, values: [value], representation: '' };
}

/** The Topic and Partition fields of one partition, shared by the messages of its records. */
export interface PartitionFields {
  readonly topic: Field;
  readonly partition: Field;
}

/** The fields every message of `topic`/`partition` starts with. */
export function partitionFields(topic: string, partition: number): PartitionFields {
  return {
    topic: field('Topic', 'string', topic),
    partition: field('Partition', 'integer', partition),
  };
}

/** Header fields (`Header.<name>`, text values), or undefined when the record has none. */
export function headerFields(headers: RecordHeaders | undefined): Field[] | undefined {
  if (headers === undefined) return undefined;
  let out: Field[] | undefined;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.map(variableText) : variableText(value);
    (out ??= []).push(createField({ name: `${HEADER_PREFIX}${name}`, value: text }));
  }
  return out;
}

/**
 * The fields of a message made from a Kafka record: Topic, Partition, Offset, Key (bytes, when
 * the record has a key) and one `Header.<name>` per header. They are built only when a matcher,
 * decoder or encoder asks for them, since most pipelines read one or two.
 */
export class RecordFields implements FieldSource {
  readonly #partition: PartitionFields;
  readonly #offset: number;
  readonly #key: Uint8Array | null;
  readonly #headers: readonly Field[] | undefined;

  constructor(
    partition: PartitionFields,
    offset: number,
    key: Uint8Array | null,
    headers: readonly Field[] | undefined,
  ) {
    this.#partition = partition;
    this.#offset = offset;
    this.#key = key;
    this.#headers = headers;
  }

  lookup(name: string, fieldIndex: number): Field | undefined {
    if (fieldIndex !== 0) return undefined;
    switch (name) {
      case 'Topic':
        return this.#partition.topic;
      case 'Partition':
        return this.#partition.partition;
      case 'Offset':
        return field('Offset', 'integer', this.#offset);
      case 'Key':
        return this.#key === null ? undefined : field('Key', 'bytes', this.#key);
      default:
        if (!name.startsWith(HEADER_PREFIX)) return undefined;
        return this.#headers?.find((f) => f.name === name);
    }
  }

  materialize(): Field[] {
    const { topic, partition } = this.#partition;
    const out = [topic, partition, field('Offset', 'integer', this.#offset)];
    if (this.#key !== null) out.push(field('Key', 'bytes', this.#key));
    if (this.#headers !== undefined) out.push(...this.#headers);
    return out;
  }
}
