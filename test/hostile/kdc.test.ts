/**
 * The full client path (KerberosClient + createNodeTransport) against a hostile KDC on loopback,
 * next to a real MIT KDC. Transport-level failures (silence, a frame cut short, a 2 GiB length
 * prefix, a slow drip) fail over to the real KDC within the deadline; bad reply contents
 * (garbage, another request's nonce, a replayed reply, another client or realm, malformed e-data,
 * a reply in a key the KDC should not have used) give a typed error and are never accepted. A
 * fake KDC that knows a password of its own choosing fools a bare password login — and
 * verifyCredentials catches it.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { KerberosClient } from '../../src/client/client.js'
import { verifyCredentials } from '../../src/client/verify-credentials.js'
import { KerberosError } from '../../src/errors.js'
import { createKeytab, makeKeytabEntry, type Keytab } from '../../src/keytab/index.js'
import { randomKey } from '../../src/crypto/index.js'
import { parsePrincipal } from '../../src/principal.js'
import { createNodeTransport, type TransportTraceEvent } from '../../src/node/transport.js'
import { hasFlag } from '../../src/asn1/index.js'
import { TicketFlags } from '../../src/iana.js'
import type { KerberosKey } from '../../src/key.js'
import { buildASReq, kdcOptionsFor, makeNonce, readASReply } from '../../src/protocol/as.js'
import { clientFor, keytabAt } from '../client/helpers.js'
import {
  relayTCP,
  startHostileKDC,
  type HostileKDC,
  type HostileKDCOptions,
} from '../helpers/hostile-kdc.js'
import { skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'

const PW = 'alice-real-pw'
const ATTACKER_PW = 'attacker-chose-this'
const ATTEMPT_MS = 700
const DEADLINE_MS = 4000

describe('client against a hostile KDC', { skip: skipWithoutMIT(), concurrency: false }, () => {
  let realm: Realm
  let bobKeytab: Keytab
  let hostKeytab: Keytab
  const open: HostileKDC[] = []

  before(async () => {
    realm = await startRealm({ realm: 'HOSTILE.TEST' })
    await realm.addPrincipal('alice', { password: PW, requiresPreauth: true })
    await realm.addPrincipal('bob')
    await realm.addPrincipal('host/localhost')
    await realm.ktadd('bob', realm.path('bob.keytab'))
    await realm.ktadd('host/localhost', realm.path('host.keytab'))
    bobKeytab = keytabAt(realm.path('bob.keytab'))
    hostKeytab = keytabAt(realm.path('host.keytab'))
  })
  after(async () => {
    await Promise.all(open.map((h) => h.close()))
    await realm?.stop()
  })

  async function hostile(o: Omit<HostileKDCOptions, 'upstreamPort'>): Promise<HostileKDC> {
    const h = await startHostileKDC({ ...o, upstreamPort: realm.kdcPort })
    open.push(h)
    return h
  }

  function clientWith(kdcs: readonly string[]): {
    client: KerberosClient
    trace: TransportTraceEvent[]
  } {
    const trace: TransportTraceEvent[] = []
    const transport = createNodeTransport({
      config: { realms: { [realm.realm]: { kdc: kdcs } }, dnsLookupKdc: false },
      attemptTimeoutMs: ATTEMPT_MS,
      deadlineMs: DEADLINE_MS,
      trace: (e) => trace.push(e),
    })
    return { client: clientFor(realm, { transport }).client, trace }
  }

  const real = (): string => `tcp/127.0.0.1:${realm.kdcPort}`

  async function timed<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
    const t0 = Date.now()
    try {
      const value = await p
      return { value, ms: Date.now() - t0 }
    } catch (error) {
      return { error, ms: Date.now() - t0 }
    }
  }

  function assertTyped(error: unknown, codes: readonly string[], what: string): void {
    assert.ok(
      error instanceof KerberosError,
      `${what}: expected a KerberosError, got ${String(error)}`,
    )
    assert.ok(
      codes.includes(error.code),
      `${what}: got ${error.code} (${error.message}), expected one of ${codes.join(', ')}`,
    )
  }

  // -------------------------------------------------------------------------------------------
  // Transport-level failures: the client moves on to the real KDC.

  const failover: readonly {
    mode: HostileKDCOptions['mode']
    proto: 'tcp' | 'udp'
    dripMs?: number
  }[] = [
    { mode: 'silent', proto: 'tcp' },
    { mode: 'silent', proto: 'udp' },
    { mode: 'close-mid-frame', proto: 'tcp' },
    { mode: 'huge-length', proto: 'tcp' },
    { mode: 'huge-length-31', proto: 'tcp' },
    { mode: 'slow-drip', proto: 'tcp', dripMs: 150 },
  ]
  for (const c of failover) {
    test(`${c.mode} over ${c.proto}: password login fails over to the real KDC within the deadline`, async () => {
      const h = await hostile({
        mode: c.mode,
        ...(c.dripMs !== undefined ? { dripMs: c.dripMs } : {}),
      })
      const { client, trace } = clientWith([`${c.proto}/127.0.0.1:${h.port}`, real()])
      const r = await timed(client.login({ principal: 'alice', password: PW }))
      assert.equal(r.error, undefined, `login failed: ${String(r.error)}`)
      assert.equal(r.value!.client.realm, realm.realm)
      assert.ok(h.requests > 0, 'the hostile KDC was asked first')
      assert.ok(
        trace.some((e) => e.type === 'failure' && e.port === h.port),
        'the hostile attempt is a failure',
      )
      assert.ok(r.ms < DEADLINE_MS * 2, `took ${r.ms} ms`)
    })
  }

  test('only hostile KDCs (silent, 2 GiB prefix): ERR_KRB_KDC_UNREACHABLE within the deadline', async () => {
    const a = await hostile({ mode: 'silent' })
    const b = await hostile({ mode: 'huge-length' })
    const { client } = clientWith([
      `tcp/127.0.0.1:${a.port}`,
      `tcp/127.0.0.1:${b.port}`,
      `udp/127.0.0.1:${a.port}`,
    ])
    const r = await timed(client.login({ principal: 'alice', password: PW }))
    assertTyped(r.error, ['ERR_KRB_KDC_UNREACHABLE'], 'unreachable')
    assert.ok(r.ms < DEADLINE_MS + 1000, `took ${r.ms} ms (deadline ${DEADLINE_MS})`)
  })

  // -------------------------------------------------------------------------------------------
  // Bad contents: a typed error, never accepted.

  const REPLY_CODES = [
    'ERR_KRB_KDC_REPLY',
    'ERR_KRB_ASN1_DECODE',
    'ERR_KRB_INTEGRITY',
    'ERR_KRB_KDC_ERROR',
  ]

  for (const proto of ['tcp', 'udp'] as const) {
    test(`garbage over ${proto}: a typed error or failover, never a crash`, async () => {
      const h = await hostile({ mode: 'garbage' })
      const { client } = clientWith([`${proto}/127.0.0.1:${h.port}`, real()])
      const r = await timed(client.login({ principal: 'alice', password: PW }))
      if (r.error !== undefined) assertTyped(r.error, REPLY_CODES, 'garbage')
      else
        assert.equal(
          r.value!.client.realm,
          realm.realm,
          'a success can only come from the real KDC',
        )
      assert.ok(r.ms < DEADLINE_MS * 2)
    })
  }

  test("another request's nonce (a correctly encrypted reply): ERR_KRB_KDC_REPLY", async () => {
    const h = await hostile({
      mode: 'wrong-nonce',
      clientKeys: bobKeytab.entries.map((e) => e.key),
    })
    const { client } = clientWith([`tcp/127.0.0.1:${h.port}`])
    const r = await timed(client.login({ principal: 'bob', keytab: bobKeytab }))
    assertTyped(r.error, ['ERR_KRB_KDC_REPLY'], 'wrong nonce')
    assert.match((r.error as Error).message, /nonce/)
    assert.equal(client.tgt, undefined)
  })

  test('a replayed old reply: the first login works, the replay is refused', async () => {
    const h = await hostile({ mode: 'replay' })
    const { client } = clientWith([`tcp/127.0.0.1:${h.port}`])
    await client.login({ principal: 'bob', keytab: bobKeytab })
    const { client: second } = clientWith([`tcp/127.0.0.1:${h.port}`])
    const r = await timed(second.login({ principal: 'bob', keytab: bobKeytab }))
    assertTyped(r.error, ['ERR_KRB_KDC_REPLY'], 'replay')
    assert.equal(second.tgt, undefined)
  })

  test('a reply for another client: ERR_KRB_KDC_REPLY', async () => {
    const h = await hostile({ mode: 'other-client' })
    const { client } = clientWith([`tcp/127.0.0.1:${h.port}`])
    const r = await timed(client.login({ principal: 'bob', keytab: bobKeytab }))
    assertTyped(r.error, ['ERR_KRB_KDC_REPLY'], 'other client')
  })

  // -------------------------------------------------------------------------------------------
  // Review #16: PA-REQ-ENC-PA-REP (RFC 6806 §11) binds the AS exchange.

  test('review #16: MIT sets enc-pa-rep and its checksum over our AS-REQ verifies', async () => {
    const req = buildASReq({
      client: parsePrincipal(`bob@${realm.realm}`),
      etypes: [18, 17],
      now: new Date(),
      nonce: makeNonce(),
      kdcOptions: kdcOptionsFor({ canonicalize: true }),
    })
    const out = readASReply(await relayTCP(realm.kdcPort, req.bytes), {
      request: req,
      keys: (want) => bobKeytab.entries.filter((e) => e.enctype === want.etype).map((e) => e.key),
      canonicalize: true,
    })
    assert.equal(out.kind, 'ok')
    if (out.kind !== 'ok') return
    assert.ok(hasFlag(out.encPart.flags, TicketFlags.ENC_PA_REP), 'MIT set the enc-pa-rep flag')
    assert.equal(out.encPARepVerified, true)
    // Without asking, MIT sends nothing: nothing to verify.
    const plain = buildASReq({
      client: parsePrincipal(`bob@${realm.realm}`),
      etypes: [18, 17],
      now: new Date(),
      nonce: makeNonce(),
      requestEncPARep: false,
    })
    const old = readASReply(await relayTCP(realm.kdcPort, plain.bytes), {
      request: plain,
      keys: (want) => bobKeytab.entries.filter((e) => e.enctype === want.etype).map((e) => e.key),
    })
    assert.equal(old.kind === 'ok' && old.encPARepVerified, false)
  })

  const bobKeys = (): KerberosKey[] => bobKeytab.entries.map((e) => e.key)
  const encPARepCases: readonly (readonly [HostileKDCOptions['mode'], string])[] = [
    ['enc-pa-rep-missing', 'the flag kept, the PA-REQ-ENC-PA-REP checksum removed'],
    ['enc-pa-rep-wrong', 'one bit of the checksum flipped'],
    ['modify-request', 'the AS-REQ altered on its way to MIT (first etype dropped)'],
  ]
  for (const [mode, what] of encPARepCases) {
    test(`review #16: ${what}: ERR_KRB_KDC_REPLY`, async () => {
      const h = await hostile({ mode, clientKeys: bobKeys() })
      const { client } = clientWith([`tcp/127.0.0.1:${h.port}`])
      const r = await timed(client.login({ principal: 'bob', keytab: bobKeytab }))
      assertTyped(r.error, ['ERR_KRB_KDC_REPLY'], mode)
      assert.match((r.error as Error).message, /PA-REQ-ENC-PA-REP/)
      assert.equal(client.tgt, undefined)
    })
  }

  test('review #16: a renamed client in a reply stripped of enc-pa-rep is refused even with canonicalize', async () => {
    const h = await hostile({ mode: 'other-client-no-enc-pa-rep', clientKeys: bobKeys() })
    const { client } = clientWith([`tcp/127.0.0.1:${h.port}`])
    const r = await timed(client.login({ principal: 'bob', keytab: bobKeytab, canonicalize: true }))
    assertTyped(r.error, ['ERR_KRB_KDC_REPLY'], 'rename without checksum')
    assert.match((r.error as Error).message, /renames client/)
    assert.equal(client.tgt, undefined)
  })

  test('review #16 (limit): a cname rewritten outside the encrypted part passes, but the KDC refuses to use it', async () => {
    // RFC 6806 §11's checksum covers the request, not the reply's cname (only FAST protects
    // that): a renamed client with a verified checksum is accepted, as MIT accepts it. The
    // ticket still names bob, so the first TGS-REQ made under the forged name is refused.
    const h = await hostile({ mode: 'other-client' })
    const { client } = clientWith([`tcp/127.0.0.1:${h.port}`])
    const tgt = await client.login({ principal: 'bob', keytab: bobKeytab, canonicalize: true })
    assert.equal(tgt.client.components[0], 'mallory')
    const r = await timed(client.getServiceTicket(`host/localhost@${realm.realm}`))
    assertTyped(r.error, ['ERR_KRB_KDC_ERROR'], 'forged cname at the TGS')
  })

  test('review #16: the same login through an honest relay works (canonicalize, keytab)', async () => {
    const { client } = clientWith([real()])
    const tgt = await client.login({ principal: 'bob', keytab: bobKeytab, canonicalize: true })
    assert.equal(tgt.client.components[0], 'bob')
    assert.ok(hasFlag(tgt.flags, TicketFlags.ENC_PA_REP))
  })

  test('a reply for another realm: ERR_KRB_KDC_REPLY', async () => {
    const h = await hostile({ mode: 'other-realm' })
    const { client } = clientWith([`tcp/127.0.0.1:${h.port}`])
    const r = await timed(client.login({ principal: 'bob', keytab: bobKeytab }))
    assertTyped(r.error, ['ERR_KRB_KDC_REPLY'], 'other realm')
  })

  for (const proto of ['tcp', 'udp'] as const) {
    test(`KDC_ERR_SVC_UNAVAILABLE over ${proto}: the next KDC is asked (as MIT's sendto_kdc does)`, async () => {
      const h = await hostile({ mode: 'svc-unavailable' })
      const { client } = clientWith([`${proto}/127.0.0.1:${h.port}`, real()])
      const r = await timed(client.login({ principal: 'alice', password: PW }))
      assert.equal(r.error, undefined, `login failed: ${String(r.error)}`)
      assert.ok(h.requests > 0)
    })
  }

  test('only KDCs answering KDC_ERR_SVC_UNAVAILABLE: that KDC error, after trying each', async () => {
    const a = await hostile({ mode: 'svc-unavailable' })
    const b = await hostile({ mode: 'svc-unavailable' })
    const { client } = clientWith([`tcp/127.0.0.1:${a.port}`, `tcp/127.0.0.1:${b.port}`])
    const r = await timed(client.login({ principal: 'alice', password: PW }))
    assertTyped(r.error, ['ERR_KRB_KDC_ERROR'], 'all unavailable')
    assert.ok(a.requests > 0 && b.requests > 0, 'both were asked')
  })

  test('PREAUTH_REQUIRED forever (new salt each round): bounded rounds, a typed error', async () => {
    const h = await hostile({ mode: 'preauth-loop' })
    const { client } = clientWith([`tcp/127.0.0.1:${h.port}`])
    const r = await timed(client.login({ principal: 'alice', password: PW }))
    assertTyped(r.error, ['ERR_KRB_KDC_ERROR', 'ERR_KRB_KDC_REPLY'], 'preauth loop')
    assert.ok(h.requests <= 5, `${h.requests} rounds`)
  })

  test('KRB_AP_ERR_SKEW forever (a KDC ten years ahead): one retry at most, a typed error', async () => {
    const h = await hostile({ mode: 'skew-loop' })
    const { client } = clientWith([`tcp/127.0.0.1:${h.port}`])
    const r = await timed(client.login({ principal: 'bob', keytab: bobKeytab }))
    assertTyped(r.error, ['ERR_KRB_KDC_ERROR', 'ERR_KRB_CLOCK_SKEW'], 'skew loop')
    assert.ok(h.requests <= 3, `${h.requests} requests`)
  })

  test('review #15: a KDC lying about the time (KRB_AP_ERR_SKEW) leaves no offset behind when the login fails', async () => {
    const h = await hostile({ mode: 'skew-loop' })
    const { client } = clientWith([`tcp/127.0.0.1:${h.port}`])
    const r = await timed(client.login({ principal: 'bob', keytab: bobKeytab }))
    assertTyped(r.error, ['ERR_KRB_KDC_ERROR'], 'skew loop')
    assert.equal(h.requests, 2, 'one retry with the offered time')
    assert.equal(client.timeOffsetMs, 0)
    assert.ok(
      Math.abs(client.now().getTime() - Date.now()) < 5000,
      'the clock is not ten years ahead',
    )
  })

  test('PREAUTH_REQUIRED with malformed e-data: a typed error', async () => {
    const h = await hostile({ mode: 'bad-edata' })
    const { client } = clientWith([`tcp/127.0.0.1:${h.port}`])
    const r = await timed(client.login({ principal: 'alice', password: PW }))
    assertTyped(r.error, REPLY_CODES, 'bad e-data')
    assert.ok(r.ms < DEADLINE_MS)
  })

  // -------------------------------------------------------------------------------------------
  // Spoofing.

  test('keytab login answered in a key derived from a password the KDC chose: ERR_KRB_INTEGRITY', async () => {
    const h = await hostile({ mode: 'spoof-key', spoofPassword: ATTACKER_PW })
    const { client } = clientWith([`tcp/127.0.0.1:${h.port}`])
    const r = await timed(client.login({ principal: 'bob', keytab: bobKeytab }))
    assertTyped(r.error, ['ERR_KRB_INTEGRITY'], 'spoofed keytab login')
    assert.equal(client.tgt, undefined)
  })

  test('password login whose AS-REP uses another salt and key than the preauth round: ERR_KRB_INTEGRITY', async () => {
    const h = await hostile({ mode: 'spoof-preauth', spoofPassword: ATTACKER_PW })
    const { client } = clientWith([`tcp/127.0.0.1:${h.port}`])
    const r = await timed(client.login({ principal: 'alice', password: PW }))
    assertTyped(r.error, ['ERR_KRB_INTEGRITY'], 'spoofed password login')
  })

  for (const tamper of ['nonce', 'server', 'key'] as const) {
    test(`TGS reply with another ${tamper}: refused with a typed error`, async () => {
      const h = await hostile({ mode: 'fake-realm', spoofPassword: ATTACKER_PW, tgsTamper: tamper })
      const { client } = clientWith([`tcp/127.0.0.1:${h.port}`])
      await client.login({ principal: 'alice', password: ATTACKER_PW })
      const r = await timed(
        client.getServiceTicket(parsePrincipal(`HTTP/localhost@${realm.realm}`), {
          canonicalize: false,
        }),
      )
      assertTyped(r.error, ['ERR_KRB_KDC_REPLY', 'ERR_KRB_INTEGRITY'], `TGS ${tamper}`)
      assert.equal(client.credentials.filter((c) => c.server.components[0] === 'HTTP').length, 0)
    })
  }

  test('a referral loop (REALM → LOOP.REALM → REALM ...): bounded, ERR_KRB_REFERRAL', async () => {
    const h = await hostile({
      mode: 'fake-realm',
      spoofPassword: ATTACKER_PW,
      tgsTamper: 'referral-loop',
    })
    const kdc = [`tcp/127.0.0.1:${h.port}`]
    const transport = createNodeTransport({
      config: {
        realms: { [realm.realm]: { kdc }, [`LOOP.${realm.realm}`]: { kdc } },
        dnsLookupKdc: false,
      },
      attemptTimeoutMs: ATTEMPT_MS,
      deadlineMs: DEADLINE_MS,
    })
    const { client } = clientFor(realm, { transport })
    await client.login({ principal: 'alice', password: ATTACKER_PW })
    const before = h.requests
    const r = await timed(client.getServiceTicket(parsePrincipal(`HTTP/localhost@${realm.realm}`)))
    assertTyped(r.error, ['ERR_KRB_REFERRAL'], 'referral loop')
    assert.ok(h.requests - before <= 8, `${h.requests - before} TGS requests`)
  })

  test('verifyCredentials: succeeds with the real KDC and the host keytab', async () => {
    const { client } = clientWith([real()])
    const tgt = await client.login({ principal: 'alice', password: PW })
    const v = await verifyCredentials(client, tgt, { keytab: hostKeytab })
    assert.equal(v.server.components.join('/'), 'host/localhost')
    assert.equal(v.accepted.client.components[0], 'alice')
  })

  test('verifyCredentials: a fake realm fools the bare password login, not the verification', async () => {
    const h = await hostile({ mode: 'fake-realm', spoofPassword: ATTACKER_PW })
    const { client } = clientWith([`tcp/127.0.0.1:${h.port}`])
    // The attacker types its own password for alice and the fake KDC "confirms" it.
    const tgt = await client.login({ principal: 'alice', password: ATTACKER_PW })
    assert.equal(tgt.client.components[0], 'alice', 'the spoof works without verification')
    const r = await timed(verifyCredentials(client, tgt, { keytab: hostKeytab }))
    assertTyped(
      r.error,
      ['ERR_KRB_KEYTAB_NO_KEY', 'ERR_KRB_AP_ERROR', 'ERR_KRB_INTEGRITY'],
      'verification',
    )
  })

  test('verifyCredentials: fails when the local keytab key is wrong', async () => {
    const { client } = clientWith([real()])
    const tgt = await client.login({ principal: 'alice', password: PW })
    const wrong = createKeytab(
      hostKeytab.entries.map((e) =>
        makeKeytabEntry({
          principal: e.principal,
          kvno: e.kvno,
          key: randomKey(e.enctype, { allowWeak: true }),
          timestamp: 1,
        }),
      ),
    )
    const r = await timed(verifyCredentials(client, tgt, { keytab: wrong }))
    assertTyped(
      r.error,
      ['ERR_KRB_KEYTAB_NO_KEY', 'ERR_KRB_AP_ERROR', 'ERR_KRB_INTEGRITY'],
      'wrong keytab',
    )
  })

  test('verifyCredentials: a keytab without host/ needs an explicit principal', async () => {
    const { client } = clientWith([real()])
    const tgt = await client.login({ principal: 'alice', password: PW })
    const r = await timed(verifyCredentials(client, tgt, { keytab: bobKeytab }))
    assertTyped(r.error, ['ERR_KRB_NO_CREDENTIALS'], 'no host key')
    const explicit = await verifyCredentials(client, tgt, {
      keytab: hostKeytab,
      principal: parsePrincipal(`host/localhost@${realm.realm}`),
    })
    assert.equal(explicit.server.realm, realm.realm)
  })
})
