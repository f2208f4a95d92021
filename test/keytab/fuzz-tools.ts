/** Seeded mutations for parser fuzzing (shared by keytab and ccache tests). */
import assert from 'node:assert/strict'
import { KerberosError } from '../../src/errors.js'

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SPECIAL = [
  [0x80, 0, 0, 0],
  [0x7f, 0xff, 0xff, 0xff],
  [0xff, 0xff, 0xff, 0xff],
  [0, 0, 0, 0],
  [0xff, 0xff, 0xff, 0xfb],
  [0, 0, 0xff, 0xff],
]

/** One random mutation of `input`: flips, overwrites with hostile integers, truncation, insertion. */
export function mutate(input: Uint8Array, rnd: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(rnd() * n)
  let b = input.slice()
  const rounds = 1 + pick(3)
  for (let r = 0; r < rounds; r++) {
    const at = pick(Math.max(1, b.length))
    switch (pick(6)) {
      case 0:
        b[at] = b[at]! ^ (1 << pick(8))
        break
      case 1:
        b[at] = pick(256)
        break
      case 2: {
        const s = SPECIAL[pick(SPECIAL.length)]!
        for (let i = 0; i < 4 && at + i < b.length; i++) b[at + i] = s[i]!
        break
      }
      case 3:
        b = b.slice(0, at)
        break
      case 4: {
        const ins = new Uint8Array(1 + pick(8)).map(() => pick(256))
        const out = new Uint8Array(b.length + ins.length)
        out.set(b.subarray(0, at))
        out.set(ins, at)
        out.set(b.subarray(at), at + ins.length)
        b = out
        break
      }
      default: {
        // duplicate a slice (repeated records)
        const len = pick(Math.min(64, b.length - at) + 1)
        const out = new Uint8Array(b.length + len)
        out.set(b.subarray(0, at + len))
        out.set(b.subarray(at, at + len), at + len)
        out.set(b.subarray(at + len), at + 2 * len)
        b = out
      }
    }
  }
  return b
}

/**
 * Run `parse` on `n` mutations; every failure must be a KerberosError with `code` and a numeric
 * offset within the input, and every success must re-serialize to the same bytes.
 */
export function fuzz(
  input: Uint8Array,
  n: number,
  seed: number,
  code: string,
  roundTrip: (b: Uint8Array) => Uint8Array,
): { ok: number; failed: number } {
  const rnd = prng(seed)
  let ok = 0
  let failed = 0
  for (let i = 0; i < n; i++) {
    const b = mutate(input, rnd)
    let out: Uint8Array
    try {
      out = roundTrip(b)
    } catch (err) {
      if (!(err instanceof KerberosError) || err.code !== code) {
        assert.fail(`mutation ${i} (seed ${seed}) threw ${String(err)}`)
      }
      const off = err.context['offset']
      assert.ok(
        typeof off === 'number' && off >= 0 && off <= b.length,
        `offset ${String(off)} for ${b.length} bytes`,
      )
      failed++
      continue
    }
    if (out.length !== b.length || !out.every((x, j) => x === b[j]))
      assert.fail(`mutation ${i} (seed ${seed}) did not round-trip`)
    ok++
  }
  return { ok, failed }
}
