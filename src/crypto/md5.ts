/**
 * MD5 (RFC 1321), for the RFC 4121 channel-binding hash and the unkeyed rsa-md5 checksum: a
 * small implementation of our own, so the acceptor path carries no hash library for it. MD5 is
 * broken; it is used only where the protocol demands it.
 *
 * @module
 */

import { digestLE } from './md-le.js'

/** RFC 1321 §3.4: T[i] = floor(2^32 · |sin(i + 1)|). */
const T = Int32Array.from([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
])

/** Per-round rotation amounts (RFC 1321 §3.4), four per round. */
const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]

function md5Block(st: Int32Array, x: Int32Array): void {
  let a = st[0]!
  let b = st[1]!
  let c = st[2]!
  let d = st[3]!
  for (let i = 0; i < 64; i++) {
    const round = i >> 4
    let f: number
    let g: number
    if (round === 0) {
      f = (b & c) | (~b & d)
      g = i
    } else if (round === 1) {
      f = (d & b) | (~d & c)
      g = (5 * i + 1) & 15
    } else if (round === 2) {
      f = b ^ c ^ d
      g = (3 * i + 5) & 15
    } else {
      f = c ^ (b | ~d)
      g = (7 * i) & 15
    }
    const s = S[(round << 2) | (i & 3)]!
    const sum = (a + f + T[i]! + x[g]!) | 0
    a = d
    d = c
    c = b
    b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0
  }
  st[0] = (st[0]! + a) | 0
  st[1] = (st[1]! + b) | 0
  st[2] = (st[2]! + c) | 0
  st[3] = (st[3]! + d) | 0
}

/**
 * MD5 digest of `data` (16 octets).
 *
 * @example
 * ```ts
 * toHex(md5(utf8('abc'))) // '900150983cd24fb0d6963f7d28e17f72'
 * ```
 */
export function md5(data: Uint8Array): Uint8Array {
  return digestLE(data, md5Block)
}

/** HMAC-MD5 (RFC 2104) over {@link md5}, for arcfour-hmac (RFC 4757). */
export class HmacMd5 {
  /** Output length in octets. */
  readonly outputLength: number = 16
  readonly #inner: Uint8Array
  readonly #outer: Uint8Array

  constructor(key: Uint8Array) {
    const k = key.length > 64 ? md5(key) : key
    this.#inner = new Uint8Array(64).fill(0x36)
    this.#outer = new Uint8Array(64).fill(0x5c)
    for (let i = 0; i < k.length; i++) {
      this.#inner[i]! ^= k[i]!
      this.#outer[i]! ^= k[i]!
    }
  }

  /** HMAC over the concatenation of `parts`; a fresh 16-octet array. */
  digest(...parts: readonly Uint8Array[]): Uint8Array {
    let n = 64
    for (const p of parts) n += p.length
    const inner = new Uint8Array(n)
    inner.set(this.#inner)
    let at = 64
    for (const p of parts) {
      inner.set(p, at)
      at += p.length
    }
    const outer = new Uint8Array(80)
    outer.set(this.#outer)
    outer.set(md5(inner), 64)
    return md5(outer)
  }
}
