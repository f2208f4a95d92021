/**
 * runDoctor() against a real MIT realm: the cases of issue 11 item 6 (a stale keytab, a missing
 * SPN, a skewed clock, an unreachable KDC, a wrong-case principal) and a healthy setup.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Resolver } from 'node:dns/promises'
import { writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { parseKeytab } from '../../src/keytab/index.js'
import { toHex } from '../../src/internal/bytes.js'
import {
  runDoctor,
  type DoctorCheck,
  type DoctorOptions,
  type DoctorReport,
} from '../../src/node/doctor.js'
import { startDNSServer } from '../helpers/dns-server.js'
import { startHostileKDC } from '../helpers/hostile-kdc.js'
import { findFreePort, skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'

const skip = skipWithoutMIT()
let realm: Realm | undefined
const R = 'DOCTOR.TEST'

before(async () => {
  if (skip !== false) return
  realm = await startRealm({ realm: R })
  await realm.addPrincipal('svc', { randkey: true })
  await realm.ktadd('svc', realm.path('svc.keytab'))
  await realm.addPrincipal('alice', { password: 'alice pw', requiresPreauth: true })
  await realm.ktadd('alice', realm.path('alice.keytab'))
  // Stale keytabs: exported, then the keys change (as a password change does).
  await realm.addPrincipal('stale', { randkey: true, requiresPreauth: true })
  await realm.ktadd('stale', realm.path('stale.keytab'))
  await realm.cpwRandkey('stale')
  await realm.addPrincipal('stalesvc', { randkey: true })
  await realm.ktadd('stalesvc', realm.path('stalesvc.keytab'))
  await realm.cpwRandkey('stalesvc')
  await realm.addPrincipal('HTTP/web.doctor.test', { randkey: true })
  await realm.ktadd('HTTP/web.doctor.test', realm.path('http.keytab'))
})

after(async () => {
  await realm?.stop()
})

function opts(extra: DoctorOptions = {}): DoctorOptions {
  return {
    configPaths: [realm!.krb5ConfPath],
    env: { KRB5CCNAME: `FILE:${realm!.path('none.cc')}` },
    attemptTimeoutMs: 1500,
    ...extra,
  }
}

function check(report: DoctorReport, id: string): DoctorCheck {
  const c = report.checks.find((x) => x.id === id)
  assert.ok(c, `expected a check ${id}, got ${report.checks.map((x) => x.id).join(', ')}`)
  return c
}

test(
  'issue 11 #6: doctor passes a healthy setup: config, realm, KDC over UDP and TCP, clock, keytab, SPN',
  { skip },
  async () => {
    const report = await runDoctor(
      opts({ keytab: realm!.path('svc.keytab'), spns: ['HTTP/web.doctor.test'] }),
    )
    assert.equal(report.ok, true, JSON.stringify(report.checks, null, 1))
    assert.equal(report.realm, R)
    assert.equal(check(report, 'config').status, 'ok')
    assert.match(check(report, 'realm').summary, /the realm of the keytab's first principal/)
    const kdc = check(report, `kdc:127.0.0.1:${realm!.kdcPort}`)
    assert.equal(kdc.status, 'ok')
    const attempts = kdc.details!.attempts as {
      protocol: string
      answered: boolean
      ms: number
      result: string
    }[]
    assert.deepEqual(
      attempts.map((a) => [a.protocol, a.answered, a.result]),
      [
        ['udp', true, 'KDC_ERR_C_PRINCIPAL_UNKNOWN'],
        ['tcp', true, 'KDC_ERR_C_PRINCIPAL_UNKNOWN'],
      ],
    )
    assert.equal(check(report, 'clock').status, 'ok')
    assert.ok(Math.abs(report.clockOffsetMs!) < 3000, `offset ${report.clockOffsetMs}`)
    assert.equal(check(report, 'keytab').status, 'ok')
    assert.equal(check(report, 'kdc-principal').status, 'ok')
    assert.equal(check(report, 'keytab-login').status, 'ok')
    const kvno = check(report, 'keytab-kvno')
    assert.equal(kvno.status, 'ok')
    assert.equal(kvno.details!.ticketKvno, kvno.details!.keytabKvno)
    const spn = check(report, 'spn:HTTP/web.doctor.test')
    assert.equal(spn.status, 'ok')
    assert.equal(spn.details!.ticketEnctype, 'aes256-cts-hmac-sha1-96')
  },
)

test(
  'issue 11 #6: doctor diagnoses a stale keytab (preauth: PREAUTH_FAILED) with the keytab kvno',
  { skip },
  async () => {
    const report = await runDoctor(opts({ keytab: realm!.path('stale.keytab') }))
    assert.equal(report.ok, false)
    const login = check(report, 'keytab-login')
    assert.equal(login.status, 'fail')
    assert.match(
      login.summary,
      /password probably changed since this keytab was exported \(keytab kvno 2\)/,
    )
    assert.match(login.advice!, /fresh keytab/)
    assert.equal(check(report, 'keytab-kvno').status, 'skip')
  },
)

test(
  'issue 11 #6: doctor diagnoses a stale keytab of a principal without preauth (the AS-REP does not decrypt)',
  { skip },
  async () => {
    const report = await runDoctor(opts({ keytab: realm!.path('stalesvc.keytab') }))
    const login = check(report, 'keytab-login')
    assert.equal(login.status, 'fail')
    assert.equal(login.details!.keytabKvno, 2)
    // MIT leaves the kvno out of the AS-REP enc-part; a KDC that sends it (AD) is quoted.
    assert.ok(login.details!.kdcKvno === undefined || login.details!.kdcKvno === 3)
    assert.match(
      login.summary,
      /password probably changed since this keytab was exported \(keytab kvno 2/,
    )
    assert.match(String(login.details!.error), /ERR_KRB_INTEGRITY/)
  },
)

test(
  'issue 11 #6: doctor diagnoses a missing SPN, and a wrong-case SPN with its near match',
  { skip },
  async () => {
    const report = await runDoctor(
      opts({
        keytab: realm!.path('svc.keytab'),
        spns: ['HTTP/nowhere.doctor.test', 'HTTP/WEB.doctor.test'],
      }),
    )
    assert.equal(report.ok, false)
    const missing = check(report, 'spn:HTTP/nowhere.doctor.test')
    assert.equal(missing.status, 'fail')
    assert.match(missing.summary, /the KDC does not know HTTP\/nowhere\.doctor\.test$/)
    assert.match(missing.advice!, /setspn|addprinc/)
    const upper = check(report, 'spn:HTTP/WEB.doctor.test')
    assert.equal(upper.status, 'fail')
    assert.equal(upper.details!.nearMatch, `HTTP/web.doctor.test@${R}`)
  },
)

test(
  'issue 11 #6: doctor diagnoses a skewed clock (a fake clock one hour ahead), and still logs in',
  { skip },
  async () => {
    const now = (): Date => new Date(Date.now() + 3600_000)
    const report = await runDoctor(opts({ keytab: realm!.path('svc.keytab'), now }))
    const clock = check(report, 'clock')
    assert.equal(clock.status, 'fail')
    assert.match(clock.summary, /this clock is 1\.0 h ahead of the KDC's \(allowed skew 300 s\)/)
    assert.ok(Math.abs(report.clockOffsetMs! + 3600_000) < 3000)
    assert.match(clock.advice!, /KRB_AP_ERR_SKEW/)
    assert.equal(report.ok, false)
    // The client corrects its own logins from the KDC time (KRB_AP_ERR_SKEW): the keytab still works.
    assert.equal(check(report, 'keytab-login').status, 'ok')
    const small = await runDoctor(opts({ now: () => new Date(Date.now() - 200_000) }))
    assert.equal(check(small, 'clock').status, 'warn')
    assert.match(check(small, 'clock').summary, /3\.3 min behind/)
  },
)

test(
  'issue 11 #6: doctor diagnoses an unreachable KDC (UDP and TCP tried, timings) and skips what needs it',
  { skip },
  async () => {
    const dead = await findFreePort()
    const conf = realm!.writeKrb5Conf('dead.conf', { kdc: [`127.0.0.1:${dead}`] })
    const report = await runDoctor(
      opts({
        configPaths: [conf],
        keytab: realm!.path('svc.keytab'),
        spns: ['HTTP/web.doctor.test'],
      }),
    )
    assert.equal(report.ok, false)
    const kdc = check(report, `kdc:127.0.0.1:${dead}`)
    assert.equal(kdc.status, 'fail')
    const attempts = kdc.details!.attempts as {
      protocol: string
      answered: boolean
      result: string
    }[]
    assert.deepEqual(
      attempts.map((a) => [a.protocol, a.answered, a.result]),
      [
        ['udp', false, 'ECONNREFUSED'],
        ['tcp', false, 'ECONNREFUSED'],
      ],
    )
    assert.match(kdc.advice!, /port 88/)
    for (const id of ['clock', 'kdc-principal', 'keytab-login', 'spn:HTTP/web.doctor.test'])
      assert.equal(check(report, id).status, 'skip', id)
    // One dead KDC beside a live one is a warning, not a failure.
    const mixed = realm!.writeKrb5Conf('mixed.conf', {
      kdc: [`127.0.0.1:${dead}`, `127.0.0.1:${realm!.kdcPort}`],
    })
    const report2 = await runDoctor(opts({ configPaths: [mixed] }))
    assert.equal(check(report2, `kdc:127.0.0.1:${dead}`).status, 'warn')
    assert.equal(report2.ok, true)
  },
)

test(
  'issue 11 #6: doctor diagnoses a wrong-case principal: the keytab and the KDC know alice, not Alice',
  { skip },
  async () => {
    const report = await runDoctor(
      opts({ keytab: realm!.path('alice.keytab'), principal: 'Alice' }),
    )
    assert.equal(report.ok, false)
    const kt = check(report, 'keytab-principal')
    assert.equal(kt.status, 'fail')
    assert.deepEqual(kt.details!.nearMatches, [`alice@${R}`])
    assert.match(kt.advice!, /-p alice@DOCTOR\.TEST/)
    const kdc = check(report, 'kdc-principal')
    assert.equal(kdc.status, 'fail')
    assert.match(kdc.summary, /does not know Alice@DOCTOR\.TEST, but knows alice@DOCTOR\.TEST/)
    assert.equal(kdc.details!.nearMatch, `alice@${R}`)
    // The right name passes, and the KDC's salt is reported.
    const good = await runDoctor(opts({ keytab: realm!.path('alice.keytab'), principal: 'alice' }))
    assert.equal(good.ok, true, JSON.stringify(good.checks, null, 1))
    const keys = check(good, 'kdc-principal').details!.keys as { salt: string }[]
    assert.equal(keys[0]!.salt, 'DOCTOR.TESTalice')
  },
)

test(
  'issue 11 #6: doctor says a lower-case realm is not the configured one',
  { skip },
  async () => {
    const report = await runDoctor(opts({ principal: 'alice@doctor.test' }))
    const r = check(report, 'realm')
    assert.equal(r.status, 'fail')
    assert.match(
      r.summary,
      /realm doctor\.test .* is not configured, but DOCTOR\.TEST is: realm names are case-sensitive/,
    )
  },
)

test('issue 11 #6: the doctor report never contains key bytes', { skip }, async () => {
  const path = realm!.path('svc.keytab')
  const report = await runDoctor(opts({ keytab: path }))
  const json = JSON.stringify(report).toLowerCase()
  for (const e of parseKeytab(new Uint8Array(await readFile(path))).entries) {
    const hex = toHex(e.key.bytes)
    if (hex.length > 0) assert.ok(!json.includes(hex), 'key bytes in the report')
  }
})

test('issue 11 #6: doctor without any krb5.conf or realm fails with advice instead of throwing', async () => {
  const report = await runDoctor({ configPaths: ['/nonexistent/krb5.conf'], env: {} })
  assert.equal(report.ok, false)
  assert.equal(check(report, 'config').status, 'warn')
  assert.equal(check(report, 'realm').status, 'fail')
  assert.match(check(report, 'realm').advice!, /default_realm/)
})

test(
  'issue 11 #6: doctor hints that a KDC that answers may not serve the realm (krbtgt/REALM unknown)',
  { skip },
  async () => {
    const conf = realm!.path('other-realm.conf')
    writeFileSync(
      conf,
      `[libdefaults]\n default_realm = OTHER.TEST\n dns_lookup_kdc = false\n[realms]\n OTHER.TEST = {\n  kdc = 127.0.0.1:${realm!.kdcPort}\n }\n`,
    )
    const report = await runDoctor(opts({ configPaths: [conf], principal: 'alice' }))
    assert.equal(check(report, `kdc:127.0.0.1:${realm!.kdcPort}`).status, 'ok')
    const served = check(report, 'realm-served')
    assert.equal(served.status, 'skip')
    assert.match(served.summary, /does not give out krbtgt\/OTHER\.TEST as a client/)
    const kdc = check(report, 'kdc-principal')
    assert.equal(kdc.status, 'fail')
    assert.match(kdc.advice!, /it may not serve realm OTHER\.TEST/)
    assert.equal(report.ok, false)
    assert.equal(check(await runDoctor(opts()), 'realm-served').status, 'ok')
  },
)

test('issue 11 #6: doctor finds the KDCs in DNS SRV records and tries each', { skip }, async () => {
  const dns = await startDNSServer({
    '_kerberos._udp.DOCTOR.TEST': [
      { priority: 0, weight: 0, port: realm!.kdcPort, target: '127.0.0.1' },
    ],
    '_kerberos._tcp.DOCTOR.TEST': [
      { priority: 0, weight: 0, port: realm!.kdcPort, target: '127.0.0.1' },
    ],
  })
  try {
    const resolver = new Resolver({ timeout: 500, tries: 1 })
    resolver.setServers([dns.address])
    const conf = realm!.writeKrb5Conf('srv.conf', {
      kdc: [],
      libdefaults: { dns_lookup_kdc: 'true' },
    })
    const report = await runDoctor(opts({ configPaths: [conf], resolver }))
    const disc = check(report, 'kdc-discovery')
    assert.equal(disc.status, 'ok')
    assert.match(disc.summary, /from DNS SRV records: udp\/127\.0\.0\.1:\d+, tcp\/127\.0\.0\.1:\d+/)
    const kdcs = report.checks.filter((c) => c.id === `kdc:127.0.0.1:${realm!.kdcPort}`)
    assert.equal(kdcs.length, 1, 'one check per address, both protocols')
    assert.equal(kdcs[0]!.status, 'ok')
    assert.match(kdcs[0]!.summary, /UDP \d+ ms, TCP \d+ ms/)
    assert.equal(report.ok, true, JSON.stringify(report.checks, null, 1))
  } finally {
    await dns.close()
  }
})

test(
  'issue 11 #6: doctor against hostile KDCs (garbage, a 2 GiB length prefix, silence, a time ten years ahead) reports and never throws',
  { skip },
  async () => {
    const expected: Record<string, RegExp> = {
      garbage: /ERR_KRB_ASN1_DECODE|ERR_KRB_KDC_REPLY|ERR_KRB_TRANSPORT/,
      'huge-length': /ERR_KRB_TRANSPORT|ETIMEDOUT/,
      silent: /ETIMEDOUT/,
    }
    for (const [mode, code] of Object.entries(expected)) {
      const kdc = await startHostileKDC({ mode: mode as 'garbage' })
      try {
        const conf = realm!.writeKrb5Conf(`hostile-${mode}.conf`, {
          kdc: [`127.0.0.1:${kdc.port}`],
        })
        const started = Date.now()
        const report = await runDoctor(
          opts({ configPaths: [conf], attemptTimeoutMs: 500, keytab: realm!.path('svc.keytab') }),
        )
        assert.ok(Date.now() - started < 5000, `${mode}: bounded time`)
        const c = check(report, `kdc:127.0.0.1:${kdc.port}`)
        assert.equal(c.status, 'fail', `${mode}: ${c.summary}`)
        const attempts = c.details!.attempts as { result: string }[]
        for (const a of attempts) assert.match(a.result, code, mode)
        assert.equal(report.ok, false)
      } finally {
        await kdc.close()
      }
    }
    // A KDC whose KRB-ERRORs say it is ten years ahead: reported as a clock offset, never applied
    // (the principal check sees KRB_AP_ERR_SKEW and says so).
    const skewing = await startHostileKDC({ mode: 'skew-loop' })
    try {
      const conf = realm!.writeKrb5Conf('hostile-skew.conf', { kdc: [`127.0.0.1:${skewing.port}`] })
      const report = await runDoctor(
        opts({ configPaths: [conf], keytab: realm!.path('svc.keytab') }),
      )
      assert.equal(check(report, 'clock').status, 'fail')
      assert.ok(report.clockOffsetMs! > 9 * 365 * 86400_000)
      assert.match(check(report, 'clock').summary, /this clock is 36\d\d days behind the KDC's/)
      assert.match(check(report, 'kdc-principal').summary, /KRB_AP_ERR_SKEW/)
      assert.equal(check(report, 'keytab-login').status, 'skip')
      assert.equal(report.ok, false)
    } finally {
      await skewing.close()
    }
  },
)
