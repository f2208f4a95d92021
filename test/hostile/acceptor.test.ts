/**
 * A hostile client against the acceptor and the HTTP Negotiate middleware: a real node:http
 * server on 127.0.0.1 with a keytab from a real MIT realm. Oversized and malformed headers,
 * base64 garbage, deeply nested DER, unknown mechanisms, NTLMSSP; a burst of concurrent replays
 * of one token (exactly one succeeds); a flood of 2,000 bad tokens while good tokens (our client
 * with MIT tickets, and curl --negotiate after MIT kinit) keep succeeding, the server stays up
 * and memory and the replay cache stay bounded.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { after, before, describe, test } from 'node:test'
import type { KerberosClient } from '../../src/client/client.js'
import { InitiatorContext } from '../../src/gssapi/context.js'
import { unframeKrb5Token } from '../../src/gssapi/framing.js'
import { SpnegoInitiatorContext } from '../../src/gssapi/spnego.js'
import { negotiate } from '../../src/http/negotiate.js'
import type { Keytab } from '../../src/keytab/index.js'
import { parsePrincipal } from '../../src/principal.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import type { Credentials } from '../../src/protocol/kdc-rep.js'
import { MemoryReplayCache } from '../../src/protocol/replay-cache.js'
import { clientFor, keytabAt } from '../client/helpers.js'
import { CURL } from '../helpers/gss-peers.js'
import {
  badHeaders,
  get,
  nestedDER,
  rawRequest,
  startNegotiateServer,
  type NegotiateServer,
} from '../helpers/hostile-client.js'
import { runTool, skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'

const PW = 'alice-hostile-pw'
const FLOOD = 2000
const GOOD = 60

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function heapMB(): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed / 1024 / 1024
}

describe(
  'hostile clients against the Negotiate middleware',
  { skip: skipWithoutMIT(), concurrency: false },
  () => {
    let realm: Realm
    let keytab: Keytab
    let acceptor: Acceptor
    let replayCache: MemoryReplayCache
    let server: NegotiateServer
    let client: KerberosClient
    let ticket: Credentials
    let ccache: string

    before(async () => {
      realm = await startRealm({ realm: 'ACCEPT.TEST' })
      await realm.addPrincipal('HTTP/localhost')
      await realm.ktadd('HTTP/localhost', realm.path('http.keytab'))
      await realm.addPrincipal('alice', { password: PW })
      keytab = keytabAt(realm.path('http.keytab'))
      replayCache = new MemoryReplayCache({ maxEntries: 5000 })
      acceptor = new Acceptor({ keytab, replayCache })
      server = await startNegotiateServer(() => acceptor)
      client = clientFor(realm).client
      await client.login({ principal: 'alice', password: PW })
      ticket = await client.getServiceTicket(parsePrincipal(`HTTP/localhost@${realm.realm}`))
      ccache = realm.path('alice.ccache')
      await realm.kinit('alice', { password: PW, ccache })
    })
    after(async () => {
      await server?.close()
      await realm?.stop()
    })

    /** A fresh, valid Negotiate header (a new authenticator each time). */
    function goodHeader(): string {
      const ctx = new SpnegoInitiatorContext({ credentials: ticket })
      return `Negotiate ${Buffer.from(ctx.step()!).toString('base64')}`
    }

    test('a good token is served', async () => {
      const r = await get(server.port, goodHeader())
      assert.equal(r.status, 200)
      assert.equal(r.body, `hello alice@${realm.realm}`)
      assert.match(r.wwwAuthenticate ?? '', /^Negotiate \S+$/)
    })

    test('malformed and oversized headers: 400/401/431, never 500', async () => {
      const cases: [string, string | readonly string[] | undefined][] = [
        ['no header', undefined],
        ['empty Negotiate', 'Negotiate'],
        ['not base64', 'Negotiate ***'],
        ['Basic', 'Basic YWxpY2U6cHc='],
        ['whitespace', 'Negotiate    '],
        [
          'NTLMSSP',
          `Negotiate ${Buffer.from('TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAF1YAAAADw==', 'base64').toString('base64')}`,
        ],
        ['12 KB of base64', `Negotiate ${'A'.repeat(12_000)}`],
      ]
      for (const [what, header] of cases) {
        const r = await get(server.port, header)
        assert.ok([400, 401].includes(r.status), `${what}: status ${r.status}`)
        if (r.status === 401) assert.equal(r.wwwAuthenticate, 'Negotiate', what)
      }
      // Past node's own header limit (16 KB): the HTTP parser refuses it before the middleware.
      const huge = await rawRequest(
        server.port,
        Buffer.from(
          `GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Negotiate ${'A'.repeat(100_000)}\r\n\r\n`,
        ),
      )
      assert.match(huge, /^HTTP\/1\.1 431/)
      // node:http keeps only the first Authorization header; the core refuses several.
      const two = await negotiate({ acceptor, authorization: [goodHeader(), goodHeader()] })
      assert.equal(two.status, 400)
      // Raw control bytes in the header value.
      const ctl = await rawRequest(
        server.port,
        Buffer.from(
          'GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Negotiate \x01\x02\xff\r\n\r\n',
          'latin1',
        ),
      )
      assert.match(ctl, /^HTTP\/1\.1 (400|401)/)
      assert.deepEqual(server.errors, [])
    })

    test('deeply nested DER and unknown mechanisms: refused quickly', async () => {
      for (const outer of ['gss', 'spnego'] as const) {
        // Through HTTP (under node's header limit) and through the core (up to its 64 KiB limit).
        const viaHttp = await get(
          server.port,
          `Negotiate ${Buffer.from(nestedDER(2000, outer)).toString('base64')}`,
        )
        assert.ok([400, 401].includes(viaHttp.status), `${outer}: ${viaHttp.status}`)
        const t0 = performance.now()
        const deep = await negotiate({
          acceptor,
          authorization: `Negotiate ${Buffer.from(nestedDER(12_000, outer)).toString('base64')}`,
        })
        assert.ok([400, 401].includes(deep.status))
        assert.ok(performance.now() - t0 < 1500, 'deep nesting is refused quickly')
      }
      const bad = badHeaders(11, 7)
      for (const h of bad) {
        const r = await get(server.port, h)
        assert.ok([400, 401].includes(r.status), `${h.slice(0, 40)}: ${r.status}`)
      }
      assert.deepEqual(server.errors, [])
    })

    test('a burst of 25 concurrent replays of one token: exactly one succeeds', async () => {
      const header = goodHeader()
      const answers = await Promise.all(Array.from({ length: 25 }, () => get(server.port, header)))
      const ok = answers.filter((a) => a.status === 200).length
      assert.equal(ok, 1, `statuses: ${answers.map((a) => a.status).join(',')}`)
      assert.ok(answers.every((a) => a.status === 200 || a.status === 401))
    })

    test(`a flood of ${FLOOD} bad tokens while ${GOOD} good ones (and curl) are served: flat memory, bounded replay cache`, async (t) => {
      // Warm up (JIT, pools), then measure.
      await Promise.all(badHeaders(200, 3).map((h) => get(server.port, h)))
      const heapBefore = heapMB()
      const rssBefore = process.memoryUsage.rss() / 1024 / 1024
      const bad = badHeaders(FLOOD, 11)
      const goods: Promise<number>[] = []
      let sent = 0
      const BATCH = 50
      for (let i = 0; i < bad.length; i += BATCH) {
        const batch = bad.slice(i, i + BATCH).map((h) => get(server.port, h).then((a) => a.status))
        if (sent < GOOD) {
          for (let k = 0; k < 2 && sent < GOOD; k++, sent++)
            goods.push(get(server.port, goodHeader()).then((a) => a.status))
        }
        const statuses = await Promise.all(batch)
        assert.ok(
          statuses.every((s) => s === 400 || s === 401),
          `bad batch ${i}: ${statuses.join(',')}`,
        )
      }
      const goodStatuses = await Promise.all(goods)
      assert.deepEqual(goodStatuses, Array<number>(GOOD).fill(200))
      if (existsSync(CURL)) {
        const r = await runTool(
          CURL,
          [
            '-sS',
            '--negotiate',
            '-u',
            ':',
            '--resolve',
            `localhost:${server.port}:127.0.0.1`,
            `http://localhost:${server.port}/`,
          ],
          { ...realm.env, KRB5CCNAME: `FILE:${ccache}` },
          { allowFailure: true },
        )
        assert.equal(r.stdout, `hello alice@${realm.realm}`, r.stderr)
      } else if (process.env.CI === 'true') {
        assert.fail('curl is required in CI')
      }
      const heapAfter = heapMB()
      const rssAfter = process.memoryUsage.rss() / 1024 / 1024
      t.diagnostic(
        `heap ${heapBefore.toFixed(1)} → ${heapAfter.toFixed(1)} MB, RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MB, replay cache ${replayCache.size}`,
      )
      assert.ok(
        heapAfter - heapBefore < 40,
        `heap ${heapBefore.toFixed(1)} → ${heapAfter.toFixed(1)} MB`,
      )
      assert.ok(
        rssAfter - rssBefore < 150,
        `RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MB`,
      )
      // Only accepted authenticators are stored; bad tokens never reach the cache.
      assert.ok(replayCache.size <= GOOD + 10, `replay cache holds ${replayCache.size}`)
      assert.ok(replayCache.size <= replayCache.maxEntries)
      assert.deepEqual(server.errors, [])
      // Still up.
      assert.equal((await get(server.port, goodHeader())).status, 200)
    })

    test("review #10: an authenticated user flooding fresh AP-REQs cannot evict another user's entry: a captured header stays a replay", async () => {
      await realm.addPrincipal('bob', { password: 'bob-hostile-pw' })
      const bobClient = clientFor(realm).client
      await bobClient.login({ principal: 'bob', password: 'bob-hostile-pw' })
      const bobTicket = await bobClient.getServiceTicket(
        parsePrincipal(`HTTP/localhost@${realm.realm}`),
      )
      const bobHeader = (): string =>
        `Negotiate ${Buffer.from(new SpnegoInitiatorContext({ credentials: bobTicket }).step()!).toString('base64')}`
      for (const whenFull of ['evict', 'refuse'] as const) {
        const events: unknown[] = []
        const small = new MemoryReplayCache({
          maxEntries: 50,
          whenFull,
          onEviction: (e) => events.push(e),
        })
        const a = new Acceptor({ keytab, replayCache: small })
        const srv = await startNegotiateServer(() => a)
        try {
          const captured = bobHeader()
          assert.equal((await get(srv.port, captured)).status, 200)
          // alice (authenticated) floods fresh authenticators: 4x the cache size
          const statuses: number[] = []
          for (let i = 0; i < 200; i += 20) {
            const batch = Array.from({ length: 20 }, () => get(srv.port, goodHeader()))
            statuses.push(...(await Promise.all(batch)).map((r) => r.status))
          }
          assert.equal((await get(srv.port, captured)).status, 401, `${whenFull}: bob's replay`)
          assert.ok(small.size <= 50)
          if (whenFull === 'evict') {
            assert.ok(statuses.every((x) => x === 200))
            assert.equal(small.evicted, 200 + 1 - 50)
            assert.deepEqual(events, [
              {
                evictedClient: `alice@${realm.realm}`,
                requestingClient: `alice@${realm.realm}`,
                evicted: 1,
                maxEntries: 50,
              },
            ])
          } else {
            // fail closed: 49 of alice's requests fit, the rest are refused; nothing evicted
            assert.equal(statuses.filter((x) => x === 200).length, 49)
            assert.equal(small.evicted, 0)
            assert.equal(small.refused, 151)
          }
          assert.deepEqual(srv.errors, [])
        } finally {
          await srv.close()
        }
      }
    })

    test('the replay cache stays bounded past maxEntries (eviction, counted)', () => {
      const small = new MemoryReplayCache({ maxEntries: 100 })
      const a = new Acceptor({ keytab, replayCache: small })
      for (let i = 0; i < 300; i++) {
        const framed = new InitiatorContext({ credentials: ticket }).step()!
        a.accept(unframeKrb5Token(framed).body)
      }
      assert.equal(small.size, 100)
      assert.equal(small.evicted, 200)
    })
  },
)
