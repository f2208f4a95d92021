/**
 * New-user trial of docs/kkdcp.md (issue 15): a browser page whose KDC proxy is on another origin
 * gets `TypeError: Failed to fetch` (the proxy answers no CORS preflight); the error must say
 * what that can mean rather than only "no KDC proxy answered".
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { createKKDCPTransport } from '../../src/client/kkdcp-transport.js'
import { KerberosError } from '../../src/errors.js'
import { startOurProxy } from './peers.js'

const AS_REQ = Uint8Array.of(0x6a, 0x03, 0x30, 0x01, 0x00)

test('trial: a KDC proxy fetch that fails without an HTTP answer (cross-origin in a browser) gets a hint', async () => {
  const browserFetch = async (): Promise<Response> => {
    throw new TypeError('Failed to fetch')
  }
  const t = createKKDCPTransport({
    proxies: 'https://kdcproxy.other.example/KdcProxy',
    fetch: browserFetch as typeof fetch,
  })
  await assert.rejects(t.sendToKDC('EXAMPLE.COM', AS_REQ), (e: unknown) => {
    assert.ok(e instanceof KerberosError)
    assert.equal(e.code, 'ERR_KRB_KDC_UNREACHABLE')
    assert.match(e.message, /Failed to fetch/)
    assert.match(e.hint ?? '', /CORS.*page's origin/)
    return true
  })
})

test('trial: a KDC proxy URL where nothing listens (Node fetch) gets the same hint; a 403 or 503 says what the proxy meant', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
  const t = createKKDCPTransport({ proxies: `http://127.0.0.1:${port}/KdcProxy`, timeoutMs: 5000 })
  await assert.rejects(t.sendToKDC('EXAMPLE.COM', AS_REQ), (e: unknown) => {
    assert.ok(e instanceof KerberosError)
    assert.match(e.hint ?? '', /listening/)
    return true
  })
  const forbidden = async (): Promise<Response> => new Response(null, { status: 403 })
  const t403 = createKKDCPTransport({
    proxies: 'https://p.example/KdcProxy',
    fetch: forbidden as typeof fetch,
  })
  await assert.rejects(t403.sendToKDC('EXAMPLE.COM', AS_REQ), (e: unknown) => {
    assert.ok(e instanceof KerberosError)
    assert.match(e.message, /got 403/)
    assert.match(e.hint ?? '', /does not serve realm EXAMPLE\.COM.*--realm EXAMPLE\.COM/)
    return true
  })
  const noKDC = async (): Promise<Response> => new Response(null, { status: 503 })
  const t503 = createKKDCPTransport({
    proxies: 'https://p.example/KdcProxy',
    fetch: noKDC as typeof fetch,
  })
  await assert.rejects(t503.sendToKDC('EXAMPLE.COM', AS_REQ), (e: unknown) => {
    assert.ok(e instanceof KerberosError)
    assert.match(e.hint ?? '', /reached no KDC of EXAMPLE\.COM.*krb5\.conf/)
    return true
  })
  const teapot = async (): Promise<Response> => new Response(null, { status: 418 })
  const t418 = createKKDCPTransport({
    proxies: 'https://p.example/KdcProxy',
    fetch: teapot as typeof fetch,
  })
  await assert.rejects(t418.sendToKDC('EXAMPLE.COM', AS_REQ), (e: unknown) => {
    assert.ok(e instanceof KerberosError)
    assert.equal(e.hint, undefined)
    return true
  })
})

test('trial: kdc-proxy warns at start about a realm krb5.conf names no KDC for (it would answer 503)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'krbts-trial-kdcproxy-'))
  const conf = join(dir, 'krb5.conf')
  writeFileSync(
    conf,
    '[libdefaults]\n default_realm = ONLY.TEST\n dns_lookup_kdc = false\n[realms]\n ONLY.TEST = {\n  kdc = 127.0.0.1:9\n }\n',
  )
  const proxy = await startOurProxy({ krb5Conf: conf, realms: ['ONLY.TEST', 'NOKDC.TEST'] })
  try {
    await new Promise((r) => setTimeout(r, 200))
    const text = proxy.output()
    assert.match(
      text,
      /warning: krb5\.conf names no KDC for NOKDC\.TEST .*dns_lookup_kdc is off.*503/,
    )
    assert.doesNotMatch(text, /no KDC for ONLY\.TEST/)
  } finally {
    await proxy.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})
