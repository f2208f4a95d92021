/** The KDC proxy handler: what it relays, and every way a hostile client is refused. */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, request, type Server } from 'node:http'
import { createServer as createTLSServer, type Server as TLSServer } from 'node:https'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { createKDCProxyHandler, type KDCProxyEvent } from '../../src/node/kdc-proxy.js'
import type { Transport } from '../../src/client/transport.js'
import {
  decodeKDCProxyMessage,
  encodeKDCProxyMessage,
  frameKerbMessage,
  unframeKerbMessage,
  wrapKKDCPRequest,
} from '../../src/protocol/kkdcp.js'
import { parseConfig } from '../../src/config/index.js'
import { makeTestTLS } from './peers.js'

const AS_REQ = Uint8Array.of(0x6a, 0x03, 0x30, 0x01, 0x00)
const REPLY = Uint8Array.of(0x6b, 0x02, 0x30, 0x00)

interface Spy extends Transport {
  calls: { realm: string; request: Uint8Array }[]
}
function spyTransport(): Spy {
  const calls: Spy['calls'] = []
  return {
    calls,
    async sendToKDC(realm, req) {
      calls.push({ realm, request: req })
      return REPLY
    },
  }
}

async function listen(server: Server | TLSServer): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return (server.address() as AddressInfo).port
}

function post(
  port: number,
  body: Uint8Array | undefined,
  o: { method?: string; headers?: Record<string, string | number>; slow?: boolean } = {},
): Promise<{ status: number; body: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: o.method ?? 'POST',
        path: '/KdcProxy',
        headers: o.headers,
      },
      (res) => {
        const parts: Buffer[] = []
        res.on('data', (c: Buffer) => parts.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode!, body: new Uint8Array(Buffer.concat(parts)) }),
        )
      },
    )
    req.on('error', reject)
    if (o.slow === true) req.write(body!.subarray(0, 2))
    else req.end(body)
  })
}

let spy: Spy
let events: KDCProxyEvent[]
let server: Server
let port: number

before(async () => {
  spy = spyTransport()
  events = []
  server = createServer(
    createKDCProxyHandler({
      realms: ['KRBTS.TEST'],
      transport: spy,
      maxRequestBytes: 1024,
      bodyTimeoutMs: 300,
      log: (e) => events.push(e),
    }),
  )
  port = await listen(server)
})

after(() => {
  server.closeAllConnections()
  server.close()
})

test('KDC proxy relays an AS-REQ for an allowed realm and frames the reply', async () => {
  spy.calls.length = 0
  const res = await post(port, wrapKKDCPRequest(AS_REQ, 'KRBTS.TEST'))
  assert.equal(res.status, 200)
  assert.deepEqual(unframeKerbMessage(decodeKDCProxyMessage(res.body).kerbMessage), REPLY)
  assert.equal(decodeKDCProxyMessage(res.body).targetDomain, undefined)
  assert.deepEqual(spy.calls, [{ realm: 'KRBTS.TEST', request: AS_REQ }])
})

test('review M: a realm not on the allow-list is refused (403) and no KDC is asked', async () => {
  spy.calls.length = 0
  for (const realm of ['EVIL.TEST', 'krbts.test', 'KRBTS.TEST.', 'KRBTS.TEST\0']) {
    const res = await post(port, wrapKKDCPRequest(AS_REQ, realm))
    assert.equal(res.status, 403, realm)
  }
  assert.equal(spy.calls.length, 0)
})

test('review M: no target-domain, bad framing, garbage and non-KDC messages are 400', async () => {
  spy.calls.length = 0
  const apReq = Uint8Array.of(0x6e, 0x00)
  const bodies = [
    encodeKDCProxyMessage({ kerbMessage: frameKerbMessage(AS_REQ) }), // no target-domain
    encodeKDCProxyMessage({
      kerbMessage: Uint8Array.of(0, 0, 0, 9, 0x6a),
      targetDomain: 'KRBTS.TEST',
    }),
    Uint8Array.of(1, 2, 3),
    new Uint8Array(0),
    wrapKKDCPRequest(apReq, 'KRBTS.TEST'), // an AP-REQ: not something to relay to a KDC
    wrapKKDCPRequest(Uint8Array.of(0x7e, 0x00), 'KRBTS.TEST'), // a KRB-ERROR
  ]
  for (const b of bodies) assert.equal((await post(port, b)).status, 400)
  assert.equal(spy.calls.length, 0)
})

test('review M: request bodies over the limit are 413 (declared and streamed) before any relay', async () => {
  spy.calls.length = 0
  const big = wrapKKDCPRequest(new Uint8Array(2000).fill(0x6a), 'KRBTS.TEST')
  assert.equal((await post(port, big)).status, 413)
  // Chunked (no content-length): counted as it streams.
  assert.equal((await post(port, big, { headers: { 'transfer-encoding': 'chunked' } })).status, 413)
  assert.equal(spy.calls.length, 0)
})

test('review M: a client that stops sending its body gets 408 after bodyTimeoutMs', async () => {
  const body = wrapKKDCPRequest(AS_REQ, 'KRBTS.TEST')
  const started = Date.now()
  const res = await post(port, body, { slow: true, headers: { 'content-length': body.length } })
  assert.equal(res.status, 408)
  assert.ok(Date.now() - started < 3000)
})

test('KDC proxy: other methods are 405 with Allow: POST', async () => {
  assert.equal((await post(port, undefined, { method: 'GET' })).status, 405)
  assert.equal((await post(port, undefined, { method: 'PUT' })).status, 405)
})

test('KDC proxy: a transport failure is 503 and the log names no bytes', async () => {
  const failing = createServer(
    createKDCProxyHandler({
      realms: ['KRBTS.TEST'],
      transport: {
        sendToKDC: () => Promise.reject(new Error('down')),
      },
      log: (e) => events.push(e),
    }),
  )
  const p = await listen(failing)
  assert.equal((await post(p, wrapKKDCPRequest(AS_REQ, 'KRBTS.TEST'))).status, 503)
  failing.close()
  assert.ok(events.every((e) => !('body' in e)))
})

test('review M: the proxy is not an open relay: https KDC entries in krb5.conf are never followed', async () => {
  // krb5.conf names only an https "KDC" (another proxy, or the proxy itself: a loop).
  const dir = mkdtempSync(join(tmpdir(), 'krbts-kkdcp-'))
  try {
    const tls = makeTestTLS(dir)
    let contacted = 0
    const other = createTLSServer(
      { cert: readFileSync(tls.cert), key: readFileSync(tls.key) },
      (_req, res) => {
        contacted++
        res.end()
      },
    )
    other.on('secureConnection', () => contacted++)
    const otherPort = await listen(other)
    const config = parseConfig(
      `[realms]\n KRBTS.TEST = {\n  kdc = https://127.0.0.1:${otherPort}/KdcProxy\n  http_anchors = FILE:${tls.ca}\n }\n`,
    )
    const proxy = createServer(
      createKDCProxyHandler({
        realms: ['KRBTS.TEST'],
        transportOptions: { config, deadlineMs: 1500, attemptTimeoutMs: 500 },
      }),
    )
    const p = await listen(proxy)
    assert.equal((await post(p, wrapKKDCPRequest(AS_REQ, 'KRBTS.TEST'))).status, 503)
    assert.equal(contacted, 0)
    proxy.close()
    other.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('createKDCProxyHandler: realms is required', () => {
  assert.throws(() => createKDCProxyHandler({} as never), TypeError)
})
