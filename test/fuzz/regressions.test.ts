/**
 * Fixed hostile inputs for the fuzz targets: every crash the fuzzer finds gets a line here (one so
 * far: a key of the wrong size in a decrypted part, a keytab or a ccache), plus the classic
 * shapes run on every target — huge DER lengths, indefinite lengths, deep nesting, empty and
 * one-byte inputs, a 2 GiB length prefix, record lengths of INT32_MIN — so they stay covered
 * whatever the PRNG draws.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { badEscape } from './runner.js'
import { fuzzTargets } from './targets.js'
import { fuzzWorld } from './world.js'
import { decodeASRep } from '../../src/asn1/index.js'
import { parseCCache, serializeCCache, type CCache } from '../../src/ccache/index.js'
import { credentialsToCCache } from '../../src/client/index.js'
import { KerberosError, KeytabLookupError } from '../../src/errors.js'
import { KerberosKey } from '../../src/key.js'
import type { Keytab } from '../../src/keytab/index.js'
import { readASReply } from '../../src/protocol/as.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'))

function nested(depth: number, tag: number): Uint8Array {
  let b = new Uint8Array([0x30, 0x00])
  for (let i = 0; i < depth; i++) {
    const n = b.length
    const len =
      n < 0x80
        ? [n]
        : n < 0x100
          ? [0x81, n]
          : n < 0x10000
            ? [0x82, n >> 8, n & 0xff]
            : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]
    const next = new Uint8Array(1 + len.length + n)
    next[0] = tag
    next.set(len, 1)
    next.set(b, 1 + len.length)
    b = next
  }
  return b
}

/** Inputs found by the fuzzer that once escaped or hung: `target`, the input, what it was. */
const FOUND: readonly { target: string; input: Uint8Array; note: string }[] = [
  {
    // seed 7, iteration 219529: an EncTicketPart whose aes256 session key has 31 octets made
    // Acceptor.accept throw RangeError from the crypto layer; decodeEncryptionKey now refuses
    // keys of the wrong size for the implemented enctypes (ERR_KRB_ASN1_DECODE).
    target: 'ticket-plain',
    note: '31-octet aes256 session key in the ticket',
    input: hex(
      '63818d30818aa00703050040600000a12b3029a003020112a12204811fe28072477ef4039b3da2bf' +
        '7c1cd59cc6384eaf7b2cc6c472184705315e18ffa20b1b0946555a5a2e54455384a3123010a00302' +
        '0101a10930071b05616c696365a40b3009a003020101a1020400a511180f32303236313132333036' +
        '333631385aa711180f32303236313132343036333631385a',
    ),
  },
]

/** Shapes every target gets. */
const SHAPES: readonly { name: string; input: Uint8Array }[] = [
  { name: 'empty', input: new Uint8Array(0) },
  { name: 'one byte', input: hex('30') },
  { name: 'length 0x84ffffffff', input: hex('6b84ffffffff3003020105') },
  { name: 'length 0x88 (8 length octets)', input: hex('3088ffffffffffffffff00') },
  { name: 'indefinite length', input: hex('6a80308000000000') },
  { name: 'tag number escape', input: hex('7f8f8f8f8f8f8f0f00') },
  { name: 'non-minimal length', input: hex('6b8200033001 00') },
  { name: 'AS-REP shell with a huge inner length', input: hex('6b0a3008a0840fffffff020105') },
  { name: 'SEQUENCEs 5,000 deep', input: nested(5000, 0x30) },
  { name: 'context tags 5,000 deep', input: nested(5000, 0xa0) },
  {
    name: 'APPLICATION 14 around deep nesting',
    input: Uint8Array.from([
      0x6e,
      0x83,
      ...lenBytes(nested(3000, 0x30).length),
      ...nested(3000, 0x30),
    ]),
  },
  {
    name: 'GSS framing with a 2^31 length',
    input: hex('60848000000006092a864886f71201020201006e00'),
  },
  { name: 'keytab record of INT32_MIN', input: hex('0502 80000000 0001') },
  { name: 'keytab record of INT32_MAX', input: hex('0502 7fffffff 0001') },
  { name: 'ccache v4 with a huge header length', input: hex('0504 ffff 0001 0008 ffffffff') },
  { name: 'ccache v4 with 2^32-1 components', input: hex('0504 0000 00000001 ffffffff 0000000a') },
  {
    name: 'krb5.conf: unclosed braces 1,000 deep',
    input: Uint8Array.from(Buffer.from('[a]\n' + 'x = {\n'.repeat(1000))),
  },
  {
    name: 'krb5.conf: one 100 KB line',
    input: Uint8Array.from(Buffer.from('[libdefaults]\nd = ' + 'A'.repeat(100_000))),
  },
  {
    name: 'Negotiate header of 64 KiB',
    input: Uint8Array.from(Buffer.from('Negotiate ' + 'A'.repeat(65_536))),
  },
  {
    name: 'Negotiate header, control bytes',
    input: Uint8Array.from(Buffer.from('Negotiate \u0000\u0001\u00ff==', 'latin1')),
  },
  {
    name: 'NTLMSSP',
    input: Uint8Array.from(
      Buffer.from('TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAF1YAAAADw==', 'base64'),
    ),
  },
]

