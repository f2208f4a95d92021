/** Shared pieces of the bad-input tests: the error check, seed corpora, a PRNG and the mutator. */
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import * as k from '../../src/asn1/index.js'
import { KerberosError } from '../../src/errors.js'
import { baseName, loadCaptured, loadReferenceVectors, referenceCodec } from './helpers.js'
import { makeAPReqSample } from './samples.js'

/** The ten messages that arrive from a peer or a KDC before any integrity check. */
export const WIRE_TYPES: ReadonlySet<string> = new Set([
  'as_req',
  'tgs_req',
  'as_rep',
  'tgs_rep',
  'ap_req',
  'ap_rep',
  'safe',
  'priv',
  'cred',
  'error',
])

/** Mutations per type: 100,000, or ASN1_FUZZ_ITERATIONS (e.g. 10000 for a quick run). */
export const ITERATIONS: number =
  process.env.ASN1_FUZZ_ITERATIONS === undefined
    ? 100_000
    : Number(process.env.ASN1_FUZZ_ITERATIONS)

export function expectDecodeError(fn: () => unknown, what: string): boolean {
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

export interface Corpus {
  readonly type: string
  readonly decode: (b: Uint8Array) => unknown
  readonly seeds: Uint8Array[]
}

/** Seeds per type: MIT's vectors, captured KDC messages, the realistic sample. */
export function corpora(): Corpus[] {
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

/** A small deterministic PRNG (xorshift32) so failures reproduce. */
export function prng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1
  return (n) => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) % n
  }
}

/** One random mutation of `seed` (the seed itself is not changed). */
export function mutate(seed: Uint8Array, rnd: (n: number) => number): Uint8Array {
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

/** Run ITERATIONS mutations of each corpus through its decoder and decodeKerberosMessage. */
export function fuzzCorpora(t: TestContext, corpora: readonly Corpus[]): void {
  // Stack traces are most of the cost of a throw; the decoders do not depend on them.
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  const started = performance.now()
  const summary: string[] = []
  try {
    for (const c of corpora) {
      const rnd = prng(0x5eed + c.type.length * 7919 + c.seeds.length)
      let accepted = 0
      for (let i = 0; i < ITERATIONS; i++) {
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
        `${c.type}: ${ITERATIONS} mutations, ${ITERATIONS - accepted} rejected, ${accepted} still valid`,
      )
    }
  } finally {
    Error.stackTraceLimit = limit
  }
  t.diagnostic(
    `${ITERATIONS * corpora.length} mutations over ${corpora.length} types in ${Math.round(performance.now() - started)} ms`,
  )
  for (const line of summary) t.diagnostic(line)
}
