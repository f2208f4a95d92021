/**
 * PACs issued by a real MIT KDC (1.20 puts a PAC without LOGON_INFO in every ticket): the
 * acceptor verifies it from an MIT service ticket, the KDC signature verifies with the krbtgt
 * key (exported with `ktadd -norandkey`), and a PAC altered inside the ticket is refused.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import {
  decodeEncTicketPart,
  decodeTicket,
  encodeEncTicketPart,
  type Ticket,
} from '../../src/asn1/index.js'
import { findCredential, parseCCache } from '../../src/ccache/index.js'
import { decrypt, encrypt } from '../../src/crypto/index.js'
import { KerberosError } from '../../src/errors.js'
import { parseKeytab, type Keytab } from '../../src/keytab/index.js'
import {
  findPAC,
  readPACLayout,
  verifyPAC,
  verifyTicketSignature,
  PACBufferType,
} from '../../src/pac/index.js'
import { makeAPReq } from '../../src/protocol/ap-req.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import {
  MIT_BIN,
  skipWithoutMIT,
  startRealm,
  startRealmPair,
  type Realm,
} from '../helpers/realm.js'

const skip = skipWithoutMIT()

describe('PACs from an MIT KDC', { skip }, () => {
  let realm: Realm
  let keytab: Keytab
  let krbtgt: Keytab
  let ticket: Ticket
  let apReq: () => Uint8Array

  before(async () => {
    realm = await startRealm()
    await realm.addPrincipal('HTTP/localhost')
    await realm.ktadd('HTTP/localhost', realm.path('http.keytab'))
    await realm.ktadd(`krbtgt/${realm.realm}`, realm.path('krbtgt.keytab'), { norandkey: true })
    await realm.addPrincipal('alice', { password: 'alice-pw-1' })
    const ccache = realm.path('alice.ccache')
    await realm.kinit('alice', { password: 'alice-pw-1', ccache })
    await realm.run(MIT_BIN.kvno, ['HTTP/localhost'], { env: { KRB5CCNAME: `FILE:${ccache}` } })
    keytab = parseKeytab(new Uint8Array(await readFile(realm.path('http.keytab'))))
    krbtgt = parseKeytab(new Uint8Array(await readFile(realm.path('krbtgt.keytab'))))
    const cc = parseCCache(new Uint8Array(await readFile(ccache)))
    const cred = findCredential(cc, `HTTP/localhost@${realm.realm}`)!
    ticket = decodeTicket(cred.ticket)
    apReq = () => makeAPReq({ ticket, sessionKey: cred.key, client: cred.client }).bytes
  })
  after(() => realm?.stop())

  const serviceKey = (t: Ticket) => keytab.entries.find((e) => e.enctype === t.encPart.etype)!.key

  it('the acceptor verifies an MIT-issued PAC (no LOGON_INFO) and names the client', () => {
    const r = new Acceptor({ keytab, replayCache: false, pac: 'require' }).accept(apReq())
    assert.ok(r.pac, 'MIT 1.20 puts a PAC in every ticket')
    assert.equal(r.pac.logonInfo, undefined)
    assert.equal(r.pac.clientInfo?.name, 'alice')
    assert.ok(r.pac.serverSignature && r.pac.kdcSignature)
    assert.equal(r.identity?.accountName, 'alice')
    assert.equal(r.identity.userSid, undefined)
    assert.deepEqual(r.identity.groupSids, [])
  })

  it('the KDC signature (and any ticket/full signature present) checks with the krbtgt key', () => {
    const part = decodeEncTicketPart(decrypt(serviceKey(ticket), 2, ticket.encPart.cipher))
    const pac = findPAC(part.authorizationData ?? [])!
    const types = readPACLayout(pac).map((l) => l.type)
    assert.ok(types.includes(PACBufferType.CLIENT_INFO))
    const kdcType = verifyPAC(pac, {
      serviceKey: serviceKey(ticket),
      clientName: { nameType: 1, components: ['alice'], realm: realm.realm },
      authTime: part.authtime,
    }).pac.kdcSignature!.type
    // The krbtgt key whose mandatory checksum is the KDC signature's type.
    const kdcKeys = krbtgt.entries.map((e) => e.key)
    const ok = kdcKeys.filter((kdcKey) => {
      try {
        return verifyPAC(pac, {
          serviceKey: serviceKey(ticket),
          kdcKey,
          clientName: { nameType: 1, components: ['alice'], realm: realm.realm },
          authTime: part.authtime,
        }).kdcSignatureVerified
      } catch {
        return false
      }
    })
    assert.equal(ok.length, 1, `one krbtgt key verifies the KDC signature (type ${kdcType})`)
    // MIT 1.20 adds a PAC_TICKET_CHECKSUM to service tickets: it re-computes over our re-encoding.
    assert.ok(types.includes(PACBufferType.TICKET_CHECKSUM))
    assert.equal(verifyTicketSignature(part, ok[0]!), true)
    const later = { ...part, endtime: new Date(part.endtime.getTime() + 3_600_000) }
    assert.throws(
      () => verifyTicketSignature(later, ok[0]!),
      (e) => e instanceof KerberosError && e.context.reason === 'ticket-signature',
    )
  })

  it('issue 12 PAC: an MIT ticket whose PAC was altered (re-encrypted with the service key) is refused', () => {
    const key = serviceKey(ticket)
    const part = decodeEncTicketPart(decrypt(key, 2, ticket.encPart.cipher))
    const ad = part.authorizationData!
    // Flip one byte of the CLIENT_INFO name inside the PAC inside AD-IF-RELEVANT.
    const pac = findPAC(ad)!
    const ci = readPACLayout(pac).find((l) => l.type === PACBufferType.CLIENT_INFO)!
    pac[ci.offset + 10] = 'b'.charCodeAt(0) // 'alice' → 'blice' (the view aliases the AD bytes)
    const cipher = encrypt(key, 2, encodeEncTicketPart({ ...part, authorizationData: ad }))
    ticket = { ...ticket, encPart: { ...ticket.encPart, cipher } }
    delete (ticket as { raw?: Uint8Array }).raw
    assert.throws(
      () => new Acceptor({ keytab, replayCache: false }).accept(apReq()),
      (e) =>
        e instanceof KerberosError &&
        e.code === 'ERR_KRB_PAC_VERIFY' &&
        e.context.reason === 'server-signature',
    )
    assert.equal(
      new Acceptor({ keytab, replayCache: false, pac: 'lenient' }).accept(apReq()).pac,
      undefined,
    )
  })
})

describe('a cross-realm PAC from MIT KDCs', { skip }, () => {
  it('alice@ALPHA.TEST at HTTP/web.beta.test@BETA.TEST: the PAC re-signed by BETA verifies', async () => {
    const pair = await startRealmPair()
    try {
      await pair.a.addPrincipal('alice', { password: 'alice-pw-1' })
      await pair.b.addPrincipal('HTTP/web.beta.test')
      await pair.b.ktadd('HTTP/web.beta.test', pair.b.path('http.keytab'))
      const ccache = pair.a.path('alice.ccache')
      await pair.a.kinit('alice', { password: 'alice-pw-1', ccache })
      await pair.a.run(MIT_BIN.kvno, ['HTTP/web.beta.test@BETA.TEST'], {
        env: { KRB5CCNAME: `FILE:${ccache}` },
      })
      const kt = parseKeytab(new Uint8Array(await readFile(pair.b.path('http.keytab'))))
      const cc = parseCCache(new Uint8Array(await readFile(ccache)))
      const cred = findCredential(cc, 'HTTP/web.beta.test@BETA.TEST')!
      const bytes = makeAPReq({
        ticket: decodeTicket(cred.ticket),
        sessionKey: cred.key,
        client: cred.client,
      }).bytes
      const r = new Acceptor({ keytab: kt, replayCache: false, pac: 'require' }).accept(bytes)
      assert.equal(r.client.realm, 'ALPHA.TEST')
      assert.equal(r.identity?.clientName, 'alice')
    } finally {
      await pair.stop()
    }
  })
})
