/**
 * The credentials a KerberosClient holds (review #3): one principal's, looked up by (client,
 * server), dropped on a login as another principal.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CredentialStore } from '../../src/client/credential-store.js'
import type { Credentials } from '../../src/client/index.js'
import { randomKey } from '../../src/crypto/index.js'
import { formatPrincipal, parsePrincipal, tgsPrincipal } from '../../src/principal.js'
import { ticketDER } from '../../src/protocol/index.js'
import { opaqueTicket } from './fake-kdc.js'

function creds(client: string, server: string, endMs = Date.now() + 3600_000): Credentials {
  const s = parsePrincipal(server)
  const ticket = opaqueTicket(s.realm, { nameType: 1, nameString: [...s.components] })
  return {
    client: parsePrincipal(client),
    server: s,
    sessionKey: randomKey(18),
    authtime: new Date(Date.now() - 1000),
    endtime: new Date(endMs),
    flags: 0,
    ticket,
    ticketBytes: ticketDER(ticket),
  }
}

const HTTP = 'HTTP/web@R.TEST'
const isHTTP = (s: { components: readonly string[] }) => s.components[0] === 'HTTP'

describe('review #3: CredentialStore', () => {
  test("a lookup for bob never returns admin's ticket for the same server", () => {
    const store = new CredentialStore()
    store.load(parsePrincipal('admin@R.TEST'), [creds('admin@R.TEST', HTTP)])
    assert.equal(store.find(parsePrincipal('bob@R.TEST'), isHTTP, Date.now()), undefined)
    assert.ok(store.find(parsePrincipal('admin@R.TEST'), isHTTP, Date.now()))
  })

  test('a session as another principal drops everything; the same principal keeps it', () => {
    const store = new CredentialStore()
    const admin = parsePrincipal('admin@R.TEST')
    store.startSession(admin)
    store.keep(creds('admin@R.TEST', formatPrincipal(tgsPrincipal('R.TEST'))), true)
    store.keep(creds('admin@R.TEST', HTTP), false)
    store.startSession(admin)
    assert.equal(store.all.length, 2)
    store.startSession(parsePrincipal('bob@R.TEST'))
    assert.equal(store.all.length, 0)
    assert.equal(store.tgt, undefined)
    assert.equal(formatPrincipal(store.principal!), 'bob@R.TEST')
  })

  test("another client's credentials are not held, and do not replace the principal's", () => {
    const store = new CredentialStore()
    store.startSession(parsePrincipal('bob@R.TEST'))
    const mine = creds('bob@R.TEST', HTTP)
    store.keep(mine, false)
    store.keep(creds('admin@R.TEST', HTTP), false)
    assert.deepEqual(store.all, [mine])
  })

  test('without a principal (tickets from a caller-given TGT) each client keeps its own', () => {
    const store = new CredentialStore()
    const a = creds('admin@R.TEST', HTTP)
    const b = creds('bob@R.TEST', HTTP)
    store.keep(a, false)
    store.keep(b, false)
    assert.equal(store.all.length, 2, 'same server, other client: not replaced')
    assert.equal(store.find(b.client, isHTTP, Date.now()), b)
    assert.equal(store.find(a.client, isHTTP, Date.now()), a)
  })

  test('expired credentials are not found', () => {
    const store = new CredentialStore()
    const old = creds('bob@R.TEST', HTTP, Date.now() - 1)
    store.keep(old, false)
    assert.equal(store.find(old.client, isHTTP, Date.now()), undefined)
  })
})
