/**
 * An MS-KKDCP KDC proxy as a `node:http` / Express handler: it takes a KDC-PROXY-MESSAGE from an
 * HTTPS POST, relays the AS-REQ or TGS-REQ inside to the KDCs of its `target-domain` through the
 * Node transport, and answers the KDC's reply in the same framing. A browser (or any client on
 * `fetch`) can then log in through its own web server.
 *
 * Not an open relay: only realms on the allow-list are served, only to the KDCs that krb5.conf
 * (or DNS SRV) names for them — never `https` KDCs (no proxy chains or loops) — and only AS-REQ
 * and TGS-REQ messages. Requests are bounded in size and in the time to send them.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Transport } from '../client/transport.js'
import { KerberosError } from '../errors.js'
import {
  KKDCP_CONTENT_TYPE,
  decodeKDCProxyMessage,
  encodeKDCProxyMessage,
  frameKerbMessage,
  unframeKerbMessage,
} from '../protocol/kkdcp.js'
import { createNodeTransport, type NodeTransportOptions } from './transport.js'

/** Default largest request body (Python kdcproxy allows 128 KiB; real AS/TGS requests are a few kB). */
export const DEFAULT_KDC_PROXY_MAX_REQUEST_BYTES: number = 64 * 1024
/** Default time a client has to send its whole request body. */
export const DEFAULT_KDC_PROXY_BODY_TIMEOUT_MS = 10_000

/** What the proxy reports for each request (no message bytes). */
export interface KDCProxyEvent {
  readonly status: number
  readonly realm?: string
  readonly reason: string
  readonly ms: number
}

/** Options for {@link createKDCProxyHandler}. */
export interface KDCProxyOptions {
  /** Realms served (exact, case-sensitive). Required: a proxy with no list serves nothing. */
  readonly realms: readonly string[]
  /**
   * How to reach the KDCs. Default: the Node transport over krb5.conf (`KRB5_CONFIG`, else
   * `/etc/krb5.conf`) with `https` KDCs left out.
   */
  readonly transport?: Transport
  /** Options for the default transport (timeouts, `config`, ...). */
  readonly transportOptions?: NodeTransportOptions
  /** Largest request body, default {@link DEFAULT_KDC_PROXY_MAX_REQUEST_BYTES}. */
  readonly maxRequestBytes?: number
  /** Time to receive the body, default {@link DEFAULT_KDC_PROXY_BODY_TIMEOUT_MS}. */
  readonly bodyTimeoutMs?: number
  /** Called once per request. */
  readonly log?: (event: KDCProxyEvent) => void
}

/** A `node:http` request listener that also works as Express/Connect middleware. */
export type KDCProxyHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (err?: unknown) => void,
) => void

/** Thrown inside the handler to answer with an HTTP status. */
class Refusal extends Error {
  readonly status: number
  readonly realm: string | undefined
  constructor(status: number, reason: string, realm?: string) {
    super(reason)
    this.status = status
    this.realm = realm
  }
}

function readBody(req: IncomingMessage, max: number, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN)
    if (declared > max) {
      reject(new Refusal(413, `request body of ${declared} bytes exceeds ${max}`))
      return
    }
    const parts: Uint8Array[] = []
    let total = 0
    const timer = setTimeout(() => {
      fail(new Refusal(408, `request body not received within ${timeoutMs} ms`))
    }, timeoutMs)
    const fail = (e: Error): void => {
      clearTimeout(timer)
      req.removeAllListeners('data')
      req.resume()
      reject(e)
    }
    req.on('data', (chunk: Uint8Array) => {
      total += chunk.length
      if (total > max) fail(new Refusal(413, `request body exceeds ${max} bytes`))
      else parts.push(chunk)
    })
    req.on('end', () => {
      clearTimeout(timer)
      const out = new Uint8Array(total)
      let at = 0
      for (const p of parts) {
        out.set(p, at)
        at += p.length
      }
      resolve(out)
    })
    req.on('error', (e) => fail(e))
  })
}

/** AS-REQ is [APPLICATION 10], TGS-REQ [APPLICATION 12] (RFC 4120 §5.4.1). */
function isKDCRequest(message: Uint8Array): boolean {
  return message[0] === 0x6a || message[0] === 0x6c
}

