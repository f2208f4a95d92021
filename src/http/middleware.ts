/**
 * A `(req, res, next)` middleware for node:http, Express and Connect, over {@link negotiate}.
 * It works on the generic request/response shape, so nothing here imports node at run time.
 *
 * @module
 */
import type { Acceptor } from '../protocol/ap-verify.js'
import type { ChannelBindings } from '../protocol/gss-checksum.js'
import {
  negotiate,
  type NegotiateOptions,
  type NegotiateResult,
  type NegotiateUser,
} from './negotiate.js'
import { adapterLogger, type NegotiateLogger } from './log.js'

/** The request shape the middleware needs (node's IncomingMessage fits). */
export interface NegotiateRequest {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>
  /** The connection (node's `req.socket`), for channel bindings. */
  readonly socket?: unknown
}

/** The response shape the middleware needs (node's ServerResponse fits). */
export interface NegotiateResponse {
  statusCode: number
  setHeader(name: string, value: string): unknown
  end(body?: string): unknown
}

/** Options for {@link negotiateMiddleware}. */
export interface NegotiateMiddlewareOptions extends Omit<
  NegotiateOptions,
  'authorization' | 'acceptor' | 'channelBindings' | 'logger'
> {
  /**
   * Channel bindings of the connection, per request: for HTTPS pass `tlsServerEndPointBindings`
   * from `kerberos-ts/node` (RFC 5929 `tls-server-end-point`, from `req.socket.getCertificate()`);
   * or fixed bindings / their 16-octet hash. With `requireChannelBindings`, clients that do not
   * bind to this channel get 401.
   */
  readonly channelBindings?:
    | ChannelBindings
    | Uint8Array
    | ((req: NegotiateRequest) => ChannelBindings | Uint8Array | undefined)
  /** The acceptor, or a function returning the current one. */
  readonly acceptor: Acceptor | (() => Acceptor)
  /** Property of the request that receives the {@link NegotiateUser} (default `kerberos`). */
  readonly property?: string
  /** Called on every refusal with the outcome (for logs). */
  readonly onRefused?: (result: NegotiateResult, req: NegotiateRequest) => void
  /** Called once a client authenticated, before `next()` (audit logs, metrics). */
  readonly onAuthenticated?: (user: NegotiateUser, req: NegotiateRequest) => void
  /**
   * Where refusals are reported (pino-compatible, `(obj, msg)` order; see `consoleLogger`):
   * default the console at level warn — each misconfiguration cause once per `logInterval` with
   * its fix, never the normal first challenge. `false` turns reporting off.
   */
  readonly logger?: NegotiateLogger | false
}

/** A middleware: `(req, res, next)`. */
export type NegotiateMiddleware = (
  req: NegotiateRequest,
  res: NegotiateResponse,
  next: (err?: unknown) => void,
) => void

const BODIES: Readonly<Record<number, string>> = {
  400: 'Bad Request: malformed Negotiate header\n',
  401: 'Unauthorized: Kerberos (Negotiate) authentication required\n',
  403: 'Forbidden\n',
  503: 'Service Unavailable: try again\n',
}

/**
 * Authenticate requests with Negotiate. Without a token: 401 + `WWW-Authenticate: Negotiate`.
 * With a good one: `req.kerberos = { principal, realm, ... }`, the mutual-authentication token
 * in `WWW-Authenticate`, then `next()`.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * const auth = negotiateMiddleware({ acceptor: new Acceptor({ keytab }) })
 * createServer((req, res) => auth(req, res, () => res.end(`hello ${req.kerberos.principal}`)))
 * ```
 */
export function negotiateMiddleware(options: NegotiateMiddlewareOptions): NegotiateMiddleware {
  const property = options.property ?? 'kerberos'
  const logger = adapterLogger(options.logger)
  const current =
    typeof options.acceptor === 'function'
      ? options.acceptor
      : (): Acceptor => options.acceptor as Acceptor
  return (req, res, next) => {
    let cb: ChannelBindings | Uint8Array | undefined
    try {
      cb =
        typeof options.channelBindings === 'function'
          ? options.channelBindings(req)
          : options.channelBindings
    } catch (err) {
      // A certificate whose bindings are undefined (e.g. Ed25519): a server configuration error.
      next(err)
      return
    }
    negotiate({
      ...options,
      acceptor: current(),
      authorization: req.headers.authorization,
      channelBindings: cb,
      logger,
    }).then(
      (r) => {
        if (r.wwwAuthenticate !== undefined) res.setHeader('WWW-Authenticate', r.wwwAuthenticate)
        if (r.status === 200) {
          ;(req as unknown as Record<string, unknown>)[property] = r.user satisfies
            NegotiateUser | undefined
          try {
            if (r.user !== undefined) options.onAuthenticated?.(r.user, req)
          } catch (err) {
            next(err)
            return
          }
          next()
          return
        }
        options.onRefused?.(r, req)
        res.statusCode = r.status
        if (r.status === 503) res.setHeader('Retry-After', '1')
        res.setHeader('Content-Type', 'text/plain; charset=utf-8')
        res.end(BODIES[r.status])
      },
      (err: unknown) => next(err),
    )
  }
}
