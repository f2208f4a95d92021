/**
 * The pure-JavaScript backend: AES from ./aes.ts with the key schedules expanded once,
 * HMAC and PBKDF2 from @noble/hashes, Camellia from ./camellia.ts. Runs on every runtime.
 *
 * @module
 */
import { hmac } from '@noble/hashes/hmac.js'
import { md5, sha1 } from '@noble/hashes/legacy.js'
import { sha256, sha384 } from '@noble/hashes/sha2.js'
import type { CryptoBackend, HashName, PBKDF2Hash, PreparedCipher, PreparedMac } from './backend.js'
import { aesDecryptCBC, aesDecryptionKey, aesEncryptCBC, aesExpandKey } from './aes.js'
import { camelliaBlock, camelliaExpandKey, type CamelliaKey } from './camellia.js'
import { pbkdf2Fast } from './pbkdf2.js'
import { HmacSha1 } from './sha1.js'

const HASHES = { sha1, sha256, sha384, md5 } as const

/** Check whole blocks; CBC without padding cannot take anything else. */
function checkBlocks(iv: Uint8Array, data: Uint8Array): void {
  if (iv.length !== 16) throw new RangeError(`expected a 16-octet IV, got ${iv.length}`)
  if (data.length % 16 !== 0)
    throw new RangeError(`expected whole 16-octet blocks, got ${data.length} octets`)
}

/** AES-CBC over ./aes.ts; the key schedules are expanded on first use and then kept. */
class PureAES implements PreparedCipher {
  readonly blockSize = 16
  readonly #key: Uint8Array
  #enc: Int32Array | undefined
  #dec: Int32Array | undefined

  constructor(key: Uint8Array) {
    if (key.length !== 16 && key.length !== 32)
      throw new RangeError(`expected a 16- or 32-octet AES key, got ${key.length}`)
    this.#key = key.slice()
  }

  encryptCBC(iv: Uint8Array, data: Uint8Array): Uint8Array {
    checkBlocks(iv, data)
    return aesEncryptCBC((this.#enc ??= aesExpandKey(this.#key)), iv, data)
  }

  decryptCBC(iv: Uint8Array, data: Uint8Array): Uint8Array {
    checkBlocks(iv, data)
    this.#dec ??= aesDecryptionKey((this.#enc ??= aesExpandKey(this.#key)))
    return aesDecryptCBC(this.#dec, iv, data)
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
