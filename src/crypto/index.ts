/**
 * The Kerberos 5 crypto layer (RFC 3961 framework; RFC 3962 AES-SHA1, RFC 8009 AES-SHA2,
 * RFC 6803 Camellia, RFC 4757 RC4-HMAC behind `allowWeak`; RFC 6113 §5.1 KRB-FX-CF2).
 * DES and DES3 are not implemented.
 *
 * @example
 * ```ts
 * import { stringToKey, encrypt, decrypt } from 'kerberos-ts/crypto'
 * const key = stringToKey(18, 'password', 'EXAMPLE.COMalice')
 * const ct = encrypt(key, 2, plaintext)
 * decrypt(key, 2, ct) // plaintext
 * ```
 *
 * @module
 */
import { randomBytes, utf8, type RandomSource } from '../internal/bytes.js'
import { KerberosKey } from '../key.js'
import { pooledRandomBytes } from './random-pool.js'
import type { CryptoBackend, PBKDF2Hash } from './backend.js'
import {
  MAX_ITERATIONS,
  iterationsFrom,
  type ProfileContext,
  type StringToKeyContext,
} from './profile.js'
import { getCryptoBackend, getProfile, type CryptoOptions } from './registry.js'

export type { CryptoBackend, HashName, PBKDF2Hash, PreparedCipher, PreparedMac } from './backend.js'
export type {
  EncryptionProfile,
  ProfileContext,
  PurePrimitives,
  StringToKeyContext,
} from './profile.js'
export { INTEGRITY_MESSAGE } from './profile.js'
export { pureBackend } from './pure-backend.js'
export { wipeDerivedKeys, derivedKeyCount, MAX_ENTRIES_PER_KEY } from './cache.js'
export {
  getProfile,
  isEnctypeSupported,
  setCryptoBackend,
  getCryptoBackend,
  supportedEnctypes,
  registerEnctypes,
  registeredEnctypes,
} from './registry.js'
export {
  allEnctypes,
  aes128CtsHmacSha196,
  aes256CtsHmacSha196,
  aes128CtsHmacSha256128,
  aes256CtsHmacSha384192,
  camellia128CtsCmac,
  camellia256CtsCmac,
  arcfourHmac,
  arcfourHmacExp,
} from './enctypes.js'
export type { CryptoOptions } from './registry.js'
export {
  checksumTypeOf,
  checksumLength,
  isKeyedChecksum,
  makeChecksum,
  verifyChecksum,
} from './checksum.js'
export {
  defaultSalt,
  adUserSalt,
  adUpnSalt,
  adAccountSalt,
  adComputerName,
  adComputerSalt,
  saltFor,
  type SaltSpec,
} from './salt.js'
export { nfold } from './nfold.js'
export { ctsEncrypt, ctsEncryptPadded, ctsDecrypt, ctsNextIV } from './cts.js'
export { dr, kdfHmacSha2, kdfFeedbackCmac, usageConstant, CMAC } from './kdf.js'
export { arcfourUsage, ntHash } from './rc4-hmac.js'
export { md4 } from './md4.js'
export { rc4 } from './rc4.js'
export type { RandomSource } from '../internal/bytes.js'

const bytesOf = (v: string | Uint8Array): Uint8Array => (typeof v === 'string' ? utf8(v) : v)

// The profile context of the last backend used: encrypt/decrypt run per message, and nearly
// every call uses the same backend, so the context object is made once, not per call.
let lastContext: ProfileContext = { backend: getCryptoBackend() }

function contextFor(options: CryptoOptions | undefined): ProfileContext {
  const backend = getCryptoBackend(options)
  if (lastContext.backend !== backend) lastContext = { backend }
  return lastContext
}

/** Options for {@link stringToKey}. */
export interface StringToKeyOptions extends CryptoOptions {
  /** s2kparams from the KDC (ETYPE-INFO2); for AES a 4-octet big-endian iteration count. */
  readonly params?: Uint8Array
  /** Accept iteration counts below the enctype default (needed for the RFC test vectors). */
  readonly allowLowIterations?: boolean
  /**
   * Refuse more PBKDF2 iterations than this with ERR_KRB_S2K_PARAMS, before any work (a KDC
   * chooses the count). Default and ceiling: MIT's limit, 2^24 − 1.
   */
  readonly maxIterations?: number
}

/** The highest iteration count any string-to-key accepts (MIT's limit, 2^24 − 1). */
export const MAX_S2K_ITERATIONS: number = MAX_ITERATIONS - 1

