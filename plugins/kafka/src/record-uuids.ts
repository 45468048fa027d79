import { createHash } from 'node:crypto';

/** Makes the uuid of the `index`-th message cut from the record at `offset` of one partition. */
export type PartitionUuids = (offset: number, index: number) => string;

/**
 * Deterministic message uuids for Kafka records, so that a record read twice (after a crash or a
 * rebalance) gets the same uuid and downstream deduplication (BigQuery's insertId) works.
 *
 * The uuid is an RFC 9562 version 8 (custom) uuid: the first 64 bits are a SHA-256 of the topic
 * and partition (and of the record index, for the second and later message a splitter cuts from
 * one record), the last 64 bits are the variant bits and the offset. So the uuid also tells the
 * offset: its last 15 hex digits. Offsets are exact JS numbers (below 2^53).
 */
export class RecordUuids {
  readonly #partitions = new Map<string, PartitionUuids>();

  /** The uuid maker of `topic`/`partition`. */
  of(topic: string, partition: number): PartitionUuids {
    const key = `${topic}\0${partition}`;
    let uuids = this.#partitions.get(key);
    if (uuids === undefined) {
      const prefix = uuidPrefix(key);
      uuids = (offset, index) =>
        (index === 0 ? prefix : uuidPrefix(`${key}\0${index}`)) + uuidTail(offset);
      this.#partitions.set(key, uuids);
    }
    return uuids;
  }
}

function uuidPrefix(key: string): string {
  const hash = createHash('sha256').update(key).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x80;
  const hex = hash.subarray(0, 8).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-`;
}

/** Variant bits 10, then the offset in 62 bits: 15 hex digits cover every exact JS number. */
function uuidTail(offset: number): string {
  const hex = offset.toString(16).padStart(15, '0');
  return `8${hex.slice(0, 3)}-${hex.slice(3)}`;
}
