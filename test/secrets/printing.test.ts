/**
 * Secrets never print: every public type that holds a key (KerberosKey, keytabs and their entries
 * and holes, ccaches, decoded enc-parts, client Credentials and the KerberosClient, Acceptor
 * results, GSS and SPNEGO contexts) and every error thrown around keys (decryption failures,
 * keytab lookups, rejected replies, failed password logins) is printed with String(),
 * JSON.stringify and util.inspect (default and deep), and searched for recognisable key bytes
 * (hex, base64, raw, decimal lists) and passwords.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  decodeAPRep,
  decodeASRep,
  decodeAuthenticator,
  decodeEncAPRepPart,
  decodeEncKDCRepPart,
  decodeEncTicketPart,
  decodeKDCReq,
  encodeEncKrbCredPart,
  encodeEncTicketPart,
  encodeKRBCred,
} from '../../src/asn1/index.js'
import { parseCCache, serializeCCache } from '../../src/ccache/index.js'
import { KerberosClient } from '../../src/client/client.js'
import { credentialsFromCCache, credentialsToCCache } from '../../src/client/credentials.js'
import type { Transport } from '../../src/client/transport.js'
import { decrypt, encrypt, stringToKey } from '../../src/crypto/index.js'
import { KerberosError } from '../../src/errors.js'
import { AcceptorContext, InitiatorContext } from '../../src/gssapi/context.js'
import { SpnegoAcceptorContext, SpnegoInitiatorContext } from '../../src/gssapi/spnego.js'
import { negotiate } from '../../src/http/negotiate.js'
import { negotiateMiddleware } from '../../src/http/middleware.js'
import { KeyUsage } from '../../src/iana.js'
import { KerberosKey } from '../../src/key.js'
import {
  createKeytab,
  findKeytabEntry,
  makeKeytabEntry,
  parseKeytab,
  serializeKeytab,
} from '../../src/keytab/index.js'
import { parsePrincipal, tgsPrincipal } from '../../src/principal.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { makeAPReq } from '../../src/protocol/ap-req.js'
import { buildASReq, readASReply } from '../../src/protocol/as.js'
import { verifyAPRep } from '../../src/protocol/ap-rep.js'
import { readDelegatedCredential } from '../../src/protocol/gss-checksum.js'
import { issueTicket, kdcRep, replyPart } from '../fuzz/world.js'
import { assertNoSecrets, detectorSelfTest, patternKey } from './leak.js'

const REALM = 'SECRET.TEST'
const PASSWORD = 'Pa55-Secret-Horse-Battery-7391'
const serviceBytes = patternKey(32, 1)
const sessionBytes = patternKey(32, 2)
const subkeyBytes = patternKey(32, 3)
const clientBytes = patternKey(32, 4)
const tgtSessionBytes = patternKey(32, 5)
const tgsBytes = patternKey(32, 6)
// Copies: the objects under test may wipe or keep their own buffers.
const key = (b: Uint8Array): KerberosKey => new KerberosKey(18, Uint8Array.from(b))
const ALL = [serviceBytes, sessionBytes, subkeyBytes, clientBytes, tgtSessionBytes, tgsBytes]
const SECRETS: readonly (Uint8Array | string)[] = [...ALL, PASSWORD]

const client = parsePrincipal(`alice@${REALM}`)
const service = parsePrincipal(`HTTP/localhost@${REALM}`)
const krbtgt = tgsPrincipal(REALM)
const now = new Date(Math.floor(Date.now() / 1000) * 1000)

function serviceKeytab() {
  return createKeytab([
    makeKeytabEntry({ principal: service, kvno: 2, key: key(serviceBytes), timestamp: 1 }),
  ])
}
function clientKeytab() {
  return createKeytab([
    makeKeytabEntry({ principal: client, kvno: 1, key: key(clientBytes), timestamp: 1 }),
  ])
}
function serviceTicket() {
  return issueTicket({
    client,
    server: service,
    serverKey: key(serviceBytes),
    sessionKey: key(sessionBytes),
    now,
  })
}

/** A KDC in a function: AS-REPs in the client key, TGS-REPs in the TGT session key. */
function fakeKDC(clientKey = key(clientBytes)): Transport {
  return {
    async sendToKDC(_realm, bytes) {
      const req = decodeKDCReq(bytes)
      if (req.msgType === 10) {
        const tgt = issueTicket({
          client,
          server: krbtgt,
          serverKey: key(tgsBytes),
          sessionKey: key(tgtSessionBytes),
          now,
        })
        return kdcRep('as', {
          client,
          ticket: tgt.ticket,
          part: replyPart(req, { sessionKey: key(tgtSessionBytes), server: krbtgt, now }),
          key: clientKey,
          usage: KeyUsage.AS_REP_ENCPART,
        })
      }
      return kdcRep('tgs', {
        client,
        ticket: serviceTicket().ticket,
        part: replyPart(req, { sessionKey: key(sessionBytes), server: service, now }),
        key: key(tgtSessionBytes),
        usage: KeyUsage.TGS_REP_ENCPART_SESSKEY,
      })
    },
  }
}

