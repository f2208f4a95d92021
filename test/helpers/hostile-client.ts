/**
 * A hostile HTTP Negotiate client for acceptor/middleware tests: a node:http server on 127.0.0.1
 * with negotiateMiddleware, raw requests with any Authorization header (or several), and the bad
 * tokens an attacker sends (garbage base64, deeply nested DER, unknown mechanisms, NTLMSSP,
 * truncated and oversized tokens).
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http'
import { connect } from 'node:net'
import { encodeNegTokenInit, MechOID } from '../../src/gssapi/index.js'
import { frameGSSToken } from '../../src/gssapi/framing.js'
import { negotiateMiddleware } from '../../src/http/middleware.js'
import type { NegotiateUser } from '../../src/http/negotiate.js'
import type { Acceptor } from '../../src/protocol/ap-verify.js'

/** A running Negotiate-protected server. */
export interface NegotiateServer {
  readonly port: number
  /** Requests that reached the app (authenticated). */
  readonly served: number
  /** Errors the middleware passed to next(err) (should stay 0). */
  readonly errors: unknown[]
  close(): Promise<void>
}

/** Start `negotiateMiddleware` in front of a hello-world app on 127.0.0.1. */
export async function startNegotiateServer(acceptor: () => Acceptor): Promise<NegotiateServer> {
  const mw = negotiateMiddleware({ acceptor })
  let served = 0
  const errors: unknown[] = []
  const server: Server = createServer((req, res) => {
    mw(req, res, (err?: unknown) => {
      if (err !== undefined) {
        errors.push(err)
        res.statusCode = 500
        res.end('error\n')
        return
      }
      served++
      const user = (req as unknown as { kerberos?: NegotiateUser }).kerberos
      res.end(`hello ${user?.principal ?? '?'}`)
    })
  })
  server.keepAliveTimeout = 1
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve())
  })
  const addr = server.address()
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0
  return {
    port,
    get served() {
      return served
    },
    errors,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

/** An HTTP answer. */
export interface Answer {
  readonly status: number
  readonly wwwAuthenticate?: string
  readonly body: string
}

/** GET / with the given Authorization header value(s) (none when undefined). */
export function get(port: number, authorization?: string | readonly string[]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = {}
    if (authorization !== undefined) {
      headers.authorization = typeof authorization === 'string' ? authorization : [...authorization]
    }
    const req = request(
      { host: '127.0.0.1', port, path: '/', headers, agent: false },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const www = res.headers['www-authenticate']
          resolve({
            status: res.statusCode ?? 0,
            ...(typeof www === 'string' ? { wwwAuthenticate: www } : {}),
            body: Buffer.concat(chunks).toString('utf8'),
          })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end()
  })
}

/** Send raw bytes as the request head; resolve with the status line (or '' when closed). */
export function rawRequest(port: number, head: Uint8Array): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port })
    let out = ''
    s.on('connect', () => s.end(head))
    s.on('data', (d: Buffer) => (out += d.toString('latin1')))
    s.on('error', () => resolve(out.split('\r\n')[0] ?? ''))
    s.on('close', () => resolve(out.split('\r\n')[0] ?? ''))
    s.setTimeout(5000, () => s.destroy())
  })
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64')

/** DER SEQUENCEs nested `depth` deep around an empty one, inside a GSS krb5 framing. */
export function nestedDER(depth: number, outer: 'gss' | 'spnego' = 'gss'): Uint8Array {
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
    next[0] = i % 2 === 0 ? 0x30 : 0xa0
    next.set(len, 1)
    next.set(b, 1 + len.length)
    b = next
  }
  return frameGSSToken(outer === 'gss' ? MechOID.KRB5 : MechOID.SPNEGO, b)
}

/** A deterministic generator of attacker headers, by kind. */
export function badHeaders(count: number, seed = 1): string[] {
  let x = seed >>> 0 || 1
  const rnd = (n: number): number => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) % n
  }
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => rnd(256))
  const kinds: (() => string)[] = [
    () => `Negotiate ${b64(bytes(1 + rnd(400)))}`,
    () => `Negotiate ${'!@#$%^&*'.repeat(1 + rnd(20))}`,
    () => `Negotiate ${b64(nestedDER(50 + rnd(400)))}`,
    () => `Negotiate ${b64(nestedDER(50 + rnd(400), 'spnego'))}`,
    () => `Negotiate ${b64(frameGSSToken('1.2.3.4.5', bytes(40)))}`,
    () =>
      `Negotiate ${b64(encodeNegTokenInit({ mechTypes: ['1.2.3.4', '1.3.6.1.4.1.311.2.2.10'], mechToken: bytes(30) }))}`,
    () =>
      `Negotiate ${b64(Uint8Array.from([...Buffer.from('NTLMSSP\0'), 1, 0, 0, 0, ...bytes(24)]))}`,
    () => `Negotiate`,
    () => `Negotiate  ${b64(bytes(10))} extra`,
    () => `Basic ${b64(bytes(12))}`,
    () => `Negotiate ${b64(bytes(3000 + rnd(3000)))}`,
  ]
  return Array.from({ length: count }, (_, i) => kinds[i % kinds.length]!())
}
