/**
 * Single sign-on from real browsers (issue 15 item 4). The whole scenario (MIT KDC, our kinit,
 * HTTPS server with negotiateMiddleware and the KDC proxy, headless Chromium and Firefox driven by
 * puppeteer-core) runs in ONE Node process inside a loopback-only network namespace — see
 * browser-sso-scenario.ts — and reports JSON; this file asserts on the report.
 * Needs root (namespaces), MIT krb5, chromium and firefox-esr: fails under CI=true without them.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { createLoopbackNetns, requireNetns } from '../helpers/netns.js'
import { requireMIT } from '../helpers/realm.js'
import { IN_NETNS_MARK, requireBrowsers, runInNetns } from './browser-launch.js'
import type { BrowserSSOReport } from './browser-sso-scenario.js'

const SCENARIO = fileURLToPath(new URL('./browser-sso-scenario.js', import.meta.url))

test('issue 15 #4: browser SSO — Chromium and Firefox (their GSSAPI, our kinit ccache) sign in to negotiateMiddleware; a page logs in through our KDC proxy and calls negotiateFetch', async (t) => {
  if (!requireNetns(t) || !requireMIT(t) || !requireBrowsers(t)) return
  const ns = createLoopbackNetns()
  let r: BrowserSSOReport
  try {
    ;({ report: r } = await runInNetns<BrowserSSOReport>(
      ns.command(process.execPath, [SCENARIO, IN_NETNS_MARK]),
      300_000,
    ))
  } finally {
    ns.close()
  }
  t.diagnostic(
    JSON.stringify({
      sso: r.sso,
      kkdcp: r.kkdcp,
      bundle: r.bundle,
      ssoRequests: r.ssoRequests,
      ms: r.ms,
    }),
  )
  assert.equal(r.error, undefined, r.error)
  const me = `alice@${r.realm}`

  // Our kinit made the ccache the browsers' MIT GSSAPI reads (MIT klist lists it).
  assert.equal(r.kinit.code, 0)
  assert.match(r.kinit.klist, new RegExp(`Default principal: ${me}`))

  // 1. SSO: each browser shows the principal; the server authenticated it on /sso.
  for (const name of ['chromium', 'firefox']) {
    const s = r.sso.find((x) => x.browser === name)
    assert.ok(s, `no SSO report for ${name}`)
    assert.equal(s.error, undefined, `${name}: ${s.error}`)
    assert.equal(s.attempts.at(-1), '200', `${name} navigations: ${s.attempts.join(', ')}`)
    // At most one failed first challenge (Chromium's fresh-profile quirk), never more.
    assert.ok(s.attempts.length <= 2, `${name} navigations: ${s.attempts.join(', ')}`)
    assert.equal(s.shown, me)
  }
  // Control: the same browser and ticket, host not on the allow-list: never any Negotiate.
  const control = r.sso.find((x) => x.browser === 'chromium-not-allowlisted')
  assert.ok(control, 'no control report')
  assert.deepEqual(control.attempts, ['401', '401'])
  assert.equal(control.shown, undefined)
  const controlRequests = r.ssoRequests.filter((q) => q.browser === 'chromium-not-allowlisted')
  assert.ok(controlRequests.length >= 2 && controlRequests.every((q) => !q.negotiate))
  // The browsers' GSSAPI got HTTP/localhost with the TGT of our ccache and stored it there.
  assert.match(r.kinit.klistAfter, new RegExp(`HTTP/localhost@${r.realm}`))
  const onSSO = r.authenticated.filter((a) => a.path === '/sso')
  assert.ok(onSSO.some((a) => /HeadlessChrome/.test(a.agent) && a.principal === me))
  assert.ok(onSSO.some((a) => /Firefox/.test(a.agent) && a.principal === me))

  // 2. KKDCP login in the page (AS with preauth + TGS through /KdcProxy), then negotiateFetch.
  for (const name of ['chromium', 'firefox']) {
    const k = r.kkdcp.find((x) => x.browser === name)
    assert.ok(k, `no KKDCP report for ${name}`)
    assert.equal(k.error, undefined, `${name}: ${k.error}`)
    // A wrong password first: the KDC's PREAUTH_FAILED comes back through the proxy, typed.
    assert.equal(k.wrongPassword?.ok, false)
    assert.equal(k.wrongPassword.code, 'ERR_KRB_KDC_ERROR')
    assert.match(k.wrongPassword.error ?? '', /PREAUTH_FAILED/)
    assert.equal(k.result?.ok, true, `${name}: ${JSON.stringify(k.result)}`)
    assert.equal(k.result.client, me)
    assert.equal(k.result.tgtServer, `krbtgt/${r.realm}@${r.realm}`)
    assert.equal(k.result.principal, me)
    assert.equal(k.shown, me)
  }
  const onAPI = r.authenticated.filter((a) => a.path === '/api/whoami')
  assert.ok(onAPI.some((a) => /HeadlessChrome/.test(a.agent)))
  assert.ok(onAPI.some((a) => /Firefox/.test(a.agent)))
  // Every KDC message of both logins went through the proxy and was relayed.
  assert.ok(r.proxied.length >= 4, JSON.stringify(r.proxied))
  assert.ok(r.proxied.every((p) => p.status === 200 && p.realm === r.realm))

  // 3. The page's bundle (client + KKDCP transport + negotiateFetch) has no Node references.
  assert.deepEqual(r.bundle.nodeReferences, [])
})
