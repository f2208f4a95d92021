/**
 * Policy and argument checks: DES refused, RC4 only with allowWeak, low iteration counts refused,
 * wrong key lengths, and keys that never leak into messages or printed forms.
 */
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { describe, it } from 'node:test'
import { KerberosKey } from '../../src/key.js'
import {
  cf2,
  checksumTypeOf,
  decrypt,
  encrypt,
  getProfile,
  isEnctypeSupported,
  makeChecksum,
  prf,
  randomKey,
  stringToKey,
  verifyChecksum,
} from '../../src/crypto/index.js'
import { x } from './backends.js'

/* eslint-disable @typescript-eslint/no-explicit-any -- error shape checks */
const code = (c: string) => (e: any) => e?.name === 'KerberosError' && e.code === c

describe('crypto policy', () => {
  it('refuses DES and DES3 enctypes and unknown numbers with ERR_KRB_UNSUPPORTED_ENCTYPE', () => {
    for (const etype of [1, 2, 3, 5, 7, 16, 0, 4, 99, -1, 65536]) {
      assert.equal(isEnctypeSupported(etype, { allowWeak: true }), false)
      assert.throws(
        () => getProfile(etype, { allowWeak: true }),
        code('ERR_KRB_UNSUPPORTED_ENCTYPE'),
      )
      assert.throws(
        () => stringToKey(etype, 'pw', 'salt', { allowWeak: true }),
        code('ERR_KRB_UNSUPPORTED_ENCTYPE'),
      )
      assert.throws(
        () => randomKey(etype, { allowWeak: true }),
        code('ERR_KRB_UNSUPPORTED_ENCTYPE'),
      )
      const key = new KerberosKey(etype, new Uint8Array(24))
      assert.throws(() => encrypt(key, 1, new Uint8Array(4)), code('ERR_KRB_UNSUPPORTED_ENCTYPE'))
      assert.throws(() => decrypt(key, 1, new Uint8Array(40)), code('ERR_KRB_UNSUPPORTED_ENCTYPE'))
      assert.throws(() => checksumTypeOf(etype), code('ERR_KRB_UNSUPPORTED_ENCTYPE'))
    }
    assert.throws(
      () => makeChecksum(12, new KerberosKey(16, new Uint8Array(24)), 1, new Uint8Array(0)),
      code('ERR_KRB_UNSUPPORTED_CHECKSUM'),
    )
    assert.throws(
      () => makeChecksum(1, null, 1, new Uint8Array(0)),
      code('ERR_KRB_UNSUPPORTED_CHECKSUM'),
    )
  })

  it('RC4 (23, 24) and the HMAC-MD5 checksums need allowWeak', () => {
    for (const etype of [23, 24]) {
      assert.equal(isEnctypeSupported(etype), false)
      assert.equal(isEnctypeSupported(etype, { allowWeak: true }), true)
      assert.throws(() => getProfile(etype), code('ERR_KRB_WEAK_CRYPTO'))
      assert.throws(() => stringToKey(etype, 'pw', ''), code('ERR_KRB_WEAK_CRYPTO'))
      assert.throws(() => randomKey(etype), code('ERR_KRB_WEAK_CRYPTO'))
      const key = randomKey(etype, { allowWeak: true })
      assert.throws(() => encrypt(key, 1, new Uint8Array(4)), code('ERR_KRB_WEAK_CRYPTO'))
      const ct = encrypt(key, 1, new Uint8Array(4), { allowWeak: true })
      assert.throws(() => decrypt(key, 1, ct), code('ERR_KRB_WEAK_CRYPTO'))
      assert.deepEqual(decrypt(key, 1, ct, { allowWeak: true }), new Uint8Array(4))
      assert.throws(() => prf(key, new Uint8Array(1)), code('ERR_KRB_WEAK_CRYPTO'))
      assert.throws(() => cf2(key, 'a', key, 'b'), code('ERR_KRB_WEAK_CRYPTO'))
    }
    const rc4 = randomKey(23, { allowWeak: true })
    for (const ck of [-138, -137]) {
      assert.throws(() => makeChecksum(ck, rc4, 1, new Uint8Array(1)), code('ERR_KRB_WEAK_CRYPTO'))
      const mac = makeChecksum(ck, rc4, 1, new Uint8Array(1), { allowWeak: true })
      assert.throws(
        () => verifyChecksum(ck, rc4, 1, new Uint8Array(1), mac),
        code('ERR_KRB_WEAK_CRYPTO'),
      )
    }
    // AES is never weak.
    for (const etype of [17, 18, 19, 20, 25, 26]) assert.equal(isEnctypeSupported(etype), true)
  })

  it('maps enctypes to their mandatory checksum types', () => {
    const want: Record<number, number> = {
      17: 15,
      18: 16,
      19: 19,
      20: 20,
      23: -138,
      24: -138,
      25: 17,
      26: 18,
    }
    for (const [e, c] of Object.entries(want)) assert.equal(checksumTypeOf(Number(e)), c)
    for (const [e, c] of Object.entries(want))
      assert.equal(getProfile(Number(e), { allowWeak: true }).checksumType, c)
  })

  it('profiles expose sizes callers can compute lengths from', () => {
    const p = getProfile(18)
    assert.deepEqual(
      [
        p.etype,
        p.name,
        p.keyLength,
        p.keySeedLength,
        p.checksumType,
        p.checksumLength,
        p.confounderLength,
        p.overhead,
      ],
      [18, 'aes256-cts-hmac-sha1-96', 32, 32, 16, 12, 16, 28],
    )
    assert.equal(getProfile(20).overhead, 40)
    assert.equal(getProfile(19).overhead, 32)
    assert.equal(getProfile(23, { allowWeak: true }).overhead, 24)
    assert.equal(getProfile(26).overhead, 32)
  })

  it('refuses iteration counts below the enctype default unless allowLowIterations', () => {
    const cases: [number, number][] = [
      [17, 4096],
      [18, 4096],
      [19, 32768],
      [20, 32768],
      [25, 32768],
      [26, 32768],
    ]
    for (const [etype, min] of cases) {
      const low = new Uint8Array([0, 0, ((min - 1) >>> 8) & 0xff, (min - 1) & 0xff])
      assert.throws(
        () => stringToKey(etype, 'pw', 's', { params: low }),
        code('ERR_KRB_S2K_PARAMS'),
      )
      assert.throws(
        () => stringToKey(etype, 'pw', 's', { params: new Uint8Array([0, 0, 0, 1]) }),
        code('ERR_KRB_S2K_PARAMS'),
      )
      assert.throws(
        () => stringToKey(etype, 'pw', 's', { params: new Uint8Array([0, 1]) }),
        code('ERR_KRB_S2K_PARAMS'),
      )
      assert.throws(
        () =>
          stringToKey(etype, 'pw', 's', { params: new Uint8Array(4), allowLowIterations: true }),
        code('ERR_KRB_S2K_PARAMS'),
      )
      // 2^24 and more: refused even with allowLowIterations (MIT's limit).
      assert.throws(
        () =>
          stringToKey(etype, 'pw', 's', {
            params: new Uint8Array([1, 0, 0, 0]),
            allowLowIterations: true,
          }),
        code('ERR_KRB_S2K_PARAMS'),
      )
      const k = stringToKey(etype, 'pw', 's', {
        params: new Uint8Array([0, 0, 0, 2]),
        allowLowIterations: true,
      })
      assert.equal(k.enctype, etype)
    }
    // The default and an explicit default agree.
    const a = stringToKey(18, 'pw', 'EXAMPLE.COMalice')
    const b = stringToKey(18, 'pw', 'EXAMPLE.COMalice', { params: new Uint8Array([0, 0, 0x10, 0]) })
    assert.ok(a.equals(b))
  })

  it('wrong key lengths throw RangeError, wrong enctypes TypeError', () => {
    for (const etype of [17, 18, 19, 20, 23, 25, 26]) {
      const len = getProfile(etype, { allowWeak: true }).keyLength
      for (const bad of [0, 1, len - 1, len + 1, 24]) {
        if (bad === len) continue
        const key = new KerberosKey(etype, new Uint8Array(bad))
        assert.throws(() => encrypt(key, 1, new Uint8Array(3), { allowWeak: true }), RangeError)
        assert.throws(() => decrypt(key, 1, new Uint8Array(60), { allowWeak: true }), RangeError)
        assert.throws(
          () => makeChecksum(checksumTypeOf(etype), key, 1, new Uint8Array(3), { allowWeak: true }),
          RangeError,
        )
        assert.throws(() => prf(key, new Uint8Array(3), { allowWeak: true }), RangeError)
      }
    }
    const aes128 = randomKey(17)
    assert.throws(() => makeChecksum(16, aes128, 1, new Uint8Array(1)), TypeError)
    assert.throws(() => makeChecksum(16, null, 1, new Uint8Array(1)), TypeError)
    assert.throws(() => encrypt(aes128, -1, new Uint8Array(1)), RangeError)
    assert.throws(() => encrypt(aes128, 2 ** 32, new Uint8Array(1)), RangeError)
    assert.throws(
      () => encrypt(aes128, 1, new Uint8Array(1), { confounder: new Uint8Array(8) }),
      RangeError,
    )
    assert.throws(() => randomKey(18, { random: (n) => new Uint8Array(n - 1) }), RangeError)
  })

  it('keys never appear in error messages, String(key) or util.inspect(key)', () => {
    const secret = new Uint8Array(32).map((_, i) => 0xa0 + (i % 16))
    const key = new KerberosKey(18, secret)
    const hex = x(secret)
    const leaks = (s: string): boolean =>
      s.toLowerCase().includes(hex.slice(0, 16)) || s.includes('160,161,162')
    assert.equal(leaks(String(key)), false)
    assert.equal(leaks(inspect(key, { depth: 5, showHidden: true })), false)
    assert.equal(leaks(JSON.stringify(key)), false)
    assert.equal(leaks(`${key}`), false)
    const errors: unknown[] = []
    const attempt = (fn: () => unknown): void => {
      try {
        fn()
      } catch (e) {
        errors.push(e)
      }
    }
    attempt(() => decrypt(key, 1, new Uint8Array(64)))
    attempt(() => decrypt(key, 1, new Uint8Array(3)))
    attempt(() => makeChecksum(15, key, 1, new Uint8Array(1)))
    attempt(() => encrypt(new KerberosKey(18, secret.subarray(0, 31)), 1, new Uint8Array(1)))
    attempt(() => encrypt(new KerberosKey(16, secret), 1, new Uint8Array(1)))
    attempt(() => encrypt(new KerberosKey(23, secret), 1, new Uint8Array(1)))
    attempt(() => stringToKey(18, x(secret), 's', { params: new Uint8Array([0, 0, 0, 1]) }))
    assert.equal(errors.length, 7)
    for (const e of errors) {
      const err = e as Error & { context?: unknown }
      assert.equal(leaks(err.message), false, err.message)
      assert.equal(leaks(String(err.stack)), false)
      assert.equal(leaks(inspect(err, { depth: 5 })), false)
      assert.equal(leaks(JSON.stringify(err.context ?? {})), false)
    }
  })
})