function s2kContext(
  options: StringToKeyOptions | undefined,
  backend: CryptoBackend,
): StringToKeyContext {
  const max = options?.maxIterations
  if (max !== undefined && (!Number.isSafeInteger(max) || max < 1)) {
    throw new RangeError(`expected maxIterations to be a positive integer, got ${max}`)
  }
  return {
    backend,
    ...(options?.allowLowIterations === undefined
      ? {}
      : { allowLowIterations: options.allowLowIterations }),
    ...(max !== undefined ? { maxIterations: max } : {}),
  }
}

/**
 * Derive a long-term key from a password (RFC 3961 string-to-key). Salt and password strings are
 * UTF-8. Low iteration counts throw ERR_KRB_S2K_PARAMS unless `allowLowIterations` is set.
 *
 * @example
 * ```ts
 * const key = stringToKey(18, 'password', defaultSalt(parsePrincipal('alice@EXAMPLE.COM')))
 * ```
 */
export function stringToKey(
  etype: number,
  password: string | Uint8Array,
  salt: string | Uint8Array,
  options?: StringToKeyOptions,
): KerberosKey {
  const profile = getProfile(etype, options)
  const ctx = s2kContext(options, getCryptoBackend(options))
  const bytes = profile.stringToKey(bytesOf(password), bytesOf(salt), options?.params, ctx)
  return new KerberosKey(etype, bytes)
}

/**
 * The PBKDF2 iteration count string-to-key would run for `etype` and `params` (the enctype's
 * default when `params` is absent; `undefined` for enctypes without PBKDF2, such as rc4-hmac).
 * Checks the count as {@link stringToKey} does (ERR_KRB_S2K_PARAMS), without deriving anything.
 *
 * @example
 * ```ts
 * stringToKeyIterations(18, new Uint8Array([0, 0, 0x10, 0])) // 4096
 * stringToKeyIterations(20) // 32768
 * ```
 */
export function stringToKeyIterations(
  etype: number,
  params?: Uint8Array,
  options?: Omit<StringToKeyOptions, 'params'>,
): number | undefined {
  const profile = getProfile(etype, options)
  if (profile.defaultParams === null) return undefined
  const defaultCount = iterationsFrom(profile.defaultParams, 1, profile.name, true)
  return iterationsFrom(
    params,
    defaultCount,
    profile.name,
    options?.allowLowIterations,
    options?.maxIterations,
  )
}

/** The arguments of the one PBKDF2 call a string-to-key makes. */
type PBKDF2Call = readonly [PBKDF2Hash, Uint8Array, Uint8Array, number, number]

/** A backend that is `backend` except for PBKDF2. */
function withPBKDF2(
  backend: CryptoBackend,
  pbkdf2: (...args: PBKDF2Call) => Uint8Array,
): CryptoBackend {
  return {
    name: backend.name,
    aes: (key) => backend.aes(key),
    camellia: (key) => backend.camellia(key),
    hmac: (hash, key) => backend.hmac(hash, key),
    pbkdf2,
  }
}

const WANT_PBKDF2 = Symbol('want-pbkdf2')

/**
 * {@link stringToKey} that leaves the caller's thread free during PBKDF2 when the backend has
 * `pbkdf2Async` (the Node backend: libuv's thread pool), so a server keeps serving while a
 * password login derives its key. Without it, the same synchronous derivation. Same keys, same
 * checks (ERR_KRB_S2K_PARAMS before any work).
 *
 * @example
 * ```ts
 * import { nodeBackend } from 'kerberos-ts/node'
 * const key = await stringToKeyAsync(18, 'password', 'EXAMPLE.COMalice', { backend: nodeBackend })
 * ```
 */
export async function stringToKeyAsync(
  etype: number,
  password: string | Uint8Array,
  salt: string | Uint8Array,
  options?: StringToKeyOptions,
): Promise<KerberosKey> {
  const backend = getCryptoBackend(options)
  const pbkdf2Async = backend.pbkdf2Async
  if (pbkdf2Async === undefined) return stringToKey(etype, password, salt, options)
  const profile = getProfile(etype, options)
  const pw = bytesOf(password)
  const s = bytesOf(salt)
  // A profile's string-to-key is one PBKDF2 call and then cheap key derivation, synchronously.
  // First pass: learn the PBKDF2 arguments (the parameter checks run here) and stop. Then run
  // PBKDF2 off the thread, and the second pass with a backend that hands back its result.
  let call: PBKDF2Call | undefined
  const probe = withPBKDF2(backend, (...args) => {
    call = args
    throw WANT_PBKDF2
  })
  try {
    return new KerberosKey(
      etype,
      profile.stringToKey(pw, s, options?.params, s2kContext(options, probe)),
    )
  } catch (e) {
    if (e !== WANT_PBKDF2 || call === undefined) throw e
  }
  const want = call
  const tkey = await pbkdf2Async.call(backend, ...want)
  const replay = withPBKDF2(backend, (...args) => {
    if (args[0] !== want[0] || args[3] !== want[3] || args[4] !== want[4]) {
      throw new Error('string-to-key asked for a different PBKDF2 on its second pass')
    }
    return tkey
  })
  const bytes = profile.stringToKey(pw, s, options?.params, s2kContext(options, replay))
  tkey.fill(0)
  return new KerberosKey(etype, bytes)
}

