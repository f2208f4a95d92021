/**
 * Issue 16, item 2: the HTTP layer with an asynchronous (Redis) replay cache: `negotiate()` and the
 * middleware go through acceptAsync, refuse replays, and answer 503 (not 401) when the shared
 * cache cannot answer and fails closed. With the in-memory cache the path stays synchronous.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { InitiatorContext } from '../../src/gssapi/context.js'
import { unframeKrb5Token } from '../../src/gssapi/framing.js'
import { SpnegoInitiatorContext } from '../../src/gssapi/spnego.js'
import { negotiate, negotiateMiddleware } from '../../src/http/index.js'
import { toBase64 } from '../../src/internal/bytes.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { MemoryReplayCache } from '../../src/protocol/replay-cache.js'
import { RedisReplayCache, type RedisClientLike } from '../../src/redis/index.js'
import { fakeService } from '../helpers/gss-peers.js'

const svc = fakeService()
const header = (): string =>
  `Negotiate ${toBase64(new SpnegoInitiatorContext({ credentials: svc.issue() }).step()!)}`

/** A client over an in-process Map, answering the batch script as Redis would. */
function mapClient(): RedisClientLike & { down: boolean } {
  const seen = new Set<string>()
  const c = {
    down: false,
    sendCommand(args: string[]): Promise<unknown> {
      if (c.down) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'))
      const n = Number(args[2])
      const keys = args.slice(3, 3 + n)
      return Promise.resolve(keys.map((k) => (seen.has(k) ? 0 : (seen.add(k), 1))))
    },
  }
  return c
}

describe('issue 16: HTTP Negotiate with a shared (asynchronous) replay cache', () => {
  test('issue 16: negotiate() accepts once and refuses the replay through RedisReplayCache', async () => {
    const replayCache = new RedisReplayCache({ client: mapClient(), namespace: 'web' })
    const acceptor = new Acceptor({ keytab: svc.keytab, replayCache })
    const h = header()
    assert.equal((await negotiate({ acceptor, authorization: h })).status, 200)
    const again = await negotiate({ acceptor, authorization: h })
    assert.equal(again.status, 401)
    assert.equal(again.error?.code, 'ERR_KRB_REPLAY')
    assert.equal(replayCache.stats.checked, 2)
  })

  test('issue 16: Redis unreachable → 503 with ERR_KRB_REPLAY_CACHE_UNAVAILABLE, no WWW-Authenticate', async () => {
    const client = mapClient()
    client.down = true
    const acceptor = new Acceptor({
      keytab: svc.keytab,
      replayCache: new RedisReplayCache({ client, namespace: 'web' }),
    })
    const r = await negotiate({ acceptor, authorization: header() })
    assert.equal(r.status, 503)
    assert.equal(r.error?.code, 'ERR_KRB_REPLAY_CACHE_UNAVAILABLE')
    assert.equal(r.wwwAuthenticate, undefined)
    assert.equal(r.user, undefined)
  })

  test('issue 16: the middleware answers 503 with Retry-After and does not call next()', async () => {
    const client = mapClient()
    client.down = true
    const acceptor = new Acceptor({
      keytab: svc.keytab,
      replayCache: new RedisReplayCache({ client, namespace: 'web' }),
    })
    const headers: Record<string, string> = {}
    const res = {
      statusCode: 0,
      setHeader: (k: string, v: string) => (headers[k] = v),
      end: () => {},
    }
    let nextCalled = false
    const ended = new Promise<void>((resolve) => {
      res.end = () => resolve()
    })
    negotiateMiddleware({ acceptor })({ headers: { authorization: header() } }, res, () => {
      nextCalled = true
    })
    await ended
    assert.equal(res.statusCode, 503)
    assert.equal(headers['Retry-After'], '1')
    assert.equal(headers['WWW-Authenticate'], undefined)
    assert.equal(nextCalled, false)
  })

  test('issue 16: with the in-memory cache negotiate() stays on the synchronous accept()', async () => {
    const calls = { accept: 0, acceptAsync: 0 }
    class Spy extends Acceptor {
      override accept(...a: Parameters<Acceptor['accept']>): ReturnType<Acceptor['accept']> {
        calls.accept++
        return super.accept(...a)
      }
      override acceptAsync(
        ...a: Parameters<Acceptor['acceptAsync']>
      ): ReturnType<Acceptor['acceptAsync']> {
        calls.acceptAsync++
        return super.acceptAsync(...a)
      }
    }
    const memory = new Spy({ keytab: svc.keytab, replayCache: new MemoryReplayCache() })
    assert.equal((await negotiate({ acceptor: memory, authorization: header() })).status, 200)
    assert.deepEqual(calls, { accept: 1, acceptAsync: 0 })
    const redis = new Spy({
      keytab: svc.keytab,
      replayCache: new RedisReplayCache({ client: mapClient(), namespace: 'web' }),
    })
    assert.equal((await negotiate({ acceptor: redis, authorization: header() })).status, 200)
    assert.deepEqual(calls, { accept: 1, acceptAsync: 1 })
  })

  test('issue 16: Acceptor.accept() (synchronous) refuses a Redis cache with a TypeError', () => {
    const acceptor = new Acceptor({
      keytab: svc.keytab,
      replayCache: new RedisReplayCache({ client: mapClient(), namespace: 'web' }),
    })
    const token = new InitiatorContext({ credentials: svc.issue() }).step()!
    assert.throws(() => acceptor.accept(unframeKrb5Token(token).body), TypeError)
  })
})
