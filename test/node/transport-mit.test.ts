/** The Node KDC transport against a real MIT krb5kdc: AS-REQ bytes captured from MIT kinit. */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createNodeTransport, type KDCAttempt } from '../../src/node/transport.js'
import { peekKRBErrorCode } from '../../src/node/transport-peek.js'
import { KerberosError } from '../../src/errors.js'
import { parseConfig } from '../../src/config/index.js'
import { readFileSync } from 'node:fs'
import { findFreePort, skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { captureFreshASReq } from '../helpers/realm-capture.js'

const skip = skipWithoutMIT()
let realm: Realm | undefined

/** A fresh AS-REQ (see captureFreshASReq: never repeat bytes the KDC has answered). */
async function asReqFor(principal: 'alice' | 'nobody'): Promise<Uint8Array> {
  return captureFreshASReq(realm!, principal)
}

before(async () => {
  if (skip !== false) return
  // UDP replies over 200 bytes get KRB_ERR_RESPONSE_TOO_BIG from this KDC.
  // alice's PREAUTH_REQUIRED error is ~240 bytes, nobody's C_PRINCIPAL_UNKNOWN ~150.
  realm = await startRealm({ kdcdefaults: { kdc_max_dgram_reply_size: '200' } })
  await realm.addPrincipal('alice', { password: 'pw', requiresPreauth: true })
})

after(async () => {
  await realm?.stop()
})

function traced(
  kdcs: { port: number; protocol?: 'udp' | 'tcp' }[],
  events: string[],
): ReturnType<typeof createNodeTransport> {
  return createNodeTransport({
    locate: async () => kdcs.map((k) => ({ host: '127.0.0.1', source: 'config' as const, ...k })),
    attemptTimeoutMs: 1000,
    deadlineMs: 4000,
    trace: (e) => events.push(`${e.type}:${e.protocol}${e.code !== undefined ? ':' + e.code : ''}`),
  })
}

test('TCP round trip with MIT krb5kdc: AS-REQ → KRB-ERROR PREAUTH_REQUIRED', { skip }, async () => {
  const events: string[] = []
  const reply = await traced([{ port: realm!.kdcPort }], events).sendToKDC(
    realm!.realm,
    await asReqFor('alice'),
    { preferTCP: true },
  )
  assert.equal(reply[0], 0x7e)
  assert.equal(peekKRBErrorCode(reply), 25)
  assert.deepEqual(events, ['attempt:tcp', 'reply:tcp'])
})

test('UDP round trip with MIT krb5kdc (small reply)', { skip }, async () => {
  const events: string[] = []
  const reply = await traced([{ port: realm!.kdcPort }], events).sendToKDC(
    realm!.realm,
    await asReqFor('nobody'),
  )
  assert.equal(peekKRBErrorCode(reply), 6)
  assert.deepEqual(events, ['attempt:udp', 'reply:udp'])
})

test(
  'MIT answers KRB_ERR_RESPONSE_TOO_BIG over UDP; the transport retries over TCP',
  { skip },
  async () => {
    const events: string[] = []
    const reply = await traced([{ port: realm!.kdcPort }], events).sendToKDC(
      realm!.realm,
      await asReqFor('alice'),
    )
    assert.equal(peekKRBErrorCode(reply), 25)
    assert.deepEqual(events, [
      'attempt:udp',
      'reply:udp',
      'failure:udp:KRB_ERR_RESPONSE_TOO_BIG',
      'attempt:tcp',
      'reply:tcp',
    ])
  },
)

test(
  'a KDC that is down is skipped, the MIT KDC answers; with MIT stopped: unreachable',
  { skip },
  async () => {
    const down = await findFreePort()
    const events: string[] = []
    const t = traced([{ port: down }, { port: realm!.kdcPort }], events)
    assert.equal(
      peekKRBErrorCode(
        await t.sendToKDC(realm!.realm, await asReqFor('alice'), { preferTCP: true }),
      ),
      25,
    )
    assert.deepEqual(events.slice(0, 2), ['attempt:tcp', 'failure:tcp:ECONNREFUSED'])
    await realm!.stopKDC()
    try {
      const t0 = Date.now()
      await assert.rejects(t.sendToKDC(realm!.realm, await asReqFor('alice')), (e: unknown) => {
        assert.ok(e instanceof KerberosError && e.code === 'ERR_KRB_KDC_UNREACHABLE')
        const attempts = e.context.attempts as KDCAttempt[]
        assert.equal(attempts.length, 4)
        assert.ok(attempts.every((a) => a.code === 'ECONNREFUSED'))
        return true
      })
      assert.ok(Date.now() - t0 < 4000)
    } finally {
      await realm!.startKDC()
    }
  },
)

test('discovery from krb5.conf-style config reaches the MIT KDC', { skip }, async () => {
  const t = createNodeTransport({
    config: {
      realms: { [realm!.realm]: { kdc: [`127.0.0.1:${realm!.kdcPort}`] } },
      dnsLookupKdc: false,
    },
    udpPreferenceLimit: 1,
  })
  assert.equal(peekKRBErrorCode(await t.sendToKDC(realm!.realm, await asReqFor('alice'))), 25)
})

test('a parsed krb5.conf is read per realm and reaches the MIT KDC', { skip }, async () => {
  const conf = parseConfig(readFileSync(realm!.krb5ConfPath, 'utf8'))
  const t = createNodeTransport({ config: conf })
  assert.equal(peekKRBErrorCode(await t.sendToKDC(realm!.realm, await asReqFor('alice'))), 25)
})

test('DNS SRV discovery (local DNS server) leads to the MIT KDC', { skip }, async () => {
  const { startDNSServer } = await import('../helpers/dns-server.js')
  const { Resolver } = await import('node:dns/promises')
  const dns = await startDNSServer({
    [`_kerberos._udp.${realm!.realm}`]: [
      { priority: 0, weight: 0, port: realm!.kdcPort, target: '127.0.0.1' },
    ],
    [`_kerberos._tcp.${realm!.realm}`]: [
      { priority: 0, weight: 0, port: realm!.kdcPort, target: '127.0.0.1' },
    ],
  })
  try {
    const resolver = new Resolver({ timeout: 500, tries: 1 })
    resolver.setServers([dns.address])
    const t = createNodeTransport({ config: { realms: {}, dnsLookupKdc: true }, resolver })
    assert.equal(peekKRBErrorCode(await t.sendToKDC(realm!.realm, await asReqFor('nobody'))), 6)
    assert.equal(dns.queries.length, 2)
  } finally {
    await dns.close()
  }
})
