/**
 * Replay caches for acceptors (RFC 4120 §3.2.3): an authenticator seen once must be refused
 * the second time, for as long as its timestamp would pass the clock-skew check.
 *
 * The interface is one call, `checkAndStore(entry)`, so several acceptor instances (processes,
 * machines) can share one store (Redis `SET key NX PX ttl`, a database unique index...).
 *
 * @module
 */
import type { EncryptedData } from '../asn1/index.js'
import { getProfile } from '../crypto/index.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import { EncType } from '../iana.js'
import { toHex } from '../internal/bytes.js'

/**
 * What identifies one authenticator. Like MIT 1.18+, the key is the authenticator ciphertext's
 * integrity tag (see {@link replayKey}), never a name: the ticket's server name is sent in the
 * clear (RFC 4120 §5.3), so a key holding it lets a captured AP-REQ be replayed under another
 * principal of the same keytab (an AD account's SPNs share one key).
 */
export interface ReplayEntry {
  /** The stable key: {@link replayKey} of the authenticator (its integrity tag, in hex). */
  readonly key: string
  /** The client principal, as text (from the decrypted ticket: authenticated). */
  readonly client: string
  /** The server principal, as text, for logs only (the ticket's clear sname: not authenticated). */
  readonly server: string
  /** The authenticator's ctime + cusec, in milliseconds since the epoch. */
  readonly time: number
  /** When the entry can be forgotten (ms since the epoch): time + clock skew. */
  readonly expiresAt: number
}

/**
 * A replay cache. `checkAndStore` returns `true` when the entry is new (and stores it), `false`
 * when it was seen before. It may return a Promise (a shared network store); the acceptor then
 * needs `acceptAsync`.
 *
 * @example
 * ```ts
 * const shared: ReplayCache = {
 *   async checkAndStore(e) {
 *     return (await redis.set(`rc:${e.key}`, '1', { NX: true, PXAT: e.expiresAt })) === 'OK'
 *   },
 * }
 * ```
 */
export interface ReplayCache {
  checkAndStore(entry: ReplayEntry): boolean | Promise<boolean>
}

const isRC4 = (etype: number): boolean =>
  etype === EncType.RC4_HMAC || etype === EncType.RC4_HMAC_EXP

/**
 * The integrity tag of an authenticator's ciphertext: the trailing HMAC of the RFC 3961
 * simplified profile (aes-sha1: 12 octets, aes-sha2: 16 or 24), the leading HMAC-MD5 for
 * rc4-hmac (RFC 4757: 16 octets). It is unique per authenticator and, once the ciphertext has
 * decrypted, cannot be changed without the session key. Throws ERR_KRB_UNSUPPORTED_ENCTYPE for
 * an unknown enctype and ERR_KRB_AP_ERROR for a ciphertext shorter than its tag.
 *
 * @example
 * ```ts
 * toHex(authenticatorTag(decodeAPReq(bytes).authenticator)) // '6f1c…' (24 hex digits, aes256-sha1)
 * ```
 */
export function authenticatorTag(authenticator: EncryptedData): Uint8Array {
  const { etype, cipher } = authenticator
  const h = isRC4(etype) ? 16 : getProfile(etype, { allowWeak: true }).checksumLength
  if (cipher.length < h) {
    throw new KerberosError(
      ErrorCodes.AP_ERROR,
      `authenticator ciphertext of ${cipher.length} octets is shorter than its ${h}-octet integrity tag`,
      { context: { reason: 'bad-integrity' } },
    )
  }
  return isRC4(etype) ? cipher.subarray(0, h) : cipher.subarray(cipher.length - h)
}

/** Options for {@link replayKey}. */
export interface ReplayKeyOptions {
  /**
   * A prefix chosen by the operator for a shared store (`'web-prod'` → `web-prod:…`), so
   * unrelated deployments sharing one Redis do not see each other. Never a name from the ticket.
   */
  readonly namespace?: string
}

/**
 * The replay-cache key of an authenticator: its {@link authenticatorTag} in hex, optionally
 * namespaced. The in-memory cache and shared caches (Redis...) use the same derivation, so a
 * captured AP-REQ replayed with its clear sname/realm rewritten to another alias of the same
 * key still hits the same entry.
 *
 * @example
 * ```ts
 * const key = replayKey(decodeAPReq(bytes).authenticator, { namespace: 'web-prod' })
 * await redis.set(`rc:${key}`, '1', { NX: true, PXAT: expiresAt })
 * ```
 */
export function replayKey(authenticator: EncryptedData, options: ReplayKeyOptions = {}): string {
  const tag = toHex(authenticatorTag(authenticator))
  return options.namespace === undefined ? tag : `${options.namespace}:${tag}`
}

