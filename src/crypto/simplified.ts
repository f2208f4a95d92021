/**
 * The RFC 3961 §5.3 simplified profile with CBC-CTS: aes128/aes256-cts-hmac-sha1-96 (RFC 3962,
 * etypes 17, 18) here, camellia128/256-cts-cmac (RFC 6803, etypes 25, 26) in ./camellia-cts.ts.
 *
 * ciphertext = CTS(Ke, confounder | plaintext, iv = 0) | MAC(Ki, confounder | plaintext)
 *
 * @module
 */
import { constantTimeEqual, utf8 } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import type { CryptoBackend, PreparedCipher } from './backend.js'
import { cached } from './cache.js'
import { ctsDecrypt, ctsEncryptPadded } from './cts.js'
import { dr, usageConstant } from './kdf.js'
import { nfold } from './nfold.js'
import { sha1Digest } from './sha1.js'
import {
  checkKey,
  checkUsage,
  integrityError,
  iterationsFrom,
  type EncryptionProfile,
  type ProfileContext,
  type PurePrimitives,
  type StringToKeyContext,
} from './profile.js'

const ZERO_IV = new Uint8Array(16)
const KERBEROS = utf8('kerberos')
const PRF_CONSTANT = utf8('prf')

/** A MAC with its key prepared. */
export interface Mac {
  digest(...parts: readonly Uint8Array[]): Uint8Array
}

interface UsageKeys {
  readonly ke: PreparedCipher
  readonly ki: Mac
}

/**
 * What differs between the AES (RFC 3962) and Camellia (RFC 6803) members of the simplified
 * profile. The functions live here, not behind an `if`, so an application that registers only
 * the AES enctypes carries no Camellia or CMAC code.
 */
export interface Family {
  readonly macLength: number
  readonly defaultIterations: number
  /** The block cipher keyed with `key`. */
  prepare(backend: CryptoBackend, key: Uint8Array): PreparedCipher
  /** DK(base, constant): DR (AES) or the CMAC feedback KDF (Camellia). */
  derive(base: PreparedCipher, constant: Uint8Array, length: number): Uint8Array
  /** The DK input for a usage key. */
  constant(usage: number, kind: 0x99 | 0xaa | 0x55): Uint8Array
  /** The integrity MAC keyed with `key`. */
  mac(backend: CryptoBackend, key: Uint8Array): Mac
  /** The PBKDF2 salt for `salt` (RFC 6803 §4 prefixes the enctype name). */
  salt(name: string, salt: Uint8Array): Uint8Array
  /** The PRF output from the prepared PRF key. */
  prf(prfKey: PreparedCipher, input: Uint8Array): Uint8Array
}

// Cache slots (numbers: no string building per call): the base cipher, the PRF key, and per
// usage the Ke/Ki pair (4u) or Kc (4u + 1).
const BASE_SLOT = -1
const PRF_SLOT = -2
const encSlot = (usage: number): number => usage * 4
const checksumSlot = (usage: number): number => usage * 4 + 1

/**
 * Usage constants with the DR n-fold already applied (key-independent, so computed once per
 * usage and kind). Bounded: applications use a handful of usages.
 */
const foldedConstants = new Map<number, Uint8Array>()
const MAX_FOLDED = 1024

function foldedConstant(usage: number, kind: 0x99 | 0xaa | 0x55): Uint8Array {
  const id = usage * 256 + kind
  let c = foldedConstants.get(id)
  if (c === undefined) {
    c = nfold(usageConstant(usage, kind), 16)
    if (foldedConstants.size < MAX_FOLDED) foldedConstants.set(id, c)
  }
  return c
}

function baseCipher(fam: Family, key: KerberosKey, backend: CryptoBackend): PreparedCipher {
  return cached(key, backend, BASE_SLOT, () => fam.prepare(backend, key.bytes))
}

