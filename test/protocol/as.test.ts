/**
 * The AS exchange without a network: request building, preauth hints, PA-ENC-TIMESTAMP, and the
 * reply checks against a scripted KDC — a bad reply is never accepted.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import {
  decodeASRep,
  decodeASReq,
  decodeEncryptedData,
  decodePAEncTSEnc,
  decodePAPacRequest,
  encodeETypeInfo,
  encodeETypeInfo2,
  encodeChecksum,
  encodeMethodData,
  hasFlag,
} from '../../src/asn1/index.js'
import { KerberosClient } from '../../src/client/index.js'
import { decrypt, defaultSalt, randomKey, stringToKey } from '../../src/crypto/index.js'
import { KDCError, KerberosError } from '../../src/errors.js'
import { KDCOptions, KeyUsage, PADataType } from '../../src/iana.js'
import { fromUtf8, toHex, utf8 } from '../../src/internal/bytes.js'
import { createKeytab, makeKeytabEntry } from '../../src/keytab/index.js'
import { parsePrincipal } from '../../src/principal.js'
import {
  buildASReq,
  kdcOptionsFor,
  makeEncTimestamp,
  makeNonce,
  orderEtypes,
  readASReply,
  readPreauthHints,
} from '../../src/protocol/index.js'
import { md5 } from '@noble/hashes/legacy.js'
import {
  encPARep,
  fakeTransport,
  makeKDCRep,
  makeKRBError,
  type KDCHandler,
} from '../client/fake-kdc.js'

const alice = parsePrincipal('alice@EXAMPLE.TEST')
const PW = 'pw'
const aliceKey = stringToKey(18, PW, defaultSalt(alice))
const noConfig = { libdefaults: { defaultRealm: 'EXAMPLE.TEST' } }

function clientWith(
  handler: KDCHandler,
  extra: Partial<ConstructorParameters<typeof KerberosClient>[0]> = {},
) {
  const transport = fakeTransport(handler)
  return { client: new KerberosClient({ config: noConfig, transport, ...extra }), transport }
}

const asKey = (key = aliceKey) => ({ key, usage: KeyUsage.AS_REP_ENCPART })

describe('AS request building', () => {
  test('fields, options, till/rtime, etypes, PA-PAC-REQUEST', () => {
    const now = new Date('2026-01-01T00:00:00.500Z')
    const r = buildASReq({
      client: alice,
      etypes: [18, 17],
      now,
      lifetime: 3600,
      renewLifetime: 7200,
      nonce: 12345,
      kdcOptions: kdcOptionsFor({ forwardable: true, canonicalize: true }),
      pacRequest: true,
    })
    const req = decodeASReq(r.bytes)
    const b = req.reqBody
    assert.equal(b.nonce, 12345)
    assert.deepEqual(b.etype, [18, 17])
    assert.deepEqual(b.sname?.nameString, ['krbtgt', 'EXAMPLE.TEST'])
    assert.equal(b.till.toISOString(), '2026-01-01T01:00:00.000Z')
    assert.equal(b.rtime?.toISOString(), '2026-01-01T02:00:00.000Z')
    for (const bit of [
      KDCOptions.FORWARDABLE,
      KDCOptions.CANONICALIZE,
      KDCOptions.RENEWABLE,
      KDCOptions.RENEWABLE_OK,
    ])
      assert.ok(hasFlag(b.kdcOptions, bit), `bit ${bit}`)
    assert.equal(hasFlag(b.kdcOptions, KDCOptions.PROXIABLE), false)
    const pac = req.padata?.find((p) => p.padataType === PADataType.PAC_REQUEST)
    assert.equal(decodePAPacRequest(pac!.padataValue).includePac, true)
  })

  test('nonces are positive 31-bit numbers', () => {
    for (let i = 0; i < 200; i++) {
      const n = makeNonce()
      assert.ok(Number.isInteger(n) && n > 0 && n < 2 ** 31)
    }
    assert.equal(
      makeNonce(() => new Uint8Array([0xff, 0xff, 0xff, 0xff])),
      0x7fffffff,
    )
  })

  test('etype ordering: config order, permitted, available, rc4 only when allowed', () => {
    assert.deepEqual(orderEtypes([18, 17, 20, 19, 16, 23, 26, 25]), [18, 17, 20, 19, 26, 25])
    assert.deepEqual(orderEtypes([18, 23, 17], { allowWeak: true }), [18, 23, 17])
    assert.deepEqual(orderEtypes([18, 17, 20], { available: [20, 17] }), [17, 20])
    assert.deepEqual(orderEtypes([18, 17, 18], { permitted: [17, 18] }), [18, 17])
  })

  test('PA-ENC-TIMESTAMP decrypts with usage 1 to the client time', () => {
    const now = new Date('2026-03-04T05:06:07.890Z')
    const pa = makeEncTimestamp(aliceKey, now)
    assert.equal(pa.padataType, PADataType.ENC_TIMESTAMP)
    const ed = decodeEncryptedData(pa.padataValue)
    const ts = decodePAEncTSEnc(decrypt(aliceKey, 1, ed.cipher))
    assert.equal(ts.patimestamp.toISOString(), '2026-03-04T05:06:07.000Z')
    assert.equal(ts.pausec, 890000)
  })
})

describe('preauth hints', () => {
  test('ETYPE-INFO2 wins, with salt and s2kparams', () => {
    const eData = encodeMethodData([
      { padataType: PADataType.ENC_TIMESTAMP, padataValue: new Uint8Array(0) },
      {
        padataType: PADataType.ETYPE_INFO,
        padataValue: encodeETypeInfo([{ etype: 17, salt: utf8('old') }]),
      },
      {
        padataType: PADataType.ETYPE_INFO2,
        padataValue: encodeETypeInfo2([
          { etype: 18, salt: 'EXAMPLE.TESTweird', s2kparams: new Uint8Array([0, 0, 0x20, 0]) },
        ]),
      },
    ])
    const h = readPreauthHints(eData)
    assert.deepEqual(h.methods, [2, 11, 19])
    assert.equal(h.saltInfo.length, 1)
    assert.equal(fromUtf8(h.saltInfo[0]!.salt!), 'EXAMPLE.TESTweird')
    assert.deepEqual([...h.saltInfo[0]!.s2kparams!], [0, 0, 0x20, 0])
  })
  test('ETYPE-INFO, then PW-SALT, then nothing', () => {
    const info = readPreauthHints(
      encodeMethodData([
        {
          padataType: PADataType.ETYPE_INFO,
          padataValue: encodeETypeInfo([{ etype: 17, salt: utf8('s1') }]),
        },
      ]),
    )
    assert.equal(fromUtf8(info.saltInfo[0]!.salt!), 's1')
    const pw = readPreauthHints(
      encodeMethodData([{ padataType: PADataType.PW_SALT, padataValue: utf8('s2') }]),
    )
    assert.equal(pw.saltInfo[0]!.etype, 0)
    assert.deepEqual(readPreauthHints(undefined), { methods: [], saltInfo: [] })
  })
})

describe('login against a scripted KDC', () => {
  test('preauth with the KDC salt and s2kparams, then a good reply', async () => {
    const salt = 'EXAMPLE.TESTsomethingelse'
    const params = new Uint8Array([0, 0, 0x10, 0]) // 4096
    const key = stringToKey(18, PW, salt, { params })
    const { client, transport } = clientWith((s, i) => {
      if (i === 0) {
        return makeKRBError(s.req, 25, {
          eData: encodeMethodData([
            { padataType: PADataType.ENC_TIMESTAMP, padataValue: new Uint8Array(0) },
            {
              padataType: PADataType.ETYPE_INFO2,
              padataValue: encodeETypeInfo2([{ etype: 18, salt, s2kparams: params }]),
            },
          ]),
        })
      }
      const pa = s.req.padata!.find((p) => p.padataType === PADataType.ENC_TIMESTAMP)!
      decodePAEncTSEnc(decrypt(key, 1, decodeEncryptedData(pa.padataValue).cipher)) // throws if wrong key
      return makeKDCRep(s.req, asKey(key))
    })
    const tgt = await client.login({ principal: 'alice', password: PW })
    assert.equal(tgt.client.components[0], 'alice')
    assert.equal(transport.seen.length, 2)
  })

  const bad: readonly (readonly [string, KDCHandler, string])[] = [
    [
      'wrong nonce',
      (s) => makeKDCRep(s.req, { ...asKey(), nonce: s.req.reqBody.nonce ^ 1 }),
      'ERR_KRB_KDC_REPLY',
    ],
    [
      'wrong client name',
      (s) => makeKDCRep(s.req, { ...asKey(), cname: { nameType: 1, nameString: ['mallory'] } }),
      'ERR_KRB_KDC_REPLY',
    ],
    [
      'wrong client realm',
      (s) => makeKDCRep(s.req, { ...asKey(), crealm: 'EVIL.TEST' }),
      'ERR_KRB_KDC_REPLY',
    ],
    ['undecryptable enc-part', (s) => makeKDCRep(s.req, asKey(randomKey(18))), 'ERR_KRB_INTEGRITY'],
    ['wrong key usage', (s) => makeKDCRep(s.req, { key: aliceKey, usage: 8 }), 'ERR_KRB_INTEGRITY'],
    ['garbage', () => new Uint8Array([0x30, 0x03, 0x02, 0x01]), 'ERR_KRB_ASN1_DECODE'],
    ['empty reply', () => new Uint8Array(0), 'ERR_KRB_ASN1_DECODE'],
    [
      'a TGS-REP instead of an AS-REP',
      (s) => makeKDCRep(s.req, { ...asKey(), msgType: 13 }),
      'ERR_KRB_KDC_REPLY',
    ],
    [
      'a server that is not a krbtgt',
      (s) => makeKDCRep(s.req, { ...asKey(), sname: { nameType: 1, nameString: ['HTTP', 'x'] } }),
      'ERR_KRB_KDC_REPLY',
    ],
    [
      'enc-part server differs from the ticket',
      (s) =>
        makeKDCRep(s.req, {
          ...asKey(),
          partSname: { nameType: 2, nameString: ['krbtgt', 'OTHER'] },
        }),
      'ERR_KRB_KDC_REPLY',
    ],
    [
      'end time past the requested till',
      (s) =>
        makeKDCRep(s.req, {
          ...asKey(),
          endtime: new Date(s.req.reqBody.till.getTime() + 3600_000),
        }),
      'ERR_KRB_KDC_REPLY',
    ],
    [
      'an AS-REP encrypted in another etype',
      (s) => makeKDCRep(s.req, asKey(stringToKey(17, PW, defaultSalt(alice)))),
      'ERR_KRB_KDC_REPLY',
    ],
  ]
  for (const [name, handler, code] of bad) {
    test(`rejects ${name} with ${code}`, async () => {
      const { client } = clientWith(handler)
      await assert.rejects(
        client.login({ principal: 'alice', password: PW, etypes: [18] }),
        (e: unknown) => {
          assert.ok(e instanceof KerberosError, String(e))
          assert.equal(e.code, code, e.message)
          return true
        },
      )
      assert.equal(client.tgt, undefined)
      assert.equal(client.credentials.length, 0)
    })
  }

  test('an EncTGSRepPart tag in an AS-REP is accepted (MIT does that)', async () => {
    const { client } = clientWith((s) => makeKDCRep(s.req, { ...asKey(), tag: 'tgs' }))
    assert.ok(await client.login({ principal: 'alice', password: PW }))
  })

  test('a canonicalized client name is accepted only when canonicalize was asked', async () => {
    const handler: KDCHandler = (s) =>
      makeKDCRep(s.req, {
        ...asKey(),
        cname: { nameType: 1, nameString: ['Alice'] },
        ...encPARep(s.bytes, aliceKey),
      })
    await assert.rejects(clientWith(handler).client.login({ principal: 'alice', password: PW }), {
      code: 'ERR_KRB_KDC_REPLY',
    })
    const tgt = await clientWith(handler).client.login({
      principal: 'alice',
      password: PW,
      canonicalize: true,
    })
    assert.equal(tgt.client.components[0], 'Alice')
  })

  test('review #16: every AS-REQ carries an empty PA-REQ-ENC-PA-REP (149)', async () => {
    const { client, transport } = clientWith((s) => makeKDCRep(s.req, asKey()))
    await client.login({ principal: 'alice', password: PW })
    const pa = transport.seen[0]!.req.padata?.find((p) => p.padataType === 149)
    assert.ok(pa !== undefined, 'PA-REQ-ENC-PA-REP is sent')
    assert.equal(pa.padataValue.length, 0)
    const without = buildASReq({
      client: alice,
      etypes: [18],
      now: new Date(),
      nonce: 1,
      requestEncPARep: false,
    })
    assert.equal(without.req.padata, undefined)
  })

  test('review #16: a renamed client without the enc-pa-rep checksum is refused', async () => {
    const { client } = clientWith((s) =>
      makeKDCRep(s.req, { ...asKey(), cname: { nameType: 1, nameString: ['admin'] } }),
    )
    await assert.rejects(
      client.login({ principal: 'alice', password: PW, canonicalize: true }),
      (e: unknown) =>
        e instanceof KerberosError &&
        e.code === 'ERR_KRB_KDC_REPLY' &&
        /without a verified PA-REQ-ENC-PA-REP/.test(e.message),
    )
    assert.equal(client.tgt, undefined)
  })

  const encPARepAttacks: readonly (readonly [string, KDCHandler])[] = [
    [
      'the flag without the checksum',
      (s) => makeKDCRep(s.req, { ...asKey(), flags: encPARep(s.bytes, aliceKey).flags }),
    ],
    [
      'a checksum over another request (a modified AS-REQ)',
      (s) => {
        const other = s.bytes.slice()
        other[other.length - 1] ^= 1
        return makeKDCRep(s.req, { ...asKey(), ...encPARep(other, aliceKey) })
      },
    ],
    [
      'a checksum in another key',
      (s) => makeKDCRep(s.req, { ...asKey(), ...encPARep(s.bytes, randomKey(18)) }),
    ],
    [
      'an unkeyed checksum (RSA-MD5) anyone can compute',
      (s) =>
        makeKDCRep(s.req, {
          ...asKey(),
          flags: encPARep(s.bytes, aliceKey).flags,
          encryptedPaData: [
            {
              padataType: 149,
              padataValue: encodeChecksum({ cksumtype: 7, checksum: md5(s.bytes) }),
            },
          ],
        }),
    ],
    [
      'a checksum that is not DER',
      (s) =>
        makeKDCRep(s.req, {
          ...asKey(),
          flags: encPARep(s.bytes, aliceKey).flags,
          encryptedPaData: [{ padataType: 149, padataValue: new Uint8Array([0x30, 0x80]) }],
        }),
    ],
  ]
  for (const [name, handler] of encPARepAttacks) {
    test(`review #16: enc-pa-rep set with ${name} → ERR_KRB_KDC_REPLY`, async () => {
      const { client } = clientWith(handler)
      await assert.rejects(client.login({ principal: 'alice', password: PW }), {
        code: 'ERR_KRB_KDC_REPLY',
      })
      assert.equal(client.tgt, undefined)
    })
  }

  test('review #16: a correct enc-pa-rep checksum is verified (readASReply says so)', () => {
    const req = buildASReq({ client: alice, etypes: [18], now: new Date(), nonce: 7 })
    const good = makeKDCRep(req.req, { ...asKey(), ...encPARep(req.bytes, aliceKey) })
    const out = readASReply(good, { request: req, keys: () => [aliceKey] })
    assert.equal(out.kind === 'ok' && out.encPARepVerified, true)
    const plain = makeKDCRep(req.req, asKey())
    const old = readASReply(plain, { request: req, keys: () => [aliceKey] })
    assert.equal(old.kind === 'ok' && old.encPARepVerified, false, 'no flag: nothing to verify')
  })

  test('review #14: KDC_ERR_WRONG_REALM is not followed without CANONICALIZE', async () => {
    const { client, transport } = clientWith((s) =>
      s.realm === 'EXAMPLE.TEST'
        ? makeKRBError(s.req, 68, { crealm: 'EVIL.TEST' })
        : makeKDCRep(s.req, {
            ...asKey(stringToKey(18, PW, 'EVIL.TESTalice')),
            crealm: 'EVIL.TEST',
          }),
    )
    await assert.rejects(
      client.login({ principal: 'alice', password: PW, canonicalize: false }),
      (e: unknown) => e instanceof KDCError && e.errorCode === 68,
    )
    assert.deepEqual(
      transport.seen.map((s) => s.realm),
      ['EXAMPLE.TEST'],
      'EVIL.TEST is never asked',
    )
    assert.equal(client.tgt, undefined)
  })

  test('review #14: KDC_ERR_WRONG_REALM is followed for an enterprise name (RFC 6806 §7)', async () => {
    const otherKey = stringToKey(18, PW, 'OTHER.TESTalice@other.test')
    const { client, transport } = clientWith((s) =>
      s.realm === 'EXAMPLE.TEST'
        ? makeKRBError(s.req, 68, { crealm: 'OTHER.TEST' })
        : makeKDCRep(s.req, { ...asKey(otherKey), crealm: 'OTHER.TEST' }),
    )
    const enterprise = { nameType: 10, components: ['alice@other.test'], realm: 'EXAMPLE.TEST' }
    await client
      .login({ principal: enterprise, password: PW, canonicalize: false })
      .catch(() => undefined)
    assert.deepEqual(
      transport.seen.map((s) => s.realm),
      ['EXAMPLE.TEST', 'OTHER.TEST'],
    )
  })

  test('review #15: a KRB_AP_ERR_SKEW offset is not kept when the login then fails', async () => {
    const tenYears = 10 * 365 * 86400_000
    const { client, transport } = clientWith((s, i) => {
      if (i === 0) return makeKRBError(s.req, 37, { stime: new Date(Date.now() + tenYears) })
      // The retry is answered by someone without alice's key.
      return makeKDCRep(s.req, asKey(randomKey(18)))
    })
    await assert.rejects(client.login({ principal: 'alice', password: PW }), {
      code: 'ERR_KRB_INTEGRITY',
    })
    const retried = transport.seen[1]!.req.reqBody.till.getTime()
    assert.ok(retried - Date.now() > tenYears / 2, 'the retry used the KDC time')
    assert.equal(client.timeOffsetMs, 0, 'the unauthenticated offset is dropped')
    assert.ok(Math.abs(client.now().getTime() - Date.now()) < 2000)
  })

  test('review #15: a KRB_AP_ERR_SKEW offset is not kept when the retry gets another error', async () => {
    const { client } = clientWith((s, i) =>
      i === 0
        ? makeKRBError(s.req, 37, { stime: new Date(Date.now() + 3600_000) })
        : makeKRBError(s.req, 6),
    )
    await assert.rejects(client.login({ principal: 'alice', password: PW }), KDCError)
    assert.equal(client.timeOffsetMs, 0)
    assert.throws(() => client.toCCache(), { code: 'ERR_KRB_NO_CREDENTIALS' })
  })

  test('the preauth loop is bounded', async () => {
    const { client, transport } = clientWith((s) => makeKRBError(s.req, 25))
    await assert.rejects(
      client.login({ principal: 'alice', password: PW }),
      (e: unknown) => e instanceof KDCError && e.errorCode === 25,
    )
    assert.equal(transport.seen.length, 4)
  })

  test('KRB_AP_ERR_SKEW: offset from the KDC time, one retry with the corrected clock', async () => {
    const kdcNow = new Date()
    const { client, transport } = clientWith(
      (s, i) => {
        if (i === 0) return makeKRBError(s.req, 25)
        if (i === 1) return makeKRBError(s.req, 37, { stime: kdcNow })
        return makeKDCRep(s.req, asKey())
      },
      { now: () => new Date(Date.now() + 7200_000) },
    )
    await client.login({ principal: 'alice', password: PW })
    assert.ok(Math.abs(client.timeOffsetMs + 7200_000) < 2000)
    const ts = (i: number) => {
      const pa = transport.seen[i]!.req.padata!.find((p) => p.padataType === 2)!
      return decodePAEncTSEnc(
        decrypt(aliceKey, 1, decodeEncryptedData(pa.padataValue).cipher),
      ).patimestamp.getTime()
    }
    assert.ok(Math.abs(ts(2) - Date.now()) < 2000, 'the retry uses the corrected clock')
    assert.ok(ts(1) - Date.now() > 7000_000)
  })

  test('KRB_AP_ERR_SKEW twice → thrown', async () => {
    const { client } = clientWith((s) => makeKRBError(s.req, 37))
    await assert.rejects(
      client.login({ principal: 'alice', password: PW }),
      (e: unknown) => e instanceof KDCError && e.errorCode === 37,
    )
  })

  test('KDC_ERR_WRONG_REALM: the login moves to the realm named in crealm', async () => {
    const otherKey = stringToKey(18, PW, 'OTHER.TESTalice')
    const { client, transport } = clientWith((s) =>
      s.realm === 'EXAMPLE.TEST'
        ? makeKRBError(s.req, 68, { crealm: 'OTHER.TEST' })
        : makeKDCRep(s.req, { ...asKey(otherKey), crealm: 'OTHER.TEST' }),
    )
    const tgt = await client.login({ principal: 'alice', password: PW, canonicalize: true })
    assert.equal(tgt.client.realm, 'OTHER.TEST')
    assert.deepEqual(
      transport.seen.map((s) => s.realm),
      ['EXAMPLE.TEST', 'OTHER.TEST'],
    )
  })

  test('client referrals are bounded', async () => {
    const { client } = clientWith((s) =>
      makeKRBError(s.req, 68, { crealm: s.realm === 'A.TEST' ? 'B.TEST' : 'A.TEST' }),
    )
    await assert.rejects(
      client.login({ principal: 'alice@A.TEST', password: PW, canonicalize: true }),
      {
        code: 'ERR_KRB_REFERRAL',
      },
    )
  })

  test('keytab login: etypes of the highest kvno, every kvno tried for the reply', async () => {
    const old = randomKey(18)
    const cur = randomKey(18)
    const kt = createKeytab([
      makeKeytabEntry({ principal: alice, kvno: 4, key: old }),
      makeKeytabEntry({ principal: alice, kvno: 5, key: cur }),
      makeKeytabEntry({ principal: alice, kvno: 4, key: randomKey(17) }),
    ])
    // The KDC says kvno 9 but encrypts with the kvno-4 key: still accepted.
    const { client, transport } = clientWith((s) => makeKDCRep(s.req, asKey(old)))
    const tgt = await client.login({ principal: 'alice', keytab: kt })
    assert.ok(tgt)
    assert.deepEqual(transport.seen[0]!.req.reqBody.etype, [18])
  })

  test('keytab without the principal → KeytabLookupError', async () => {
    const kt = createKeytab([
      makeKeytabEntry({
        principal: parsePrincipal('bob@EXAMPLE.TEST'),
        kvno: 1,
        key: randomKey(18),
      }),
    ])
    const { client } = clientWith(() => new Uint8Array(0))
    await assert.rejects(client.login({ principal: 'alice', keytab: kt }), {
      code: 'ERR_KRB_KEYTAB_NO_KEY',
    })
  })

  test('trace events carry no password and no key bytes', async () => {
    const events: unknown[] = []
    const secretKey = stringToKey(18, 'hunter2-secret', defaultSalt(alice))
    const { client } = clientWith(
      (s, i) =>
        i === 0
          ? makeKRBError(s.req, 25, {
              eData: encodeMethodData([{ padataType: 2, padataValue: new Uint8Array(0) }]),
            })
          : makeKDCRep(s.req, asKey(secretKey)),
      { trace: (e) => events.push(e) },
    )
    const tgt = await client.login({ principal: 'alice', password: 'hunter2-secret' })
    const text = JSON.stringify(events)
    assert.ok(events.length >= 4)
    assert.ok(!text.includes('hunter2-secret'))
    assert.ok(!text.includes(toHex(secretKey.bytes)))
    assert.ok(!text.includes(toHex(tgt.sessionKey.bytes)))
  })

  test('readASReply returns KRB-ERRORs as values', () => {
    const r = buildASReq({ client: alice, etypes: [18], now: new Date(), nonce: 7 })
    const out = readASReply(makeKRBError(r.req, 6), { request: r, keys: () => [aliceKey] })
    assert.equal(out.kind, 'error')
    assert.equal(out.kind === 'error' && out.kdcError.errorName, 'KDC_ERR_C_PRINCIPAL_UNKNOWN')
  })
})

describe('hostile AS replies are never accepted (property tests)', () => {
  const request = buildASReq({ client: alice, etypes: [18], now: new Date(), nonce: 4711 })
  const keys = () => [aliceKey]
  const good = makeKDCRep(request.req, asKey())
  const rep = decodeASRep(good)
  const cipherAt = indexOf(good, rep.encPart.cipher)

  function rejected(bytes: Uint8Array): boolean {
    try {
      const out = readASReply(bytes, { request, keys })
      return out.kind === 'error'
    } catch (e) {
      return e instanceof KerberosError
    }
  }

  test('the unmodified reply is accepted', () => {
    assert.equal(readASReply(good, { request, keys }).kind, 'ok')
    assert.ok(cipherAt > 0)
  })

  test('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => rejected(b)),
      { numRuns: 300 },
    )
  })

  test('any change inside the encrypted part', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: rep.encPart.cipher.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (i, x) => {
          const b = good.slice()
          b[cipherAt + i]! ^= x
          return rejected(b)
        },
      ),
      { numRuns: 200 },
    )
  })

  test('every truncation', () => {
    for (let n = 0; n < good.length; n++) assert.ok(rejected(good.subarray(0, n)), `length ${n}`)
  })
})

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}
