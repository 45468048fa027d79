/** Heka's record separator, which starts every framed record. */
export const RECORD_SEPARATOR = 0x1e;
/** Heka's unit separator, between the header and the message. */
export const UNIT_SEPARATOR = 0x1f;

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

/**
 * Wraps a record in Heka's stream framing with an unsigned header: 0x1E, the header length, a
 * protobuf `Header { message_length }`, 0x1F, then the record (heka.md §1.3). This is what
 * `use_framing = true` does on an output; signed headers come from the protobuf plugin's encoder.
 */
export function frameHekaRecord(record: Uint8Array): Uint8Array {
  const headerLength = 1 + varintLength(record.length);
  const out = new Uint8Array(3 + headerLength + record.length);
  out[0] = RECORD_SEPARATOR;
  out[1] = headerLength;
  out[2] = 0x08; // field 1 (message_length), wire type varint
  let n = record.length;
  let i = 3;
  while (n >= 0x80) {
    out[i++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  out[i++] = n;
  out[i++] = UNIT_SEPARATOR;
  out.set(record, i);
  return out;
}
