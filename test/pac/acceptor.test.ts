/**
 * The acceptor's PAC wiring: a ticket whose PAC verifies gives `pac` and `identity`; a PAC that
 * fails refuses the ticket (ERR_KRB_PAC_VERIFY) unless `pac: 'lenient'` or `'skip'`; `'require'`
 * refuses tickets without one.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomKey } from '../../src/crypto/index.js'
import { KerberosError } from '../../src/errors.js'
import { makeAPReq } from '../../src/protocol/ap-req.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { parsePrincipal } from '../../src/principal.js'
import { DOMAIN_SID, pacAuthorizationData, pacService, signedPACFor } from './build.js'

const refused = (why: string) => (e: unknown) =>
  e instanceof KerberosError && e.code === 'ERR_KRB_PAC_VERIFY' && e.context.reason === why

describe('Acceptor and the PAC', () => {
  const svc = pacService()
  const apReq = (o: Parameters<typeof svc.issue>[0] = {}): Uint8Array => {
    const c = svc.issue(o)
    return makeAPReq({ ticket: c.ticket, sessionKey: c.sessionKey, client: c.client }).bytes
  }
  const acceptor = (pac?: 'verify' | 'require' | 'lenient' | 'skip'): Acceptor =>
    new Acceptor({ keytab: svc.keytab, replayCache: false, ...(pac ? { pac } : {}) })

  it('a ticket with a valid PAC gives pac and identity', () => {
    const r = acceptor().accept(apReq())
    assert.equal(r.identity?.userSid, `${DOMAIN_SID}-1105`)
    assert.ok(r.identity.groupSids.includes(`${DOMAIN_SID}-1108`))
    assert.equal(r.identity.accountName, 'alice')
    assert.equal(r.identity.upn, 'alice@example.com')
    assert.equal(r.pac?.clientInfo?.name, 'alice')
    assert.equal(acceptor('skip').accept(apReq()).identity, undefined)
  })

  it('issue 12 PAC: a ticket whose PAC server signature does not verify is refused', () => {
    const authtime = new Date(Math.floor(Date.now() / 1000) * 1000)
    const alice = parsePrincipal('alice@EXAMPLE.COM')
    const forged = signedPACFor(alice, authtime, { serverKey: randomKey(18), kdcKey: svc.kdcKey })
    const bytes = apReq({ authtime, authorizationData: pacAuthorizationData(forged) })
    assert.throws(() => acceptor().accept(bytes), refused('server-signature'))
    assert.throws(() => acceptor('require').accept(bytes), refused('server-signature'))
    const lenient = acceptor('lenient').accept(bytes)
    assert.equal(lenient.pac, undefined)
    assert.equal(lenient.identity, undefined)
    assert.equal(acceptor('skip').accept(bytes).pac, undefined)
  })

  it('issue 12 PAC: a ticket for alice carrying a PAC for bob is refused', () => {
    const authtime = new Date(Math.floor(Date.now() / 1000) * 1000)
    const bob = parsePrincipal('bob@EXAMPLE.COM')
    const bobs = signedPACFor(bob, authtime, { serverKey: svc.serviceKey, kdcKey: svc.kdcKey })
    const bytes = apReq({ authtime, authorizationData: pacAuthorizationData(bobs) })
    assert.throws(() => acceptor().accept(bytes), refused('client-name'))
  })

  it('a ticket without a PAC is accepted unless the acceptor requires one', () => {
    const bytes = apReq({ pac: false })
    assert.equal(acceptor().accept(bytes).pac, undefined)
    assert.throws(() => acceptor('require').accept(bytes), refused('no-pac'))
  })
})
