/**
 * The one interface every Kerberos encryption type implements, plus shared helpers.
 *
 * @module
 */
import { ErrorCodes, KerberosError } from '../errors.js'
import type { KerberosKey } from '../key.js'
import type { CryptoBackend, HashName, PBKDF2Hash, PreparedCipher, PreparedMac } from './backend.js'
import { assertUsable } from './cache.js'

/** What a profile operation needs besides its arguments. */
export interface ProfileContext {
  readonly backend: CryptoBackend
}

/** Options for {@link EncryptionProfile.stringToKey}. */
export interface StringToKeyContext extends ProfileContext {
  /** Accept iteration counts below the enctype default (the RFC test vectors need this). */
  readonly allowLowIterations?: boolean
  /**
   * Refuse more PBKDF2 iterations than this (before any work is done); default and ceiling
   * {@link MAX_ITERATIONS} − 1.
   */
  readonly maxIterations?: number
}

/**
 * Pure-JavaScript primitives an enctype needs beyond what the pure backend always has (AES,
 * HMAC-SHA1, PBKDF2-HMAC-SHA1). Registering the enctype installs them into the pure backend, so
 * an application that registers only aes-sha1 carries no SHA-2, MD5 or Camellia code.
 */
export interface PurePrimitives {
  /** HMAC with a hash other than SHA-1. */
  readonly hmac?: Partial<Record<HashName, (key: Uint8Array) => PreparedMac>>
  /** PBKDF2 with a hash other than SHA-1 (arguments already checked). */
  readonly pbkdf2?: Partial<
    Record<
      PBKDF2Hash,
      (password: Uint8Array, salt: Uint8Array, iterations: number, length: number) => Uint8Array
    >
  >
  /** Camellia with a 16- or 32-octet key. */
  readonly camellia?: (key: Uint8Array) => PreparedCipher
}

/**
 * An encryption type (RFC 3961 §3): sizes, key generation, encryption, its mandatory checksum and
 * PRF. Get one with `getProfile(etype)`; the free functions of `kerberos-ts/crypto` call it.
 *
 * @example
 * ```ts
 * const p = getProfile(18)
 * p.keyLength // 32
 * p.overhead // 28 = 16-octet confounder + 12-octet HMAC
 * ```
 */
export interface EncryptionProfile {
  /** IANA enctype number. */
  readonly etype: number
  /** MIT name, e.g. `aes256-cts-hmac-sha1-96`. */
  readonly name: string
  /** Key length in octets. */
  readonly keyLength: number
  /** Random-to-key input length in octets (also the KRB-FX-CF2 PRF+ output length). */
  readonly keySeedLength: number
  /** The mandatory keyed checksum type (RFC 3961 §3 "required checksum mechanism"). */
  readonly checksumType: number
  /** Length of that checksum, which is also the integrity tag inside a ciphertext. */
  readonly checksumLength: number
  /** Confounder length in octets. */
  readonly confounderLength: number
  /** Ciphertext length minus plaintext length (no padding with CTS or RC4). */
  readonly overhead: number
  /** PRF output length in octets. */
  readonly prfLength: number
  /** The s2kparams used when none are given (null when the enctype has none). */
  readonly defaultParams: Uint8Array | null
  /** True for RC4-based types, which need `allowWeak`. */
  readonly weak: boolean
  /** What the pure backend needs for this enctype (installed by `registerEnctypes`). */
  readonly purePrimitives?: PurePrimitives
  /** RFC 3961 string-to-key. */
  stringToKey(
    password: Uint8Array,
    salt: Uint8Array,
    params: Uint8Array | undefined,
    ctx: StringToKeyContext,
  ): Uint8Array
  /** RFC 3961 random-to-key (the identity for every supported type). */
  randomToKey(seed: Uint8Array): Uint8Array
  /** Encrypt with an explicit confounder (`confounderLength` octets). */
  encrypt(
    key: KerberosKey,
    usage: number,
    plaintext: Uint8Array,
    confounder: Uint8Array,
    ctx: ProfileContext,
  ): Uint8Array
  /** Decrypt and check integrity; failures throw ERR_KRB_INTEGRITY. */
  decrypt(key: KerberosKey, usage: number, ciphertext: Uint8Array, ctx: ProfileContext): Uint8Array
  /** The mandatory checksum over `data`. */
  checksum(key: KerberosKey, usage: number, data: Uint8Array, ctx: ProfileContext): Uint8Array
  /** The RFC 3961 pseudo-random function. */
  prf(key: KerberosKey, input: Uint8Array, ctx: ProfileContext): Uint8Array
}

