/**
 * The native Node.js crypto backend: OpenSSL through `node:crypto` for AES-CBC, Camellia-CBC
 * (when OpenSSL offers it; otherwise the pure Camellia), HMAC and PBKDF2. Bit-identical to
 * `pureBackend`, several times faster for string-to-key and bulk decryption.
 *
 * @module
 */
import {
  type Cipher,
  type Decipher,
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  getCiphers,
  pbkdf2 as pbkdf2Callback,
  pbkdf2Sync,
  type KeyObject,
} from 'node:crypto'
import type {
  CryptoBackend,
  HashName,
  PBKDF2Hash,
  PreparedCipher,
  PreparedMac,
} from '../crypto/backend.js'
import { aesDecryptCBC, aesDecryptionKey, aesEncryptCBC, aesExpandKey } from '../crypto/aes.js'
import { pureBackend } from '../crypto/pure-backend.js'
import { setCryptoBackend } from '../crypto/registry.js'
import { HmacSha1 } from '../crypto/sha1.js'

/** A Buffer result seen as a plain Uint8Array (same memory, no copy). */
const plain = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

const ZERO_IV = new Uint8Array(16)

const OUTPUT_LENGTH: Readonly<Record<HashName, number>> = {
  sha1: 20,
  sha256: 32,
  sha384: 48,
  md5: 16,
}

function checkBlocks(iv: Uint8Array, data: Uint8Array): void {
  if (iv.length !== 16) throw new RangeError(`expected a 16-octet IV, got ${iv.length}`)
  if (data.length % 16 !== 0)
    throw new RangeError(`expected whole 16-octet blocks, got ${data.length} octets`)
}

/**
 * Below these sizes a prepared key runs on the pure backend: creating an OpenSSL context (and the
 * KeyObject under it) costs more than encrypting a few blocks in JavaScript, and most keys an
 * acceptor sees are session keys used for one short authenticator and one AP-REP. A key switches
 * to OpenSSL for a message of {@link NATIVE_MESSAGE} octets or more, or once it has processed
 * {@link NATIVE_TOTAL} octets.
 */
const NATIVE_MESSAGE = 512
const NATIVE_TOTAL = 4096
/** HMAC-SHA1 inputs below this many octets use the pure (precomputed-state) implementation. */
const NATIVE_HMAC_SHA1 = 768

/**
 * CBC without padding through OpenSSL. Creating an OpenSSL context costs more than encrypting a
 * kilobyte, so each prepared key keeps one long-lived encryption and one decryption context and
 * never finalises them. CBC carries the last ciphertext block forward as its chaining value; a
 * call with a fresh `iv` cancels it out: encryption XORs (chain ⊕ iv) into the first plaintext
 * block, decryption XORs it into the first output block. Young keys and short messages go to the
 * pure backend instead (see {@link NATIVE_MESSAGE}); both give the same bytes.
 */
class NodeCipher implements PreparedCipher {
  readonly blockSize = 16
  readonly #family: 'aes' | 'camellia'
  readonly #raw: Uint8Array
  #key: KeyObject | undefined
  // The pure path: AES schedules from ../crypto/aes.ts (no second key copy), or pure Camellia.
  #encSchedule: Int32Array | undefined
  #decSchedule: Int32Array | undefined
  #camellia: PreparedCipher | undefined
  #processed = 0
  #enc: Cipher | undefined
  #dec: Decipher | undefined
  #encChain: Uint8Array | undefined
  #decChain: Uint8Array | undefined

  constructor(family: 'aes' | 'camellia', key: Uint8Array) {
    if (key.length !== 16 && key.length !== 32) {
      throw new RangeError(
        `expected a 16- or 32-octet ${family === 'aes' ? 'AES' : 'Camellia'} key, got ${key.length}`,
      )
    }
    this.#family = family
    this.#raw = key.slice()
  }

  /** True when this call should run in JavaScript (young key and short message, or 1–2 blocks). */
  #small(length: number): boolean {
    // One or two blocks (key derivation, the CTS tail) cost less in JavaScript than one call
    // into OpenSSL, whatever the key's age.
    if (length <= 32) return true
    if (length >= NATIVE_MESSAGE || this.#processed >= NATIVE_TOTAL) return false
    this.#processed += length
    return true
  }

