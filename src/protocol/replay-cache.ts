/**
 * Replay caches for acceptors (RFC 4120 §3.2.3): an authenticator seen once must be refused
 * the second time, for as long as its timestamp would pass the clock-skew check.
 *
 * The interface is one call, `checkAndStore(entry)`, so several acceptor instances (processes,
 * machines) can share one store (Redis `SET key NX PX ttl`, a database unique index...).
 *
 * @module
 */

/**
 * What identifies one authenticator. Like MIT 1.18+, the tag covers the authenticator's
 * ciphertext (its integrity tag), so two different authenticators with the same ctime/cusec
 * are not confused.
 */
export interface ReplayEntry {
  /** A stable key: client, server, ctime, cusec and the authenticator's integrity tag. */
  readonly key: string
  /** The client principal, as text. */
  readonly client: string
  /** The server principal, as text. */
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

/** Options for {@link MemoryReplayCache}. */
export interface MemoryReplayCacheOptions {
  /** Most entries kept (default 250,000). When full, expired entries go first, then the oldest. */
  readonly maxEntries?: number
  /** The clock, in ms since the epoch (default `Date.now`). */
  readonly now?: () => number
}

/**
 * A bounded, expiring in-memory replay cache. Entries leave when they expire (their timestamp is
 * then outside the clock-skew window anyway) or, when `maxEntries` is reached, oldest first —
 * `evicted` counts those, which weaken replay protection; size `maxEntries` for your peak rate
 * times the skew window. Share one instance between acceptors in the same process.
 *
 * @example
 * ```ts
 * const replayCache = new MemoryReplayCache({ maxEntries: 1_000_000 })
 * const a = new Acceptor({ keytab, replayCache })
 * const b = new Acceptor({ keytab: otherKeytab, replayCache })
 * ```
 */
export class MemoryReplayCache implements ReplayCache {
  readonly maxEntries: number
  /** Entries dropped while still unexpired because the cache was full. */
  evicted = 0
  readonly #now: () => number
  // Insertion order is close to expiry order (expiry = ctime + skew), so purging walks the head.
  readonly #entries = new Map<string, number>()

  constructor(options: MemoryReplayCacheOptions = {}) {
    const max = options.maxEntries ?? 250_000
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`expected maxEntries to be a positive integer, got ${String(max)}`)
    }
    this.maxEntries = max
    this.#now = options.now ?? Date.now
  }

  /** Entries currently held. */
  get size(): number {
    return this.#entries.size
  }

  checkAndStore(entry: ReplayEntry): boolean {
    const now = this.#now()
    const entries = this.#entries
    const seen = entries.get(entry.key)
    if (seen !== undefined && seen >= now) return false
    this.#purge(now, 64)
    if (seen !== undefined) entries.delete(entry.key)
    if (entries.size >= this.maxEntries) this.#evict(now)
    entries.set(entry.key, entry.expiresAt)
    return true
  }

  /** Forget everything. */
  clear(): void {
    this.#entries.clear()
  }

  /** Drop expired entries from the head, at most `limit` of them (amortized O(1) per call). */
  #purge(now: number, limit: number): void {
    let n = 0
    for (const [k, exp] of this.#entries) {
      if (exp >= now || n++ >= limit) break
      this.#entries.delete(k)
    }
  }

  #evict(now: number): void {
    this.#purge(now, Infinity)
    const entries = this.#entries
    while (entries.size >= this.maxEntries) {
      const oldest = entries.keys().next().value as string
      entries.delete(oldest)
      this.evicted++
    }
  }
}

/** A cache that stores nothing and never reports a replay (tests, or replay checks done elsewhere). */
export const noReplayCache: ReplayCache = { checkAndStore: () => true }
