/**
 * Issue 10, review item 7: what a password login's string-to-key costs. With a scripted KDC: the
 * legitimate paths derive exactly one key (two only when the AS-REP comes in another etype than
 * the preauth key), `maxS2KIterations` and `max_s2k_iterations` set the refusal threshold, and
 * with the Node backend the event loop keeps running during a 200,000-iteration derivation.
 * Against a real MIT KDC: password logins with the Node backend (the async path) still work.
 */
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, test } from 'node:test'
import {
  decodeEncryptedData,
  decodePAEncTSEnc,
  encodeETypeInfo2,
  encodeMethodData,
} from '../../src/asn1/index.js'
import { KerberosClient } from '../../src/client/index.js'
import { parseConfig } from '../../src/config/index.js'
import {
  decrypt,
  getCryptoBackend,
  pureBackend,
  setCryptoBackend,
  stringToKey,
  type CryptoBackend,
} from '../../src/crypto/index.js'
import { KerberosError } from '../../src/errors.js'
import { KeyUsage, PADataType } from '../../src/iana.js'
import { nodeBackend } from '../../src/node/crypto-backend.js'
import { skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { s2kSpy } from '../helpers/s2k-spy.js'
import { fakeTransport, makeKDCRep, makeKRBError, type KDCHandler } from './fake-kdc.js'
import { clientFor } from './helpers.js'

const PW = 'correct horse'
const REALM = 'EXAMPLE.TEST'
const be32 = (n: number): Uint8Array =>
  new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff])
const SALT = 'EXAMPLE.TESTspecial-salt'

function clientWith(
  handler: KDCHandler,
  extra: Partial<ConstructorParameters<typeof KerberosClient>[0]> = {},
) {
  const transport = fakeTransport(handler)
  const config = { libdefaults: { defaultRealm: REALM } }
  return { client: new KerberosClient({ config, transport, ...extra }), transport }
}

/** PREAUTH_REQUIRED naming one ETYPE-INFO2 entry. */
function preauthRequired(
  s: Parameters<KDCHandler>[0],
  etype: number,
  salt: string,
  iterations?: number,
): Uint8Array {
  const entry = {
    etype,
    salt,
    ...(iterations !== undefined ? { s2kparams: be32(iterations) } : {}),
  }
  return makeKRBError(s.req, 25, {
    eData: encodeMethodData([
      { padataType: PADataType.ENC_TIMESTAMP, padataValue: new Uint8Array(0) },
      { padataType: PADataType.ETYPE_INFO2, padataValue: encodeETypeInfo2([entry]) },
    ]),
  })
}

/** The etype of the request's PA-ENC-TIMESTAMP (which must decrypt with `key`). */
function checkTimestamp(s: Parameters<KDCHandler>[0], key: ReturnType<typeof stringToKey>): void {
  const pa = s.req.padata!.find((p) => p.padataType === PADataType.ENC_TIMESTAMP)!
  decodePAEncTSEnc(decrypt(key, 1, decodeEncryptedData(pa.padataValue).cipher))
}

