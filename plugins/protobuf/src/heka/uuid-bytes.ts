const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const UUID_TEXT = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Heka's uuid is always 16 bytes. */
export const UUID_BYTES = 16;

/** Lowercase 8-4-4-4-12 text of the 16 bytes at `b[at]`, as Heka's matcher compares it. */
export function uuidText(b: Uint8Array, at: number): string {
  return (
    HEX[b[at]!]! +
    HEX[b[at + 1]!]! +
    HEX[b[at + 2]!]! +
    HEX[b[at + 3]!]! +
    '-' +
    HEX[b[at + 4]!]! +
    HEX[b[at + 5]!]! +
    '-' +
    HEX[b[at + 6]!]! +
    HEX[b[at + 7]!]! +
    '-' +
    HEX[b[at + 8]!]! +
    HEX[b[at + 9]!]! +
    '-' +
    HEX[b[at + 10]!]! +
    HEX[b[at + 11]!]! +
    HEX[b[at + 12]!]! +
    HEX[b[at + 13]!]! +
    HEX[b[at + 14]!]! +
    HEX[b[at + 15]!]!
  );
}

/**
 * The 16 bytes of a uuid given as hex text, 8-4-4-4-12 with or without dashes, in either case;
 * undefined for any other text.
 */
export function uuidBytes(text: string): Buffer | undefined {
  if (!UUID_TEXT.test(text)) return undefined;
  return Buffer.from(text.replace(/-/g, ''), 'hex');
}
