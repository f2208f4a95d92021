/**
 * The TGS exchange and makeAPReq without a network: the PA-TGS-REQ authenticator and its body
 * checksum, reply keys (usage 8 / 9), reply checks, referral chasing with loop and bound
 * detection, renewal.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  decodeAPReq,
  decodeAuthenticator,
  decodeTGSReq,
  hasFlag,
  setFlags,
  type KDCReq,
} from '../../src/asn1/index.js'
import {
  KerberosClient,
  credentialsToCCache,
  looksHostBased,
  resolveServiceName,
  type Credentials,
  type ResolveServiceNameOptions,
} from '../../src/client/index.js'
import { checksumTypeOf, decrypt, randomKey, verifyChecksum } from '../../src/crypto/index.js'
import { KDCError, KerberosError } from '../../src/errors.js'
import { APOptions, KDCOptions, KeyUsage, TicketFlags } from '../../src/iana.js'
import { parsePrincipal, tgsPrincipal, formatPrincipal } from '../../src/principal.js'
import { authenticatorTime } from '../../src/protocol/ap-req.js'
import {
  buildTGSReq,
  makeAPReq,
  makeNonce,
  readTGSReply,
  ticketDER,
} from '../../src/protocol/index.js'
import {
  fakeTransport,
  makeKDCRep,
  makeKRBError,
  opaqueTicket,
  type KDCHandler,
} from '../client/fake-kdc.js'

const alice = parsePrincipal('alice@A.TEST')

function tgtFor(realm: string, issuer = 'A.TEST', flags = 0): Credentials {
  const ticket = opaqueTicket(issuer, { nameType: 2, nameString: ['krbtgt', realm] })
  const now = Date.now()
  return {
    client: alice,
    server: tgsPrincipal(realm, issuer),
    sessionKey: randomKey(18),
    authtime: new Date(now - 1000),
    endtime: new Date(now + 3600_000),
    flags,
    ticket,
    ticketBytes: ticketDER(ticket),
  }
}

/** The authenticator of a TGS-REQ, decrypted with the TGT session key (usage 7). */
function authenticatorOf(req: KDCReq, tgt: Credentials) {
  const ap = decodeAPReq(req.padata![0]!.padataValue)
  return { ap, auth: decodeAuthenticator(decrypt(tgt.sessionKey, 7, ap.authenticator.cipher)) }
}

const aliceName = { cname: { nameType: 1, nameString: ['alice'] }, crealm: 'A.TEST' }
const tgsKey = (tgt: Credentials) => ({
  key: tgt.sessionKey,
  usage: KeyUsage.TGS_REP_ENCPART_SESSKEY,
  ...aliceName,
})
const http = parsePrincipal('HTTP/web.a.test@A.TEST')