function lenBytes(n: number): number[] {
  return [n >> 16, (n >> 8) & 0xff, n & 0xff]
}

async function check(target: string, input: Uint8Array, what: string): Promise<void> {
  const t = fuzzTargets().find((x) => x.name === target)!
  const t0 = performance.now()
  let escaped: string | undefined
  try {
    await t.run(input)
  } catch (err) {
    escaped = badEscape(err)
  }
  const ms = performance.now() - t0
  assert.equal(escaped, undefined, `${target} / ${what}: ${escaped}`)
  assert.ok(ms < 1000, `${target} / ${what}: ${ms.toFixed(0)} ms`)
}

test('inputs the fuzzer found stay fixed', async () => {
  for (const f of FOUND) await check(f.target, f.input, f.note)
})

test('hostile shapes on every target: only KerberosError, and fast', async () => {
  for (const t of fuzzTargets()) {
    for (const s of SHAPES) await check(t.name, s.input, s.name)
  }
})

// Found by the fuzz work too: a key of the wrong size read from a keytab or ccache (a damaged or
// hand-made file) used to reach the crypto layer and throw RangeError on first use.
test('a keytab key of the wrong size is a key that cannot decrypt, for the acceptor and for login', () => {
  const w = fuzzWorld()
  const damaged: Keytab = {
    ...w.serviceKeytab,
    entries: w.serviceKeytab.entries.map((e) => ({
      ...e,
      key: new KerberosKey(e.key.enctype, new Uint8Array(e.key.length - 1)),
    })),
  }
  assert.throws(
    () => new Acceptor({ keytab: damaged }).accept(w.apReqs[0]!),
    (e: unknown) => e instanceof KeytabLookupError && e.reason === 'cannot-decrypt',
  )
  const etype = decodeASRep(w.asReply).encPart.etype
  assert.throws(
    () =>
      readASReply(w.asReply, {
        request: w.asRequest,
        keys: () => [new KerberosKey(etype, new Uint8Array(31))],
      }),
    (e: unknown) => e instanceof KerberosError && e.code === 'ERR_KRB_NO_CREDENTIALS',
  )
})

test('a ccache credential whose session key has the wrong size is a format error at parse', () => {
  const w = fuzzWorld()
  const good = credentialsToCCache([w.tgt])
  const bad: CCache = {
    ...good,
    credentials: good.credentials.map((c) => ({
      ...c,
      key: new KerberosKey(18, new Uint8Array(31)),
    })),
  }
  assert.throws(
    () => parseCCache(serializeCCache(bad)),
    (e: unknown) =>
      e instanceof KerberosError &&
      e.code === 'ERR_KRB_CCACHE_FORMAT' &&
      typeof e.context.offset === 'number',
  )
})
