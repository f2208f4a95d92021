/**
 * PBKDF2 (RFC 8018 §5.2) for the pure backend.
 *
 * @module
 */
import { pbkdf2 } from '@noble/hashes/pbkdf2.js'
import type { CHash } from '@noble/hashes/utils.js'

/** PBKDF2-HMAC-`hash`; `iterations` ≥ 1, `length` ≥ 1 octets. */
export function pbkdf2Fast(
  hash: CHash,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
): Uint8Array {
  if (!Number.isSafeInteger(iterations) || iterations < 1)
    throw new RangeError(`expected iterations >= 1, got ${iterations}`)
  return pbkdf2(hash, password, salt, { c: iterations, dkLen: length })
}
