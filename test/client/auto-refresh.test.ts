/**
 * Issue 11 item 8: a long-running client keeps working. Against a real MIT KDC with short
 * lifetimes and a fake client clock (within the KDC's clockskew): `getServiceTicket` without a
 * `tgt` renews a renewable TGT near its end, logs in again with the keytab when it cannot renew,
 * and tells a password client to log in again. One realm for the whole file.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { KerberosError } from '../../src/errors.js'
import { formatPrincipal } from '../../src/principal.js'
import { skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { clientFor, keytabAt } from './helpers.js'

const PW = 'correct horse battery staple'
const R = 'REFRESH.TEST'

describe(
  'a long-running client keeps its TGT fresh (issue 11 item 8)',
  { skip: skipWithoutMIT() },
  () => {
    let realm: Realm
    before(async () => {
      realm = await startRealm({ realm: R })
      await realm.addPrincipal('daemon')
      await realm.ktadd('daemon', realm.path('daemon.keytab'), { norandkey: true })
      await realm.addPrincipal('alice', { password: PW, requiresPreauth: true })
      await realm.addPrincipal('HTTP/localhost')
      await realm.addPrincipal('HTTP/other')
    })
    after(async () => {
      await realm?.stop()
    })

    /** A client whose clock is `shift` ms ahead of the real one. */
    function shiftedClient(): {
      client: ReturnType<typeof clientFor>['client']
      events: ReturnType<typeof clientFor>['events']
      shift: (ms: number) => void
    } {
      let offset = 0
      const { client, events } = clientFor(realm, { now: () => new Date(Date.now() + offset) })
      return { client, events, shift: (ms) => (offset = ms) }
    }

    const kinds = (events: readonly { type: string; server?: string }[]): string[] =>
      events.map((e) => `${e.type}${e.server !== undefined ? ` ${e.server.split('@')[0]}` : ''}`)

    test('item 8: a renewable keytab TGT near its end is renewed before the service ticket', async () => {
      const { client, events, shift } = shiftedClient()
      const keytab = keytabAt(realm.path('daemon.keytab'))
      const tgt = await client.login({
        principal: 'daemon',
        keytab,
        lifetime: 60,
        renewLifetime: 3600,
      })
      assert.ok(tgt.renewTill !== undefined)
      await client.getServiceTicket('HTTP/localhost')
      assert.equal(client.tgt, tgt, 'a fresh TGT is used as it is')
      events.length = 0
      shift(55_000) // 5 s left: inside the margin (a sixth of 60 s)
      await client.getServiceTicket('HTTP/other')
      assert.deepEqual(kinds(events), [
        `tgs-req krbtgt/${R}`,
        `tgs-rep krbtgt/${R}`,
        'tgs-req HTTP/other',
        'tgs-rep HTTP/other',
      ])
      const renewed = client.tgt!
      assert.notEqual(renewed, tgt)
      assert.equal(renewed.authtime.getTime(), tgt.authtime.getTime(), 'renewed, not a new login')
      // MIT renews for the original lifetime from the KDC's (real) clock: not before the old end.
      assert.ok(renewed.endtime >= tgt.endtime)
      assert.equal(renewed.renewTill?.getTime(), tgt.renewTill.getTime())
    })

    test('item 8: an expired keytab TGT that cannot be renewed is replaced by a new keytab login', async () => {
      const { client, events, shift } = shiftedClient()
      const keytab = keytabAt(realm.path('daemon.keytab'))
      const tgt = await client.login({ principal: 'daemon', keytab, lifetime: 60 })
      events.length = 0
      shift(120_000) // expired a minute ago, not renewable
      const st = await client.getServiceTicket('HTTP/localhost')
      assert.deepEqual(kinds(events).slice(0, 2), ['as-req', `as-rep krbtgt/${R}`])
      assert.notEqual(client.tgt, tgt)
      assert.ok(client.tgt!.endtime.getTime() > Date.now() + 120_000)
      assert.equal(formatPrincipal(st.server), `HTTP/localhost@${R}`)
    })

    test('item 8: concurrent service-ticket calls share one refresh', async () => {
      const { client, events, shift } = shiftedClient()
      const keytab = keytabAt(realm.path('daemon.keytab'))
      await client.login({ principal: 'daemon', keytab, lifetime: 60 })
      events.length = 0
      shift(120_000)
      await Promise.all([
        client.getServiceTicket('HTTP/localhost'),
        client.getServiceTicket('HTTP/other'),
      ])
      assert.equal(events.filter((e) => e.type === 'as-req').length, 1)
    })

    test('item 8: a password client renews without the password, and is told to log in again once it cannot', async () => {
      const { client, events, shift } = shiftedClient()
      const tgt = await client.login({
        principal: 'alice',
        password: PW,
        lifetime: 60,
        renewLifetime: 3600,
      })
      shift(55_000)
      await client.getServiceTicket('HTTP/localhost')
      assert.notEqual(client.tgt, tgt)
      assert.equal(client.tgt!.authtime.getTime(), tgt.authtime.getTime())

      const { client: c2, events: e2, shift: shift2 } = shiftedClient()
      await c2.login({ principal: 'alice', password: PW, lifetime: 60 })
      e2.length = 0
      shift2(120_000)
      await assert.rejects(c2.getServiceTicket('HTTP/localhost'), (e: unknown) => {
        assert.ok(e instanceof KerberosError)
        assert.equal(e.code, 'ERR_KRB_TICKET_TIME')
        assert.match(e.message, new RegExp(`the TGT for alice@${R} expired at .* log in again`))
        assert.match(e.hint ?? '', /#tgt-expired/)
        return true
      })
      assert.equal(e2.filter((e) => e.type === 'as-req').length, 0, 'no login without a keytab')
      assert.ok(events.length > 0)
    })

    test('item 8: autoRefresh: false keeps the old behaviour (an expired TGT is an error)', async () => {
      let offset = 0
      const { client, events } = clientFor(realm, {
        now: () => new Date(Date.now() + offset),
        autoRefresh: false,
      })
      const keytab = keytabAt(realm.path('daemon.keytab'))
      await client.login({ principal: 'daemon', keytab, lifetime: 60 })
      events.length = 0
      offset = 120_000
      await assert.rejects(client.getServiceTicket('HTTP/localhost'), {
        code: 'ERR_KRB_TICKET_TIME',
      })
      assert.equal(events.length, 0)
    })
  },
)
