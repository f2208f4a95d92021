/**
 * Issue 10, review item 7 (iteration bombs): a hostile KDC on loopback drives a password login
 * through the full client path (KerberosClient + createNodeTransport). Before the fix, spoofed
 * PREAUTH_REQUIRED errors and AS-REP padata made one login run up to four PBKDF2 derivations at
 * 2^24 − 1 iterations each (~100 s of blocked event loop). Now a count above maxS2KIterations is
 * refused before any work, and one login derives one key whatever the KDC says next. Needs no MIT
 * KDC: the hostile KDC answers by itself in these modes.
 */
import assert from 'node:assert/strict'
import { after, afterEach, describe, test } from 'node:test'
import { KerberosClient } from '../../src/client/client.js'
import { getCryptoBackend, pureBackend, setCryptoBackend } from '../../src/crypto/index.js'
import { KDCError, KerberosError } from '../../src/errors.js'
import { nodeBackend } from '../../src/node/crypto-backend.js'
import { createNodeTransport } from '../../src/node/transport.js'
import { startHostileKDC, type HostileKDC, type HostileKDCOptions } from '../helpers/hostile-kdc.js'
import { s2kSpy } from '../helpers/s2k-spy.js'

const REALM = 'S2K.TEST'
const PW = 'alice-real-pw'

describe('review #7: string-to-key cost against a hostile KDC', { concurrency: false }, () => {
  const open: HostileKDC[] = []
  const saved = getCryptoBackend()
  afterEach(() => setCryptoBackend(saved))
  after(async () => {
    await Promise.all(open.map((h) => h.close()))
  })

  async function hostile(mode: HostileKDCOptions['mode']): Promise<HostileKDC> {
    const h = await startHostileKDC({ mode, spoofPassword: 'attacker-chose-this' })
    open.push(h)
    return h
  }

  function clientAt(port: number, extra: { maxS2KIterations?: number } = {}): KerberosClient {
    const transport = createNodeTransport({
      config: { realms: { [REALM]: { kdc: [`tcp/127.0.0.1:${port}`] } }, dnsLookupKdc: false },
      attemptTimeoutMs: 2000,
      deadlineMs: 5000,
    })
    return new KerberosClient({
      config: { libdefaults: { defaultRealm: REALM } },
      transport,
      ...extra,
    })
  }

  async function failure(p: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
    const t0 = Date.now()
    try {
      await p
    } catch (error) {
      return { error, ms: Date.now() - t0 }
    }
    assert.fail('the login succeeded')
  }

  for (const base of [pureBackend, nodeBackend]) {
    test(`review #7: PREAUTH_REQUIRED with s2kparams of 2^24−1 is refused fast, naming the count and the option (${base.name} backend)`, async () => {
      const spy = s2kSpy(base, PW)
      setCryptoBackend(spy.backend)
      const h = await hostile('iteration-bomb')
      const r = await failure(clientAt(h.port).login({ principal: 'alice', password: PW }))
      assert.ok(r.error instanceof KerberosError, String(r.error))
      assert.equal(r.error.code, 'ERR_KRB_S2K_PARAMS')
      assert.match(r.error.message, /16777215 string-to-key iterations/)
      assert.match(r.error.message, /maxS2KIterations \(krb5\.conf max_s2k_iterations\) 262144/)
      assert.equal(r.error.context?.iterations, 0xffffff)
      assert.equal(spy.count, 0, 'no PBKDF2 ran')
      assert.equal(h.requests, 1)
      assert.ok(r.ms < 1500, `took ${r.ms} ms`)
    })
  }

  test('review #7: new salts and s2kparams in every PREAUTH_REQUIRED round: one string-to-key per login', async () => {
    const spy = s2kSpy(nodeBackend, PW)
    setCryptoBackend(spy.backend)
    const h = await hostile('salt-carousel')
    const r = await failure(clientAt(h.port).login({ principal: 'alice', password: PW }))
    // The rounds run out (maxPreauthRounds 3) with the one key derived in the first round.
    assert.ok(r.error instanceof KDCError, String(r.error))
    assert.equal(r.error.errorName, 'KDC_ERR_PREAUTH_REQUIRED')
    assert.equal(h.requests, 4)
    assert.deepEqual(spy.iterations, [4096], 'one derivation, at the first round’s count')
  })

  test('review #7: new salts every round, then an AS-REP naming yet another salt: still one string-to-key, ERR_KRB_INTEGRITY', async () => {
    const spy = s2kSpy(nodeBackend, PW)
    setCryptoBackend(spy.backend)
    const h = await hostile('salt-carousel-rep')
    const r = await failure(clientAt(h.port).login({ principal: 'alice', password: PW }))
    assert.ok(r.error instanceof KerberosError, String(r.error))
    assert.equal(r.error.code, 'ERR_KRB_INTEGRITY')
    assert.equal(h.requests, 3)
    assert.equal(spy.count, 1)
  })

  test('review #7: maxS2KIterations raised to 2^24−1 lets the bomb through to PBKDF2 (the option is what refuses it)', async () => {
    // Only the check is exercised: a spy that refuses the work instead of running it.
    let asked = 0
    setCryptoBackend({
      ...nodeBackend,
      pbkdf2Async: (_h, _p, _s, iterations) => {
        asked = iterations
        return Promise.reject(new KerberosError('ERR_KRB_S2K_PARAMS', 'test: not running it'))
      },
    })
    const h = await hostile('iteration-bomb')
    const client = clientAt(h.port, { maxS2KIterations: 0xffffff })
    const r = await failure(client.login({ principal: 'alice', password: PW }))
    assert.match(String(r.error), /test: not running it/)
    assert.equal(asked, 0xffffff)
  })
})
