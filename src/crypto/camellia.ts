/**
 * The Camellia block cipher (RFC 3713), 128- and 256-bit keys, for camellia*-cts-cmac (RFC 6803).
 * Written from the RFC: 64-bit halves are kept as pairs of 32-bit words; the key schedule uses
 * BigInt once per key.
 *
 * @module
 */

// RFC 3713 §2.4.4: SBOX1; SBOX2..4 are rotations of it.
const SBOX1 = new Uint8Array([
  112, 130, 44, 236, 179, 39, 192, 229, 228, 133, 87, 53, 234, 12, 174, 65, 35, 239, 107, 147, 69,
  25, 165, 33, 237, 14, 79, 78, 29, 101, 146, 189, 134, 184, 175, 143, 124, 235, 31, 206, 62, 48,
  220, 95, 94, 197, 11, 26, 166, 225, 57, 202, 213, 71, 93, 61, 217, 1, 90, 214, 81, 86, 108, 77,
  139, 13, 154, 102, 251, 204, 176, 45, 116, 18, 43, 32, 240, 177, 132, 153, 223, 76, 203, 194, 52,
  126, 118, 5, 109, 183, 169, 49, 209, 23, 4, 215, 20, 88, 58, 97, 222, 27, 17, 28, 50, 15, 156, 22,
  83, 24, 242, 34, 254, 68, 207, 178, 195, 181, 122, 145, 36, 8, 232, 168, 96, 252, 105, 80, 170,
  208, 160, 125, 161, 137, 98, 151, 84, 91, 30, 149, 224, 255, 100, 210, 16, 196, 0, 72, 163, 247,
  117, 219, 138, 3, 230, 218, 9, 63, 221, 148, 135, 92, 131, 2, 205, 74, 144, 51, 115, 103, 246,
  243, 157, 127, 191, 226, 82, 155, 216, 38, 200, 55, 198, 59, 129, 150, 111, 75, 19, 190, 99, 46,
  233, 121, 167, 140, 159, 110, 188, 142, 41, 245, 249, 182, 47, 253, 180, 89, 120, 152, 6, 106,
  231, 70, 113, 186, 212, 37, 171, 66, 136, 162, 141, 250, 114, 7, 185, 85, 248, 238, 172, 10, 54,
  73, 42, 104, 60, 56, 241, 164, 64, 40, 211, 123, 187, 201, 67, 193, 21, 227, 173, 244, 119, 199,
  128, 158,
])
const rotl8 = (x: number, n: number): number => ((x << n) | (x >>> (8 - n))) & 0xff
const SBOX2 = SBOX1.map((x) => rotl8(x, 1))
const SBOX3 = SBOX1.map((x) => rotl8(x, 7))
const SBOX4 = SBOX1.map((_, i) => SBOX1[rotl8(i, 1)]!)

const SIGMA = [
  0xa09e667f3bcc908bn,
  0xb67ae8584caa73b2n,
  0xc6ef372fe94f82ben,
  0x54ff53a5f1d36f1cn,
  0x10e527fade682d1dn,
  0xb05688c2b3e6c1fdn,
]
const M64 = (1n << 64n) - 1n
const M128 = (1n << 128n) - 1n

