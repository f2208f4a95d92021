/**
 * HTTP Negotiate: the core and middleware with self-made tickets (no KDC), then real peers:
 * curl --negotiate after MIT kinit, our fetch client with KerberosClient tickets, keytab reload.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { copyFile, readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import {
  negotiate,
  negotiateFetch,
  negotiateMiddleware,
  parseNegotiateHeader,
  type NegotiateUser,
} from '../../src/http/index.js'
import { SpnegoInitiatorContext, encodeNegTokenInit } from '../../src/gssapi/spnego.js'
import { InitiatorContext } from '../../src/gssapi/context.js'
import { MechOID, frameKrb5Token, unframeKrb5Token } from '../../src/gssapi/framing.js'
import { decodeAPReq, encodeAPReq } from '../../src/asn1/index.js'
import { parsePrincipal } from '../../src/principal.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { createKeytab, makeKeytabEntry, parseKeytab } from '../../src/keytab/index.js'
import { watchKeytab } from '../../src/node/keytab-watch.js'
import { toBase64, fromBase64 } from '../../src/internal/bytes.js'
import { startRealm, skipWithoutMIT, runTool, type Realm } from '../helpers/realm.js'
import {
  CURL,
  fakeService,
  mitInitiatorTokens,
  pythonGssAvailable,
  setupService,
} from '../helpers/gss-peers.js'
import { clientFor } from '../client/helpers.js'
import { existsSync } from 'node:fs'

const NTLM_NEGOTIATE = 'TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw=='

function spnegoHeader(svc = fakeService()): { header: string; ctx: SpnegoInitiatorContext } {
  const ctx = new SpnegoInitiatorContext({ credentials: svc.issue() })
  return { header: `Negotiate ${toBase64(ctx.step()!)}`, ctx }
}

describe('negotiate() core', () => {
  const svc = fakeService()
  const acceptor = new Acceptor({ keytab: svc.keytab })

  it('authenticates a SPNEGO token and returns a mutual-auth token the client accepts', async () => {
    const ctx = new SpnegoInitiatorContext({ credentials: svc.issue() })
    const r = await negotiate({ acceptor, authorization: `Negotiate ${toBase64(ctx.step()!)}` })
    assert.equal(r.status, 200)
    assert.equal(r.user?.principal, 'alice@TEST.REALM')
    assert.equal(r.user?.name, 'alice')
    assert.match(r.wwwAuthenticate!, /^Negotiate [A-Za-z0-9+/=]+$/)
    ctx.step(fromBase64(r.wwwAuthenticate!.slice(10))!)
    assert.ok(ctx.complete && ctx.krb5.complete)
  })

  it('accepts a raw krb5 token (no SPNEGO) and answers in kind', async () => {
    const init = new InitiatorContext({ credentials: svc.issue() })
    const r = await negotiate({ acceptor, authorization: `Negotiate ${toBase64(init.step()!)}` })
    assert.equal(r.status, 200)
    init.step(fromBase64(r.wwwAuthenticate!.slice(10))!)
    assert.ok(init.complete)
  })

  it('answers 401 Negotiate without a token, 400 for malformed or oversized headers', async () => {
    assert.deepEqual(await negotiate({ acceptor, authorization: undefined }), {
      status: 401,
      wwwAuthenticate: 'Negotiate',
    })
    assert.equal((await negotiate({ acceptor, authorization: 'Basic YTpi' })).status, 401)
    for (const bad of [
      'Negotiate',
      'Negotiate !!!',
      'Negotiate AAAA',
      `Negotiate ${'A'.repeat(70_000)}`,
    ]) {
      const r = await negotiate({ acceptor, authorization: bad })
      assert.equal(r.status, 400, bad.slice(0, 20))
      assert.ok(r.error)
    }
    assert.throws(() => parseNegotiateHeader(['a', 'b']), /one Authorization header/)
  })

  it('refuses NTLMSSP (raw or inside SPNEGO) with ERR_SPNEGO_NTLM_TOKEN and a hint', async () => {
    const raw = await negotiate({ acceptor, authorization: `Negotiate ${NTLM_NEGOTIATE}` })
    assert.equal(raw.status, 401)
    assert.equal(raw.error?.code, 'ERR_SPNEGO_NTLM_TOKEN')
    assert.match(raw.error!.message, /SPN/)
    const wrapped = encodeNegTokenInit({
      mechTypes: [MechOID.NTLMSSP],
      mechToken: fromBase64(NTLM_NEGOTIATE)!,
    })
    const r = await negotiate({ acceptor, authorization: `Negotiate ${toBase64(wrapped)}` })
    assert.equal(r.error?.code, 'ERR_SPNEGO_NTLM_TOKEN')
    const mixed = encodeNegTokenInit({
      mechTypes: [MechOID.NTLMSSP, MechOID.KRB5],
      mechToken: fromBase64(NTLM_NEGOTIATE)!,
    })
    assert.equal(
      (await negotiate({ acceptor, authorization: `Negotiate ${toBase64(mixed)}` })).error?.code,
      'ERR_SPNEGO_NTLM_TOKEN',
    )
  })

  it('refuses a replay, a token for another service, and honours authorize()', async () => {
    const { header } = spnegoHeader(svc)
    assert.equal((await negotiate({ acceptor, authorization: header })).status, 200)
    const again = await negotiate({ acceptor, authorization: header })
    assert.equal(again.status, 401)
    assert.equal(again.error?.code, 'ERR_KRB_REPLAY')
    const other = await negotiate({
      acceptor,
      authorization: spnegoHeader(fakeService('HTTP/other@TEST.REALM')).header,
    })
    assert.equal(other.error?.code, 'ERR_KRB_KEYTAB_NO_KEY')
    const denied = await negotiate({
      acceptor,
      authorization: spnegoHeader(svc).header,
      authorize: (c) => c.components[0] === 'bob',
    })
    assert.equal(denied.status, 403)
  })

  it('review #5: negotiate() accepts only HTTP/ service tickets by default; allowedServices widens', async () => {
    const host = fakeService('host/localhost@TEST.REALM')
    const a = new Acceptor({ keytab: host.keytab })
    const r = await negotiate({ acceptor: a, authorization: spnegoHeader(host).header })
    assert.equal(r.status, 401)
    assert.equal(r.error?.code, 'ERR_KRB_AP_ERROR')
    assert.equal(r.error?.context.reason, 'wrong-service')
    for (const allowedServices of [['*'], ['HTTP', 'HOST']]) {
      const ok = await negotiate({
        acceptor: a,
        authorization: spnegoHeader(host).header,
        allowedServices,
      })
      assert.equal(ok.status, 200, allowedServices.join())
    }
    // case-insensitive service class, as AD compares SPNs
    const lower = fakeService('http/localhost@TEST.REALM')
    const acc = new Acceptor({ keytab: lower.keytab })
    assert.equal(
      (await negotiate({ acceptor: acc, authorization: spnegoHeader(lower).header })).status,
      200,
    )
  })

  it('MS krb5 OID first: answers with that OID', async () => {
    const ctx = new SpnegoInitiatorContext({
      credentials: svc.issue(),
      mechTypes: [MechOID.MS_KRB5, MechOID.KRB5],
    })
    const r = await negotiate({ acceptor, authorization: `Negotiate ${toBase64(ctx.step()!)}` })
    assert.equal(r.status, 200)
    ctx.step(fromBase64(r.wwwAuthenticate!.slice(10))!)
  })
})

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return (server.address() as AddressInfo).port
}

/** Codes of refused requests, newest last (what `onRefused` saw). */
const refusals: string[] = []

