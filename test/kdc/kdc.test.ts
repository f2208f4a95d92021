/**
 * The embedded KDC (sans-I/O) against our own client, and against hostile requests: each test
 * changes one field of a valid request and expects MIT's error code.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeKerberosMessage, decodeMethodData, decodeETypeInfo2 } from '../../src/asn1/index.js'
import { decodeKRBError } from '../../src/asn1/error.js'
import { decodeTGSReq, encodeTGSReq, decodeKDCReqBody } from '../../src/asn1/kdc.js'
import type { KDCReq, KRBError } from '../../src/asn1/types.js'
import { KDC, MemoryPrincipalDatabase } from '../../src/kdc/index.js'
import {
  Acceptor,
  buildASReq,
  buildTGSReq,
  makeAPReq,
  makeEncTimestamp,
  makeNonce,
} from '../../src/protocol/index.js'
import type { Credentials } from '../../src/protocol/kdc-rep.js'
import { stringToKey } from '../../src/crypto/index.js'
import { defaultSalt } from '../../src/crypto/salt.js'
import { PADataType, KDCOptions, TicketFlags } from '../../src/iana.js'
import { hasFlag, setFlags } from '../../src/asn1/flags.js'
import { parsePrincipal, tgsPrincipal } from '../../src/principal.js'
import { clientOf, makeRealm, REALM } from './helpers.js'

function apReqFor(c: Credentials) {
  return makeAPReq({ ticket: c.ticket, sessionKey: c.sessionKey, client: c.client })
}

function errorOf(reply: Uint8Array | undefined): KRBError {
  assert.ok(reply !== undefined, 'expected a reply')
  const m = decodeKerberosMessage(reply)
  assert.equal(m.type, 'KRB-ERROR', `expected a KRB-ERROR, got ${m.type}`)
  return decodeKRBError(reply)
}

const alice = parsePrincipal(`alice@${REALM}`)
const aliceKey = (etype = 18) => stringToKey(etype, 'alice-pw', defaultSalt(alice))

function asReq(o: {
  etypes?: number[]
  padata?: boolean
  now?: Date
  key?: ReturnType<typeof aliceKey>
  client?: string
  server?: string
  kdcOptions?: number
}) {
  const now = o.now ?? new Date()
  return buildASReq({
    client: parsePrincipal(o.client ?? `alice@${REALM}`),
    ...(o.server !== undefined ? { server: parsePrincipal(o.server) } : {}),
    etypes: o.etypes ?? [18, 17],
    now,
    nonce: makeNonce(),
    ...(o.kdcOptions !== undefined ? { kdcOptions: o.kdcOptions } : {}),
    ...(o.padata === false ? {} : { padata: [makeEncTimestamp(o.key ?? aliceKey(), now)] }),
  })
}

test('our client logs in with a password and a keytab, gets a service ticket, and the acceptor takes it with a PAC', async () => {
  const { db, kdc } = makeRealm()
  const client = clientOf({ [REALM]: kdc })
  const tgt = await client.login({ principal: 'alice', password: 'alice-pw', pacRequest: true })
  assert.ok(hasFlag(tgt.flags, TicketFlags.PRE_AUTHENT))
  assert.ok(hasFlag(tgt.flags, TicketFlags.INITIAL))
  const st = await client.getServiceTicket('HTTP/localhost', { tgt })
  const ap = apReqFor(st)
  const acceptor = new Acceptor({ keytab: db.keytab('HTTP/localhost'), pac: 'require' })
  const r = acceptor.accept(ap.bytes)
  assert.equal(r.client.components.join('/'), 'alice')
  assert.ok(r.pac !== undefined, 'the service ticket carries a PAC signed for the service')
  const kt = clientOf({ [REALM]: kdc })
  const tgt2 = await kt.login({ principal: 'alice', keytab: db.keytab('alice') })
  assert.equal(tgt2.client.components[0], 'alice')
})

test('every enctype: password login and a service ticket with aes-sha1, aes-sha2, camellia and (opt-in) rc4', async () => {
  for (const e of [17, 18, 19, 20, 25, 26, 23]) {
    const db = new MemoryPrincipalDatabase(REALM)
    db.addRandom(tgsPrincipal(REALM), { enctypes: [e] })
    db.addPassword('carol', 'pw', { enctypes: [e], requiresPreauth: true })
    db.addRandom('HTTP/localhost', { enctypes: [e] })
    const kdc = new KDC({ realm: REALM, database: db, allowWeakCrypto: e === 23 })
    const extra = e === 23 ? '\n[libdefaults]\n  allow_weak_crypto = true\n' : ''
    const client = clientOf({ [REALM]: kdc }, REALM, extra)
    const tgt = await client.login({ principal: 'carol', password: 'pw', etypes: [e] })
    assert.equal(tgt.sessionKey.enctype, e)
    const st = await client.getServiceTicket('HTTP/localhost', { tgt })
    assert.equal(st.ticket.encPart.etype, e)
  }
})

test('rc4 is refused unless the KDC allows weak crypto (ETYPE_NOSUPP)', () => {
  const db = new MemoryPrincipalDatabase(REALM)
  db.addRandom(tgsPrincipal(REALM))
  db.addPassword('alice', 'alice-pw', { enctypes: [23, 18] })
  const kdc = new KDC({ realm: REALM, database: db })
  const err = errorOf(kdc.handle(asReq({ etypes: [23], padata: false }).bytes))
  assert.equal(err.errorCode, 14)
})

test('AS without preauth for a requires-preauth user: PREAUTH_REQUIRED with ETYPE-INFO2 (salt, s2kparams)', () => {
  const db = new MemoryPrincipalDatabase(REALM)
  db.addRandom(tgsPrincipal(REALM))
  const params = new Uint8Array([0, 0, 0x20, 0])
  db.addPassword('alice', 'alice-pw', {
    enctypes: [18, 17],
    requiresPreauth: true,
    salt: 'EMB.TESTspecial',
    s2kparams: params,
  })
  const kdc = new KDC({ realm: REALM, database: db })
  const err = errorOf(kdc.handle(asReq({ padata: false }).bytes))
  assert.equal(err.errorCode, 25)
  const md = decodeMethodData(err.eData!)
  const info = md.find((p) => p.padataType === PADataType.ETYPE_INFO2)!
  const [entry] = decodeETypeInfo2(info.padataValue)
  assert.equal(entry!.etype, 18)
  assert.equal(entry!.salt, 'EMB.TESTspecial')
  assert.deepEqual(entry!.s2kparams, params)
  assert.ok(md.some((p) => p.padataType === PADataType.ENC_TIMESTAMP))
})

test('hostile AS: a wrong password is PREAUTH_FAILED, an unknown client C_PRINCIPAL_UNKNOWN, an unknown server S_PRINCIPAL_UNKNOWN', () => {
  const { kdc } = makeRealm()
  const wrong = stringToKey(18, 'guess', defaultSalt(alice))
  assert.equal(errorOf(kdc.handle(asReq({ key: wrong }).bytes)).errorCode, 24)
  assert.equal(
    errorOf(kdc.handle(asReq({ client: `mallory@${REALM}`, padata: false }).bytes)).errorCode,
    6,
  )
  assert.equal(errorOf(kdc.handle(asReq({ server: `nobody/x@${REALM}` }).bytes)).errorCode, 7)
})

test('hostile AS: a timestamp outside the skew is KRB_AP_ERR_SKEW and the error carries the KDC time', () => {
  const fixed = Date.UTC(2030, 0, 1, 12, 0, 0)
  const { kdc } = makeRealm(REALM, { now: () => fixed })
  const err = errorOf(kdc.handle(asReq({ now: new Date(fixed - 3600_000) }).bytes))
  assert.equal(err.errorCode, 37)
  assert.equal(err.stime.getTime(), fixed)
})

test('hostile AS: a replayed PA-ENC-TIMESTAMP in a different request is KRB_AP_ERR_REPEAT', () => {
  const { kdc } = makeRealm()
  const now = new Date()
  const pa = makeEncTimestamp(aliceKey(), now)
  const a = buildASReq({ client: alice, etypes: [18], now, nonce: 1, padata: [pa] })
  const b = buildASReq({ client: alice, etypes: [18], now, nonce: 2, padata: [pa] })
  assert.equal(decodeKerberosMessage(kdc.handle(a.bytes)!).type, 'AS-REP')
  // The same bytes again get the same reply (a retransmission), a new request with the old timestamp does not.
  assert.equal(decodeKerberosMessage(kdc.handle(a.bytes)!).type, 'AS-REP')
  assert.equal(errorOf(kdc.handle(b.bytes)).errorCode, 34)
})

test('hostile AS: unsupported KDC options are BADOPTION, a foreign realm WRONG_REALM', () => {
  const { kdc } = makeRealm()
  assert.equal(
    errorOf(kdc.handle(asReq({ kdcOptions: setFlags(KDCOptions.ENC_TKT_IN_SKEY) }).bytes))
      .errorCode,
    13,
  )
  assert.equal(errorOf(kdc.handle(asReq({ client: 'alice@OTHER.TEST' }).bytes)).errorCode, 68)
})

async function tgsSetup(forwardable = true) {
  const { db, kdc } = makeRealm()
  const client = clientOf({ [REALM]: kdc })
  const tgt = await client.login({
    principal: 'alice',
    password: 'alice-pw',
    renewLifetime: 86400,
    forwardable,
  })
  const build = (o: Partial<Parameters<typeof buildTGSReq>[0]> = {}) =>
    buildTGSReq({
      tgt,
      server: parsePrincipal(`HTTP/localhost@${REALM}`),
      etypes: [18, 17],
      nonce: makeNonce(),
      now: new Date(),
      ...o,
    })
  return { db, kdc, client, tgt, build }
}

test('hostile TGS: a request body changed after the checksum is KRB_AP_ERR_MODIFIED', async () => {
  const { kdc, build } = await tgsSetup()
  const req = build()
  const changed: KDCReq = {
    ...req.req,
    reqBody: {
      ...decodeKDCReqBody(encodeTGSReqBody(req.req)),
      sname: { nameType: 1, nameString: ['krbtgt', REALM] },
    },
  }
  // A body copy without `raw` is re-encoded from its fields: the checksum no longer matches.
  const { raw: _raw, ...body } = changed.reqBody
  void _raw
  const bytes = encodeTGSReq({ ...changed, reqBody: body })
  assert.equal(errorOf(kdc.handle(bytes)).errorCode, 41)
})

function encodeTGSReqBody(req: KDCReq): Uint8Array {
  return decodeTGSReq(encodeTGSReq(req)).reqBody.raw!
}

test('hostile TGS: a replayed authenticator in a new request is KRB_AP_ERR_REPEAT; a retransmission gets the same reply', async () => {
  const { kdc, build } = await tgsSetup()
  const req = build()
  const first = kdc.handle(req.bytes)!
  assert.equal(decodeKerberosMessage(first).type, 'TGS-REP')
  assert.deepEqual(kdc.handle(req.bytes), first)
  const d = decodeTGSReq(req.bytes)
  const { raw: _r, ...body } = d.reqBody
  void _r
  const again = encodeTGSReq({ ...d, reqBody: { ...body, nonce: (body.nonce + 1) >>> 0 } })
  // The checksum covers the nonce, so a changed body fails first: MODIFIED, not a ticket.
  assert.notEqual(decodeKerberosMessage(kdc.handle(again)!).type, 'TGS-REP')
})

test('hostile TGS: an unknown service is S_PRINCIPAL_UNKNOWN, an old authenticator SKEW, no PA-TGS-REQ PADATA_TYPE_NOSUPP', async () => {
  const { kdc, build } = await tgsSetup()
  assert.equal(
    errorOf(kdc.handle(build({ server: parsePrincipal(`HTTP/nowhere@${REALM}`) }).bytes)).errorCode,
    7,
  )
  assert.equal(
    errorOf(kdc.handle(build({ now: new Date(Date.now() - 3600_000) }).bytes)).errorCode,
    37,
  )
  const d = decodeTGSReq(build().bytes)
  assert.equal(errorOf(kdc.handle(encodeTGSReq({ ...d, padata: [] }))).errorCode, 16)
})

test('hostile TGS: a TGT made with another krbtgt key is BAD_INTEGRITY; FORWARDED from a non-forwardable TGT is BADOPTION', async () => {
  const { tgt, build } = await tgsSetup()
  const { kdc: other } = makeRealm()
  assert.equal(errorOf(other.handle(build().bytes)).errorCode, 31)
  void tgt
  const { kdc, build: b2 } = await tgsSetup(false)
  assert.equal(
    errorOf(kdc.handle(b2({ kdcOptions: setFlags(KDCOptions.FORWARDED) }).bytes)).errorCode,
    13,
  )
})

test('renewal: a renewable TGT is renewed; a non-renewable one is BADOPTION', async () => {
  const { client, tgt } = await tgsSetup()
  assert.ok(hasFlag(tgt.flags, TicketFlags.RENEWABLE))
  const renewed = await client.renew(tgt)
  assert.ok(renewed.endtime.getTime() >= tgt.endtime.getTime())
  const { kdc } = makeRealm()
  const c2 = clientOf({ [REALM]: kdc })
  const plain = await c2.login({ principal: 'bob', password: 'bob-pw' })
  await assert.rejects(c2.renew(plain))
})

test('kvno: a key change bumps the kvno, keeps old keys for tickets in flight, and keytab logins use the new kvno', async () => {
  const { db, kdc } = makeRealm()
  const client = clientOf({ [REALM]: kdc })
  const tgt = await client.login({ principal: 'alice', password: 'alice-pw' })
  const st1 = await client.getServiceTicket('HTTP/localhost', { tgt })
  assert.equal(st1.ticket.encPart.kvno, 1)
  const oldKeytab = db.keytab('HTTP/localhost')
  db.changeKey('HTTP/localhost')
  db.changeKey(tgsPrincipal(REALM))
  // The TGT from before the krbtgt key change still works.
  const st2 = await client.getServiceTicket('HTTP/localhost', { tgt })
  assert.equal(st2.ticket.encPart.kvno, 2)
  const acc = new Acceptor({ keytab: db.keytab('HTTP/localhost') })
  acc.accept(apReqFor(st1).bytes)
  acc.accept(apReqFor(st2).bytes)
  assert.throws(() => new Acceptor({ keytab: oldKeytab }).accept(apReqFor(st2).bytes))
  db.changeKey('alice', { password: 'new-pw' })
  await client.login({ principal: 'alice', password: 'new-pw' })
  await assert.rejects(client.login({ principal: 'alice', password: 'alice-pw' }))
})

test('cross-realm: two embedded KDCs sharing krbtgt keys, with a referral', async () => {
  const a = makeRealm('A.TEST', {
    referral: (p) => (p.components[1]?.endsWith('.b.test') ? 'B.TEST' : undefined),
  })
  const b = makeRealm('B.TEST')
  const shared = a.db.addRandom(tgsPrincipal('B.TEST', 'A.TEST'))
  b.db.put({ ...shared })
  b.db.addRandom('HTTP/web.b.test')
  const client = clientOf(
    { 'A.TEST': a.kdc, 'B.TEST': b.kdc },
    'A.TEST',
    '\n[domain_realm]\n  .b.test = B.TEST\n',
  )
  const tgt = await client.login({ principal: 'alice', password: 'alice-pw' })
  const st = await client.getServiceTicket('HTTP/web.b.test@B.TEST', { tgt })
  assert.equal(st.server.realm, 'B.TEST')
  const r = new Acceptor({ keytab: b.db.keytab('HTTP/web.b.test') }).accept(apReqFor(st).bytes)
  assert.equal(r.client.realm, 'A.TEST')
})

test('hostile input: garbage, truncations and bit flips of valid requests get a KRB-ERROR or silence, never a throw', () => {
  const { kdc } = makeRealm()
  const valid = asReq({}).bytes
  let seed = 7
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0
    return seed % n
  }
  const inputs: Uint8Array[] = [
    new Uint8Array(0),
    new Uint8Array([0x6a]),
    new Uint8Array([0x6c, 0x84, 0xff, 0xff, 0xff, 0xff]),
  ]
  for (let i = 0; i < valid.length; i += 7) inputs.push(valid.subarray(0, i))
  for (let i = 0; i < 400; i++) {
    const m = valid.slice()
    m[rnd(m.length)] ^= 1 << rnd(8)
    inputs.push(m)
  }
  for (const input of inputs) {
    const out = kdc.handle(input)
    if (out !== undefined) {
      const t = decodeKerberosMessage(out).type
      assert.ok(t === 'KRB-ERROR' || t === 'AS-REP', t)
    }
  }
})

test('hostile cross-realm: a TGT from a trusted realm naming a client of this realm is refused (POLICY)', async () => {
  const a = makeRealm('A.TEST')
  const b = makeRealm('B.TEST')
  const shared = a.db.addRandom(tgsPrincipal('B.TEST', 'A.TEST'))
  b.db.put({ ...shared })
  b.db.addRandom('HTTP/web.b.test')
  const client = clientOf({ 'A.TEST': a.kdc, 'B.TEST': b.kdc }, 'A.TEST')
  const tgt = await client.login({ principal: 'alice', password: 'alice-pw' })
  const cross = await client.getServiceTicket(`krbtgt/B.TEST@A.TEST`, { tgt })
  // Whoever holds the shared key (realm A's KDC) makes a cross-realm TGT naming admin@B.TEST.
  const { encodeEncTicketPart } = await import('../../src/asn1/ticket.js')
  const { encrypt, randomKey } = await import('../../src/crypto/index.js')
  const session = randomKey(18)
  const now = new Date(Math.floor(Date.now() / 1000) * 1000)
  const part = encodeEncTicketPart({
    flags: setFlags(TicketFlags.PRE_AUTHENT),
    key: session,
    crealm: 'B.TEST',
    cname: { nameType: 1, nameString: ['admin'] },
    transited: { trType: 1, contents: new Uint8Array(0) },
    authtime: now,
    endtime: new Date(now.getTime() + 3600_000),
  })
  const key = shared.keys.find((k) => k.key.enctype === 18)!
  const ticket = {
    tktVno: 5 as const,
    realm: 'A.TEST',
    sname: { nameType: 2, nameString: ['krbtgt', 'B.TEST'] },
    encPart: { etype: 18, kvno: key.kvno, cipher: encrypt(key.key, 2, part) },
  }
  const req = buildTGSReq({
    tgt: { ...cross, client: parsePrincipal('admin@B.TEST'), ticket, sessionKey: session },
    server: parsePrincipal('HTTP/web.b.test@B.TEST'),
    etypes: [18],
    nonce: 1,
    now: new Date(),
  })
  assert.equal(errorOf(b.kdc.handle(req.bytes)).errorCode, 12)
})
