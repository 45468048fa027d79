import { createHmac, timingSafeEqual } from 'node:crypto';
import { HMAC_HASHES, type FrameHeader, type FrameSigner, type HmacHash } from './frame-header.js';

/** Makes a signer: Heka's `MessageSigningConfig` (name, hash, key, version). */
export function createSigner(
  name: string,
  key: string,
  hash: HmacHash,
  keyVersion: number,
): FrameSigner {
  return {
    name,
    keyVersion,
    hash,
    sign: (message) => createHmac(hash, key).update(message).digest(),
  };
}

/** Why a frame was not accepted by {@link SignatureVerifier.verify}. */
export type VerifyOutcome = 'ok' | 'unknown_signer' | 'bad_signature';

/**
 * Checks signed frames against keys named `<signer>_<key version>`, as Heka's
 * `[x.signer.<name>_<version>] hmac_key` sections do. Unsigned frames (no `hmac` in the header)
 * pass, as in Heka.
 */
export class SignatureVerifier {
  readonly #keys: Map<string, string>;

  /** @param keys HMAC keys by `<signer>_<version>`. */
  constructor(keys: Readonly<Record<string, { hmac_key: string }>>) {
    this.#keys = new Map(Object.entries(keys).map(([id, { hmac_key }]) => [id, hmac_key]));
  }

  /** Verifies a frame's signature over its message bytes, in constant time. */
  verify(header: FrameHeader, message: Uint8Array): VerifyOutcome {
    if (header.hmac === undefined) return 'ok';
    const key = this.#keys.get(`${header.hmacSigner}_${header.hmacKeyVersion}`);
    const hash = HMAC_HASHES[header.hmacHashFunction];
    if (key === undefined) return 'unknown_signer';
    if (hash === undefined) return 'bad_signature';
    const expected = createHmac(hash, key).update(message).digest();
    return expected.length === header.hmac.length && timingSafeEqual(expected, header.hmac)
      ? 'ok'
      : 'bad_signature';
  }
}
