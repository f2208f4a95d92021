/**
 * Issue 11 item 6 — runDoctor() against a Samba 4.17 AD DC: the salt AD uses for a ktpass-style
 * account (not the default salt, so doctor names it), a keytab login and SPN tickets, an rc4-only
 * service (warned), and a keytab whose principal differs in case from the name asked.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { runDoctor, type DoctorCheck, type DoctorReport } from '../../src/node/doctor.js'
import { AD_ACCOUNTS, skipWithoutSamba, useSambaDC, type SambaDC } from '../helpers/samba.js'

function check(report: DoctorReport, id: string): DoctorCheck {
  const c = report.checks.find((x) => x.id === id)
  assert.ok(c, `expected a check ${id}, got ${report.checks.map((x) => x.id).join(', ')}`)
  return c
}

describe('doctor against a Samba AD DC', { skip: skipWithoutSamba() }, () => {
  let dc: SambaDC
  before(async () => {
    dc = await useSambaDC()
  })
  after(async () => {
    await dc?.release()
  })

  const base = (): {
    configPaths: string[]
    env: Record<string, string>
    attemptTimeoutMs: number
  } => ({
    configPaths: [dc.krb5ConfPath],
    env: { KRB5CCNAME: `FILE:${dc.path('none.cc')}` },
    attemptTimeoutMs: 3000,
  })

  test('issue 11 #6 (AD): doctor names the salt of a ktpass-style account, logs in, and checks its SPN', async () => {
    const report = await runDoctor({
      ...base(),
      keytab: dc.keytabPath(AD_ACCOUNTS.svcWeb.keytab),
      spns: ['HTTP/web.ad.test'],
    })
    assert.equal(report.ok, true, JSON.stringify(report.checks, null, 1))
    // AD does not give out its krbtgt as a client: the realm check cannot tell, and says so.
    assert.equal(check(report, 'realm-served').status, 'skip')
    const kdc = check(report, 'kdc-principal')
    const keys = kdc.details!.keys as { enctype: string; salt: string; defaultSalt: boolean }[]
    assert.ok(
      keys.some((k) => k.salt === AD_ACCOUNTS.svcWeb.salt && !k.defaultSalt),
      JSON.stringify(keys),
    )
    assert.match(kdc.advice!, /KDC's salt/)
    assert.equal(check(report, 'keytab-login').status, 'ok')
    const spn = check(report, 'spn:HTTP/web.ad.test')
    assert.equal(spn.status, 'ok')
    assert.equal(spn.details!.ticketEnctype, 'aes256-cts-hmac-sha1-96')
  })

  test('issue 11 #6 (AD): doctor explains an rc4-only service (ETYPE_NOSUPP), and warns when rc4 is allowed', async () => {
    const report = await runDoctor({
      ...base(),
      keytab: dc.keytabPath(AD_ACCOUNTS.vault.keytab),
      spns: ['cifs/legacy.ad.test'],
    })
    const refused = check(report, 'spn:cifs/legacy.ad.test')
    assert.equal(refused.status, 'fail', JSON.stringify(refused))
    assert.match(
      refused.summary,
      /no key for cifs\/legacy\.ad\.test in an enctype this client offers/,
    )
    assert.match(refused.advice!, /msDS-SupportedEncryptionTypes/)
    const weak = dc.writeKrb5Conf('doctor-weak.conf', { allow_weak_crypto: 'true' })
    const allowed = await runDoctor({
      ...base(),
      configPaths: [weak],
      keytab: dc.keytabPath(AD_ACCOUNTS.vault.keytab),
      spns: ['cifs/legacy.ad.test'],
    })
    const spn = check(allowed, 'spn:cifs/legacy.ad.test')
    assert.equal(spn.status, 'warn', JSON.stringify(spn))
    assert.equal(spn.details!.ticketEnctype, 'arcfour-hmac')
    assert.match(spn.advice!, /msDS-SupportedEncryptionTypes/)
  })

  test('issue 11 #6 (AD): doctor -p jdoe with a keytab of JDoe names the keytab spelling', async () => {
    const report = await runDoctor({
      ...base(),
      keytab: dc.keytabPath(AD_ACCOUNTS.jdoe.keytab),
      principal: 'jdoe',
    })
    const kt = check(report, 'keytab-principal')
    assert.equal(kt.status, 'fail')
    assert.deepEqual(kt.details!.nearMatches, ['JDoe@AD.TEST'])
    // AD itself matches names without regard to case: the KDC knows jdoe.
    assert.equal(check(report, 'kdc-principal').status, 'ok')
  })
})
