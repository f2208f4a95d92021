/**
 * AP-REP make/verify and the in-memory replay cache, without a KDC.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { makeAPRep, verifyAPRep } from '../../src/protocol/ap-rep.js'
import {
  MemoryReplayCache,
  authenticatorTag,
  noReplayCache,
  replayKey,
  type ReplayEntry,
  type ReplayEvictionEvent,
} from '../../src/protocol/replay-cache.js'
import { decodeAPReq, encodeAPReq } from '../../src/asn1/index.js'
import { createKeytab, makeKeytabEntry } from '../../src/keytab/index.js'
import { parsePrincipal } from '../../src/principal.js'
import { toHex } from '../../src/internal/bytes.js'
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

describe('security review: replay cache (items 5, 10, 18a)', () => {
  /** A keytab like an AD account's: several SPNs (and a realm alias) with one key. */
  function aliasedService(): {
    svc: ReturnType<typeof fakeService>
    keytab: ReturnType<typeof createKeytab>
  } {
    const svc = fakeService('HTTP/web.example.com@EXAMPLE.COM')
    const aliases = ['HTTP/alias.example.com@EXAMPLE.COM', 'host/web.example.com@EXAMPLE.COM']
    const keytab = createKeytab([
      ...svc.keytab.entries,
      ...aliases.map((p) =>
        makeKeytabEntry({
          principal: parsePrincipal(p),
          kvno: 2,
          key: svc.serviceKey,
          timestamp: 1,
        }),
      ),
    ])
    return { svc, keytab }
  }

  function rewriteSname(apReq: Uint8Array, sname: string): Uint8Array {
    const req = decodeAPReq(apReq)
    const p = parsePrincipal(sname)
    return encodeAPReq({
      ...req,
      ticket: {
        ...req.ticket,
        realm: p.realm,
        sname: { nameType: req.ticket.sname.nameType, nameString: [...p.components] },
      },
    })
  }

  it('review #5: an AP-REQ replayed with its sname rewritten to another principal of the same keytab (same key) is refused as a replay', () => {
    const { svc, keytab } = aliasedService()
    const c = svc.issue()
    const captured = makeAPReq({
      ticket: c.ticket,
      sessionKey: c.sessionKey,
      client: c.client,
    }).bytes
    const acceptor = new Acceptor({ keytab })
    assert.equal(acceptor.accept(captured).server.components[1], 'web.example.com')
    const alias = rewriteSname(captured, 'HTTP/alias.example.com@EXAMPLE.COM')
    // The rewritten request alone is valid (same key): only the replay cache can stop it.
    assert.equal(new Acceptor({ keytab }).accept(alias).server.components[1], 'alias.example.com')
    for (const sname of [
      'HTTP/alias.example.com@EXAMPLE.COM',
      'host/web.example.com@EXAMPLE.COM',
    ]) {
      assert.throws(
        () => acceptor.accept(rewriteSname(captured, sname)),
        (e) => code(e) === 'ERR_KRB_REPLAY',
        sname,
      )
    }
  })

  it('review #5: the replay key is the authenticator integrity tag (no names), exported for shared caches', () => {
    const { svc, keytab } = aliasedService()
    const c = svc.issue()
    const bytes = makeAPReq({ ticket: c.ticket, sessionKey: c.sessionKey, client: c.client }).bytes
    const req = decodeAPReq(bytes)
    const v = verifyAPReq(bytes, { keytab })
    const cipher = req.authenticator.cipher
    assert.equal(v.replayEntry.key, toHex(cipher.subarray(cipher.length - 12))) // aes256-sha1: 96-bit HMAC
    assert.equal(v.replayEntry.key, replayKey(req.authenticator))
    assert.equal(replayKey(req.authenticator, { namespace: 'web' }), `web:${v.replayEntry.key}`)
    assert.ok(!v.replayEntry.key.includes('alice') && !v.replayEntry.key.includes('HTTP'))
    assert.equal(v.replayEntry.client, 'alice@EXAMPLE.COM')
    assert.equal(
      verifyAPReq(rewriteSname(bytes, 'HTTP/alias.example.com@EXAMPLE.COM'), { keytab }).replayEntry
        .key,
      v.replayEntry.key,
    )
    // aes-sha2 (24-octet tag) and rc4 (leading 16-octet HMAC-MD5)
    assert.equal(authenticatorTag({ etype: 20, cipher: new Uint8Array(60).fill(7, 36) }).length, 24)
    const rc4 = Uint8Array.from({ length: 40 }, (_, i) => i)
    assert.deepEqual(authenticatorTag({ etype: 23, cipher: rc4 }), rc4.subarray(0, 16))
    assert.throws(
      () => authenticatorTag({ etype: 18, cipher: new Uint8Array(5) }),
      (e) => code(e) === 'ERR_KRB_AP_ERROR',
    )
  })

  const entry = (key: string, client: string, expiresAt: number): ReplayEntry => ({
    key,
    client,
    server: 'HTTP/web@R',
    time: expiresAt - 300_000,
    expiresAt,
  })

  it("review #10: a client flooding a full cache evicts only its own entries; others' stay protected; onEviction fires once", () => {
    const now = 1_000_000
    const events: ReplayEvictionEvent[] = []
    const rc = new MemoryReplayCache({
      maxEntries: 100,
      now: () => now,
      onEviction: (e) => events.push(e),
    })
    for (let i = 0; i < 20; i++)
      assert.equal(rc.checkAndStore(entry(`v${i}`, `user${i}@R`, now + 300_000)), true)
    for (let i = 0; i < 5000; i++) rc.checkAndStore(entry(`f${i}`, 'mallory@R', now + 300_000))
    assert.equal(rc.size, 100)
    assert.equal(rc.evicted, 5000 - 80)
    for (let i = 0; i < 20; i++)
      assert.equal(rc.checkAndStore(entry(`v${i}`, `user${i}@R`, now + 300_000)), false, `v${i}`)
    assert.equal(events.length, 1)
    assert.deepEqual(events[0], {
      evictedClient: 'mallory@R',
      requestingClient: 'mallory@R',
      evicted: 1,
      maxEntries: 100,
    })
    // The flooder's newest entries are the ones kept.
    assert.equal(rc.checkAndStore(entry('f4999', 'mallory@R', now + 300_000)), false)
    // A newcomer to a full cache takes the room from the heaviest client, not from the others.
    assert.equal(rc.checkAndStore(entry('new', 'bob@R', now + 300_000)), true)
    for (let i = 0; i < 20; i++)
      assert.equal(rc.checkAndStore(entry(`v${i}`, `user${i}@R`, now + 300_000)), false)
  })

  it("review #10: whenFull 'refuse' fails closed with ERR_KRB_REPLAY_CACHE_FULL and evicts nothing; expiry makes room", () => {
    let now = 1_000_000
    const rc = new MemoryReplayCache({ maxEntries: 10, now: () => now, whenFull: 'refuse' })
    for (let i = 0; i < 10; i++) rc.checkAndStore(entry(`v${i}`, 'alice@R', now + 1000 + i))
    assert.throws(
      () => rc.checkAndStore(entry('f', 'mallory@R', now + 1000)),
      (e) => code(e) === 'ERR_KRB_REPLAY_CACHE_FULL',
    )
    assert.equal(rc.evicted, 0)
    assert.equal(rc.refused, 1)
    for (let i = 0; i < 10; i++)
      assert.equal(rc.checkAndStore(entry(`v${i}`, 'alice@R', now + 1000)), false)
    now += 1005 // five entries expired
    for (let i = 0; i < 5; i++)
      assert.equal(rc.checkAndStore(entry(`g${i}`, 'bob@R', now + 1000)), true)
    assert.throws(
      () => rc.checkAndStore(entry('g5', 'bob@R', now + 1000)),
      (e) => code(e) === 'ERR_KRB_REPLAY_CACHE_FULL',
    )
    assert.throws(() => new MemoryReplayCache({ whenFull: 'drop' as 'evict' }), RangeError)
  })

  it('review #10: through the Acceptor, an authenticated flood of fresh AP-REQs does not re-open a victim AP-REQ to replay', () => {
    const svc = fakeService('HTTP/web.example.com@EXAMPLE.COM')
    const acceptor = new Acceptor({
      keytab: svc.keytab,
      replayCache: new MemoryReplayCache({ maxEntries: 50 }),
    })
    const mint = (client: string): Uint8Array => {
      const c = svc.issue({ client })
      return makeAPReq({ ticket: c.ticket, sessionKey: c.sessionKey, client: c.client }).bytes
    }
    const victim = mint('alice@EXAMPLE.COM')
    acceptor.accept(victim)
    const mallory = svc.issue({ client: 'mallory@EXAMPLE.COM' })
    for (let i = 0; i < 200; i++) {
      acceptor.accept(
        makeAPReq({
          ticket: mallory.ticket,
          sessionKey: mallory.sessionKey,
          client: mallory.client,
        }).bytes,
      )
    }
    assert.throws(
      () => acceptor.accept(victim),
      (e) => code(e) === 'ERR_KRB_REPLAY',
    )
  })

  it("review #18a: the Acceptor's default replay cache runs on the acceptor's injected clock", () => {
    const svc = fakeService('HTTP/web.example.com@EXAMPLE.COM')
    for (const offset of [-7_200_000, 7_200_000]) {
      const t = Math.floor((Date.now() + offset) / 1000) * 1000
      const c = svc.issue({ authtime: new Date(t), endtime: new Date(t + 3_600_000) })
      const bytes = makeAPReq({
        ticket: c.ticket,
        sessionKey: c.sessionKey,
        client: c.client,
        now: new Date(t),
      }).bytes
      const acceptor = new Acceptor({ keytab: svc.keytab, now: () => new Date(t + 1000) })
      acceptor.accept(bytes)
      assert.throws(
        () => acceptor.accept(bytes),
        (e) => code(e) === 'ERR_KRB_REPLAY',
        `clock offset ${offset}`,
      )
    }
  })
})
