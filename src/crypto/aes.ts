/**
 * AES (FIPS 197) in CBC mode, table-driven, for the pure backend. Built for Kerberos's traffic:
 * many keys used for a few short messages each (session keys, derived Ke/Ki), so key setup is
 * cheap (no views, the decryption schedule only when needed) and a CBC pass allocates nothing but
 * its output. The four 1 KiB T-tables per direction stay in the L1 cache.
 *
 * @module
 */

const SBOX = new Int32Array(256)
const INV_SBOX = new Int32Array(256)
const TE0 = new Int32Array(256)
const TE1 = new Int32Array(256)
const TE2 = new Int32Array(256)
const TE3 = new Int32Array(256)
const TD0 = new Int32Array(256)
const TD1 = new Int32Array(256)
const TD2 = new Int32Array(256)
const TD3 = new Int32Array(256)

/** Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. */
function gmul(a: number, b: number): number {
  let p = 0
  for (let i = 0; i < 8; i++) {
    if (b & 1) p ^= a
    const hi = a & 0x80
    a = (a << 1) & 0xff
    if (hi) a ^= 0x1b
    b >>= 1
  }
  return p
}

const ror8 = (x: number): number => (x >>> 8) | (x << 24)

function initTables(): void {
  // The S-box: multiplicative inverse followed by the affine map (FIPS 197 §5.1.1).
  for (let x = 0; x < 256; x++) {
    let inv = 0
    if (x !== 0) for (inv = 1; gmul(x, inv) !== 1; inv++);
    let s = inv
    for (let r = 1; r < 5; r++) s ^= ((inv << r) | (inv >>> (8 - r))) & 0xff
    s ^= 0x63
    SBOX[x] = s
    INV_SBOX[s] = x
  }
  for (let x = 0; x < 256; x++) {
    const s = SBOX[x]!
    const e = (gmul(s, 2) << 24) | (s << 16) | (s << 8) | gmul(s, 3)
    TE0[x] = e
    TE1[x] = ror8(e)
    TE2[x] = ror8(ror8(e))
    TE3[x] = ror8(ror8(ror8(e)))
    const v = INV_SBOX[x]!
    const d = (gmul(v, 14) << 24) | (gmul(v, 9) << 16) | (gmul(v, 13) << 8) | gmul(v, 11)
    TD0[x] = d
    TD1[x] = ror8(d)
    TD2[x] = ror8(ror8(d))
    TD3[x] = ror8(ror8(ror8(d)))
  }
}
initTables()

