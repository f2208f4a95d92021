/**
 * A replay cache shared by every acceptor of a fleet (Node cluster workers, pods behind a load
 * balancer) through Redis or Valkey: one atomic `SET key 1 NX PX ttl` per authenticator, so an
 * `Authorization: Negotiate` header captured at one instance is refused by all the others
 * (RFC 4120 §3.2.3). The Redis client is injected: node-redis (v4 and later) and ioredis both fit
 * {@link RedisClientLike}; neither is a dependency of this package.
 *
 * @module
 */
import { ErrorCodes, KerberosError } from '../errors.js'
import { MemoryReplayCache, type ReplayCache, type ReplayEntry } from '../protocol/replay-cache.js'

/** The one method of a node-redis client (v4, v5, v6: `createClient()`) this cache calls. */
export interface NodeRedisClientLike {
  sendCommand(args: string[]): Promise<unknown>
}

/** The one method of an ioredis client (`new Redis()`, also `Cluster`) this cache calls. */
export interface IORedisClientLike {
  call(command: string, ...args: string[]): Promise<unknown>
}

/**
 * A connected Redis client: ioredis (its `call` is used when present) or node-redis
 * (`sendCommand`), or anything with one of these methods.
 */
export type RedisClientLike = NodeRedisClientLike | IORedisClientLike

/** Why the shared cache could not answer. */
export type RedisReplayCacheFailure = 'error' | 'timeout' | 'queue-full' | 'bad-reply'

/** What {@link RedisReplayCacheOptions.onError} receives. */
export interface RedisReplayCacheErrorEvent {
  readonly reason: RedisReplayCacheFailure
  /** The client's error (reason `'error'`), or the cache's own description. */
  readonly error: unknown
  /** Requests refused (or let through by `whenUnavailable: 'accept'`) by this failure. */
  readonly entries: number
}

/** What {@link RedisReplayCacheOptions.onBatch} receives after every answered round trip. */
export interface RedisReplayCacheBatchEvent {
  /** Authenticators checked in this round trip. */
  readonly size: number
  /** Of those, replays. */
  readonly replays: number
  /** Time from sending the batch to its answer, in milliseconds. */
  readonly latencyMs: number
}

/** Options for {@link RedisReplayCache}. */
export interface RedisReplayCacheOptions {
  /** The connected client, shared with the rest of the application. */
  readonly client: RedisClientLike
  /**
   * The service's name in the key space (`'web-prod'` → keys `krb5rc:web-prod:<tag>`), chosen by
   * the operator, so unrelated services sharing a Redis do not see each other's entries. For
   * Redis Cluster put it in a hash tag (`'{web-prod}'`): a batch is one script over its keys.
   */
  readonly namespace: string
  /** Key prefix before the namespace (default `krb5rc:`). */
  readonly prefix?: string
  /**
   * Added to every entry's lifetime (default 30000 ms): acceptor hosts' clocks differ, and an
   * entry must outlive the skew window of the slowest clock in the fleet.
   */
  readonly clockMarginMs?: number
  /** A round trip not answered within this is a failure (default 1000 ms). */
  readonly timeoutMs?: number
  /** Most authenticators in one round trip (default 512). */
  readonly maxBatch?: number
  /** Round trips in flight at once (default 1; requests arriving meanwhile go in the next). */
  readonly maxInFlight?: number
  /** Most requests waiting for a round trip (default 10000); more fail as `'queue-full'`. */
  readonly maxQueue?: number
  /**
   * When Redis cannot answer: `'refuse'` (default, fail closed) rejects the request with
   * ERR_KRB_REPLAY_CACHE_UNAVAILABLE (HTTP 503); `'accept'` (fail open) checks a local in-memory
   * cache instead, so a replay to the same process is still caught but one to another is not.
   */
  readonly whenUnavailable?: 'refuse' | 'accept'
  /** Called on every failure (for logs and alerts). */
  readonly onError?: (event: RedisReplayCacheErrorEvent) => void
  /** Called after every answered round trip (for latency metrics). */
  readonly onBatch?: (event: RedisReplayCacheBatchEvent) => void
  /** The clock, in ms since the epoch (default `Date.now`). */
  readonly now?: () => number
}

/** Counters of a {@link RedisReplayCache}, for metrics. */
export interface RedisReplayCacheStats {
  /** Answered round trips. */
  roundTrips: number
  /** Authenticators answered by Redis. */
  checked: number
  /** Of those, replays. */
  replays: number
  /** Authenticators that got no answer (error, timeout, queue full, bad reply). */
  failed: number
  /** Of the failed, let through by `whenUnavailable: 'accept'`. */
  failedOpen: number
  /** Sum and maximum of round-trip latencies, in ms. */
  latencyMsTotal: number
  latencyMsMax: number
}

