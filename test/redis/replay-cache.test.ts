/**
 * RedisReplayCache against a real redis-server (started on 127.0.0.1 by test/helpers/redis.ts),
 * through both node-redis and ioredis, plus fake clients for the failure paths (a client that
 * never answers, one that answers nonsense).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createClient } from 'redis'
import { Redis } from 'ioredis'
import { KerberosError } from '../../src/errors.js'
import type { ReplayEntry } from '../../src/protocol/replay-cache.js'
import {
  RedisReplayCache,
  type RedisClientLike,
  type RedisReplayCacheErrorEvent,
} from '../../src/redis/index.js'
import { skipWithoutRedis, startRedis, type TestRedis } from '../helpers/redis.js'

const skip = skipWithoutRedis()

function entry(client = 'alice@KRBTS.TEST', skewMs = 300_000): ReplayEntry {
  const now = Date.now()
  return {
    key: randomBytes(12).toString('hex'),
    client,
    server: 'HTTP/localhost@KRBTS.TEST',
    time: now,
    expiresAt: now + skewMs,
  }
}

const code = (e: unknown): string | undefined => (e instanceof KerberosError ? e.code : undefined)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

const makeNodeRedis = (url: string) => createClient({ url })

/** Two clients of the two libraries, each used as a different process would. */
interface Clients {
  nodeRedis: ReturnType<typeof makeNodeRedis>
  ioredis: Redis
}