describe('TGS request', () => {
  test('PA-TGS-REQ: authenticator (usage 7) with a checksum over the sent body (usage 6)', () => {
    const tgt = tgtFor('A.TEST')
    const r = buildTGSReq({ tgt, server: http, etypes: [18, 17], nonce: 99, now: new Date() })
    assert.equal(r.realm, 'A.TEST')
    const req = decodeTGSReq(r.bytes)
    assert.equal(req.padata?.[0]?.padataType, 1)
    const { ap, auth } = authenticatorOf(req, tgt)
    assert.equal(ap.apOptions, 0)
    assert.deepEqual(auth.cname.nameString, ['alice'])
    assert.equal(auth.cksum?.cksumtype, checksumTypeOf(18))
    assert.ok(
      verifyChecksum(
        auth.cksum!.cksumtype,
        tgt.sessionKey,
        6,
        req.reqBody.raw!,
        auth.cksum!.checksum,
      ),
    )
    assert.equal(auth.subkey, undefined)
    assert.equal(req.reqBody.nonce, 99)
    assert.ok(req.reqBody.till.getTime() <= tgt.endtime.getTime())
  })

  test('a subkey is sent when asked and the reply is read with usage 9', async () => {
    const tgt = tgtFor('A.TEST')
    const r = buildTGSReq({
      tgt,
      server: http,
      etypes: [18],
      nonce: makeNonce(),
      now: new Date(),
      subkey: true,
    })
    const { auth } = authenticatorOf(decodeTGSReq(r.bytes), tgt)
    assert.ok(auth.subkey?.equals(r.subkey!))
    const good = makeKDCRep(r.req, { key: r.subkey!, usage: 9, ...aliceName })
    assert.equal(readTGSReply(good, { request: r }).kind, 'ok')
    const sessionKeyed = makeKDCRep(r.req, tgsKey(tgt))
    assert.throws(() => readTGSReply(sessionKeyed, { request: r }), { code: 'ERR_KRB_INTEGRITY' })
  })

  test('reply checks: nonce, client, server, usage, garbage', () => {
    const tgt = tgtFor('A.TEST')
    const r = buildTGSReq({ tgt, server: http, etypes: [18], nonce: 5, now: new Date() })
    const cases: readonly (readonly [Uint8Array, string])[] = [
      [makeKDCRep(r.req, { ...tgsKey(tgt), nonce: 6 }), 'ERR_KRB_KDC_REPLY'],
      [
        makeKDCRep(r.req, { ...tgsKey(tgt), cname: { nameType: 1, nameString: ['bob'] } }),
        'ERR_KRB_KDC_REPLY',
      ],
      [
        makeKDCRep(r.req, { ...tgsKey(tgt), sname: { nameType: 1, nameString: ['HTTP', 'evil'] } }),
        'ERR_KRB_KDC_REPLY',
      ],
      [makeKDCRep(r.req, { key: tgt.sessionKey, usage: 3, ...aliceName }), 'ERR_KRB_INTEGRITY'],
      [makeKDCRep(r.req, { ...tgsKey(tgt), msgType: 11 }), 'ERR_KRB_KDC_REPLY'],
      [new Uint8Array([0x6d, 0x80, 0x00]), 'ERR_KRB_ASN1_DECODE'],
    ]
    for (const [bytes, code] of cases) {
      assert.throws(
        () => readTGSReply(bytes, { request: r }),
        (e: unknown) => {
          assert.ok(e instanceof KerberosError)
          assert.equal(e.code, code, e.message)
          return true
        },
      )
    }
    // A renamed server is accepted only with canonicalize.
    const renamed = makeKDCRep(r.req, {
      ...tgsKey(tgt),
      sname: { nameType: 1, nameString: ['HTTP', 'WEB.a.test'] },
    })
    assert.equal(readTGSReply(renamed, { request: r, canonicalize: true }).kind, 'ok')
  })

  test('a referral TGT is recognised only with canonicalize', () => {
    const tgt = tgtFor('A.TEST')
    const r = buildTGSReq({ tgt, server: http, etypes: [18], nonce: 5, now: new Date() })
    const referral = makeKDCRep(r.req, {
      ...tgsKey(tgt),
      sname: { nameType: 2, nameString: ['krbtgt', 'B.TEST'] },
    })
    const out = readTGSReply(referral, { request: r, canonicalize: true })
    assert.equal(out.kind === 'ok' && out.referralRealm, 'B.TEST')
    assert.throws(() => readTGSReply(referral, { request: r }), { code: 'ERR_KRB_KDC_REPLY' })
  })
})

