/**
 * What the framework adapters (Fastify, Koa, Fetch handler) share: their options, the refusal
 * bodies, and one step that runs {@link negotiate} for a request with the adapter defaults
 * (console logger, hooks, per-request channel bindings, the current acceptor).
 *
 * @module
 */
import type { Acceptor } from '../protocol/ap-verify.js'
import type { ChannelBindings } from '../protocol/gss-checksum.js'
import { adapterLogger, type NegotiateLogger } from './log.js'
import {
  negotiate,
  type NegotiateOptions,
  type NegotiateResult,
  type NegotiateUser,
} from './negotiate.js'

/** Options every adapter takes; `Req` is the framework's request (or context) object. */
export interface NegotiateAdapterOptions<Req> extends Omit<
  NegotiateOptions,
  'authorization' | 'acceptor' | 'channelBindings' | 'logger'
> {
  /** The acceptor, or a function returning the current one (keytab rotation). */
  readonly acceptor: Acceptor | (() => Acceptor)
  /**
   * Channel bindings of the connection: fixed, or per request — for HTTPS on Node,
   * `tlsServerEndPointBindings` from `kerberos-ts/node` (it reads `req.socket`, which Fastify
   * requests and Koa contexts have).
   */
  readonly channelBindings?:
    ChannelBindings | Uint8Array | ((req: Req) => ChannelBindings | Uint8Array | undefined)
  /**
   * Where refusals are reported (pino's `(obj, msg)` order): default the console at level warn,
   * each misconfiguration cause once per `logInterval` with its fix; `false` for none.
   */
  readonly logger?: NegotiateLogger | false
  /** Called on every refusal with the outcome. */
  readonly onRefused?: (result: NegotiateResult, req: Req) => void
  /** Called once a client authenticated, before the application sees the request. */
  readonly onAuthenticated?: (user: NegotiateUser, req: Req) => void
}

/** Plain-text bodies of refusals: no details for the client (they go to the log). */
export const REFUSAL_BODIES: Readonly<Record<number, string>> = {
  400: 'Bad Request: malformed Negotiate header\n',
  401: 'Unauthorized: Kerberos (Negotiate) authentication required\n',
  403: 'Forbidden\n',
}

/** Authenticate one request of an adapter: `(req, authorization header) → outcome`. */
export type NegotiateStep<Req> = (
  req: Req,
  authorization: string | readonly string[] | undefined | null,
) => Promise<NegotiateResult>

/**
 * Build an adapter's per-request step from its options. Rejects only for server configuration
 * errors (a `channelBindings` function that throws) and exceptions thrown by the hooks.
 *
 * @example
 * ```ts
 * const step = negotiateStep<Request>({ acceptor })
 * const r = await step(request, request.headers.get('authorization'))
 * ```
 */
export function negotiateStep<Req>(options: NegotiateAdapterOptions<Req>): NegotiateStep<Req> {
  const logger = adapterLogger(options.logger)
  const acceptor = options.acceptor
  const current = typeof acceptor === 'function' ? acceptor : (): Acceptor => acceptor
  return async (req, authorization) => {
    const bindings =
      typeof options.channelBindings === 'function'
        ? options.channelBindings(req)
        : options.channelBindings
    const r = await negotiate({
      ...options,
      acceptor: current(),
      authorization,
      channelBindings: bindings,
      logger,
    })
    if (r.status === 200) {
      if (r.user !== undefined) options.onAuthenticated?.(r.user, req)
    } else {
      options.onRefused?.(r, req)
    }
    return r
  }
}
