/**
 * Logins against a real MIT KDC: password and keytab with each enctype, with and without required
 * preauth, keytab kvnos (1–3, 300, a kvno the KDC does not have), a non-default salt, wrong
 * password, unknown principal, a client clock one hour off, rc4 only when opted in, renewal.
 * One realm for the whole file.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { hasFlag } from '../../src/asn1/index.js'
import { kdcTimeOffset } from '../../src/ccache/index.js'
import { stringToKey, defaultSalt } from '../../src/crypto/index.js'
import { KDCError, KerberosError } from '../../src/errors.js'
import { TicketFlags } from '../../src/iana.js'
import { createKeytab, makeKeytabEntry } from '../../src/keytab/index.js'
import { parsePrincipal } from '../../src/principal.js'
import { skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { clientFor, keytabAt } from './helpers.js'

const ENCTYPES: readonly (readonly [string, number])[] = [
  ['aes256-cts-hmac-sha1-96', 18],
  ['aes128-cts-hmac-sha1-96', 17],
  ['aes256-cts-hmac-sha384-192', 20],
  ['aes128-cts-hmac-sha256-128', 19],
]
const PW = 'correct horse battery staple'

describe('KerberosClient.login against MIT krb5kdc', { skip: skipWithoutMIT() }, () => {
  let realm: Realm
  before(async () => {
    realm = await startRealm({ realm: 'LOGIN.TEST', allowRc4: true })
    const work: Promise<void>[] = []
    for (const [name] of ENCTYPES) {
      work.push(
        realm.addPrincipal(`pw-${name}`, { password: PW, enctypes: [name], requiresPreauth: true }),
      )
      work.push(realm.addPrincipal(`kt-${name}`, { enctypes: [name] }))
    }
    await Promise.all(work)
    await realm.addPrincipal('nopreauth', { password: PW })
    await realm.addPrincipal('preauth', { password: PW, requiresPreauth: true })
    await realm.addPrincipal('rc4user', {
      password: PW,
      enctypes: ['arcfour-hmac'],
      requiresPreauth: true,
    })
    await realm.addPrincipal('salty', {
      password: PW,
      keysalts: ['aes256-cts-hmac-sha1-96:special'],
      requiresPreauth: true,
    })
    await realm.addPrincipal('salty-nopreauth', {
      password: PW,
      keysalts: ['aes256-cts-hmac-sha1-96:special'],
    })
    await realm.addPrincipal('renewer', { password: PW, requiresPreauth: true })
    for (const [name] of ENCTYPES)
      await realm.ktadd(`kt-${name}`, realm.path(`kt-${name}.keytab`), { norandkey: true })
    // kvnos 1..3 in one keytab: kvno 1 and 2 hold aes256 keys only, kvno 3 aes128 only.
    await realm.addPrincipal('multi', { enctypes: ['aes256-cts-hmac-sha1-96'] })
    await realm.ktadd('multi', realm.path('multi.keytab'), { norandkey: true })
    await realm.cpwRandkey('multi', { enctypes: ['aes256-cts-hmac-sha1-96'] })
    await realm.ktadd('multi', realm.path('multi.keytab'), { norandkey: true })
    await realm.cpwRandkey('multi', { enctypes: ['aes128-cts-hmac-sha1-96'] })
    await realm.ktadd('multi', realm.path('multi.keytab'), { norandkey: true })
    // kvno 300 (beyond the keytab's 8-bit field).
    await realm.addPrincipal('big', {})
    await realm.kadmin(`modprinc -kvno 300 big@LOGIN.TEST`)
    await realm.ktadd('big', realm.path('big.keytab'), { norandkey: true })
  })
  after(async () => {
    await realm?.stop()
  })

  for (const [name, etype] of ENCTYPES) {
    test(`password login with ${name} (preauth required)`, async () => {
      const { client, events } = clientFor(realm)
      const tgt = await client.login({ principal: `pw-${name}`, password: PW })
      assert.equal(tgt.replyEtype, etype)
      assert.deepEqual(tgt.server.components, ['krbtgt', 'LOGIN.TEST'])
      assert.ok(events.some((e) => e.type === 'preauth-required' && e.etype === etype))
      assert.ok(hasFlag(tgt.flags, TicketFlags.PRE_AUTHENT))
      assert.ok(tgt.endtime.getTime() > Date.now())
    })
    test(`keytab login with ${name}`, async () => {
      const { client } = clientFor(realm)
      const tgt = await client.login({
        principal: `kt-${name}`,
        keytab: keytabAt(realm.path(`kt-${name}.keytab`)),
      })
      assert.equal(tgt.replyEtype, etype)
      assert.equal(tgt.client.components[0], `kt-${name}`)
    })
  }

  test('review #16: MIT logins are bound by a verified PA-REQ-ENC-PA-REP checksum', async () => {
    const { client, events } = clientFor(realm)
    await client.login({ principal: 'preauth', password: PW })
    await client.login({
      principal: `kt-${ENCTYPES[0]![0]}`,
      keytab: keytabAt(realm.path(`kt-${ENCTYPES[0]![0]}.keytab`)),
    })
    const reps = events.filter((e) => e.type === 'as-rep')
    assert.equal(reps.length, 2)
    assert.ok(reps.every((e) => e.encPARepVerified === true))
  })

  test('password login without required preauth takes one round trip', async () => {
    const { client, events } = clientFor(realm)
    const tgt = await client.login({ principal: 'nopreauth', password: PW })
    assert.equal(events.filter((e) => e.type === 'as-req').length, 1)
    assert.equal(hasFlag(tgt.flags, TicketFlags.PRE_AUTHENT), false)
  })

  test('a keytab with kvnos 1-3 logs in with kvno 3 (its only etype is offered)', async () => {
    const kt = keytabAt(realm.path('multi.keytab'))
    assert.deepEqual([...new Set(kt.entries.map((e) => e.kvno))].sort(), [1, 2, 3])
    const { client, events } = clientFor(realm)
    const tgt = await client.login({ principal: 'multi', keytab: kt })
    assert.deepEqual(events.find((e) => e.type === 'as-req')?.etypes, [17])
    assert.equal(tgt.replyEtype, 17)
  })

  test('a keytab at kvno 300 logs in', async () => {
    const kt = keytabAt(realm.path('big.keytab'))
    assert.ok(kt.entries.every((e) => e.kvno === 300))
    const { client } = clientFor(realm)
    const tgt = await client.login({ principal: 'big', keytab: kt })
    assert.equal(tgt.client.components[0], 'big')
  })

  test('the keytab kvno need not equal the KDC kvno (right key, wrong kvno 7)', async () => {
    const principal = parsePrincipal('preauth@LOGIN.TEST')
    const key = stringToKey(18, PW, defaultSalt(principal))
    const kt = createKeytab([makeKeytabEntry({ principal, kvno: 7, key })])
    const { client } = clientFor(realm)
    const tgt = await client.login({ principal: 'preauth', keytab: kt })
    assert.equal(tgt.replyEtype, 18)
  })

  test('a non-default salt: the ETYPE-INFO2 salt is used', async () => {
    const { client, events } = clientFor(realm)
    const tgt = await client.login({ principal: 'salty', password: PW })
    const hint = events.find((e) => e.type === 'preauth-required')
    assert.ok(hint?.salt !== undefined)
    assert.notEqual(hint.salt, Buffer.from('LOGIN.TESTsalty').toString('hex'))
    assert.equal(tgt.replyEtype, 18)
  })

  test('a non-default salt without preauth: the salt comes from the AS-REP padata', async () => {
    const { client, events } = clientFor(realm)
    const tgt = await client.login({ principal: 'salty-nopreauth', password: PW })
    assert.equal(events.filter((e) => e.type === 'as-req').length, 1)
    assert.equal(tgt.replyEtype, 18)
  })

  test('wrong password → KDC_ERR_PREAUTH_FAILED', async () => {
    const { client } = clientFor(realm)
    await assert.rejects(
      client.login({ principal: 'preauth', password: 'wrong' }),
      (e: unknown) => {
        assert.ok(e instanceof KDCError)
        assert.equal(e.errorName, 'KDC_ERR_PREAUTH_FAILED')
        assert.ok(!e.message.includes('wrong'))
        return true
      },
    )
  })

  test('wrong password without required preauth → integrity error, not accepted', async () => {
    const { client } = clientFor(realm)
    await assert.rejects(client.login({ principal: 'nopreauth', password: 'wrong' }), {
      code: 'ERR_KRB_INTEGRITY',
    })
    assert.equal(client.tgt, undefined)
  })

  test('unknown principal → KDC_ERR_C_PRINCIPAL_UNKNOWN', async () => {
    const { client } = clientFor(realm)
    await assert.rejects(client.login({ principal: 'nobody', password: PW }), (e: unknown) => {
      assert.ok(e instanceof KDCError)
      assert.equal(e.errorName, 'KDC_ERR_C_PRINCIPAL_UNKNOWN')
      return true
    })
  })

  test('a client clock one hour slow is corrected (KRB_AP_ERR_SKEW) and the offset kept', async () => {
    const { client, events } = clientFor(realm, { now: () => new Date(Date.now() - 3600_000) })
    const tgt = await client.login({ principal: 'preauth', password: PW })
    assert.ok(events.some((e) => e.type === 'clock-skew'))
    assert.ok(Math.abs(client.timeOffsetMs - 3600_000) < 5000, `offset ${client.timeOffsetMs}`)
    assert.ok(Math.abs(client.now().getTime() - Date.now()) < 5000)
    const off = kdcTimeOffset(client.toCCache())
    assert.ok(off !== undefined && Math.abs(off.seconds - 3600) <= 5)
    const st = await client.getServiceTicket(`krbtgt/LOGIN.TEST@LOGIN.TEST`, { tgt })
    assert.ok(st.endtime > tgt.authtime)
  })

  test('a client clock one hour fast without preauth: timesync from the reply', async () => {
    const { client } = clientFor(realm, { now: () => new Date(Date.now() + 3600_000) })
    await client.login({ principal: 'nopreauth', password: PW })
    assert.ok(Math.abs(client.timeOffsetMs + 3600_000) < 5000, `offset ${client.timeOffsetMs}`)
  })

  test('rc4-hmac is not offered unless opted in', async () => {
    const { client, events } = clientFor(realm)
    await assert.rejects(client.login({ principal: 'rc4user', password: PW }), KDCError)
    assert.ok(!(events.find((e) => e.type === 'as-req')?.etypes ?? []).includes(23))
  })

  test('rc4-hmac login when opted in (allowWeakCrypto)', async () => {
    const { client } = clientFor(realm, { allowWeakCrypto: true })
    const tgt = await client.login({ principal: 'rc4user', password: PW })
    assert.equal(tgt.replyEtype, 23)
  })

  test('renewable TGT, then renew', async () => {
    const { client } = clientFor(realm)
    const tgt = await client.login({
      principal: 'renewer',
      password: PW,
      lifetime: 600,
      renewLifetime: 7200,
    })
    assert.ok(hasFlag(tgt.flags, TicketFlags.RENEWABLE))
    assert.ok(tgt.renewTill !== undefined && tgt.renewTill.getTime() > tgt.endtime.getTime())
    await new Promise((r) => setTimeout(r, 1100))
    const renewed = await client.renew(tgt)
    assert.ok(renewed.authtime.getTime() === tgt.authtime.getTime())
    assert.ok(renewed.endtime.getTime() > tgt.endtime.getTime())
    assert.equal(client.tgt, renewed)
    const fresh = await client.getServiceTicket('krbtgt/LOGIN.TEST')
    assert.ok(fresh)
  })

  test('a ticket that is not renewable is refused locally', async () => {
    const { client } = clientFor(realm)
    const tgt = await client.login({ principal: 'preauth', password: PW })
    await assert.rejects(
      client.renew(tgt),
      (e: unknown) => e instanceof KerberosError && e.code === 'ERR_KRB_TICKET_TIME',
    )
  })
})
