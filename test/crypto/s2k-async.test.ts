/**
 * stringToKeyAsync: the same keys as stringToKey on both backends (the Node one through
 * `pbkdf2Async` on libuv's pool), the same parameter checks, and `maxIterations` /
 * stringToKeyIterations refusing a count before any PBKDF2 work.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  MAX_S2K_ITERATIONS,
  pureBackend,
  stringToKey,
  stringToKeyAsync,
  stringToKeyIterations,
} from '../../src/crypto/index.js'
import { KerberosError } from '../../src/errors.js'
import { nodeBackend } from '../../src/node/crypto-backend.js'
import { readJsonFixture } from '../helpers/paths.js'
import { s2kSpy } from '../helpers/s2k-spy.js'
import { h, x } from './backends.js'

const be32 = (n: number): Uint8Array =>
  new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff])
const ETYPES = [17, 18, 19, 20, 25, 26] as const

describe('stringToKeyAsync', () => {
  for (const backend of [nodeBackend, pureBackend]) {
    test(`${backend.name}: same keys as stringToKey for every PBKDF2 enctype, and rc4`, async () => {
      for (const etype of ETYPES) {
        for (const params of [undefined, be32(40000)]) {
          const o = { backend, ...(params !== undefined ? { params } : {}) }
          const sync = stringToKey(etype, 'pässword', 'EXAMPLE.COMalice', o)
          const async = await stringToKeyAsync(etype, 'pässword', 'EXAMPLE.COMalice', o)
          assert.ok(async.equals(sync), `etype ${etype} params ${String(params)}`)
        }
      }
      const rc4 = { backend, allowWeak: true }
      assert.ok(
        (await stringToKeyAsync(23, 'pw', 'x', rc4)).equals(stringToKey(23, 'pw', 'x', rc4)),
      )
    })
  }

  test('RFC 3962 and RFC 8009 string-to-key vectors through the Node pbkdf2Async', async () => {
    interface V {
      readonly id: string
      readonly etype?: number
      readonly passphrase_hex: string
      readonly salt_hex: string
      readonly params: string | null
      readonly key?: string
      readonly aes128_key?: string
      readonly aes256_key?: string
    }
    const sha1 = readJsonFixture<{ vectors: V[] }>('vectors', 'aes-sha1-string-to-key.json')
    const sha2 = readJsonFixture<{ string_to_key: V[] }>('vectors', 'aes-sha2.json')
    const run = async (etype: number, v: V): Promise<string> => {
      const o = v.params === null ? {} : { params: h(v.params), allowLowIterations: true }
      const k = await stringToKeyAsync(etype, h(v.passphrase_hex), h(v.salt_hex), {
        ...o,
        backend: nodeBackend,
      })
      return x(k.bytes)
    }
    for (const v of sha1.vectors) {
      assert.equal(await run(17, v), v.aes128_key, v.id)
      assert.equal(await run(18, v), v.aes256_key, v.id)
    }
    for (const v of sha2.string_to_key) assert.equal(await run(v.etype!, v), v.key, v.id)
  })

  test('the Node backend runs PBKDF2 through pbkdf2Async, once', async () => {
    const spy = s2kSpy(nodeBackend, 'pw')
    await stringToKeyAsync(18, 'pw', 'salt', { backend: spy.backend })
    assert.deepEqual(spy.iterations, [4096])
  })

  test('parameter checks come first: bad s2kparams and too many iterations throw ERR_KRB_S2K_PARAMS, no PBKDF2', async () => {
    const spy = s2kSpy(nodeBackend, 'pw')
    const cases: [number, Uint8Array, number | undefined][] = [
      [18, be32(0), undefined], // 2^32
      [18, be32(0x1000000), undefined], // MIT's ceiling
      [18, new Uint8Array(3), undefined],
      [20, be32(4096), undefined], // below aes-sha2's default
      [18, be32(0xffffff), 262144], // above maxIterations
    ]
    for (const [etype, params, maxIterations] of cases) {
      const o = {
        backend: spy.backend,
        params,
        ...(maxIterations !== undefined ? { maxIterations } : {}),
      }
      await assert.rejects(stringToKeyAsync(etype, 'pw', 'salt', o), (e: unknown) => {
        return e instanceof KerberosError && e.code === 'ERR_KRB_S2K_PARAMS'
      })
      assert.throws(() => stringToKey(etype, 'pw', 'salt', o), KerberosError)
    }
    assert.equal(spy.count, 0)
    await assert.rejects(stringToKeyAsync(18, 'pw', 'salt', { maxIterations: 0 }), RangeError)
  })

  test('maxIterations: the message names the count and the option', () => {
    assert.throws(
      () => stringToKey(18, 'pw', 's', { params: be32(0xffffff), maxIterations: 100000 }),
      /refused 16777215 string-to-key iterations for aes256-cts-hmac-sha1-96: more than maxIterations 100000/,
    )
  })
})

describe('stringToKeyIterations', () => {
  test('defaults, params, rc4, and the same refusals', () => {
    assert.equal(stringToKeyIterations(18), 4096)
    assert.equal(stringToKeyIterations(17, be32(5000)), 5000)
    assert.equal(stringToKeyIterations(20), 32768)
    assert.equal(stringToKeyIterations(26), 32768)
    assert.equal(stringToKeyIterations(23, undefined, { allowWeak: true }), undefined)
    assert.equal(stringToKeyIterations(18, be32(MAX_S2K_ITERATIONS)), 0xffffff)
    assert.throws(() => stringToKeyIterations(18, be32(0x1000000)), KerberosError)
    assert.throws(() => stringToKeyIterations(18, be32(100)), KerberosError)
    assert.equal(stringToKeyIterations(18, be32(100), { allowLowIterations: true }), 100)
    assert.throws(
      () => stringToKeyIterations(18, be32(5000), { maxIterations: 4096 }),
      KerberosError,
    )
  })
})
