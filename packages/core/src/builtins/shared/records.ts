import { PermanentError } from '../../errors.js';
import type { OutputBatch, SplitRecord } from '../../plugins/types.js';

/**
 * The encoded records of a batch, joined into one string (when all are text, the usual case) or
 * one Buffer, so an output writes a batch with a single system call.
 * @throws PermanentError when the output has no encoder: `type` names the output in the message.
 */
export function joinRecords(batch: OutputBatch, type: string): string | Buffer {
  const records = batch.records;
  if (records === undefined) {
    throw new PermanentError(`${type} needs an encoder; set encoder = "PayloadEncoder" or another.`);
  }
  if (records.every((r): r is string => typeof r === 'string')) return records.join('');
  return Buffer.concat(records.map(toBytes));
}

function toBytes(record: SplitRecord): Uint8Array {
  return typeof record === 'string' ? Buffer.from(record, 'utf8') : record;
}
