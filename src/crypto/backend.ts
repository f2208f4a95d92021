/**
 * The primitive layer under the Kerberos profiles: block ciphers in CBC mode, HMAC and PBKDF2.
 * A {@link CryptoBackend} supplies them; the pure one (noble + our own Camellia) runs everywhere,
 * the Node one (`kerberos-ts/node`) uses `node:crypto`. Both must give bit-identical results.
 *
 * @module
 */

/** Hash functions a backend must offer HMAC for. */
export type HashName = 'sha1' | 'sha256' | 'sha384' | 'md5'

/** Hash functions a backend must offer PBKDF2 for. */
export type PBKDF2Hash = 'sha1' | 'sha256' | 'sha384'

/**
 * A block cipher with its key schedule prepared once. Inputs are whole 16-octet blocks (no
 * padding); a single block with a zero IV is plain ECB. Results are fresh arrays.
 */
export interface PreparedCipher {
  /** Block size in octets (16 for AES and Camellia). */
  readonly blockSize: number
  /** CBC-encrypt whole blocks with `iv`. */
  encryptCBC(iv: Uint8Array, data: Uint8Array): Uint8Array
  /** CBC-decrypt whole blocks with `iv`. */
  decryptCBC(iv: Uint8Array, data: Uint8Array): Uint8Array
}

/** An HMAC with its key prepared once. */
export interface PreparedMac {
  /** Output length in octets. */
  readonly outputLength: number
  /** HMAC over the concatenation of `parts`. */
  digest(...parts: readonly Uint8Array[]): Uint8Array
}

/**
 * The synchronous primitives the Kerberos profiles are built from.
 *
 * @example
 * ```ts
 * import { setCryptoBackend } from 'kerberos-ts/crypto'
 * import { nodeBackend } from 'kerberos-ts/node'
 * setCryptoBackend(nodeBackend) // process-wide; or pass { backend } per call
 * ```
 */
export interface CryptoBackend {
  /** A short name for diagnostics and benchmarks (`'pure'`, `'node'`). */
  readonly name: string
  /** AES with a 16- or 32-octet key. */
  aes(key: Uint8Array): PreparedCipher
  /** Camellia (RFC 3713) with a 16- or 32-octet key. */
  camellia(key: Uint8Array): PreparedCipher
  /** HMAC keyed with `key`. */
  hmac(hash: HashName, key: Uint8Array): PreparedMac
  /** PBKDF2 (RFC 8018) with HMAC-`hash`. */
  pbkdf2(
    hash: PBKDF2Hash,
    password: Uint8Array,
    salt: Uint8Array,
    iterations: number,
    length: number,
  ): Uint8Array
  /**
   * Optional: the same PBKDF2 without blocking the caller's thread (the Node backend runs it on
   * libuv's thread pool). `stringToKeyAsync` and password logins await it when present and fall
   * back to {@link CryptoBackend.pbkdf2} otherwise. Must give the same bytes.
   */
  pbkdf2Async?(
    hash: PBKDF2Hash,
    password: Uint8Array,
    salt: Uint8Array,
    iterations: number,
    length: number,
  ): Promise<Uint8Array>
}
