/**
 * SHA-1 (FIPS 180-4) and HMAC-SHA1 (RFC 2104) tuned for the acceptor's hot path: the HMAC key's
 * inner and outer states are computed once (two compressions per key, not per message), and a
 * digest allocates nothing but its 20-octet result. aes*-cts-hmac-sha1-96 MACs every message with
 * it, usually with a key derived a moment ago for one short message.
 *
 * @module
 */

const W = new Int32Array(80)
const BUF = new Uint8Array(64)
const INNER = new Uint8Array(20)
const STATE = new Int32Array(5)
const INNER_PARTS: readonly Uint8Array[] = [INNER]
const IV = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0])

/**
 * One SHA-1 compression (FIPS 180-4 §6.1.2) of the 16 words in `w[0..15]` onto `init`, into `out`
 * (which may be `init`). `w` has room for 80 words; words 16..79 are overwritten. PBKDF2 calls
 * this directly on words it keeps between iterations, so no bytes are converted per iteration.
 */
export function sha1CompressWords(init: Int32Array, w: Int32Array, out: Int32Array): void {
  for (let i = 16; i < 80; i++) {
    const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!
    w[i] = (x << 1) | (x >>> 31)
  }
  let a = init[0]!
  let b = init[1]!
  let c = init[2]!
  let d = init[3]!
  let e = init[4]!
  let i = 0
  for (; i < 20; i++) {
    const t = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + w[i]!) | 0
    e = d
    d = c
    c = (b << 30) | (b >>> 2)
    b = a
    a = t
  }
  for (; i < 40; i++) {
    const t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w[i]!) | 0
    e = d
    d = c
    c = (b << 30) | (b >>> 2)
    b = a
    a = t
  }
  for (; i < 60; i++) {
    const t = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + w[i]!) | 0
    e = d
    d = c
    c = (b << 30) | (b >>> 2)
    b = a
    a = t
  }
  for (; i < 80; i++) {
    const t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w[i]!) | 0
    e = d
    d = c
    c = (b << 30) | (b >>> 2)
    b = a
    a = t
  }
  out[0] = (init[0]! + a) | 0
  out[1] = (init[1]! + b) | 0
  out[2] = (init[2]! + c) | 0
  out[3] = (init[3]! + d) | 0
  out[4] = (init[4]! + e) | 0
}

/** One SHA-1 compression of the 64 octets of `b` at `o` into `h`. */
function compress(h: Int32Array, b: Uint8Array, o: number): void {
  const w = W
  for (let i = 0; i < 16; i++, o += 4) {
    w[i] = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!
  }
  sha1CompressWords(h, w, h)
}

/**
 * Continue the hash in `h` (which has absorbed `prefix` octets, a multiple of 64) over `parts`,
 * pad, and write the 20-octet digest to `out`.
 */
function finish(
  h: Int32Array,
  prefix: number,
  parts: readonly Uint8Array[],
  out: Uint8Array,
): void {
  let fill = 0
  let total = prefix
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k]!
    const n = p.length
    total += n
    let i = 0
    if (fill > 0) {
      while (i < n && fill < 64) BUF[fill++] = p[i++]!
      if (fill < 64) continue
      compress(h, BUF, 0)
      fill = 0
    }
    for (; n - i >= 64; i += 64) compress(h, p, i)
    while (i < n) BUF[fill++] = p[i++]!
  }
  BUF[fill++] = 0x80
  if (fill > 56) {
    BUF.fill(0, fill)
    compress(h, BUF, 0)
    fill = 0
  }
  BUF.fill(0, fill, 56)
  const bits = total * 8
  const hi = Math.floor(bits / 0x100000000)
  BUF[56] = hi >>> 24
  BUF[57] = hi >>> 16
  BUF[58] = hi >>> 8
  BUF[59] = hi
  BUF[60] = bits >>> 24
  BUF[61] = bits >>> 16
  BUF[62] = bits >>> 8
  BUF[63] = bits
  compress(h, BUF, 0)
  for (let i = 0, o = 0; i < 5; i++, o += 4) {
    const v = h[i]!
    out[o] = v >>> 24
    out[o + 1] = v >>> 16
    out[o + 2] = v >>> 8
    out[o + 3] = v
  }
}

/**
 * SHA-1 of the concatenation of `parts`.
 *
 * @example
 * ```ts
 * toHex(sha1Digest(utf8('abc'))) // 'a9993e364706816aba3e25717850c26c9cd0d89d'
 * ```
 */
export function sha1Digest(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(20)
  STATE.set(IV)
  finish(STATE, 0, parts, out)
  return out
}

/** The state after one block of `key` (padded to 64 octets) XOR `pad`, into `out` at `at`. */
function keyedState(key: Uint8Array, pad: number, out: Int32Array, at: number): void {
  const block = BUF
  for (let i = 0; i < key.length; i++) block[i] = key[i]! ^ pad
  block.fill(pad, key.length)
  STATE.set(IV)
  compress(STATE, block, 0)
  for (let i = 0; i < 5; i++) out[at + i] = STATE[i]!
  // Leave no key-derived bytes behind in the shared scratch space.
  block.fill(0)
  W.fill(0)
}

/**
 * The HMAC-SHA1 states of `key` (RFC 2104): the state after the key XOR ipad block in words 0..4,
 * after the key XOR opad block in 5..9. Keys longer than a block are hashed first (§2).
 */
export function hmacSha1States(key: Uint8Array): Int32Array {
  const k = key.length > 64 ? sha1Digest(key) : key
  const states = new Int32Array(10)
  keyedState(k, 0x36, states, 0)
  keyedState(k, 0x5c, states, 5)
  return states
}

/**
 * HMAC-SHA1 with the key's inner and outer states computed once.
 *
 * @example
 * ```ts
 * const mac = new HmacSha1(ki)
 * mac.digest(confounder, plaintext) // 20 octets
 * ```
 */
export class HmacSha1 {
  /** Output length in octets. */
  readonly outputLength: number = 20
  /** The inner state (words 0..4) and the outer one (5..9), in one array. */
  readonly #states: Int32Array

  constructor(key: Uint8Array) {
    this.#states = hmacSha1States(key)
  }

  /** HMAC over the concatenation of `parts`; a fresh 20-octet array. */
  digest(...parts: readonly Uint8Array[]): Uint8Array {
    return this.digestParts(parts)
  }

  /** {@link HmacSha1.digest} with the parts as one array (no rest-parameter copy). */
  digestParts(parts: readonly Uint8Array[]): Uint8Array {
    const st = this.#states
    for (let i = 0; i < 5; i++) STATE[i] = st[i]!
    finish(STATE, 64, parts, INNER)
    for (let i = 0; i < 5; i++) STATE[i] = st[i + 5]!
    const out = new Uint8Array(20)
    finish(STATE, 64, INNER_PARTS, out)
    return out
  }
}
