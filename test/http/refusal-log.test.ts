/**
 * Issue 11 item 4: refusals are visible by default. Each misconfiguration cause gives exactly one
 * warn line (cause + fix) in a burst of requests through the middleware on node:http; the first
 * challenge gives none; the count of suppressed lines comes with the next report; the default
 * logger is the console; NODE_DEBUG-style debug tells every request.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { spawnSync } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import {
  consoleLogger,
  createRefusalReporter,
  negotiate,
  negotiateMiddleware,
  type NegotiateLogger,
  type NegotiateMiddlewareOptions,
  type NegotiateTraceEvent,
  type NegotiateUser,
} from '../../src/http/index.js'
import { createDebugLogger } from '../../src/node/debug-logger.js'
import { SpnegoInitiatorContext } from '../../src/gssapi/spnego.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { toBase64 } from '../../src/internal/bytes.js'
import { fakeService, type FakeService } from '../helpers/gss-peers.js'
import { repoRoot } from '../helpers/paths.js'

const NTLM_NEGOTIATE = 'TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw=='

/** A logger that records every call as `level: msg` (and the object). */
function recorder(): NegotiateLogger & {
  lines: { level: string; obj: Record<string, unknown>; msg: string }[]
  at(level: string): { obj: Record<string, unknown>; msg: string }[]
} {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = []
  const rec =
    (level: string) =>
    (obj: Readonly<Record<string, unknown>>, msg: string): void => {
      lines.push({ level, obj: { ...obj }, msg })
    }
  return {
    lines,
    warn: rec('warn'),
    info: rec('info'),
    debug: rec('debug'),
    at: (level) => lines.filter((l) => l.level === level),
  }
}

function header(svc: FakeService, o: Parameters<FakeService['issue']>[0] = {}): string {
  // A client that allows rc4 (old Windows), so the weak-enctype case reaches the server.
  const ctx = new SpnegoInitiatorContext({ credentials: svc.issue(o), allowWeakCrypto: true })
  return `Negotiate ${toBase64(ctx.step()!)}`
}

async function serve(
  options: NegotiateMiddlewareOptions,
): Promise<{ server: Server; url: string; seen: NegotiateUser[] }> {
  const seen: NegotiateUser[] = []
  const auth = negotiateMiddleware({ ...options, onAuthenticated: (u) => seen.push(u) })
  const server = createServer((req, res) =>
    auth(req, res, (err) => res.end(err ? `error ${String(err)}` : 'ok')),
  )
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  return { server, url, seen }
}

async function get(url: string, authorization?: string): Promise<number> {
  const r = await fetch(url, authorization ? { headers: { authorization } } : {})
  await r.text()
  return r.status
}

const BURST = 12