/** The one message every failed integrity check carries: nothing about where or why. */
export const INTEGRITY_MESSAGE = 'decryption failed: integrity check failed'

/** A fresh ERR_KRB_INTEGRITY error with the fixed message. */
export function integrityError(): KerberosError {
  return new KerberosError(ErrorCodes.INTEGRITY, INTEGRITY_MESSAGE)
}

/** Check a key's enctype and length against the profile (argument misuse → TypeError/RangeError). */
export function checkKey(profile: EncryptionProfile, key: KerberosKey): void {
  assertUsable(key)
  if (key.enctype !== profile.etype) {
    throw new TypeError(
      `expected a ${profile.name} (${profile.etype}) key, got enctype ${key.enctype}`,
    )
  }
  if (key.length !== profile.keyLength) {
    throw new RangeError(
      `expected a ${profile.keyLength}-octet ${profile.name} key, got ${key.length} octets`,
    )
  }
}

/** Check a key usage number (0 .. 2^32-1). */
export function checkUsage(usage: number): void {
  if (!Number.isInteger(usage) || usage < 0 || usage > 0xffffffff) {
    throw new RangeError(`expected a key usage in 0..4294967295, got ${usage}`)
  }
}

/** MIT's upper limit on PBKDF2 iterations (exclusive). */
export const MAX_ITERATIONS = 0x1000000

/** The 4-octet big-endian iteration count of s2kparams (RFC 3962 §4; 0 means 2^32). */
export function readIterationCount(params: Uint8Array, name: string): number {
  if (params.length !== 4) {
    throw new KerberosError(
      ErrorCodes.S2K_PARAMS,
      `expected 4 octets of s2kparams for ${name}, got ${params.length}`,
      {
        context: { enctype: name, length: params.length },
      },
    )
  }
  const count = ((params[0]! << 24) | (params[1]! << 16) | (params[2]! << 8) | params[3]!) >>> 0
  // RFC 3962 §4: 0 means 2^32.
  return count === 0 ? 2 ** 32 : count
}

/**
 * Read the iteration count from s2kparams, or use the default, and check it: at least the
 * default (unless `allowLow`), below MIT's 2^24 and at most `max` (a caller's
 * `maxIterations`). The check runs before any PBKDF2 work, so a refused count costs nothing.
 */
export function iterationsFrom(
  params: Uint8Array | undefined,
  defaultCount: number,
  name: string,
  allowLow: boolean | undefined,
  max?: number,
): number {
  const count =
    params === undefined || params === null ? defaultCount : readIterationCount(params, name)
  // MIT refuses counts of 2^24 and more (a KDC could make every login burn minutes of CPU), so
  // do we; and below the default unless asked.
  if (count >= MAX_ITERATIONS || (count < defaultCount && allowLow !== true)) {
    throw new KerberosError(
      ErrorCodes.S2K_PARAMS,
      `expected ${defaultCount}..${MAX_ITERATIONS - 1} string-to-key iterations for ${name}, got ${count}`,
      { context: { enctype: name, iterations: count } },
    )
  }
  if (max !== undefined && count > max) {
    throw new KerberosError(
      ErrorCodes.S2K_PARAMS,
      `refused ${count} string-to-key iterations for ${name}: more than maxIterations ${max}`,
      { context: { enctype: name, iterations: count, maxIterations: max } },
    )
  }
  return count
}

/** Concatenate byte strings. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
