import { PermanentError } from '../../errors.js';
import type { OutputBatch } from '../../plugins/types.js';

const INITIAL_BYTES = 64 * 1024;
/** The most UTF-8 bytes one UTF-16 code unit can take. */
const MAX_UTF8_PER_UNIT = 3;

/**
 * Lays the encoded records of a batch end to end in one buffer that is reused from batch to
 * batch, so an output writes a batch with one system call without making batch-sized garbage
 * (a joined string and a fresh buffer per batch would each be as large as the batch).
 */
export class RecordPacker {
  readonly #type: string;
  readonly #encoder: string;
  #buffer = Buffer.allocUnsafe(INITIAL_BYTES);

  /** `type` names the output, and `encoder` the encoder to suggest, when a batch has no records. */
  constructor(type: string, encoder = 'PayloadEncoder') {
    this.#type = type;
    this.#encoder = encoder;
  }

  /**
   * The batch's records as one view of the packer's buffer, valid until the next call.
   * @throws PermanentError when the output has no encoder (the batch has no records).
   */
  pack(batch: OutputBatch): Buffer {
    const records = batch.records;
    if (records === undefined) {
      throw new PermanentError(`${this.#type} needs an encoder; set encoder = "${this.#encoder}" or another.`);
    }
    let at = 0;
    for (const record of records) {
      if (typeof record === 'string') {
        this.#reserve(at, record.length * MAX_UTF8_PER_UNIT);
        at += this.#buffer.write(record, at);
      } else {
        this.#reserve(at, record.byteLength);
        this.#buffer.set(record, at);
        at += record.byteLength;
      }
    }
    return this.#buffer.subarray(0, at);
  }

  /** Grows the buffer, keeping its first `used` bytes, so that `more` bytes fit after them. */
  #reserve(used: number, more: number): void {
    if (used + more <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(used + more, this.#buffer.length * 2));
    this.#buffer.copy(grown, 0, 0, used);
    this.#buffer = grown;
  }
}
