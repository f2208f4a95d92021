/**
 * The browser single-sign-on scenario (issue 15 item 4), run as ONE Node process inside a
 * loopback-only network namespace (browser-sso.test.ts starts it with `ns.command`): an MIT realm
 * on 127.0.0.1, a ccache made by OUR `kerberos-ts kinit`, an HTTPS server (certificate made here
 * with openssl) carrying our `negotiateMiddleware`, our KDC proxy and a page with our bundled
 * client; then
 *  1. headless Chromium, with its own GSSAPI over MIT libkrb5 reading our ccache, opens /sso and
 *     shows the authenticated principal (and Firefox ESR the same, with its Negotiate prefs);
 *  2. in Chromium and in Firefox, a page logs in through the KDC proxy (MS-KKDCP over `fetch`)
 *     with our client and calls a Negotiate-protected API with `negotiateFetch`.
 * Prints one JSON line (the report) on stdout; the test asserts on it. Every wait is bounded.
 */
import { createServer, type Server } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createHash, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { Page } from 'puppeteer-core'
import { negotiateMiddleware, type NegotiateUser } from '../../src/http/index.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { parseKeytab } from '../../src/keytab/index.js'
import { createKDCProxyHandler, tlsServerEndPointBindings } from '../../src/node/index.js'
import { MIT_BIN, runTool, startRealm } from '../helpers/realm.js'
import { repoRoot } from '../helpers/paths.js'
import { makeTestTLS } from '../kkdcp/peers.js'
import {
  IN_NETNS_MARK,
  bundleForBrowser,
  launchChromium,
  launchFirefox,
  type LaunchedBrowser,
} from './browser-launch.js'

const PW = 'browser-sso-pw-1'
const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))
const KKDCP_ENTRY = fileURLToPath(new URL('./browser/kkdcp-login.js', import.meta.url))
const RUNNER_HTML = `${repoRoot}/test/runtimes/browser/runner.html`

/** One browser's single-sign-on navigation to /sso. */
export interface SSOReport {
  readonly browser: string
  readonly version?: string
  /** Every navigation: HTTP status or the network error (e.g. net::ERR_UNSUPPORTED_AUTH_SCHEME). */
  readonly attempts: readonly string[]
  /** The principal the page shows. */
  readonly shown?: string
  readonly error?: string
}

/** One browser's KKDCP login + negotiateFetch. */
export interface KKDCPReport {
  readonly browser: string
  readonly version?: string
  readonly result?: {
    readonly ok: boolean
    readonly client?: string
    readonly tgtServer?: string
    readonly status?: number
    readonly principal?: string
    readonly error?: string
    readonly code?: string
    readonly ms: number
  }
  /** The same login with a wrong password first: must fail (the KDC's error came through the proxy). */
  readonly wrongPassword?: { readonly ok: boolean; readonly code?: string; readonly error?: string }
  /** What the page shows afterwards. */
  readonly shown?: string
  readonly error?: string
}

/** The whole report. */
export interface BrowserSSOReport {
  readonly realm: string
  /** Our kinit's exit code, MIT klist of the ccache before, and after the browsers used it. */
  readonly kinit: {
    readonly code: number | null
    readonly klist: string
    readonly klistAfter: string
  }
  readonly sso: readonly SSOReport[]
  readonly kkdcp: readonly KKDCPReport[]
  readonly bundle: { readonly bytes: number; readonly nodeReferences: readonly string[] }
  /** What the server saw: authentications (principal, path, channel-bound, user agent). */
  readonly authenticated: readonly {
    principal: string
    path: string
    channelBound: boolean
    agent: string
  }[]
  readonly proxied: readonly { status: number; realm?: string; reason: string }[]
  /** Every request to /sso (in order): which browser (`?b=`), and whether it carried `Authorization: Negotiate`. */
  readonly ssoRequests: readonly { browser: string; negotiate: boolean }[]
  readonly ms: number
  readonly error?: string
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)
    }),
  ])
}