/** What {@link MemoryReplayCacheOptions.onEviction} receives. */
export interface ReplayEvictionEvent {
  /** The client whose unexpired entry was dropped (the one holding the most entries). */
  readonly evictedClient: string
  /** The client whose request needed the room. */
  readonly requestingClient: string
  /** Entries dropped while unexpired so far (1 on the first call). */
  readonly evicted: number
  readonly maxEntries: number
}

/** Options for {@link MemoryReplayCache}. */
export interface MemoryReplayCacheOptions {
  /** Most entries kept (default 250,000). Expired entries always go first. */
  readonly maxEntries?: number
  /** The clock, in ms since the epoch (default `Date.now`; an Acceptor passes its own `now`). */
  readonly now?: () => number
  /**
   * When full of unexpired entries: `'evict'` (default) drops the oldest entry of the client
   * holding the most entries (the flooder's own first), which weakens replay protection for that
   * client only; `'refuse'` (fail closed) evicts nothing and refuses the new request with
   * ERR_KRB_REPLAY_CACHE_FULL until entries expire.
   */
  readonly whenFull?: 'evict' | 'refuse'
  /** Called on the first eviction of an unexpired entry (then see `evicted`). */
  readonly onEviction?: (event: ReplayEvictionEvent) => void
}

interface Slot {
  readonly key: string
  readonly client: string
  readonly expiresAt: number
}

/** One client's entries: a count and a FIFO of its slots (removed slots are skipped lazily). */
interface ClientSlots {
  count: number
  queue: Slot[]
  head: number
}

/**
 * A bounded, expiring in-memory replay cache. Entries leave when they expire (their timestamp is
 * then outside the clock-skew window anyway). When `maxEntries` unexpired entries are held, an
 * authenticated client minting fresh AP-REQs could push out everybody else's entries and so
 * re-open their captured requests to replay; instead the cache drops the oldest entry of the
 * client holding the most (the flooder pays), or with `whenFull: 'refuse'` refuses new requests.
 * `evicted` and `refused` count those. Size `maxEntries` for your peak rate times twice the skew
 * window. Share one instance between acceptors in the same process.
 *
 * @example
 * ```ts
 * const replayCache = new MemoryReplayCache({ maxEntries: 1_000_000, onEviction: (e) => log.warn(e) })
 * const a = new Acceptor({ keytab, replayCache })
 * const b = new Acceptor({ keytab: otherKeytab, replayCache })
 * ```
 */
export class MemoryReplayCache implements ReplayCache {
  readonly maxEntries: number
  /** Entries dropped while still unexpired because the cache was full. */
  evicted = 0
  /** Requests refused because the cache was full (`whenFull: 'refuse'`). */
  refused = 0
  readonly #now: () => number
  readonly #refuse: boolean
  readonly #onEviction: ((event: ReplayEvictionEvent) => void) | undefined
  readonly #entries = new Map<string, Slot>()
  /** A min-heap on expiry; slots no longer in #entries are skipped (lazy deletion). */
  #heap: Slot[] = []
  /** Client → its slots, oldest first. */
  readonly #byClient = new Map<string, ClientSlots>()
  /** Entry count → clients with that many entries; #max is the largest non-empty count. */
  readonly #buckets = new Map<number, Set<string>>()
  #max = 0