/**
 * One script call per batch: `SET key 1 NX PX ttl` for every key, atomic per key, answering 1
 * (new, stored) or 0 (seen before) in order.
 */
const SCRIPT =
  "local r = {} for i = 1, #KEYS do if redis.call('SET', KEYS[i], '1', 'NX', 'PX', ARGV[i]) " +
  'then r[i] = 1 else r[i] = 0 end end return r'

interface Pending {
  readonly entry: ReplayEntry
  readonly resolve: (fresh: boolean) => void
  readonly reject: (err: unknown) => void
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`expected ${name} to be a positive integer, got ${String(value)}`)
  }
  return value
}

/** ioredis has both `call` and a `sendCommand` of its own (a Command object): `call` first. */
function commandOf(client: RedisClientLike): (args: string[]) => Promise<unknown> {
  if (client !== null && typeof client === 'object') {
    if (typeof (client as IORedisClientLike).call === 'function') {
      const c = client as IORedisClientLike
      return (args) => c.call(args[0]!, ...args.slice(1))
    }
    if (typeof (client as NodeRedisClientLike).sendCommand === 'function') {
      const c = client as NodeRedisClientLike
      return (args) => c.sendCommand(args)
    }
  }
  throw new TypeError('expected an ioredis client (call) or a node-redis client (sendCommand)')
}

/**
 * A {@link ReplayCache} in Redis/Valkey for acceptors in several processes or machines. Requests
 * that arrive while a round trip is in flight are batched into the next one (one script call), so
 * under load there is less than one round trip per accept. Answers with a Promise: acceptors use
 * `acceptAsync` (the HTTP layer does). Fails closed by default.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { RedisReplayCache } from 'kerberos-ts/redis'
 * const client = await createClient({ url: 'redis://10.0.0.5:6379' }).connect()
 * const replayCache = new RedisReplayCache({ client, namespace: 'web-prod' })
 * const acceptor = new Acceptor({ keytab, replayCache })
 * await acceptor.acceptAsync(apReq) // ERR_KRB_REPLAY at every other instance
 * ```
 */
export class RedisReplayCache implements ReplayCache {
  readonly namespace: string
  /** Counters since construction. */
  readonly stats: RedisReplayCacheStats = {
    roundTrips: 0,
    checked: 0,
    replays: 0,
    failed: 0,
    failedOpen: 0,
    latencyMsTotal: 0,
    latencyMsMax: 0,
  }
  readonly #command: (args: string[]) => Promise<unknown>
  readonly #prefix: string
  readonly #margin: number
  readonly #timeout: number
  readonly #maxBatch: number
  readonly #maxInFlight: number
  readonly #maxQueue: number
  readonly #failOpen: MemoryReplayCache | undefined
  readonly #onError: ((event: RedisReplayCacheErrorEvent) => void) | undefined
  readonly #onBatch: ((event: RedisReplayCacheBatchEvent) => void) | undefined
  readonly #now: () => number
  #queue: Pending[] = []
  #inFlight = 0
  #scheduled = false