/**
 * Navigate to `url` until the page answers 200, at most `max` times. Chromium quirk: the first
 * Negotiate challenge in a fresh headless profile can fail with net::ERR_UNSUPPORTED_AUTH_SCHEME
 * (the GSSAPI library is loaded lazily and the first handler creation loses the race); a second
 * navigation in the same browser succeeds. So retry, bounded, and report every attempt.
 */
async function navigate(page: Page, url: string, max: number): Promise<string[]> {
  const attempts: string[] = []
  for (let i = 0; i < max; i++) {
    try {
      const res = await page.goto(url, { timeout: 30_000, waitUntil: 'load' })
      attempts.push(String(res?.status() ?? 'no response'))
      if (res?.status() === 200) break
    } catch (err) {
      attempts.push(String((err as Error).message).split('\n')[0]!)
    }
  }
  return attempts
}

async function ssoIn(
  name: string,
  launch: () => Promise<LaunchedBrowser>,
  url: string,
  maxNavigations = 3,
): Promise<SSOReport> {
  let b: LaunchedBrowser | undefined
  try {
    b = await launch()
    const page = await b.browser.newPage()
    const attempts = await navigate(page, `${url}?b=${name}`, maxNavigations)
    const shown = await withTimeout(
      page.$eval('#who', (e) => e.textContent ?? ''),
      10_000,
      '#who',
    ).catch(() => undefined)
    return {
      browser: name,
      version: b.version,
      attempts,
      ...(shown !== undefined ? { shown } : {}),
    }
  } catch (err) {
    return { browser: name, attempts: [], error: String((err as Error).stack ?? err) }
  } finally {
    await b?.close()
  }
}

async function kkdcpIn(
  name: string,
  launch: () => Promise<LaunchedBrowser>,
  origin: string,
  realm: string,
): Promise<KKDCPReport> {
  let b: LaunchedBrowser | undefined
  try {
    b = await launch()
    const page = await b.browser.newPage()
    await page.goto(`${origin}/runner.html?m=kkdcp`, { timeout: 30_000, waitUntil: 'load' })
    await page.waitForFunction('globalThis.__ready === true || globalThis.__failed !== undefined', {
      timeout: 30_000,
    })
    const failed = await page.evaluate('globalThis.__failed')
    if (failed !== undefined) throw new Error(`the page's module failed to load: ${String(failed)}`)
    const opts = {
      realm,
      principal: 'alice',
      password: PW,
      proxyURL: `${origin}/KdcProxy`,
      apiURL: `${origin}/api/whoami`,
    }
    const wrong = (await withTimeout(
      page.evaluate(
        `globalThis.__mod.kkdcpLogin(${JSON.stringify({ ...opts, password: 'not-' + PW })})`,
      ),
      90_000,
      'kkdcpLogin (wrong password)',
    )) as { ok: boolean; code?: string; error?: string }
    const wrongPassword = {
      ok: wrong.ok,
      ...(wrong.code !== undefined ? { code: wrong.code } : {}),
      ...(wrong.error !== undefined ? { error: wrong.error } : {}),
    }
    const result = (await withTimeout(
      page.evaluate(
        `(async (o) => {
          const r = await globalThis.__mod.kkdcpLogin(o)
          document.getElementById('out').textContent = r.principal ?? ('error: ' + r.error)
          return r
        })(${JSON.stringify(opts)})`,
      ),
      90_000,
      'kkdcpLogin',
    )) as KKDCPReport['result']
    const shown = await page.$eval('#out', (e) => e.textContent ?? '')
    return {
      browser: name,
      version: b.version,
      wrongPassword,
      ...(result ? { result } : {}),
      shown,
    }
  } catch (err) {
    return { browser: name, error: String((err as Error).stack ?? err) }
  } finally {
    await b?.close()
  }
}

