/**
 * A deterministic {@link RandomSource} for the runtime matrix (issue 15 #3): the client
 * conversation in fixtures/runtimes was recorded with it, so replaying it under any runtime makes
 * the same nonces and the same requests. Test-only: NEVER a source of real randomness.
 * Runtime-agnostic (no node:*, no Buffer).
 */
import type { RandomSource } from '../../src/crypto/index.js'

/** Bytes from a 32-bit xorshift generator seeded with `seed` (not 0). */
export function deterministicRandom(seed: number): RandomSource {
  let x = seed >>> 0 || 1
  return (n: number): Uint8Array => {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      x ^= x << 13
      x >>>= 0
      x ^= x >>> 17
      x ^= x << 5
      x >>>= 0
      out[i] = x & 0xff
    }
    return out
  }
}
