/**
 * The fuzz harness's PRNG and mutator. Every input is a function of (seed, target, iteration)
 * only, so any failure reproduces with `npm run fuzz -- --target T --seed S --only I`.
 */

/** splitmix32: a small, well-mixed deterministic PRNG returning uint32s. */
export function splitmix(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
}

/** FNV-1a of a string, for per-target seeds. */
export function hashString(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0
  return h
}

/** A PRNG with a `below(n)` helper. */
export interface Rng {
  /** A uniform integer in [0, n) (n ≥ 1). */
  below(n: number): number
}

/** The PRNG for one iteration of one target. */
export function iterationRng(seed: number, target: string, iteration: number): Rng {
  const next = splitmix((seed ^ hashString(target) ^ Math.imul(iteration, 0x27d4eb2d)) >>> 0)
  next()
  return { below: (n) => (n <= 1 ? 0 : next() % n) }
}

function insert(b: Uint8Array, at: number, piece: Uint8Array, removed = 0): Uint8Array {
  const out = new Uint8Array(b.length - removed + piece.length)
  out.set(b.subarray(0, at))
  out.set(piece, at)
  out.set(b.subarray(at + removed), at + piece.length)
  return out
}

/** Positions that look like DER length octets (the byte after a plausible tag). */
function lengthPositions(b: Uint8Array): number[] {
  const out: number[] = []
  for (let i = 0; i + 1 < b.length && out.length < 64; i++) {
    const t = b[i]!
    const cls = t & 0xc0
    if (t === 0x30 || t === 0x02 || t === 0x04 || t === 0x1b || t === 0x18 || t === 0x03)
      out.push(i + 1)
    else if ((cls === 0x80 || cls === 0x40) && (t & 0x20) !== 0) out.push(i + 1)
  }
  return out
}

const HUGE_LENGTHS: readonly (readonly number[])[] = [
  [0x84, 0xff, 0xff, 0xff, 0xff],
  [0x84, 0x7f, 0xff, 0xff, 0xff],
  [0x84, 0x80, 0x00, 0x00, 0x00],
  [0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0x83, 0x10, 0x00, 0x00],
  [0x80],
  [0xff],
  [0x81, 0x00],
  [0x82, 0x00, 0x05],
]

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0x81, 0xff, 0x30, 0xa0, 0x1f, 0x84]

/** Overwrite the length octet(s) at a plausible spot with a huge or non-minimal length. */
function tweakLength(b: Uint8Array, rng: Rng): Uint8Array {
  const spots = lengthPositions(b)
  if (spots.length === 0) return b
  const at = spots[rng.below(spots.length)]!
  const first = b[at]!
  const oldLen = first & 0x80 ? 1 + (first & 0x7f) : 1
  const piece = HUGE_LENGTHS[rng.below(HUGE_LENGTHS.length)]!
  return insert(b, at, Uint8Array.from(piece), Math.min(oldLen, b.length - at))
}

/** One random mutation of `input` (not modified); `others` supplies splice material. */
export function mutateOnce(input: Uint8Array, rng: Rng, others: readonly Uint8Array[]): Uint8Array {
  const b = Uint8Array.from(input)
  const n = b.length
  switch (rng.below(10)) {
    case 0: // bit flips
      if (n > 0) for (let k = 1 + rng.below(3); k > 0; k--) b[rng.below(n)]! ^= 1 << rng.below(8)
      return b
    case 1: // byte sets
      if (n > 0)
        for (let k = 1 + rng.below(4); k > 0; k--)
          b[rng.below(n)] =
            rng.below(2) === 0 ? rng.below(256) : INTERESTING[rng.below(INTERESTING.length)]!
      return b
    case 2: // truncation
      return b.slice(0, rng.below(n + 1))
    case 3: // insertion
      return insert(
        b,
        rng.below(n + 1),
        randomPiece(rng, 1 + rng.below(rng.below(4) === 0 ? 64 : 4)),
      )
    case 4: {
      // deletion
      if (n === 0) return b
      const at = rng.below(n)
      return insert(b, at, new Uint8Array(0), Math.min(n - at, 1 + rng.below(8)))
    }
    case 5: {
      // splice: a piece of another seed (or of itself) into a random spot
      const from = others.length > 0 ? others[rng.below(others.length)]! : b
      if (from.length === 0) return b
      const s = rng.below(from.length)
      const piece = from.slice(s, s + 1 + rng.below(Math.min(64, from.length - s)))
      const at = rng.below(n + 1)
      return insert(b, at, piece, rng.below(2) === 0 ? Math.min(piece.length, n - at) : 0)
    }
    case 6:
    case 7: // DER length fields set to huge or odd values
      return tweakLength(b, rng)
    case 8: {
      // duplicate a chunk (repeated fields, nested copies)
      if (n === 0) return b
      const s = rng.below(n)
      const piece = b.slice(s, s + 1 + rng.below(Math.min(32, n - s)))
      return insert(b, rng.below(n + 1), piece)
    }
    default: {
      // tag changes: a plausible tag byte replaced with another class/number
      if (n === 0) return b
      const tags = [
        0x30, 0x31, 0xa0, 0xa1, 0xa2, 0xa3, 0x04, 0x02, 0x1b, 0x18, 0x60, 0x6a, 0x7e, 0x9f, 0x1f,
      ]
      b[rng.below(n)] = tags[rng.below(tags.length)]!
      return b
    }
  }
}

function randomPiece(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = rng.below(256)
  return out
}

/**
 * The input of one iteration: mostly 1–4 stacked mutations of a seed, sometimes random bytes
 * (1 in 32), sometimes a seed as is (1 in 64, to keep the happy path covered).
 */
export function makeInput(seeds: readonly Uint8Array[], rng: Rng): Uint8Array {
  const pick = rng.below(64)
  if (seeds.length === 0 || pick < 2)
    return randomPiece(rng, rng.below(rng.below(8) === 0 ? 4096 : 96))
  const seed = seeds[rng.below(seeds.length)]!
  if (pick === 2) return Uint8Array.from(seed)
  let b = seed
  for (let k = 1 + rng.below(rng.below(4) === 0 ? 8 : 3); k > 0; k--) b = mutateOnce(b, rng, seeds)
  return b
}