describe('client TGS flows against a scripted KDC', () => {
  function client(handler: KDCHandler) {
    const transport = fakeTransport(handler)
    const c = new KerberosClient({
      config: { libdefaults: { defaultRealm: 'A.TEST' }, domainRealm: { '.b.test': 'B.TEST' } },
      transport,
    })
    return { c, transport }
  }

  test('referral chain A → B, then the service in B', async () => {
    const a = tgtFor('A.TEST')
    const { c, transport } = client((s) => {
      if (s.realm === 'A.TEST')
        return makeKDCRep(s.req, {
          ...tgsKey(a),
          sname: { nameType: 2, nameString: ['krbtgt', 'B.TEST'] },
        })
      const sent = decodeAPReq(s.req.padata![0]!.padataValue)
      assert.deepEqual(sent.ticket.sname.nameString, ['krbtgt', 'B.TEST'])
      // The referral TGT's session key is what the client got from A: find it in its credentials.
      const ref = c.credentials.find((x) => formatPrincipal(x.server) === 'krbtgt/B.TEST@A.TEST')!
      return makeKDCRep(s.req, tgsKey(ref))
    })
    const st = await c.getServiceTicket('HTTP/web.example@A.TEST', { tgt: a })
    assert.equal(formatPrincipal(st.server), 'HTTP/web.example@B.TEST')
    assert.deepEqual(
      transport.seen.map((s) => s.realm),
      ['A.TEST', 'B.TEST'],
    )
  })

  test('a referral loop A → B → A is detected', async () => {
    const a = tgtFor('A.TEST')
    const { c } = client((s) => {
      const back = s.realm === 'A.TEST' ? 'B.TEST' : 'A.TEST'
      const key =
        s.realm === 'A.TEST' ? a : c.credentials.find((x) => x.server.components[1] === 'B.TEST')!
      return makeKDCRep(s.req, {
        ...tgsKey(key),
        sname: { nameType: 2, nameString: ['krbtgt', back] },
      })
    })
    await assert.rejects(c.getServiceTicket('HTTP/loop@A.TEST', { tgt: a }), {
      code: 'ERR_KRB_REFERRAL',
    })
  })

  test('a KDC error is thrown as KDCError', async () => {
    const { c } = client((s) => makeKRBError(s.req, 7))
    await assert.rejects(
      c.getServiceTicket('HTTP/x@A.TEST', { tgt: tgtFor('A.TEST') }),
      (e: unknown) => e instanceof KDCError && e.errorName === 'KDC_ERR_S_PRINCIPAL_UNKNOWN',
    )
  })

  test('HTTP@host.b.test asks A for krbtgt/B.TEST first (domain_realm), then B', async () => {
    const a = tgtFor('A.TEST')
    const { c, transport } = client((s) => {
      if (s.realm === 'A.TEST') return makeKDCRep(s.req, tgsKey(a))
      const x = c.credentials.find((y) => formatPrincipal(y.server) === 'krbtgt/B.TEST@A.TEST')!
      return makeKDCRep(s.req, tgsKey(x))
    })
    const st = await c.getServiceTicket('HTTP@host.b.test', { tgt: a })
    assert.equal(formatPrincipal(st.server), 'HTTP/host.b.test@B.TEST')
    assert.deepEqual(
      transport.seen.map((s) =>
        formatPrincipal({
          nameType: 1,
          components: s.req.reqBody.sname!.nameString,
          realm: s.realm,
        }),
      ),
      ['krbtgt/B.TEST@A.TEST', 'HTTP/host.b.test@B.TEST'],
    )
  })

  test('renew: RENEW option, the ticket itself as the TGT', async () => {
    const now = Date.now()
    const tgt = {
      ...tgtFor('A.TEST', 'A.TEST', setFlags(TicketFlags.RENEWABLE, TicketFlags.FORWARDABLE)),
      renewTill: new Date(now + 7200_000),
    }
    const { c, transport } = client((s) =>
      makeKDCRep(s.req, { ...tgsKey(tgt), flags: tgt.flags, renewTill: tgt.renewTill }),
    )
    const renewed = await c.renew(tgt)
    const body = transport.seen[0]!.req.reqBody
    assert.ok(hasFlag(body.kdcOptions, KDCOptions.RENEW))
    assert.ok(hasFlag(body.kdcOptions, KDCOptions.FORWARDABLE))
    assert.deepEqual(body.sname?.nameString, ['krbtgt', 'A.TEST'])
    assert.ok(renewed.endtime.getTime() > now)
  })
})

