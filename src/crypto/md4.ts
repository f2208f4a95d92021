/**
 * MD4 (RFC 1320), needed for the RC4-HMAC string-to-key (the NT hash) and checksum type 2.
 * Noble has no MD4, so it is written here. MD4 is broken; it is used only where the protocol
 * demands it.
 *
 * @module
 */

import { digestLE } from './md-le.js'

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n))

function md4Block(st: Int32Array, x: Int32Array): void {
  let a = st[0]!
  let b = st[1]!
  let c = st[2]!
  let d = st[3]!
  // Round 1 (RFC 1320 §3.4): F(x,y,z) = (x & y) | (~x & z)
  for (let i = 0; i < 16; i += 4) {
    a = rotl((a + ((b & c) | (~b & d)) + x[i]!) | 0, 3)
    d = rotl((d + ((a & b) | (~a & c)) + x[i + 1]!) | 0, 7)
    c = rotl((c + ((d & a) | (~d & b)) + x[i + 2]!) | 0, 11)
    b = rotl((b + ((c & d) | (~c & a)) + x[i + 3]!) | 0, 19)
  }
  // Round 2: G(x,y,z) = majority, constant 0x5a827999
  for (let i = 0; i < 4; i++) {
    a = rotl((a + ((b & c) | (b & d) | (c & d)) + x[i]! + 0x5a827999) | 0, 3)
    d = rotl((d + ((a & b) | (a & c) | (b & c)) + x[i + 4]! + 0x5a827999) | 0, 5)
    c = rotl((c + ((d & a) | (d & b) | (a & b)) + x[i + 8]! + 0x5a827999) | 0, 9)
    b = rotl((b + ((c & d) | (c & a) | (d & a)) + x[i + 12]! + 0x5a827999) | 0, 13)
  }
  // Round 3: H(x,y,z) = x ^ y ^ z, constant 0x6ed9eba1, word order 0 8 4 12 2 10 6 14 ...
  const order = [0, 2, 1, 3]
  for (const i of order) {
    a = rotl((a + (b ^ c ^ d) + x[i]! + 0x6ed9eba1) | 0, 3)
    d = rotl((d + (a ^ b ^ c) + x[i + 8]! + 0x6ed9eba1) | 0, 9)
    c = rotl((c + (d ^ a ^ b) + x[i + 4]! + 0x6ed9eba1) | 0, 11)
    b = rotl((b + (c ^ d ^ a) + x[i + 12]! + 0x6ed9eba1) | 0, 15)
  }
  st[0] = (st[0]! + a) | 0
  st[1] = (st[1]! + b) | 0
  st[2] = (st[2]! + c) | 0
  st[3] = (st[3]! + d) | 0
}

/**
 * MD4 digest of `data` (16 octets).
 *
 * @example
 * ```ts
 * toHex(md4(utf8('abc'))) // 'a448017aaf21d8525fc10ae87aa6729d'
 * ```
 */
export function md4(data: Uint8Array): Uint8Array {
  return digestLE(data, md4Block)
}
