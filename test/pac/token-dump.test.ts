/**
 * `token dump -k` shows the ticket's PAC: buffers, signature types, verification status and the
 * identity.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { describeToken } from '../../src/cli/token.js'
import { InitiatorContext } from '../../src/gssapi/context.js'
import { randomKey } from '../../src/crypto/index.js'
import { parsePrincipal } from '../../src/principal.js'
import { DOMAIN_SID, pacAuthorizationData, pacService, signedPACFor } from './build.js'

describe('token dump -k and the PAC', () => {
  const svc = pacService()
  const token = (o: Parameters<typeof svc.issue>[0] = {}): Uint8Array =>
    new InitiatorContext({ credentials: svc.issue(o) }).step()!

  it('lists buffers, signatures, status and SIDs', () => {
    const text = describeToken(token(), { keytab: svc.keytab, asn1: false }).join('\n')
    assert.match(text, /PAC: 5 buffers/)
    assert.match(text, /LOGON_INFO \(1\): \d+ bytes/)
    assert.match(text, /server signature: hmac-sha1-96-aes256 \(16\)/)
    assert.match(text, /verification: server signature valid, CLIENT_INFO matches the ticket/)
    assert.match(text, new RegExp(`user SID: ${DOMAIN_SID}-1105 \\(alice\\)`))
    assert.match(text, /group SIDs: .*-1108/)
  })

  it('says when the PAC does not verify', () => {
    const authtime = new Date(Math.floor(Date.now() / 1000) * 1000)
    const forged = signedPACFor(parsePrincipal('alice@EXAMPLE.COM'), authtime, {
      serverKey: randomKey(18),
      kdcKey: svc.kdcKey,
    })
    const text = describeToken(
      token({ authtime, authorizationData: pacAuthorizationData(forged) }),
      {
        keytab: svc.keytab,
        asn1: false,
      },
    ).join('\n')
    assert.match(text, /verification: REFUSED \(server-signature\)/)
  })
})