describe('review #6: referrals and canonicalization cannot plant tickets', () => {
  const intranet = parsePrincipal('HTTP/intranet.a.test@A.TEST')
  const canon = (req: KDCReq): boolean => hasFlag(req.reqBody.kdcOptions, KDCOptions.CANONICALIZE)

  /** A client holding `a` as its own TGT (loaded from a ccache), asking through `handler`. */
  function holding(a: Credentials, handler: KDCHandler) {
    const transport = fakeTransport(handler)
    const c = new KerberosClient({ config: { libdefaults: { defaultRealm: 'A.TEST' } }, transport })
    c.fromCCache(credentialsToCCache([a]))
    return { c, transport }
  }

  /**
   * A.TEST answers for its own services and refers everything else to B.TEST; B.TEST (a partner
   * realm that turned hostile) answers every request with `planted`.
   */
  function partnerWorld(a: Credentials, planted: { sname: string[]; srealm: string }) {
    const ref = (c: KerberosClient) =>
      c.credentials.find((x) => formatPrincipal(x.server) === 'krbtgt/B.TEST@A.TEST')!
    const box: { client?: KerberosClient } = {}
    const w = holding(a, (s) => {
      const asked = s.req.reqBody.sname!.nameString
      if (s.realm === 'A.TEST' && asked[1]!.endsWith('.a.test')) return makeKDCRep(s.req, tgsKey(a))
      if (s.realm === 'A.TEST')
        return makeKDCRep(s.req, {
          ...tgsKey(a),
          sname: { nameType: 2, nameString: ['krbtgt', 'B.TEST'] },
        })
      return makeKDCRep(s.req, {
        ...tgsKey(ref(box.client!)),
        sname: { nameType: 1, nameString: planted.sname },
        srealm: planted.srealm,
      })
    })
    box.client = w.c
    return w
  }

  test('a partner realm answering a referral with a ticket for a home-realm service: refused, the genuine ticket stays', async () => {
    const a = tgtFor('A.TEST')
    const { c, transport } = partnerWorld(a, {
      sname: ['HTTP', 'intranet.a.test'],
      srealm: 'A.TEST',
    })
    const genuine = await c.getServiceTicket(intranet)
    await assert.rejects(c.getServiceTicket('HTTP@web.partner'), { code: 'ERR_KRB_KDC_REPLY' })
    const again = await c.getServiceTicket(intranet)
    assert.equal(again, genuine, 'the cached home-realm ticket was not replaced')
    const held = c.credentials.filter((x) => x.server.components[0] === 'HTTP')
    assert.deepEqual(
      held.map((x) => formatPrincipal(x.server)),
      ['HTTP/intranet.a.test@A.TEST'],
    )
    assert.equal(
      transport.seen.length,
      3,
      'intranet, referral, partner; the second intranet is cached',
    )
  })

  test('another name in the partner realm: asked again without canonicalize, never stored under that name', async () => {
    const a = tgtFor('A.TEST')
    const { c, transport } = partnerWorld(a, { sname: ['HTTP', 'other.b.test'], srealm: 'B.TEST' })
    await assert.rejects(c.getServiceTicket('HTTP@web.partner'), { code: 'ERR_KRB_KDC_REPLY' })
    const last = transport.seen.at(-1)!
    assert.equal(last.realm, 'B.TEST')
    assert.equal(canon(last.req), false, 'the fallback request does not ask for canonicalization')
    assert.deepEqual(last.req.reqBody.sname!.nameString, ['HTTP', 'web.partner'])
    assert.ok(!c.credentials.some((x) => x.server.components[1] === 'other.b.test'))
  })

  test('a renamed service in the home realm: the fallback gets the asked name, stored under it', async () => {
    const a = tgtFor('A.TEST')
    const { c, transport } = holding(a, (s) =>
      canon(s.req)
        ? makeKDCRep(s.req, {
            ...tgsKey(a),
            sname: { nameType: 1, nameString: ['HTTP', 'intranet.a.test'] },
          })
        : makeKDCRep(s.req, tgsKey(a)),
    )
    const st = await c.getServiceTicket('HTTP/wiki.a.test@A.TEST')
    assert.equal(formatPrincipal(st.server), 'HTTP/wiki.a.test@A.TEST')
    assert.deepEqual(
      transport.seen.map((s) => canon(s.req)),
      [true, false],
    )
    assert.ok(!c.credentials.some((x) => formatPrincipal(x.server) === formatPrincipal(intranet)))
  })

  test('a TGT for the issuing realm itself is not a referral: asked again without canonicalize', async () => {
    const a = tgtFor('A.TEST')
    const { c, transport } = holding(a, (s) =>
      canon(s.req)
        ? makeKDCRep(s.req, {
            ...tgsKey(a),
            sname: { nameType: 2, nameString: ['krbtgt', 'A.TEST'] },
          })
        : makeKDCRep(s.req, tgsKey(a)),
    )
    const st = await c.getServiceTicket('HTTP/wiki.a.test@A.TEST')
    assert.equal(formatPrincipal(st.server), 'HTTP/wiki.a.test@A.TEST')
    assert.equal(transport.seen.length, 2)
    assert.deepEqual(c.tgt!.ticketBytes, a.ticketBytes, 'the home TGT is not replaced')
  })

  test('a referral TGT issued by the partner realm is not kept', async () => {
    const a = tgtFor('A.TEST')
    const box: { c?: KerberosClient } = {}
    const world = holding(a, (s) => {
      if (s.realm === 'A.TEST')
        return makeKDCRep(s.req, {
          ...tgsKey(a),
          sname: { nameType: 2, nameString: ['krbtgt', 'B.TEST'] },
        })
      const key = box.c!.credentials.find(
        (x) => formatPrincipal(x.server) === 'krbtgt/B.TEST@A.TEST',
      )
      if (s.realm === 'B.TEST')
        return makeKDCRep(s.req, {
          ...tgsKey(key!),
          sname: { nameType: 2, nameString: ['krbtgt', 'C.TEST'] },
        })
      return makeKRBError(s.req, 7)
    })
    const c = (box.c = world.c)
    await assert.rejects(c.getServiceTicket('HTTP@web.partner'), KDCError)
    assert.deepEqual(
      c.credentials.map((x) => formatPrincipal(x.server)),
      ['krbtgt/A.TEST@A.TEST', 'krbtgt/B.TEST@A.TEST'],
    )
  })
})

