/**
 * PBKDF2 (RFC 8018 §5.2) for the pure backend. HMAC-SHA1 (the AES-SHA1 string-to-key, the one
 * that runs on most logins) and HMAC-SHA256 (aes128-sha2) have their own loops: the HMAC
 * inner and outer states are computed once, and each iteration is exactly two compressions on
 * 32-bit words with no allocation (SHA-1 compression from ./sha1.ts). SHA-384 uses @noble/hashes' PBKDF2 (which also precomputes the
 * HMAC states; see ./pure-extras.ts). Arguments are checked by the pure backend.
 *
 * @module
 */
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { HmacSha1, hmacSha1States, sha1CompressWords } from './sha1.js'

/** PBKDF2-HMAC-SHA1 (arguments checked by the caller). */
export function pbkdf2Sha1(
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
): Uint8Array {
  const states = hmacSha1States(password)
  const inner = states.subarray(0, 5)
  const outer = states.subarray(5, 10)
  const prf = new HmacSha1(password)
  const w = new Int32Array(80)
  const u = new Int32Array(5)
  const t = new Int32Array(5)
  const out = new Uint8Array(Math.ceil(length / 20) * 20)
  const ov = new DataView(out.buffer)
  for (let block = 1, at = 0; at < length; block++, at += 20) {
    // U1 = HMAC(password, salt || INT(block)).
    const index = new Uint8Array([
      block >>> 24,
      (block >>> 16) & 0xff,
      (block >>> 8) & 0xff,
      block & 0xff,
    ])
    const u1 = prf.digest(salt, index)
    const uv = new DataView(u1.buffer, u1.byteOffset, 20)
    for (let i = 0; i < 5; i++) t[i] = u[i] = uv.getInt32(4 * i)
    // Each later U is HMAC over 20 octets: one padded block for the inner hash, one for the outer.
    w.fill(0, 5, 16)
    w[5] = 0x80000000 | 0
    w[15] = (64 + 20) * 8
    for (let j = 1; j < iterations; j++) {
      w.set(u)
      sha1CompressWords(inner, w, u)
      w.set(u)
      sha1CompressWords(outer, w, u)
      t[0] ^= u[0]!
      t[1] ^= u[1]!
      t[2] ^= u[2]!
      t[3] ^= u[3]!
      t[4] ^= u[4]!
    }
    for (let i = 0; i < 5; i++) ov.setInt32(at + 4 * i, t[i]!)
  }
  return out.slice(0, length)
}

/** Integer k-th root of a BigInt (Newton's method, exact floor). */
function iroot(n: bigint, k: bigint): bigint {
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / Number(k)) + 1)
  for (;;) {
    const y = ((k - 1n) * x + n / x ** (k - 1n)) / k
    if (y >= x) return x
    x = y
  }
}

/** FIPS 180-4 §4.2.2 / §5.3.3 constants, computed exactly: fractional bits of roots of primes. */
function sha256Constants(): { k: Int32Array; iv: Int32Array } {
  const primes: number[] = []
  for (let n = 2; primes.length < 64; n++) if (primes.every((p) => n % p !== 0)) primes.push(n)
  const frac32 = (p: number, root: bigint): number =>
    Number(iroot(BigInt(p) << (32n * root), root) & 0xffffffffn) | 0
  return {
    k: Int32Array.from(primes, (p) => frac32(p, 3n)),
    iv: Int32Array.from(primes.slice(0, 8), (p) => frac32(p, 2n)),
  }
}

let SHA256: { k: Int32Array; iv: Int32Array } | undefined

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n))

/** SHA-256 compression (FIPS 180-4 §6.2.2) of w[0..15] onto `init` (8 words), into `out`. */
function compress256(init: Int32Array, w: Int32Array, out: Int32Array, k: Int32Array): void {
  for (let t = 16; t < 64; t++) {
    const a = w[t - 15]!
    const b = w[t - 2]!
    const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)
    const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10)
    w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0
  }
  let a = init[0]!
  let b = init[1]!
  let c = init[2]!
  let d = init[3]!
  let e = init[4]!
  let f = init[5]!
  let g = init[6]!
  let hh = init[7]!
  for (let t = 0; t < 64; t++) {
    const t1 =
      (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[t]! + w[t]!) | 0
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0
    hh = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b
    b = a
    a = (t1 + t2) | 0
  }
  out[0] = (init[0]! + a) | 0
  out[1] = (init[1]! + b) | 0
  out[2] = (init[2]! + c) | 0
  out[3] = (init[3]! + d) | 0
  out[4] = (init[4]! + e) | 0
  out[5] = (init[5]! + f) | 0
  out[6] = (init[6]! + g) | 0
  out[7] = (init[7]! + hh) | 0
}

/** The same loop as {@link pbkdf2Sha1} for SHA-256 (aes128-cts-hmac-sha256-128 string-to-key). */
export function pbkdf2Sha256(
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
): Uint8Array {
  const { k, iv } = (SHA256 ??= sha256Constants())
  const key = password.length > 64 ? sha256(password) : password
  const padState256 = (pad: number): Int32Array => {
    const w = new Int32Array(64)
    const block = new Uint8Array(64).fill(pad)
    for (let i = 0; i < key.length; i++) block[i] = key[i]! ^ pad
    const dv = new DataView(block.buffer)
    for (let i = 0; i < 16; i++) w[i] = dv.getInt32(4 * i)
    const out = new Int32Array(8)
    compress256(iv, w, out, k)
    return out
  }
  const inner = padState256(0x36)
  const outer = padState256(0x5c)
  const prf = hmac.create(sha256, password)
  const w = new Int32Array(64)
  const u = new Int32Array(8)
  const t = new Int32Array(8)
  const out = new Uint8Array(Math.ceil(length / 32) * 32)
  const ov = new DataView(out.buffer)
  for (let block = 1, at = 0; at < length; block++, at += 32) {
    const index = new Uint8Array([
      block >>> 24,
      (block >>> 16) & 0xff,
      (block >>> 8) & 0xff,
      block & 0xff,
    ])
    const u1 = prf.clone().update(salt).update(index).digest()
    const uv = new DataView(u1.buffer, u1.byteOffset, 32)
    for (let i = 0; i < 8; i++) t[i] = u[i] = uv.getInt32(4 * i)
    w.fill(0, 8, 16)
    w[8] = 0x80000000 | 0
    w[15] = (64 + 32) * 8
    for (let j = 1; j < iterations; j++) {
      w.set(u)
      compress256(inner, w, u, k)
      w.set(u)
      compress256(outer, w, u, k)
      for (let i = 0; i < 8; i++) t[i]! ^= u[i]!
    }
    for (let i = 0; i < 8; i++) ov.setInt32(at + 4 * i, t[i]!)
  }
  return out.slice(0, length)
}