/** RFC 3713 §2.4.1 F on 32-bit halves; returns the output as [hi, lo] via the scratch array. */
function f(xh: number, xl: number, kh: number, kl: number, out: Int32Array): void {
  xh ^= kh
  xl ^= kl
  const t1 = SBOX1[xh >>> 24]!
  const t2 = SBOX2[(xh >>> 16) & 0xff]!
  const t3 = SBOX3[(xh >>> 8) & 0xff]!
  const t4 = SBOX4[xh & 0xff]!
  const t5 = SBOX2[xl >>> 24]!
  const t6 = SBOX3[(xl >>> 16) & 0xff]!
  const t7 = SBOX4[(xl >>> 8) & 0xff]!
  const t8 = SBOX1[xl & 0xff]!
  const y1 = t1 ^ t3 ^ t4 ^ t6 ^ t7 ^ t8
  const y2 = t1 ^ t2 ^ t4 ^ t5 ^ t7 ^ t8
  const y3 = t1 ^ t2 ^ t3 ^ t5 ^ t6 ^ t8
  const y4 = t2 ^ t3 ^ t4 ^ t5 ^ t6 ^ t7
  const y5 = t1 ^ t2 ^ t6 ^ t7 ^ t8
  const y6 = t2 ^ t3 ^ t5 ^ t7 ^ t8
  const y7 = t3 ^ t4 ^ t5 ^ t6 ^ t8
  const y8 = t1 ^ t4 ^ t5 ^ t6 ^ t7
  out[0] = (y1 << 24) | (y2 << 16) | (y3 << 8) | y4
  out[1] = (y5 << 24) | (y6 << 16) | (y7 << 8) | y8
}

function fBig(x: bigint, k: bigint): bigint {
  const o = new Int32Array(2)
  f(
    Number(x >> 32n) | 0,
    Number(x & 0xffffffffn) | 0,
    Number(k >> 32n) | 0,
    Number(k & 0xffffffffn) | 0,
    o,
  )
  return (BigInt(o[0]! >>> 0) << 32n) | BigInt(o[1]! >>> 0)
}

const rotl128 = (x: bigint, n: number): bigint => ((x << BigInt(n)) | (x >> BigInt(128 - n))) & M128
const bytesToBig = (b: Uint8Array): bigint => b.reduce((acc, v) => (acc << 8n) | BigInt(v), 0n)

/** The ordered subkey list for encryption: kw1 kw2, then rounds (k) and FL layers (ke), then kw3 kw4. */
interface Schedule {
  readonly kw: readonly bigint[]
  readonly k: readonly bigint[]
  readonly ke: readonly bigint[]
}

function scheduleFrom(key: Uint8Array): Schedule {
  const kl = bytesToBig(key.subarray(0, 16))
  const kr = key.length === 32 ? bytesToBig(key.subarray(16, 32)) : 0n
  let d1 = ((kl ^ kr) >> 64n) & M64
  let d2 = (kl ^ kr) & M64
  d2 ^= fBig(d1, SIGMA[0]!)
  d1 ^= fBig(d2, SIGMA[1]!)
  d1 ^= kl >> 64n
  d2 ^= kl & M64
  d2 ^= fBig(d1, SIGMA[2]!)
  d1 ^= fBig(d2, SIGMA[3]!)
  const ka = (d1 << 64n) | d2
  const halves = (x: bigint, n: number): bigint[] => {
    const r = rotl128(x, n)
    return [r >> 64n, r & M64]
  }
  if (key.length === 16) {
    const k = [
      ...halves(ka, 0),
      ...halves(kl, 15),
      ...halves(ka, 15),
      ...halves(kl, 45),
      halves(ka, 45)[0]!,
      halves(kl, 60)[1]!,
      ...halves(ka, 60),
      ...halves(kl, 94),
      ...halves(ka, 94),
      ...halves(kl, 111),
    ]
    return {
      kw: [...halves(kl, 0), ...halves(ka, 111)],
      k,
      ke: [...halves(ka, 30), ...halves(kl, 77)],
    }
  }
  d1 = ((ka ^ kr) >> 64n) & M64
  d2 = (ka ^ kr) & M64
  d2 ^= fBig(d1, SIGMA[4]!)
  d1 ^= fBig(d2, SIGMA[5]!)
  const kb = (d1 << 64n) | d2
  const k = [
    ...halves(kb, 0),
    ...halves(kr, 15),
    ...halves(ka, 15),
    ...halves(kb, 30),
    ...halves(kl, 45),
    ...halves(ka, 45),
    ...halves(kr, 60),
    ...halves(kb, 60),
    ...halves(kl, 77),
    ...halves(kr, 94),
    ...halves(ka, 94),
    ...halves(kl, 111),
  ]
  return {
    kw: [...halves(kl, 0), ...halves(kb, 111)],
    k,
    ke: [...halves(kr, 30), ...halves(kl, 60), ...halves(ka, 77)],
  }
}

