/**
 * Key derivation: DR/DK of RFC 3961 §5.1, KDF-HMAC-SHA2 of RFC 8009 §3, the CMAC feedback KDF of
 * RFC 6803 §3, and CMAC itself (NIST SP 800-38B) over a prepared 128-bit block cipher.
 *
 * @module
 */
import type { CryptoBackend, HashName, PreparedCipher } from './backend.js'
import { nfold } from './nfold.js'

const ZERO_IV = new Uint8Array(16)
const DR_SCRATCH = new Uint8Array(32)
const DR_ONE = DR_SCRATCH.subarray(0, 16)
const DR_TWO = DR_SCRATCH

/** Four octets, big-endian. */
export function be32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff])
}

/** The RFC 3961 §5.3 usage constant: usage (4 octets, big-endian) || 0x99 (Kc), 0xAA (Ke), 0x55 (Ki). */
export function usageConstant(usage: number, kind: 0x99 | 0xaa | 0x55): Uint8Array {
  const c = new Uint8Array(5)
  c.set(be32(usage))
  c[4] = kind
  return c
}

/**
 * DR(Key, Constant) of RFC 3961 §5.1: encrypt n-fold(constant) with the base key, then keep
 * encrypting the previous output, until `length` octets. For AES and the simplified profile the
 * "E" of one block is CBC with a zero IV (plain ECB). Random-to-key is the identity, so DK = DR.
 */
export function dr(base: PreparedCipher, constant: Uint8Array, length: number): Uint8Array {
  const first = constant.length === 16 ? constant : nfold(constant, 16)
  const blocks = Math.ceil(length / 16)
  // E(c), E(E(c)), ... is CBC with a zero IV over c followed by zero blocks: one cipher call.
  // The usual one or two blocks come from a scratch array (inputs are not retained by ciphers).
  const input = blocks === 1 ? DR_ONE : blocks === 2 ? DR_TWO : new Uint8Array(blocks * 16)
  input.set(first)
  input.fill(0, 16)
  const stream = base.encryptCBC(ZERO_IV, input)
  // A backend that (against the contract) encrypted in place must not see its result zeroed.
  const out =
    stream.length === length && stream.buffer !== DR_SCRATCH.buffer
      ? stream
      : stream.slice(0, length)
  input.fill(0)
  return out
}

/**
 * KDF-HMAC-SHA2(key, label, k) of RFC 8009 §3 (with an optional context, as the PRF uses):
 * the first `bits` bits of HMAC(key, 0x00000001 | label | 0x00 | context | k).
 */
export function kdfHmacSha2(
  backend: CryptoBackend,
  hash: HashName,
  key: Uint8Array,
  label: Uint8Array,
  bits: number,
  context: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const mac = backend.hmac(hash, key).digest(be32(1), label, new Uint8Array(1), context, be32(bits))
  return mac.subarray(0, bits / 8).slice()
}

function dbl(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(16)
  for (let i = 0; i < 15; i++) out[i] = ((b[i]! << 1) | (b[i + 1]! >>> 7)) & 0xff
  out[15] = ((b[15]! << 1) & 0xff) ^ (b[0]! & 0x80 ? 0x87 : 0)
  return out
}

/** CMAC (NIST SP 800-38B) with a prepared 128-bit cipher; subkeys computed once. */
export class CMAC {
  readonly #cipher: PreparedCipher
  readonly #k1: Uint8Array
  readonly #k2: Uint8Array

  constructor(cipher: PreparedCipher) {
    this.#cipher = cipher
    this.#k1 = dbl(cipher.encryptCBC(ZERO_IV, new Uint8Array(16)))
    this.#k2 = dbl(this.#k1)
  }

  /** The 16-octet tag over the concatenation of `parts`. */
  digest(...parts: readonly Uint8Array[]): Uint8Array {
    const len = parts.reduce((n, p) => n + p.length, 0)
    const complete = len > 0 && len % 16 === 0
    const m = new Uint8Array(complete ? len : (Math.floor(len / 16) + 1) * 16)
    let at = 0
    for (const p of parts) {
      m.set(p, at)
      at += p.length
    }
    if (!complete) m[len] = 0x80
    const sub = complete ? this.#k1 : this.#k2
    for (let i = 0; i < 16; i++) m[m.length - 16 + i]! ^= sub[i]!
    const c = this.#cipher.encryptCBC(ZERO_IV, m)
    return c.slice(c.length - 16)
  }
}

/**
 * KDF-FEEDBACK-CMAC of RFC 6803 §3 (SP 800-108 feedback mode, K(0) = one zero block):
 * K(i) = CMAC(key, K(i-1) | i | constant | 0x00 | k), DR = the first k bits of K(1) | K(2) | ...
 */
export function kdfFeedbackCmac(
  base: PreparedCipher,
  constant: Uint8Array,
  bits: number,
): Uint8Array {
  const mac = new CMAC(base)
  const out = new Uint8Array(bits / 8)
  let prev: Uint8Array = new Uint8Array(16)
  for (let i = 1, at = 0; at < out.length; i++, at += 16) {
    prev = mac.digest(prev, be32(i), constant, new Uint8Array(1), be32(bits))
    out.set(prev.subarray(0, Math.min(16, out.length - at)), at)
  }
  return out
}
