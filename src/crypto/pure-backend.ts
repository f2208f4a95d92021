/**
 * The pure-JavaScript backend: AES from ./aes.ts with the key schedules expanded once, HMAC-SHA1
 * and PBKDF2-HMAC-SHA1 of our own (./sha1.ts, ./pbkdf2.ts). SHA-2, MD5 and Camellia
 * (./pure-extras.ts) are installed by the enctypes that need them when they are registered: all
 * of them by default, only what the application registers in a lean build (docs/bundling.md).
 * Runs on every runtime.
 *
 * @module
 */
import type { CryptoBackend, PBKDF2Hash, PreparedCipher, PreparedMac } from './backend.js'
import { aesDecryptCBC, aesDecryptionKey, aesEncryptCBC, aesExpandKey } from './aes.js'
import { pbkdf2Sha1 } from './pbkdf2.js'
import type { PurePrimitives } from './profile.js'
import { camelliaPrimitives, checkBlocks, md5Primitives, sha2Primitives } from './pure-extras.js'
import { HmacSha1 } from './sha1.js'

/** Set to `true` by a bundler's `define` for a lean build (docs/bundling.md); absent otherwise. */
declare const __KERBEROS_TS_LEAN__: boolean | undefined

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

type Pbkdf2Fn = (
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
) => Uint8Array

// HMAC-SHA1 (every aes-sha1 message) and PBKDF2-HMAC-SHA1 have their own allocation-free code.
const HMAC = new Map<string, (key: Uint8Array) => PreparedMac>([
  ['sha1', (key) => new HmacSha1(key)],
])
const PBKDF2 = new Map<string, Pbkdf2Fn>([['sha1', pbkdf2Sha1]])
let camellia: ((key: Uint8Array) => PreparedCipher) | undefined

/**
 * Install an enctype's primitives into the pure backend (done by `registerEnctypes`). Only
 * what is missing is added: a primitive once installed (SHA-1 from the start) is never replaced.
 */
export function installPurePrimitives(p: PurePrimitives): void {
  for (const [table, add] of [
    [HMAC, p.hmac],
    [PBKDF2, p.pbkdf2],
  ] as const) {
    for (const [name, f] of Object.entries(add ?? {})) {
      if (typeof f === 'function' && !table.has(name)) table.set(name, f)
    }
  }
  if (camellia === undefined && typeof p.camellia === 'function') camellia = p.camellia
}

// The default: every primitive. A lean build (the bundler defines __KERBEROS_TS_LEAN__ as true)
// drops this branch and with it SHA-2, MD5 and Camellia unless a registered enctype brings them.
for (const p of typeof __KERBEROS_TS_LEAN__ !== 'undefined' && __KERBEROS_TS_LEAN__
  ? []
  : [sha2Primitives, md5Primitives, camelliaPrimitives]) {
  installPurePrimitives(p)
}

function missing(what: string): TypeError {
  return new TypeError(
    `the pure crypto backend has no ${what} in this build: register the enctype that needs it (registerEnctypes, see docs/bundling.md)`,
  )
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
  camellia(key) {
    if (camellia === undefined) throw missing('Camellia')
    return camellia(key)
  },
  hmac(hash, key) {
    const make = HMAC.get(hash)
    if (make === undefined) {
      if (hash === 'sha256' || hash === 'sha384' || hash === 'md5') throw missing(`HMAC-${hash}`)
      throw new TypeError(`unsupported HMAC hash ${String(hash)}`)
    }
    return make(key)
  },
  pbkdf2(hash: PBKDF2Hash, password, salt, iterations, length) {
    if (!Number.isSafeInteger(iterations) || iterations < 1) {
      throw new RangeError(`expected iterations >= 1, got ${iterations}`)
    }
    if (!Number.isSafeInteger(length) || length < 1)
      throw new RangeError(`expected a PBKDF2 length >= 1, got ${length}`)
    const run = PBKDF2.get(hash)
    if (run === undefined) {
      if (hash === 'sha256' || hash === 'sha384') throw missing(`PBKDF2-HMAC-${hash}`)
      throw new TypeError(`unsupported PBKDF2 hash ${String(hash)}`)
    }
    return run(password, salt, iterations, length)
  },
}