  #algorithm(): string {
    return this.#family === 'aes'
      ? this.#raw.length === 16
        ? 'aes-128-cbc'
        : 'aes-256-cbc'
      : this.#raw.length === 16
        ? 'camellia-128-cbc'
        : 'camellia-256-cbc'
  }

  #keyObject(): KeyObject {
    return (this.#key ??= createSecretKey(this.#raw))
  }

  encryptCBC(iv: Uint8Array, data: Uint8Array): Uint8Array {
    checkBlocks(iv, data)
    if (data.length === 0) return new Uint8Array(0)
    if (this.#small(data.length)) {
      if (this.#family !== 'aes')
        return (this.#camellia ??= pureBackend.camellia(this.#raw)).encryptCBC(iv, data)
      return aesEncryptCBC((this.#encSchedule ??= aesExpandKey(this.#raw)), iv, data)
    }
    const chain = (this.#encChain ??= new Uint8Array(16))
    const input = data.slice()
    for (let i = 0; i < 16; i++) input[i]! ^= chain[i]! ^ iv[i]!
    try {
      this.#enc ??= createCipheriv(this.#algorithm(), this.#keyObject(), ZERO_IV).setAutoPadding(
        false,
      )
      const out = plain(this.#enc.update(input))
      if (out.length !== data.length) throw new Error('OpenSSL held back output')
      chain.set(out.subarray(out.length - 16))
      return out
    } catch (err) {
      this.#enc = undefined
      chain.fill(0)
      throw err
    }
  }

  decryptCBC(iv: Uint8Array, data: Uint8Array): Uint8Array {
    checkBlocks(iv, data)
    if (data.length === 0) return new Uint8Array(0)
    if (this.#small(data.length)) {
      if (this.#family !== 'aes')
        return (this.#camellia ??= pureBackend.camellia(this.#raw)).decryptCBC(iv, data)
      this.#decSchedule ??= aesDecryptionKey((this.#encSchedule ??= aesExpandKey(this.#raw)))
      return aesDecryptCBC(this.#decSchedule, iv, data)
    }
    const chain = (this.#decChain ??= new Uint8Array(16))
    try {
      this.#dec ??= createDecipheriv(this.#algorithm(), this.#keyObject(), ZERO_IV).setAutoPadding(
        false,
      )
      const out = plain(this.#dec.update(data))
      if (out.length !== data.length) throw new Error('OpenSSL held back output')
      for (let i = 0; i < 16; i++) out[i]! ^= chain[i]! ^ iv[i]!
      chain.set(data.subarray(data.length - 16))
      return out
    } catch (err) {
      this.#dec = undefined
      chain.fill(0)
      throw err
    }
  }
}

class NodeMac implements PreparedMac {
  readonly outputLength: number
  readonly #hash: HashName
  readonly #raw: Uint8Array
  #key: KeyObject | Uint8Array | undefined
  #pure: HmacSha1 | undefined

  constructor(hash: HashName, key: Uint8Array) {
    if (!(hash in OUTPUT_LENGTH)) throw new TypeError(`unsupported HMAC hash ${String(hash)}`)
    this.#hash = hash
    this.#raw = key.slice()
    this.outputLength = OUTPUT_LENGTH[hash]
  }

  digest(...parts: readonly Uint8Array[]): Uint8Array {
    if (this.#hash === 'sha1') {
      let n = 0
      for (let i = 0; i < parts.length; i++) n += parts[i]!.length
      if (n < NATIVE_HMAC_SHA1) return (this.#pure ??= new HmacSha1(this.#raw)).digestParts(parts)
    }
    // createSecretKey refuses empty keys; HMAC allows them.
    this.#key ??= this.#raw.length === 0 ? this.#raw : createSecretKey(this.#raw)
    const h = createHmac(this.#hash, this.#key)
    for (const p of parts) h.update(p)
    return plain(h.digest())
  }
}

let camelliaNative: boolean | undefined
function hasNativeCamellia(): boolean {
  return (camelliaNative ??=
    getCiphers().includes('camellia-128-cbc') && getCiphers().includes('camellia-256-cbc'))
}

/**
 * The `node:crypto` backend.
 *
 * @example
 * ```ts
 * import { nodeBackend } from 'kerberos-ts/node'
 * import { stringToKey } from 'kerberos-ts/crypto'
 * stringToKey(18, 'password', 'EXAMPLE.COMalice', { backend: nodeBackend })
 * ```
 */
export const nodeBackend: CryptoBackend = {
  name: 'node',
  aes: (key) => new NodeCipher('aes', key),
  camellia: (key) =>
    hasNativeCamellia() ? new NodeCipher('camellia', key) : pureBackend.camellia(key),
  hmac: (hash, key) => new NodeMac(hash, key),
  pbkdf2: (hash: PBKDF2Hash, password, salt, iterations, length) => {
    if (!Number.isSafeInteger(iterations) || iterations < 1)
      throw new RangeError(`expected iterations >= 1, got ${iterations}`)
    return plain(pbkdf2Sync(password, salt, iterations, length, hash))
  },
  // On libuv's thread pool: a password login's PBKDF2 never blocks the event loop.
  pbkdf2Async: (hash: PBKDF2Hash, password, salt, iterations, length) => {
    if (!Number.isSafeInteger(iterations) || iterations < 1)
      return Promise.reject(new RangeError(`expected iterations >= 1, got ${iterations}`))
    return new Promise((resolve, reject) => {
      pbkdf2Callback(password, salt, iterations, length, hash, (err, key) => {
        if (err !== null) reject(err)
        else resolve(plain(key))
      })
    })
  },
}

/**
 * Make {@link nodeBackend} the process-wide default.
 *
 * @example
 * ```ts
 * useNodeCrypto()
 * ```
 */
export function useNodeCrypto(): void {
  setCryptoBackend(nodeBackend)
}
