/**
 * Issue 11 item 5: client errors that say what to do, against a real MIT KDC — the missing
 * service named (and an IP address or a wrong-case service explained), realms in lower case, a
 * keytab older than the account's keys (with and without required preauth), a wrong password,
 * and TGS clock skew with the KDC's time (a fake client clock). One realm for the whole file.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { looksHostBased, resolveServiceName } from '../../src/client/index.js'
import { looksLikeIPAddress, serviceHint } from '../../src/client/explain.js'
import { KDCError, KerberosError } from '../../src/errors.js'
import { formatPrincipal, parsePrincipal } from '../../src/principal.js'
import { skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { clientFor, keytabAt } from './helpers.js'

const PW = 'correct horse battery staple'
const R = 'ERRORS.TEST'

function hintOf(e: unknown): string {
  assert.ok(e instanceof KerberosError, `expected a KerberosError, got ${String(e)}`)
  assert.equal(typeof e.hint, 'string', `no hint on: ${e.message}`)
  return e.hint!
}

describe('client errors say what to do (issue 11 item 5)', { skip: skipWithoutMIT() }, () => {
  let realm: Realm
  before(async () => {
    realm = await startRealm({ realm: R })
    await realm.addPrincipal('alice', { password: PW, requiresPreauth: true })
    await realm.addPrincipal('bob', { password: PW })
    await realm.addPrincipal('HTTP/localhost')
    // Service accounts whose keytab goes stale: one without preauth, one with.
    await realm.addPrincipal('svc-stale')
    await realm.ktadd('svc-stale', realm.path('svc-stale.keytab'))
    await realm.cpwRandkey('svc-stale')
    await realm.addPrincipal('svc-stale-pa', { requiresPreauth: true })
    await realm.ktadd('svc-stale-pa', realm.path('svc-stale-pa.keytab'))
    await realm.cpwRandkey('svc-stale-pa')
  })
  after(async () => {
    await realm?.stop()
  })

  test('item 5: a missing service is reported under the SPN asked for, not the client', async () => {
    const { client } = clientFor(realm)
    await client.login({ principal: 'alice', password: PW })
    await assert.rejects(client.getServiceTicket(`HTTP/nowhere.example@${R}`), (e: unknown) => {
      assert.ok(e instanceof KDCError)
      assert.equal(e.errorName, 'KDC_ERR_S_PRINCIPAL_UNKNOWN')
      assert.match(e.message, /KDC_ERR_S_PRINCIPAL_UNKNOWN/)
      assert.match(e.message, new RegExp(`no service HTTP/nowhere\\.example@${R}`))
      assert.equal(e.context.server, `HTTP/nowhere.example@${R}`)
      assert.equal(e.context.client, `alice@${R}`)
      assert.match(hintOf(e), /troubleshooting\.md#service-principal-unknown/)
      return true
    })
  })

  test('item 5: an SPN built from an IP address says so and says to use the host name', async () => {
    const { client } = clientFor(realm)
    await client.login({ principal: 'alice', password: PW })
    await assert.rejects(client.getServiceTicket('HTTP@127.0.0.1'), (e: unknown) => {
      assert.ok(e instanceof KDCError)
      assert.match(e.message, new RegExp(`HTTP/127\\.0\\.0\\.1@${R}`))
      const hint = hintOf(e)
      assert.match(hint, /127\.0\.0\.1 is an IP address/)
      assert.match(hint, /use the host name/)
      assert.match(hint, /#spn-ip-address/)
      return true
    })
  })

  test('item 5: http/localhost suggests HTTP/localhost (service names are case-sensitive)', async () => {
    const { client } = clientFor(realm)
    await client.login({ principal: 'alice', password: PW })
    await assert.rejects(client.getServiceTicket(`http/localhost@${R}`), (e: unknown) => {
      assert.ok(e instanceof KDCError)
      assert.equal(e.errorName, 'KDC_ERR_S_PRINCIPAL_UNKNOWN')
      assert.match(hintOf(e), new RegExp(`did you mean HTTP/localhost@${R}\\?`))
      return true
    })
    // The suggestion is right: the upper-case name works.
    await client.getServiceTicket(`HTTP/localhost@${R}`)
  })

  test('item 5: a realm in lower case (alice@errors.test) gets a case hint', async () => {
    const { client } = clientFor(realm)
    await assert.rejects(
      client.login({ principal: 'alice@errors.test', password: PW }),
      (e: unknown) => {
        assert.match(hintOf(e), /realm names are case-sensitive and upper case by convention/)
        assert.match(hintOf(e), new RegExp(`did you mean ${R}\\?`))
        assert.match(hintOf(e), /#realm-case/)
        return true
      },
    )
  })

  test('item 5: a service in a lower-case realm gets the realm case hint', async () => {
    const { client } = clientFor(realm)
    await client.login({ principal: 'alice', password: PW })
    await assert.rejects(client.getServiceTicket('HTTP/localhost@errors.test'), (e: unknown) => {
      assert.match(hintOf(e), new RegExp(`did you mean ${R}\\?`))
      return true
    })
  })

  test('item 5: a stale keytab (cpw after ktadd), no preauth: principal, kvno, enctype and "password probably changed"', async () => {
    const { client } = clientFor(realm)
    const keytab = keytabAt(realm.path('svc-stale.keytab'))
    const kvno = keytab.entries[0]!.kvno
    const current = await realm.getKvno('svc-stale')
    assert.equal(current, kvno + 1)
    await assert.rejects(client.login({ principal: 'svc-stale', keytab }), (e: unknown) => {
      assert.ok(e instanceof KerberosError)
      assert.equal(e.code, 'ERR_KRB_INTEGRITY')
      assert.match(e.message, new RegExp(`svc-stale@${R}`))
      assert.match(e.message, new RegExp(`kvno ${kvno}, aes256-cts-hmac-sha1-96`))
      // MIT sends no kvno in the AS-REP enc-part: when a KDC does, the message names it too.
      if (e.context.replyKvno !== undefined) assert.equal(e.context.replyKvno, current)
      assert.match(
        e.message,
        /the account's password probably changed since this keytab was exported/,
      )
      assert.equal(e.context.kvno, kvno)
      assert.equal(e.context.enctype, 18)
      assert.match(hintOf(e), /#keytab-stale/)
      return true
    })
  })

  test('item 5: a stale keytab with required preauth: PREAUTH_FAILED names the kvno and enctype used', async () => {
    const { client } = clientFor(realm)
    const keytab = keytabAt(realm.path('svc-stale-pa.keytab'))
    const kvno = keytab.entries[0]!.kvno
    await assert.rejects(client.login({ principal: 'svc-stale-pa', keytab }), (e: unknown) => {
      assert.ok(e instanceof KDCError)
      assert.equal(e.errorName, 'KDC_ERR_PREAUTH_FAILED')
      assert.match(e.message, /KDC_ERR_PREAUTH_FAILED/)
      assert.match(e.message, new RegExp(`svc-stale-pa@${R}`))
      assert.match(e.message, new RegExp(`kvno ${kvno}, aes256-cts-hmac-sha1-96`))
      assert.match(
        e.message,
        /the account's password probably changed since this keytab was exported/,
      )
      assert.equal(e.context.kvno, kvno)
      assert.match(hintOf(e), /#keytab-stale/)
      return true
    })
  })

  test('item 5: a wrong password says "password incorrect" (with and without preauth)', async () => {
    const { client } = clientFor(realm)
    await assert.rejects(client.login({ principal: 'alice', password: 'nope' }), (e: unknown) => {
      assert.ok(e instanceof KDCError)
      assert.equal(e.errorName, 'KDC_ERR_PREAUTH_FAILED')
      assert.match(e.message, new RegExp(`password incorrect for alice@${R}`))
      assert.ok(!e.message.includes('nope'))
      assert.match(hintOf(e), /#password-incorrect/)
      return true
    })
    await assert.rejects(client.login({ principal: 'bob', password: 'nope' }), (e: unknown) => {
      assert.ok(e instanceof KerberosError)
      assert.equal(e.code, 'ERR_KRB_INTEGRITY')
      assert.match(e.message, new RegExp(`password incorrect for bob@${R}`))
      assert.match(hintOf(e), /#password-incorrect/)
      return true
    })
  })

  test('item 5: TGS clock skew gives the offset in seconds and the KDC time', async () => {
    let shift = 0
    const { client } = clientFor(realm, { now: () => new Date(Date.now() + shift) })
    await client.login({ principal: 'alice', password: PW })
    shift = 3600_000 // our clock jumps an hour ahead after login
    await assert.rejects(client.getServiceTicket(`HTTP/localhost@${R}`), (e: unknown) => {
      assert.ok(e instanceof KDCError)
      assert.equal(e.errorName, 'KRB_AP_ERR_SKEW')
      assert.match(
        e.message,
        /the KDC's clock \(\d{4}-\d\d-\d\dT[\d:.]+Z\) is 3\d{3} s behind ours/,
      )
      assert.match(e.message, /clockskew of 300 s/)
      const off = e.context.offsetSeconds as number
      assert.ok(Math.abs(off + 3600) <= 5, `offset ${off}`)
      assert.ok(Math.abs(Date.parse(e.context.kdcTime as string) - Date.now()) < 10_000)
      assert.match(hintOf(e), /#clock-skew/)
      return true
    })
  })
})

describe('client error hints, without a KDC (issue 11 item 5)', () => {
  test('item 5: HTTP@127.0.0.1 is read as a host-based name (an IP address is not a realm)', () => {
    assert.equal(looksHostBased('HTTP@127.0.0.1'), true)
    assert.equal(looksHostBased('alice@EXAMPLE.COM'), false)
    const p = resolveServiceName('HTTP@127.0.0.1', { home: 'EXAMPLE.COM' })
    assert.equal(formatPrincipal(p), 'HTTP/127.0.0.1@EXAMPLE.COM')
  })

  test('item 5: hints for an IP-address SPN, a wrong-case service and a lower-case realm', () => {
    assert.equal(looksLikeIPAddress('10.1.2.3'), true)
    assert.equal(looksLikeIPAddress('::1'), true)
    assert.equal(looksLikeIPAddress('[fe80::1]'), true)
    assert.equal(looksLikeIPAddress('web.example.com'), false)
    const sp = (s: string): string => serviceHint(parsePrincipal(s))
    assert.match(sp('HTTP/[::1]@EXAMPLE.COM'), /is an IP address/)
    assert.match(sp('Http/web@EXAMPLE.COM'), /did you mean HTTP\/web@EXAMPLE\.COM\?/)
    assert.match(sp('LDAP/dc1@EXAMPLE.COM'), /did you mean ldap\/dc1@EXAMPLE\.COM\?/)
    assert.match(sp('HTTP/web@example.com'), /did you mean EXAMPLE\.COM\?/)
    assert.match(sp('krbtgt/example.com@EXAMPLE.COM'), /did you mean EXAMPLE\.COM\?/)
    assert.match(sp('HTTP/web@EXAMPLE.COM'), /#service-principal-unknown/)
  })
})
