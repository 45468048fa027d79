import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { crc32c } from '../../src/queue/crc32c.js';
import { propertyParams } from '../property-params.js';

/** Bit-at-a-time CRC-32C, the definition the table-driven one must match. */
function reference(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

describe('crc32c', () => {
  it('matches the published check values (RFC 3720 B.4 and the "123456789" check)', () => {
    assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
    assert.equal(crc32c(new Uint8Array(0)), 0);
  });

  it('equals the bitwise definition, and continues across split points', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, cut) => {
        const at = cut % (bytes.length + 1);
        assert.equal(crc32c(bytes), reference(bytes));
        assert.equal(crc32c(bytes, crc32c(bytes, 0, 0, at), at, bytes.length), reference(bytes));
      }),
      propertyParams(500),
    );
  });
});