  constructor(options: MemoryReplayCacheOptions = {}) {
    const max = options.maxEntries ?? 250_000
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`expected maxEntries to be a positive integer, got ${String(max)}`)
    }
    const whenFull = options.whenFull ?? 'evict'
    if (whenFull !== 'evict' && whenFull !== 'refuse') {
      throw new RangeError(`expected whenFull to be 'evict' or 'refuse', got ${String(whenFull)}`)
    }
    this.maxEntries = max
    this.#now = options.now ?? Date.now
    this.#refuse = whenFull === 'refuse'
    this.#onEviction = options.onEviction
  }

  /** Entries currently held. */
  get size(): number {
    return this.#entries.size
  }

  /** Throws ERR_KRB_REPLAY_CACHE_FULL when full with `whenFull: 'refuse'`. */
  checkAndStore(entry: ReplayEntry): boolean {
    const now = this.#now()
    const seen = this.#entries.get(entry.key)
    if (seen !== undefined && seen.expiresAt >= now) return false
    this.#purge(now)
    if (seen !== undefined && this.#entries.get(entry.key) === seen) this.#remove(seen)
    if (this.#entries.size >= this.maxEntries) this.#makeRoom(entry)
    this.#add({ key: entry.key, client: entry.client, expiresAt: entry.expiresAt })
    return true
  }

  /** Forget everything. */
  clear(): void {
    this.#entries.clear()
    this.#heap = []
    this.#byClient.clear()
    this.#buckets.clear()
    this.#max = 0
  }

  #makeRoom(entry: ReplayEntry): void {
    if (this.#refuse) {
      this.refused++
      throw new KerberosError(
        ErrorCodes.REPLAY_CACHE_FULL,
        `replay cache is full (${this.maxEntries} unexpired entries): request from ${entry.client} refused`,
        { context: { client: entry.client, maxEntries: this.maxEntries } },
      )
    }
    while (this.#entries.size >= this.maxEntries) {
      const victim = this.#heaviest(entry.client)
      const rec = this.#byClient.get(victim)!
      this.#skipDead(rec)
      this.#remove(rec.queue[rec.head]!)
      if (++this.evicted === 1) {
        this.#onEviction?.({
          evictedClient: victim,
          requestingClient: entry.client,
          evicted: 1,
          maxEntries: this.maxEntries,
        })
      }
    }
  }

  /** The client holding the most entries; the requester itself when it is one of them. */
  #heaviest(requester: string): string {
    const top = this.#buckets.get(this.#max)!
    return top.has(requester) ? requester : (top.values().next().value as string)
  }

  #add(slot: Slot): void {
    this.#entries.set(slot.key, slot)
    heapPush(this.#heap, slot)
    let rec = this.#byClient.get(slot.client)
    if (rec === undefined) this.#byClient.set(slot.client, (rec = { count: 0, queue: [], head: 0 }))
    this.#move(slot.client, rec.count, ++rec.count)
    rec.queue.push(slot)
  }

  #remove(slot: Slot): void {
    this.#entries.delete(slot.key)
    const rec = this.#byClient.get(slot.client)!
    this.#move(slot.client, rec.count, --rec.count)
    if (rec.count === 0) this.#byClient.delete(slot.client)
    else this.#skipDead(rec)
  }

  /** Advance past removed slots at the head; compact when dead slots dominate (amortized O(1)). */
  #skipDead(rec: ClientSlots): void {
    const live = (x: Slot): boolean => this.#entries.get(x.key) === x
    while (rec.head < rec.queue.length && !live(rec.queue[rec.head]!)) rec.head++
    if (rec.queue.length - rec.head > 2 * rec.count + 64) {
      rec.queue = rec.queue.slice(rec.head).filter(live)
      rec.head = 0
    } else if (rec.head > 64 && rec.head * 2 > rec.queue.length) {
      rec.queue = rec.queue.slice(rec.head)
      rec.head = 0
    }
  }

  /** Move a client between count buckets, keeping #max the largest non-empty one. */
  #move(client: string, from: number, to: number): void {
    const b = this.#buckets
    if (from > 0) {
      const set = b.get(from)!
      set.delete(client)
      if (set.size === 0) b.delete(from)
    }
    if (to > 0) {
      let set = b.get(to)
      if (set === undefined) b.set(to, (set = new Set()))
      set.add(client)
    }
    if (to > this.#max) this.#max = to
    while (this.#max > 0 && !b.has(this.#max)) this.#max--
  }

  /** Drop expired entries (heap order: O(log n) each), and compact the heap of evicted slots. */
  #purge(now: number): void {
    const heap = this.#heap
    while (heap.length > 0 && heap[0]!.expiresAt < now) {
      const slot = heapPop(heap)
      if (this.#entries.get(slot.key) === slot) this.#remove(slot)
    }
    if (heap.length > 2 * this.#entries.size + 1024) {
      this.#heap = [...this.#entries.values()].sort((a, b) => a.expiresAt - b.expiresAt)
    }
  }
}

function heapPush(heap: Slot[], slot: Slot): void {
  let i = heap.push(slot) - 1
  while (i > 0) {
    const parent = (i - 1) >> 1
    if (heap[parent]!.expiresAt <= slot.expiresAt) break
    heap[i] = heap[parent]!
    i = parent
  }
  heap[i] = slot
}

function heapPop(heap: Slot[]): Slot {
  const top = heap[0]!
  const last = heap.pop()!
  if (heap.length === 0) return top
  let i = 0
  for (;;) {
    const l = 2 * i + 1
    if (l >= heap.length) break
    const r = l + 1
    const c = r < heap.length && heap[r]!.expiresAt < heap[l]!.expiresAt ? r : l
    if (heap[c]!.expiresAt >= last.expiresAt) break
    heap[i] = heap[c]!
    i = c
  }
  heap[i] = last
  return top
}

/** A cache that stores nothing and never reports a replay (tests, or replay checks done elsewhere). */
export const noReplayCache: ReplayCache = { checkAndStore: () => true }
