/**
 * `kerberos-ts doctor` against a real MIT realm: the checklist, `--json`, the exit status, and
 * the cases of issue 11 item 6. The skewed clock is a fake `Date` preloaded into the CLI process
 * (`node --import`), as `faketime` would do.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { findFreePort, skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { runCli } from './run-cli.js'

const skip = skipWithoutMIT()
let realm: Realm | undefined
const R = 'CLIDOC.TEST'

before(async () => {
  if (skip !== false) return
  realm = await startRealm({ realm: R })
  await realm.addPrincipal('svc', { randkey: true })
  await realm.ktadd('svc', realm.path('svc.keytab'))
  await realm.addPrincipal('alice', { password: 'alice pw', requiresPreauth: true })
  await realm.addPrincipal('bob', { randkey: true })
  await realm.ktadd('bob', realm.path('bob.keytab'))
  await realm.addPrincipal('stale', { randkey: true, requiresPreauth: true })
  await realm.ktadd('stale', realm.path('stale.keytab'))
  await realm.cpwRandkey('stale')
  await realm.addPrincipal('HTTP/web.clidoc.test', { randkey: true })
})

after(async () => {
  await realm?.stop()
})

function doctor(
  args: readonly string[],
  env: Record<string, string> = {},
): ReturnType<typeof runCli> {
  return runCli(['doctor', '--timeout', '1500', ...args], {
    env: {
      KRB5_CONFIG: realm!.krb5ConfPath,
      KRB5CCNAME: `FILE:${realm!.path('none.cc')}`,
      ...env,
    },
  })
}

test(
  'issue 11 #6: kerberos-ts doctor prints a ✔ checklist and exits 0 for a healthy keytab and SPN',
  { skip },
  () => {
    const r = doctor(['-k', realm!.path('svc.keytab'), '--spn', 'HTTP/web.clidoc.test'])
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /^kerberos-ts doctor — realm CLIDOC\.TEST$/m)
    for (const id of [
      'config',
      'realm',
      'kdc-discovery',
      'clock',
      'keytab',
      'keytab-login',
      'keytab-kvno',
    ])
      assert.match(r.stdout, new RegExp(`^✔ ${id} `, 'm'), id)
    assert.match(
      r.stdout,
      new RegExp(
        `^✔ kdc:127\\.0\\.0\\.1:${realm!.kdcPort} +KDC .* answers: UDP \\d+ ms, TCP \\d+ ms$`,
        'm',
      ),
    )
    assert.match(r.stdout, /^✔ spn:HTTP\/web\.clidoc\.test .*tickets in aes256-cts-hmac-sha1-96/m)
    assert.match(r.stdout, /0 failed, 0 skipped\n$/)
  },
)

test('issue 11 #6: kerberos-ts doctor --json prints the library report', { skip }, () => {
  const r = doctor(['--json', '-k', realm!.path('svc.keytab')])
  assert.equal(r.status, 0, r.stderr)
  const report = JSON.parse(r.stdout) as {
    ok: boolean
    realm: string
    checks: { id: string; status: string }[]
  }
  assert.equal(report.ok, true)
  assert.equal(report.realm, R)
  assert.ok(report.checks.every((c) => ['ok', 'warn', 'fail', 'skip'].includes(c.status)))
  assert.ok(report.checks.some((c) => c.id === 'keytab-login' && c.status === 'ok'))
})

test('issue 11 #6: kerberos-ts doctor says a keytab is stale and exits 1', { skip }, () => {
  const r = doctor(['-k', realm!.path('stale.keytab')])
  assert.equal(r.status, 1, r.stdout)
  assert.match(
    r.stdout,
    /^✖ keytab-login +the KDC refused the keytab's key for stale@CLIDOC\.TEST: the account's password probably changed since this keytab was exported \(keytab kvno 2\)$/m,
  )
  assert.match(r.stdout, /^ +→ Export a fresh keytab/m)
})

test(
  'issue 11 #6: kerberos-ts doctor finds a missing SPN with the TGT of the ccache (MIT kinit)',
  { skip },
  async () => {
    const cc = realm!.path('alice.cc')
    await realm!.kinit('alice', { password: 'alice pw', ccache: cc })
    const r = doctor(['--spn', 'HTTP/nowhere.clidoc.test', '--spn', 'HTTP/web.clidoc.test'], {
      KRB5CCNAME: `FILE:${cc}`,
    })
    assert.equal(r.status, 1, r.stdout)
    assert.match(r.stdout, /^✔ credentials +TGT of alice@CLIDOC\.TEST from the ccache/m)
    assert.match(
      r.stdout,
      /^✖ spn:HTTP\/nowhere\.clidoc\.test +the KDC does not know HTTP\/nowhere\.clidoc\.test$/m,
    )
    assert.match(r.stdout, /^✔ spn:HTTP\/web\.clidoc\.test /m)
  },
)

test(
  'issue 11 #6: kerberos-ts doctor reports a clock one hour fast (fake Date in the process) and exits 1',
  { skip },
  () => {
    const preload = realm!.path('fast-clock.mjs')
    writeFileSync(
      preload,
      `const RealDate = Date
const offset = 3600000
globalThis.Date = class extends RealDate {
  constructor(...a) { if (a.length === 0) super(RealDate.now() + offset); else super(...a) }
  static now() { return RealDate.now() + offset }
}
`,
    )
    const r = doctor(['-k', realm!.path('svc.keytab')], {
      NODE_OPTIONS: `--import ${pathToFileURL(preload).href}`,
    })
    assert.equal(r.status, 1, r.stdout + r.stderr)
    assert.match(
      r.stdout,
      /^✖ clock +this clock is 1\.0 h ahead of the KDC's \(allowed skew 300 s\)$/m,
    )
    assert.match(r.stdout, /^ +→ Synchronise the clock/m)
  },
)

test(
  'issue 11 #6: kerberos-ts doctor reports an unreachable KDC over UDP and TCP and exits 1',
  { skip },
  async () => {
    const dead = await findFreePort()
    const conf = realm!.writeKrb5Conf('dead.conf', { kdc: [`127.0.0.1:${dead}`] })
    const r = doctor(['-k', realm!.path('svc.keytab')], { KRB5_CONFIG: conf })
    assert.equal(r.status, 1, r.stdout)
    assert.match(
      r.stdout,
      new RegExp(
        `^✖ kdc:127\\.0\\.0\\.1:${dead} +KDC 127\\.0\\.0\\.1:${dead} does not answer: UDP ECONNREFUSED after \\d+ ms, TCP ECONNREFUSED after \\d+ ms$`,
        'm',
      ),
    )
    assert.match(r.stdout, /^○ keytab-login +not checked: no KDC answered$/m)
  },
)

test(
  'issue 11 #6: kerberos-ts doctor -p Bob names the principal the keytab and the KDC know (bob)',
  { skip },
  () => {
    const r = doctor(['-k', realm!.path('bob.keytab'), '-p', 'Bob'])
    assert.equal(r.status, 1, r.stdout)
    assert.match(
      r.stdout,
      /^✖ keytab-principal +keytab has no keys for Bob@CLIDOC\.TEST, but has bob@CLIDOC\.TEST: principal names are case-sensitive$/m,
    )
    assert.match(
      r.stdout,
      /^✖ kdc-principal +the KDC does not know Bob@CLIDOC\.TEST, but knows bob@CLIDOC\.TEST/m,
    )
    assert.match(r.stdout, /→ Use -p bob@CLIDOC\.TEST/)
  },
)

test('issue 11 #6: kerberos-ts doctor usage errors exit 2, --help exits 0', () => {
  const bad = runCli(['doctor', 'HTTP/x'])
  assert.equal(bad.status, 2)
  assert.match(bad.stderr, /SPNs go after --spn/)
  assert.equal(runCli(['doctor', '--timeout', 'soon']).status, 2)
  const help = runCli(['doctor', '--help'])
  assert.equal(help.status, 0)
  assert.match(help.stdout, /usage: kerberos-ts doctor/)
  assert.match(runCli(['--help']).stdout, /doctor +diagnose/)
})
