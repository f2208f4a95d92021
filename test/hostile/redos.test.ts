/**
 * Review #1 (issue 10): no parser of untrusted text may take super-linear time. Each parser gets
 * pathological whitespace and repetition at 1 KiB and at 64 KiB; one 64 KiB call must cost no
 * more than a small multiple of 64 calls on 1 KiB (linear scaling), and stay far below the
 * measured cost of the attack on the old header regex (~0.3 s at 16 KiB, ~5.4 s at 64 KiB).
 *
 * Covered: parseNegotiateHeader and negotiate() (server), serverNegotiateToken and the
 * 401-challenge check of negotiateFetch (client; the header comes from the server), parsePrincipal,
 * the CLI's token text decoder (`token dump`, also the `asn1 dump` hex/base64 rules), fromHex,
 * fromBase64, and a real node:http server with a 64 KiB header limit.
 */
import assert from 'node:assert/strict'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { decodeTokenText } from '../../src/cli/token.js'
import { negotiateFetch, serverNegotiateToken } from '../../src/http/fetch.js'
import { negotiateMiddleware } from '../../src/http/middleware.js'
import { negotiate, parseNegotiateHeader } from '../../src/http/negotiate.js'
import { fromBase64, fromHex } from '../../src/internal/bytes.js'
import { parsePrincipal } from '../../src/principal.js'
import { looksLikeIPAddress } from '../../src/client/explain.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { fakeService } from '../helpers/gss-peers.js'

const SMALL = 1024
const LARGE = 64 * 1024
/** Allowed ratio between one 64 KiB call and 64 calls of 1 KiB (linear is ~1; quadratic ~64). */
const FACTOR = 16
/** Absolute slack for timer noise and GC on a loaded 2-core machine, in ms. */
const SLACK_MS = 100
/** Hard ceiling for one 64 KiB call, in ms (the old regex: ~5,400 ms). */
const CEILING_MS = 1000

function best(reps: number, f: () => void): number {
  let min = Infinity
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now()
    f()
    min = Math.min(min, performance.now() - t0)
  }
  return min
}

function swallow(run: (text: string) => unknown, text: string): void {
  try {
    run(text)
  } catch {
    // Refusing is fine; only the time counts here.
  }
}

/** Assert `run` is linear on `make(n)`: one LARGE call vs LARGE/SMALL calls on SMALL. */
function assertLinear(make: (n: number) => string, run: (text: string) => unknown): void {
  const small = make(SMALL)
  const large = make(LARGE)
  assert.ok(large.length >= LARGE / 2, 'the large input is large')
  for (let i = 0; i < 3; i++) {
    swallow(run, small)
    swallow(run, large)
  }
  const times = LARGE / SMALL
  const tSmall = best(9, () => {
    for (let i = 0; i < times; i++) swallow(run, small)
  })
  const tLarge = best(9, () => swallow(run, large))
  assert.ok(
    tLarge <= FACTOR * tSmall + SLACK_MS,
    `64 KiB took ${tLarge.toFixed(2)} ms, 64 × 1 KiB took ${tSmall.toFixed(2)} ms: not linear`,
  )
  assert.ok(tLarge < CEILING_MS, `64 KiB took ${tLarge.toFixed(2)} ms (ceiling ${CEILING_MS} ms)`)
}

const sp = (n: number): string => ' '.repeat(n)
const tabs = (n: number): string => ' \t'.repeat(n >> 1)

