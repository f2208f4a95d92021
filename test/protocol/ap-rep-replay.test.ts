/**
 * AP-REP make/verify and the in-memory replay cache, without a KDC.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { makeAPRep, verifyAPRep } from '../../src/protocol/ap-rep.js'
import {
  MemoryReplayCache,
  noReplayCache,
  type ReplayEntry,
} from '../../src/protocol/replay-cache.js'
import { Acceptor, indexKeytab, verifyAPReq } from '../../src/protocol/ap-verify.js'
import { encodeGSSChecksum, decodeGSSChecksum, GSSFlags } from '../../src/protocol/gss-checksum.js'
import { makeAPReq } from '../../src/protocol/ap-req.js'
import { randomKey } from '../../src/crypto/index.js'
import { KerberosError, KeytabLookupError } from '../../src/errors.js'
import { fakeService } from '../helpers/gss-peers.js'

const code = (e: unknown): string => (e instanceof KerberosError ? e.code : String(e))

describe('AP-REP', () => {
  it('round-trips ctime/cusec, subkey and sequence number', () => {
    const sessionKey = randomKey(18)
    const subkey = randomKey(18)
    const ctime = new Date(Date.UTC(2026, 0, 2, 3, 4, 5))
    const rep = makeAPRep({ sessionKey, ctime, cusec: 123456, subkey, seqNumber: 42 })
    const part = verifyAPRep(rep, { sessionKey, ctime, cusec: 123456 })
    assert.ok(part.subkey?.equals(subkey))
    assert.equal(part.seqNumber, 42)
    assert.throws(
      () => verifyAPRep(rep, { sessionKey, ctime, cusec: 123457 }),
      (e) =>
        code(e) === 'ERR_KRB_AP_ERROR' && (e as KerberosError).context.reason === 'mutual-mismatch',
    )
    assert.throws(
      () => verifyAPRep(rep, { sessionKey: randomKey(18), ctime, cusec: 123456 }),
      (e) => code(e) === 'ERR_KRB_AP_ERROR',
    )
    assert.throws(
      () => verifyAPRep(rep, { sessionKey: randomKey(17), ctime, cusec: 123456 }),
      (e) => code(e) === 'ERR_KRB_AP_ERROR',
    )
  })
})

describe('MemoryReplayCache', () => {
  const entry = (key: string, expiresAt: number): ReplayEntry => ({
    key,
    client: 'c',
    server: 's',
    time: expiresAt - 300_000,
    expiresAt,
  })

  it('detects repeats until expiry, then forgets', () => {
    let now = 1_000_000
    const rc = new MemoryReplayCache({ now: () => now })
    assert.equal(rc.checkAndStore(entry('a', now + 1000)), true)
    assert.equal(rc.checkAndStore(entry('a', now + 1000)), false)
    now += 2000
    assert.equal(rc.checkAndStore(entry('a', now + 1000)), true)
    assert.equal(noReplayCache.checkAndStore(entry('a', 0)), true)
  })

  it('stays bounded: expired first, then the oldest, counted', () => {
    let now = 0
    const rc = new MemoryReplayCache({ maxEntries: 100, now: () => now })
    for (let i = 0; i < 100; i++) rc.checkAndStore(entry(`e${i}`, 10 + i))
    now = 50
    for (let i = 0; i < 40; i++) rc.checkAndStore(entry(`f${i}`, 1000))
    assert.ok(rc.size <= 100)
    assert.equal(rc.evicted, 0)
    for (let i = 0; i < 200; i++) rc.checkAndStore(entry(`g${i}`, 2000))
    assert.equal(rc.size, 100)
    assert.ok(rc.evicted > 0)
    assert.throws(() => new MemoryReplayCache({ maxEntries: 0 }), RangeError)
  })
})

describe('verifyAPReq without a KDC', () => {
  const svc = fakeService('HTTP/web.example.com@EXAMPLE.COM')

  function apReq(
    o: Parameters<typeof svc.issue>[0] = {},
    extra: Partial<Parameters<typeof makeAPReq>[0]> = {},
  ): Uint8Array {
    const c = svc.issue(o)
    return makeAPReq({
      ticket: c.ticket,
      sessionKey: c.sessionKey,
      client: c.client,
      mutualRequired: true,
      ...extra,
    }).bytes
  }

  it('accepts, answers mutual auth only when asked, honours injected now and clock skew', () => {
    const t = Date.now()
    const a = new Acceptor({ keytab: svc.keytab, now: () => t })
    const r = a.accept(apReq())
    assert.ok(r.apRep && r.mutualRequired)
    const c = svc.issue()
    const noMutual = makeAPReq({
      ticket: c.ticket,
      sessionKey: c.sessionKey,
      client: c.client,
    }).bytes
    assert.equal(a.accept(noMutual).apRep, undefined)
    const late = new Acceptor({ keytab: svc.keytab, now: () => t + 301_000 })
    assert.throws(
      () => late.accept(apReq()),
      (e) => code(e) === 'ERR_KRB_CLOCK_SKEW',
    )
    const lenient = new Acceptor({ keytab: svc.keytab, now: () => t + 301_000, clockSkew: 600 })
    assert.ok(lenient.accept(apReq()))
  })

  it('rc4 only when allowed; enctype allow-list', () => {
    const weak = fakeService('HTTP/web.example.com@EXAMPLE.COM', { enctype: 23 })
    const c = weak.issue()
    const bytes = makeAPReq({
      ticket: c.ticket,
      sessionKey: c.sessionKey,
      client: c.client,
      allowWeak: true,
    }).bytes
    assert.throws(
      () => verifyAPReq(bytes, { keytab: weak.keytab }),
      (e) => code(e) === 'ERR_KRB_WEAK_CRYPTO',
    )
    assert.ok(verifyAPReq(bytes, { keytab: weak.keytab, allowWeakCrypto: true }))
    assert.throws(
      () => verifyAPReq(apReq(), { keytab: svc.keytab, enctypes: [17] }),
      (e) => code(e) === 'ERR_KRB_AP_ERROR',
    )
  })

  it('the four keytab errors name principal, kvno, enctype and what the keytab holds', () => {
    const idx = indexKeytab(svc.keytab)
    const cases: [Parameters<typeof svc.issue>[0], string, RegExp][] = [
      [
        { kvno: 9 },
        'kvno-not-found',
        /kvno 9 not found in keytab; keytab is likely out of date \(keytab holds kvno 2 aes256-cts-hmac-sha1-96 \(18\)\)/,
      ],
      [{ kvno: 1 }, 'kvno-not-found', /kvno 1 not found in keytab; ticket is likely out of date/],
    ]
    for (const [o, reason, msg] of cases) {
      assert.throws(
        () => verifyAPReq(apReq(o), { keytab: idx, strictKvno: true }),
        (e) =>
          e instanceof KeytabLookupError &&
          e.reason === reason &&
          msg.test(e.message) &&
          e.principal === 'HTTP/web.example.com@EXAMPLE.COM',
      )
    }
    const other = fakeService('HTTP/web.example.com@EXAMPLE.COM', { enctype: 17 })
    const c = other.issue()
    const aes128 = makeAPReq({ ticket: c.ticket, sessionKey: c.sessionKey, client: c.client }).bytes
    assert.throws(
      () => verifyAPReq(aes128, { keytab: idx }),
      (e) => e instanceof KeytabLookupError && e.reason === 'enctype-not-found' && e.enctype === 17,
    )
    const sameKvno = fakeService('HTTP/web.example.com@EXAMPLE.COM')
    const s = sameKvno.issue()
    const wrongKey = makeAPReq({
      ticket: s.ticket,
      sessionKey: s.sessionKey,
      client: s.client,
    }).bytes
    assert.throws(
      () => verifyAPReq(wrongKey, { keytab: idx }),
      (e) => e instanceof KeytabLookupError && e.reason === 'cannot-decrypt',
    )
    const stranger = fakeService('HTTP/other.example.com@EXAMPLE.COM').issue()
    const notOurs = makeAPReq({
      ticket: stranger.ticket,
      sessionKey: stranger.sessionKey,
      client: stranger.client,
    }).bytes
    assert.throws(
      () => verifyAPReq(notOurs, { keytab: idx }),
      (e) =>
        e instanceof KeytabLookupError &&
        e.reason === 'principal-not-found' &&
        /keytab holds HTTP\/web\.example\.com@EXAMPLE\.COM/.test(e.message),
    )
  })

  it('non-strict key search tries every kvno (a ticket whose kvno field lies still decrypts)', () => {
    assert.equal(verifyAPReq(apReq({ kvno: 9 }), { keytab: svc.keytab }).kvno, 2)
  })

  it('GSS checksum round trip with delegation bytes', () => {
    const c = {
      bindings: new Uint8Array(16).fill(1),
      flags: GSSFlags.MUTUAL | GSSFlags.CONF,
      delegation: Uint8Array.of(1, 2, 3),
    }
    const d = decodeGSSChecksum(encodeGSSChecksum(c))
    assert.deepEqual(d.delegation, c.delegation)
    assert.equal(d.flags, c.flags | GSSFlags.DELEG)
    assert.throws(
      () => decodeGSSChecksum(new Uint8Array(10)),
      (e) => code(e) === 'ERR_KRB_GSS_TOKEN',
    )
  })
})