const readBE = (b: Uint8Array, o: number): number =>
  (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!

function writeBE(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24
  b[o + 1] = v >>> 16
  b[o + 2] = v >>> 8
  b[o + 3] = v
}

const subWord = (t: number): number =>
  (SBOX[t >>> 24]! << 24) |
  (SBOX[(t >>> 16) & 0xff]! << 16) |
  (SBOX[(t >>> 8) & 0xff]! << 8) |
  SBOX[t & 0xff]!

/** The encryption key schedule (FIPS 197 §5.2), big-endian words. */
export function aesExpandKey(key: Uint8Array): Int32Array {
  const nk = key.length >>> 2
  if (key.length !== 16 && key.length !== 24 && key.length !== 32)
    throw new RangeError(`expected a 16-, 24- or 32-octet AES key, got ${key.length}`)
  const w = new Int32Array(4 * (nk + 7))
  for (let i = 0; i < nk; i++) w[i] = readBE(key, 4 * i)
  let rcon = 1
  // j = i mod nk, kept by hand (no division per word).
  for (let i = nk, j = 0; i < w.length; i++, j = j + 1 === nk ? 0 : j + 1) {
    let t = w[i - 1]!
    if (j === 0) {
      t = subWord((t << 8) | (t >>> 24)) ^ (rcon << 24)
      rcon = (rcon << 1) ^ (rcon & 0x80 ? 0x11b : 0)
    } else if (nk > 6 && j === 4) {
      t = subWord(t)
    }
    w[i] = w[i - nk]! ^ t
  }
  return w
}

/** The equivalent inverse cipher's schedule (FIPS 197 §5.3.5) from the encryption one. */
export function aesDecryptionKey(enc: Int32Array): Int32Array {
  const n = enc.length
  const d = new Int32Array(n)
  for (let i = 0; i < n; i += 4) for (let j = 0; j < 4; j++) d[i + j] = enc[n - 4 - i + j]!
  for (let i = 4; i < n - 4; i++) {
    const w = d[i]!
    d[i] =
      TD0[SBOX[w >>> 24]!]! ^
      TD1[SBOX[(w >>> 16) & 0xff]!]! ^
      TD2[SBOX[(w >>> 8) & 0xff]!]! ^
      TD3[SBOX[w & 0xff]!]!
  }
  return d
}

/** CBC-encrypt whole blocks of `data` into a fresh array. */
export function aesEncryptCBC(rk: Int32Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length)
  const rounds = (rk.length >>> 2) - 1
  // Local copies of the tables: the loop then reads no module context.
  const T0 = TE0
  const T1 = TE1
  const T2 = TE2
  const T3 = TE3
  const S = SBOX
  let c0 = readBE(iv, 0)
  let c1 = readBE(iv, 4)
  let c2 = readBE(iv, 8)
  let c3 = readBE(iv, 12)
  for (let o = 0; o < data.length; o += 16) {
    let s0 = readBE(data, o) ^ c0 ^ rk[0]!
    let s1 = readBE(data, o + 4) ^ c1 ^ rk[1]!
    let s2 = readBE(data, o + 8) ^ c2 ^ rk[2]!
    let s3 = readBE(data, o + 12) ^ c3 ^ rk[3]!
    let k = 4
    for (let r = 1; r < rounds; r++, k += 4) {
      const t0 =
        T0[s0 >>> 24]! ^ T1[(s1 >>> 16) & 0xff]! ^ T2[(s2 >>> 8) & 0xff]! ^ T3[s3 & 0xff]! ^ rk[k]!
      const t1 =
        T0[s1 >>> 24]! ^
        T1[(s2 >>> 16) & 0xff]! ^
        T2[(s3 >>> 8) & 0xff]! ^
        T3[s0 & 0xff]! ^
        rk[k + 1]!
      const t2 =
        T0[s2 >>> 24]! ^
        T1[(s3 >>> 16) & 0xff]! ^
        T2[(s0 >>> 8) & 0xff]! ^
        T3[s1 & 0xff]! ^
        rk[k + 2]!
      const t3 =
        T0[s3 >>> 24]! ^
        T1[(s0 >>> 16) & 0xff]! ^
        T2[(s1 >>> 8) & 0xff]! ^
        T3[s2 & 0xff]! ^
        rk[k + 3]!
      s0 = t0
      s1 = t1
      s2 = t2
      s3 = t3
    }
    c0 =
      ((S[s0 >>> 24]! << 24) |
        (S[(s1 >>> 16) & 0xff]! << 16) |
        (S[(s2 >>> 8) & 0xff]! << 8) |
        S[s3 & 0xff]!) ^
      rk[k]!
    c1 =
      ((S[s1 >>> 24]! << 24) |
        (S[(s2 >>> 16) & 0xff]! << 16) |
        (S[(s3 >>> 8) & 0xff]! << 8) |
        S[s0 & 0xff]!) ^
      rk[k + 1]!
    c2 =
      ((S[s2 >>> 24]! << 24) |
        (S[(s3 >>> 16) & 0xff]! << 16) |
        (S[(s0 >>> 8) & 0xff]! << 8) |
        S[s1 & 0xff]!) ^
      rk[k + 2]!
    c3 =
      ((S[s3 >>> 24]! << 24) |
        (S[(s0 >>> 16) & 0xff]! << 16) |
        (S[(s1 >>> 8) & 0xff]! << 8) |
        S[s2 & 0xff]!) ^
      rk[k + 3]!
    writeBE(out, o, c0)
    writeBE(out, o + 4, c1)
    writeBE(out, o + 8, c2)
    writeBE(out, o + 12, c3)
  }
  return out
}

