/**
 * Issue 11 item 9: the Fastify plugin, the Koa middleware and the Fetch-API handler (under Hono),
 * each against the real framework listening on 127.0.0.1: self-made tickets through our fetch
 * client (mutual authentication checked), then curl --negotiate after MIT kinit, and a keytab
 * gone stale after a real key change reported once as `keytab-stale`.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { copyFile, readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import Fastify, { type FastifyInstance } from 'fastify'
import Koa from 'koa'
import { Hono } from 'hono'
import { serve } from '@hono/node-server'
import {
  fastifyNegotiate,
  getKerberos,
  koaNegotiate,
  negotiateFetch,
  negotiateHandler,
  type NegotiateLogger,
  type NegotiateUser,
} from '../../src/http/index.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { parseKeytab } from '../../src/keytab/index.js'
import { CURL, fakeService, setupService } from '../helpers/gss-peers.js'
import { runTool, skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'

const NTLM_NEGOTIATE = 'TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw=='

interface Warnings extends NegotiateLogger {
  readonly causes: string[]
}
function warnings(): Warnings {
  const causes: string[] = []
  return { causes, warn: (obj) => causes.push(String(obj.cause)) }
}

interface AppOptions {
  readonly acceptor: () => Acceptor
  readonly logger: NegotiateLogger
  readonly authorize?: (client: { components: readonly string[] }) => boolean
  readonly onAuthenticated?: (user: NegotiateUser) => void
}

/** A running app: its base URL and how to stop it. */
interface App {
  readonly url: string
  close(): Promise<void>
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((r) => server.close(() => r()))
}

async function fastifyApp(o: AppOptions): Promise<App> {
  const app: FastifyInstance = Fastify()
  await app.register(fastifyNegotiate, {
    acceptor: o.acceptor,
    logger: o.logger,
    ...(o.authorize ? { authorize: o.authorize } : {}),
    ...(o.onAuthenticated ? { onAuthenticated: (u) => o.onAuthenticated!(u) } : {}),
  })
  app.get('/', async (request) => `hello ${getKerberos(request)?.principal}`)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { url: urlOf(app.server), close: () => app.close() }
}

async function koaApp(o: AppOptions): Promise<App> {
  const app = new Koa()
  app.use(
    koaNegotiate({
      acceptor: o.acceptor,
      logger: o.logger,
      ...(o.authorize ? { authorize: o.authorize } : {}),
      ...(o.onAuthenticated ? { onAuthenticated: (u) => o.onAuthenticated!(u) } : {}),
    }),
  )
  app.use((ctx) => {
    ctx.body = `hello ${(ctx.state.kerberos as NegotiateUser).principal}`
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((r) => server.once('listening', r))
  return { url: urlOf(server), close: () => closeServer(server) }
}

async function honoApp(o: AppOptions): Promise<App> {
  const auth = negotiateHandler({
    acceptor: o.acceptor,
    logger: o.logger,
    ...(o.authorize ? { authorize: o.authorize } : {}),
    ...(o.onAuthenticated ? { onAuthenticated: (u) => o.onAuthenticated!(u) } : {}),
  })
  const app = new Hono<{ Variables: { kerberos: NegotiateUser } }>()
  app.use(async (c, next) => {
    const r = await auth(c.req.raw)
    if (r instanceof Response) return r
    c.set('kerberos', r.user)
    await next()
    c.res = r.finish(c.res)
    return undefined
  })
  app.get('/', (c) => c.text(`hello ${c.get('kerberos').principal}`))
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(s as Server),
    )
  })
  return { url: urlOf(server), close: () => closeServer(server) }
}

const FRAMEWORKS = { fastify: fastifyApp, koa: koaApp, hono: honoApp } as const

async function status(url: string, authorization?: string): Promise<Response> {
  const r = await fetch(url, authorization ? { headers: { authorization } } : {})
  await r.clone().text()
  return r
}

for (const [name, start] of Object.entries(FRAMEWORKS)) {
  describe(`issue 11 item 9: ${name} adapter (self-made tickets)`, () => {
    const svc = fakeService('HTTP/localhost@TEST.REALM')
    const acceptor = new Acceptor({ keytab: svc.keytab })
    const logger = warnings()
    const users: string[] = []
    let app: App
    before(async () => {
      app = await start({
        acceptor: () => acceptor,
        logger,
        onAuthenticated: (u) => users.push(u.principal),
      })
    })
    after(() => app.close())

    it(`${name}: 401 Negotiate challenge without a token, and no warning`, async () => {
      const r = await status(app.url)
      assert.equal(r.status, 401)
      assert.equal(r.headers.get('www-authenticate'), 'Negotiate')
      assert.equal(logger.causes.length, 0)
    })

    it(`${name}: our fetch client authenticates, the principal reaches the handler, mutual auth verifies`, async () => {
      const kfetch = negotiateFetch({ client: { getServiceTicket: async () => svc.issue() } })
      const r = await kfetch(app.url) // throws unless the answer carries a valid AP-REP
      assert.equal(r.status, 200)
      assert.equal(await r.text(), 'hello alice@TEST.REALM')
      assert.match(r.headers.get('www-authenticate') ?? '', /^Negotiate \S+$/)
      assert.deepEqual(users, ['alice@TEST.REALM'])
    })

    it(`${name}: NTLM and malformed headers refused (401/400), NTLM warned once`, async () => {
      for (let i = 0; i < 5; i++) {
        assert.equal((await status(app.url, `Negotiate ${NTLM_NEGOTIATE}`)).status, 401)
      }
      assert.equal((await status(app.url, 'Negotiate !!!')).status, 400)
      assert.deepEqual(logger.causes, ['ntlm'])
    })

    it(`${name}: authorize() false gives 403`, async () => {
      const denied = await start({
        acceptor: () => acceptor,
        logger: warnings(),
        authorize: (c) => c.components[0] === 'bob',
      })
      try {
        const kfetch = negotiateFetch({ client: { getServiceTicket: async () => svc.issue() } })
        const r = await kfetch(denied.url)
        assert.equal(r.status, 403)
        await r.text()
      } finally {
        await denied.close()
      }
    })
  })
}

