/**
 * Checksum types: the keyed ones each enctype requires, RFC 4757's HMAC-MD5 pair, and the
 * unkeyed md4/md5/sha1.
 *
 * @module
 */
import { ErrorCodes, KerberosError } from '../errors.js'
import { checksumTypeName } from '../iana.js'
import { constantTimeEqual } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import { assertUsable } from './cache.js'
import { md4 } from './md4.js'
import { md5 } from './md5.js'
import { checkUsage } from './profile.js'
import type { ArcfourProfile } from './rc4-hmac.js'
import { getCryptoBackend, getProfile, type CryptoOptions } from './registry.js'
import { sha1Digest } from './sha1.js'

/** Set to `true` by a bundler's `define` for a lean build (docs/bundling.md); absent otherwise. */
declare const __KERBEROS_TS_LEAN__: boolean | undefined

/** Keyed checksum type → the enctype whose key it takes. */
const KEYED: Readonly<Record<number, number>> = { 15: 17, 16: 18, 19: 19, 20: 20, 17: 25, 18: 26 }
// A lean build keeps only sha1 (14): nothing current sends the unkeyed rsa-md4/rsa-md5.
const UNKEYED: Readonly<Record<number, (d: Uint8Array) => Uint8Array>> =
  typeof __KERBEROS_TS_LEAN__ !== 'undefined' && __KERBEROS_TS_LEAN__
    ? { 14: (d) => sha1Digest(d) }
    : { 2: md4, 7: md5, 14: (d) => sha1Digest(d) }
const ETYPE_CHECKSUM: Readonly<Record<number, number>> = {
  17: 15,
  18: 16,
  19: 19,
  20: 20,
  23: -138,
  24: -138,
  25: 17,
  26: 18,
}

function unsupported(cksumtype: number): KerberosError {
  return new KerberosError(
    ErrorCodes.UNSUPPORTED_CHECKSUM,
    `unsupported checksum type ${checksumTypeName(cksumtype)} (${cksumtype})`,
    { context: { cksumtype } },
  )
}

function needKey(cksumtype: number, key: KerberosKey | null): KerberosKey {
  if (key === null) throw new TypeError(`checksum type ${checksumTypeName(cksumtype)} needs a key`)
  assertUsable(key)
  return key
}

/**
 * The mandatory keyed checksum type of an enctype (17→15, 18→16, 19→19, 20→20, 23/24→-138,
 * 25→17, 26→18).
 *
 * @example
 * ```ts
 * checksumTypeOf(18) // 16 (hmac-sha1-96-aes256)
 * ```
 */
export function checksumTypeOf(etype: number): number {
  const c = ETYPE_CHECKSUM[etype]
  if (c === undefined) getProfile(etype) // throws the right error for DES/unknown
  return c ?? 0
}

/** Checksum output length in octets. */
export function checksumLength(cksumtype: number): number {
  if (cksumtype === -138 || cksumtype === -137 || cksumtype === 2 || cksumtype === 7) return 16
  if (cksumtype === 14) return 20
  const etype = KEYED[cksumtype]
  if (etype === undefined) throw unsupported(cksumtype)
  return PROFILE_LENGTHS[etype]!
}
const PROFILE_LENGTHS: Readonly<Record<number, number>> = {
  17: 12,
  18: 12,
  19: 16,
  20: 24,
  25: 16,
  26: 16,
}

/**
 * Compute a checksum. Keyed types need a key of the matching enctype; -138/-137 need
 * `allowWeak`; unkeyed types (2, 7, 14) ignore `key` and `usage`.
 *
 * @example
 * ```ts
 * const mac = makeChecksum(16, key, KeyUsage.KRB_SAFE_CKSUM, data)
 * ```
 */
export function makeChecksum(
  cksumtype: number,
  key: KerberosKey | null,
  usage: number,
  data: Uint8Array,
  options?: CryptoOptions,
): Uint8Array {
  const unkeyed = UNKEYED[cksumtype]
  if (unkeyed !== undefined) return unkeyed(data)
  if (cksumtype === -138 || cksumtype === -137) {
    const k = needKey(cksumtype, key)
    // The weak-crypto gate; the arcfour profile computes the checksum.
    const arcfour = getProfile(23, options) as ArcfourProfile
    checkUsage(usage)
    // MIT accepts any key that fits in one MD5 block; an RC4 key must still be 16 octets.
    if (
      k.length === 0 ||
      k.length > 64 ||
      ((k.enctype === 23 || k.enctype === 24) && k.length !== 16)
    ) {
      throw new RangeError(
        `expected a 1..64-octet key for ${checksumTypeName(cksumtype)}, got ${k.length}`,
      )
    }
    return arcfour.hmacMd5Arcfour(
      getCryptoBackend(options),
      k.bytes,
      usage,
      data,
      cksumtype === -138,
    )
  }
  const etype = KEYED[cksumtype]
  if (etype === undefined) throw unsupported(cksumtype)
  const k = needKey(cksumtype, key)
  return getProfile(etype, options).checksum(k, usage, data, { backend: getCryptoBackend(options) })
}

/**
 * True for checksum types computed with a key (RFC 3961 §6: hmac-sha1-96-aes128/256 15/16,
 * hmac-sha256-128/hmac-sha384-192 19/20, cmac-camellia 17/18, RFC 4757 hmac-md5 -138/-137);
 * false for the unkeyed crc32/md4/md5/sha1 and for unknown types (MIT `krb5_c_is_keyed_cksum`).
 *
 * @example
 * ```ts
 * isKeyedChecksum(16) // true
 * isKeyedChecksum(7)  // false (rsa-md5: anyone can compute it)
 * ```
 */
export function isKeyedChecksum(cksumtype: number): boolean {
  return KEYED[cksumtype] !== undefined || cksumtype === -138 || cksumtype === -137
}

/**
 * Verify a checksum in constant time. A wrong value returns false; an unsupported type or a
 * key of the wrong kind throws. With a key, the type must be keyed: an unkeyed type (crc32, md4,
 * md5, sha1), which anyone who changed the data can recompute, throws
 * `ERR_KRB_UNSUPPORTED_CHECKSUM` (MIT's callers answer KRB_AP_ERR_INAPP_CKSUM). Unkeyed types
 * are verified only with `key` null.
 *
 * @example
 * ```ts
 * if (!verifyChecksum(16, key, 15, data, mac)) throw new Error('bad KRB-SAFE checksum')
 * ```
 */
export function verifyChecksum(
  cksumtype: number,
  key: KerberosKey | null,
  usage: number,
  data: Uint8Array,
  checksum: Uint8Array,
  options?: CryptoOptions,
): boolean {
  if (key !== null && !isKeyedChecksum(cksumtype)) {
    if (UNKEYED[cksumtype] === undefined) throw unsupported(cksumtype)
    throw new KerberosError(
      ErrorCodes.UNSUPPORTED_CHECKSUM,
      `checksum type ${checksumTypeName(cksumtype)} (${cksumtype}) is unkeyed: refused where a keyed checksum is required`,
      { context: { cksumtype, keyed: false } },
    )
  }
  return constantTimeEqual(makeChecksum(cksumtype, key, usage, data, options), checksum)
}