/**
 * A fresh random key (random-to-key of `keySeedLength` random octets).
 *
 * @example
 * ```ts
 * const sessionKey = randomKey(18)
 * ```
 */
export function randomKey(
  etype: number,
  options?: CryptoOptions & { readonly random?: RandomSource },
): KerberosKey {
  const profile = getProfile(etype, options)
  const seed = (options?.random ?? randomBytes)(profile.keySeedLength)
  return new KerberosKey(etype, profile.randomToKey(seed))
}

/** Options for {@link encrypt}. */
export interface EncryptOptions extends CryptoOptions {
  /** Where the confounder comes from (default: `globalThis.crypto`). */
  readonly random?: RandomSource
  /** An explicit confounder, for known-answer tests only. */
  readonly confounder?: Uint8Array
}

/**
 * Encrypt `plaintext` under `key` for key `usage` (RFC 3961 encrypt with a random confounder).
 *
 * @example
 * ```ts
 * const ct = encrypt(sessionKey, KeyUsage.AP_REQ_AUTH, authenticatorBytes)
 * ```
 */
export function encrypt(
  key: KerberosKey,
  usage: number,
  plaintext: Uint8Array,
  options?: EncryptOptions,
): Uint8Array {
  const profile = getProfile(key.enctype, options)
  const confounder =
    options?.confounder ?? (options?.random ?? pooledRandomBytes)(profile.confounderLength)
  if (confounder.length !== profile.confounderLength) {
    throw new RangeError(
      `expected a ${profile.confounderLength}-octet confounder, got ${confounder.length}`,
    )
  }
  return profile.encrypt(key, usage, plaintext, confounder, contextFor(options))
}

/**
 * Decrypt and verify. Any integrity failure (wrong key, wrong usage, modified or truncated
 * ciphertext) throws ERR_KRB_INTEGRITY with the one fixed message {@link INTEGRITY_MESSAGE}.
 *
 * @example
 * ```ts
 * const encPart = decrypt(serviceKey, KeyUsage.KDC_REP_TICKET, ticket.encPart.cipher)
 * ```
 */
export function decrypt(
  key: KerberosKey,
  usage: number,
  ciphertext: Uint8Array,
  options?: CryptoOptions,
): Uint8Array {
  return getProfile(key.enctype, options).decrypt(key, usage, ciphertext, contextFor(options))
}

/**
 * The enctype's pseudo-random function (RFC 3961 §3; 16 octets for aes-sha1 and camellia,
 * 32/48 for aes-sha2, 20 for rc4-hmac).
 *
 * @example
 * ```ts
 * const out = prf(key, utf8('test'))
 * ```
 */
export function prf(key: KerberosKey, input: Uint8Array, options?: CryptoOptions): Uint8Array {
  return getProfile(key.enctype, options).prf(key, input, { backend: getCryptoBackend(options) })
}

/** PRF+ of RFC 6113 §5.1: PRF(key, 1 | s) | PRF(key, 2 | s) | ... cut to `length` octets. */
function prfPlus(
  key: KerberosKey,
  pepper: Uint8Array,
  length: number,
  options?: CryptoOptions,
): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 1, at = 0; at < length; i++) {
    const input = new Uint8Array(pepper.length + 1)
    input[0] = i
    input.set(pepper, 1)
    const block = prf(key, input, options)
    out.set(block.subarray(0, Math.min(block.length, length - at)), at)
    at += block.length
  }
  return out
}

/**
 * KRB-FX-CF2 (RFC 6113 §5.1): combine two keys into one of key1's enctype,
 * random-to-key(PRF+(key1, pepper1) XOR PRF+(key2, pepper2)).
 *
 * @example
 * ```ts
 * const armorKey = cf2(subkey, 'subkeyarmor', ticketSessionKey, 'ticketarmor')
 * ```
 */
export function cf2(
  key1: KerberosKey,
  pepper1: string | Uint8Array,
  key2: KerberosKey,
  pepper2: string | Uint8Array,
  options?: CryptoOptions,
): KerberosKey {
  const profile = getProfile(key1.enctype, options)
  getProfile(key2.enctype, options)
  const n = profile.keySeedLength
  const a = prfPlus(key1, bytesOf(pepper1), n, options)
  const b = prfPlus(key2, bytesOf(pepper2), n, options)
  for (let i = 0; i < n; i++) a[i]! ^= b[i]!
  return new KerberosKey(key1.enctype, profile.randomToKey(a))
}
