/**
 * Review #18b (issue 10): negotiateFetch stamps authenticators with the client's KDC-corrected
 * clock. The server below runs 20 minutes ahead of this machine, as its KDC does; a client that
 * learnt the offset (KRB_AP_ERR_SKEW, a reply's authtime, a ccache v4 header) must be accepted,
 * one that uses the raw system clock is refused for skew.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { KerberosClient } from '../../src/client/client.js'
import { credentialsToCCache } from '../../src/client/credentials.js'
import { negotiateFetch, type TicketSource } from '../../src/http/fetch.js'
import { negotiateMiddleware } from '../../src/http/middleware.js'
import type { NegotiateResult } from '../../src/http/negotiate.js'
import { parsePrincipal } from '../../src/principal.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import type { Credentials } from '../../src/protocol/kdc-rep.js'
import { fakeService } from '../helpers/gss-peers.js'

const OFFSET_MS = 20 * 60 * 1000

describe('review #18b: negotiateFetch uses the KDC-corrected clock', () => {
  const svc = fakeService('HTTP/localhost@TEST.REALM')
  const refusals: NegotiateResult[] = []
  let server: Server
  let url = ''

  before(async () => {
    const acceptor = new Acceptor({ keytab: svc.keytab, now: () => Date.now() + OFFSET_MS })
    const mw = negotiateMiddleware({ acceptor, onRefused: (r) => refusals.push(r) })
    server = createServer((req, res) => mw(req, res, () => res.end('hello')))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  })
  after(() => {
    server.closeAllConnections()
    server.close()
  })

  test('review #18b: the raw system clock is refused by a server 20 min ahead (the old behaviour)', async () => {
    refusals.length = 0
    const source: TicketSource = { getServiceTicket: async () => svc.issue() }
    const res = await negotiateFetch({ client: source })(url)
    assert.equal(res.status, 401)
    assert.equal(refusals.at(-1)?.error?.code, 'ERR_KRB_CLOCK_SKEW')
  })

  test("review #18b: a ticket source's corrected now() stamps the authenticator", async () => {
    const source: TicketSource = {
      getServiceTicket: async () => svc.issue(),
      now: () => new Date(Date.now() + OFFSET_MS),
    }
    const res = await negotiateFetch({ client: source })(url)
    assert.equal(res.status, 200)
    assert.equal(await res.text(), 'hello')
  })

  test('review #18b: a KerberosClient with a learnt KDC offset is accepted as is', async () => {
    // The client learns the offset as after kinit against a KDC 20 min ahead: from the ccache
    // v4 header (the same field KRB_AP_ERR_SKEW and kdc_timesync fill).
    class Client extends KerberosClient {
      override async getServiceTicket(): Promise<Credentials> {
        return svc.issue() as unknown as Credentials
      }
    }
    const client = new Client({ transport: { sendToKDC: async () => assert.fail('no KDC') } })
    client.fromCCache(
      credentialsToCCache([], {
        principal: parsePrincipal('alice@TEST.REALM'),
        timeOffsetMs: OFFSET_MS,
      }),
    )
    assert.equal(client.timeOffsetMs, OFFSET_MS)
    const res = await negotiateFetch({ client })(url)
    assert.equal(res.status, 200)
  })

  test('review #18b: an explicit now option wins over the client clock', async () => {
    const source: TicketSource = {
      getServiceTicket: async () => svc.issue(),
      now: () => new Date(Date.now() + OFFSET_MS),
    }
    const res = await negotiateFetch({ client: source, now: () => new Date() })(url)
    assert.equal(res.status, 401)
  })
})
