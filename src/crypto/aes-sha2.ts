/**
 * aes128-cts-hmac-sha256-128 (19) and aes256-cts-hmac-sha384-192 (20), RFC 8009.
 *
 * ciphertext = C | HMAC(Ki, iv | C) truncated, C = CTS(Ke, confounder | plaintext, iv = 0)
 *
 * @module
 */
import { constantTimeEqual, utf8 } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import type { CryptoBackend, PreparedCipher, PreparedMac } from './backend.js'
import { cached } from './cache.js'
import { ctsDecrypt, ctsEncryptPadded } from './cts.js'
import { kdfHmacSha2, usageConstant } from './kdf.js'
import {
  checkKey,
  checkUsage,
  concat,
  integrityError,
  iterationsFrom,
  type EncryptionProfile,
  type StringToKeyContext,
} from './profile.js'
import { sha2Primitives } from './pure-extras.js'

const ZERO_IV = new Uint8Array(16)
const DEFAULT_ITERATIONS = 32768

function makeProfile(
  etype: number,
  name: string,
  keyLength: number,
  hash: 'sha256' | 'sha384',
  macLength: number,
): EncryptionProfile {
  const kdf = (
    backend: CryptoBackend,
    key: Uint8Array,
    label: Uint8Array,
    bits: number,
  ): Uint8Array => kdfHmacSha2(backend, hash, key, label, bits)
  const usageKeys = (
    key: KerberosKey,
    usage: number,
    backend: CryptoBackend,
  ): { ke: PreparedCipher; ki: PreparedMac } =>
    cached(key, backend, `e${usage}`, () => ({
      ke: backend.aes(kdf(backend, key.bytes, usageConstant(usage, 0xaa), keyLength * 8)),
      // RFC 8009 §5: Ki and Kc are 128 bits for etype 19, 192 bits for etype 20.
      ki: backend.hmac(hash, kdf(backend, key.bytes, usageConstant(usage, 0x55), macLength * 8)),
    }))
  const mac = (m: PreparedMac, ...parts: Uint8Array[]): Uint8Array =>
    m.digest(...parts).subarray(0, macLength)

  const profile: EncryptionProfile = {
    etype,
    name,
    keyLength,
    keySeedLength: keyLength,
    checksumType: etype, // 19 and 20 are both the enctype and the checksum type numbers
    checksumLength: macLength,
    confounderLength: 16,
    overhead: 16 + macLength,
    prfLength: hash === 'sha256' ? 32 : 48,
    defaultParams: new Uint8Array([0, 0, 0x80, 0]),
    weak: false,
    purePrimitives: sha2Primitives,

    stringToKey(
      password: Uint8Array,
      salt: Uint8Array,
      params: Uint8Array | undefined,
      ctx: StringToKeyContext,
    ) {
      const iterations = iterationsFrom(
        params,
        DEFAULT_ITERATIONS,
        name,
        ctx.allowLowIterations,
        ctx.maxIterations,
      )
      // RFC 8009 §4: saltp = enctype-name | 0x00 | salt.
      const saltp = concat(utf8(name), new Uint8Array(1), salt)
      const tkey = ctx.backend.pbkdf2(hash, password, saltp, iterations, keyLength)
      return kdf(ctx.backend, tkey, utf8('kerberos'), keyLength * 8)
    },

    randomToKey(seed: Uint8Array) {
      if (seed.length !== keyLength)
        throw new RangeError(`expected ${keyLength} random octets, got ${seed.length}`)
      return seed.slice()
    },

    encrypt(key, usage, plaintext, confounder, ctx) {
      checkKey(profile, key)
      checkUsage(usage)
      const { ke, ki } = usageKeys(key, usage, ctx.backend)
      const n = 16 + plaintext.length
      const padded = new Uint8Array(Math.ceil(n / 16) * 16)
      padded.set(confounder)
      padded.set(plaintext, 16)
      const out = ctsEncryptPadded(ke, ZERO_IV, padded, n, macLength)
      out.set(mac(ki, ZERO_IV, out.subarray(0, n)), n)
      return out
    },

    decrypt(key, usage, ciphertext, ctx) {
      checkKey(profile, key)
      checkUsage(usage)
      if (ciphertext.length < 16 + macLength) throw integrityError()
      const { ke, ki } = usageKeys(key, usage, ctx.backend)
      const split = ciphertext.length - macLength
      const c = ciphertext.subarray(0, split)
      // Encrypt-then-MAC: check before decrypting.
      if (!constantTimeEqual(mac(ki, ZERO_IV, c), ciphertext.subarray(split)))
        throw integrityError()
      return ctsDecrypt(ke, ZERO_IV, c).subarray(16)
    },

    checksum(key, usage, data, ctx) {
      checkKey(profile, key)
      checkUsage(usage)
      const kc = cached(key, ctx.backend, `c${usage}`, () =>
        ctx.backend.hmac(
          hash,
          kdf(ctx.backend, key.bytes, usageConstant(usage, 0x99), macLength * 8),
        ),
      )
      return mac(kc, data).slice()
    },

    prf(key, input, ctx) {
      checkKey(profile, key)
      // RFC 8009 §5: PRF = KDF-HMAC-SHA2(base-key, "prf", 256 or 384 bits, input).
      return kdfHmacSha2(
        ctx.backend,
        hash,
        key.bytes,
        utf8('prf'),
        hash === 'sha256' ? 256 : 384,
        input,
      )
    },
  }
  return profile
}

/** aes128-cts-hmac-sha256-128 (19). */
export const aes128CtsHmacSha256128: EncryptionProfile = /* @__PURE__ */ makeProfile(
  19,
  'aes128-cts-hmac-sha256-128',
  16,
  'sha256',
  16,
)
/** aes256-cts-hmac-sha384-192 (20). */
export const aes256CtsHmacSha384192: EncryptionProfile = /* @__PURE__ */ makeProfile(
  20,
  'aes256-cts-hmac-sha384-192',
  32,
  'sha384',
  24,
)
