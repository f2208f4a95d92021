/**
 * Wiping key material: KerberosKey.wipe() zeroes the bytes and makes the key unusable (the crypto
 * layer drops its cached derived keys and refuses it), wipeDerivedKeys() drops the derived keys
 * of a key that stays in use. JavaScript cannot promise no copies remain (GC moves, strings,
 * derived keys already handed out): this is best-effort, as docs/security.md says.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  decrypt,
  derivedKeyCount,
  encrypt,
  randomKey,
  wipeDerivedKeys,
} from '../../src/crypto/index.js'
import { KerberosKey } from '../../src/key.js'
import { createKeytab, makeKeytabEntry } from '../../src/keytab/index.js'
import { parsePrincipal } from '../../src/principal.js'
import { patternKey } from './leak.js'

test('KerberosKey.wipe zeroes the bytes, marks the key, and the crypto layer refuses it', () => {
  const bytes = patternKey(32, 9)
  const key = new KerberosKey(18, bytes)
  const ct = encrypt(key, 3, new Uint8Array([1, 2, 3]))
  assert.ok(derivedKeyCount(key) > 0, 'encrypt caches derived keys')
  key.wipe()
  assert.equal(key.wiped, true)
  assert.ok(
    bytes.every((b) => b === 0),
    'the caller buffer is zeroed too (no copy was taken)',
  )
  assert.ok(key.bytes.every((b) => b === 0))
  assert.throws(() => decrypt(key, 3, ct), TypeError)
  assert.equal(derivedKeyCount(key), 0, 'derived keys are dropped on first use after wipe')
  assert.equal(String(key), 'KerberosKey(aes256-cts-hmac-sha1-96 (18), 32 bytes)')
})

test('wipeDerivedKeys drops cached derived keys; the key still works and re-derives', () => {
  const key = randomKey(17)
  const ct = encrypt(key, 11, new Uint8Array(20))
  encrypt(key, 12, new Uint8Array(20))
  const before = derivedKeyCount(key)
  assert.ok(before >= 2)
  wipeDerivedKeys(key)
  assert.equal(derivedKeyCount(key), 0)
  assert.deepEqual(decrypt(key, 11, ct), new Uint8Array(20))
  assert.ok(derivedKeyCount(key) > 0)
})

test('a keytab has no wipe helper: wiping means wiping every entry key', () => {
  const kt = createKeytab([
    makeKeytabEntry({
      principal: parsePrincipal('a@R'),
      kvno: 1,
      key: randomKey(18),
      timestamp: 1,
    }),
    makeKeytabEntry({
      principal: parsePrincipal('a@R'),
      kvno: 1,
      key: randomKey(17),
      timestamp: 1,
    }),
  ])
  for (const e of kt.entries) {
    wipeDerivedKeys(e.key)
    e.key.wipe()
  }
  assert.ok(kt.entries.every((e) => e.key.wiped && e.key.bytes.every((b) => b === 0)))
})
