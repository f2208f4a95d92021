/** Salts (RFC 4120 default, Active Directory rules) and the derived-key cache. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fromUtf8 } from '../../src/internal/bytes.js'
import { KerberosKey } from '../../src/key.js'
import { parsePrincipal } from '../../src/principal.js'
import {
  adComputerSalt,
  adUserSalt,
  decrypt,
  defaultSalt,
  derivedKeyCount,
  encrypt,
  makeChecksum,
  MAX_ENTRIES_PER_KEY,
  pureBackend,
  randomKey,
  saltFor,
  stringToKey,
  wipeDerivedKeys,
} from '../../src/crypto/index.js'
import { nodeBackend } from '../../src/node/crypto-backend.js'

describe('salts', () => {
  it('defaultSalt is the realm followed by the components', () => {
    const p = parsePrincipal('HTTP/web.example.com@EXAMPLE.COM')
    assert.equal(fromUtf8(defaultSalt(p)), 'EXAMPLE.COMHTTPweb.example.com')
    assert.equal(
      fromUtf8(defaultSalt(parsePrincipal('raeburn@ATHENA.MIT.EDU'))),
      'ATHENA.MIT.EDUraeburn',
    )
    assert.deepEqual(
      defaultSalt(parsePrincipal('jörg@EXAMPLE.COM')),
      new TextEncoder().encode('EXAMPLE.COMjörg'),
    )
  })

  it('adUserSalt upper-cases the realm and keeps the account name as given', () => {
    assert.equal(fromUtf8(adUserSalt('example.com', 'Alice')), 'EXAMPLE.COMAlice')
    assert.equal(fromUtf8(adUserSalt('AD.EXAMPLE.COM', 'svc_Web')), 'AD.EXAMPLE.COMsvc_Web')
  })

  it('adComputerSalt: REALM + host + lower-case name without $ + . + lower-case domain', () => {
    assert.equal(
      fromUtf8(adComputerSalt('EXAMPLE.COM', 'WEB01$', 'Example.COM')),
      'EXAMPLE.COMhostweb01.example.com',
    )
    assert.equal(
      fromUtf8(adComputerSalt('ad.example.com', 'Db2', 'ad.example.com')),
      'AD.EXAMPLE.COMhostdb2.ad.example.com',
    )
  })

  it('saltFor dispatches on kind', () => {
    const p = parsePrincipal('Alice@EXAMPLE.COM')
    assert.equal(fromUtf8(saltFor({ kind: 'default', principal: p })), 'EXAMPLE.COMAlice')
    assert.equal(fromUtf8(saltFor({ kind: 'ad-user', principal: p })), 'EXAMPLE.COMAlice')
    assert.equal(
      fromUtf8(saltFor({ kind: 'ad-user', principal: p, samAccountName: 'alice2' })),
      'EXAMPLE.COMalice2',
    )
    const host = parsePrincipal('WEB01$@EXAMPLE.COM')
    assert.equal(
      fromUtf8(saltFor({ kind: 'ad-computer', principal: host, computerName: 'WEB01$' })),
      'EXAMPLE.COMhostweb01.example.com',
    )
    assert.equal(fromUtf8(saltFor({ kind: 'explicit', salt: 'anything' })), 'anything')
    assert.deepEqual(
      saltFor({ kind: 'explicit', salt: new Uint8Array([1, 2]) }),
      new Uint8Array([1, 2]),
    )
    assert.throws(() => saltFor({ kind: 'nope' } as never), TypeError)
  })

  it('string-to-key with a salt string equals the same salt as bytes', () => {
    const p = parsePrincipal('alice@EXAMPLE.COM')
    assert.ok(
      stringToKey(17, 'pw', defaultSalt(p)).equals(stringToKey(17, 'pw', 'EXAMPLE.COMalice')),
    )
  })
})

describe('derived-key cache', () => {
  it('derives usage keys once per (key, backend, usage) and stays bounded', () => {
    const key = randomKey(18)
    assert.equal(derivedKeyCount(key), 0)
    const ct = encrypt(key, 2, new Uint8Array(10))
    const after = derivedKeyCount(key)
    assert.ok(after >= 1)
    decrypt(key, 2, ct)
    encrypt(key, 2, new Uint8Array(10))
    assert.equal(derivedKeyCount(key), after, 'a second use of the same usage adds nothing')
    decrypt(key, 2, encrypt(key, 2, new Uint8Array(3), { backend: nodeBackend }), {
      backend: nodeBackend,
    })
    assert.ok(derivedKeyCount(key) > after, 'each backend has its own prepared keys')
    for (let usage = 0; usage < 200; usage++) {
      decrypt(key, usage, encrypt(key, usage, new Uint8Array(1)))
      makeChecksum(16, key, usage, new Uint8Array(1))
    }
    assert.ok(derivedKeyCount(key) <= MAX_ENTRIES_PER_KEY)
    wipeDerivedKeys(key)
    assert.equal(derivedKeyCount(key), 0)
    assert.deepEqual(decrypt(key, 2, ct), new Uint8Array(10))
  })

  it('a wiped key is refused and its cache entries dropped', () => {
    for (const backend of [pureBackend, nodeBackend]) {
      const key = new KerberosKey(17, new Uint8Array(16).fill(5))
      const ct = encrypt(key, 3, new Uint8Array(20), { backend })
      assert.ok(derivedKeyCount(key) > 0)
      key.wipe()
      assert.throws(() => decrypt(key, 3, ct, { backend }), TypeError)
      assert.throws(() => encrypt(key, 3, new Uint8Array(1), { backend }), TypeError)
      assert.equal(derivedKeyCount(key), 0)
    }
    const rc4 = new KerberosKey(23, new Uint8Array(16).fill(5))
    const ct = encrypt(rc4, 3, new Uint8Array(20), { allowWeak: true })
    rc4.wipe()
    assert.throws(() => decrypt(rc4, 3, ct, { allowWeak: true }), TypeError)
    assert.throws(() => makeChecksum(-138, rc4, 3, ct, { allowWeak: true }), TypeError)
  })

  it('distinct key objects with equal bytes give equal results (the cache is per object, not stale)', () => {
    const a = new KerberosKey(19, new Uint8Array(16).fill(1))
    const b = new KerberosKey(19, new Uint8Array(16).fill(1))
    const conf = { confounder: new Uint8Array(16) }
    assert.deepEqual(encrypt(a, 5, new Uint8Array(7), conf), encrypt(b, 5, new Uint8Array(7), conf))
  })
})