  constructor(options: RedisReplayCacheOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('expected options')
    if (typeof options.namespace !== 'string' || options.namespace === '') {
      throw new TypeError('expected a non-empty namespace (the service, e.g. "web-prod")')
    }
    this.#command = commandOf(options.client)
    this.namespace = options.namespace
    this.#prefix = `${options.prefix ?? 'krb5rc:'}${options.namespace}:`
    this.#margin = options.clockMarginMs ?? 30_000
    if (!Number.isFinite(this.#margin) || this.#margin < 0) {
      throw new RangeError(`expected clockMarginMs >= 0, got ${String(this.#margin)}`)
    }
    this.#timeout = positiveInt('timeoutMs', options.timeoutMs ?? 1000)
    this.#maxBatch = positiveInt('maxBatch', options.maxBatch ?? 512)
    this.#maxInFlight = positiveInt('maxInFlight', options.maxInFlight ?? 1)
    this.#maxQueue = positiveInt('maxQueue', options.maxQueue ?? 10_000)
    const mode = options.whenUnavailable ?? 'refuse'
    if (mode !== 'refuse' && mode !== 'accept') {
      throw new RangeError(`expected whenUnavailable 'refuse' or 'accept', got ${String(mode)}`)
    }
    this.#now = options.now ?? Date.now
    this.#failOpen =
      mode === 'accept' ? new MemoryReplayCache({ now: this.#now, maxEntries: 100_000 }) : undefined
    this.#onError = options.onError
    this.#onBatch = options.onBatch
  }

  /** The Redis key of an entry: prefix, namespace, the authenticator's integrity tag. */
  keyOf(entry: ReplayEntry): string {
    return this.#prefix + entry.key
  }

  /** Requests waiting for a round trip (not yet sent). */
  get queued(): number {
    return this.#queue.length
  }

  /**
   * Resolves true when the authenticator is new (and now stored), false for a replay. Rejects with
   * ERR_KRB_REPLAY_CACHE_UNAVAILABLE when Redis cannot answer and the cache fails closed.
   */
  checkAndStore(entry: ReplayEntry): Promise<boolean> {
    if (this.#queue.length >= this.#maxQueue) {
      const error = `${this.#maxQueue} requests already wait for Redis`
      return this.#fallback([entry], 'queue-full', error)[0]!
    }
    return new Promise<boolean>((resolve, reject) => {
      this.#queue.push({ entry, resolve, reject })
      this.#kick()
    })
  }

  /** Send what waits, once the current synchronous burst has queued (one microtask later). */
  #kick(): void {
    if (this.#scheduled || this.#inFlight >= this.#maxInFlight || this.#queue.length === 0) return
    this.#scheduled = true
    queueMicrotask(() => {
      this.#scheduled = false
      while (this.#inFlight < this.#maxInFlight && this.#queue.length > 0) {
        void this.#send(this.#queue.splice(0, this.#maxBatch))
      }
    })
  }

  async #send(batch: Pending[]): Promise<void> {
    this.#inFlight++
    const started = this.#now()
    const args = ['EVAL', SCRIPT, String(batch.length)]
    for (const p of batch) args.push(this.keyOf(p.entry))
    for (const p of batch) args.push(String(this.#ttl(p.entry, started)))
    let reply: unknown
    try {
      reply = await this.#bounded(this.#command(args))
    } catch (err) {
      const reason = err === TIMEOUT ? 'timeout' : 'error'
      this.#settleFailed(batch, reason, err === TIMEOUT ? `no answer in ${this.#timeout} ms` : err)
      return
    } finally {
      this.#inFlight--
      this.#kick()
    }
    this.#settle(batch, reply, this.#now() - started)
  }

  /** Entry lifetime in Redis: until its skew window closes on the slowest clock, at least 1 ms. */
  #ttl(entry: ReplayEntry, now: number): number {
    return Math.max(1, Math.ceil(entry.expiresAt - now + this.#margin))
  }

  #bounded(p: Promise<unknown>): Promise<unknown> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(TIMEOUT), this.#timeout)
    })
    return Promise.race([p, late]).finally(() => clearTimeout(timer))
  }

  #settle(batch: Pending[], reply: unknown, latencyMs: number): void {
    const ok =
      Array.isArray(reply) &&
      reply.length === batch.length &&
      reply.every((x) => x === 0 || x === 1 || x === 0n || x === 1n)
    if (!ok) {
      this.#settleFailed(batch, 'bad-reply', 'Redis answered the batch with something else')
      return
    }
    const s = this.stats
    let replays = 0
    batch.forEach((p, i) => {
      const fresh = Number((reply as unknown[])[i]) === 1
      if (!fresh) replays++
      p.resolve(fresh)
    })
    s.roundTrips++
    s.checked += batch.length
    s.replays += replays
    s.latencyMsTotal += latencyMs
    if (latencyMs > s.latencyMsMax) s.latencyMsMax = latencyMs
    try {
      this.#onBatch?.({ size: batch.length, replays, latencyMs })
    } catch {
      // A failing listener must not change the answers (already given).
    }
  }

  #settleFailed(batch: Pending[], reason: RedisReplayCacheFailure, error: unknown): void {
    const answers = this.#fallback(
      batch.map((p) => p.entry),
      reason,
      error,
    )
    batch.forEach((p, i) => answers[i]!.then(p.resolve, p.reject))
  }

  /** Fail closed (rejections) or open (the local cache's answers) for entries Redis did not answer. */
  #fallback(
    entries: readonly ReplayEntry[],
    reason: RedisReplayCacheFailure,
    error: unknown,
  ): Promise<boolean>[] {
    this.stats.failed += entries.length
    try {
      this.#onError?.({ reason, error, entries: entries.length })
    } catch {
      // A failing listener must not change the answer.
    }
    const local = this.#failOpen
    if (local !== undefined) {
      this.stats.failedOpen += entries.length
      return entries.map((e) => Promise.resolve(local.checkAndStore(e)))
    }
    return entries.map((e) => Promise.reject(unavailable(e, reason, error)))
  }
}

const TIMEOUT: unique symbol = Symbol('timeout')

function unavailable(entry: ReplayEntry, reason: string, error: unknown): KerberosError {
  const why = typeof error === 'string' ? `: ${error}` : ''
  return new KerberosError(
    ErrorCodes.REPLAY_CACHE_UNAVAILABLE,
    `shared replay cache unavailable (${reason}${why}): request from ${entry.client} refused`,
    {
      context: { reason, client: entry.client },
      ...(typeof error === 'string' ? {} : { cause: error }),
    },
  )
}