describe('review item 4: refusals are visible, once per cause', () => {
  const svc = fakeService('HTTP/localhost@TEST.REALM')
  const servers: Server[] = []
  after(() => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))))

  /** Start a middleware with a recording logger, send BURST headers, return the warn lines. */
  async function burst(
    acceptor: Acceptor,
    make: () => string | undefined,
    extra: Partial<NegotiateMiddlewareOptions> = {},
  ): Promise<ReturnType<typeof recorder>> {
    const logger = recorder()
    const { server, url } = await serve({ acceptor, logger, ...extra })
    servers.push(server)
    for (let i = 0; i < BURST; i++) await get(url, make())
    return logger
  }

  const cases: {
    cause: string
    fix: RegExp
    acceptor: () => Acceptor
    header: () => string
    extra?: Partial<NegotiateMiddlewareOptions>
  }[] = [
    {
      cause: 'keytab-stale',
      fix: /export a fresh keytab/,
      acceptor: () => new Acceptor({ keytab: svc.keytab }),
      // The KDC moved to kvno 3 (a new key); the server still has kvno 2.
      header: (() => {
        const rotated = fakeService('HTTP/localhost@TEST.REALM', { kvno: 3 })
        return () => header(rotated)
      })(),
    },
    {
      cause: 'principal-not-in-keytab',
      fix: /add that HTTP\/<host> principal to the keytab/,
      acceptor: () => new Acceptor({ keytab: svc.keytab }),
      header: (() => {
        const other = fakeService('HTTP/www.example.com@TEST.REALM')
        return () => header(other)
      })(),
    },
    {
      cause: 'clock-skew',
      fix: /NTP/,
      acceptor: () => new Acceptor({ keytab: svc.keytab, now: () => Date.now() + 900_000 }),
      header: () => header(svc, { endtime: new Date(Date.now() + 7_200_000) }),
    },
    {
      cause: 'ntlm',
      fix: /register HTTP\/<the host name clients use>/,
      acceptor: () => new Acceptor({ keytab: svc.keytab }),
      header: () => `Negotiate ${NTLM_NEGOTIATE}`,
    },
    {
      cause: 'weak-enctype',
      fix: /enable AES on the service account/,
      acceptor: () => new Acceptor({ keytab: rc4.keytab }),
      header: () => header(rc4),
    },
    {
      cause: 'wrong-service',
      fix: /clients should ask for HTTP\/<host>/,
      acceptor: () => new Acceptor({ keytab: host.keytab }),
      header: () => header(host),
    },
  ]
  const rc4 = fakeService('HTTP/localhost@TEST.REALM', { enctype: 23 })
  const host = fakeService('host/localhost@TEST.REALM')

  for (const c of cases) {
    it(`review item 4: a burst of ${c.cause} refusals gives exactly one warn line naming the cause and its fix`, async () => {
      const logger = await burst(c.acceptor(), c.header, c.extra)
      const warns = logger.at('warn')
      assert.equal(warns.length, 1, JSON.stringify(warns))
      assert.equal(warns[0]!.obj.cause, c.cause)
      assert.match(warns[0]!.msg, new RegExp(`\\(${c.cause}\\)`))
      assert.match(warns[0]!.msg, /fix: /)
      assert.match(warns[0]!.msg, c.fix)
      assert.equal(logger.at('info').length, 0)
      // the full story: one debug line per request
      assert.equal(logger.at('debug').length, BURST)
      // no key material in what was logged
      assert.doesNotMatch(JSON.stringify(logger.lines), /sessionKey|keyvalue/i)
    })
  }

  it('review item 4: the first challenge (no Authorization header) and another scheme log no warn or info line', async () => {
    const logger = await burst(new Acceptor({ keytab: svc.keytab }), () => undefined)
    const basic = await burst(new Acceptor({ keytab: svc.keytab }), () => 'Basic YTpi')
    for (const l of [logger, basic]) {
      assert.equal(l.at('warn').length + l.at('info').length, 0)
      assert.ok(l.at('debug').every((d) => /challenge sent/.test(d.msg)))
    }
  })

  it('review item 4: success is not logged above debug and calls onAuthenticated', async () => {
    const logger = recorder()
    const { server, url, seen } = await serve({
      acceptor: new Acceptor({ keytab: svc.keytab }),
      logger,
    })
    servers.push(server)
    assert.equal(await get(url, header(svc)), 200)
    assert.equal(seen.length, 1)
    assert.equal(seen[0]!.principal, 'alice@TEST.REALM')
    assert.equal(logger.lines.length, 1)
    assert.equal(logger.lines[0]!.level, 'debug')
    assert.match(
      logger.lines[0]!.msg,
      /accepted alice@TEST\.REALM for HTTP\/localhost@TEST\.REALM \(kvno 2, aes256/,
    )
  })

  it('review item 4: client-side refusals (replay, malformed) go to info, not warn', async () => {
    const h = header(svc)
    let n = 0
    const logger = await burst(new Acceptor({ keytab: svc.keytab }), () =>
      n++ === 0 ? h : n % 2 === 0 ? h : 'Negotiate !!!',
    )
    assert.equal(logger.at('warn').length, 0)
    assert.deepEqual(
      logger
        .at('info')
        .map((l) => l.obj.cause)
        .sort(),
      ['malformed', 'replay'],
    )
  })

  it('review item 4: the next report after the interval carries the suppressed count', () => {
    let t = 1_000_000
    const logger = recorder()
    const reporter = createRefusalReporter({ logger, interval: 60_000, now: () => t })
    const skew = {
      status: 401 as const,
      error: Object.assign(new Error('skewed'), {
        code: 'ERR_KRB_CLOCK_SKEW',
        context: {},
      }) as never,
    }
    for (let i = 0; i < 5; i++) reporter.report(skew)
    t += 30_000
    reporter.report(skew)
    assert.equal(logger.at('warn').length, 1)
    t += 31_000
    reporter.report(skew)
    const warns = logger.at('warn')
    assert.equal(warns.length, 2)
    assert.equal(warns[1]!.obj.suppressed, 5)
    assert.match(warns[1]!.msg, /5 more since the last report/)
  })

  it('review item 4: without a logger option the middleware warns on the console (and logger: false is silent)', async (t) => {
    const warn = t.mock.method(console, 'warn', () => {})
    const debug = t.mock.method(console, 'debug', () => {})
    const other = fakeService('HTTP/nowhere@TEST.REALM')
    const quiet = await serve({ acceptor: new Acceptor({ keytab: svc.keytab }), logger: false })
    servers.push(quiet.server)
    await get(quiet.url, header(other))
    assert.equal(warn.mock.callCount(), 0)
    const loud = await serve({ acceptor: new Acceptor({ keytab: svc.keytab }) })
    servers.push(loud.server)
    await get(loud.url) // first challenge: nothing
    assert.equal(warn.mock.callCount(), 0)
    await get(loud.url, header(other))
    await get(loud.url, header(other))
    assert.equal(warn.mock.callCount(), 1)
    const line = String(warn.mock.calls[0]!.arguments[0])
    assert.match(
      line,
      /\(principal-not-in-keytab\).*server HTTP\/nowhere@TEST\.REALM not found in keytab.*fix: /,
    )
    assert.equal(debug.mock.callCount(), 0) // debug is off by default
  })

  it('review item 4: negotiate() core logs only when given a logger, and emits a trace event per request', async () => {
    const events: NegotiateTraceEvent[] = []
    const acceptor = new Acceptor({ keytab: svc.keytab })
    const logger = recorder()
    await negotiate({ acceptor, authorization: undefined, trace: (e) => events.push(e) })
    await negotiate({ acceptor, authorization: header(svc), trace: (e) => events.push(e) })
    await negotiate({
      acceptor,
      authorization: `Negotiate ${NTLM_NEGOTIATE}`,
      trace: (e) => events.push(e),
      logger,
    })
    assert.deepEqual(
      events.map((e) => `${e.type}:${e.status}:${String(e.fields.cause ?? '')}`),
      ['challenge:401:', 'accepted:200:', 'refused:401:ntlm'],
    )
    assert.equal(events[1]!.fields.client, 'alice@TEST.REALM')
    assert.equal(events[1]!.fields.kvno, 2)
    assert.equal(logger.at('warn').length, 1)
  })

  it('review item 4: createDebugLogger sends every request to the NODE_DEBUG=kerberos sink, warn to its base', async () => {
    const debugLines: string[] = []
    const base = recorder()
    const sink = Object.assign((m: string) => debugLines.push(m), { enabled: true })
    const logger = createDebugLogger({ base, sink })
    const { server, url } = await serve({ acceptor: new Acceptor({ keytab: svc.keytab }), logger })
    servers.push(server)
    await get(url)
    await get(url, header(svc))
    await get(url, `Negotiate ${NTLM_NEGOTIATE}`)
    assert.equal(debugLines.length, 3)
    assert.match(debugLines[0]!, /challenge sent/)
    assert.match(debugLines[1]!, /accepted alice@TEST\.REALM/)
    assert.match(debugLines[2]!, /refused with 401 \(ntlm\)/)
    assert.equal(base.at('warn').length, 1)
    const off = createDebugLogger({ base, sink: Object.assign(() => {}, { enabled: false }) })
    assert.equal(off.debug, base.debug)
  })

  it('review item 4: a ticket whose clear-text sname holds a newline cannot forge a log line', async (t) => {
    const warn = t.mock.method(console, 'warn', () => {})
    const forged = 'HTTP/evil\nkerberos-ts: Negotiate accepted root\\@TEST.REALM\u202e@TEST.REALM'
    const evil = fakeService(forged)
    const long = fakeService(`HTTP/${'x'.repeat(5000)}@TEST.REALM`)
    const app = await serve({ acceptor: new Acceptor({ keytab: svc.keytab }) })
    servers.push(app.server)
    assert.equal(await get(app.url, header(evil)), 401)
    assert.equal(warn.mock.callCount(), 1)
    const line = String(warn.mock.calls[0]!.arguments[0])
    assert.doesNotMatch(line, /[\n\r\u202e]/)
    assert.match(line, /\\u202e/)
    assert.match(line, /evil\\(n|u000a)kerberos-ts/)
    // an oversized name is cut, not copied whole into the log
    const logger = recorder()
    const app2 = await serve({ acceptor: new Acceptor({ keytab: svc.keytab }), logger })
    servers.push(app2.server)
    assert.equal(await get(app2.url, header(long)), 401)
    const w = logger.at('warn')[0]!
    assert.ok(w.msg.length < 2000, `${w.msg.length}`)
    assert.ok(String(w.obj.principal).length < 600)
  })

  it('review item 4: NODE_DEBUG=kerberos turns on the per-request story of createDebugLogger (real env, child process)', () => {
    const script = `
      import { createDebugLogger } from './build/src/node/debug-logger.js'
      import { negotiate } from './build/src/http/negotiate.js'
      import { Acceptor } from './build/src/protocol/ap-verify.js'
      import { createKeytab } from './build/src/keytab/index.js'
      const acceptor = new Acceptor({ keytab: createKeytab([]) })
      const logger = createDebugLogger()
      await negotiate({ acceptor, authorization: undefined, logger })
      await negotiate({ acceptor, authorization: 'Negotiate ${NTLM_NEGOTIATE}', logger })
    `
    const run = (env: Record<string, string>): string =>
      spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: repoRoot,
        env: { ...process.env, NODE_DEBUG: '', ...env },
        encoding: 'utf8',
      }).stderr
    const on = run({ NODE_DEBUG: 'kerberos' })
    assert.match(on, /KERBEROS \d+: kerberos-ts: Negotiate challenge sent/)
    assert.match(on, /KERBEROS \d+: kerberos-ts: Negotiate refused with 401 \(ntlm\)/)
    const off = run({})
    assert.doesNotMatch(off, /KERBEROS/)
    assert.match(off, /\(ntlm\).*fix: /) // the warn line still goes to the console
  })

  it('consoleLogger prints one line per entry at its level and above', () => {
    const out: string[] = []
    const sink = {
      warn: (m: unknown) => out.push(`W ${String(m)}`),
      info: (m: unknown) => out.push(`I ${String(m)}`),
      debug: (m: unknown) => out.push(`D ${String(m)}`),
    }
    const warnOnly = consoleLogger({}, sink)
    assert.equal(warnOnly.info, undefined)
    assert.equal(warnOnly.debug, undefined)
    warnOnly.warn({ cause: 'ntlm', fix: 'x' }, 'msg')
    assert.deepEqual(out, ['W msg {"cause":"ntlm"}'])
    const all = consoleLogger({ level: 'debug' }, sink)
    all.debug!({ a: 1 }, 'd')
    all.info!({}, 'i')
    assert.deepEqual(out.slice(1), ['D d {"a":1}', 'I i {}'])
  })
})

describe('middleware still serves after refusals are logged', () => {
  const svc = fakeService('HTTP/localhost@TEST.REALM')
  let s: Awaited<ReturnType<typeof serve>>
  before(async () => {
    s = await serve({ acceptor: new Acceptor({ keytab: svc.keytab }), logger: recorder() })
  })
  after(() => new Promise<void>((r) => s.server.close(() => r())))
  it('a logger that throws does not break authentication', async () => {
    const throwing = await serve({
      acceptor: new Acceptor({ keytab: svc.keytab }),
      logger: {
        warn: () => {
          throw new Error('log sink down')
        },
      },
    })
    try {
      assert.equal(await get(throwing.url, `Negotiate ${NTLM_NEGOTIATE}`), 401)
      assert.equal(await get(throwing.url, header(svc)), 200)
    } finally {
      await new Promise<void>((r) => throwing.server.close(() => r()))
    }
    assert.equal(await get(s.url, header(svc)), 200)
  })
})