function thrown(f: () => unknown): unknown {
  try {
    f()
  } catch (err) {
    return err
  }
  assert.fail('expected a throw')
}

async function rejected(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (err) {
    return err
  }
  assert.fail('expected a rejection')
}

describe('no key bytes or passwords in printed output', () => {
  test('the detector finds a plainly printed key', () => {
    for (const s of ALL) detectorSelfTest(s)
  })

  test('KerberosKey, alone and nested', () => {
    const k = key(serviceBytes)
    assertNoSecrets('KerberosKey', k, SECRETS)
    assertNoSecrets('nested KerberosKey', { a: [k, new Map([['k', k]])], b: { c: k } }, SECRETS)
  })

  test('keytabs: parsed file, entries, holes', () => {
    const bytes = serializeKeytab(
      createKeytab([
        makeKeytabEntry({ principal: service, kvno: 2, key: key(serviceBytes), timestamp: 1 }),
        makeKeytabEntry({ principal: service, kvno: 3, key: key(sessionBytes), timestamp: 1 }),
      ]),
    )
    const kt = parseKeytab(bytes)
    assertNoSecrets('Keytab', kt, SECRETS)
    assertNoSecrets('KeytabEntry', kt.entries[0], SECRETS)
    // Turn the first record into a hole (negative length): its key bytes stay in the file.
    const holed = Uint8Array.from(bytes)
    const view = new DataView(holed.buffer)
    view.setInt32(2, -view.getInt32(2))
    const withHole = parseKeytab(holed)
    assert.equal(withHole.entries.length, 1)
    assertNoSecrets('Keytab with a hole', withHole, SECRETS)
  })

  test('ccaches and client Credentials', async () => {
    const kc = new KerberosClient({ realm: REALM, transport: fakeKDC(), now: () => now })
    const tgt = await kc.login({ principal: client, keytab: clientKeytab() })
    const st = await kc.getServiceTicket(service)
    assertNoSecrets('TGT Credentials', tgt, SECRETS)
    assertNoSecrets('service Credentials', st, SECRETS)
    assertNoSecrets('KerberosClient', kc, SECRETS)
    assertNoSecrets('client.credentials', kc.credentials, SECRETS)
    const cc = credentialsToCCache([tgt, st])
    assertNoSecrets('CCache', cc, SECRETS)
    assertNoSecrets('parsed CCache', parseCCache(serializeCCache(cc)), SECRETS)
    assertNoSecrets(
      'credentials from a ccache',
      credentialsFromCCache(parseCCache(serializeCCache(cc))),
      SECRETS,
    )
  })

  test('decoded EncTicketPart, EncKDCRepPart, Authenticator, EncAPRepPart and read replies', () => {
    const st = serviceTicket()
    assertNoSecrets('EncTicketPart', decodeEncTicketPart(st.partDer), SECRETS)
    assertNoSecrets(
      'EncTicketPart re-encoded and decoded',
      decodeEncTicketPart(encodeEncTicketPart(st.part)),
      SECRETS,
    )
    const req = buildASReq({ client, etypes: [18], now, nonce: 77 })
    const asRep = kdcRep('as', {
      client,
      ticket: st.ticket,
      part: replyPart(req.req, { sessionKey: key(tgtSessionBytes), server: krbtgt, now }),
      key: key(clientBytes),
      usage: KeyUsage.AS_REP_ENCPART,
    })
    const tgtTicket = issueTicket({
      client,
      server: krbtgt,
      serverKey: key(tgsBytes),
      sessionKey: key(tgtSessionBytes),
      now,
    })
    const good = kdcRep('as', {
      client,
      ticket: tgtTicket.ticket,
      part: replyPart(req.req, { sessionKey: key(tgtSessionBytes), server: krbtgt, now }),
      key: key(clientBytes),
      usage: KeyUsage.AS_REP_ENCPART,
    })
    const out = readASReply(good, { request: req, keys: () => [key(clientBytes)] })
    assertNoSecrets('ASReplyOutcome', out, SECRETS)
    const plain = decrypt(
      key(clientBytes),
      KeyUsage.AS_REP_ENCPART,
      decodeASRep(asRep).encPart.cipher,
    )
    assertNoSecrets('EncKDCRepPart', decodeEncKDCRepPart(plain), SECRETS)
    const ap = makeAPReq({
      ticket: st.ticket,
      sessionKey: key(sessionBytes),
      client,
      subkey: key(subkeyBytes),
      now,
      mutualRequired: true,
    })
    assertNoSecrets('APReqResult', ap, SECRETS)
    const authPlain = decrypt(
      key(sessionBytes),
      KeyUsage.AP_REQ_AUTH,
      ap.apReq.authenticator.cipher,
    )
    assertNoSecrets('Authenticator', decodeAuthenticator(authPlain), SECRETS)
    const acceptor = new Acceptor({ keytab: serviceKeytab(), now: () => now })
    const res = acceptor.accept(ap.bytes, { acceptorSubkey: true })
    const rep = decodeAPRep(res.apRep!)
    const repPlain = decrypt(key(sessionBytes), KeyUsage.AP_REP_ENCPART, rep.encPart.cipher)
    assertNoSecrets('EncAPRepPart', decodeEncAPRepPart(repPlain), SECRETS)
    assertNoSecrets(
      'verifyAPRep result',
      verifyAPRep(res.apRep!, { sessionKey: key(sessionBytes), ctime: ap.ctime, cusec: ap.cusec }),
      SECRETS,
    )
  })

  test('Acceptor, its results, GSS and SPNEGO contexts, HTTP negotiate results', async () => {
    const acceptor = new Acceptor({ keytab: serviceKeytab(), now: () => now })
    assertNoSecrets('Acceptor', acceptor, SECRETS)
    const st = serviceTicket()
    const ap = makeAPReq({
      ticket: st.ticket,
      sessionKey: key(sessionBytes),
      client,
      subkey: key(subkeyBytes),
      now,
      mutualRequired: true,
    })
    const res = acceptor.accept(ap.bytes, { acceptorSubkey: true, apRepSeqNumber: true })
    assertNoSecrets('AcceptResult', res, SECRETS)
    const credentials = { client, ticket: st.ticket, sessionKey: key(sessionBytes) }
    const ini = new InitiatorContext({ credentials, now: () => now })
    const acc = new AcceptorContext({ acceptor })
    ini.step(acc.step(ini.step()!)!)
    assertNoSecrets('InitiatorContext', ini, SECRETS)
    assertNoSecrets('AcceptorContext', acc, SECRETS)
    const sIni = new SpnegoInitiatorContext({
      credentials,
      now: () => new Date(now.getTime() + 1000),
    })
    const sAcc = new SpnegoAcceptorContext({ acceptor })
    sIni.step(sAcc.step(sIni.step()!)!)
    assertNoSecrets('SpnegoInitiatorContext', sIni, SECRETS)
    assertNoSecrets('SpnegoAcceptorContext', sAcc, SECRETS)
    const sIni2 = new SpnegoInitiatorContext({
      credentials,
      now: () => new Date(now.getTime() + 2000),
    })
    const header = `Negotiate ${Buffer.from(sIni2.step()!).toString('base64')}`
    const r = await negotiate({ acceptor, authorization: header })
    assert.equal(r.status, 200)
    assertNoSecrets('NegotiateResult', r, SECRETS)
  })

  test('review #8: an unencrypted (etype 0) delegated KRB-CRED does not print its TGT session key', async () => {
    // Heimdal and macOS initiators send the KRB-CRED with etype 0: its "cipher" is the plain
    // EncKrbCredPart, the forwarded TGT's session key inside.
    const tgt = issueTicket({
      client,
      server: krbtgt,
      serverKey: key(tgsBytes),
      sessionKey: key(tgtSessionBytes),
      now,
    })
    const credPart = encodeEncKrbCredPart({
      ticketInfo: [
        {
          key: key(tgtSessionBytes),
          prealm: REALM,
          pname: { nameType: 1, nameString: ['alice'] },
          srealm: REALM,
          sname: { nameType: 2, nameString: ['krbtgt', REALM] },
          endtime: new Date(now.getTime() + 3_600_000),
        },
      ],
    })
    const krbCred = encodeKRBCred({
      pvno: 5,
      msgType: 22,
      tickets: [tgt.ticket],
      encPart: { etype: 0, cipher: credPart },
    })
    const acceptor = new Acceptor({ keytab: serviceKeytab(), now: () => now })
    const st = serviceTicket()
    const credentials = { client, ticket: st.ticket, sessionKey: key(sessionBytes) }
    const read = readDelegatedCredential(krbCred, [])
    assertNoSecrets('DelegatedCredential (etype 0)', read, SECRETS)
    const ini = new InitiatorContext({ credentials, now: () => now, delegation: krbCred })
    const acc = new AcceptorContext({ acceptor })
    acc.step(ini.step()!)
    assert.ok(acc.result?.delegated, 'the delegation is accepted')
    assert.ok(acc.result.delegated.info.ticketInfo[0]?.key.equals(key(tgtSessionBytes)))
    assertNoSecrets('AcceptResult with an etype-0 delegation', acc.result, SECRETS)
    assertNoSecrets('AcceptorContext with an etype-0 delegation', acc, SECRETS)
    // Through HTTP: what the middleware puts on the request (req.kerberos).
    const sIni = new SpnegoInitiatorContext({
      credentials,
      now: () => new Date(now.getTime() + 1000),
      delegation: krbCred,
    })
    const req: { headers: Record<string, string>; kerberos?: unknown } = {
      headers: { authorization: `Negotiate ${Buffer.from(sIni.step()!).toString('base64')}` },
    }
    const res = { statusCode: 0, setHeader: () => undefined, end: () => undefined }
    await new Promise<void>((resolve, reject) =>
      negotiateMiddleware({ acceptor })(req, res, (err) => (err ? reject(err) : resolve())),
    )
    assert.ok(req.kerberos, 'req.kerberos set')
    assertNoSecrets('req.kerberos with an etype-0 delegation', req.kerberos, SECRETS)
    const sIni2 = new SpnegoInitiatorContext({
      credentials,
      now: () => new Date(now.getTime() + 2000),
      delegation: krbCred,
    })
    const header = `Negotiate ${Buffer.from(sIni2.step()!).toString('base64')}`
    const r = await negotiate({ acceptor, authorization: header })
    assert.equal(r.status, 200)
    assertNoSecrets('NegotiateResult with an etype-0 delegation', r, SECRETS)
  })

  test('errors around keys: decryption, keytab lookup, acceptor key search, replies', async () => {
    const e1 = thrown(() => decrypt(key(serviceBytes), 2, new Uint8Array(64)))
    assert.ok(e1 instanceof KerberosError)
    assertNoSecrets('decrypt error', e1, SECRETS)
    const e2 = thrown(() => findKeytabEntry(serviceKeytab(), { principal: service, enctype: 17 }))
    assertNoSecrets('keytab lookup error', e2, SECRETS)
    const e3 = thrown(() => findKeytabEntry(serviceKeytab(), { principal: client }))
    assertNoSecrets('keytab lookup error (principal)', e3, SECRETS)
    // A ticket encrypted in another key than the keytab's: "cannot decrypt".
    const forged = issueTicket({
      client,
      server: service,
      serverKey: key(tgsBytes),
      sessionKey: key(sessionBytes),
      now,
    })
    const ap = makeAPReq({
      ticket: forged.ticket,
      sessionKey: key(sessionBytes),
      client,
      subkey: key(subkeyBytes),
      now,
    })
    const e4 = thrown(() =>
      new Acceptor({ keytab: serviceKeytab(), now: () => now }).accept(ap.bytes),
    )
    assert.ok(e4 instanceof KerberosError)
    assertNoSecrets('acceptor cannot-decrypt error', e4, SECRETS)
    // An authenticator in the wrong session key.
    const st = serviceTicket()
    const ap2 = makeAPReq({ ticket: st.ticket, sessionKey: key(tgtSessionBytes), client, now })
    const e5 = thrown(() =>
      new Acceptor({ keytab: serviceKeytab(), now: () => now }).accept(ap2.bytes),
    )
    assertNoSecrets('acceptor authenticator error', e5, SECRETS)
    // A reply the client key does not decrypt.
    const req = buildASReq({ client, etypes: [18], now, nonce: 5 })
    const bad = kdcRep('as', {
      client,
      ticket: st.ticket,
      part: replyPart(req.req, { sessionKey: key(sessionBytes), server: krbtgt, now }),
      key: key(tgsBytes),
      usage: KeyUsage.AS_REP_ENCPART,
    })
    const e6 = thrown(() => readASReply(bad, { request: req, keys: () => [key(clientBytes)] }))
    assertNoSecrets('AS-REP integrity error', e6, SECRETS)
    // A password login whose reply is in another key, and the trace it leaves.
    const events: unknown[] = []
    const kc = new KerberosClient({
      realm: REALM,
      transport: fakeKDC(key(tgsBytes)),
      now: () => now,
      trace: (e) => events.push(e),
    })
    const e7 = await rejected(kc.login({ principal: client, password: PASSWORD }))
    assert.ok(e7 instanceof KerberosError)
    assertNoSecrets('password login error', e7, SECRETS)
    assertNoSecrets('password login trace', events, SECRETS)
    assertNoSecrets('KerberosClient after a password login', kc, SECRETS)
    const e8 = thrown(() =>
      stringToKey(18, PASSWORD, 'salt', { params: new Uint8Array([0, 0, 0, 1]) }),
    )
    assertNoSecrets('string-to-key error', e8, SECRETS)
    const e9 = thrown(() => encrypt(key(serviceBytes), -1, new Uint8Array(1)))
    assertNoSecrets('argument error', e9, SECRETS)
  })
})
