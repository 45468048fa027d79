/**
 * A literal protobuf byte builder for fixtures, independent of the codec under test: each helper
 * returns the bytes of one field, written out by the rules of the wire format.
 */
export function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** A varint field. */
export function vfield(field: number, n: number | bigint): number[] {
  return [...varint(field << 3), ...varint(n)];
}

/** A length-delimited field from bytes or UTF-8 text. */
export function lfield(field: number, body: number[] | Uint8Array | string): number[] {
  const bytes = typeof body === 'string' ? [...Buffer.from(body, 'utf8')] : [...body];
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
}

/** A fixed64 double field. */
export function dfield(field: number, d: number): number[] {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(d);
  return [...varint((field << 3) | 1), ...b];
}

/** Bytes from hex text (spaces allowed). */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/** Heka framing with the given header bytes. */
export function framed(header: number[], message: number[] | Uint8Array): Buffer {
  return Buffer.from([0x1e, header.length, ...header, 0x1f, ...message]);
}