/** Decode and check one proxied request; returns the realm and the bare KDC request. */
function parseRequest(
  body: Uint8Array,
  allowed: ReadonlySet<string>,
): { realm: string; message: Uint8Array } {
  let realm: string | undefined
  let message: Uint8Array
  try {
    const m = decodeKDCProxyMessage(body)
    realm = m.targetDomain
    message = unframeKerbMessage(m.kerbMessage)
  } catch (e) {
    const why = e instanceof KerberosError ? e.message : 'malformed'
    throw new Refusal(400, `not a KDC-PROXY-MESSAGE: ${why}`)
  }
  if (realm === undefined || realm === '') throw new Refusal(400, 'no target-domain')
  if (!allowed.has(realm)) throw new Refusal(403, `realm ${realm} is not served`, realm)
  if (!isKDCRequest(message)) throw new Refusal(400, 'not an AS-REQ or TGS-REQ', realm)
  return { realm, message }
}

function answer(res: ServerResponse, status: number, body?: Uint8Array): void {
  if (res.headersSent) return
  res.statusCode = status
  res.setHeader('cache-control', 'no-store')
  if (status === 405) res.setHeader('allow', 'POST')
  if (body !== undefined) {
    res.setHeader('content-type', KKDCP_CONTENT_TYPE)
    res.setHeader('content-length', body.length)
    res.end(body)
  } else {
    res.setHeader('content-length', 0)
    res.end()
  }
}

/**
 * A KDC proxy (MS-KKDCP) request handler for `node:http`, `node:https` or Express. Answers 200
 * with the KDC's reply (a KRB-ERROR is a reply too); 400 for a body that is not a proxied AS-REQ
 * or TGS-REQ, 403 for a realm not on the list, 405 for other methods, 408/413 for slow or big
 * bodies, 503 when no KDC answered. Serve it over HTTPS: the proxy adds no integrity of its own.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:https'
 * import { createKDCProxyHandler } from 'kerberos-ts/node'
 * const proxy = createKDCProxyHandler({ realms: ['EXAMPLE.COM'] })
 * createServer({ cert, key }, proxy).listen(443)
 * // Express: app.post('/KdcProxy', proxy)
 * ```
 */
export function createKDCProxyHandler(options: KDCProxyOptions): KDCProxyHandler {
  if (options === null || typeof options !== 'object' || !Array.isArray(options.realms))
    throw new TypeError('expected options with realms (the realms this proxy serves)')
  const allowed = new Set(options.realms)
  const max = options.maxRequestBytes ?? DEFAULT_KDC_PROXY_MAX_REQUEST_BYTES
  const bodyTimeout = options.bodyTimeoutMs ?? DEFAULT_KDC_PROXY_BODY_TIMEOUT_MS
  const transport =
    options.transport ?? createNodeTransport({ ...options.transportOptions, kdcProxies: false })
  const log = options.log ?? (() => {})
  return (req, res) => {
    const started = Date.now()
    const done = (status: number, reason: string, realm?: string, body?: Uint8Array): void => {
      answer(res, status, body)
      log({ status, reason, ms: Date.now() - started, ...(realm !== undefined ? { realm } : {}) })
    }
    if (req.method !== 'POST') {
      req.resume()
      done(405, `method ${req.method ?? ''} not allowed`)
      return
    }
    const abort = new AbortController()
    res.on('close', () => abort.abort())
    void (async () => {
      let realm: string | undefined
      try {
        const parsed = parseRequest(await readBody(req, max, bodyTimeout), allowed)
        realm = parsed.realm
        const reply = await transport.sendToKDC(realm, parsed.message, {
          preferTCP: true,
          signal: abort.signal,
        })
        done(200, 'relayed', realm, encodeKDCProxyMessage({ kerbMessage: frameKerbMessage(reply) }))
      } catch (e) {
        if (e instanceof Refusal) done(e.status, e.message, e.realm)
        else {
          const why = e instanceof KerberosError ? e.code : 'error'
          done(503, `no KDC answered (${why})`, realm)
        }
      }
    })()
  }
}
