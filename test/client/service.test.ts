/**
 * Service tickets and ccache interop against a real MIT KDC: both SPN forms, subkeys, unknown
 * services, our ccache read by MIT kvno/klist, MIT kinit's ccache used by us.
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { decodeEncTicketPart } from '../../src/asn1/index.js'
import { parseCCache, serializeCCache } from '../../src/ccache/index.js'
import { decrypt } from '../../src/crypto/index.js'
import { KDCError } from '../../src/errors.js'
import { KeyUsage, NameType } from '../../src/iana.js'
import { formatPrincipal } from '../../src/principal.js'
import { MIT_BIN, skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { clientFor, keytabAt } from './helpers.js'

const PW = 'service-test-password'

describe('service tickets against MIT krb5kdc', { skip: skipWithoutMIT() }, () => {
  let realm: Realm
  before(async () => {
    realm = await startRealm({ realm: 'SVC.TEST' })
    await realm.addPrincipal('alice', { password: PW, requiresPreauth: true })
    await realm.addPrincipal('admin', { password: PW, requiresPreauth: true })
    await realm.addPrincipal('bob', { password: PW, requiresPreauth: true })
    await realm.addPrincipal('HTTP/localhost')
    await realm.addPrincipal('host/server.svc.test')
    await realm.ktadd('HTTP/localhost', realm.path('http.keytab'))
  })
  after(async () => {
    await realm?.stop()
  })

  test('HTTP@localhost (host-based, realm from domain_realm) and HTTP/localhost@SVC.TEST', async () => {
    const { client } = clientFor(realm)
    await client.login({ principal: 'alice', password: PW })
    const a = await client.getServiceTicket('HTTP@localhost')
    assert.equal(formatPrincipal(a.server), 'HTTP/localhost@SVC.TEST')
    assert.equal(a.ticketKvno, 2)
    const b = await client.getServiceTicket('HTTP/localhost@SVC.TEST', { tgt: client.tgt! })
    assert.equal(formatPrincipal(b.server), 'HTTP/localhost@SVC.TEST')
    assert.equal(
      b.ticket.sname.nameType === NameType.PRINCIPAL ||
        b.ticket.sname.nameType === NameType.SRV_HST,
      true,
    )
    const c = await client.getServiceTicket('host@server.svc.test')
    assert.equal(formatPrincipal(c.server), 'host/server.svc.test@SVC.TEST')
  })

  test('the service ticket decrypts with the service keytab and names the client', async () => {
    const { client } = clientFor(realm)
    await client.login({ principal: 'alice', password: PW })
    const st = await client.getServiceTicket('HTTP/localhost')
    const kt = keytabAt(realm.path('http.keytab'))
    const key = kt.entries.find(
      (e) => e.enctype === st.ticket.encPart.etype && e.kvno === st.ticketKvno,
    )!.key
    const part = decodeEncTicketPart(
      decrypt(key, KeyUsage.KDC_REP_TICKET, st.ticket.encPart.cipher),
    )
    assert.deepEqual(part.cname.nameString, ['alice'])
    assert.ok(part.key.equals(st.sessionKey))
  })

  test('a subkey in the TGS authenticator: the reply is read with usage 9', async () => {
    const { client } = clientFor(realm)
    await client.login({ principal: 'alice', password: PW })
    const st = await client.getServiceTicket('HTTP/localhost', { subkey: true, tgt: client.tgt! })
    assert.equal(formatPrincipal(st.server), 'HTTP/localhost@SVC.TEST')
  })

  test('an unknown service → KDC_ERR_S_PRINCIPAL_UNKNOWN', async () => {
    const { client } = clientFor(realm)
    await client.login({ principal: 'alice', password: PW })
    await assert.rejects(client.getServiceTicket('HTTP/nowhere@SVC.TEST'), (e: unknown) => {
      assert.ok(e instanceof KDCError)
      assert.equal(e.errorName, 'KDC_ERR_S_PRINCIPAL_UNKNOWN')
      return true
    })
  })

  test('no TGT → ERR_KRB_NO_CREDENTIALS', async () => {
    const { client } = clientFor(realm)
    await assert.rejects(client.getServiceTicket('HTTP/localhost'), {
      code: 'ERR_KRB_NO_CREDENTIALS',
    })
  })

  test('our ccache is used by MIT kvno and listed by MIT klist', async () => {
    const { client } = clientFor(realm)
    await client.login({ principal: 'alice', password: PW })
    const path = realm.path('ours.ccache')
    writeFileSync(path, serializeCCache(client.toCCache()))
    const kvno = await realm.run(MIT_BIN.kvno, ['HTTP/localhost@SVC.TEST'], {
      env: { KRB5CCNAME: `FILE:${path}` },
    })
    assert.match(kvno.stdout, /HTTP\/localhost@SVC\.TEST: kvno = 2/)
    const klist = await realm.run(MIT_BIN.klist, ['-c', path])
    assert.match(klist.stdout, /Default principal: alice@SVC\.TEST/)
    assert.match(klist.stdout, /krbtgt\/SVC\.TEST@SVC\.TEST/)
    assert.match(klist.stdout, /HTTP\/localhost@SVC\.TEST/)
  })

  /** The client name inside a service ticket, read with the service's keytab. */
  function ticketClient(st: { ticket: { encPart: { etype: number; cipher: Uint8Array } } }) {
    const kt = keytabAt(realm.path('http.keytab'))
    const key = kt.entries.find((e) => e.enctype === st.ticket.encPart.etype)!.key
    return decodeEncTicketPart(
      decrypt(key, KeyUsage.KDC_REP_TICKET, st.ticket.encPart.cipher),
    ).cname.nameString.join('/')
  }

  test("review #3: one client logged in as admin, then bob: bob never gets admin's service ticket", async () => {
    const { client, events } = clientFor(realm)
    await client.login({ principal: 'admin', password: PW })
    const forAdmin = await client.getServiceTicket('HTTP/localhost')
    assert.equal(ticketClient(forAdmin), 'admin')
    await client.login({ principal: 'bob', password: PW })
    assert.equal(formatPrincipal(client.principal!), 'bob@SVC.TEST')
    assert.deepEqual(
      client.credentials.map((c) => formatPrincipal(c.client)),
      ['bob@SVC.TEST'],
      "the login as bob dropped admin's TGT and service ticket (kinit re-initializes)",
    )
    const tgsBefore = events.filter((e) => e.type === 'tgs-req').length
    const forBob = await client.getServiceTicket('HTTP/localhost')
    assert.equal(events.filter((e) => e.type === 'tgs-req').length, tgsBefore + 1, 'asked the KDC')
    assert.equal(formatPrincipal(forBob.client), 'bob@SVC.TEST')
    assert.equal(ticketClient(forBob), 'bob', 'the ticket itself names bob')
    // bob's ccache holds bob's tickets only, and MIT reads it that way.
    const path = realm.path('bob.ccache')
    writeFileSync(path, serializeCCache(client.toCCache()))
    const cc = parseCCache(readFileSync(path))
    assert.equal(formatPrincipal(cc.defaultPrincipal), 'bob@SVC.TEST')
    assert.deepEqual(
      [...new Set(cc.credentials.map((c) => formatPrincipal(c.client)))],
      ['bob@SVC.TEST'],
    )
    const klist = await realm.run(MIT_BIN.klist, ['-c', path])
    assert.match(klist.stdout, /Default principal: bob@SVC\.TEST/)
  })

  test('review #3: a service ticket got with a caller-given TGT of another client is not held', async () => {
    const { client } = clientFor(realm)
    const other = clientFor(realm).client
    const adminTgt = await other.login({ principal: 'admin', password: PW })
    await client.login({ principal: 'bob', password: PW })
    const st = await client.getServiceTicket('HTTP/localhost', { tgt: adminTgt })
    assert.equal(ticketClient(st), 'admin')
    assert.ok(client.credentials.every((c) => formatPrincipal(c.client) === 'bob@SVC.TEST'))
    const mine = await client.getServiceTicket('HTTP/localhost')
    assert.equal(ticketClient(mine), 'bob')
  })

  test("MIT kinit's ccache gives us a TGT to get a service ticket with", async () => {
    const path = realm.path('mit.ccache')
    await realm.kinit('alice', { password: PW, ccache: path })
    const { client } = clientFor(realm)
    const tgt = client.fromCCache(parseCCache(readFileSync(path)))
    assert.ok(tgt !== undefined)
    assert.equal(formatPrincipal(tgt.client), 'alice@SVC.TEST')
    const st = await client.getServiceTicket('HTTP@localhost')
    assert.equal(st.ticketKvno, 2)
    const cc = client.toCCache()
    writeFileSync(path, serializeCCache(cc))
    const klist = await realm.run(MIT_BIN.klist, ['-c', path])
    assert.match(klist.stdout, /HTTP\/localhost@SVC\.TEST/)
  })
})