describe('review #7: password string-to-key per login (scripted KDC)', () => {
  const saved = getCryptoBackend()
  afterEach(() => setCryptoBackend(saved))

  function spyOn(base: CryptoBackend = pureBackend): ReturnType<typeof s2kSpy> {
    const spy = s2kSpy(base, PW)
    setCryptoBackend(spy.backend)
    return spy
  }

  test('review #7: preauth with the KDC salt, AS-REP naming the same salt: one derivation', async () => {
    const key = stringToKey(18, PW, SALT, { params: be32(5000) })
    const spy = spyOn()
    const { client } = clientWith((s, i) => {
      if (i === 0) return preauthRequired(s, 18, SALT, 5000)
      checkTimestamp(s, key)
      const padata = [
        {
          padataType: PADataType.ETYPE_INFO2,
          padataValue: encodeETypeInfo2([{ etype: 18, salt: SALT, s2kparams: be32(5000) }]),
        },
      ]
      return makeKDCRep(s.req, { key, usage: KeyUsage.AS_REP_ENCPART, padata })
    })
    await client.login({ principal: 'alice', password: PW })
    assert.deepEqual(spy.iterations, [5000])
  })

  test('review #7: no preauth, the salt from the AS-REP padata: one derivation', async () => {
    const key = stringToKey(18, PW, SALT)
    const spy = spyOn()
    const { client } = clientWith((s) => {
      const padata = [
        {
          padataType: PADataType.ETYPE_INFO2,
          padataValue: encodeETypeInfo2([{ etype: 18, salt: SALT }]),
        },
      ]
      return makeKDCRep(s.req, { key, usage: KeyUsage.AS_REP_ENCPART, padata })
    })
    await client.login({ principal: 'alice', password: PW })
    assert.equal(spy.count, 1)
  })

  test('review #7: preauth in aes128, AS-REP in aes256: the one more derivation allowed, and the login succeeds', async () => {
    const k17 = stringToKey(17, PW, `${SALT}-17`)
    const k18 = stringToKey(18, PW, `${SALT}-18`)
    const spy = spyOn()
    const { client } = clientWith((s, i) => {
      if (i === 0) return preauthRequired(s, 17, `${SALT}-17`)
      checkTimestamp(s, k17)
      const padata = [
        {
          padataType: PADataType.ETYPE_INFO2,
          padataValue: encodeETypeInfo2([{ etype: 18, salt: `${SALT}-18` }]),
        },
      ]
      return makeKDCRep(s.req, { key: k18, usage: KeyUsage.AS_REP_ENCPART, padata })
    })
    const tgt = await client.login({ principal: 'alice', password: PW })
    assert.equal(tgt.client.components[0], 'alice')
    assert.equal(spy.count, 2)
  })

  test('review #7: an AS-REP in an etype that was not requested costs no derivation (ERR_KRB_KDC_REPLY)', async () => {
    const spy = spyOn()
    const k19 = stringToKey(19, 'attacker', SALT, { backend: nodeBackend })
    const { client } = clientWith(
      (s) => makeKDCRep(s.req, { key: k19, usage: KeyUsage.AS_REP_ENCPART }),
      {
        config: { libdefaults: { defaultRealm: REALM, defaultTktEnctypes: [18, 17] } },
      },
    )
    await assert.rejects(client.login({ principal: 'alice', password: PW }), {
      code: 'ERR_KRB_KDC_REPLY',
    })
    assert.equal(spy.count, 0)
  })

  test('review #7: a second PREAUTH_REQUIRED with another salt and count reuses the first key (no derivation)', async () => {
    const first = stringToKey(18, PW, SALT)
    const spy = spyOn()
    const seen: string[] = []
    const { client } = clientWith((s, i) => {
      if (i === 0) return preauthRequired(s, 18, SALT)
      checkTimestamp(s, first) // every later round still sends the first key's timestamp
      seen.push('ts')
      return preauthRequired(s, 18, `${SALT}-${i}`, 0x100000 + i)
    })
    await assert.rejects(client.login({ principal: 'alice', password: PW }), {
      code: 'ERR_KRB_KDC_ERROR',
    })
    assert.equal(seen.length, 3)
    assert.deepEqual(spy.iterations, [4096])
  })

  test('review #7: maxS2KIterations refuses above it and admits up to it; the default admits the highest KDC default', async () => {
    const handler =
      (n: number): KDCHandler =>
      (s, i) => {
        if (i === 0) return preauthRequired(s, 18, SALT, n)
        return makeKRBError(s.req, 24) // PREAUTH_FAILED: the derivation ran, that is all we need
      }
    const spy = spyOn()
    // The default (262,144) admits 32,768, the highest default of any KDC.
    for (const [n, max, ran] of [
      [32768, undefined, true],
      [262144, undefined, true],
      [262145, undefined, false],
      [10000, 9999, false],
      [10000, 10000, true],
    ] as const) {
      spy.reset()
      const { client } = clientWith(handler(n), max !== undefined ? { maxS2KIterations: max } : {})
      const err = await client.login({ principal: 'alice', password: PW }).then(
        () => assert.fail('logged in'),
        (e: unknown) => e,
      )
      assert.ok(err instanceof KerberosError)
      if (ran) {
        assert.equal(err.code, 'ERR_KRB_KDC_ERROR', `${n}/${max}: ${err.message}`)
        assert.deepEqual(spy.iterations, [n])
      } else {
        assert.equal(err.code, 'ERR_KRB_S2K_PARAMS', `${n}/${max}`)
        assert.match(err.message, new RegExp(`${n} string-to-key iterations.*maxS2KIterations`))
        assert.equal(spy.count, 0)
      }
    }
    assert.throws(() => clientWith(handler(1), { maxS2KIterations: 0 }), RangeError)
    assert.throws(() => clientWith(handler(1), { maxS2KIterations: 0x1000000 }), RangeError)
  })

  test('review #7: krb5.conf max_s2k_iterations (and per realm) sets the limit; a bad value is ERR_KRB_CONFIG', async () => {
    const conf = (text: string) => parseConfig(`[libdefaults]\n default_realm = ${REALM}\n${text}`)
    const bomb: KDCHandler = (s) => preauthRequired(s, 18, SALT, 50000)
    spyOn()
    for (const text of [
      ' max_s2k_iterations = 40000\n',
      ` ${REALM} = {\n  max_s2k_iterations = 40000\n }\n`,
    ]) {
      const transport = fakeTransport(bomb)
      const client = new KerberosClient({ config: conf(text), transport })
      await assert.rejects(client.login({ principal: 'alice', password: PW }), (e: unknown) => {
        return (
          e instanceof KerberosError && e.code === 'ERR_KRB_S2K_PARAMS' && /40000/.test(e.message)
        )
      })
    }
    for (const bad of ['0', '16777216', 'lots']) {
      const client = new KerberosClient({
        config: conf(` max_s2k_iterations = ${bad}\n`),
        transport: fakeTransport(bomb),
      })
      await assert.rejects(client.login({ principal: 'alice', password: PW }), {
        code: 'ERR_KRB_CONFIG',
      })
    }
  })

  test('review #7: with the Node backend the event loop keeps ticking during a 200,000-iteration derivation', async () => {
    const params = 200000
    const key = stringToKey(18, PW, SALT, { params: be32(params), backend: nodeBackend })
    const handler: KDCHandler = (s, i) => {
      if (i === 0) return preauthRequired(s, 18, SALT, params)
      checkTimestamp(s, key)
      return makeKDCRep(s.req, { key, usage: KeyUsage.AS_REP_ENCPART })
    }
    const run = async (backend: CryptoBackend): Promise<{ ticks: number; ms: number }> => {
      setCryptoBackend(backend)
      const { client } = clientWith(handler, { maxS2KIterations: 300000 })
      let ticks = 0
      const timer = setInterval(() => ticks++, 1)
      const t0 = performance.now()
      try {
        await client.login({ principal: 'alice', password: PW })
      } finally {
        clearInterval(timer)
      }
      return { ticks, ms: performance.now() - t0 }
    }
    const node = await run(nodeBackend)
    // The pure backend has no pbkdf2Async: the same login blocks the loop (the control).
    const pure = await run(pureBackend)
    assert.equal(pure.ticks, 0, `pure backend: ${pure.ticks} ticks in ${pure.ms.toFixed(0)} ms`)
    assert.ok(node.ticks >= 3, `node backend: ${node.ticks} ticks in ${node.ms.toFixed(0)} ms`)
  })
})

