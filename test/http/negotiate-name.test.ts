/**
 * Review #13 (issue 10): `req.kerberos.name` used to strip every realm, so `alice@PARTNER` (a user
 * of a trusted realm, or a realm the attacker controls in a cross-realm setup) and the local
 * `alice@HOME` both became `alice`. The short name is now given only for the acceptor's own
 * realms, with `@` escaped.
 */
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, test } from 'node:test'
import { SpnegoInitiatorContext } from '../../src/gssapi/spnego.js'
import { negotiateMiddleware } from '../../src/http/middleware.js'
import { negotiate, type NegotiateUser } from '../../src/http/negotiate.js'
import { toBase64 } from '../../src/internal/bytes.js'
import { createKeytab } from '../../src/keytab/index.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { fakeService, type FakeService } from '../helpers/gss-peers.js'

function header(svc: FakeService, client: string): string {
  const ctx = new SpnegoInitiatorContext({ credentials: svc.issue({ client }) })
  return `Negotiate ${toBase64(ctx.step()!)}`
}

async function userFor(
  svc: FakeService,
  client: string,
  options: { readonly localRealms?: readonly string[]; readonly acceptor?: Acceptor } = {},
): Promise<NegotiateUser> {
  const acceptor = options.acceptor ?? new Acceptor({ keytab: svc.keytab })
  const r = await negotiate({
    acceptor,
    authorization: header(svc, client),
    ...(options.localRealms ? { localRealms: options.localRealms } : {}),
  })
  assert.equal(r.status, 200, r.error?.message)
  return r.user!
}

describe('review #13: short names only for local realms', () => {
  const svc = fakeService('HTTP/web.home.test@HOME.TEST')

  test('review #13: alice@PARTNER does not become the local "alice"', async () => {
    const home = await userFor(svc, 'alice@HOME.TEST')
    assert.equal(home.name, 'alice')
    assert.equal(home.local, true)
    const partner = await userFor(svc, 'alice@PARTNER.TEST')
    assert.equal(partner.name, 'alice@PARTNER.TEST')
    assert.equal(partner.local, false)
    assert.equal(partner.principal, 'alice@PARTNER.TEST')
    assert.notEqual(partner.name, home.name)
  })

  test('review #13: an escaped @ in a local name cannot pose as a foreign principal or a bare user', async () => {
    // Component "alice@PARTNER.TEST" in the local realm: MIT writes it alice\@PARTNER.TEST@HOME.TEST.
    const tricky = await userFor(svc, 'alice\\@PARTNER.TEST@HOME.TEST')
    assert.deepEqual(tricky.client.components, ['alice@PARTNER.TEST'])
    assert.equal(tricky.local, true)
    assert.equal(tricky.name, 'alice\\@PARTNER.TEST')
    assert.notEqual(tricky.name, 'alice@PARTNER.TEST')
    const svcUser = await userFor(svc, 'HTTP/a\\/b@HOME.TEST')
    assert.equal(svcUser.name, 'HTTP/a\\/b')
  })

  test('review #13: localRealms overrides the keytab realms; several keytab realms are all local', async () => {
    const partner = await userFor(svc, 'alice@PARTNER.TEST', { localRealms: ['PARTNER.TEST'] })
    assert.equal(partner.name, 'alice')
    const home = await userFor(svc, 'alice@HOME.TEST', { localRealms: ['PARTNER.TEST'] })
    assert.equal(home.name, 'alice@HOME.TEST')
    assert.equal((await userFor(svc, 'alice@HOME.TEST', { localRealms: [] })).local, false)
    // A keytab with principals in two realms: both are local by default.
    const other = fakeService('HTTP/web.home.test@OTHER.TEST')
    const both = new Acceptor({
      keytab: createKeytab([...svc.keytab.entries, ...other.keytab.entries]),
    })
    assert.equal((await userFor(other, 'bob@OTHER.TEST', { acceptor: both })).name, 'bob')
    assert.equal((await userFor(svc, 'bob@HOME.TEST', { acceptor: both })).name, 'bob')
    assert.equal(
      (await userFor(svc, 'bob@PARTNER.TEST', { acceptor: both })).name,
      'bob@PARTNER.TEST',
    )
  })

  test('review #13: the middleware sets req.kerberos.name the same way', async () => {
    const mw = negotiateMiddleware({ acceptor: new Acceptor({ keytab: svc.keytab }) })
    const server = createServer((req, res) =>
      mw(req, res, () => {
        const user = (req as unknown as { kerberos: NegotiateUser }).kerberos
        res.end(`${user.name} ${user.local}`)
      }),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
      const get = async (client: string): Promise<string> =>
        (await fetch(url, { headers: { authorization: header(svc, client) } })).text()
      assert.equal(await get('alice@HOME.TEST'), 'alice true')
      assert.equal(await get('alice@PARTNER.TEST'), 'alice@PARTNER.TEST false')
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })
})
