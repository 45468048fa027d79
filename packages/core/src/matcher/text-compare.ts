/**
 * Orders two strings as Go orders their UTF-8 bytes (Heka's string comparison), which is code point
 * order. JavaScript's `<` compares UTF-16 code units, which puts U+10000 and above before
 * U+E000–U+FFFF; this does not. Returns a negative number, 0 or a positive number.
 */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        // Move surrogates (code points above U+FFFF) after U+E000–U+FFFF.
        x += x >= 0xe000 ? -0x800 : 0x2000;
        y += y >= 0xe000 ? -0x800 : 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/** Orders two byte strings byte-wise, as Go orders strings. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

/** True when `bytes[at…]` starts with `part`. */
function bytesMatchAt(bytes: Uint8Array, part: Uint8Array, at: number): boolean {
  if (at < 0 || at + part.length > bytes.length) return false;
  for (let i = 0; i < part.length; i++) {
    if (bytes[at + i] !== part[i]) return false;
  }
  return true;
}

/** True when `bytes` begins with `prefix`. */
export function bytesStartWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytesMatchAt(bytes, prefix, 0);
}

/** True when `bytes` ends with `suffix`. */
export function bytesEndWith(bytes: Uint8Array, suffix: Uint8Array): boolean {
  return bytesMatchAt(bytes, suffix, bytes.length - suffix.length);
}