function appServer(acceptor: () => Acceptor): Server {
  const auth = negotiateMiddleware({
    acceptor,
    onRefused: (r) => refusals.push(r.error?.code ?? String(r.status)),
  })
  return createServer((req, res) =>
    auth(req, res, (err) => {
      if (err) {
        res.statusCode = 500
        res.end(String(err))
        return
      }
      const user = (req as unknown as { kerberos: NegotiateUser }).kerberos
      res.end(`hello ${user.principal}`)
    }),
  )
}

describe('middleware on node:http (no KDC)', () => {
  const svc = fakeService('HTTP/localhost@TEST.REALM')
  const acceptor = new Acceptor({ keytab: svc.keytab })
  let server: Server
  let port: number
  before(async () => {
    server = appServer(() => acceptor)
    port = await listen(server)
  })
  after(() => new Promise<void>((r) => server.close(() => r())))

  it('401 challenge, 200 with the principal, our fetch client checks mutual auth', async () => {
    const plain = await fetch(`http://127.0.0.1:${port}/`)
    assert.equal(plain.status, 401)
    assert.equal(plain.headers.get('www-authenticate'), 'Negotiate')
    const kfetch = negotiateFetch({ client: { getServiceTicket: async () => svc.issue() } })
    const res = await kfetch(`http://127.0.0.1:${port}/`)
    assert.equal(res.status, 200)
    assert.equal(await res.text(), 'hello alice@TEST.REALM')
    // A server answering 200 without a token fails mutual authentication.
    const liar = negotiateFetch({
      client: { getServiceTicket: async () => svc.issue() },
      fetch: async (i, init) => {
        const r = await fetch(i, init)
        return new Response(await r.text(), {
          status: r.status === 401 ? 401 : 200,
          headers: r.status === 401 ? r.headers : {},
        })
      },
    })
    await assert.rejects(
      liar(`http://127.0.0.1:${port}/`),
      (e) => (e as { code?: string }).code === 'ERR_KRB_HTTP_NEGOTIATE',
    )
  })

  it('bad headers never crash the server', async () => {
    for (const h of [
      `Negotiate ${NTLM_NEGOTIATE}`,
      'Negotiate ####',
      `Negotiate ${'QUFB'.repeat(20_000)}`,
      'Negotiate YIIBAAYGKwYBBQUCoA==',
    ]) {
      const r = await fetch(`http://127.0.0.1:${port}/`, { headers: { authorization: h } })
      assert.ok([400, 401, 431].includes(r.status), `${r.status} for ${h.slice(0, 24)}`)
      await r.text()
    }
    assert.equal(
      (
        await negotiateFetch({ client: { getServiceTicket: async () => svc.issue() } })(
          `http://127.0.0.1:${port}/`,
        )
      ).status,
      200,
    )
  })
})