/** CBC-decrypt whole blocks of `data` into a fresh array, with the schedule from {@link aesDecryptionKey}. */
export function aesDecryptCBC(dk: Int32Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length)
  const rounds = (dk.length >>> 2) - 1
  const T0 = TD0
  const T1 = TD1
  const T2 = TD2
  const T3 = TD3
  const S = INV_SBOX
  let p0 = readBE(iv, 0)
  let p1 = readBE(iv, 4)
  let p2 = readBE(iv, 8)
  let p3 = readBE(iv, 12)
  for (let o = 0; o < data.length; o += 16) {
    const x0 = readBE(data, o)
    const x1 = readBE(data, o + 4)
    const x2 = readBE(data, o + 8)
    const x3 = readBE(data, o + 12)
    let s0 = x0 ^ dk[0]!
    let s1 = x1 ^ dk[1]!
    let s2 = x2 ^ dk[2]!
    let s3 = x3 ^ dk[3]!
    let k = 4
    for (let r = 1; r < rounds; r++, k += 4) {
      const t0 =
        T0[s0 >>> 24]! ^ T1[(s3 >>> 16) & 0xff]! ^ T2[(s2 >>> 8) & 0xff]! ^ T3[s1 & 0xff]! ^ dk[k]!
      const t1 =
        T0[s1 >>> 24]! ^
        T1[(s0 >>> 16) & 0xff]! ^
        T2[(s3 >>> 8) & 0xff]! ^
        T3[s2 & 0xff]! ^
        dk[k + 1]!
      const t2 =
        T0[s2 >>> 24]! ^
        T1[(s1 >>> 16) & 0xff]! ^
        T2[(s0 >>> 8) & 0xff]! ^
        T3[s3 & 0xff]! ^
        dk[k + 2]!
      const t3 =
        T0[s3 >>> 24]! ^
        T1[(s2 >>> 16) & 0xff]! ^
        T2[(s1 >>> 8) & 0xff]! ^
        T3[s0 & 0xff]! ^
        dk[k + 3]!
      s0 = t0
      s1 = t1
      s2 = t2
      s3 = t3
    }
    const r0 =
      ((S[s0 >>> 24]! << 24) |
        (S[(s3 >>> 16) & 0xff]! << 16) |
        (S[(s2 >>> 8) & 0xff]! << 8) |
        S[s1 & 0xff]!) ^
      dk[k]!
    const r1 =
      ((S[s1 >>> 24]! << 24) |
        (S[(s0 >>> 16) & 0xff]! << 16) |
        (S[(s3 >>> 8) & 0xff]! << 8) |
        S[s2 & 0xff]!) ^
      dk[k + 1]!
    const r2 =
      ((S[s2 >>> 24]! << 24) |
        (S[(s1 >>> 16) & 0xff]! << 16) |
        (S[(s0 >>> 8) & 0xff]! << 8) |
        S[s3 & 0xff]!) ^
      dk[k + 2]!
    const r3 =
      ((S[s3 >>> 24]! << 24) |
        (S[(s2 >>> 16) & 0xff]! << 16) |
        (S[(s1 >>> 8) & 0xff]! << 8) |
        S[s0 & 0xff]!) ^
      dk[k + 3]!
    writeBE(out, o, r0 ^ p0)
    writeBE(out, o + 4, r1 ^ p1)
    writeBE(out, o + 8, r2 ^ p2)
    writeBE(out, o + 12, r3 ^ p3)
    p0 = x0
    p1 = x1
    p2 = x2
    p3 = x3
  }
  return out
}
