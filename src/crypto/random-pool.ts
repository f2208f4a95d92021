/**
 * Confounders from a pool: one `globalThis.crypto.getRandomValues` call fills 4 KiB, which then
 * serves 256 sixteen-octet confounders. A call into the platform RNG costs more than encrypting a
 * short message, and every encryption needs a fresh confounder. Used bytes are zeroed as they are
 * handed out, so the pool never holds a confounder that was already used. Keys do not come from
 * here (they use `randomBytes` directly).
 *
 * @module
 */

const POOL_SIZE = 4096
const pool = new Uint8Array(POOL_SIZE)
let at = POOL_SIZE

/**
 * `n` random octets (a fresh array) from the pool; requests above 256 octets bypass it.
 *
 * @example
 * ```ts
 * const confounder = pooledRandomBytes(16)
 * ```
 */
export function pooledRandomBytes(n: number): Uint8Array {
  if (n > 256) {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 65536) {
      globalThis.crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)))
    }
    return out
  }
  if (at + n > POOL_SIZE) {
    globalThis.crypto.getRandomValues(pool)
    at = 0
  }
  const out = pool.slice(at, at + n)
  pool.fill(0, at, at + n)
  at += n
  return out
}