const skip =
  skipWithoutMIT() ||
  (existsSync(CURL) ? false : 'curl missing') ||
  (pythonGssAvailable() ? false : 'python3-gssapi missing')
if (skip && process.env.CI === 'true')
  throw new Error(`HTTP peer tests need MIT + curl in CI: ${skip}`)
if (skip) console.error(`*** ${skip}: HTTP Negotiate peer tests SKIPPED ***`)

describe('HTTP Negotiate with real peers', { skip }, () => {
  let realm: Realm
  let server: Server
  let port: number
  let acceptor: Acceptor
  let ccache: string
  let livePath: string

  before(async () => {
    realm = await startRealm()
    const s = await setupService(realm)
    ccache = s.ccache
    livePath = realm.path('live.keytab')
    await copyFile(s.keytab, livePath)
    acceptor = new Acceptor({ keytab: parseKeytab(await readFile(livePath)) })
    server = appServer(() => acceptor)
    port = await listen(server)
  })
  after(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
    await realm?.stop()
  })

  async function curl(
    extra: readonly string[] = [],
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
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
        ...extra,
        `http://localhost:${port}/`,
      ],
      { ...realm.env, KRB5CCNAME: `FILE:${ccache}` },
      {
        allowFailure: true,
      },
    )
  }

  it('curl --negotiate after MIT kinit: principal returned, mutual auth accepted', async () => {
    const r = await curl()
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, `hello alice@${realm.realm}`)
    assert.match(r.stderr, /< HTTP\/1.1 200/)
    assert.match(r.stderr, /< WWW-Authenticate: Negotiate \S+/i)
    assert.doesNotMatch(r.stderr, /warning|failed|error/i)
  })

  it('our fetch client with KerberosClient tickets', async () => {
    const { client } = clientFor(realm)
    await client.login({ principal: 'alice', password: 'alice-pw-1' })
    const kfetch = negotiateFetch({ client, spn: 'HTTP@localhost' })
    const res = await kfetch(`http://127.0.0.1:${port}/`)
    assert.equal(res.status, 200)
    assert.equal(await res.text(), `hello alice@${realm.realm}`)
  })

  it('MIT tokens: replayed, modified, skewed and NTLM headers each refused with their own code', async () => {
    const env = { ...realm.env, KRB5CCNAME: `FILE:${ccache}` }
    const [t1, t2, t3] = await mitInitiatorTokens(env, 'HTTP@localhost', 3)
    const get = async (token: Uint8Array | string): Promise<number> => {
      const h = typeof token === 'string' ? token : `Negotiate ${toBase64(token)}`
      const r = await fetch(`http://127.0.0.1:${port}/`, { headers: { authorization: h } })
      await r.text()
      return r.status
    }
    refusals.length = 0
    assert.equal(await get(t1!), 200)
    assert.equal(await get(t1!), 401) // replay
    const modified = t2!.slice()
    modified[modified.length - 2]! ^= 0x01
    assert.equal(await get(modified), 401)
    const skewed = new Acceptor({ keytab: acceptor.keytab, now: () => Date.now() + 600_000 })
    const r = await negotiate({ acceptor: skewed, authorization: `Negotiate ${toBase64(t3!)}` })
    assert.equal(r.status, 401)
    assert.equal(r.error?.code, 'ERR_KRB_CLOCK_SKEW')
    assert.equal(await get(`Negotiate ${NTLM_NEGOTIATE}`), 401)
    assert.deepEqual(refusals, ['ERR_KRB_REPLAY', 'ERR_KRB_AP_ERROR', 'ERR_SPNEGO_NTLM_TOKEN'])
    assert.equal(await get(t3!), 200) // still serving
  })

  it('review #5: through the middleware, a captured header with the sname rewritten to another SPN of the same key is a replay (401), and host/ tickets are refused unless allowedServices widens', async () => {
    const env = { ...realm.env, KRB5CCNAME: `FILE:${ccache}` }
    // An AD-style keytab: HTTP/localhost's keys also under HTTP/alias.localhost and cifs/localhost.
    const kt = acceptor.keytab
    const http = kt.entries.filter((e) => e.principal.components[0] === 'HTTP')
    const aliases = ['HTTP/alias.localhost', 'cifs/localhost'].map((n) =>
      parsePrincipal(`${n}@${realm.realm}`),
    )
    const adKeytab = createKeytab([
      ...kt.entries,
      ...aliases.flatMap((p) =>
        http.map((e) => makeKeytabEntry({ principal: p, kvno: e.kvno, key: e.key, timestamp: 1 })),
      ),
    ])
    const ad = new Acceptor({ keytab: adKeytab })
    const codes: string[] = []
    const mw = (allowedServices?: readonly string[]): Server => {
      const auth = negotiateMiddleware({
        acceptor: ad,
        ...(allowedServices ? { allowedServices } : {}),
        onRefused: (r) => codes.push(`${r.error?.code}:${String(r.error?.context.reason)}`),
      })
      return createServer((req, res) => auth(req, res, () => res.end('ok')))
    }
    const strict = mw()
    const wide = mw(['HTTP', 'host'])
    const strictPort = await listen(strict)
    const widePort = await listen(wide)
    const get = async (p: number, token: Uint8Array): Promise<number> => {
      const r = await fetch(`http://127.0.0.1:${p}/`, {
        headers: { authorization: `Negotiate ${toBase64(token)}` },
      })
      await r.text()
      return r.status
    }
    const rewrite = (token: Uint8Array, service: string, host: string): Uint8Array => {
      const t = unframeKrb5Token(token)
      const req = decodeAPReq(t.body)
      const body = encodeAPReq({
        ...req,
        ticket: { ...req.ticket, sname: { ...req.ticket.sname, nameString: [service, host] } },
      })
      return frameKrb5Token(t.tokId, body, t.mech)
    }
    try {
      const [h1, h2] = await mitInitiatorTokens(env, 'HTTP@localhost', 2)
      assert.equal(await get(strictPort, h1!), 200)
      assert.equal(await get(strictPort, rewrite(h1!, 'HTTP', 'alias.localhost')), 401)
      assert.equal(codes.pop(), 'ERR_KRB_REPLAY:undefined')
      // cifs/ alias of the same key: refused before any decryption by the default allow-list
      assert.equal(await get(strictPort, rewrite(h2!, 'cifs', 'localhost')), 401)
      assert.equal(codes.pop(), 'ERR_KRB_AP_ERROR:wrong-service')
      // a genuine host/ ticket (its own key, in the same keytab): 401 by default, 200 when allowed
      const [hostTok, hostTok2] = await mitInitiatorTokens(env, 'host@localhost', 2)
      assert.equal(await get(strictPort, hostTok!), 401)
      assert.equal(codes.pop(), 'ERR_KRB_AP_ERROR:wrong-service')
      assert.equal(await get(widePort, hostTok2!), 200)
      assert.equal(await get(widePort, h2!), 200)
    } finally {
      await new Promise<void>((r) => strict.close(() => r()))
      await new Promise<void>((r) => wide.close(() => r()))
    }
  })

  it('keytab rotation without restart: watchKeytab reloads, old and new tickets verify', async () => {
    const { client } = clientFor(realm)
    await client.login({ principal: 'alice', password: 'alice-pw-1' })
    const before = await client.getServiceTicket('HTTP@localhost')
    const reloaded: number[] = []
    const watcher = watchKeytab(livePath, acceptor, {
      intervalMs: 50,
      onReload: (n) => reloaded.push(n),
    })
    try {
      await realm.ktadd('HTTP/localhost', livePath) // new kvno appended to the live keytab
      const newKvno = (before.ticketKvno ?? 0) + 1
      const hasNew = (): boolean =>
        acceptor.keytab.entries.some((e) => e.kvno === newKvno && e.enctype === 18)
      for (let i = 0; i < 200 && !hasNew(); i++) await new Promise((r) => setTimeout(r, 50))
      assert.ok(hasNew(), 'keytab reloaded with the new kvno')
      assert.ok(reloaded.length > 0, 'keytab reloaded')
      const { client: fresh } = clientFor(realm)
      await fresh.login({ principal: 'alice', password: 'alice-pw-1' })
      const afterTicket = await fresh.getServiceTicket('HTTP@localhost')
      assert.equal(afterTicket.ticketKvno, (before.ticketKvno ?? 0) + 1)
      for (const creds of [before, afterTicket]) {
        const kfetch = negotiateFetch({ client: { getServiceTicket: async () => creds } })
        const res = await kfetch(`http://127.0.0.1:${port}/`)
        assert.equal(res.status, 200)
        await res.text()
      }
    } finally {
      watcher.close()
    }
  })
})
