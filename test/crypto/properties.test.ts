/**
 * Property tests on both backends: round trips for every enctype and plaintext length 0–300,
 * tamper rejection with the one fixed message, and pure/node agreement.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { KerberosKey } from '../../src/key.js'
import {
  decrypt,
  encrypt,
  getProfile,
  INTEGRITY_MESSAGE,
  makeChecksum,
  prf,
  pureBackend,
  randomKey,
  stringToKey,
  supportedEnctypes,
  verifyChecksum,
} from '../../src/crypto/index.js'
import { nodeBackend } from '../../src/node/crypto-backend.js'
import { BACKENDS, x } from './backends.js'

const WEAK = { allowWeak: true } as const
const ENCTYPES = [17, 18, 19, 20, 23, 24, 25, 26]

/* eslint-disable @typescript-eslint/no-explicit-any -- error shape checks */
const isIntegrity = (e: any): boolean =>
  e?.name === 'KerberosError' && e.code === 'ERR_KRB_INTEGRITY' && e.message === INTEGRITY_MESSAGE

describe('crypto properties', () => {
  it('every implemented enctype is listed', () => {
    assert.deepEqual(
      [...supportedEnctypes(WEAK)].sort((a, b) => a - b),
      ENCTYPES,
    )
  })

  for (const backend of BACKENDS) {
    it(`decrypt(encrypt(x)) = x for lengths 0..300, every enctype (${backend.name})`, () => {
      let runs = 0
      for (const etype of ENCTYPES) {
        const key = randomKey(etype, WEAK)
        const p = getProfile(etype, WEAK)
        for (let len = 0; len <= 300; len++) {
          const data = new Uint8Array(len).map((_, i) => (i * 31 + len) & 0xff)
          const usage = len % 30
          const ct = encrypt(key, usage, data, { ...WEAK, backend })
          assert.equal(ct.length, len + p.overhead)
          assert.deepEqual(decrypt(key, usage, ct, { ...WEAK, backend }), data)
          runs++
        }
      }
      assert.equal(runs, ENCTYPES.length * 301)
    })
  }

  it('pure and node give identical ciphertexts, checksums and PRF outputs (random keys and data)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ENCTYPES),
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.integer({ min: 0, max: 60 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (etype, data, usage, seed) => {
          const p = getProfile(etype, WEAK)
          const key = randomKey(etype, { ...WEAK, random: (n) => seed.slice(0, n) })
          const confounder = seed.slice(0, p.confounderLength)
          const a = encrypt(key, usage, data, { ...WEAK, backend: pureBackend, confounder })
          const b = encrypt(key, usage, data, { ...WEAK, backend: nodeBackend, confounder })
          assert.equal(x(a), x(b))
          assert.deepEqual(decrypt(key, usage, a, { ...WEAK, backend: nodeBackend }), data)
          const ck = p.checksumType
          const ca = makeChecksum(ck, key, usage, data, { ...WEAK, backend: pureBackend })
          assert.equal(
            x(ca),
            x(makeChecksum(ck, key, usage, data, { ...WEAK, backend: nodeBackend })),
          )
          assert.ok(verifyChecksum(ck, key, usage, data, ca, { ...WEAK, backend: nodeBackend }))
          assert.equal(
            x(prf(key, data, { ...WEAK, backend: pureBackend })),
            x(prf(key, data, { ...WEAK, backend: nodeBackend })),
          )
        },
      ),
      { numRuns: 150 },
    )
  })

  it('string-to-key agrees across backends for every enctype', () => {
    for (const etype of ENCTYPES) {
      const a = stringToKey(etype, 'pässwörd', 'EXAMPLE.COMalice', {
        ...WEAK,
        backend: pureBackend,
      })
      const b = stringToKey(etype, 'pässwörd', 'EXAMPLE.COMalice', {
        ...WEAK,
        backend: nodeBackend,
      })
      assert.ok(a.equals(b), `etype ${etype}`)
      assert.equal(a.length, getProfile(etype, WEAK).keyLength)
    }
  })

  for (const backend of BACKENDS) {
    it(`flipping any byte of a ciphertext gives ERR_KRB_INTEGRITY with the fixed message (${backend.name})`, () => {
      let flips = 0
      for (const etype of ENCTYPES) {
        const key = randomKey(etype, WEAK)
        const ct = encrypt(key, 7, new Uint8Array(37).fill(9), { ...WEAK, backend })
        for (let i = 0; i < ct.length; i++) {
          for (const bit of [0x01, 0x80]) {
            const bad = ct.slice()
            bad[i]! ^= bit
            assert.throws(
              () => decrypt(key, 7, bad, { ...WEAK, backend }),
              isIntegrity,
              `etype ${etype} byte ${i}`,
            )
            flips++
          }
        }
        // Truncated, extended, empty, wrong usage, wrong key: the same error and message.
        for (const bad of [
          ct.subarray(0, ct.length - 1),
          new Uint8Array([...ct, 0]),
          new Uint8Array(0),
          ct.subarray(0, 10),
        ]) {
          assert.throws(() => decrypt(key, 7, bad, { ...WEAK, backend }), isIntegrity)
        }
        assert.throws(() => decrypt(key, 8, ct, { ...WEAK, backend }), isIntegrity)
        assert.throws(
          () => decrypt(randomKey(etype, WEAK), 7, ct, { ...WEAK, backend }),
          isIntegrity,
        )
      }
      assert.ok(flips > 1000)
    })
  }

  it('random tampering never decrypts (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ENCTYPES),
        fc.uint8Array({ maxLength: 64 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (etype, data, pos, delta) => {
          const key = new KerberosKey(
            etype,
            new Uint8Array(getProfile(etype, WEAK).keyLength).fill(etype),
          )
          const ct = encrypt(key, 3, data, WEAK)
          ct[pos % ct.length]! ^= delta
          assert.throws(() => decrypt(key, 3, ct, WEAK), isIntegrity)
        },
      ),
      { numRuns: 300 },
    )
  })
})
