import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as k from '../../src/asn1/index.js'
import { DerWriter } from '../../src/asn1/der.js'
import { KerberosError } from '../../src/errors.js'
import { baseName, loadCaptured, loadReferenceVectors, referenceCodec } from './helpers.js'
import { makeAPReqSample } from './samples.js'

/**
 * Mutations per type: 100,000 for each (about 11 s for all 26 types on one core).
 * ASN1_FUZZ_ITERATIONS sets another count, e.g. 10000 for a quick run.
 */
const override =
  process.env.ASN1_FUZZ_ITERATIONS === undefined
    ? undefined
    : Number(process.env.ASN1_FUZZ_ITERATIONS)
const iterationsFor = (): number => override ?? 100_000

function expectDecodeError(fn: () => unknown, what: string): boolean {
  try {
    fn()
    return false
  } catch (err) {
    if (!(err instanceof KerberosError) || err.code !== 'ERR_KRB_ASN1_DECODE') {
      assert.fail(
        `${what}: expected ERR_KRB_ASN1_DECODE, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
      )
    }
    const ctx = err.context as { structure?: unknown; offset?: unknown }
    assert.equal(typeof ctx.structure, 'string', `${what}: context.structure`)
    assert.equal(typeof ctx.offset, 'number', `${what}: context.offset`)
    return true
  }
}

interface Corpus {
  readonly type: string
  readonly decode: (b: Uint8Array) => unknown
  readonly seeds: Uint8Array[]
}

/** Seeds per type: MIT's vectors, captured KDC messages, the realistic sample. */
function corpora(): Corpus[] {
  const byType = new Map<string, Corpus>()
  const add = (type: string, decode: (b: Uint8Array) => unknown, seed: Uint8Array): void => {
    let c = byType.get(type)
    if (!c) byType.set(type, (c = { type, decode, seeds: [] }))
    c.seeds.push(seed)
  }
  for (const v of loadReferenceVectors()) {
    const codec = referenceCodec(v.name)
    if (codec) add(baseName(v.name).replace('encode_krb5_', ''), codec.decode, v.bytes)
  }
  const capturedType: Readonly<Record<string, string>> = {
    'AS-REQ': 'as_req',
    'TGS-REQ': 'tgs_req',
    'AS-REP': 'as_rep',
    'TGS-REP': 'tgs_rep',
    'KRB-ERROR': 'error',
    'AP-REQ': 'ap_req',
  }
  for (const f of loadCaptured()) {
    const type = k.decodeKerberosMessage(f.bytes).type
    add(capturedType[type] ?? `captured ${type}`, k.decodeKerberosMessage, f.bytes)
  }
  const s = makeAPReqSample()
  add('ap_req', k.decodeAPReq, s.apReqDer)
  add('enc_tkt_part', k.decodeEncTicketPart, s.encTicketPartDer)
  add('authenticator', k.decodeAuthenticator, s.authenticatorDer)
  return [...byType.values()]
}

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

/** A small deterministic PRNG so failures reproduce. */
function prng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1
  return (n) => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) % n
  }
}

function mutate(seed: Uint8Array, rnd: (n: number) => number): Uint8Array {
  const b = Uint8Array.from(seed)
  switch (rnd(7)) {
    case 0: {
      const n = 1 + rnd(4)
      for (let i = 0; i < n; i++) b[rnd(b.length)] = rnd(256)
      return b
    }
    case 1:
      b[rnd(b.length)]! ^= 1 << rnd(8)
      return b
    case 2: {
      // A long-form length where there was a short one: huge or inconsistent lengths.
      const at = rnd(b.length)
      const out = new Uint8Array(b.length + 4)
      out.set(b.subarray(0, at))
      out.set([0x84, rnd(256), rnd(256), rnd(256)], at)
      out.set(b.subarray(at + 1), at + 4)
      return out
    }
    case 3: {
      const at = rnd(b.length + 1)
      const out = new Uint8Array(b.length + 1)
      out.set(b.subarray(0, at))
      out[at] = rnd(256)
      out.set(b.subarray(at), at + 1)
      return out
    }
    case 4: {
      const at = rnd(b.length)
      const out = new Uint8Array(b.length - 1)
      out.set(b.subarray(0, at))
      out.set(b.subarray(at + 1), at)
      return out
    }
    case 5:
      // Indefinite length or tag-number escapes at a random spot.
      b[rnd(b.length)] = [0x80, 0x1f, 0x3f, 0xbf, 0x00, 0xff][rnd(6)]!
      return b
    default: {
      const from = rnd(b.length)
      const to = rnd(b.length)
      b.copyWithin(to, from, from + 1 + rnd(16))
      return b
    }
  }
}

test('random mutations per message type: decoders return or throw ERR_KRB_ASN1_DECODE, nothing else', (t) => {
  // Stack traces are most of the cost of a throw; the decoders do not depend on them.
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  const started = performance.now()
  const summary: string[] = []
  let total = 0
  try {
    for (const c of all) {
      const rnd = prng(0x5eed + c.type.length * 7919 + c.seeds.length)
      let accepted = 0
      const iterations = iterationsFor()
      total += iterations
      for (let i = 0; i < iterations; i++) {
        const seed = c.seeds[i % c.seeds.length]!
        const input = mutate(seed, rnd)
        if (!expectDecodeError(() => c.decode(input), `${c.type} mutation ${i}`)) accepted++
        if ((i & 7) === 0)
          expectDecodeError(
            () => k.decodeKerberosMessage(input),
            `${c.type} mutation ${i} as message`,
          )
      }
      summary.push(
        `${c.type}: ${iterations} mutations, ${iterations - accepted} rejected, ${accepted} still valid`,
      )
    }
  } finally {
    Error.stackTraceLimit = limit
  }
  t.diagnostic(
    `${total} mutations over ${all.length} types in ${Math.round(performance.now() - started)} ms`,
  )
  for (const line of summary) t.diagnostic(line)
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
