/** The fetch-based KKDCP transport (core) and the Node transport's https attempts, against hostile servers. */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTLSServer } from 'node:https'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { createKKDCPTransport } from '../../src/client/kkdcp-transport.js'
import { createNodeTransport, type KDCAttempt } from '../../src/node/transport.js'
import {
  KKDCP_CONTENT_TYPE,
  decodeKDCProxyMessage,
  encodeKDCProxyMessage,
  frameKerbMessage,
  unframeKerbMessage,
} from '../../src/protocol/kkdcp.js'
import { KerberosError } from '../../src/errors.js'
import { makeTestTLS, type TestTLS } from './peers.js'

const AS_REQ = Uint8Array.of(0x6a, 0x03, 0x30, 0x01, 0x00)
const REPLY = Uint8Array.of(0x6b, 0x02, 0x30, 0x00)
const replyBody = encodeKDCProxyMessage({ kerbMessage: frameKerbMessage(REPLY) })

type Handler = (req: IncomingMessage, res: ServerResponse, body: Uint8Array) => void
const hits: Record<string, number> = {}
const seen: { contentType?: string; realm?: string; request?: Uint8Array } = {}

const behaviours: Record<string, Handler> = {
  good: (req, res, body) => {
    const m = decodeKDCProxyMessage(body)
    seen.contentType = req.headers['content-type']
    if (m.targetDomain !== undefined) seen.realm = m.targetDomain
    seen.request = unframeKerbMessage(m.kerbMessage)
    res.setHeader('content-type', KKDCP_CONTENT_TYPE)
    res.end(replyBody)
  },
  redirect: (_req, res) => {
    res.statusCode = 307
    res.setHeader('location', '/good')
    res.end()
  },
  huge: (_req, res) => {
    res.setHeader('content-type', KKDCP_CONTENT_TYPE)
    res.write(new Uint8Array(64 * 1024)) // no content-length: chunked, counted as it streams
    res.end(new Uint8Array(64 * 1024))
  },
  hang: () => {},
  error500: (_req, res) => {
    res.statusCode = 500
    res.end()
  },
  garbage: (_req, res) => res.end('<html>not kerberos</html>'),
  badframe: (_req, res) =>
    res.end(encodeKDCProxyMessage({ kerbMessage: Uint8Array.of(0, 0, 0, 9, 0x6b) })),
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const name = (req.url ?? '/').slice(1)
  hits[name] = (hits[name] ?? 0) + 1
  const parts: Buffer[] = []
  req.on('data', (c: Buffer) => parts.push(c))
  req.on('end', () => behaviours[name]!(req, res, new Uint8Array(Buffer.concat(parts))))
}