describe('RedisReplayCache with a real redis-server', { skip }, () => {
  let redis: TestRedis
  let c: Clients
  before(async () => {
    redis = await startRedis()
    const nodeRedis = makeNodeRedis(redis.url)
    nodeRedis.on('error', () => {})
    await nodeRedis.connect()
    const ioredis = new Redis(redis.port, '127.0.0.1', { lazyConnect: true })
    ioredis.on('error', () => {})
    await ioredis.connect()
    c = { nodeRedis, ioredis }
  })
  after(async () => {
    c?.nodeRedis.destroy()
    c?.ioredis.disconnect()
    await redis?.stop()
  })

  for (const lib of ['node-redis', 'ioredis'] as const) {
    const client = (): RedisClientLike => (lib === 'node-redis' ? c.nodeRedis : c.ioredis)

    test(`issue 16: ${lib}: an authenticator is new once, then a replay`, async () => {
      const cache = new RedisReplayCache({ client: client(), namespace: `t-${lib}` })
      const e = entry()
      assert.equal(await cache.checkAndStore(e), true)
      assert.equal(await cache.checkAndStore(e), false)
      assert.equal(await cache.checkAndStore({ ...e, client: 'mallory@KRBTS.TEST' }), false)
      assert.equal(await cache.checkAndStore(entry()), true)
      assert.equal(cache.stats.replays, 2)
    })

    test(`issue 16: ${lib}: the key is prefix:namespace:tag with a bounded PX expiry`, async () => {
      const cache = new RedisReplayCache({
        client: client(),
        namespace: 'web-prod',
        clockMarginMs: 1000,
      })
      const e = entry('alice@KRBTS.TEST', 60_000)
      await cache.checkAndStore(e)
      const key = `krb5rc:web-prod:${e.key}`
      assert.equal(cache.keyOf(e), key)
      const pttl = await c.nodeRedis.pTTL(key)
      assert.ok(pttl > 55_000 && pttl <= 61_000, `PTTL ${pttl}`)
      const keys = await c.nodeRedis.keys('krb5rc:web-prod:*')
      assert.ok(keys.every((k) => !k.includes('alice') && !k.includes('HTTP')))
    })
  }

  test('issue 16: the two libraries share one key space (node-redis stores, ioredis sees it)', async () => {
    const a = new RedisReplayCache({ client: c.nodeRedis, namespace: 'shared' })
    const b = new RedisReplayCache({ client: c.ioredis, namespace: 'shared' })
    const e = entry()
    assert.equal(await a.checkAndStore(e), true)
    assert.equal(await b.checkAndStore(e), false)
  })

  test('issue 16: another namespace is another service: no cross-talk', async () => {
    const a = new RedisReplayCache({ client: c.nodeRedis, namespace: 'svc-a' })
    const b = new RedisReplayCache({ client: c.nodeRedis, namespace: 'svc-b' })
    const e = entry()
    assert.equal(await a.checkAndStore(e), true)
    assert.equal(await b.checkAndStore(e), true)
  })

  test('issue 16: concurrent requests are batched: fewer round trips than accepts', async () => {
    const cache = new RedisReplayCache({ client: c.ioredis, namespace: 'batch' })
    const entries = Array.from({ length: 2000 }, () => entry())
    const first = await Promise.all(entries.map((e) => cache.checkAndStore(e)))
    assert.ok(first.every((x) => x === true))
    const again = await Promise.all(entries.map((e) => cache.checkAndStore(e)))
    assert.ok(again.every((x) => x === false))
    assert.equal(cache.stats.checked, 4000)
    assert.ok(cache.stats.roundTrips <= 16, `${cache.stats.roundTrips} round trips for 4000`)
  })

  test('issue 16: concurrent replays of one authenticator: exactly one is new', async () => {
    const caches = [c.nodeRedis, c.ioredis, c.nodeRedis, c.ioredis].map(
      (client) => new RedisReplayCache({ client, namespace: 'race', maxBatch: 3 }),
    )
    const e = entry()
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => caches[i % 4]!.checkAndStore(e)),
    )
    assert.equal(answers.filter((x) => x).length, 1)
  })

  test('issue 16: Redis stopped → fail closed (ERR_KRB_REPLAY_CACHE_UNAVAILABLE), then recovery', async () => {
    const errors: RedisReplayCacheErrorEvent[] = []
    const caches = [c.nodeRedis, c.ioredis].map(
      (client) =>
        new RedisReplayCache({
          client,
          namespace: 'down',
          timeoutMs: 300,
          onError: (ev) => errors.push(ev),
        }),
    )
    const before = entry()
    assert.equal(await caches[0]!.checkAndStore(before), true)
    await redis.down()
    try {
      for (const cache of caches) {
        const t0 = Date.now()
        await assert.rejects(cache.checkAndStore(entry()), (e) => {
          assert.equal(code(e), 'ERR_KRB_REPLAY_CACHE_UNAVAILABLE')
          assert.ok(!String((e as Error).message).includes(before.key))
          return true
        })
        assert.ok(Date.now() - t0 < 2000, 'bounded by timeoutMs (or the client error)')
        // A replay of an entry stored before the outage is refused too (not let through).
        await assert.rejects(
          cache.checkAndStore(before),
          (e) => code(e) === 'ERR_KRB_REPLAY_CACHE_UNAVAILABLE',
        )
      }
      assert.ok(errors.length >= 2)
      assert.ok(errors.every((ev) => ev.reason === 'timeout' || ev.reason === 'error'))
    } finally {
      await redis.up()
    }
    for (const cache of caches) {
      // A fresh authenticator per attempt: a command that timed out may still run after the
      // reconnect (the client's offline queue), storing its entry.
      let e = entry()
      let answer: boolean | undefined
      for (let i = 0; i < 50 && answer === undefined; i++) {
        e = entry()
        answer = await cache.checkAndStore(e).catch(() => undefined)
        if (answer === undefined) await sleep(100)
      }
      assert.equal(answer, true, 'recovers once Redis is back')
      assert.equal(await cache.checkAndStore(e), false)
    }
  })

  test('issue 16: a Redis restart without appendonly forgets entries (documented)', async () => {
    const cache = new RedisReplayCache({ client: c.nodeRedis, namespace: 'restart' })
    const e = entry()
    assert.equal(await cache.checkAndStore(e), true)
    await redis.down()
    await redis.up()
    let answer: boolean | undefined
    for (let i = 0; i < 50 && answer === undefined; i++) {
      answer = await cache.checkAndStore(e).catch(() => undefined)
      if (answer === undefined) await sleep(100)
    }
    assert.equal(answer, true, 'the entry was lost with the restart: the replay passes')
  })
})

describe('RedisReplayCache with appendonly yes', { skip }, () => {
  test('issue 16: with appendonly + appendfsync always, entries survive a restart', async () => {
    const redis = await startRedis({ appendonly: true })
    const client = createClient({ url: redis.url })
    client.on('error', () => {})
    try {
      await client.connect()
      const cache = new RedisReplayCache({ client, namespace: 'aof' })
      const e = entry()
      assert.equal(await cache.checkAndStore(e), true)
      await redis.down()
      await redis.up()
      let answer: boolean | undefined
      for (let i = 0; i < 50 && answer === undefined; i++) {
        answer = await cache.checkAndStore(e).catch(() => undefined)
        if (answer === undefined) await sleep(100)
      }
      assert.equal(answer, false, 'still a replay after the restart')
    } finally {
      client.destroy()
      await redis.stop()
    }
  })
})

