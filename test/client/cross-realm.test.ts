/**
 * Cross-realm service tickets with two MIT realms that trust each other: through a KDC referral
 * (the client does not know the host's realm) and directly (the SPN names the realm; [capaths]).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { formatPrincipal } from '../../src/principal.js'
import { skipWithoutMIT, startRealmPair, type RealmPair } from '../helpers/realm.js'
import { clientFor } from './helpers.js'

const PW = 'cross-realm-user-pw'

describe('cross-realm against two MIT realms', { skip: skipWithoutMIT() }, () => {
  let pair: RealmPair
  before(async () => {
    pair = await startRealmPair()
    await pair.a.addPrincipal('alice', { password: PW, requiresPreauth: true })
    await pair.a.addPrincipal('bob', { password: PW, requiresPreauth: true })
    await pair.b.addPrincipal('HTTP/web.beta.test')
  })
  after(async () => {
    await pair?.stop()
  })

  /** The client krb5.conf of realm A without any [domain_realm] mapping. */
  function confWithoutDomainRealm(): string {
    const text = readFileSync(pair.a.krb5ConfPath, 'utf8')
    return text.replace(/\[domain_realm\][^[]*/, '')
  }

  test('a referral from ALPHA leads to the service in BETA', async () => {
    const { client, events } = clientFor(pair.a, { confText: confWithoutDomainRealm() })
    await client.login({ principal: 'alice@ALPHA.TEST', password: PW })
    const st = await client.getServiceTicket('HTTP@web.beta.test')
    assert.equal(formatPrincipal(st.server), 'HTTP/web.beta.test@BETA.TEST')
    assert.equal(formatPrincipal(st.client), 'alice@ALPHA.TEST')
    assert.ok(events.some((e) => e.type === 'referral' && e.realm === 'BETA.TEST'))
    // The cross-realm TGT is kept with the credentials.
    assert.ok(
      client.credentials.some((c) => formatPrincipal(c.server) === 'krbtgt/BETA.TEST@ALPHA.TEST'),
    )
  })

  test('HTTP/web.beta.test@BETA.TEST: cross-realm TGT first, then the service', async () => {
    const { client, events } = clientFor(pair.a)
    await client.login({ principal: 'alice@ALPHA.TEST', password: PW })
    const st = await client.getServiceTicket('HTTP/web.beta.test@BETA.TEST')
    assert.equal(formatPrincipal(st.server), 'HTTP/web.beta.test@BETA.TEST')
    const reqs = events.filter((e) => e.type === 'tgs-req').map((e) => `${e.realm} ${e.server}`)
    assert.deepEqual(reqs, [
      'ALPHA.TEST krbtgt/BETA.TEST@ALPHA.TEST',
      'BETA.TEST HTTP/web.beta.test@BETA.TEST',
    ])
  })

  test("review #3: a cross-realm TGT held for alice is not used for bob's TGT", async () => {
    const { client } = clientFor(pair.a)
    await client.login({ principal: 'alice@ALPHA.TEST', password: PW })
    await client.getServiceTicket('HTTP/web.beta.test@BETA.TEST')
    const bobTgt = await clientFor(pair.a).client.login({
      principal: 'bob@ALPHA.TEST',
      password: PW,
    })
    const st = await client.getServiceTicket('HTTP/web.beta.test@BETA.TEST', { tgt: bobTgt })
    assert.equal(formatPrincipal(st.client), 'bob@ALPHA.TEST')
    assert.ok(
      client.credentials.every((c) => formatPrincipal(c.client) === 'alice@ALPHA.TEST'),
      "bob's tickets are not mixed into alice's",
    )
  })

  test('host-based name mapped by [domain_realm] to BETA', async () => {
    const { client } = clientFor(pair.a)
    await client.login({ principal: 'alice@ALPHA.TEST', password: PW })
    const st = await client.getServiceTicket('HTTP@web.beta.test')
    assert.equal(formatPrincipal(st.server), 'HTTP/web.beta.test@BETA.TEST')
  })
})