const toWords = (xs: readonly bigint[]): Int32Array => {
  const out = new Int32Array(xs.length * 2)
  xs.forEach((x, i) => {
    out[2 * i] = Number(x >> 32n) | 0
    out[2 * i + 1] = Number(x & 0xffffffffn) | 0
  })
  return out
}

/** Expanded Camellia key: subkeys as 32-bit word pairs, in encryption and decryption order. */
export interface CamelliaKey {
  /** Encryption order: kw1 kw2 | k1..kN | ke1..keM | kw3 kw4 (each 64-bit as two words). */
  readonly enc: { readonly kw: Int32Array; readonly k: Int32Array; readonly ke: Int32Array }
  /** Decryption order: the same subkeys reversed (RFC 3713 §2.3.2). */
  readonly dec: { readonly kw: Int32Array; readonly k: Int32Array; readonly ke: Int32Array }
}

/** Expand a 16- or 32-octet key (RFC 3713 §2.2). */
export function camelliaExpandKey(key: Uint8Array): CamelliaKey {
  if (key.length !== 16 && key.length !== 32) {
    throw new RangeError(`expected a 16- or 32-octet Camellia key, got ${key.length} octets`)
  }
  const s = scheduleFrom(key)
  const kwRev = [s.kw[2]!, s.kw[3]!, s.kw[0]!, s.kw[1]!]
  return {
    enc: { kw: toWords(s.kw), k: toWords(s.k), ke: toWords(s.ke) },
    dec: { kw: toWords(kwRev), k: toWords([...s.k].reverse()), ke: toWords([...s.ke].reverse()) },
  }
}

const rotl32 = (x: number, n: number): number => (x << n) | (x >>> (32 - n))
const scratch = new Int32Array(2)

/**
 * Encrypt (or, with the `dec` schedule, decrypt) one block held in `s` (four big-endian words),
 * in place. RFC 3713 §2.3: 6-round groups separated by FL/FL⁻¹ layers.
 */
export function camelliaBlock(
  sched: { readonly kw: Int32Array; readonly k: Int32Array; readonly ke: Int32Array },
  s: Int32Array,
): void {
  const { kw, k, ke } = sched
  let d1h = s[0]! ^ kw[0]!
  let d1l = s[1]! ^ kw[1]!
  let d2h = s[2]! ^ kw[2]!
  let d2l = s[3]! ^ kw[3]!
  const rounds = k.length / 2
  for (let r = 0; r < rounds; r += 2) {
    if (r > 0 && r % 6 === 0) {
      const j = (r / 6 - 1) * 4
      // FL(D1, ke_{2j+1}) — RFC 3713 §2.4.2
      d1l ^= rotl32(d1h & ke[j]!, 1)
      d1h ^= d1l | ke[j + 1]!
      // FL⁻¹(D2, ke_{2j+2})
      d2h ^= d2l | ke[j + 3]!
      d2l ^= rotl32(d2h & ke[j + 2]!, 1)
    }
    f(d1h, d1l, k[2 * r]!, k[2 * r + 1]!, scratch)
    d2h ^= scratch[0]!
    d2l ^= scratch[1]!
    f(d2h, d2l, k[2 * r + 2]!, k[2 * r + 3]!, scratch)
    d1h ^= scratch[0]!
    d1l ^= scratch[1]!
  }
  s[0] = d2h ^ kw[4]!
  s[1] = d2l ^ kw[5]!
  s[2] = d1h ^ kw[6]!
  s[3] = d1l ^ kw[7]!
}
