/**
 * The RFC 3961 §5.3 simplified profile with CBC-CTS: aes128/aes256-cts-hmac-sha1-96 (RFC 3962,
 * etypes 17, 18) and camellia128/256-cts-cmac (RFC 6803, etypes 25, 26).
 *
 * ciphertext = CTS(Ke, confounder | plaintext, iv = 0) | MAC(Ki, confounder | plaintext)
 *
 * @module
 */
import { sha1 } from '@noble/hashes/legacy.js'
import { constantTimeEqual, utf8 } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import type { CryptoBackend, PreparedCipher } from './backend.js'
import { cached } from './cache.js'
import { ctsDecrypt, ctsEncryptPadded } from './cts.js'
import { CMAC, dr, kdfFeedbackCmac, usageConstant } from './kdf.js'
import { nfold } from './nfold.js'
import {
  checkKey,
  checkUsage,
  concat,
  integrityError,
  iterationsFrom,
  type EncryptionProfile,
  type ProfileContext,
  type StringToKeyContext,
} from './profile.js'

const ZERO_IV = new Uint8Array(16)
const KERBEROS = utf8('kerberos')
const PRF_CONSTANT = utf8('prf')

interface Mac {
  digest(...parts: readonly Uint8Array[]): Uint8Array
}

interface UsageKeys {
  readonly ke: PreparedCipher
  readonly ki: Mac
}

interface Family {
  readonly cipher: 'aes' | 'camellia'
  readonly macLength: number
  readonly defaultIterations: number
}

const AES: Family = { cipher: 'aes', macLength: 12, defaultIterations: 4096 }
const CAMELLIA: Family = { cipher: 'camellia', macLength: 16, defaultIterations: 32768 }

const prepare = (fam: Family, backend: CryptoBackend, key: Uint8Array): PreparedCipher =>
  fam.cipher === 'aes' ? backend.aes(key) : backend.camellia(key)

/** DK(base, constant) for the family: DR with the block cipher (AES) or the CMAC KDF (Camellia). */
function derive(
  fam: Family,
  base: PreparedCipher,
  constant: Uint8Array,
  length: number,
): Uint8Array {
  return fam.cipher === 'aes'
    ? dr(base, constant, length)
    : kdfFeedbackCmac(base, constant, length * 8)
}

function macFor(fam: Family, backend: CryptoBackend, key: Uint8Array): Mac {
  if (fam.cipher === 'camellia') return new CMAC(backend.camellia(key))
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

/** The DK input for a usage key: the folded constant for AES, the raw one for the CMAC KDF. */
function constantFor(fam: Family, usage: number, kind: 0x99 | 0xaa | 0x55): Uint8Array {
  return fam.cipher === 'aes' ? foldedConstant(usage, kind) : usageConstant(usage, kind)
}

function baseCipher(fam: Family, key: KerberosKey, backend: CryptoBackend): PreparedCipher {
  return cached(key, backend, BASE_SLOT, () => prepare(fam, backend, key.bytes))
}

function makeProfile(
  fam: Family,
  etype: number,
  name: string,
  keyLength: number,
  checksumType: number,
): EncryptionProfile {
  const usageKeys = (key: KerberosKey, usage: number, backend: CryptoBackend): UsageKeys =>
    cached(key, backend, encSlot(usage), () => {
      const base = baseCipher(fam, key, backend)
      const ke = derive(fam, base, constantFor(fam, usage, 0xaa), keyLength)
      const ki = derive(fam, base, constantFor(fam, usage, 0x55), keyLength)
      return { ke: prepare(fam, backend, ke), ki: macFor(fam, backend, ki) }
    })
  const checksumKey = (key: KerberosKey, usage: number, backend: CryptoBackend): Mac =>
    cached(key, backend, checksumSlot(usage), () =>
      macFor(
        fam,
        backend,
        derive(fam, baseCipher(fam, key, backend), constantFor(fam, usage, 0x99), keyLength),
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
      // RFC 3962 §4 uses the salt as is; RFC 6803 §4 prefixes the enctype name and a zero octet.
      const saltp = fam.cipher === 'aes' ? salt : concat(utf8(name), new Uint8Array(1), salt)
      // Both use PBKDF2-HMAC-SHA1 (RFC 6803 §4 keeps RFC 3962's PRF; MIT agrees).
      const tkey = ctx.backend.pbkdf2('sha1', password, saltp, iterations, keyLength)
      return derive(fam, prepare(fam, ctx.backend, tkey), KERBEROS, keyLength)
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
        prepare(
          fam,
          ctx.backend,
          derive(fam, baseCipher(fam, key, ctx.backend), PRF_CONSTANT, keyLength),
        ),
      )
      // RFC 3962 §6: E(DK(key, "prf"), SHA-1(input) truncated to one block);
      // RFC 6803 §5: CMAC(DK(key, "prf"), input).
      if (fam.cipher === 'aes') return prfKey.encryptCBC(ZERO_IV, sha1(input).subarray(0, 16))
      return new CMAC(prfKey).digest(input)
    },
  }
  return profile
}

/** aes128-cts-hmac-sha1-96 (17). */
export const aes128CtsHmacSha196: EncryptionProfile = makeProfile(
  AES,
  17,
  'aes128-cts-hmac-sha1-96',
  16,
  15,
)
/** aes256-cts-hmac-sha1-96 (18). */
export const aes256CtsHmacSha196: EncryptionProfile = makeProfile(
  AES,
  18,
  'aes256-cts-hmac-sha1-96',
  32,
  16,
)
/** camellia128-cts-cmac (25). */
export const camellia128CtsCmac: EncryptionProfile = makeProfile(
  CAMELLIA,
  25,
  'camellia128-cts-cmac',
  16,
  17,
)
/** camellia256-cts-cmac (26). */
export const camellia256CtsCmac: EncryptionProfile = makeProfile(
  CAMELLIA,
  26,
  'camellia256-cts-cmac',
  32,
  18,
)
