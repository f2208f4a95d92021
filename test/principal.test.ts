import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatPrincipal, parsePrincipal, principalEquals } from '../src/principal.js'
import { KerberosError } from '../src/errors.js'

test('parses service principals keeping case and realm', () => {
  const p = parsePrincipal('HTTP/Web.Example.com@EXAMPLE.COM')
  assert.deepEqual(p, {
    nameType: 1,
    components: ['HTTP', 'Web.Example.com'],
    realm: 'EXAMPLE.COM',
  })
})

test('infers MIT name types for krbtgt and WELLKNOWN', () => {
  assert.equal(parsePrincipal('krbtgt/A@A').nameType, 2)
  assert.equal(parsePrincipal('WELLKNOWN/ANONYMOUS@WELLKNOWN:ANONYMOUS').nameType, 11)
  assert.equal(parsePrincipal('krbtgt@A').nameType, 1)
})

test('host-based service names', () => {
  const p = parsePrincipal('HTTP@localhost', { hostBased: true, defaultRealm: 'R' })
  assert.deepEqual(p, { nameType: 3, components: ['HTTP', 'localhost'], realm: 'R' })
  assert.deepEqual(parsePrincipal('HTTP/h@R', { hostBased: true }).components, ['HTTP', 'h'])
})

test('MIT escapes round-trip', () => {
  const p = { nameType: 1, components: ['a/b', 'c@d', 'e\\f', 'g\nh\ti\bj\0k'], realm: 'RE@LM/x' }
  const text = formatPrincipal(p)
  assert.equal(text, 'a\\/b/c\\@d/e\\\\f/g\\nh\\ti\\bj\\0k@RE\\@LM\\/x')
  assert.deepEqual(parsePrincipal(text), p)
  assert.equal(parsePrincipal('a\\qb@R').components[0], 'aqb')
  assert.equal(parsePrincipal('a@R/x').realm, 'R/x')
})

test('default realm, no-realm output and comparison', () => {
  const p = parsePrincipal('alice', { defaultRealm: 'X' })
  assert.equal(p.realm, 'X')
  assert.equal(formatPrincipal(p, { noRealm: true }), 'alice')
  assert.ok(principalEquals(p, { nameType: 3, components: ['alice'], realm: 'X' }))
  assert.ok(!principalEquals(p, { nameType: 1, components: ['Alice'], realm: 'X' }))
})

test('malformed names give ERR_KRB_PRINCIPAL_FORMAT', () => {
  for (const bad of ['', 'a@b@c', 'a\\', 'a@', 'x', 'HTTP@']) {
    const opts = bad === 'x' ? { requireRealm: true } : bad === 'HTTP@' ? { hostBased: true } : {}
    assert.throws(
      () => parsePrincipal(bad, opts),
      (e: unknown) => e instanceof KerberosError && e.code === 'ERR_KRB_PRINCIPAL_FORMAT',
      bad,
    )
  }
})
