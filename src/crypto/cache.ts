/**
 * The derived-key cache: usage keys (Ke/Ki/Kc) and prepared ciphers are made once per
 * (KerberosKey, backend, usage) and reused. Memory is bounded: a small LRU per key, held by the
 * key object (entries go when the key is collected). A wiped key drops its entries
 * and is refused.
 *
 * @module
 */
import type { KerberosKey } from '../key.js'
import type { CryptoBackend } from './backend.js'

/** Most entries kept per key (one usage needs one entry holding Ke and Ki, or Kc). */
export const MAX_ENTRIES_PER_KEY = 32

/** A key's entries for one backend; a key used with several backends has a short chain. */
interface BackendEntries {
  readonly backend: CryptoBackend
  readonly entries: Map<string | number, unknown>
  next: BackendEntries | undefined
}

/**
 * Below this many entries a hit does not refresh its LRU position: nothing can be evicted soon,
 * and the refresh (a delete and a set) would cost more than the lookup on the acceptor's hot path.
 */
const REFRESH_FROM = 8

/**
 * The entries hang off the key object itself, under a non-enumerable symbol (invisible to JSON,
 * `util.inspect`, `Object.keys` and deep equality), rather than in a WeakMap: an acceptor makes
 * a session key per request, and a WeakMap's ephemeron entries keep each dead key's derived keys
 * alive through young-generation collections — that promotion cost more than all the crypto.
 * Held this way they die with the key.
 */
const ENTRIES: unique symbol = Symbol('kerberos-ts derived keys')

interface Carrier {
  [ENTRIES]?: BackendEntries | undefined
}

const headOf = (key: KerberosKey): BackendEntries | undefined =>
  (key as unknown as Carrier)[ENTRIES]

function setHead(key: KerberosKey, head: BackendEntries | undefined): void {
  const carrier = key as unknown as Carrier
  if (ENTRIES in carrier) carrier[ENTRIES] = head
  // A frozen key just goes uncached.
  else if (head !== undefined && Object.isExtensible(carrier))
    Object.defineProperty(carrier, ENTRIES, { value: head, writable: true, configurable: true })
}

/** Throw if the key was wiped (and forget what was derived from it). */
export function assertUsable(key: KerberosKey): void {
  if (key.wiped) {
    setHead(key, undefined)
    throw new TypeError(`cannot use a wiped key (${key.enctype})`)
  }
}

function entriesFor(key: KerberosKey, backend: CryptoBackend): BackendEntries {
  const head = headOf(key)
  for (let e = head; e !== undefined; e = e.next) if (e.backend === backend) return e
  const fresh: BackendEntries = { backend, entries: new Map(), next: head }
  setHead(key, fresh)
  return fresh
}

/** Drop the least recently used entry of the backend holding the most. */
function evictOne(head: BackendEntries | undefined): void {
  let most = head
  for (let e = head; e !== undefined; e = e.next) if (e.entries.size > most!.entries.size) most = e
  if (most !== undefined && most.entries.size > 0)
    most.entries.delete(most.entries.keys().next().value!)
}

function totalEntries(head: BackendEntries | undefined): number {
  let n = 0
  for (let e = head; e !== undefined; e = e.next) n += e.entries.size
  return n
}

/**
 * The cached value for (key, backend, id), made by `make` on a miss. Ids are per backend; the
 * simplified profile uses numbers (no string building on the hot path), others strings.
 */
export function cached<T>(
  key: KerberosKey,
  backend: CryptoBackend,
  id: string | number,
  make: () => T,
): T {
  assertUsable(key)
  const slot = entriesFor(key, backend)
  const entries = slot.entries
  const hit = entries.get(id)
  if (hit !== undefined) {
    if (entries.size >= REFRESH_FROM) {
      // Refresh the LRU position.
      entries.delete(id)
      entries.set(id, hit)
    }
    return hit as T
  }
  const value = make()
  entries.set(id, value)
  if (totalEntries(headOf(key)) > MAX_ENTRIES_PER_KEY) evictOne(headOf(key))
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
  setHead(key, undefined)
}

/** How many entries are cached for `key` (tests and diagnostics). */
export function derivedKeyCount(key: KerberosKey): number {
  return totalEntries(headOf(key))
}
