/**
 * Cross-realm transited paths (RFC 4120 §2.7, §3.3.3.2): DOMAIN-X500-COMPRESS decoding, and the
 * acceptor refusing a path the KDC did not check (review #12), with self-made tickets.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { encodeEncTicketPart, setFlags, type Ticket } from '../../src/asn1/index.js'
import { parseConfig } from '../../src/config/index.js'
import { encrypt } from '../../src/crypto/index.js'
import { KerberosError } from '../../src/errors.js'
import { TicketFlags } from '../../src/iana.js'
import { makeAPReq } from '../../src/protocol/ap-req.js'
import { Acceptor, verifyAPReq } from '../../src/protocol/ap-verify.js'
import {
  capathsTransitedPolicy,
  decodeTransitedRealms,
  hierarchicalPath,
  type TransitedCheck,
} from '../../src/protocol/transited.js'
import { krbErrorNumber } from '../../src/gssapi/context.js'
import { randomKey } from '../../src/crypto/index.js'
import { parsePrincipal } from '../../src/principal.js'
import { fakeService } from '../helpers/gss-peers.js'
import { skipWithoutMIT, startRealm, startRealmPair, type RealmPair } from '../helpers/realm.js'
import { readFileSync, writeFileSync } from 'node:fs'
import { clientFor, keytabAt } from '../client/helpers.js'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const reason = (e: unknown): unknown => (e instanceof KerberosError ? e.context.reason : e)

describe('DOMAIN-X500-COMPRESS', () => {
  it('decodes the RFC 4120 §3.3.3.2 examples', () => {
    assert.deepEqual(decodeTransitedRealms(enc('EDU,MIT.,ATHENA.,WASHINGTON.EDU,CS.'), 'C', 'S'), [
      'EDU',
      'MIT.EDU',
      'ATHENA.MIT.EDU',
      'WASHINGTON.EDU',
      'CS.WASHINGTON.EDU',
    ])
    assert.deepEqual(decodeTransitedRealms(enc('/COM,/HP,/APOLLO, /COM/DEC'), 'C', 'S'), [
      '/COM',
      '/COM/HP',
      '/COM/HP/APOLLO',
      '/COM/DEC',
    ])
    // an empty field: the hierarchy between the neighbours (client realm at the start)
    assert.deepEqual(decodeTransitedRealms(enc(',EDU'), 'ATHENA.MIT.EDU', 'CS.WASHINGTON.EDU'), [
      'MIT.EDU',
      'EDU',
    ])
    assert.deepEqual(decodeTransitedRealms(enc('A\\,B,C\\.'), 'X', 'Y'), ['A,B', 'C.'])
    assert.deepEqual(decodeTransitedRealms(new Uint8Array(0), 'X', 'Y'), [])
  })

  it('hierarchical path: up to the common suffix, down to the server', () => {
    assert.deepEqual(hierarchicalPath('ENG.EXAMPLE.COM', 'SALES.EXAMPLE.COM'), ['EXAMPLE.COM'])
    assert.deepEqual(hierarchicalPath('A.B.EXAMPLE.COM', 'EXAMPLE.COM'), ['B.EXAMPLE.COM'])
    assert.deepEqual(hierarchicalPath('EXAMPLE.COM', 'X.Y.EXAMPLE.COM'), ['Y.EXAMPLE.COM'])
  })

  it('hostile encodings: a lone backslash, an only-empty field, an oversized field are refused quickly', () => {
    for (const bad of ['A\\', ' ', 'x'.repeat(5000)]) {
      assert.throws(
        () => decodeTransitedRealms(enc(bad), 'C', 'S'),
        (e) => reason(e) === 'transited',
        bad.slice(0, 10),
      )
    }
    // many empty fields between long realms stay linear
    const t = Date.now()
    const many = Array.from({ length: 1000 }, (_, i) => `R${i}.A.B.C.D`).join(',,')
    assert.ok(decodeTransitedRealms(enc(many.slice(0, 4000)), 'X.A.B.C.D', 'Y.A.B.C.D').length > 0)
    assert.ok(Date.now() - t < 1000)
  })
})

describe('DOMAIN-X500-COMPRESS, property', () => {
  it('any input: a list of realms or ERR_KRB_AP_ERROR (transited), never another error, in linear time', () => {
    const alphabet = fc.constantFrom(',', '.', '\\', '/', ' ', 'A', 'B', 'é', '\0')
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 300 }), fc.string(), (chars, realm) => {
        try {
          const out = decodeTransitedRealms(enc(chars.join('')), realm || 'C.X', 'S.X')
          assert.ok(Array.isArray(out))
        } catch (e) {
          assert.equal(reason(e), 'transited', String(e))
        }
      }),
      { numRuns: 500 },
    )
  })
})

describe('review #12: the acceptor and cross-realm transited paths', () => {
  const svc = fakeService('HTTP/web.example.com@EXAMPLE.COM')

  /** A ticket from a client of OTHER.ORG with the given transited field and flags. */
  function apReq(contents: string, flags: number, trType = 1): Uint8Array {
    const sessionKey = randomKey(18)
    const now = Math.floor(Date.now() / 1000) * 1000
    const part = encodeEncTicketPart({
      flags,
      key: sessionKey,
      crealm: 'OTHER.ORG',
      cname: { nameType: 1, nameString: ['bob'] },
      transited: { trType, contents: enc(contents) },
      authtime: new Date(now),
      endtime: new Date(now + 3_600_000),
    })
    const ticket: Ticket = {
      tktVno: 5,
      realm: 'EXAMPLE.COM',
      sname: { nameType: 3, nameString: ['HTTP', 'web.example.com'] },
      encPart: { etype: 18, kvno: 2, cipher: encrypt(svc.serviceKey, 2, part) },
    }
    return makeAPReq({ ticket, sessionKey, client: parsePrincipal('bob@OTHER.ORG') }).bytes
  }
  const pre = setFlags(TicketFlags.PRE_AUTHENT)
  const checked = setFlags(TicketFlags.PRE_AUTHENT, TicketFlags.TRANSITED_POLICY_CHECKED)

  it('review #12: a cross-realm ticket with a non-empty transited field and no TRANSITED-POLICY-CHECKED is refused by default', () => {
    const acceptor = new Acceptor({ keytab: svc.keytab })
    assert.throws(
      () => acceptor.accept(apReq('EVIL.NET', pre)),
      (e) =>
        e instanceof KerberosError &&
        e.code === 'ERR_KRB_AP_ERROR' &&
        e.context.reason === 'transited' &&
        /transited EVIL\.NET, which the KDC did not check/.test(e.message) &&
        krbErrorNumber(e) === 51,
    )
    // an unknown encoding, unchecked: refused too
    assert.throws(
      () => acceptor.accept(apReq('whatever', pre, 2)),
      (e) => reason(e) === 'transited',
    )
  })

  it('review #12: the KDC-checked path, and the empty path, are accepted and exposed', () => {
    const acceptor = new Acceptor({ keytab: svc.keytab })
    const r = acceptor.accept(apReq('EVIL.NET,CORP.', checked))
    assert.deepEqual(r.transited, { realms: ['EVIL.NET', 'CORP.EVIL.NET'], checkedByKDC: true })
    const direct = acceptor.accept(apReq('', pre))
    assert.deepEqual(direct.transited, { realms: [], checkedByKDC: false })
  })

  it('review #12: transitedPolicy checks the path against [capaths] (or a callback)', () => {
    const conf = parseConfig(
      '[capaths]\n OTHER.ORG = {\n  EXAMPLE.COM = TRUSTED.NET\n  EXAMPLE.COM = HUB.NET\n }\n',
    )
    const policy = capathsTransitedPolicy(conf)
    const a = new Acceptor({ keytab: svc.keytab, transitedPolicy: policy })
    assert.deepEqual(a.accept(apReq('TRUSTED.NET,HUB.NET', pre)).transited, {
      realms: ['TRUSTED.NET', 'HUB.NET'],
      checkedByKDC: false,
    })
    assert.throws(
      () => a.accept(apReq('TRUSTED.NET,EVIL.NET', pre)),
      (e) => reason(e) === 'transited',
    )
    const seen: TransitedCheck[] = []
    const cb = (c: TransitedCheck): boolean => (
      seen.push(c),
      c.realms.every((r) => r.endsWith('.NET'))
    )
    assert.ok(verifyAPReq(apReq('A.NET', pre), { keytab: svc.keytab, transitedPolicy: cb }))
    assert.deepEqual(seen[0], {
      realms: ['A.NET'],
      checkedByKDC: false,
      clientRealm: 'OTHER.ORG',
      serverRealm: 'EXAMPLE.COM',
    })
    assert.throws(
      () => verifyAPReq(apReq('A.COM', pre), { keytab: svc.keytab, transitedPolicy: cb }),
      (e) => reason(e) === 'transited',
    )
    // no [capaths] entry: the hierarchical path
    const h = capathsTransitedPolicy(() => undefined)
    assert.equal(
      h({
        realms: ['EXAMPLE.COM'],
        checkedByKDC: false,
        clientRealm: 'ENG.EXAMPLE.COM',
        serverRealm: 'HR.EXAMPLE.COM',
      }),
      true,
    )
    assert.equal(
      h({
        realms: ['EVIL.COM'],
        checkedByKDC: false,
        clientRealm: 'ENG.EXAMPLE.COM',
        serverRealm: 'HR.EXAMPLE.COM',
      }),
      false,
    )
  })
})

