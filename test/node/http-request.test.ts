/**
 * Issue 11 #7: `req.kerberos` is typed on node:http's IncomingMessage (the augmentation that
 * `kerberos-ts/node` carries) and `getKerberos(req)` reads it in any framework. The docs test
 * (test/docs.test.ts) checks the same against the built package.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { getKerberos } from '../../src/http/types.js'
import type { NegotiateUser } from '../../src/http/negotiate.js'
import '../../src/node/http-request.js'

test('issue 11 #7: req.kerberos has the NegotiateUser type on IncomingMessage; getKerberos reads it', () => {
  const user = { principal: 'alice@EXAMPLE.COM', realm: 'EXAMPLE.COM', name: 'alice' }
  const req = { headers: {}, kerberos: user } as unknown as IncomingMessage
  // Compiles only with the augmentation: the property is declared, optional, of this type.
  const typed: NegotiateUser | undefined = req.kerberos
  assert.equal(typed?.principal, 'alice@EXAMPLE.COM')
  assert.equal(getKerberos(req)?.principal, 'alice@EXAMPLE.COM')
  assert.equal(getKerberos({ user }, 'user')?.name, 'alice')
  assert.equal(getKerberos({}), undefined)
  assert.equal(getKerberos({ kerberos: 'alice@EXAMPLE.COM' }), undefined)
})
