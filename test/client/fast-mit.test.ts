/**
 * FAST (RFC 6113) against MIT krb5: a realm whose KDC has encrypted timestamp disabled
 * (`[plugins] kdcpreauth = { disable = encrypted_timestamp }`), so a `+requires_preauth` user can
 * only log in with FAST's encrypted challenge. MIT `kinit -T` is the reference.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { parseCCache } from '../../src/ccache/index.js'
import { KerberosError, KDCError } from '../../src/errors.js'
import { MIT_BIN, skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { clientFor, keytabAt } from './helpers.js'
import { disableEncryptedTimestamp } from '../helpers/fast.js'

const PW = 'fast-pw-1'
const HOST = 'host/armor.fast.test'

describe('FAST against MIT krb5 (issue 17 item 1)', { skip: skipWithoutMIT() }, () => {
  let realm: Realm
  before(async () => {
    realm = await startRealm({ realm: 'FAST.TEST' })
    await disableEncryptedTimestamp(realm)
    await realm.addPrincipal('alice', { password: PW, requiresPreauth: true })
    await realm.addPrincipal('svc-user', { password: PW, requiresPreauth: true })
    await realm.addPrincipal(HOST)
    await realm.addPrincipal('HTTP/web.fast.test')
    await realm.ktadd(HOST, realm.path('armor.keytab'))
    await realm.ktadd('svc-user', realm.path('svc-user.keytab'))
    await realm.kinit(HOST, { keytab: realm.path('armor.keytab'), ccache: realm.path('armor.cc') })
  })
  after(async () => {
    await realm?.stop()
  })

  const armorCCache = () => parseCCache(readFileSync(realm.path('armor.cc')))

  test('without armor, a FAST-only principal fails with ERR_KRB_FAST_REQUIRED naming the fix', async () => {
    const { client } = clientFor(realm)
    await assert.rejects(client.login({ principal: 'alice', password: PW }), (e: unknown) => {
      assert.ok(e instanceof KerberosError)
      assert.equal(e.code, 'ERR_KRB_FAST_REQUIRED')
      assert.match(e.message, /requires FAST armor to log in as alice@FAST\.TEST/)
      assert.match(e.message, /kinit -T/)
      return true
    })
    // MIT's kinit fails the same way without -T.
    const mit = await realm.run(MIT_BIN.kinit, ['-c', realm.path('x.cc'), 'alice@FAST.TEST'], {
      input: PW + '\n',
      allowFailure: true,
    })
    assert.notEqual(mit.code, 0)
  })

  test("fast: 'required' without armor is refused before any request", async () => {
    const { client, events } = clientFor(realm)
    await assert.rejects(
      client.login({ principal: 'alice', password: PW, fast: 'required' }),
      (e: unknown) => e instanceof KerberosError && e.code === 'ERR_KRB_FAST_REQUIRED',
    )
    assert.equal(events.filter((e) => e.type === 'as-req').length, 0)
  })

  test('password login armored with an MIT armor ccache (kinit -T): encrypted challenge, FAST reply', async () => {
    const { client, events } = clientFor(realm)
    const tgt = await client.login({
      principal: 'alice',
      password: PW,
      armor: { ccache: armorCCache() },
    })
    assert.equal(tgt.client.components[0], 'alice')
    const rep = events.find((e) => e.type === 'as-rep')
    assert.equal(rep?.fast, true)
    assert.equal(rep?.encPARepVerified, true)
    // The armor ccache has fast_avail: the first request is armored already (no upgrade round).
    assert.equal(events.filter((e) => e.type === 'as-req').length, 2)
    // A TGS request now goes armored too (implicit armor), and MIT's KDC answers with FAST.
    const st = await client.getServiceTicket('HTTP/web.fast.test@FAST.TEST')
    assert.equal(st.server.components[0], 'HTTP')
    assert.equal(events.find((e) => e.type === 'tgs-rep')?.fast, true)
  })

  test('host armor from a keytab (log in as the host, then armor the user login)', async () => {
    const { client, events } = clientFor(realm)
    await client.login({
      principal: 'alice',
      password: PW,
      armor: { keytab: keytabAt(realm.path('armor.keytab')), principal: HOST },
    })
    assert.equal(
      events.find((e) => e.type === 'as-rep' && e.client === 'alice@FAST.TEST')?.fast,
      true,
    )
    assert.equal(client.principal?.components[0], 'alice')
  })

  test('a keytab login armored with our own armor TGT', async () => {
    const host = clientFor(realm).client
    const armor = await host.login({
      principal: HOST,
      keytab: keytabAt(realm.path('armor.keytab')),
    })
    const { client, events } = clientFor(realm)
    await client.login({
      principal: 'svc-user',
      keytab: keytabAt(realm.path('svc-user.keytab')),
      armor: { tgt: armor },
    })
    assert.equal(events.find((e) => e.type === 'as-rep')?.fast, true)
  })

  test('a wrong password under FAST is explained as a wrong password', async () => {
    const { client } = clientFor(realm)
    await assert.rejects(
      client.login({ principal: 'alice', password: 'wrong', armor: { ccache: armorCCache() } }),
      (e: unknown) => e instanceof KDCError && e.errorName === 'KDC_ERR_PREAUTH_FAILED',
    )
  })
})
