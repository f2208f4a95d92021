/**
 * arcfour-hmac (23) and arcfour-hmac-exp (24), RFC 4757, as MIT krb5 does them. Weak: the
 * free functions refuse these unless the caller passes `allowWeak: true`.
 *
 * ciphertext = HMAC-MD5(K2, confounder | plaintext) | RC4(K3, confounder | plaintext)
 *
 * @module
 */
import { constantTimeEqual, fromUtf8, utf8 } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import type { CryptoBackend } from './backend.js'
import { cached } from './cache.js'
import { md4 } from './md4.js'
import { md5 } from './md5.js'
import { checkKey, checkUsage, concat, integrityError, type EncryptionProfile } from './profile.js'
import { md5Primitives } from './pure-extras.js'
import { rc4 } from './rc4.js'
import { HmacSha1 } from './sha1.js'

/** RFC 4757 §3 key-usage translation as MIT does it: 3 → 8 and 23 → 13, the rest unchanged. */
export function arcfourUsage(usage: number): number {
  if (usage === 3) return 8
  if (usage === 23) return 13
  return usage
}

const le32 = (n: number): Uint8Array =>
  new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff])

/** UTF-16LE code units of a JS string (surrogate pairs stay as two units, as Windows does). */
function utf16le(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 2)
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    out[2 * i] = c & 0xff
    out[2 * i + 1] = c >>> 8
  }
  return out
}

/**
 * The NT hash: MD4(UTF-16LE(password)) — RFC 4757 §2 string-to-key. `password` bytes are read
 * as UTF-8 first.
 */
export function ntHash(password: Uint8Array): Uint8Array {
  return md4(utf16le(fromUtf8(password)))
}

const FORTYBITS = utf8('fortybits\0')
const SIGNATURE_KEY = utf8('signaturekey\0')

/** An arcfour profile, which also computes RFC 4757's checksums (-138, -137) for ./checksum.ts. */
export interface ArcfourProfile extends EncryptionProfile {
  readonly hmacMd5Arcfour: typeof hmacMd5Arcfour
}

function makeProfile(etype: number, name: string, exportable: boolean): ArcfourProfile {
  const hmacMd5 = (backend: CryptoBackend, key: Uint8Array, ...data: Uint8Array[]): Uint8Array =>
    backend.hmac('md5', key).digest(...data)

  /** K1 (for K3) and K2 (for the checksum), RFC 4757 §5; cached per (key, backend, usage). */
  function usageKeys(
    backend: CryptoBackend,
    key: KerberosKey,
    usage: number,
  ): { k1: Uint8Array; k2: Uint8Array } {
    return cached(key, backend, `e${usage}`, () => {
      const t = le32(arcfourUsage(usage))
      const k2 = hmacMd5(backend, key.bytes, exportable ? concat(FORTYBITS, t) : t)
      const k1 = k2.slice()
      // The exportable variant keeps only 40 bits of the RC4 key.
      if (exportable) k1.fill(0xab, 7, 16)
      return { k1, k2 }
    })
  }

  const profile: ArcfourProfile = {
    etype,
    name,
    keyLength: 16,
    keySeedLength: 16,
    checksumType: -138,
    checksumLength: 16,
    confounderLength: 8,
    overhead: 24,
    prfLength: 20,
    defaultParams: null,
    weak: true,
    purePrimitives: md5Primitives,
    hmacMd5Arcfour,

    stringToKey(password: Uint8Array) {
      // Salt and s2kparams play no part (RFC 4757 §2).
      return ntHash(password)
    },

    randomToKey(seed: Uint8Array) {
      if (seed.length !== 16) throw new RangeError(`expected 16 random octets, got ${seed.length}`)
      return seed.slice()
    },

    encrypt(key, usage, plaintext, confounder, ctx) {
      checkKey(profile, key)
      checkUsage(usage)
      const { k1, k2 } = usageKeys(ctx.backend, key, usage)
      const data = concat(confounder, plaintext)
      const checksum = hmacMd5(ctx.backend, k2, data)
      const k3 = hmacMd5(ctx.backend, k1, checksum)
      return concat(checksum, rc4(k3, data))
    },

    decrypt(key, usage, ciphertext, ctx) {
      checkKey(profile, key)
      checkUsage(usage)
      if (ciphertext.length < 24) throw integrityError()
      const { k1, k2 } = usageKeys(ctx.backend, key, usage)
      const checksum = ciphertext.subarray(0, 16)
      const k3 = hmacMd5(ctx.backend, k1, checksum)
      const data = rc4(k3, ciphertext.subarray(16))
      if (!constantTimeEqual(hmacMd5(ctx.backend, k2, data), checksum)) throw integrityError()
      return data.slice(8)
    },

    checksum(key, usage, data, ctx) {
      checkKey(profile, key)
      checkUsage(usage)
      return hmacMd5Arcfour(ctx.backend, key.bytes, usage, data)
    },

    prf(key, input) {
      checkKey(profile, key)
      // MIT krb5: the arcfour PRF is HMAC-SHA1(key, input).
      return new HmacSha1(key.bytes).digest(input)
    },
  }
  return profile
}

/**
 * hmac-md5-arcfour checksum (-138), RFC 4757 §4:
 * HMAC-MD5(Ks, MD5(usage (LE) | data)) with Ks = HMAC-MD5(key, "signaturekey\0"); for
 * md5-hmac-arcfour (-137, `signingKey: false`) Ks is the key itself, as MIT does it.
 */
export function hmacMd5Arcfour(
  backend: CryptoBackend,
  key: Uint8Array,
  usage: number,
  data: Uint8Array,
  signingKey = true,
): Uint8Array {
  const ksign = signingKey ? backend.hmac('md5', key).digest(SIGNATURE_KEY) : key
  const tmp = md5(concat(le32(arcfourUsage(usage)), data))
  return backend.hmac('md5', ksign).digest(tmp)
}

/** arcfour-hmac (23). */
export const arcfourHmac: EncryptionProfile = /* @__PURE__ */ makeProfile(23, 'arcfour-hmac', false)
/** arcfour-hmac-exp (24). */
export const arcfourHmacExp: EncryptionProfile = /* @__PURE__ */ makeProfile(
  24,
  'arcfour-hmac-exp',
  true,
)
