/** The primitives under the profiles: Camellia, MD4, RC4, CMAC, CTS edge cases, backends agreeing. */
import assert from 'node:assert/strict'
import { createCipheriv, createHash, randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { utf8 } from '../../src/internal/bytes.js'
import {
  CMAC,
  ctsDecrypt,
  ctsEncrypt,
  md4,
  nfold,
  pureBackend,
  rc4,
} from '../../src/crypto/index.js'
import { nodeBackend } from '../../src/node/crypto-backend.js'
import { setCryptoBackend, getCryptoBackend } from '../../src/crypto/index.js'
import { useNodeCrypto } from '../../src/node/crypto-backend.js'
import { h, x } from './backends.js'

const IV0 = new Uint8Array(16)

describe('crypto primitives', () => {
  it('Camellia matches RFC 3713 Appendix A', () => {
    const pt = h('0123456789abcdeffedcba9876543210')
    const k128 = pureBackend.camellia(pt)
    assert.equal(x(k128.encryptCBC(IV0, pt)), '67673138549669730857065648eabe43')
    assert.equal(x(k128.decryptCBC(IV0, h('67673138549669730857065648eabe43'))), x(pt))
    const k256 = pureBackend.camellia(
      h('0123456789abcdeffedcba987654321000112233445566778899aabbccddeeff'),
    )
    assert.equal(x(k256.encryptCBC(IV0, pt)), '9acc237dff16d76c20ef7c919e3a7509')
  })

  it('pure Camellia-CBC and AES-CBC equal OpenSSL on random keys and data', () => {
    for (let i = 0; i < 40; i++) {
      const keyLen = i % 2 ? 32 : 16
      const key = new Uint8Array(randomBytes(keyLen))
      const iv = new Uint8Array(randomBytes(16))
      const data = new Uint8Array(randomBytes(16 * (1 + (i % 5))))
      for (const family of ['camellia', 'aes'] as const) {
        const c = createCipheriv(`${family}-${keyLen * 8}-cbc`, key, iv).setAutoPadding(false)
        const want = x(new Uint8Array(c.update(data)))
        const pure = family === 'aes' ? pureBackend.aes(key) : pureBackend.camellia(key)
        assert.equal(x(pure.encryptCBC(iv, data)), want)
        assert.equal(x(pure.decryptCBC(iv, h(want))), x(data))
      }
    }
  })

  it('node ciphers keep correct CBC chaining across interleaved calls with different IVs', () => {
    for (const family of ['aes', 'camellia'] as const) {
      const key = new Uint8Array(randomBytes(32))
      const native = family === 'aes' ? nodeBackend.aes(key) : nodeBackend.camellia(key)
      const pure = family === 'aes' ? pureBackend.aes(key) : pureBackend.camellia(key)
      for (let i = 0; i < 60; i++) {
        const iv = i % 3 === 0 ? IV0 : new Uint8Array(randomBytes(16))
        const data = new Uint8Array(randomBytes(16 * (1 + (i % 7))))
        if (i % 2 === 0) assert.equal(x(native.encryptCBC(iv, data)), x(pure.encryptCBC(iv, data)))
        else assert.equal(x(native.decryptCBC(iv, data)), x(pure.decryptCBC(iv, data)))
      }
      assert.throws(() => native.encryptCBC(IV0, new Uint8Array(15)), RangeError)
      assert.equal(
        x(native.encryptCBC(IV0, new Uint8Array(16))),
        x(pure.encryptCBC(IV0, new Uint8Array(16))),
      )
    }
  })

  it('MD4 matches RFC 1320 §A.5 and OpenSSL-free expectations', () => {
    const suite: [string, string][] = [
      ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
      ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
      ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
      ['message digest', 'd9130a8164549fe818874806e1c7014b'],
      ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
      [
        'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
        '043f8582f241db351ce627e153e7f0e4',
      ],
      ['1234567890'.repeat(8), 'e33b4ddc9c38f2199c3e7b164fcc0536'],
    ]
    for (const [input, want] of suite) assert.equal(x(md4(utf8(input))), want, input)
  })

  it('RC4 matches the classic test vectors and is its own inverse', () => {
    assert.equal(x(rc4(utf8('Key'), utf8('Plaintext'))), 'bbf316e8d940af0ad3')
    assert.equal(x(rc4(utf8('Wiki'), utf8('pedia'))), '1021bf0420')
    const data = new Uint8Array(randomBytes(100))
    assert.deepEqual(rc4(utf8('k'), rc4(utf8('k'), data)), data)
    assert.throws(() => rc4(new Uint8Array(0), data), RangeError)
  })

  it('CMAC matches NIST SP 800-38B (AES-128)', () => {
    const cmac = new CMAC(pureBackend.aes(h('2b7e151628aed2a6abf7158809cf4f3c')))
    assert.equal(x(cmac.digest(new Uint8Array(0))), 'bb1d6929e95937287fa37d129b756746')
    assert.equal(
      x(cmac.digest(h('6bc1bee22e409f96e93d7e117393172a'))),
      '070a16b46b4d4144f79bdd9dd04a287c',
    )
    const m40 = h(
      '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411',
    )
    assert.equal(x(cmac.digest(m40)), 'dfa66747de9ae63030ca32611497c827')
  })

  it('CTS: one block is ECB, short inputs are refused, every length round-trips', () => {
    for (const backend of [pureBackend, nodeBackend]) {
      const aes = backend.aes(new Uint8Array(16).fill(3))
      const block = new Uint8Array(16).fill(9)
      assert.deepEqual(ctsEncrypt(aes, IV0, block), aes.encryptCBC(IV0, block))
      assert.throws(() => ctsEncrypt(aes, IV0, new Uint8Array(15)), RangeError)
      assert.throws(() => ctsDecrypt(aes, IV0, new Uint8Array(0)), RangeError)
      for (let n = 16; n <= 100; n++) {
        const data = new Uint8Array(n).map((_, i) => i)
        const ct = ctsEncrypt(aes, IV0, data)
        assert.equal(ct.length, n)
        assert.deepEqual(ctsDecrypt(aes, IV0, ct), data)
      }
    }
  })

  it('n-fold refuses empty input and non-positive sizes', () => {
    assert.throws(() => nfold(new Uint8Array(0), 8), RangeError)
    assert.throws(() => nfold(utf8('x'), 0), RangeError)
  })

  it('the backends agree on HMAC and PBKDF2 for every hash', () => {
    const key = new Uint8Array(randomBytes(40))
    const data = new Uint8Array(randomBytes(300))
    for (const hash of ['sha1', 'sha256', 'sha384', 'md5'] as const) {
      const a = pureBackend.hmac(hash, key).digest(data.subarray(0, 100), data.subarray(100))
      const b = nodeBackend.hmac(hash, key).digest(data)
      assert.equal(x(a), x(b), hash)
      assert.equal(a.length, pureBackend.hmac(hash, key).outputLength)
      assert.equal(
        x(pureBackend.hmac(hash, new Uint8Array(0)).digest(data)),
        x(nodeBackend.hmac(hash, new Uint8Array(0)).digest(data)),
      )
    }
    for (const hash of ['sha1', 'sha256', 'sha384'] as const) {
      for (const [pwLen, len] of [
        [5, 16],
        [64, 32],
        [65, 45],
        [200, 20],
      ] as const) {
        const pw = new Uint8Array(randomBytes(pwLen))
        assert.equal(
          x(pureBackend.pbkdf2(hash, pw, data.subarray(0, 9), 3, len)),
          x(nodeBackend.pbkdf2(hash, pw, data.subarray(0, 9), 3, len)),
        )
      }
    }
    assert.throws(() => pureBackend.pbkdf2('sha1', key, key, 0, 16), RangeError)
    assert.throws(() => nodeBackend.pbkdf2('sha1', key, key, 0, 16), RangeError)
    assert.equal(x(md4(utf8('x'))).length, 32)
    assert.equal(createHash('sha1').digest().length, 20)
  })

  it('setCryptoBackend switches the process-wide default', () => {
    assert.equal(getCryptoBackend().name, 'pure')
    useNodeCrypto()
    assert.equal(getCryptoBackend().name, 'node')
    assert.equal(getCryptoBackend({ backend: pureBackend }).name, 'pure')
    setCryptoBackend(pureBackend)
    assert.equal(getCryptoBackend().name, 'pure')
    assert.throws(() => setCryptoBackend({} as never), TypeError)
  })
})
