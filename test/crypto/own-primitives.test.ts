/**
 * Our own AES and SHA-1/HMAC-SHA1 (the pure hot path) against OpenSSL through node:crypto, the
 * confounder pool, the node backend's JavaScript/OpenSSL thresholds, and the derived-key cache
 * staying invisible on the key object. Deterministic inputs from a seeded generator.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto'
import { inspect } from 'node:util'
import {
  aesDecryptCBC,
  aesDecryptionKey,
  aesEncryptCBC,
  aesExpandKey,
} from '../../src/crypto/aes.js'
import { HmacSha1, sha1Digest } from '../../src/crypto/sha1.js'
import { pooledRandomBytes } from '../../src/crypto/random-pool.js'
import { decrypt, encrypt, pureBackend, randomKey } from '../../src/crypto/index.js'
import { nodeBackend } from '../../src/node/crypto-backend.js'
import { KerberosKey } from '../../src/key.js'
import { fromHex, toHex } from '../../src/internal/bytes.js'

/** xorshift32: reproducible bytes for differential tests. */
function generator(seed: number): (n: number) => Uint8Array {
  let s = seed >>> 0 || 1
  return (n) => {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      s ^= s << 13
      s ^= s >>> 17
      s ^= s << 5
      out[i] = s & 0xff
    }
    return out
  }
}

test('AES: FIPS 197 Appendix C known answers (one block = CBC with a zero IV)', () => {
  const pt = fromHex('00112233445566778899aabbccddeeff')
  const cases: [string, string][] = [
    ['000102030405060708090a0b0c0d0e0f', '69c4e0d86a7b0430d8cdb78070b4c55a'],
    ['000102030405060708090a0b0c0d0e0f1011121314151617', 'dda97ca4864cdfe06eaf70a0ec0d7191'],
    [
      '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
      '8ea2b7ca516745bfeafc49904b496089',
    ],
  ]
  for (const [key, ct] of cases) {
    const rk = aesExpandKey(fromHex(key))
    assert.equal(toHex(aesEncryptCBC(rk, new Uint8Array(16), pt)), ct)
    assert.equal(
      toHex(aesDecryptCBC(aesDecryptionKey(rk), new Uint8Array(16), fromHex(ct))),
      toHex(pt),
    )
  }
})

test('AES-CBC equals OpenSSL for 128/192/256-bit keys and 1..40 blocks', () => {
  const rnd = generator(0x5eed)
  for (let i = 0; i < 600; i++) {
    const keyLen = [16, 24, 32][i % 3]!
    const key = rnd(keyLen)
    const iv = rnd(16)
    const data = rnd(16 * (1 + (i % 40)))
    const ours = aesEncryptCBC(aesExpandKey(key), iv, data)
    const c = createCipheriv(`aes-${keyLen * 8}-cbc`, key, iv).setAutoPadding(false)
    const theirs = new Uint8Array(Buffer.concat([c.update(data), c.final()]))
    assert.deepEqual(ours, theirs, `encrypt case ${i}`)
    const d = createDecipheriv(`aes-${keyLen * 8}-cbc`, key, iv).setAutoPadding(false)
    assert.deepEqual(new Uint8Array(Buffer.concat([d.update(ours), d.final()])), data)
    assert.deepEqual(aesDecryptCBC(aesDecryptionKey(aesExpandKey(key)), iv, ours), data)
  }
  assert.throws(() => aesExpandKey(new Uint8Array(20)), RangeError)
})

test('SHA-1 equals OpenSSL at every length around the padding boundaries, in split parts', () => {
  const rnd = generator(0xabc)
  for (let n = 0; n <= 300; n++) {
    const data = rnd(n)
    const want = createHash('sha1').update(data).digest('hex')
    assert.equal(toHex(sha1Digest(data)), want, `length ${n}`)
    const cut = n >> 1
    assert.equal(toHex(sha1Digest(data.subarray(0, cut), data.subarray(cut))), want)
  }
  assert.equal(
    toHex(sha1Digest(new TextEncoder().encode('abc'))),
    'a9993e364706816aba3e25717850c26c9cd0d89d',
  )
})

test('HMAC-SHA1 equals OpenSSL for keys of 0..100 octets (over 64 is hashed first)', () => {
  const rnd = generator(0x44)
  for (let k = 0; k <= 100; k++) {
    const key = rnd(k)
    const mac = new HmacSha1(key)
    for (const n of [0, 1, 55, 56, 64, 65, 200]) {
      const data = rnd(n)
      const want = createHmac('sha1', key).update(data).digest('hex')
      assert.equal(toHex(mac.digest(data)), want, `key ${k} data ${n}`)
      assert.equal(toHex(mac.digest(data.subarray(0, 3), data.subarray(3))), want)
    }
  }
})

test('pooled random bytes: fresh arrays, never repeated, large requests bypass the pool', () => {
  const seen = new Set<string>()
  for (let i = 0; i < 600; i++) {
    const c = pooledRandomBytes(16)
    assert.equal(c.length, 16)
    const hex = toHex(c)
    assert.ok(!seen.has(hex), 'a confounder came out twice')
    seen.add(hex)
  }
  const a = pooledRandomBytes(1000)
  const b = pooledRandomBytes(1000)
  assert.equal(a.length, 1000)
  assert.notDeepEqual(a, b)
})

test('node and pure backends agree across the JavaScript/OpenSSL thresholds, also once a key is warm', () => {
  const rnd = generator(0x77)
  const sizes = [0, 1, 15, 16, 17, 31, 32, 33, 500, 511, 512, 513, 767, 768, 769, 1024, 4096, 5000]
  for (const etype of [17, 18, 19, 20, 25, 26]) {
    const key = randomKey(etype, { random: rnd })
    // Two passes: the second runs after the key has processed more than 4 KiB (warm path).
    for (let pass = 0; pass < 2; pass++) {
      for (const n of sizes) {
        const pt = rnd(n)
        const confounder = rnd(16)
        const viaNode = encrypt(key, 2, pt, { backend: nodeBackend, confounder })
        const viaPure = encrypt(key, 2, pt, { backend: pureBackend, confounder })
        assert.deepEqual(viaNode, viaPure, `etype ${etype} length ${n} pass ${pass}`)
        assert.deepEqual(decrypt(key, 2, viaNode, { backend: pureBackend }), pt)
        assert.deepEqual(decrypt(key, 2, viaPure, { backend: nodeBackend }), pt)
      }
    }
  }
})

test('the derived-key cache is invisible on the key and skipped for frozen keys', () => {
  const bytes = generator(9)(32)
  const key = new KerberosKey(18, bytes.slice())
  const before = [JSON.stringify(key), inspect(key), Object.keys(key).join(','), String(key)]
  const ct = encrypt(key, 11, new Uint8Array(40))
  decrypt(key, 11, ct)
  assert.deepEqual(
    [JSON.stringify(key), inspect(key), Object.keys(key).join(','), String(key)],
    before,
  )
  assert.deepEqual(key, new KerberosKey(18, bytes.slice()))
  const frozen = new KerberosKey(18, bytes.slice())
  Object.freeze(frozen)
  assert.deepEqual(decrypt(frozen, 11, encrypt(frozen, 11, new Uint8Array(5))), new Uint8Array(5))
  assert.deepEqual(decrypt(frozen, 11, ct), new Uint8Array(40))
})