const server = createServer(handle)
let base = ''
let dir = ''
let tls: TestTLS
const tlsServer = createTLSServer({}, handle)
let tlsBase = ''

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  dir = mkdtempSync(join(tmpdir(), 'krbts-kkdcp-t-'))
  tls = makeTestTLS(dir)
  tlsServer.setSecureContext({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) })
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', () => r()))
  tlsBase = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`
})

after(() => {
  server.closeAllConnections()
  server.close()
  tlsServer.closeAllConnections()
  tlsServer.close()
  rmSync(dir, { recursive: true, force: true })
})

const code = (c: string) => (e: unknown) => e instanceof KerberosError && e.code === c
const attemptsOf = (e: unknown): { code: string }[] =>
  ((e as KerberosError).context as { attempts: { code: string }[] }).attempts

test('KKDCP transport: POSTs application/kerberos with target-domain and returns the bare reply', async () => {
  const t = createKKDCPTransport({ proxies: `${base}/good` })
  assert.deepEqual(await t.sendToKDC('KRBTS.TEST', AS_REQ), REPLY)
  assert.equal(seen.contentType, 'application/kerberos')
  assert.equal(seen.realm, 'KRBTS.TEST')
  assert.deepEqual(seen.request, AS_REQ)
})

test('KKDCP transport: a realm map picks the realm’s proxies; an unmapped realm is unreachable', async () => {
  const t = createKKDCPTransport({
    proxies: { 'KRBTS.TEST': [`${base}/error500`, `${base}/good`] },
  })
  assert.deepEqual(await t.sendToKDC('KRBTS.TEST', AS_REQ), REPLY)
  await assert.rejects(t.sendToKDC('OTHER.TEST', AS_REQ), code('ERR_KRB_KDC_UNREACHABLE'))
  await assert.rejects(t.sendToKDC('__proto__', AS_REQ), code('ERR_KRB_KDC_UNREACHABLE'))
})

test('review M: a KDC proxy that redirects is not followed', async () => {
  hits.good = 0
  const t = createKKDCPTransport({ proxies: [`${base}/redirect`] })
  await assert.rejects(t.sendToKDC('KRBTS.TEST', AS_REQ), code('ERR_KRB_KDC_UNREACHABLE'))
  assert.equal(hits.good, 0)
})

test('review M: an oversize, malformed or non-200 proxy reply fails that attempt and the next proxy is tried', async () => {
  const t = createKKDCPTransport({
    proxies: ['huge', 'garbage', 'badframe', 'error500', 'good'].map((p) => `${base}/${p}`),
    maxReplyBytes: 4096,
  })
  assert.deepEqual(await t.sendToKDC('KRBTS.TEST', AS_REQ), REPLY)
  const none = createKKDCPTransport({
    proxies: ['huge', 'garbage', 'badframe', 'error500'].map((p) => `${base}/${p}`),
    maxReplyBytes: 4096,
  })
  const err = await none.sendToKDC('KRBTS.TEST', AS_REQ).catch((e: unknown) => e)
  assert.ok(code('ERR_KRB_KDC_UNREACHABLE')(err))
  assert.deepEqual(
    attemptsOf(err).map((a) => a.code),
    ['ERR_KRB_TRANSPORT', 'ERR_KRB_ASN1_DECODE', 'ERR_KRB_TRANSPORT', 'ERR_KRB_TRANSPORT'],
  )
})

test('KKDCP transport: a proxy that never answers times out (timeoutMs) and the next is tried', async () => {
  const t = createKKDCPTransport({ proxies: [`${base}/hang`, `${base}/good`], timeoutMs: 300 })
  const started = Date.now()
  assert.deepEqual(await t.sendToKDC('KRBTS.TEST', AS_REQ), REPLY)
  assert.ok(Date.now() - started < 3000)
})

test('KKDCP transport: the caller’s AbortSignal ends the exchange with ERR_KRB_ABORTED', async () => {
  const t = createKKDCPTransport({ proxies: [`${base}/hang`, `${base}/good`] })
  const started = Date.now()
  await assert.rejects(
    t.sendToKDC('KRBTS.TEST', AS_REQ, { signal: AbortSignal.timeout(200) }),
    code('ERR_KRB_ABORTED'),
  )
  assert.ok(Date.now() - started < 3000)
  await assert.rejects(
    t.sendToKDC('KRBTS.TEST', AS_REQ, { signal: AbortSignal.abort() }),
    code('ERR_KRB_ABORTED'),
  )
})

test('createKKDCPTransport: argument errors are TypeErrors', async () => {
  assert.throws(() => createKKDCPTransport({} as never), TypeError)
  const t = createKKDCPTransport({ proxies: `${base}/good` })
  await assert.rejects(t.sendToKDC('', AS_REQ), TypeError)
})

function nodeHTTPS(paths: readonly string[], ca?: string) {
  return createNodeTransport({
    locate: async () =>
      paths.map((p) => ({
        host: '127.0.0.1',
        port: 0,
        protocol: 'https' as const,
        url: `${tlsBase}/${p}`,
        source: 'config' as const,
      })),
    httpAnchors: ca ?? readFileSync(tls.ca, 'utf8'),
    attemptTimeoutMs: 500,
    deadlineMs: 3000,
    maxReplyBytes: 4096,
  })
}

test('Node transport https KDC: relays through a TLS proxy trusted via httpAnchors', async () => {
  assert.deepEqual(await nodeHTTPS(['good']).sendToKDC('KRBTS.TEST', AS_REQ), REPLY)
})

test('review M: Node transport refuses a proxy whose certificate the anchors do not cover', async () => {
  const other = makeTestTLS(mkdtempSync(join(dir, 'other-')))
  const err = await nodeHTTPS(['good'], readFileSync(other.ca, 'utf8'))
    .sendToKDC('KRBTS.TEST', AS_REQ)
    .catch((e: unknown) => e)
  assert.ok(code('ERR_KRB_KDC_UNREACHABLE')(err))
  assert.match((attemptsOf(err)[0] as KDCAttempt).code, /CERT|SIGNATURE|ISSUER/)
})

test('review M: Node transport https: oversize, redirect, malformed and hanging proxies fail their attempts', async () => {
  const err = await nodeHTTPS(['huge', 'redirect', 'badframe', 'hang'])
    .sendToKDC('KRBTS.TEST', AS_REQ)
    .catch((e: unknown) => e)
  assert.ok(code('ERR_KRB_KDC_UNREACHABLE')(err))
  assert.deepEqual(
    attemptsOf(err).map((a) => a.code),
    ['ERR_KRB_TRANSPORT', 'ERR_KRB_TRANSPORT', 'ERR_KRB_TRANSPORT', 'ETIMEDOUT'],
  )
})