describe('makeAPReq', () => {
  test('explicit checksum, subkey, sequence number, mutual-required; values returned', () => {
    const tgt = tgtFor('A.TEST')
    const subkey = randomKey(18)
    const cksum = { cksumtype: 0x8003, checksum: new Uint8Array(24).fill(7) }
    const now = new Date('2026-05-06T07:08:09.123Z')
    const r = makeAPReq({
      ticket: tgt.ticket,
      sessionKey: tgt.sessionKey,
      client: alice,
      checksum: cksum,
      subkey,
      seqNumber: 4242,
      mutualRequired: true,
      now,
    })
    const ap = decodeAPReq(r.bytes)
    assert.ok(hasFlag(ap.apOptions, APOptions.MUTUAL_REQUIRED))
    const auth = decodeAuthenticator(decrypt(tgt.sessionKey, 11, ap.authenticator.cipher))
    assert.equal(auth.cksum?.cksumtype, 0x8003)
    assert.deepEqual([...auth.cksum!.checksum], [...cksum.checksum])
    assert.ok(auth.subkey?.equals(subkey))
    assert.equal(auth.seqNumber, 4242)
    assert.equal(r.seqNumber, 4242)
    assert.equal(r.ctime.toISOString(), '2026-05-06T07:08:09.000Z')
    assert.equal(r.cusec, 123000)
    assert.equal(auth.cusec, r.cusec)
  })

  test('keyed checksum over given bytes', () => {
    const tgt = tgtFor('A.TEST')
    const data = new Uint8Array([1, 2, 3])
    const r = makeAPReq({
      ticket: tgt.ticket,
      sessionKey: tgt.sessionKey,
      client: alice,
      checksumData: data,
    })
    const auth = decodeAuthenticator(
      decrypt(tgt.sessionKey, 11, decodeAPReq(r.bytes).authenticator.cipher),
    )
    assert.ok(verifyChecksum(auth.cksum!.cksumtype, tgt.sessionKey, 10, data, auth.cksum!.checksum))
    assert.equal(decodeAPReq(r.bytes).apOptions, 0)
  })

  const stamp = (r: { ctime: Date; cusec: number }): number => r.ctime.getTime() * 1000 + r.cusec

  test('review #19: AP-REQs made in the same millisecond never share ctime/cusec', () => {
    const tgt = tgtFor('A.TEST')
    const now = new Date('2031-02-03T04:05:06.789Z')
    const make = () =>
      makeAPReq({ ticket: tgt.ticket, sessionKey: tgt.sessionKey, client: alice, now })
    const seen = Array.from({ length: 50 }, make).map(stamp)
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!, `#${i} increases`)
    assert.equal(seen[0], now.getTime() * 1000, 'the first one is the clock itself')
    assert.equal(seen[49], now.getTime() * 1000 + 49, 'then 1 µs more each time (MIT)')
    // What the authenticator carries is what the result says.
    const r = make()
    const auth = decodeAuthenticator(
      decrypt(tgt.sessionKey, 11, decodeAPReq(r.bytes).authenticator.cipher),
    )
    assert.equal(auth.ctime.getTime() * 1000 + auth.cusec, stamp(r))
  })

  test('review #19: with the real clock, a burst of AP-REQs is strictly increasing', () => {
    const tgt = tgtFor('A.TEST')
    const seen = Array.from({ length: 500 }, () =>
      stamp(makeAPReq({ ticket: tgt.ticket, sessionKey: tgt.sessionKey, client: alice })),
    )
    assert.equal(new Set(seen).size, seen.length)
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!)
  })

  test('review #19: a microsecond carry crosses into the next second', () => {
    const base = new Date('2032-01-01T00:00:00.999Z')
    let last = authenticatorTime(base)
    for (let i = 0; i < 1500; i++) last = authenticatorTime(base)
    assert.equal(last.ctime.toISOString(), '2032-01-01T00:00:01.000Z')
    assert.equal(last.cusec, 500)
    assert.ok(last.cusec >= 0 && last.cusec < 1_000_000)
    // A clock set back by more than a second (a frozen test clock) is taken as is.
    const older = authenticatorTime(new Date('2030-01-01T00:00:00.250Z'))
    assert.equal(older.cusec, 250000)
  })
})