/** A client that never answers, or answers with `reply`. */
function fakeClient(reply?: () => unknown): RedisClientLike & { calls: number } {
  const f = {
    calls: 0,
    sendCommand(): Promise<unknown> {
      f.calls++
      return reply === undefined ? new Promise(() => {}) : Promise.resolve(reply())
    },
  }
  return f
}

describe('RedisReplayCache failure paths (no server)', () => {
  test('issue 16: no answer within timeoutMs → ERR_KRB_REPLAY_CACHE_UNAVAILABLE', async () => {
    const cache = new RedisReplayCache({ client: fakeClient(), namespace: 'x', timeoutMs: 50 })
    await assert.rejects(cache.checkAndStore(entry()), (e) => {
      assert.equal(code(e), 'ERR_KRB_REPLAY_CACHE_UNAVAILABLE')
      assert.equal((e as KerberosError).context?.reason, 'timeout')
      return true
    })
    assert.equal(cache.stats.failed, 1)
  })

  test('issue 16: the waiting queue is bounded: over maxQueue fails at once', async () => {
    const client = fakeClient()
    const cache = new RedisReplayCache({ client, namespace: 'x', timeoutMs: 200, maxQueue: 3 })
    const first = cache.checkAndStore(entry()) // in flight
    await sleep(5)
    const queued = [1, 2, 3].map(() => cache.checkAndStore(entry()))
    assert.equal(cache.queued, 3)
    await assert.rejects(cache.checkAndStore(entry()), (e) => {
      assert.equal((e as KerberosError).context?.reason, 'queue-full')
      return true
    })
    for (const p of [first, ...queued]) await assert.rejects(p)
    assert.equal(client.calls, 2, 'one round trip in flight at a time, the queue in one batch')
  })

  test('issue 16: an answer of the wrong shape is a failure, not "new"', async () => {
    for (const reply of ['OK', [1, 1], null, [2], [[1]], ['1']]) {
      const cache = new RedisReplayCache({ client: fakeClient(() => reply), namespace: 'x' })
      await assert.rejects(cache.checkAndStore(entry()), (e) => {
        assert.equal((e as KerberosError).context?.reason, 'bad-reply')
        return true
      })
    }
  })

  test('issue 16: whenUnavailable accept (fail open) still refuses a replay to the same process', async () => {
    const events: RedisReplayCacheErrorEvent[] = []
    const cache = new RedisReplayCache({
      client: fakeClient(),
      namespace: 'x',
      timeoutMs: 30,
      whenUnavailable: 'accept',
      onError: (ev) => events.push(ev),
    })
    const e = entry()
    assert.equal(await cache.checkAndStore(e), true)
    assert.equal(await cache.checkAndStore(e), false)
    assert.equal(cache.stats.failedOpen, 2)
    assert.equal(events.length, 2)
  })

  test('issue 16: a client error rejects with the error as cause; a throwing onError changes nothing', async () => {
    const boom = new Error('ECONNREFUSED')
    const cache = new RedisReplayCache({
      client: { call: () => Promise.reject(boom) },
      namespace: 'x',
      onError: () => {
        throw new Error('listener bug')
      },
    })
    await assert.rejects(cache.checkAndStore(entry()), (e) => {
      assert.equal(code(e), 'ERR_KRB_REPLAY_CACHE_UNAVAILABLE')
      assert.equal((e as KerberosError).cause, boom)
      return true
    })
  })

  test('issue 16: a throwing onBatch listener changes no answer', async () => {
    const cache = new RedisReplayCache({
      client: fakeClient(() => [1]),
      namespace: 'x',
      onBatch: () => {
        throw new Error('listener bug')
      },
    })
    assert.equal(await cache.checkAndStore(entry()), true)
  })

  test('issue 16: options are checked', () => {
    const client = fakeClient()
    assert.throws(() => new RedisReplayCache({ client, namespace: '' }), TypeError)
    assert.throws(
      () => new RedisReplayCache({ client: {} as RedisClientLike, namespace: 'x' }),
      TypeError,
    )
    assert.throws(() => new RedisReplayCache({ client, namespace: 'x', maxBatch: 0 }), RangeError)
    assert.throws(
      () => new RedisReplayCache({ client, namespace: 'x', clockMarginMs: Infinity }),
      RangeError,
    )
    assert.throws(
      () =>
        new RedisReplayCache({
          client,
          namespace: 'x',
          whenUnavailable: 'maybe' as 'accept',
        }),
      RangeError,
    )
  })
})