describe(
  'review #7: password logins against MIT with the Node backend (async string-to-key)',
  { skip: skipWithoutMIT() },
  () => {
    let realm: Realm
    const saved = getCryptoBackend()
    before(async () => {
      realm = await startRealm({ realm: 'S2K.TEST' })
      await realm.addPrincipal('sha1', {
        password: PW,
        enctypes: ['aes256-cts-hmac-sha1-96'],
        requiresPreauth: true,
      })
      await realm.addPrincipal('sha2', {
        password: PW,
        enctypes: ['aes256-cts-hmac-sha384-192'],
        requiresPreauth: true,
      })
      await realm.addPrincipal('nopreauth', { password: PW, enctypes: ['aes128-cts-hmac-sha1-96'] })
    })
    after(async () => {
      setCryptoBackend(saved)
      await realm?.stop()
    })

    for (const [name, iterations] of [
      ['sha1', 4096],
      ['sha2', 32768],
      ['nopreauth', 4096],
    ] as const) {
      test(`review #7: ${name}: password login with the Node backend, one derivation (${iterations} iterations)`, async () => {
        const spy = s2kSpy(nodeBackend, PW)
        setCryptoBackend(spy.backend)
        const { client } = clientFor(realm)
        const tgt = await client.login({ principal: name, password: PW })
        assert.equal(tgt.client.components[0], name)
        assert.deepEqual(spy.iterations, [iterations])
        await assert.rejects(client.login({ principal: name, password: 'wrong' }), KerberosError)
      })
    }
  },
)