describe('service names', () => {
  const realmForHost = (h: string) => (h.endsWith('.b.test') ? 'B.TEST' : undefined)
  const fmt = (spn: string, extra: Partial<ResolveServiceNameOptions> = {}) =>
    formatPrincipal(
      resolveServiceName(spn, {
        home: 'A.TEST',
        realmForHost,
        knownRealms: ['Mixed.Realm'],
        ...extra,
      }),
    )

  test('HTTP@host: [domain_realm], else the home realm', () => {
    assert.equal(fmt('HTTP@web.b.test'), 'HTTP/web.b.test@B.TEST')
    assert.equal(fmt('HTTP@localhost'), 'HTTP/localhost@A.TEST')
    assert.equal(resolveServiceName('HTTP@web.b.test', { home: 'A.TEST' }).nameType, 3)
  })
  test('principal names keep or default their realm', () => {
    assert.equal(fmt('HTTP/web.b.test@C.TEST'), 'HTTP/web.b.test@C.TEST')
    assert.equal(fmt('HTTP/web.b.test'), 'HTTP/web.b.test@A.TEST')
    assert.equal(fmt('HTTP/web', { defaultRealm: 'D.TEST' }), 'HTTP/web@D.TEST')
    assert.equal(fmt('alice@EXAMPLE.COM'), 'alice@EXAMPLE.COM')
    assert.equal(fmt('alice@Mixed.Realm'), 'alice@Mixed.Realm')
    assert.equal(fmt('svc@lower.realm', { hostBased: false }), 'svc@lower.realm')
  })
  test('looksHostBased', () => {
    assert.equal(looksHostBased('HTTP@web'), true)
    assert.equal(looksHostBased('HTTP/web@REALM'), false)
    assert.equal(looksHostBased('HTTP'), false)
    assert.equal(looksHostBased('@web'), false)
  })
})
