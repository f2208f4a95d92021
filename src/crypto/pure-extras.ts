/**
 * The pure backend's primitives beyond AES and SHA-1: HMAC and PBKDF2 with SHA-256/384
 * (aes-sha2, RFC 8009), HMAC-MD5 (rc4-hmac, RFC 4757) and Camellia (RFC 6803). Each enctype
 * profile names the set it needs (`purePrimitives`) and registering the enctype installs it, so
 * a bundle with only aes-sha1 registered carries none of this.
 *
 * @module
 */
import { hmac } from '@noble/hashes/hmac.js'
import { pbkdf2 } from '@noble/hashes/pbkdf2.js'
import { sha256, sha384 } from '@noble/hashes/sha2.js'
import type { CHash } from '@noble/hashes/utils.js'
import type { PreparedCipher, PreparedMac } from './backend.js'
import { camelliaBlock, camelliaExpandKey, type CamelliaKey } from './camellia.js'
import { HmacMd5 } from './md5.js'
import { pbkdf2Sha256 } from './pbkdf2.js'
import type { PurePrimitives } from './profile.js'

/** Check whole blocks; CBC without padding cannot take anything else. */
export function checkBlocks(iv: Uint8Array, data: Uint8Array): void {
  if (iv.length !== 16) throw new RangeError(`expected a 16-octet IV, got ${iv.length}`)
  if (data.length % 16 !== 0)
    throw new RangeError(`expected whole 16-octet blocks, got ${data.length} octets`)
}

/** HMAC (@noble/hashes) with the inner and outer states computed once per key. */
class NobleMac implements PreparedMac {
  readonly outputLength: number
  readonly #base: ReturnType<typeof hmac.create>

  constructor(h: CHash, key: Uint8Array) {
    this.#base = hmac.create(h, key)
    this.outputLength = h.outputLen
  }

  digest(...parts: readonly Uint8Array[]): Uint8Array {
    const h = this.#base.clone()
    for (const p of parts) h.update(p)
    return h.digest()
  }
}

/** Camellia-CBC over ./camellia.ts (big-endian words). */
class PureCamellia implements PreparedCipher {
  readonly blockSize = 16
  readonly #key: CamelliaKey

  constructor(key: Uint8Array) {
    this.#key = camelliaExpandKey(key)
  }

  encryptCBC(iv: Uint8Array, data: Uint8Array): Uint8Array {
    return this.#run(iv, data, false)
  }

  decryptCBC(iv: Uint8Array, data: Uint8Array): Uint8Array {
    return this.#run(iv, data, true)
  }

  #run(iv: Uint8Array, data: Uint8Array, decrypt: boolean): Uint8Array {
    checkBlocks(iv, data)
    const out = new Uint8Array(data.length)
    const dv = new DataView(data.buffer, data.byteOffset, data.length)
    const ov = new DataView(out.buffer)
    const ivv = new DataView(iv.buffer, iv.byteOffset, 16)
    const prev = new Int32Array([
      ivv.getInt32(0),
      ivv.getInt32(4),
      ivv.getInt32(8),
      ivv.getInt32(12),
    ])
    const s = new Int32Array(4)
    const sched = decrypt ? this.#key.dec : this.#key.enc
    for (let off = 0; off < data.length; off += 16) {
      for (let i = 0; i < 4; i++) s[i] = dv.getInt32(off + 4 * i) ^ (decrypt ? 0 : prev[i]!)
      camelliaBlock(sched, s)
      for (let i = 0; i < 4; i++) {
        const c = dv.getInt32(off + 4 * i)
        if (decrypt) {
          ov.setInt32(off + 4 * i, s[i]! ^ prev[i]!)
          prev[i] = c
        } else {
          ov.setInt32(off + 4 * i, s[i]!)
          prev[i] = s[i]!
        }
      }
    }
    return out
  }
}

/** HMAC-SHA-256/384 and PBKDF2 with them (aes128-cts-hmac-sha256-128, aes256-cts-hmac-sha384-192). */
export const sha2Primitives: PurePrimitives = {
  hmac: {
    sha256: (key) => new NobleMac(sha256, key),
    sha384: (key) => new NobleMac(sha384, key),
  },
  pbkdf2: {
    sha256: pbkdf2Sha256,
    sha384: (password, salt, c, dkLen) => pbkdf2(sha384, password, salt, { c, dkLen }),
  },
}

/** HMAC-MD5 (arcfour-hmac). */
export const md5Primitives: PurePrimitives = {
  hmac: { md5: (key) => new HmacMd5(key) },
}

/** Camellia (camellia*-cts-cmac). */
export const camelliaPrimitives: PurePrimitives = {
  camellia: (key) => new PureCamellia(key),
}
