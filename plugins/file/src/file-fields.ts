import { createField, type Field, type FieldSource } from '@hekate/core';

/**
 * The `path` and `offset` fields of a line's message, built only when something reads them: a
 * matcher asking for `Fields[offset]` costs one small object, not a field list per line.
 */
export class FileFields implements FieldSource {
  readonly #path: Field;
  readonly #offset: number;

  /** `path` is the batch's shared `path` field; `offset` the line's first byte in the file. */
  constructor(path: Field, offset: number) {
    this.#path = path;
    this.#offset = offset;
  }

  /** The `path` field for a file's messages (shared by them, as fields are read-only). */
  static pathField(path: string): Field {
    return createField({ name: 'path', value: path });
  }

  lookup(name: string, fieldIndex: number): Field | undefined {
    if (fieldIndex !== 0) return undefined;
    if (name === 'path') return this.#path;
    return name === 'offset' ? this.#offsetField() : undefined;
  }

  materialize(): Field[] {
    return [this.#path, this.#offsetField()];
  }

  #offsetField(): Field {
    return createField({ name: 'offset', value: this.#offset, representation: 'B' });
  }
}
