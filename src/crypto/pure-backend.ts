/**
 * The pure-JavaScript backend: AES from @noble/ciphers with the key schedule expanded once,
 * HMAC and PBKDF2 from @noble/hashes, Camellia from ./camellia.ts. Runs on every runtime.
 *
 * @module
 */
import { cbc, unsafe } from '@noble/ciphers/aes.js'
import { hmac } from '@noble/hashes/hmac.js'
import { md5, sha1 } from '@noble/hashes/legacy.js'
import { sha256, sha384 } from '@noble/hashes/sha2.js'
import type { CryptoBackend, HashName, PBKDF2Hash, PreparedCipher, PreparedMac } from './backend.js'
import { camelliaBlock, camelliaExpandKey, type CamelliaKey } from './camellia.js'
import { pbkdf2Fast } from './pbkdf2.js'
import { HmacSha1 } from './sha1.js'

const HASHES = { sha1, sha256, sha384, md5 } as const
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** Check whole blocks; CBC without padding cannot take anything else. */
function checkBlocks(iv: Uint8Array, data: Uint8Array): void {
  if (iv.length !== 16) throw new RangeError(`expected a 16-octet IV, got ${iv.length}`)
  if (data.length % 16 !== 0)
    throw new RangeError(`expected whole 16-octet blocks, got ${data.length} octets`)
}

const readLE = (b: Uint8Array, o: number): number =>
  b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)

/** AES-CBC over noble's table implementation, reusing the expanded keys for every call. */
class PureAES implements PreparedCipher {
  readonly blockSize = 16
  readonly #key: Uint8Array
  readonly #enc: Uint32Array
  #dec: Uint32Array | undefined

  constructor(key: Uint8Array) {
    if (key.length !== 16 && key.length !== 32)
      throw new RangeError(`expected a 16- or 32-octet AES key, got ${key.length}`)
    this.#key = key.slice()
    this.#enc = unsafe.expandKeyLE(this.#key)
  }

  encryptCBC(iv: Uint8Array, data: Uint8Array): Uint8Array {
    checkBlocks(iv, data)
    if (!LITTLE_ENDIAN) return cbc(this.#key, iv, { disablePadding: true }).encrypt(data)
    const out = data.slice()
    const w = new Uint32Array(out.buffer, out.byteOffset, out.length >>> 2)
    const xk = this.#enc
    let p0 = readLE(iv, 0)
    let p1 = readLE(iv, 4)
    let p2 = readLE(iv, 8)
    let p3 = readLE(iv, 12)
    for (let i = 0; i < w.length; i += 4) {
      const r = unsafe.encrypt(xk, w[i]! ^ p0, w[i + 1]! ^ p1, w[i + 2]! ^ p2, w[i + 3]! ^ p3)
      w[i] = p0 = r.s0
      w[i + 1] = p1 = r.s1
      w[i + 2] = p2 = r.s2
      w[i + 3] = p3 = r.s3
    }
    return out
  }

  decryptCBC(iv: Uint8Array, data: Uint8Array): Uint8Array {
    checkBlocks(iv, data)
    if (!LITTLE_ENDIAN) return cbc(this.#key, iv, { disablePadding: true }).decrypt(data)
    const xk = (this.#dec ??= unsafe.expandKeyDecLE(this.#key))
    const out = data.slice()
    const w = new Uint32Array(out.buffer, out.byteOffset, out.length >>> 2)
    let p0 = readLE(iv, 0)
    let p1 = readLE(iv, 4)
    let p2 = readLE(iv, 8)
    let p3 = readLE(iv, 12)
    for (let i = 0; i < w.length; i += 4) {
      const c0 = w[i]!
      const c1 = w[i + 1]!
      const c2 = w[i + 2]!
      const c3 = w[i + 3]!
      const r = unsafe.decrypt(xk, c0, c1, c2, c3)
      w[i] = r.s0 ^ p0
      w[i + 1] = r.s1 ^ p1
      w[i + 2] = r.s2 ^ p2
      w[i + 3] = r.s3 ^ p3
      p0 = c0
      p1 = c1
      p2 = c2
      p3 = c3
    }
    return out
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

/** HMAC with the inner and outer states computed once per key. */
class PureMac implements PreparedMac {
  readonly outputLength: number
  readonly #base: ReturnType<typeof hmac.create>

  constructor(hash: HashName, key: Uint8Array) {
    const h = HASHES[hash]
    if (h === undefined) throw new TypeError(`unsupported HMAC hash ${String(hash)}`)
    this.#base = hmac.create(h, key)
    this.outputLength = h.outputLen
  }

  digest(...parts: readonly Uint8Array[]): Uint8Array {
    const h = this.#base.clone()
    for (const p of parts) h.update(p)
    return h.digest()
  }
}

/**
 * The default backend: pure JavaScript, identical results on every runtime.
 *
 * @example
 * ```ts
 * import { pureBackend, encrypt } from 'kerberos-ts/crypto'
 * encrypt(key, 2, data, { backend: pureBackend })
 * ```
 */
export const pureBackend: CryptoBackend = {
  name: 'pure',
  aes: (key) => new PureAES(key),
  camellia: (key) => new PureCamellia(key),
  // HMAC-SHA1 (every aes-sha1 message) has its own allocation-free implementation.
  hmac: (hash, key) => (hash === 'sha1' ? new HmacSha1(key) : new PureMac(hash, key)),
  pbkdf2: (hash: PBKDF2Hash, password, salt, iterations, length) =>
    pbkdf2Fast(HASHES[hash], password, salt, iterations, length),
}