const skip = skipWithoutMIT() || (existsSync(CURL) ? false : 'curl missing')
if (skip && process.env.CI === 'true')
  throw new Error(`adapter peer tests need MIT + curl: ${skip}`)
if (skip) console.error(`*** ${skip}: framework adapter peer tests SKIPPED ***`)

describe('issue 11 item 9: adapters with real MIT tickets (curl --negotiate)', { skip }, () => {
  let realm: Realm
  let ccache: string
  let password: string
  let acceptor: Acceptor
  const apps: Record<string, { app: App; logger: Warnings }> = {}

  before(async () => {
    realm = await startRealm()
    const s = await setupService(realm)
    ccache = s.ccache
    password = s.password
    const live = realm.path('live.keytab')
    await copyFile(s.keytab, live)
    acceptor = new Acceptor({ keytab: parseKeytab(await readFile(live)) })
    for (const [name, start] of Object.entries(FRAMEWORKS)) {
      const logger = warnings()
      apps[name] = { app: await start({ acceptor: () => acceptor, logger }), logger }
    }
  })
  after(async () => {
    for (const { app } of Object.values(apps)) await app.close()
    await realm?.stop()
  })

  async function curl(
    url: string,
    cc: string,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const port = new URL(url).port
    return runTool(
      CURL,
      [
        '-sS',
        '-v',
        '--negotiate',
        '-u',
        ':',
        '--resolve',
        `localhost:${port}:127.0.0.1`,
        `http://localhost:${port}/`,
      ],
      { ...realm.env, KRB5CCNAME: `FILE:${cc}` },
      { allowFailure: true },
    )
  }

  for (const name of Object.keys(FRAMEWORKS)) {
    it(`${name}: curl --negotiate after kinit gets 200 with the principal and a mutual-auth token`, async () => {
      const r = await curl(apps[name]!.app.url, ccache)
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout, `hello alice@${realm.realm}`)
      assert.match(r.stderr, /< HTTP\/1.1 200/)
      assert.match(r.stderr, /< WWW-Authenticate: Negotiate \S+/i)
      assert.doesNotMatch(r.stderr, /warning|failed|error/i)
    })
  }

  it('review item 4: after a real key change (cpw -randkey) the stale keytab is reported once per app as keytab-stale', async () => {
    await realm.cpwRandkey('HTTP/localhost')
    const fresh = realm.path('alice-2.ccache')
    await realm.kinit('alice', { password, ccache: fresh })
    for (const [name, { app, logger }] of Object.entries(apps)) {
      for (let i = 0; i < 3; i++) {
        const r = await curl(app.url, fresh)
        assert.match(r.stderr, /< HTTP\/1.1 401/, name)
      }
      assert.deepEqual(logger.causes, ['keytab-stale'], name)
    }
  })
})

describe('issue 11 item 9: negotiateHandler without a framework', () => {
  const svc = fakeService('HTTP/localhost@TEST.REALM')
  const auth = negotiateHandler({ acceptor: new Acceptor({ keytab: svc.keytab }), logger: false })

  it('finish() adds the mutual-auth token even to a response with immutable headers', async () => {
    let token = ''
    const kfetch = negotiateFetch({
      client: { getServiceTicket: async () => svc.issue() },
      preemptive: true,
      fetch: async (input, init) => {
        const r = await auth(new Request(String(input), init))
        assert.ok(!(r instanceof Response))
        const out = r.finish(Response.redirect('http://localhost/next', 302))
        token = out.headers.get('www-authenticate') ?? ''
        return r.finish(new Response('ok'))
      },
    })
    const res = await kfetch('http://localhost/') // verifies the AP-REP
    assert.equal(await res.text(), 'ok')
    assert.match(token, /^Negotiate \S+$/)
  })

  it('a first request gets a 401 challenge Response', async () => {
    const r = await auth(new Request('http://localhost/'))
    assert.ok(r instanceof Response)
    assert.equal(r.status, 401)
    assert.equal(r.headers.get('www-authenticate'), 'Negotiate')
  })
})
