/**
 * HTTP Negotiate (RFC 4559): the framework-free {@link negotiate} core, a `(req, res, next)`
 * middleware for node:http/Express/Connect, a Fastify plugin ({@link fastifyNegotiate}), a Koa
 * middleware ({@link koaNegotiate}), a Fetch-API handler ({@link negotiateHandler}) for Hono,
 * Deno, Bun and workers, rate-limited refusal logging ({@link NegotiateLogger}), and a `fetch`
 * wrapper for clients.
 *
 * @example
 * ```ts
 * import { negotiateMiddleware } from 'kerberos-ts/http'
 * app.use(negotiateMiddleware({ acceptor: new Acceptor({ keytab }) }))
 * app.get('/', (req, res) => res.send(`hello ${req.kerberos.principal}`))
 * ```
 *
 * @module
 */
export {
  negotiate,
  parseNegotiateHeader,
  MAX_NEGOTIATE_HEADER,
  DEFAULT_ALLOWED_SERVICES,
  type NegotiateOptions,
  type NegotiateResult,
  type NegotiateUser,
} from './negotiate.js'
export {
  negotiateMiddleware,
  type NegotiateMiddleware,
  type NegotiateMiddlewareOptions,
  type NegotiateRequest,
  type NegotiateResponse,
} from './middleware.js'
export {
  negotiateFetch,
  serverNegotiateToken,
  type NegotiateFetchOptions,
  type NegotiateToken,
  type TicketSource,
} from './fetch.js'
export { getKerberos } from './types.js'
export {
  consoleLogger,
  createRefusalReporter,
  refusalCause,
  traceEvent,
  DEFAULT_LOG_INTERVAL,
  type ConsoleLike,
  type ConsoleLoggerOptions,
  type NegotiateLogger,
  type NegotiateLogMethod,
  type NegotiateTraceEvent,
  type RefusalCause,
  type RefusalCauseInfo,
  type RefusalReporter,
  type RefusalReporterOptions,
} from './log.js'
export {
  negotiateStep,
  REFUSAL_BODIES,
  type NegotiateAdapterOptions,
  type NegotiateStep,
} from './adapter.js'
export {
  fastifyNegotiate,
  type FastifyNegotiateInstance,
  type FastifyNegotiateOptions,
  type FastifyNegotiateReply,
  type FastifyNegotiateRequest,
} from './fastify.js'
export {
  koaNegotiate,
  type KoaNegotiateContext,
  type KoaNegotiateMiddleware,
  type KoaNegotiateOptions,
} from './koa.js'
export {
  negotiateHandler,
  type NegotiateHandler,
  type NegotiateHandlerOptions,
  type NegotiateIdentity,
} from './fetch-handler.js'