describe('review #1: parsers of untrusted text run in linear time', () => {
  const header = (v: string): unknown => parseNegotiateHeader(v, 1 << 20)

  test('review #1: Authorization "Negotiate" + spaces + "a b" is linear (the reported ReDoS)', () => {
    assertLinear((n) => `Negotiate${sp(n)}a b`, header)
    assertLinear((n) => `Negotiate${sp(n)}a`, header)
    assertLinear((n) => `${sp(n)}Negotiate${tabs(n)}AAAA${sp(n)}x`, header)
    assertLinear((n) => `Negotiate ${'A'.repeat(n)}${sp(n)}!`, header)
    assertLinear((n) => `${'x'.repeat(n)} ${sp(n)}`, header)
    assertLinear((n) => `Negotiate ${'A '.repeat(n >> 1)}`, header)
  })

  test('review #1: the header parser refuses inner whitespace and keeps the old answers', () => {
    assert.throws(() => parseNegotiateHeader('Negotiate YII YII'), {
      code: 'ERR_KRB_HTTP_NEGOTIATE',
    })
    assert.throws(() => parseNegotiateHeader(`Negotiate${sp(100)}a b`), {
      code: 'ERR_KRB_HTTP_NEGOTIATE',
    })
    assert.throws(() => parseNegotiateHeader('Negotiate \t '), { code: 'ERR_KRB_HTTP_NEGOTIATE' })
    assert.deepEqual(parseNegotiateHeader(' \tnEgOtIaTe\t YWJj \t'), new Uint8Array([97, 98, 99]))
    assert.equal(parseNegotiateHeader('Basic YTpi'), undefined)
    assert.equal(parseNegotiateHeader('Digest a="b c", d=e'), undefined)
    assert.equal(parseNegotiateHeader('NegotiateX YWJj'), undefined)
    assert.equal(parseNegotiateHeader(''), undefined)
  })

  test('review #1: negotiate() answers the attack header with 400 in linear time', async () => {
    const acceptor = new Acceptor({ keytab: fakeService().keytab })
    const t0 = performance.now()
    const r = await negotiate({ acceptor, authorization: `Negotiate${sp(LARGE - 12)}a b` })
    const ms = performance.now() - t0
    assert.equal(r.status, 400)
    assert.equal(r.error?.code, 'ERR_KRB_HTTP_NEGOTIATE')
    assert.ok(ms < CEILING_MS, `negotiate() took ${ms.toFixed(1)} ms`)
  })

  test('review #1: WWW-Authenticate parsing in the fetch client is linear', async () => {
    assertLinear((n) => `negotiate${sp(n)}a${sp(n)}!`, serverNegotiateToken)
    assertLinear((n) => `${','.repeat(n)}${sp(n)}negotiate${sp(n)}a b`, serverNegotiateToken)
    assertLinear((n) => `Negotiate,${sp(64)}`.repeat(n >> 6), serverNegotiateToken)
    assert.deepEqual(
      serverNegotiateToken('Basic realm="x", Negotiate  YWJj '),
      new Uint8Array([97, 98, 99]),
    )
    assert.equal(serverNegotiateToken('Negotiate YW Jj'), undefined)
    assert.equal(serverNegotiateToken('Negotiate'), undefined)
    // The 401 check runs on the same text: a huge challenge costs little and is not "Negotiate".
    const challenge = `Basic${sp(LARGE)}x, negotiate-ish`
    const kfetch = negotiateFetch({
      fetch: async () =>
        new Response('no', { status: 401, headers: { 'www-authenticate': challenge } }),
      getToken: () => assert.fail('must not ask for a token'),
    })
    const t0 = performance.now()
    assert.equal((await kfetch('http://127.0.0.1/')).status, 401)
    assert.ok(performance.now() - t0 < CEILING_MS)
  })

  test('review #1: parsePrincipal is linear on escapes, separators and repetition', () => {
    assertLinear((n) => '\\\\'.repeat(n >> 1), parsePrincipal)
    assertLinear((n) => 'a/'.repeat(n >> 1), parsePrincipal)
    assertLinear((n) => `${'\\@'.repeat(n >> 1)}@R`, parsePrincipal)
    assertLinear((n) => `${sp(n)}@${sp(n)}@`, parsePrincipal)
  })

  test('review #1: the SPN host check of client error hints is linear (colons, then a non-hex octet)', () => {
    assertLinear((n) => `${':'.repeat(n)}x`, looksLikeIPAddress)
    assertLinear((n) => `[${'0:'.repeat(n >> 1)}%${'.'.repeat(n)}!]`, looksLikeIPAddress)
    assert.equal(looksLikeIPAddress('[fe80::1%eth0]'), true)
    assert.equal(looksLikeIPAddress('web.example.com'), false)
  })

  test('review #1: the CLI token/asn1 text decoders, fromHex and fromBase64 are linear', () => {
    assertLinear((n) => `Authorization${sp(n)}:${sp(n)}Negotiate${sp(n)}a b`, decodeTokenText)
    assertLinear((n) => `negotiate${sp(n)}a${sp(n)}b`, decodeTokenText)
    assertLinear((n) => `${'0:'.repeat(n >> 1)}g`, decodeTokenText)
    assertLinear((n) => `${sp(n)}zz`, fromHex)
    assertLinear((n) => `${'A'.repeat(n)}=!`, fromBase64)
    assertLinear((n) => `${'A'.repeat(n)}===`, fromBase64)
  })
})

describe('review #1: a node:http server with a 64 KiB header limit', () => {
  let server: Server
  let port = 0
  before(async () => {
    const acceptor = new Acceptor({ keytab: fakeService().keytab })
    const mw = negotiateMiddleware({ acceptor })
    server = createServer({ maxHeaderSize: 80 * 1024 }, (req, res) =>
      mw(req, res, () => res.end('hello')),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  after(() => {
    server.closeAllConnections()
    server.close()
  })

  function get(authorization: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/', headers: { authorization }, agent: false },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        },
      )
      req.on('error', reject)
      req.end()
    })
  }

  test('review #1: ten attack requests of 64 KiB are answered 400 without stalling the loop', async () => {
    const attack = `Negotiate${sp(LARGE - 16)}a b`
    const t0 = performance.now()
    const statuses = await Promise.all(Array.from({ length: 10 }, () => get(attack)))
    const ms = performance.now() - t0
    assert.deepEqual(statuses, Array(10).fill(400))
    // The old parser spent ~5.4 s of event loop per request here (54 s for ten).
    assert.ok(ms < 3000, `ten 64 KiB attack requests took ${ms.toFixed(0)} ms`)
  })
})