/** A member of the simplified profile (internal: this module and ./camellia-cts.ts make theirs). */
export function makeProfile(
  fam: Family,
  etype: number,
  name: string,
  keyLength: number,
  checksumType: number,
  purePrimitives?: PurePrimitives,
): EncryptionProfile {
  const usageKeys = (key: KerberosKey, usage: number, backend: CryptoBackend): UsageKeys =>
    cached(key, backend, encSlot(usage), () => {
      const base = baseCipher(fam, key, backend)
      const ke = fam.derive(base, fam.constant(usage, 0xaa), keyLength)
      const ki = fam.derive(base, fam.constant(usage, 0x55), keyLength)
      return { ke: fam.prepare(backend, ke), ki: fam.mac(backend, ki) }
    })
  const checksumKey = (key: KerberosKey, usage: number, backend: CryptoBackend): Mac =>
    cached(key, backend, checksumSlot(usage), () =>
      fam.mac(
        backend,
        fam.derive(baseCipher(fam, key, backend), fam.constant(usage, 0x99), keyLength),
      ),
    )

  const profile: EncryptionProfile = {
    etype,
    name,
    keyLength,
    keySeedLength: keyLength,
    checksumType,
    checksumLength: fam.macLength,
    confounderLength: 16,
    overhead: 16 + fam.macLength,
    prfLength: 16,
    defaultParams: new Uint8Array([
      0,
      0,
      fam.defaultIterations >>> 8,
      fam.defaultIterations & 0xff,
    ]),
    weak: false,
    ...(purePrimitives === undefined ? {} : { purePrimitives }),

    stringToKey(
      password: Uint8Array,
      salt: Uint8Array,
      params: Uint8Array | undefined,
      ctx: StringToKeyContext,
    ) {
      const iterations = iterationsFrom(
        params,
        fam.defaultIterations,
        name,
        ctx.allowLowIterations,
        ctx.maxIterations,
      )
      const saltp = fam.salt(name, salt)
      // Both use PBKDF2-HMAC-SHA1 (RFC 6803 §4 keeps RFC 3962's PRF; MIT agrees).
      const tkey = ctx.backend.pbkdf2('sha1', password, saltp, iterations, keyLength)
      return fam.derive(fam.prepare(ctx.backend, tkey), KERBEROS, keyLength)
    },

    randomToKey(seed: Uint8Array) {
      if (seed.length !== keyLength)
        throw new RangeError(`expected ${keyLength} random octets, got ${seed.length}`)
      return seed.slice()
    },

    encrypt(key, usage, plaintext, confounder, ctx: ProfileContext) {
      checkKey(profile, key)
      checkUsage(usage)
      const { ke, ki } = usageKeys(key, usage, ctx.backend)
      const n = 16 + plaintext.length
      const padded = new Uint8Array(Math.ceil(n / 16) * 16)
      padded.set(confounder)
      padded.set(plaintext, 16)
      const out = ctsEncryptPadded(ke, ZERO_IV, padded, n, fam.macLength)
      out.set(ki.digest(padded.subarray(0, n)), n)
      return out
    },

    decrypt(key, usage, ciphertext, ctx: ProfileContext) {
      checkKey(profile, key)
      checkUsage(usage)
      if (ciphertext.length < 16 + fam.macLength) throw integrityError()
      const { ke, ki } = usageKeys(key, usage, ctx.backend)
      const split = ciphertext.length - fam.macLength
      const data = ctsDecrypt(ke, ZERO_IV, ciphertext.subarray(0, split))
      if (!constantTimeEqual(ki.digest(data), ciphertext.subarray(split))) throw integrityError()
      // A view past the confounder: no copy of what may be a large message.
      return data.subarray(16)
    },

    checksum(key, usage, data, ctx: ProfileContext) {
      checkKey(profile, key)
      checkUsage(usage)
      return checksumKey(key, usage, ctx.backend).digest(data).slice()
    },

    prf(key, input, ctx: ProfileContext) {
      checkKey(profile, key)
      const prfKey = cached(key, ctx.backend, PRF_SLOT, () =>
        fam.prepare(
          ctx.backend,
          fam.derive(baseCipher(fam, key, ctx.backend), PRF_CONSTANT, keyLength),
        ),
      )
      return fam.prf(prfKey, input)
    },
  }
  return profile
}

const AES: Family = {
  macLength: 12,
  defaultIterations: 4096,
  prepare: (backend, key) => backend.aes(key),
  derive: dr,
  // DR n-folds its input: the folded constant, computed once per usage.
  constant: foldedConstant,
  mac(backend, key) {
    const h = backend.hmac('sha1', key)
    // HMAC-SHA1-96: the first 12 octets (a copy by hand: cheaper than a view for 12 octets).
    return {
      digest: (...parts) => {
        const full = h.digest(...parts)
        const out = new Uint8Array(12)
        for (let i = 0; i < 12; i++) out[i] = full[i]!
        return out
      },
    }
  },
  // RFC 3962 §4 uses the salt as is.
  salt: (_name, salt) => salt,
  // RFC 3962 §6: E(DK(key, "prf"), SHA-1(input) truncated to one block).
  prf: (prfKey, input) => prfKey.encryptCBC(ZERO_IV, sha1Digest(input).subarray(0, 16)),
}

/** aes128-cts-hmac-sha1-96 (17). */
export const aes128CtsHmacSha196: EncryptionProfile = /* @__PURE__ */ makeProfile(
  AES,
  17,
  'aes128-cts-hmac-sha1-96',
  16,
  15,
)
/** aes256-cts-hmac-sha1-96 (18). */
export const aes256CtsHmacSha196: EncryptionProfile = /* @__PURE__ */ makeProfile(
  AES,
  18,
  'aes256-cts-hmac-sha1-96',
  32,
  16,
)
