import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as k from '../../src/asn1/index.js'
import { DerWriter } from '../../src/asn1/der.js'
import { KerberosError } from '../../src/errors.js'
import { corpora, expectDecodeError, mutate, prng } from './fuzz.js'
import { makeAPReqSample } from './samples.js'

const all = corpora()

test('every truncation of every golden message fails with ERR_KRB_ASN1_DECODE', () => {
  let n = 0
  for (const c of all) {
    for (const seed of c.seeds) {
      for (let len = 0; len < seed.length; len++) {
        const cut = seed.subarray(0, len)
        assert.ok(
          expectDecodeError(() => c.decode(cut), `${c.type} cut at ${len}`),
          `${c.type} cut at ${len} decoded`,
        )
        expectDecodeError(() => k.decodeKerberosMessage(cut), `message ${c.type} cut at ${len}`)
        n++
      }
    }
  }
  assert.ok(n > 10_000, `only ${n} truncations`)
})

test('trailing bytes after a message are refused', () => {
  for (const c of all) {
    for (const seed of c.seeds) {
      const longer = new Uint8Array(seed.length + 1)
      longer.set(seed)
      assert.ok(expectDecodeError(() => c.decode(longer), `${c.type} + 1 byte`))
    }
  }
})

test('random bytes: decodeKerberosMessage and dumpASN1 throw ERR_KRB_ASN1_DECODE or succeed', () => {
  const rnd = prng(42)
  for (let i = 0; i < 20_000; i++) {
    const b = new Uint8Array(rnd(64))
    for (let j = 0; j < b.length; j++) b[j] = rnd(256)
    if (i % 2 === 0 && b.length > 0) b[0] = 0x60 | rnd(31)
    expectDecodeError(() => k.decodeKerberosMessage(b), `random ${i}`)
    if (i % 10 === 0) expectDecodeError(() => k.dumpASN1(b), `dump random ${i}`)
  }
})

test('mutated messages through dumpASN1 fail only with ERR_KRB_ASN1_DECODE', () => {
  const rnd = prng(7)
  for (const c of all) {
    for (let i = 0; i < 300; i++)
      expectDecodeError(
        () => k.dumpASN1(mutate(c.seeds[i % c.seeds.length]!, rnd)),
        `dump ${c.type}`,
      )
  }
})

function nested(depth: number, tag: number, definite: boolean): Uint8Array {
  if (!definite) {
    const b = new Uint8Array(depth * 2)
    for (let i = 0; i < depth; i++) {
      b[2 * i] = tag
      b[2 * i + 1] = 0x80
    }
    return b
  }
  const w = new DerWriter()
  w.integer(5)
  for (let i = 0; i < depth; i++) w.wrap(tag, 0)
  return w.finish()
}

test('100,000 nested headers fail fast with ERR_KRB_ASN1_DECODE (decoders and dump)', () => {
  const decoders: [string, (b: Uint8Array) => unknown][] = [
    ['message', k.decodeKerberosMessage],
    ['AP-REQ', k.decodeAPReq],
    ['AuthorizationData', k.decodeAuthorizationData],
    ['METHOD-DATA', k.decodeMethodData],
    ['PrincipalName', k.decodePrincipalName],
    ['dump', (b) => k.dumpASN1(b)],
  ]
  for (const [tag, definite] of [
    [0x30, true],
    [0x30, false],
    [0x6e, true],
    [0xa0, true],
    [0xa3, false],
  ] as const) {
    const input = nested(100_000, tag, definite)
    for (const [name, decode] of decoders) {
      const t0 = performance.now()
      assert.ok(expectDecodeError(() => decode(input), `${name} nested ${tag.toString(16)}`))
      const ms = performance.now() - t0
      assert.ok(ms < 1000, `${name} took ${ms} ms on nested 0x${tag.toString(16)}`)
    }
  }
})

test('error messages name the structure, the field path and the offset', () => {
  const s = makeAPReqSample()
  const b = Uint8Array.from(s.apReqDer)
  // Corrupt the tag of the ticket's enc-part cipher (the first long OCTET STRING).
  const at = b.findIndex((x, i) => x === 0x04 && b[i + 1] === 0x82)
  b[at] = 0x05
  try {
    k.decodeAPReq(b)
    assert.fail('decoded')
  } catch (err) {
    assert.ok(err instanceof KerberosError)
    assert.equal(err.code, 'ERR_KRB_ASN1_DECODE')
    assert.deepEqual(err.context, {
      structure: 'AP-REQ',
      field: 'ticket.enc-part.cipher',
      offset: at,
    })
    assert.match(
      err.message,
      /^cannot decode AP-REQ: ticket\.enc-part\.cipher at offset \d+: expected OCTET STRING, found NULL/,
    )
  }
})
