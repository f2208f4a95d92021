/** The throwaway MIT realm helper works: kinit, ktadd, cross-realm kvno, clean stop. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, statSync } from 'node:fs'
import { MIT_BIN, requireMIT, startRealm, startRealmPair, tcpAccepts } from '../helpers/realm.js'

test('single realm: password kinit, ktadd + kinit -k, kvno bump, stop cleans up', async (t) => {
  if (!requireMIT(t)) return
  const t0 = Date.now()
  const realm = await startRealm()
  const startMs = Date.now() - t0
  try {
    assert.ok(startMs < 5000, `realm started in ${startMs} ms`)
    assert.ok(await tcpAccepts(realm.kdcPort))
    await realm.addPrincipal('alice', { password: 'alice pw', requiresPreauth: true })
    const cc = realm.path('alice.cc')
    await realm.kinit('alice', { password: 'alice pw', ccache: cc, renewable: true })
    const list = await realm.run(MIT_BIN.klist, ['-c', cc])
    assert.match(list.stdout, new RegExp(`krbtgt/${realm.realm}@${realm.realm}`))
    assert.match(list.stdout, /renew until/)

    await assert.rejects(realm.kinit('alice', { password: 'wrong', ccache: cc }))
    await assert.rejects(realm.kadmin('addprinc -pw x alice'), /already exists/)
    await assert.rejects(realm.kadmin('getprinc nobody'), /does not exist/)
    await assert.rejects(realm.kadmin('frobnicate'), /Command not found/)

    await realm.addPrincipal('svc/localhost')
    assert.equal(await realm.getKvno('svc/localhost'), 1)
    const kt = realm.path('svc.keytab')
    await realm.ktadd('svc/localhost', kt)
    assert.equal(await realm.getKvno('svc/localhost'), 2)
    await realm.ktadd('svc/localhost', kt, { norandkey: true })
    assert.equal(await realm.getKvno('svc/localhost'), 2)
    await realm.kinit('svc/localhost', { keytab: kt, ccache: realm.path('svc.cc') })
    await realm.run(MIT_BIN.kvno, ['-c', cc, 'svc/localhost'])
    await realm.cpwRandkey('svc/localhost')
    assert.equal(await realm.getKvno('svc/localhost'), 3)

    // A krb5.conf variant: a dead KDC first, then the real one, TCP only.
    const variant = realm.writeKrb5Conf('variant.conf', {
      kdc: ['127.0.0.1:1', `127.0.0.1:${realm.kdcPort}`],
      libdefaults: { udp_preference_limit: '1' },
    })
    await realm.run(MIT_BIN.kinit, ['-c', cc, 'alice'], {
      input: 'alice pw\n',
      env: { KRB5_CONFIG: variant },
    })

    await realm.stopKDC()
    assert.equal(await tcpAccepts(realm.kdcPort), false)
    await assert.rejects(realm.kinit('alice', { password: 'alice pw', ccache: cc }))
    await realm.startKDC()
    await realm.kinit('alice', { password: 'alice pw', ccache: cc })
  } finally {
    await realm.stop()
  }
  assert.equal(existsSync(realm.dir), false)
  assert.equal(await tcpAccepts(realm.kdcPort), false)
})

test('rc4 and aes-sha2 principals with non-default salts', async (t) => {
  if (!requireMIT(t)) return
  const realm = await startRealm({ allowRc4: true, allowWeakCrypto: true })
  try {
    await realm.addPrincipal('bob', {
      password: 'pw',
      keysalts: [
        'aes256-cts-hmac-sha384-192:normal',
        'arcfour-hmac:normal',
        'aes128-cts-hmac-sha1-96:special',
      ],
    })
    await realm.addPrincipal('svc/localhost', { sessionEnctypes: ['arcfour-hmac'] })
    assert.equal(statSync(realm.krb5ConfPath).isFile(), true)
    const cc = realm.path('bob.cc')
    await realm.kinit('bob', { password: 'pw', ccache: cc })
    await realm.run(MIT_BIN.kvno, ['-c', cc, 'svc/localhost'])
    const list = await realm.run(MIT_BIN.klist, ['-e', '-c', cc])
    assert.match(
      list.stdout,
      /svc\/localhost@KRBTS\.TEST[\s\S]*Etype \(skey, tkt\): DEPRECATED:arcfour-hmac/,
    )
  } finally {
    await realm.stop()
  }
})

test('realm pair: a client of A gets a ticket for a service in B', async (t) => {
  if (!requireMIT(t)) return
  const pair = await startRealmPair()
  try {
    const { a, b } = pair
    await a.addPrincipal('carol', { password: 'pw' })
    await b.addPrincipal('host/web.beta.test')
    const cc = a.path('carol.cc')
    await a.kinit('carol', { password: 'pw', ccache: cc })
    await a.run(MIT_BIN.kvno, ['-c', cc, `host/web.beta.test@${b.realm}`])
    const list = await a.run(MIT_BIN.klist, ['-c', cc])
    assert.match(list.stdout, new RegExp(`krbtgt/${b.realm}@${a.realm}`))
    assert.match(list.stdout, new RegExp(`host/web.beta.test@${b.realm}`))
    // Without a realm: [domain_realm] maps .beta.test to B.
    await b.addPrincipal('HTTP/api.beta.test')
    await a.run(MIT_BIN.kvno, ['-c', cc, '-S', 'HTTP', 'api.beta.test'])
  } finally {
    await pair.stop()
  }
  assert.equal(existsSync(pair.a.dir) || existsSync(pair.b.dir), false)
})

test('realm pair without client domain mapping: MIT kvno follows the KDC referral', async (t) => {
  if (!requireMIT(t)) return
  const pair = await startRealmPair({ clientDomainRealm: false })
  try {
    const { a, b } = pair
    await a.addPrincipal('dave', { password: 'pw' })
    await b.addPrincipal('HTTP/api.beta.test')
    const cc = a.path('dave.cc')
    await a.kinit('dave', { password: 'pw', ccache: cc })
    await a.run(MIT_BIN.kvno, ['-c', cc, '-S', 'HTTP', 'api.beta.test'])
    const list = await a.run(MIT_BIN.klist, ['-c', cc])
    // MIT stores the ticket under the referral (empty) realm and names the real server.
    assert.match(list.stdout, new RegExp(`Ticket server: HTTP/api\\.beta\\.test@${b.realm}`))
    const log = await a.run('/bin/cat', [a.path('kdc.log')])
    // A answered the TGS-REQ for HTTP/api.beta.test with a referral TGT to B.
    assert.match(log.stdout, new RegExp(`TGS_REQ .* ISSUE: .* for krbtgt/${b.realm}@${a.realm}`))
  } finally {
    await pair.stop()
  }
})

test('restart: the KDC comes back on the same port and answers', async (t) => {
  if (!requireMIT(t)) return
  const a = await startRealm()
  try {
    assert.ok(await tcpAccepts(a.kdcPort))
    await a.restart()
    assert.ok(await tcpAccepts(a.kdcPort))
    await a.addPrincipal('erin', { password: 'pw' })
    await a.kinit('erin', { password: 'pw', ccache: a.path('erin.cc') })
  } finally {
    await a.stop()
  }
})