describe('review #12 with two MIT realms', { skip: skipWithoutMIT() }, () => {
  let pair: RealmPair
  before(async () => {
    pair = await startRealmPair()
    await pair.a.addPrincipal('alice', { password: 'transit-pw', requiresPreauth: true })
    await pair.b.addPrincipal('HTTP/web.beta.test')
    await pair.b.ktadd('HTTP/web.beta.test', pair.b.path('web.keytab'))
  })
  after(async () => {
    await pair?.stop()
  })

  it('review #12: a real cross-realm ticket (direct trust, empty transited path) is accepted by default and says so', async () => {
    const { client } = clientFor(pair.a)
    await client.login({ principal: 'alice@ALPHA.TEST', password: 'transit-pw' })
    const st = await client.getServiceTicket('HTTP/web.beta.test@BETA.TEST')
    const bytes = makeAPReq({
      ticket: st.ticket,
      sessionKey: st.sessionKey,
      client: st.client,
    }).bytes
    const r = new Acceptor({ keytab: keytabAt(pair.b.path('web.keytab')) }).accept(bytes)
    assert.equal(r.client.realm, 'ALPHA.TEST')
    assert.deepEqual(r.transited.realms, [])
    assert.equal(r.encTicketPart.transited.contents.length, 0)
  })

  it("review #12: ALPHA → BETA → GAMMA, GAMMA's MIT KDC not checking the path (reject_bad_transit = false): refused by default, accepted by [capaths]", async () => {
    const gamma = await startRealm({ realm: 'GAMMA.TEST' })
    try {
      // MIT reads reject_bad_transit per realm in kdc.conf: the KDC then issues tickets whose
      // path it could not verify, without TRANSITED-POLICY-CHECKED (RFC 4120 §2.7).
      const kdcConf = readFileSync(gamma.kdcConfPath, 'utf8')
      writeFileSync(
        gamma.kdcConfPath,
        kdcConf.replace('  GAMMA.TEST = {\n', '  GAMMA.TEST = {\n    reject_bad_transit = false\n'),
      )
      await gamma.restart()
      const ks = ['aes256-cts-hmac-sha1-96']
      for (const r of [pair.b, gamma]) {
        await r.addPrincipal('krbtgt/GAMMA.TEST@BETA.TEST', { password: 'bg-pw', enctypes: ks })
      }
      await gamma.addPrincipal('HTTP/web.gamma.test')
      await gamma.ktadd('HTTP/web.gamma.test', gamma.path('web.keytab'))
      // ALPHA's client krb5.conf plus GAMMA's KDC and the path ALPHA → BETA → GAMMA
      const conf = readFileSync(pair.a.krb5ConfPath, 'utf8')
        .replace(
          '[realms]\n',
          `[realms]\n  GAMMA.TEST = {\n    kdc = 127.0.0.1:${gamma.kdcPort}\n  }\n`,
        )
        .replace(
          '[capaths]\n  ALPHA.TEST = {\n',
          '[capaths]\n  ALPHA.TEST = {\n    GAMMA.TEST = BETA.TEST\n',
        )
      assert.match(conf, /GAMMA.TEST = BETA.TEST/)
      const { client } = clientFor(pair.a, { confText: conf })
      await client.login({ principal: 'alice@ALPHA.TEST', password: 'transit-pw' })
      const st = await client.getServiceTicket('HTTP/web.gamma.test@GAMMA.TEST')
      const keytab = keytabAt(gamma.path('web.keytab'))
      const apReq = (): Uint8Array =>
        makeAPReq({ ticket: st.ticket, sessionKey: st.sessionKey, client: st.client }).bytes
      const v = verifyAPReq(apReq(), { keytab, transitedPolicy: () => true })
      assert.deepEqual(v.transited, { realms: ['BETA.TEST'], checkedByKDC: false })
      assert.throws(
        () => new Acceptor({ keytab }).accept(apReq()),
        (e) => reason(e) === 'transited',
      )
      const policy = capathsTransitedPolicy(parseConfig(conf))
      const ok = new Acceptor({ keytab, transitedPolicy: policy }).accept(apReq())
      assert.equal(ok.client.realm, 'ALPHA.TEST')
      // a [capaths] that does not list BETA refuses
      const strict = capathsTransitedPolicy(() => ['DELTA.TEST'])
      assert.throws(
        () => new Acceptor({ keytab, transitedPolicy: strict }).accept(apReq()),
        (e) => reason(e) === 'transited',
      )
    } finally {
      await gamma.stop()
    }
  })
})
