/**
 * The derived-key cache: usage keys (Ke/Ki/Kc) and prepared ciphers are made once per
 * (KerberosKey, backend, usage) and reused. Memory is bounded: a WeakMap keyed by the key object
 * (entries go when the key is collected) holding a small LRU per key. A wiped key drops its entries
 * and is refused.
 *
 * @module
 */
import type { KerberosKey } from '../key.js'
import type { CryptoBackend } from './backend.js'

/** Most entries kept per key (one usage needs one entry holding Ke and Ki, or Kc). */
export const MAX_ENTRIES_PER_KEY = 32

const caches = new WeakMap<KerberosKey, Map<string, unknown>>()
const backendIds = new WeakMap<CryptoBackend, number>()
let nextBackendId = 0

function backendId(backend: CryptoBackend): number {
  let id = backendIds.get(backend)
  if (id === undefined) {
    id = nextBackendId++
    backendIds.set(backend, id)
  }
  return id
}

/** Throw if the key was wiped (and forget what was derived from it). */
export function assertUsable(key: KerberosKey): void {
  if (key.wiped) {
    caches.delete(key)
    throw new TypeError(`cannot use a wiped key (${key.enctype})`)
  }
}

/** The cached value for (key, backend, id), made by `make` on a miss. */
export function cached<T>(key: KerberosKey, backend: CryptoBackend, id: string, make: () => T): T {
  assertUsable(key)
  let entries = caches.get(key)
  if (entries === undefined) {
    entries = new Map()
    caches.set(key, entries)
  }
  const slot = `${backendId(backend)}:${id}`
  const hit = entries.get(slot)
  if (hit !== undefined) {
    // Refresh the LRU position.
    entries.delete(slot)
    entries.set(slot, hit)
    return hit as T
  }
  const value = make()
  entries.set(slot, value)
  if (entries.size > MAX_ENTRIES_PER_KEY) entries.delete(entries.keys().next().value!)
  return value
}

/**
 * Drop every derived key and prepared cipher cached for `key`. {@link KerberosKey.wipe} makes the
 * cache ignore the key anyway; call this to release memory early.
 *
 * @example
 * ```ts
 * wipeDerivedKeys(sessionKey)
 * sessionKey.wipe()
 * ```
 */
export function wipeDerivedKeys(key: KerberosKey): void {
  caches.delete(key)
}

/** How many entries are cached for `key` (tests and diagnostics). */
export function derivedKeyCount(key: KerberosKey): number {
  return caches.get(key)?.size ?? 0
}
