import { randomFillSync } from 'node:crypto';

const UUID_BYTES = 16;
/** UUIDs made or copied per slab: each UUID is a 16-byte view of a shared slab. */
const PER_SLAB = 256;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

let random = new Uint8Array(0);
let randomAt = 0;
let copies = new Uint8Array(0);
let copiesAt = 0;

/** A random (version 4, RFC 9562) UUID as 16 bytes; the entropy is fetched a slab at a time. */
export function randomUuidBytes(): Uint8Array {
  if (randomAt === random.length) {
    random = randomFillSync(new Uint8Array(UUID_BYTES * PER_SLAB));
    randomAt = 0;
  }
  const uuid = random.subarray(randomAt, randomAt + UUID_BYTES);
  randomAt += UUID_BYTES;
  uuid[6] = (uuid[6]! & 0x0f) | 0x40;
  uuid[8] = (uuid[8]! & 0x3f) | 0x80;
  return uuid;
}

/** A 16-byte slot of a shared slab, for a UUID read from elsewhere (no allocation per UUID). */
export function uuidSlot(): Uint8Array {
  if (copiesAt === copies.length) {
    copies = new Uint8Array(UUID_BYTES * PER_SLAB);
    copiesAt = 0;
  }
  const slot = copies.subarray(copiesAt, copiesAt + UUID_BYTES);
  copiesAt += UUID_BYTES;
  return slot;
}

/** The canonical lowercase 8-4-4-4-12 text of 16 UUID bytes. */
export function formatUuid(bytes: Uint8Array): string {
  const h = (from: number, to: number) => {
    let s = '';
    for (let i = from; i < to; i++) s += HEX[bytes[i]!]!;
    return s;
  };
  return `${h(0, 4)}-${h(4, 6)}-${h(6, 8)}-${h(8, 10)}-${h(10, 16)}`;
}