async function main(): Promise<BrowserSSOReport> {
  const t0 = Date.now()
  const realm = await startRealm({ realm: 'BROWSER.TEST' })
  const authenticated: {
    principal: string
    path: string
    channelBound: boolean
    agent: string
  }[] = []
  const proxied: { status: number; realm?: string; reason: string }[] = []
  const ssoRequests: { browser: string; negotiate: boolean }[] = []
  let server: Server | undefined
  try {
    await realm.addPrincipal('alice', { password: PW, requiresPreauth: true })
    await realm.addPrincipal('HTTP/localhost')
    await realm.ktadd('HTTP/localhost', realm.path('http.keytab'))

    // The ccache Chromium's GSSAPI reads is made by OUR kinit.
    const ccache = realm.path('alice.cc')
    const env = { ...realm.env, KRB5CCNAME: `FILE:${ccache}` }
    const k = await runTool(process.execPath, [MAIN, 'kinit', 'alice'], env, {
      input: `${PW}\n`,
      timeoutMs: 30_000,
    })
    const klist = await realm.run(MIT_BIN.klist, ['-c', ccache], { allowFailure: true })

    const tls = makeTestTLS(realm.dir)
    const cert = readFileSync(tls.cert)
    // Chromium trusts the test's server certificate by its SPKI hash (no CA install needed).
    const spki = createHash('sha256')
      .update(new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64')

    const acceptor = new Acceptor({ keytab: parseKeytab(readFileSync(realm.path('http.keytab'))) })
    const auth = negotiateMiddleware({
      acceptor,
      // Chromium binds its GSSAPI tokens to the TLS channel (RFC 5929 tls-server-end-point);
      // checked when present, recorded in `channelBound`.
      channelBindings: tlsServerEndPointBindings,
      logger: false,
    })
    const proxy = createKDCProxyHandler({
      realms: [realm.realm],
      transportOptions: { env: { KRB5_CONFIG: realm.krb5ConfPath } },
      log: (e) =>
        proxied.push({
          status: e.status,
          reason: e.reason,
          ...(e.realm !== undefined ? { realm: e.realm } : {}),
        }),
    })
    const bundle = await bundleForBrowser(KKDCP_ENTRY)
    const runnerHtml = readFileSync(RUNNER_HTML, 'utf8')

    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      const path = new URL(req.url ?? '/', 'https://localhost').pathname
      const authed = (then: (user: NegotiateUser) => void): void =>
        auth(req, res, (err) => {
          if (err !== undefined) {
            res.statusCode = 500
            res.end(String(err))
            return
          }
          const user = (req as unknown as { kerberos: NegotiateUser }).kerberos
          authenticated.push({
            principal: user.principal,
            path,
            channelBound: user.channelBound,
            agent: String(req.headers['user-agent'] ?? ''),
          })
          then(user)
        })
      if (path === '/KdcProxy') {
        proxy(req, res)
      } else if (path === '/sso') {
        ssoRequests.push({
          browser: new URL(req.url ?? '/', 'https://localhost').searchParams.get('b') ?? '',
          negotiate: /^Negotiate /i.test(req.headers.authorization ?? ''),
        })
        authed((user) => {
          res.setHeader('Content-Type', 'text/html; charset=utf-8')
          const who = user.principal.replace(/[<>&"]/g, '')
          res.end(`<!doctype html><title>SSO</title><p>Signed in as <b id="who">${who}</b></p>`)
        })
      } else if (path === '/api/whoami') {
        authed((user) => {
          res.setHeader('Content-Type', 'application/json')
          res.end(JSON.stringify({ principal: user.principal, channelBound: user.channelBound }))
        })
      } else if (path === '/runner.html') {
        res.setHeader('Content-Type', 'text/html; charset=utf-8')
        res.end(runnerHtml)
      } else if (path === '/bundle/kkdcp.js') {
        res.setHeader('Content-Type', 'text/javascript; charset=utf-8')
        res.end(bundle.code)
      } else {
        res.statusCode = 404
        res.end()
      }
    }
    const srv = createServer({ cert, key: readFileSync(tls.key) }, handler)
    server = srv
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject)
      srv.listen(0, '127.0.0.1', () => resolve())
    })
    const port = (srv.address() as AddressInfo).port
    // `localhost`, not 127.0.0.1: the browsers ask for HTTP/<host>, and the keytab has HTTP/localhost.
    const origin = `https://localhost:${port}`
    const gssEnv = { KRB5_CONFIG: realm.krb5ConfPath, KRB5CCNAME: `FILE:${ccache}` }
    // For the KKDCP pages the browser's own Negotiate must stay out of the way: no allow-list,
    // no trusted URIs, and no ccache.
    const noGssEnv = {
      KRB5_CONFIG: realm.krb5ConfPath,
      KRB5CCNAME: `FILE:${realm.path('none.cc')}`,
    }

    const sso: SSOReport[] = []
    sso.push(
      await ssoIn(
        'chromium',
        () =>
          launchChromium({
            args: [
              '--auth-server-allowlist=localhost',
              '--disable-auth-negotiate-cname-lookup',
              `--ignore-certificate-errors-spki-list=${spki}`,
            ],
            env: gssEnv,
          }),
        `${origin}/sso`,
      ),
    )
    sso.push(
      await ssoIn(
        'firefox',
        () =>
          launchFirefox({
            acceptInsecureCerts: true,
            prefs: { 'network.negotiate-auth.trusted-uris': 'https://localhost' },
            env: gssEnv,
          }),
        `${origin}/sso`,
      ),
    )
    // Control: the same Chromium and ticket, but the host is not on the allow-list: no SSO.
    sso.push(
      await ssoIn(
        'chromium-not-allowlisted',
        () =>
          launchChromium({
            args: [
              '--disable-auth-negotiate-cname-lookup',
              `--ignore-certificate-errors-spki-list=${spki}`,
            ],
            env: gssEnv,
          }),
        `${origin}/sso`,
        2,
      ),
    )
    const kkdcp: KKDCPReport[] = []
    kkdcp.push(
      await kkdcpIn(
        'chromium',
        () =>
          launchChromium({
            args: [`--ignore-certificate-errors-spki-list=${spki}`],
            env: noGssEnv,
          }),
        origin,
        realm.realm,
      ),
    )
    kkdcp.push(
      await kkdcpIn(
        'firefox',
        () => launchFirefox({ acceptInsecureCerts: true, env: noGssEnv }),
        origin,
        realm.realm,
      ),
    )
    const klistAfter = await realm.run(MIT_BIN.klist, ['-c', ccache], { allowFailure: true })
    return {
      realm: realm.realm,
      kinit: { code: k.code, klist: klist.stdout, klistAfter: klistAfter.stdout },
      sso,
      kkdcp,
      bundle: { bytes: bundle.bytes, nodeReferences: bundle.nodeReferences },
      authenticated,
      proxied,
      ssoRequests,
      ms: Date.now() - t0,
    }
  } finally {
    server?.closeAllConnections()
    server?.close()
    await realm.stop()
  }
}

// node --test runs every .js file under build/test as a program: do nothing unless started by
// browser-sso.test.ts with the marker.
if (process.argv[2] === IN_NETNS_MARK) {
  const hardStop = setTimeout(() => {
    console.log(JSON.stringify({ error: 'browser SSO scenario: hard time limit (240 s) reached' }))
    process.exit(2)
  }, 240_000)
  hardStop.unref()
  main().then(
    (report) => {
      console.log(JSON.stringify(report))
      process.exit(0)
    },
    (err: unknown) => {
      console.log(JSON.stringify({ error: String((err as Error).stack ?? err) }))
      process.exit(1)
    },
  )
}
