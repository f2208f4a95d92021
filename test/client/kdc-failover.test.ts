/**
 * The client over the Node transport against real MIT KDCs: a KDC that is down is skipped, all
 * KDCs down fail within the deadline, UDP-only and TCP-only configurations, and a reply over the
 * KDC's UDP limit comes back over TCP.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { KerberosError } from '../../src/errors.js'
import { createNodeTransport, type TransportTraceEvent } from '../../src/node/transport.js'
import { findFreePort, skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { clientFor } from './helpers.js'

const PW = 'failover-password'

describe('KDC selection and protocols with MIT krb5kdc', { skip: skipWithoutMIT() }, () => {
  let realm: Realm
  let small: Realm
  before(async () => {
    ;[realm, small] = await Promise.all([
      startRealm({ realm: 'FAIL.TEST' }),
      // UDP replies over 200 bytes get KRB_ERR_RESPONSE_TOO_BIG from this KDC.
      startRealm({ realm: 'SMALL.TEST', kdcdefaults: { kdc_max_dgram_reply_size: '200' } }),
    ])
    await Promise.all([
      realm.addPrincipal('alice', { password: PW, requiresPreauth: true }),
      small.addPrincipal('alice', { password: PW, requiresPreauth: true }),
    ])
  })
  after(async () => {
    await Promise.all([realm?.stop(), small?.stop()])
  })

  function clientWith(
    r: Realm,
    kdcs: readonly string[],
    extra: { udpPreferenceLimit?: number; deadlineMs?: number } = {},
  ) {
    const trace: TransportTraceEvent[] = []
    const transport = createNodeTransport({
      config: { realms: { [r.realm]: { kdc: kdcs } }, dnsLookupKdc: false },
      attemptTimeoutMs: 1000,
      deadlineMs: extra.deadlineMs ?? 6000,
      trace: (e) => trace.push(e),
      ...(extra.udpPreferenceLimit !== undefined
        ? { udpPreferenceLimit: extra.udpPreferenceLimit }
        : {}),
    })
    return { ...clientFor(r, { transport }), trace }
  }

  test('a KDC that is down: the next KDC in the list answers', async () => {
    const dead = await findFreePort()
    const { client, trace } = clientWith(realm, [`127.0.0.1:${dead}`, `127.0.0.1:${realm.kdcPort}`])
    const tgt = await client.login({ principal: 'alice', password: PW })
    assert.equal(tgt.client.realm, 'FAIL.TEST')
    assert.ok(trace.some((e) => e.type === 'failure' && e.port === dead))
    assert.ok(trace.some((e) => e.type === 'reply' && e.port === realm.kdcPort))
  })

  test('every KDC down → ERR_KRB_KDC_UNREACHABLE within the deadline', async () => {
    const [d1, d2] = [await findFreePort(), await findFreePort()]
    const { client } = clientWith(realm, [`127.0.0.1:${d1}`, `127.0.0.1:${d2}`], {
      deadlineMs: 3000,
    })
    const t0 = Date.now()
    await assert.rejects(client.login({ principal: 'alice', password: PW }), (e: unknown) => {
      assert.ok(e instanceof KerberosError)
      assert.equal(e.code, 'ERR_KRB_KDC_UNREACHABLE')
      return true
    })
    assert.ok(Date.now() - t0 < 4000, `took ${Date.now() - t0} ms`)
  })

  test('UDP only', async () => {
    const { client, trace } = clientWith(realm, [`udp/127.0.0.1:${realm.kdcPort}`])
    await client.login({ principal: 'alice', password: PW })
    await client.getServiceTicket('krbtgt/FAIL.TEST')
    assert.ok(trace.filter((e) => e.type === 'reply').every((e) => e.protocol === 'udp'))
  })

  test('TCP only (udp_preference_limit = 1)', async () => {
    const { client, trace } = clientWith(realm, [`127.0.0.1:${realm.kdcPort}`], {
      udpPreferenceLimit: 1,
    })
    await client.login({ principal: 'alice', password: PW })
    const replies = trace.filter((e) => e.type === 'reply')
    assert.ok(replies.length >= 2 && replies.every((e) => e.protocol === 'tcp'))
  })

  test('a reply over the KDC UDP limit is fetched over TCP', async () => {
    const { client, trace } = clientWith(small, [`127.0.0.1:${small.kdcPort}`])
    const tgt = await client.login({ principal: 'alice', password: PW })
    assert.equal(tgt.client.realm, 'SMALL.TEST')
    assert.ok(trace.some((e) => e.type === 'failure' && e.code === 'KRB_ERR_RESPONSE_TOO_BIG'))
    assert.ok(trace.some((e) => e.type === 'reply' && e.protocol === 'tcp'))
  })

  test('an aborted signal stops the login', async () => {
    const { client } = clientWith(realm, [`127.0.0.1:${realm.kdcPort}`])
    await assert.rejects(
      client.login({ principal: 'alice', password: PW, signal: AbortSignal.abort() }),
      { code: 'ERR_KRB_ABORTED' },
    )
  })
})
